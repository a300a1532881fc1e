//! JPEG encoding, thumbnails and display copies.

use image::RgbImage;
use jpeg_encoder::{ColorType, Encoder};

use crate::ImagingError;
use crate::resample::{halve, resize};

/// Encodes `img` as a baseline JPEG at `quality` (clamped to 1..=100; 85 suits annotated
/// photos), with the `jpeg-encoder` crate (AVX2 where the CPU has it, checked at run time):
/// about 4.4 times faster than the `image` crate's encoder on a 24 MP photo
/// (`docs/performance.md`). Below quality 90 the colour is sampled at half resolution in both
/// directions (4:2:0), as cameras do.
///
/// # Errors
/// [`ImagingError::Encode`] when the image has no pixels or a side longer than 65,535 pixels,
/// which JPEG cannot store.
pub fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, ImagingError> {
    let (width, height) = img.dimensions();
    let sides = u16::try_from(width).and_then(|w| Ok((w, u16::try_from(height)?)));
    let (Ok((w, h)), false) = (sides, width == 0 || height == 0) else {
        return Err(ImagingError::Encode {
            detail: format!("a JPEG cannot be {width}x{height} pixels"),
        });
    };
    // About one byte in eight is a fair first guess for a photo at usual qualities.
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    Encoder::new(&mut out, quality.clamp(1, 100))
        .encode(img.as_raw(), w, h, ColorType::Rgb)
        .map_err(|e| ImagingError::Encode {
            detail: e.to_string(),
        })?;
    Ok(out)
}

/// A copy of `img` scaled down so that its longer side is at most `max_side` pixels (at least
/// 1), keeping the aspect ratio; an image already that small is copied as it is. Each side stays
/// at least one pixel.
#[must_use]
pub fn thumbnail(img: &RgbImage, max_side: u32) -> RgbImage {
    match fitted_size(img, max_side) {
        Some((width, height)) => shrink(img, width, height),
        None => img.clone(),
    }
}

/// `img` itself when its longer side is at most `max_side` pixels, otherwise a copy scaled
/// down to that, as [`thumbnail`] makes it. The analysis draws its boxes on this display copy
/// of a large photo, so the annotated JPEG and its thumbnail never cost a full-size encode;
/// the original stays stored as it came.
#[must_use]
pub fn fit_within(img: RgbImage, max_side: u32) -> RgbImage {
    match fitted_size(&img, max_side) {
        Some((width, height)) => shrink(&img, width, height),
        None => img,
    }
}

/// `img` scaled down to `width` x `height`: halved (2x2 means) while it is at least twice
/// that in both directions, then resampled. A 24 MP photo's 2048 px copy then costs one read
/// of the photo and a resample of 6 MP instead of a resample of 24 MP.
fn shrink(img: &RgbImage, width: u32, height: u32) -> RgbImage {
    let twice = |img: &RgbImage| img.width() >= 2 * width && img.height() >= 2 * height;
    if !twice(img) {
        return resize(img, width, height);
    }
    let mut smaller = halve(img);
    while twice(&smaller) {
        smaller = halve(&smaller);
    }
    resize(&smaller, width, height)
}

/// The size of `img` scaled to a longer side of `max_side` (at least 1), or `None` when it
/// already fits.
fn fitted_size(img: &RgbImage, max_side: u32) -> Option<(u32, u32)> {
    let (width, height) = img.dimensions();
    let max_side = max_side.max(1);
    let longer = width.max(height);
    if longer <= max_side {
        return None;
    }
    let scale = |side: u32| -> u32 {
        let scaled = u64::from(side) * u64::from(max_side) / u64::from(longer);
        u32::try_from(scaled).unwrap_or(max_side).max(1)
    };
    Some((scale(width), scale(height)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_keep_the_aspect_ratio() {
        let img = RgbImage::new(6000, 4000);
        assert_eq!(thumbnail(&img, 320).dimensions(), (320, 213));
        let tall = RgbImage::new(100, 4000);
        assert_eq!(thumbnail(&tall, 320).dimensions(), (8, 320));
        let thin = RgbImage::new(10_000, 1);
        assert_eq!(thumbnail(&thin, 320).dimensions(), (320, 1));
        let small = RgbImage::new(200, 100);
        assert_eq!(thumbnail(&small, 320).dimensions(), (200, 100));
        assert_eq!(thumbnail(&small, 0).dimensions(), (1, 1));
    }

    #[test]
    fn a_display_copy_is_the_image_itself_when_it_fits() {
        let small = RgbImage::from_pixel(200, 100, image::Rgb([9, 8, 7]));
        let kept = fit_within(small.clone(), 200);
        assert_eq!(kept, small);
        let shrunk = fit_within(RgbImage::new(6000, 4000), 2048);
        assert_eq!(shrunk.dimensions(), (2048, 1365));
    }

    #[test]
    fn encoded_photos_decode_to_the_same_picture() {
        let img = RgbImage::from_fn(97, 61, |x, y| {
            image::Rgb([(x * 2) as u8, (y * 4) as u8, 90])
        });
        let jpeg = encode_jpeg(&img, 95).expect("encodes");
        let back = image::load_from_memory(&jpeg).expect("decodes").to_rgb8();
        assert_eq!(back.dimensions(), (97, 61));
        let worst = img
            .as_raw()
            .iter()
            .zip(back.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        assert!(worst.is_some_and(|d| d <= 12), "worst difference {worst:?}");
    }

    #[test]
    fn sides_a_jpeg_cannot_hold_are_refused() {
        let err = encode_jpeg(&RgbImage::new(65_536, 1), 85).expect_err("too wide");
        assert!(matches!(err, ImagingError::Encode { .. }));
    }

    #[test]
    fn empty_images_cannot_be_encoded() {
        let err = encode_jpeg(&RgbImage::new(0, 3), 85).expect_err("no pixels");
        assert!(matches!(err, ImagingError::Encode { .. }));
    }
}

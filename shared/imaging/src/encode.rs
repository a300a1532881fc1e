//! JPEG encoding and thumbnails.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, RgbImage, imageops};

use crate::ImagingError;

/// Encodes `img` as a baseline JPEG at `quality` (clamped to 1..=100; 85 suits annotated
/// photos).
///
/// # Errors
/// [`ImagingError::Encode`] when the image has no pixels or a side longer than 65,535 pixels,
/// which JPEG cannot store.
pub fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, ImagingError> {
    let (width, height) = img.dimensions();
    if width == 0 || height == 0 {
        return Err(ImagingError::Encode {
            detail: format!("a JPEG cannot be {width}x{height} pixels"),
        });
    }
    // About one byte in eight is a fair first guess for a photo at usual qualities.
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
        .encode(img.as_raw(), width, height, ExtendedColorType::Rgb8)
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
    let (width, height) = img.dimensions();
    let max_side = max_side.max(1);
    let longer = width.max(height);
    if longer <= max_side {
        return img.clone();
    }
    let scale = |side: u32| -> u32 {
        let scaled = u64::from(side) * u64::from(max_side) / u64::from(longer);
        u32::try_from(scaled).unwrap_or(max_side).max(1)
    };
    imageops::thumbnail(img, scale(width), scale(height))
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
    fn empty_images_cannot_be_encoded() {
        let err = encode_jpeg(&RgbImage::new(0, 3), 85).expect_err("no pixels");
        assert!(matches!(err, ImagingError::Encode { .. }));
    }
}

//! Bounded decoding to upright 8-bit RGB.

use image::{ColorType, DynamicImage, ImageDecoder, RgbImage, imageops};

use crate::inspect::{open, swaps_sides};
use crate::{ImageFormat, ImagingError, Limits, Orientation};

/// A decoded photo, upright and in 8-bit RGB, ready for detection and drawing.
#[derive(Debug, Clone)]
pub struct DecodedImage {
    /// The pixels, with the EXIF orientation applied and any alpha channel dropped.
    pub rgb: RgbImage,
    /// The format the bytes were in.
    pub format: ImageFormat,
    /// The width as stored in the file, before the orientation was applied.
    pub original_width: u32,
    /// The height as stored in the file, before the orientation was applied.
    pub original_height: u32,
    /// The EXIF orientation that was applied.
    pub orientation: Orientation,
}

/// Decodes `bytes` into an upright 8-bit RGB image within `limits`.
///
/// Steps: [`sniff`](crate::sniff), [`inspect`](crate::inspect) (so pixel floods are refused
/// before any pixel buffer exists), a check that the memory needed fits
/// `limits.max_alloc_bytes`, decoding with the `image` crate's limits set, conversion to RGB8
/// (no copy when the image already is RGB8, as JPEGs usually are) and the EXIF orientation.
/// Colour profiles are not applied; transparent pixels keep their stored colour.
///
/// Never panics, whatever the bytes.
///
/// # Errors
/// Every error of [`inspect`](crate::inspect); [`ImagingError::TooMuchMemory`] when decoding
/// would hold more than `limits.max_alloc_bytes`; [`ImagingError::Corrupt`] when the pixel
/// data is truncated or malformed.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<DecodedImage, ImagingError> {
    let (mut decoder, info) = open(bytes, limits)?;
    let too_much = || ImagingError::TooMuchMemory {
        max_alloc_bytes: limits.max_alloc_bytes,
    };
    if peak_bytes(&decoder, info.orientation) > limits.max_alloc_bytes {
        return Err(too_much());
    }
    decoder
        .set_limits(limits.for_decoding())
        .map_err(|e| ImagingError::from_decoding(e, limits.max_alloc_bytes))?;

    let image = DynamicImage::from_decoder(decoder)
        .map_err(|e| ImagingError::from_decoding(e, limits.max_alloc_bytes))?;
    let rgb = orient(image.into_rgb8(), info.orientation);

    Ok(DecodedImage {
        rgb,
        format: info.format,
        original_width: info.width,
        original_height: info.height,
        orientation: info.orientation,
    })
}

/// The most bytes held at once: the decoder's output plus its RGB copy, or the RGB image plus
/// its rotated copy, whichever is more.
fn peak_bytes(decoder: &impl ImageDecoder, orientation: Orientation) -> u64 {
    let (width, height) = decoder.dimensions();
    let rgb = u64::from(width)
        .saturating_mul(u64::from(height))
        .saturating_mul(3);
    let output = decoder.total_bytes();
    let converting = if decoder.color_type() == ColorType::Rgb8 {
        output
    } else {
        output.saturating_add(rgb)
    };
    let rotating = if copies_to_orient(orientation) {
        rgb.saturating_mul(2)
    } else {
        rgb
    };
    converting.max(rotating)
}

/// Whether applying `orientation` needs a second buffer (the turns by 90 or 270 degrees do).
fn copies_to_orient(orientation: Orientation) -> bool {
    swaps_sides(orientation)
}

/// Applies the EXIF orientation, in place where the transform allows it.
fn orient(mut rgb: RgbImage, orientation: Orientation) -> RgbImage {
    match orientation {
        Orientation::NoTransforms => rgb,
        Orientation::Rotate90 => imageops::rotate90(&rgb),
        Orientation::Rotate180 => {
            imageops::rotate180_in_place(&mut rgb);
            rgb
        }
        Orientation::Rotate270 => imageops::rotate270(&rgb),
        Orientation::FlipHorizontal => {
            imageops::flip_horizontal_in_place(&mut rgb);
            rgb
        }
        Orientation::FlipVertical => {
            imageops::flip_vertical_in_place(&mut rgb);
            rgb
        }
        Orientation::Rotate90FlipH => {
            let mut turned = imageops::rotate90(&rgb);
            drop(rgb);
            imageops::flip_horizontal_in_place(&mut turned);
            turned
        }
        Orientation::Rotate270FlipH => {
            let mut turned = imageops::rotate270(&rgb);
            drop(rgb);
            imageops::flip_horizontal_in_place(&mut turned);
            turned
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orient_matches_the_image_crate() {
        let src = RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8, y as u8, 7]));
        for orientation in [
            Orientation::NoTransforms,
            Orientation::Rotate90,
            Orientation::Rotate180,
            Orientation::Rotate270,
            Orientation::FlipHorizontal,
            Orientation::FlipVertical,
            Orientation::Rotate90FlipH,
            Orientation::Rotate270FlipH,
        ] {
            let mut expected = DynamicImage::ImageRgb8(src.clone());
            expected.apply_orientation(orientation);
            assert_eq!(
                orient(src.clone(), orientation),
                expected.into_rgb8(),
                "{orientation:?}"
            );
        }
    }
}

//! Header-only inspection: format, dimensions and EXIF orientation, without decoding a pixel.
//!
//! This is the check the uploads service runs on arriving bytes and the first step of
//! [`decode`](crate::decode): pixel floods and empty images are refused here, before any pixel
//! buffer exists.

use std::io::Cursor;

use image::{ImageDecoder, ImageReader};

use crate::completeness::check_complete;
use crate::{ImageFormat, ImagingError, Limits, Orientation, sniff};

/// What the header of an image says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// The format, from the magic bytes.
    pub format: ImageFormat,
    /// The width as stored, before the EXIF orientation is applied.
    pub width: u32,
    /// The height as stored, before the EXIF orientation is applied.
    pub height: u32,
    /// The EXIF orientation; [`Orientation::NoTransforms`] when there is none or it is unreadable.
    pub orientation: Orientation,
}

impl ImageInfo {
    /// Width times height.
    #[must_use]
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// The width and height as the photo is meant to be seen, once the orientation is applied
    /// (swapped for the orientations that turn it by 90 or 270 degrees).
    #[must_use]
    pub fn display_dimensions(&self) -> (u32, u32) {
        if swaps_sides(self.orientation) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Whether applying `orientation` swaps width and height.
pub(crate) fn swaps_sides(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Reads the header of `bytes` and checks it against `limits`, without decoding pixels.
///
/// # Errors
/// - [`ImagingError::Empty`] or [`ImagingError::UnsupportedFormat`] as for [`sniff`];
/// - [`ImagingError::Corrupt`] when the header cannot be read or the container shows the file
///   was cut short (a JPEG without its end marker, a WebP shorter than its RIFF size);
/// - [`ImagingError::ZeroDimensions`] when width or height is zero;
/// - [`ImagingError::TooManyPixels`] when width times height exceeds `limits.max_pixels`;
/// - [`ImagingError::TooMuchMemory`] or [`ImagingError::UnsupportedFeature`] when the decoder
///   refuses the header for those reasons.
pub fn inspect(bytes: &[u8], limits: &Limits) -> Result<ImageInfo, ImagingError> {
    open(bytes, limits).map(|(_, info)| info)
}

/// Inspects `bytes` and returns the decoder, positioned after the header, with the info.
pub(crate) fn open<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<(impl ImageDecoder + 'a, ImageInfo), ImagingError> {
    let format = sniff(bytes)?;
    check_complete(format, bytes)?;

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.to_image());
    reader.limits(limits.for_header());
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| ImagingError::from_decoding(e, limits.max_alloc_bytes))?;

    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImagingError::ZeroDimensions);
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(ImagingError::TooManyPixels {
            pixels,
            max_pixels: limits.max_pixels,
        });
    }
    // A broken EXIF block must not make a good photo unreadable: it then counts as upright.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);

    let info = ImageInfo {
        format,
        width,
        height,
        orientation,
    };
    Ok((decoder, info))
}

//! Image IO for Facelens, with no model runtime: the uploads service links it to check arriving
//! bytes, and the analysis worker to decode photos and draw its results.
//!
//! The path of a photo:
//! 1. [`sniff`] tells JPEG, PNG or WebP from the magic bytes; nothing else is accepted, whatever
//!    the declared type ([`ImageFormat::from_mime_type`] checks that one).
//! 2. [`inspect`] reads the header only, and refuses empty images and pixel floods (more than
//!    [`Limits::max_pixels`], 40 megapixels by default) before any pixel is decoded.
//! 3. [`decode`] decodes within [`Limits`], applies the EXIF orientation and returns upright
//!    8-bit RGB.
//! 4. [`fit_within`] makes a display copy of a large photo (the analysis caps it at 2048 px),
//!    [`annotate_in_place`] (or the copying [`annotate`]) draws green boxes on masked faces and
//!    red on the others; [`encode_jpeg`] and [`thumbnail`] make the images stored beside the
//!    original. [`resize`] and [`resize_into`] are the resampler behind them, which the
//!    detector also letterboxes with.
//!
//! Every failure is an [`ImagingError`] whose message a user can read. No function panics on
//! any input.

mod annotate;
mod completeness;
mod decode;
mod encode;
mod error;
mod format;
mod inspect;
mod limits;
mod numbers;
mod resample;

pub use annotate::{
    AnnotatedBox, MASKED_COLOUR, UNMASKED_COLOUR, annotate, annotate_in_place, line_thickness,
};
pub use decode::{DecodedImage, decode};
pub use encode::{encode_jpeg, fit_within, thumbnail};
pub use error::ImagingError;
pub use format::{ImageFormat, sniff};
/// The EXIF orientation of a photo (re-exported from the `image` crate).
pub use image::metadata::Orientation;
/// An 8-bit RGB image buffer (re-exported from the `image` crate), the pixel type of this crate.
pub use image::{Rgb, RgbImage};
pub use inspect::{ImageInfo, inspect};
pub use limits::Limits;
pub use numbers::number_in_place;
pub use resample::{Area, halve, resize, resize_into};

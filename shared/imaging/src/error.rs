//! The one error type of this crate, with messages written for the person who sent the photo.
//!
//! Every variant's `Display` text can be shown to a user as it is ("the image data is truncated
//! or corrupt"). Details meant for logs (the decoder's own words) are kept in `detail` fields and
//! are never part of the message.

use std::fmt;

/// Why an image was refused or could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImagingError {
    /// The bytes are empty.
    #[error("the file is empty")]
    Empty,
    /// The bytes do not start with the magic bytes of JPEG, PNG or WebP.
    #[error("the file is not a JPEG, PNG or WebP image")]
    UnsupportedFormat,
    /// The header says the image has no pixels.
    #[error("the image has no pixels (its width or height is zero)")]
    ZeroDimensions,
    /// The header says the image has more pixels than allowed (a pixel flood); refused before
    /// any pixel is decoded.
    #[error("the image is {} megapixels; the limit is {}", Megapixels::over(*.pixels, *.max_pixels), Megapixels::of(*.max_pixels))]
    TooManyPixels {
        /// Width times height, from the header.
        pixels: u64,
        /// The configured limit.
        max_pixels: u64,
    },
    /// Decoding would need more memory than allowed.
    #[error("decoding the image would need more than {} MB of memory", .max_alloc_bytes / 1_000_000)]
    TooMuchMemory {
        /// The configured limit in bytes.
        max_alloc_bytes: u64,
    },
    /// The data ends early or does not follow the format.
    #[error("the image data is truncated or corrupt")]
    Corrupt {
        /// What the decoder said, for logs.
        detail: String,
    },
    /// The file is a JPEG, PNG or WebP image, but uses a feature of that format the decoder does
    /// not support (for example an arithmetic-coded JPEG).
    #[error("the image uses a feature of its format that cannot be read")]
    UnsupportedFeature {
        /// What the decoder said, for logs.
        detail: String,
    },
    /// The image could not be encoded (for JPEG: a side longer than 65,535 pixels or no pixels).
    #[error("the image could not be encoded as JPEG")]
    Encode {
        /// What the encoder said, for logs.
        detail: String,
    },
    /// A resize was asked for an area that is empty or not inside its image: a caller's bug.
    #[error("an image area is empty or outside the image")]
    Area {
        /// Which area, for logs.
        detail: String,
    },
}

impl ImagingError {
    /// Maps an error of the `image` crate met while decoding.
    pub(crate) fn from_decoding(err: image::ImageError, max_alloc_bytes: u64) -> Self {
        use image::ImageError as E;
        match err {
            E::Limits(_) => Self::TooMuchMemory { max_alloc_bytes },
            E::Unsupported(e) => Self::UnsupportedFeature {
                detail: e.to_string(),
            },
            E::Decoding(e) => Self::Corrupt {
                detail: e.to_string(),
            },
            E::Parameter(e) => Self::Corrupt {
                detail: e.to_string(),
            },
            E::IoError(e) => Self::Corrupt {
                detail: e.to_string(),
            },
            E::Encoding(e) => Self::Corrupt {
                detail: e.to_string(),
            },
        }
    }
}

/// A pixel count shown in megapixels, to the nearest tenth: whole numbers without decimals
/// ("61"), others with one ("40.2").
struct Megapixels {
    tenths: u64,
}

impl Megapixels {
    fn of(pixels: u64) -> Self {
        Megapixels {
            tenths: pixels.saturating_add(50_000) / 100_000,
        }
    }

    /// `pixels`, which exceed `limit`, never shown as equal to or below the shown limit.
    fn over(pixels: u64, limit: u64) -> Self {
        let shown = Self::of(pixels);
        let floor = Self::of(limit).tenths.saturating_add(1);
        Megapixels {
            tenths: if pixels > limit {
                shown.tenths.max(floor)
            } else {
                shown.tenths
            },
        }
    }
}

impl fmt::Display for Megapixels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tenths % 10 {
            0 => write!(f, "{}", self.tenths / 10),
            t => write!(f, "{}.{t}", self.tenths / 10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megapixels_read_naturally() {
        assert_eq!(Megapixels::of(61_000_000).to_string(), "61");
        assert_eq!(Megapixels::of(40_000_000).to_string(), "40");
        assert_eq!(Megapixels::of(41_003_200).to_string(), "41");
        assert_eq!(Megapixels::of(40_950_000).to_string(), "41");
        assert_eq!(Megapixels::of(24_240_000).to_string(), "24.2");
        assert_eq!(Megapixels::of(100_000).to_string(), "0.1");
    }

    #[test]
    fn an_image_just_over_the_limit_never_reads_as_equal_to_it() {
        assert_eq!(Megapixels::over(40_000_001, 40_000_000).to_string(), "40.1");
        assert_eq!(Megapixels::over(41_003_200, 40_000_000).to_string(), "41");
        assert!(
            !Megapixels::over(u64::MAX, u64::MAX - 1)
                .to_string()
                .is_empty()
        );
    }

    #[test]
    fn flood_message_names_both_numbers() {
        let err = ImagingError::TooManyPixels {
            pixels: 61_000_000,
            max_pixels: 40_000_000,
        };
        assert_eq!(
            err.to_string(),
            "the image is 61 megapixels; the limit is 40"
        );
    }
}

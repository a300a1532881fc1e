//! What kind of image some bytes are, told by their magic bytes alone, and the MIME types and
//! file extensions that go with each kind.
//!
//! The declared type of an upload (a file name, a `Content-Type`) is never trusted: the uploads
//! API maps the declared MIME type with [`ImageFormat::from_mime_type`] to refuse other types
//! early, and the bytes are checked with [`sniff`] when they arrive.

use crate::ImagingError;

/// The image formats Facelens accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// JPEG (JFIF or EXIF), magic bytes `FF D8 FF`.
    Jpeg,
    /// PNG, magic bytes `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// WebP, a RIFF container: `RIFF`, four size bytes, then `WEBP`.
    WebP,
}

const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Tells the format of `bytes` from their first bytes (magic bytes) only.
///
/// Nothing past the first twelve bytes is read, so a file can be sniffed as PNG and still be
/// refused later by [`inspect`](crate::inspect) or [`decode`](crate::decode).
///
/// # Errors
/// [`ImagingError::Empty`] for no bytes; [`ImagingError::UnsupportedFormat`] for anything that
/// does not start with the magic bytes of JPEG, PNG or WebP (text, PDF, SVG, GIF, a header cut
/// short, ...).
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, ImagingError> {
    if bytes.is_empty() {
        Err(ImagingError::Empty)
    } else if bytes.starts_with(JPEG_MAGIC) {
        Ok(ImageFormat::Jpeg)
    } else if bytes.starts_with(PNG_MAGIC) {
        Ok(ImageFormat::Png)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Ok(ImageFormat::WebP)
    } else {
        Err(ImagingError::UnsupportedFormat)
    }
}

impl ImageFormat {
    /// Every accepted format.
    pub const ALL: [ImageFormat; 3] = [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP];

    /// The format a declared MIME type names, or `None` for any other type.
    ///
    /// Matching ignores ASCII case, surrounding spaces and parameters (`image/png; q=1`), and
    /// accepts the common misspelling `image/jpg`.
    #[must_use]
    pub fn from_mime_type(mime: &str) -> Option<ImageFormat> {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("image/jpeg") || essence.eq_ignore_ascii_case("image/jpg") {
            Some(ImageFormat::Jpeg)
        } else if essence.eq_ignore_ascii_case("image/png") {
            Some(ImageFormat::Png)
        } else if essence.eq_ignore_ascii_case("image/webp") {
            Some(ImageFormat::WebP)
        } else {
            None
        }
    }

    /// The canonical MIME type: `image/jpeg`, `image/png` or `image/webp`.
    #[must_use]
    pub const fn mime_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::WebP => "image/webp",
        }
    }

    /// The file extension used for object keys, without a dot: `jpg`, `png` or `webp`.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
            ImageFormat::WebP => "webp",
        }
    }

    /// The matching format of the `image` crate.
    pub(crate) const fn to_image(self) -> image::ImageFormat {
        match self {
            ImageFormat::Jpeg => image::ImageFormat::Jpeg,
            ImageFormat::Png => image::ImageFormat::Png,
            ImageFormat::WebP => image::ImageFormat::WebP,
        }
    }
}

impl std::fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Png => "PNG",
            ImageFormat::WebP => "WebP",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types_map_both_ways() {
        for format in ImageFormat::ALL {
            assert_eq!(
                ImageFormat::from_mime_type(format.mime_type()),
                Some(format)
            );
        }
        assert_eq!(
            ImageFormat::from_mime_type(" IMAGE/PNG ; charset=binary"),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            ImageFormat::from_mime_type("image/jpg"),
            Some(ImageFormat::Jpeg)
        );
        for refused in [
            "",
            "image/gif",
            "image/svg+xml",
            "application/pdf",
            "text/plain",
            "image/",
        ] {
            assert_eq!(ImageFormat::from_mime_type(refused), None, "{refused}");
        }
    }

    #[test]
    fn extensions_are_the_object_key_suffixes() {
        let exts: Vec<_> = ImageFormat::ALL.iter().map(|f| f.extension()).collect();
        assert_eq!(exts, ["jpg", "png", "webp"]);
    }
}

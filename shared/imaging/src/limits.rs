//! How large an image may be before it is refused.

/// Limits checked before and during decoding.
///
/// The pixel limit is checked from the header, before any pixel is decoded, so a small file that
/// claims to be a huge image (a pixel flood) costs nothing. The allocation limit bounds the
/// memory decoding holds at once: the decoder's output buffer, its RGB copy when the image is
/// not already 8-bit RGB, and the rotated copy an EXIF orientation of 90 or 270 degrees needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most pixels (width times height) an image may have. Default: 40 megapixels.
    pub max_pixels: u64,
    /// The most bytes decoding may hold at once. Default: 512 MiB, which fits any image within
    /// the default pixel limit, even a 16-bit RGBA PNG.
    pub max_alloc_bytes: u64,
}

impl Limits {
    /// The default pixel limit: 40 megapixels.
    pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;
    /// The default allocation limit: 512 MiB.
    pub const DEFAULT_MAX_ALLOC_BYTES: u64 = 512 * 1024 * 1024;

    /// The limits handed to the `image` crate's decoders: allocation only, so that the pixel
    /// check stays ours and its error names the numbers.
    pub(crate) fn for_header(&self) -> image::Limits {
        let mut limits = image::Limits::no_limits();
        limits.max_alloc = Some(self.max_alloc_bytes);
        limits
    }

    /// The limits handed to the decoder once the header passed: allocation, and no side longer
    /// than the pixel limit allows.
    pub(crate) fn for_decoding(&self) -> image::Limits {
        let side = u32::try_from(self.max_pixels).unwrap_or(u32::MAX);
        let mut limits = self.for_header();
        limits.max_image_width = Some(side);
        limits.max_image_height = Some(side);
        limits
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pixels: Self::DEFAULT_MAX_PIXELS,
            max_alloc_bytes: Self::DEFAULT_MAX_ALLOC_BYTES,
        }
    }
}

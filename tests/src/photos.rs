//! Photos for the tests: real faces from the vision fixtures, and made-up images for the
//! cases without faces or with broken bytes.

use image::{ImageFormat, Rgb, RgbImage};
use std::io::Cursor;

/// A real photo with faces, from the vision crate's fixtures.
pub fn with_faces() -> Vec<u8> {
    let path = crate::workspace_root().join("shared/vision/tests/fixtures/group.jpg");
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// A JPEG of a smooth gradient: no face in it.
pub fn without_faces(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            128,
        ])
    });
    encode(&img, ImageFormat::Jpeg)
}

/// The same gradient as PNG.
pub fn png_without_faces() -> Vec<u8> {
    let img = RgbImage::from_fn(64, 48, |x, y| Rgb([x as u8 * 4, y as u8 * 5, 90]));
    encode(&img, ImageFormat::Png)
}

/// A PNG header claiming 20000 x 20000 pixels (400 megapixels) with almost no data.
pub fn pixel_flood() -> Vec<u8> {
    let mut png = encode(&RgbImage::new(1, 1), ImageFormat::Png);
    // IHDR: length at 8..12, type at 12..16, width and height at 16..24, CRC at 29..33.
    png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encodes");
    out.into_inner()
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

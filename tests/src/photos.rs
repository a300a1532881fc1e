//! Photos for the tests: real faces from the vision fixtures, and made-up images for the
//! cases without faces or with broken bytes.

use image::{ImageFormat, Rgb, RgbImage};
use std::io::Cursor;

/// A real photo with faces, from the vision crate's fixtures.
pub fn with_faces() -> Vec<u8> {
    fixture("group.jpg")
}

/// The bytes of one of the vision crate's fixture photos (`group.jpg`, `astronaut.jpg`, ...).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = crate::workspace_root()
        .join("shared/vision/tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// `upright` (a JPEG) re-stored sideways with an EXIF orientation that turns it upright again,
/// as a phone held sideways writes it: orientation 6 stores the pixels turned 90 degrees
/// counter-clockwise (a viewer turns them clockwise), orientation 8 the other way round.
/// The stored width and height are the upright height and width.
///
/// # Panics
/// If `upright` is not a decodable image or `orientation` is neither 6 nor 8.
pub fn sideways_with_exif(upright: &[u8], orientation: u16) -> Vec<u8> {
    let pixels = image::load_from_memory(upright)
        .expect("the upright photo decodes")
        .to_rgb8();
    let stored = match orientation {
        6 => image::imageops::rotate270(&pixels),
        8 => image::imageops::rotate90(&pixels),
        other => panic!("orientation {other} does not turn a photo sideways"),
    };
    let mut jpeg = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&stored)
        .expect("encodes");
    let jpeg = jpeg.into_inner();
    // The APP1 segment goes right after the start-of-image marker.
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&exif_app1(orientation));
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// An APP1 segment holding a big-endian EXIF block whose IFD0 has one entry: Orientation.
pub fn exif_app1(orientation: u16) -> Vec<u8> {
    let mut payload = Vec::new();
    payload.extend_from_slice(b"Exif\0\0");
    payload.extend_from_slice(b"MM\0\x2A"); // TIFF header, big-endian, magic 42
    payload.extend_from_slice(&8u32.to_be_bytes()); // IFD0 right after the header
    payload.extend_from_slice(&1u16.to_be_bytes()); // one entry
    payload.extend_from_slice(&0x0112u16.to_be_bytes()); // tag: Orientation
    payload.extend_from_slice(&3u16.to_be_bytes()); // type: SHORT
    payload.extend_from_slice(&1u32.to_be_bytes()); // count
    payload.extend_from_slice(&orientation.to_be_bytes());
    payload.extend_from_slice(&[0, 0]); // value padded to four bytes
    payload.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(
        &u16::try_from(payload.len() + 2)
            .expect("small")
            .to_be_bytes(),
    );
    segment.extend_from_slice(&payload);
    segment
}

/// Where the nose of `face-bare.jpg` is (its x in pixels) and how far apart its eyes are, as
/// YuNet finds them: the warps of [`turned`] are sized by them.
pub const BARE_NOSE_X: f32 = 116.8;
/// See [`BARE_NOSE_X`].
pub const BARE_EYE_DISTANCE: f32 = 51.1;

/// `jpeg` with the columns around `centre` moved sideways by up to `shift` pixels (the move
/// falls off as a Gaussian of width `spread`), rows unchanged. Around a face's nose this moves
/// the nose against the eyes as a turn of the head does, which is what the face sign-in's
/// liveness check measures; a test made from one photo can so show a head that turns. (A real
/// turn also changes what the camera sees of the face; this changes only where things are.)
pub fn turned(jpeg: &[u8], centre: f32, shift: f32, spread: f32) -> Vec<u8> {
    let src = image::load_from_memory(jpeg).expect("a photo").to_rgb8();
    let (width, height) = src.dimensions();
    let out = RgbImage::from_fn(width, height, |x, y| {
        let xf = x as f32;
        let from =
            (xf - shift * (-((xf - centre) / spread).powi(2)).exp()).clamp(0.0, (width - 1) as f32);
        let left = from.floor() as u32;
        let right = (left + 1).min(width - 1);
        let t = from - left as f32;
        let (a, b) = (src.get_pixel(left, y), src.get_pixel(right, y));
        Rgb(std::array::from_fn(|c| {
            (f32::from(a[c]) * (1.0 - t) + f32::from(b[c]) * t).round() as u8
        }))
    });
    encode(&out, ImageFormat::Jpeg)
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

//! `inspect` and `decode`: limits checked from the header, truncation and corruption refused
//! with readable errors, formats decoded to RGB.

mod common;

use std::time::{Duration, Instant};

use common::{gradient, jpeg_of, mean_abs_diff, png_claiming, png_of, webp_of};
use facelens_imaging::{ImageFormat, ImagingError, Limits, Orientation, decode, inspect};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};

#[test]
fn inspect_reads_dimensions_of_each_format() {
    let img = gradient(37, 21);
    for (bytes, format) in [
        (jpeg_of(&img, 90), ImageFormat::Jpeg),
        (png_of(&img), ImageFormat::Png),
        (webp_of(&img), ImageFormat::WebP),
    ] {
        let info = inspect(&bytes, &Limits::default()).expect("inspect");
        assert_eq!(info.format, format);
        assert_eq!((info.width, info.height), (37, 21), "{format}");
        assert_eq!(info.orientation, Orientation::NoTransforms);
        assert_eq!(info.pixels(), 37 * 21);
    }
}

#[test]
fn given_a_tiny_png_claiming_10000x10000_when_inspected_then_it_is_a_pixel_flood() {
    let bytes = png_claiming(10_000, 10_000);
    assert!(bytes.len() < 100, "the flood is {} bytes", bytes.len());
    let expected = ImagingError::TooManyPixels {
        pixels: 100_000_000,
        max_pixels: 40_000_000,
    };
    assert_eq!(inspect(&bytes, &Limits::default()), Err(expected.clone()));
    assert_eq!(
        decode(&bytes, &Limits::default()).map(|_| ()),
        Err(expected.clone())
    );
    assert_eq!(
        expected.to_string(),
        "the image is 100 megapixels; the limit is 40"
    );
}

#[test]
fn a_flood_is_refused_before_any_pixel_buffer_exists() {
    // 65,000 x 65,000 RGB would need 12.7 GB; with no memory limit at all, only the pixel check
    // stands between this and the allocation. It must answer at once.
    let bytes = png_claiming(65_000, 65_000);
    let limits = Limits {
        max_alloc_bytes: u64::MAX,
        ..Limits::default()
    };
    let start = Instant::now();
    let err = decode(&bytes, &limits).map(|_| ()).expect_err("refused");
    assert!(
        matches!(
            err,
            ImagingError::TooManyPixels {
                pixels: 4_225_000_000,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn the_pixel_limit_is_configurable() {
    let bytes = jpeg_of(&gradient(100, 50), 90);
    let tight = Limits {
        max_pixels: 4_999,
        ..Limits::default()
    };
    assert!(matches!(
        inspect(&bytes, &tight),
        Err(ImagingError::TooManyPixels {
            pixels: 5_000,
            max_pixels: 4_999
        })
    ));
    let exact = Limits {
        max_pixels: 5_000,
        ..Limits::default()
    };
    assert_eq!(
        decode(&bytes, &exact)
            .expect("at the limit")
            .rgb
            .dimensions(),
        (100, 50)
    );
}

#[test]
fn the_memory_limit_is_checked_before_decoding() {
    let bytes = png_of(&gradient(100, 100));
    let limits = Limits {
        max_alloc_bytes: 10_000,
        ..Limits::default()
    };
    let err = decode(&bytes, &limits).map(|_| ()).expect_err("too big");
    assert_eq!(
        err,
        ImagingError::TooMuchMemory {
            max_alloc_bytes: 10_000
        }
    );
}

#[test]
fn zero_dimensions_are_refused() {
    let bytes = png_claiming(0, 10);
    let err = inspect(&bytes, &Limits::default()).expect_err("refused");
    // The PNG decoder itself may call a zero width corrupt; either way it is refused.
    assert!(
        matches!(
            err,
            ImagingError::ZeroDimensions | ImagingError::Corrupt { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn given_a_truncated_jpeg_when_decoded_then_the_error_says_truncated_or_corrupt() {
    let bytes = jpeg_of(&gradient(64, 64), 90);
    for keep in [bytes.len() / 2, bytes.len() - 2, bytes.len() * 3 / 4, 200] {
        let err = decode(&bytes[..keep], &Limits::default())
            .map(|_| ())
            .expect_err("truncated");
        assert!(
            matches!(err, ImagingError::Corrupt { .. }),
            "{keep}: {err:?}"
        );
        assert_eq!(err.to_string(), "the image data is truncated or corrupt");
        assert!(inspect(&bytes[..keep], &Limits::default()).is_err());
    }
}

#[test]
fn truncated_png_and_webp_are_refused() {
    let img = gradient(64, 64);
    for bytes in [png_of(&img), webp_of(&img)] {
        let cut = &bytes[..bytes.len() / 2];
        let err = decode(cut, &Limits::default())
            .map(|_| ())
            .expect_err("truncated");
        assert!(matches!(err, ImagingError::Corrupt { .. }), "{err:?}");
    }
}

#[test]
fn a_jpeg_with_trailing_bytes_after_its_end_still_decodes() {
    let mut bytes = jpeg_of(&gradient(32, 32), 90);
    bytes.extend_from_slice(b"trailer some phones append");
    assert_eq!(
        decode(&bytes, &Limits::default())
            .expect("decode")
            .rgb
            .dimensions(),
        (32, 32)
    );
}

#[test]
fn lossless_formats_decode_to_the_same_pixels() {
    let img = gradient(40, 30);
    for bytes in [png_of(&img), webp_of(&img)] {
        let decoded = decode(&bytes, &Limits::default()).expect("decode");
        assert_eq!(decoded.rgb, img);
        assert_eq!((decoded.original_width, decoded.original_height), (40, 30));
    }
}

#[test]
fn grey_and_16_bit_rgba_pngs_become_rgb8() {
    let mut grey = Vec::new();
    PngEncoder::new(&mut grey)
        .write_image(&[0, 128, 255, 64], 2, 2, ExtendedColorType::L8)
        .expect("grey png");
    let rgb = decode(&grey, &Limits::default()).expect("grey").rgb;
    assert_eq!(rgb.get_pixel(1, 0).0, [128, 128, 128]);

    // One 16-bit RGBA pixel, big-endian samples: red 0xFFFF, green 0x8080, blue 0, alpha max.
    let mut deep = Vec::new();
    PngEncoder::new(&mut deep)
        .write_image(
            &[0xFF, 0xFF, 0x80, 0x80, 0, 0, 0xFF, 0xFF],
            1,
            1,
            ExtendedColorType::Rgba16,
        )
        .expect("16-bit png");
    let rgb = decode(&deep, &Limits::default()).expect("deep").rgb;
    assert_eq!(rgb.get_pixel(0, 0).0, [255, 128, 0]);
}

#[test]
fn corrupt_pixel_data_is_an_error_not_a_panic() {
    let mut bytes = png_of(&gradient(32, 32));
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 16] {
        *b ^= 0x5A;
    }
    let err = decode(&bytes, &Limits::default())
        .map(|_| ())
        .expect_err("corrupt");
    assert!(matches!(err, ImagingError::Corrupt { .. }), "{err:?}");
}

#[test]
fn jpeg_round_trip_stays_close() {
    let img = gradient(64, 48);
    let decoded = decode(&jpeg_of(&img, 95), &Limits::default()).expect("decode");
    assert_eq!(decoded.format, ImageFormat::Jpeg);
    assert!(mean_abs_diff(&decoded.rgb, &img) < 3.0);
}

//! EXIF orientation: a JPEG whose APP1 segment says "rotate 90 degrees clockwise" (orientation
//! 6) decodes upright, with its sides swapped.

mod common;

use common::{exif_app1, jpeg_of, with_segment};
use facelens_imaging::{Limits, Orientation, decode, inspect};
use image::{Rgb, RgbImage};

const RED: Rgb<u8> = Rgb([230, 20, 20]);
const BLUE: Rgb<u8> = Rgb([20, 20, 230]);

/// 64 x 32, blue, with a red 16 x 16 block in the top-left corner.
fn marked() -> RgbImage {
    RgbImage::from_fn(64, 32, |x, y| if x < 16 && y < 16 { RED } else { BLUE })
}

fn is_red(p: &Rgb<u8>) -> bool {
    p.0[0] > 180 && p.0[2] < 80
}

fn is_blue(p: &Rgb<u8>) -> bool {
    p.0[2] > 180 && p.0[0] < 80
}

#[test]
fn given_orientation_6_when_decoded_then_sides_swap_and_the_top_left_mark_moves_top_right() {
    let bytes = with_segment(&jpeg_of(&marked(), 95), &exif_app1(6));

    let info = inspect(&bytes, &Limits::default()).expect("inspect");
    assert_eq!(info.orientation, Orientation::Rotate90);
    assert_eq!((info.width, info.height), (64, 32));
    assert_eq!(info.display_dimensions(), (32, 64));

    let decoded = decode(&bytes, &Limits::default()).expect("decode");
    assert_eq!(decoded.rgb.dimensions(), (32, 64));
    assert_eq!((decoded.original_width, decoded.original_height), (64, 32));
    assert_eq!(decoded.orientation, Orientation::Rotate90);
    // Turned 90 degrees clockwise, the stored top-left corner is shown top-right.
    assert!(
        is_red(decoded.rgb.get_pixel(24, 8)),
        "{:?}",
        decoded.rgb.get_pixel(24, 8)
    );
    assert!(
        is_blue(decoded.rgb.get_pixel(8, 8)),
        "{:?}",
        decoded.rgb.get_pixel(8, 8)
    );
    assert!(is_blue(decoded.rgb.get_pixel(24, 56)));
}

#[test]
fn given_orientation_3_when_decoded_then_the_mark_moves_bottom_right() {
    let bytes = with_segment(&jpeg_of(&marked(), 95), &exif_app1(3));
    let decoded = decode(&bytes, &Limits::default()).expect("decode");
    assert_eq!(decoded.rgb.dimensions(), (64, 32));
    assert!(is_red(decoded.rgb.get_pixel(56, 24)));
    assert!(is_blue(decoded.rgb.get_pixel(8, 8)));
}

#[test]
fn without_exif_or_with_orientation_1_nothing_moves() {
    for bytes in [
        jpeg_of(&marked(), 95),
        with_segment(&jpeg_of(&marked(), 95), &exif_app1(1)),
    ] {
        let decoded = decode(&bytes, &Limits::default()).expect("decode");
        assert_eq!(decoded.rgb.dimensions(), (64, 32));
        assert_eq!(decoded.orientation, Orientation::NoTransforms);
        assert!(is_red(decoded.rgb.get_pixel(8, 8)));
    }
}

#[test]
fn a_nonsense_orientation_value_counts_as_upright() {
    let bytes = with_segment(&jpeg_of(&marked(), 95), &exif_app1(42));
    let decoded = decode(&bytes, &Limits::default()).expect("decode");
    assert_eq!(decoded.orientation, Orientation::NoTransforms);
    assert_eq!(decoded.rgb.dimensions(), (64, 32));
}

#[test]
fn the_pixel_limit_applies_to_rotated_photos_too() {
    let bytes = with_segment(&jpeg_of(&marked(), 95), &exif_app1(6));
    let limits = Limits {
        max_pixels: 64 * 32 - 1,
        ..Limits::default()
    };
    assert!(decode(&bytes, &limits).is_err());
}

//! Encoding: annotated JPEGs decode back to what was drawn; thumbnails keep the aspect ratio.

mod common;

use common::{gradient, mean_abs_diff};
use facelens_imaging::{
    AnnotatedBox, ImageFormat, Limits, annotate_in_place, decode, encode_jpeg, sniff, thumbnail,
};

#[test]
fn encode_then_decode_round_trips() {
    let mut img = gradient(120, 90);
    annotate_in_place(
        &mut img,
        &[AnnotatedBox {
            x: 10.0,
            y: 10.0,
            width: 50.0,
            height: 40.0,
            masked: false,
        }],
    );
    let bytes = encode_jpeg(&img, 90).expect("encode");
    assert_eq!(sniff(&bytes), Ok(ImageFormat::Jpeg));
    let back = decode(&bytes, &Limits::default()).expect("decode").rgb;
    assert_eq!(back.dimensions(), (120, 90));
    assert!(mean_abs_diff(&back, &img) < 4.0);
    // The red edge survives compression.
    let edge = back.get_pixel(30, 10).0;
    assert!(edge[0] > 170 && edge[1] < 90, "{edge:?}");
}

#[test]
fn lower_quality_gives_smaller_files_and_quality_is_clamped() {
    let img = gradient(256, 256);
    let high = encode_jpeg(&img, 95).expect("high");
    let low = encode_jpeg(&img, 20).expect("low");
    assert!(low.len() < high.len());
    assert!(encode_jpeg(&img, 0).is_ok());
    assert!(encode_jpeg(&img, 255).is_ok());
}

#[test]
fn thumbnails_fit_the_longer_side() {
    let thumb = thumbnail(&gradient(1200, 800), 320);
    assert_eq!(thumb.dimensions(), (320, 213));
    let portrait = thumbnail(&gradient(800, 1200), 320);
    assert_eq!(portrait.dimensions(), (213, 320));
    assert!(encode_jpeg(&thumb, 80).is_ok());
}

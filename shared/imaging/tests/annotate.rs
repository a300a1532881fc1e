//! Box drawing: colours at the edges, untouched insides, clipping at the image's borders.

use facelens_imaging::{
    AnnotatedBox, MASKED_COLOUR, Rgb, RgbImage, UNMASKED_COLOUR, annotate, annotate_in_place,
    line_thickness,
};

const GREY: Rgb<u8> = Rgb([100, 100, 100]);

fn canvas() -> RgbImage {
    RgbImage::from_pixel(200, 160, GREY)
}

fn boxed(x: f32, y: f32, width: f32, height: f32, masked: bool) -> AnnotatedBox {
    AnnotatedBox {
        x,
        y,
        width,
        height,
        masked,
    }
}

#[test]
fn masked_faces_get_green_edges_and_an_untouched_inside() {
    let mut img = canvas();
    assert_eq!(line_thickness(200, 160), 2);
    annotate_in_place(&mut img, &[boxed(20.0, 30.0, 60.0, 50.0, true)]);
    // Box pixels 20..80 by 30..80; edges two pixels thick.
    for (x, y) in [(20, 30), (79, 79), (21, 55), (50, 31), (78, 55), (50, 78)] {
        assert_eq!(*img.get_pixel(x, y), MASKED_COLOUR, "edge at ({x}, {y})");
    }
    for (x, y) in [
        (22, 32),
        (50, 55),
        (77, 77),
        (19, 30),
        (80, 79),
        (50, 29),
        (50, 80),
    ] {
        assert_eq!(
            *img.get_pixel(x, y),
            GREY,
            "inside or outside at ({x}, {y})"
        );
    }
}

#[test]
fn unmasked_faces_get_red_edges() {
    let mut img = canvas();
    annotate_in_place(&mut img, &[boxed(100.0, 10.0, 40.0, 40.0, false)]);
    assert_eq!(*img.get_pixel(100, 10), UNMASKED_COLOUR);
    assert_eq!(*img.get_pixel(139, 49), UNMASKED_COLOUR);
    assert_eq!(*img.get_pixel(120, 30), GREY);
    assert_eq!(UNMASKED_COLOUR, Rgb([220, 38, 38]));
    assert_eq!(MASKED_COLOUR, Rgb([22, 163, 74]));
}

#[test]
fn fractional_boxes_cover_every_pixel_they_touch() {
    let mut img = canvas();
    annotate_in_place(&mut img, &[boxed(10.5, 10.5, 20.0, 20.0, true)]);
    // Touches pixels 10..31 in both directions.
    assert_eq!(*img.get_pixel(10, 10), MASKED_COLOUR);
    assert_eq!(*img.get_pixel(30, 30), MASKED_COLOUR);
    assert_eq!(*img.get_pixel(31, 30), GREY);
}

#[test]
fn a_box_across_the_top_left_corner_is_clipped() {
    let mut img = canvas();
    annotate_in_place(&mut img, &[boxed(-10.0, -10.0, 30.0, 30.0, false)]);
    // Box pixels -10..20: its top and left edges are outside, its right and bottom inside.
    assert_eq!(*img.get_pixel(0, 0), GREY);
    assert_eq!(*img.get_pixel(19, 5), UNMASKED_COLOUR);
    assert_eq!(*img.get_pixel(5, 19), UNMASKED_COLOUR);
    assert_eq!(*img.get_pixel(20, 5), GREY);
}

#[test]
fn a_box_across_the_bottom_right_corner_is_clipped() {
    let mut img = canvas();
    annotate_in_place(&mut img, &[boxed(180.0, 150.0, 100.0, 100.0, true)]);
    assert_eq!(*img.get_pixel(180, 159), MASKED_COLOUR);
    assert_eq!(*img.get_pixel(199, 150), MASKED_COLOUR);
    assert_eq!(*img.get_pixel(199, 159), GREY);
}

#[test]
fn boxes_wholly_outside_or_absurd_change_nothing() {
    let mut img = canvas();
    annotate_in_place(
        &mut img,
        &[
            boxed(500.0, 500.0, 10.0, 10.0, true),
            boxed(-50.0, -50.0, 10.0, 10.0, false),
            boxed(-1e30, -1e30, 2e30, 2e30, false),
            boxed(f32::MAX, 0.0, f32::MAX, 10.0, true),
            boxed(0.0, f32::NAN, 10.0, 10.0, true),
        ],
    );
    assert_eq!(img, canvas());
}

#[test]
fn thick_lines_on_large_images_and_tiny_boxes_fill() {
    let mut img = RgbImage::from_pixel(1000, 1000, GREY);
    assert_eq!(line_thickness(1000, 1000), 4);
    annotate_in_place(
        &mut img,
        &[
            boxed(100.0, 100.0, 100.0, 100.0, true),
            boxed(500.0, 500.0, 3.0, 3.0, false),
        ],
    );
    assert_eq!(*img.get_pixel(103, 150), MASKED_COLOUR);
    assert_eq!(*img.get_pixel(104, 150), GREY);
    for x in 500..503 {
        assert_eq!(*img.get_pixel(x, 501), UNMASKED_COLOUR);
    }
}

#[test]
fn annotate_copies_and_leaves_the_source_alone() {
    let src = canvas();
    let boxes = [boxed(20.0, 30.0, 60.0, 50.0, true)];
    let drawn = annotate(&src, &boxes);
    assert_eq!(src, canvas());
    let mut in_place = canvas();
    annotate_in_place(&mut in_place, &boxes);
    assert_eq!(drawn, in_place);
}

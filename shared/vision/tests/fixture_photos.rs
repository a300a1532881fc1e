//! Given small fixture photos, the detector finds the expected faces and the
//! classifier tells masked from bare.

mod common;

use common::{classifier, detector, image, references, to_box};
use facelens_vision::{FaceDetector, MaskClassifier, PixelBox, VisionError, iou};

/// Every expected face (CenterFace's boxes) is matched by exactly one detection.
fn assert_finds(name: &str) {
    let refs = references();
    let want: Vec<PixelBox> = refs["photos"][name]
        .as_array()
        .expect("faces")
        .iter()
        .map(to_box)
        .collect();
    let img = image(name);
    let found = detector().detect(&img).expect("detect");
    assert_eq!(found.len(), want.len(), "{name}: found {found:?}");
    for w in &want {
        let best = found.iter().map(|d| iou(&d.bbox, w)).fold(0.0, f32::max);
        assert!(
            best > 0.4,
            "{name}: no detection matches {w:?} (best IoU {best}); found {found:?}"
        );
    }
    for d in &found {
        assert!((0.0..=1.0).contains(&d.score));
        assert!(d.bbox.x >= 0.0 && d.bbox.y >= 0.0);
        assert!(d.bbox.x + d.bbox.width <= img.width() as f32 + 0.01);
        assert!(d.bbox.y + d.bbox.height <= img.height() as f32 + 0.01);
        let points = d.landmarks.expect("CenterFace gives landmarks");
        let b = d.bbox;
        let inside = |p: &[f32; 2]| {
            let m = 0.2 * b.width.max(b.height);
            (b.x - m..=b.x + b.width + m).contains(&p[0])
                && (b.y - m..=b.y + b.height + m).contains(&p[1])
        };
        assert!(
            points.iter().all(inside),
            "{name}: landmarks {points:?} off {b:?}"
        );
        // Eyes above the mouth corners, the left eye (as seen) left of the right one.
        assert!(points[0][0] < points[1][0], "{name}: {points:?}");
        assert!(
            points[0][1].max(points[1][1]) < points[3][1].min(points[4][1]),
            "{name}: {points:?}"
        );
    }
}

#[test]
fn finds_the_one_face_in_the_astronaut_photo() {
    assert_finds("astronaut.jpg");
}

#[test]
fn finds_all_six_faces_in_the_group_photo() {
    assert_finds("group.jpg");
}

#[test]
fn finds_no_face_in_a_photo_of_coffee() {
    assert_finds("no-face.jpg");
}

#[test]
fn classifier_tells_masked_from_bare_in_one_batch() {
    let refs = references();
    let c = classifier();
    for name in ["face-bare.jpg", "face-masked.jpg"] {
        let r = &refs["crops"][name];
        let b = to_box(&r["box"]);
        let want = r["masked"].as_bool().expect("bool");
        let img = image(name);
        // the same face three times in one batch gives three equal verdicts
        let v = c.classify(&img, &[b, b, b]).expect("classify");
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].masked, want, "{name}: {v:?}");
        assert!(
            v[0].confidence > 0.7 && v[0].confidence <= 1.0,
            "{name}: {v:?}"
        );
        assert!(
            v.iter()
                .all(|x| (x.confidence - v[0].confidence).abs() < 1e-5)
        );
    }
}

#[test]
fn classifier_on_a_detected_face_of_the_group_photo_says_bare() {
    let img = image("group.jpg");
    let boxes: Vec<PixelBox> = detector()
        .detect(&img)
        .expect("detect")
        .iter()
        .map(|d| d.bbox)
        .collect();
    let verdicts = classifier().classify(&img, &boxes).expect("classify");
    assert_eq!(verdicts.len(), boxes.len());
    let bare = verdicts.iter().filter(|v| !v.masked).count();
    assert!(bare >= boxes.len() - 1, "{verdicts:?}");
}

#[test]
fn no_boxes_gives_no_verdicts_and_bad_input_gives_errors() {
    let img = image("astronaut.jpg");
    assert!(
        classifier()
            .classify(&img, &[])
            .expect("empty ok")
            .is_empty()
    );
    let flat = PixelBox {
        x: 1.0,
        y: 1.0,
        width: 0.0,
        height: 5.0,
    };
    assert!(matches!(
        classifier().classify(&img, &[flat]),
        Err(VisionError::Input(_))
    ));
    let empty = image::RgbImage::new(0, 0);
    assert!(matches!(
        detector().detect(&empty),
        Err(VisionError::Input(_))
    ));
}

#[test]
fn missing_or_corrupt_model_files_are_errors() {
    assert!(matches!(
        FaceDetector::from_path("/nonexistent/x.onnx"),
        Err(VisionError::Io { .. })
    ));
    assert!(matches!(
        MaskClassifier::from_bytes(b"not onnx"),
        Err(VisionError::Load(_))
    ));
}

/// A face crop scaled to `face_px` wide and pasted into a large grey photo at `at`.
fn pasted(name: &str, face_px: u32, at: (u32, u32)) -> (image::RgbImage, PixelBox) {
    let refs = references();
    let b = to_box(&refs["crops"][name]["box"]);
    let crop = image(name);
    let k = face_px as f32 / b.width;
    let small = image::imageops::resize(
        &crop,
        (crop.width() as f32 * k).round() as u32,
        (crop.height() as f32 * k).round() as u32,
        image::imageops::FilterType::Triangle,
    );
    let mut photo = image::RgbImage::from_pixel(2000, 1500, image::Rgb([128, 128, 128]));
    image::imageops::replace(&mut photo, &small, i64::from(at.0), i64::from(at.1));
    let face = PixelBox {
        x: at.0 as f32 + b.x * k,
        y: at.1 as f32 + b.y * k,
        width: b.width * k,
        height: b.height * k,
    };
    (photo, face)
}

#[test]
fn small_faces_in_a_large_photo_are_found_bare_and_masked() {
    let d = detector();
    // In a 2000x1500 photo the whole-photo pass sees faces at a third of their size; the
    // tiles see them at 0.9. models/README.md measured bare faces from 40 px and masked ones
    // from 80 px at 85% or more for this size; one fixture each, a little above those.
    // Placed across a tile border too.
    for (name, face_px) in [("face-bare.jpg", 60), ("face-masked.jpg", 100)] {
        for at in [(200, 300), (480, 700), (1780, 1330)] {
            let (photo, face) = pasted(name, face_px, at);
            let found = d.detect(&photo).expect("detect");
            let best = found
                .iter()
                .map(|x| iou(&x.bbox, &face))
                .fold(0.0, f32::max);
            assert!(
                best > 0.4,
                "{name} at {at:?}: {face:?} not found in {found:?}"
            );
            assert_eq!(found.len(), 1, "{name} at {at:?}: {found:?}");
        }
    }
}

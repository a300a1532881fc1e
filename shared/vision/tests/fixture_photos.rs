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
        assert!(d.landmarks.is_none(), "UltraFace gives no landmarks");
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

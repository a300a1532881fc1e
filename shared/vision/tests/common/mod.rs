//! Shared helpers for the model tests: paths, fixtures, reference JSON.

#![allow(dead_code)]

use std::path::PathBuf;

use facelens_vision::{FaceDetector, FaceEmbedder, MaskClassifier, PixelBox, RegionLandmarks};
use serde_json::Value;

/// The repository's `models/` directory.
pub fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models")
}

/// A file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The detector, or a panic telling how to fetch it.
pub fn detector() -> FaceDetector {
    FaceDetector::from_path(models_dir().join("yunet-640.onnx"))
        .expect("models/yunet-640.onnx: run `make models` (bash scripts/models/fetch.sh)")
}

/// SFace, unpacked by `make models`.
pub fn embedder() -> FaceEmbedder {
    FaceEmbedder::from_path(models_dir().join("sface-112.onnx"))
        .expect("models/sface-112.onnx: run `make models` (bash scripts/models/fetch.sh)")
}

/// CenterFace, for landmarks on a face's region (fetched by `make models`).
pub fn region_landmarks() -> RegionLandmarks {
    RegionLandmarks::from_path(models_dir().join("centerface.onnx"))
        .expect("models/centerface.onnx: run `make models` (bash scripts/models/fetch.sh)")
}

/// Our classifier (committed in models/).
pub fn classifier() -> MaskClassifier {
    MaskClassifier::from_path(models_dir().join("mask-classifier.onnx"))
        .expect("models/mask-classifier.onnx")
}

/// references.json recorded by scripts/models/make_references.py.
pub fn references() -> Value {
    let text = std::fs::read_to_string(fixture("references.json")).expect("references.json");
    serde_json::from_str(&text).expect("valid JSON")
}

/// An RGB fixture image.
pub fn image(name: &str) -> image::RgbImage {
    image::open(fixture(name)).expect("fixture image").to_rgb8()
}

/// The fixed input both sides build: ((i * 37 + salt) % 255) / 255.
pub fn formula(n: usize, salt: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 37 + salt) % 255) as f32 / 255.0)
        .collect()
}

/// `[x, y, w, h]` JSON array to a box.
pub fn to_box(v: &Value) -> PixelBox {
    let f = |i: usize| v[i].as_f64().expect("number") as f32;
    PixelBox {
        x: f(0),
        y: f(1),
        width: f(2),
        height: f(3),
    }
}

/// Numbers of a JSON array.
pub fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number") as f32)
        .collect()
}

//! Criterion benchmarks: detector per image, classifier per photo of 1, 5 and 30 faces,
//! and the load (parse + optimise) of each model from the bytes of its file.
//! `scripts/models/bench_onnxruntime.py` times the same things under onnxruntime.
//!
//! Needs `make models` first. Run: `cargo bench -p facelens-vision`.

#![allow(missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use facelens_vision::{FaceDetector, MaskClassifier, PixelBox};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bench(c: &mut Criterion) {
    let models = root().join("../../models");
    let det = FaceDetector::from_path(models.join("yunet-640.onnx")).expect("run `make models`");
    let cls = MaskClassifier::from_path(models.join("mask-classifier.onnx")).expect("classifier");
    let img = image::open(root().join("tests/fixtures/group.jpg"))
        .expect("fixture")
        .to_rgb8();

    let det_bytes = std::fs::read(models.join("yunet-640.onnx")).expect("detector");
    let cls_bytes = std::fs::read(models.join("mask-classifier.onnx")).expect("classifier");

    let det_input = vec![0.0f32; 3 * 480 * 640];
    let mut g = c.benchmark_group("detector");
    g.bench_function("load", |b| {
        b.iter(|| FaceDetector::from_bytes(black_box(&det_bytes)))
    });
    g.bench_function("group_jpg", |b| b.iter(|| det.detect(black_box(&img))));
    g.bench_function("model_only", |b| {
        b.iter(|| det.run_tensor(black_box(&det_input)))
    });
    g.finish();
    let face = PixelBox {
        x: 372.9,
        y: 173.0,
        width: 50.3,
        height: 66.8,
    };
    let mut g = c.benchmark_group("classifier");
    g.bench_function("load", |b| {
        b.iter(|| MaskClassifier::from_bytes(black_box(&cls_bytes)))
    });
    for n in [1usize, 5, 30] {
        let boxes = vec![face; n];
        g.bench_with_input(BenchmarkId::new("faces", n), &boxes, |b, boxes| {
            b.iter(|| cls.classify(&img, boxes))
        });
        let input = vec![0.5f32; n * 3 * 64 * 64];
        g.bench_with_input(BenchmarkId::new("model_only", n), &input, |b, x| {
            b.iter(|| cls.run_tensor(n, x))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);

//! Time of each image step for one photo at 1, 12 and 24 megapixels: decode (sniff, header
//! checks, decoding, RGB), the detector's whole-photo input (resized to fit 640x480), the
//! display copy (longer side 2048 px), annotate (30 boxes, in place), encode (JPEG, quality 85)
//! of the full image, and the analysis's path: decode, display copy, annotate, encode.
//!
//! Run: `cargo bench -p facelens-imaging --bench pipeline`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use facelens_imaging::{
    AnnotatedBox, Limits, Rgb, RgbImage, annotate_in_place, decode, encode_jpeg, fit_within, resize,
};

/// Photo-like content: smooth gradients with a little noise, so the JPEG is of a realistic size.
fn synthetic(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 17) as u8;
        Rgb([
            ((x * 200 / width) as u8).wrapping_add(noise),
            ((y * 200 / height) as u8).wrapping_add(noise),
            (((x + y) * 100 / (width + height)) as u8).wrapping_add(noise),
        ])
    })
}

/// Thirty face-sized boxes spread over the image, alternately masked.
fn boxes(width: u32, height: u32) -> Vec<AnnotatedBox> {
    let side = width.min(height) as f32 / 10.0;
    (0..30)
        .map(|i| AnnotatedBox {
            x: (i % 6) as f32 * width as f32 / 6.0 + 5.0,
            y: (i / 6) as f32 * height as f32 / 5.0 + 5.0,
            width: side,
            height: side * 1.2,
            masked: i % 2 == 0,
        })
        .collect()
}

fn pipeline(c: &mut Criterion) {
    for (label, width, height) in [
        ("1MP", 1224, 816),
        ("12MP", 4000, 3000),
        ("24MP", 6000, 4000),
    ] {
        let image = synthetic(width, height);
        let jpeg = encode_jpeg(&image, 90).expect("fixture");
        let faces = boxes(width, height);
        let limits = Limits::default();

        let mut group = c.benchmark_group(format!("imaging/{label}"));
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4))
            .throughput(Throughput::Elements(u64::from(width) * u64::from(height)));

        group.bench_function("decode", |b| {
            b.iter(|| decode(black_box(&jpeg), &limits).expect("decode"));
        });
        let scale = (640.0 / width as f32).min(480.0 / height as f32);
        let (net_w, net_h) = (
            (width as f32 * scale).round() as u32,
            (height as f32 * scale).round() as u32,
        );
        group.bench_function("resize_to_detector", |b| {
            b.iter(|| resize(black_box(&image), net_w, net_h));
        });
        group.bench_function("display_copy_2048", |b| {
            b.iter_batched(
                || image.clone(),
                |img| fit_within(black_box(img), 2048),
                BatchSize::LargeInput,
            );
        });
        group.bench_function("annotate_30_faces", |b| {
            b.iter_batched_ref(
                || image.clone(),
                |img| annotate_in_place(img, black_box(&faces)),
                BatchSize::LargeInput,
            );
        });
        group.bench_function("encode_q85", |b| {
            b.iter(|| encode_jpeg(black_box(&image), 85).expect("encode"));
        });
        group.bench_function("decode_display_annotate_encode", |b| {
            b.iter(|| {
                let decoded = decode(black_box(&jpeg), &limits).expect("decode");
                let mut display = fit_within(decoded.rgb, 2048);
                annotate_in_place(&mut display, &faces);
                encode_jpeg(&display, 85).expect("encode")
            });
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);

//! Makes the photos the pipeline benchmark (`scripts/bench/pipeline.sh`) analyses: JPEGs of a
//! chosen size with a chosen number of faces, composed by pasting the vision crate's face
//! fixtures (`face-bare.jpg`, `face-masked.jpg`, alternately) in a grid on a plain, lightly
//! textured background (the texture keeps the JPEG about as large as a real photo's).
//!
//! ```text
//! cargo run --release -p facelens --example bench_photos -- OUT_DIR [FIXTURES_DIR]
//! ```
//!
//! Writes `faces{N}_{MP}mp.jpg` for N in 1, 5, 30 and MP in 1, 12, 24, and prints one line per
//! photo: name, width, height, bytes, faces pasted.

use anyhow::{Context, bail};
use image::imageops::{FilterType, overlay, resize};
use image::{Rgb, RgbImage};
use std::path::{Path, PathBuf};

/// Photo sizes: (label in megapixels, width, height), all 3:2.
const SIZES: [(u32, u32, u32); 3] = [(1, 1224, 816), (12, 4240, 2832), (24, 6000, 4000)];
/// Face counts.
const FACES: [usize; 3] = [1, 5, 30];
/// JPEG quality of the written photos (a phone's is about 90).
const QUALITY: u8 = 90;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let Some(out_dir) = args.next().map(PathBuf::from) else {
        bail!("usage: bench_photos OUT_DIR [FIXTURES_DIR]");
    };
    let fixtures = args.next().map_or_else(
        || PathBuf::from("shared/vision/tests/fixtures"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let faces = [
        load(&fixtures.join("face-bare.jpg"))?,
        load(&fixtures.join("face-masked.jpg"))?,
    ];
    for (mp, width, height) in SIZES {
        for count in FACES {
            let photo = compose(width, height, count, &faces);
            let name = format!("faces{count}_{mp}mp.jpg");
            let path = out_dir.join(&name);
            let mut bytes = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, QUALITY)
                .encode_image(&photo)
                .with_context(|| format!("encoding {name}"))?;
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            println!("{name} {width} {height} {} {count}", bytes.len());
        }
    }
    Ok(())
}

fn load(path: &Path) -> anyhow::Result<RgbImage> {
    Ok(image::open(path)
        .with_context(|| format!("reading {}", path.display()))?
        .to_rgb8())
}

/// A `width` x `height` photo with `count` faces in a grid, each face as large as its cell
/// allows (at most 35% of the photo's height, where the detector still sees a single face).
fn compose(width: u32, height: u32, count: usize, faces: &[RgbImage; 2]) -> RgbImage {
    let mut photo = background(width, height);
    let aspect = f64::from(width) / f64::from(height);
    let cols = ((count as f64 * aspect).sqrt().ceil() as usize).max(1);
    let rows = count.div_ceil(cols);
    let cell_w = width / cols as u32;
    let cell_h = height / rows as u32;
    let (face_w, face_h) = faces[0].dimensions();
    let scale = (f64::from(cell_w) * 0.8 / f64::from(face_w))
        .min(f64::from(cell_h) * 0.8 / f64::from(face_h))
        .min(f64::from(height) * 0.35 / f64::from(face_h));
    let (w, h) = (
        (f64::from(face_w) * scale) as u32,
        (f64::from(face_h) * scale) as u32,
    );
    let tiles = [
        resize(&faces[0], w, h, FilterType::Triangle),
        resize(&faces[1], w, h, FilterType::Triangle),
    ];
    for i in 0..count {
        let (col, row) = ((i % cols) as u32, (i / cols) as u32);
        let x = col * cell_w + (cell_w - w) / 2;
        let y = row * cell_h + (cell_h - h) / 2;
        overlay(&mut photo, &tiles[i % 2], i64::from(x), i64::from(y));
    }
    photo
}

/// A soft grey gradient with a little deterministic noise.
fn background(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 25) as i32 - 12;
        let base = 150 + (x * 40 / width.max(1)) as i32 - (y * 30 / height.max(1)) as i32;
        let v = |offset: i32| (base + offset + noise).clamp(0, 255) as u8;
        Rgb([v(6), v(0), v(-8)])
    })
}

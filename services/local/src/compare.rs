//! `facelens compare REFERENCE PHOTO`: the face of REFERENCE (its largest) against every face
//! of PHOTO, by SFace embeddings of faces aligned from CenterFace's landmarks on each face's
//! region (YuNet finds the faces). Compares two portraits, or finds a person in a group photo.

use crate::cli::CompareArgs;
use anyhow::Context;
use facelens_imaging::{Limits, decode};
use facelens_pipeline::Embeddings;
use facelens_vision::{Detection, Embedding, FaceDetector};
use std::io::Write;
use std::path::Path;

/// Prints one row per face of the photo: its box, its similarity to the reference face and
/// whether that is the same person at the threshold.
///
/// # Errors
/// When a model or a photo cannot be read, or the reference photo has no face.
pub fn run(args: &CompareArgs) -> anyhow::Result<()> {
    let models = &args.pipeline.models_dir;
    let detector = FaceDetector::from_path(models.join(crate::models::DETECTOR_FILE))
        .context("loading the face detector (run `make models`)")?;
    let embeddings = crate::models::embeddings(models)?;
    let limits = Limits {
        max_pixels: args.pipeline.max_megapixels * 1_000_000,
        ..Limits::default()
    };
    let reference = faces(&args.reference, &detector, &embeddings, &limits)?
        .into_iter()
        .max_by(|a, b| a.0.bbox.area().total_cmp(&b.0.bbox.area()))
        .with_context(|| format!("{}: no face found", args.reference.display()))?
        .1;
    let found = faces(&args.photo, &detector, &embeddings, &limits)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:>4} {:>22} {:>10}  verdict",
        "face", "box (x, y, w, h)", "similarity"
    )?;
    if found.is_empty() {
        writeln!(out, "no face in {}", args.photo.display())?;
    }
    for (i, (d, embedding)) in found.iter().enumerate() {
        let similarity = reference.similarity(embedding);
        let b = d.bbox;
        writeln!(
            out,
            "{:>4} {:>22} {similarity:>10.3}  {}",
            i + 1,
            format!("{:.0}, {:.0}, {:.0}, {:.0}", b.x, b.y, b.width, b.height),
            if similarity >= args.threshold {
                "same person"
            } else {
                "someone else"
            }
        )?;
    }
    Ok(())
}

/// The faces of the photo at `path` with their embeddings, in the detector's order.
fn faces(
    path: &Path,
    detector: &FaceDetector,
    embeddings: &Embeddings,
    limits: &Limits,
) -> anyhow::Result<Vec<(Detection, Embedding)>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let image = decode(&bytes, limits)
        .with_context(|| format!("decoding {}", path.display()))?
        .rgb;
    let mut out = Vec::new();
    for d in detector.detect(&image)? {
        let embedding = embeddings.embed(&image, &d.bbox, d.landmarks)?;
        out.push((d, embedding));
    }
    Ok(out)
}

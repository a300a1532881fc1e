//! The local analyzer: the ONNX face detector, our mask classifier and the SFace face
//! embeddings (`facelens-vision`) plugged into the pipeline. The models are loaded and
//! optimised once per process.

use crate::cli::PipelineArgs;
use anyhow::Context;
use facelens_core::analysis::ports::PhotoAnalyzer;
use facelens_imaging::Limits;
use facelens_pipeline::{ClassifierJudge, DetectorFinder, EmbeddingMatcher, Pipeline};
use facelens_vision::{FaceDetector, FaceEmbedder, MaskClassifier};
use std::sync::Arc;

/// File name of the face detector under the models folder.
pub const DETECTOR_FILE: &str = "yunet-640.onnx";
/// File name of the mask classifier under the models folder.
pub const CLASSIFIER_FILE: &str = "mask-classifier.onnx";

/// File name of the face-embedding model under the models folder.
pub const EMBEDDER_FILE: &str = "sface-112.onnx";

/// Whether the pipeline should also compare faces with reference photos (which loads the
/// 38 MB face-embedding model: the server does, `facelens analyze` does not need to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparisons {
    /// Load SFace and compare faces when an analysis has a reference.
    Enabled,
    /// Detector and classifier only.
    Disabled,
}

/// Loads the models and builds the pipeline.
///
/// # Errors
/// When a model file is missing or does not load.
pub fn analyzer(
    args: &PipelineArgs,
    comparisons: Comparisons,
) -> anyhow::Result<Arc<dyn PhotoAnalyzer>> {
    let detector_path = args.models_dir.join(DETECTOR_FILE);
    let classifier_path = args.models_dir.join(CLASSIFIER_FILE);
    let detector = FaceDetector::from_path(&detector_path)
        .with_context(|| format!("loading {} (run `make models`)", detector_path.display()))?;
    let classifier = MaskClassifier::from_path(&classifier_path)
        .with_context(|| format!("loading {} (run `make models`)", classifier_path.display()))?;
    let limits = Limits {
        max_pixels: args.max_megapixels * 1_000_000,
        ..Limits::default()
    };
    let detector = Arc::new(detector);
    let pipeline = Pipeline::new(
        Arc::new(DetectorFinder::new(Arc::clone(&detector))),
        Arc::new(ClassifierJudge::new(classifier)),
        limits,
    );
    if comparisons == Comparisons::Disabled {
        return Ok(Arc::new(pipeline));
    }
    let embedder_path = args.models_dir.join(EMBEDDER_FILE);
    let embedder = FaceEmbedder::from_path(&embedder_path)
        .with_context(|| format!("loading {} (run `make models`)", embedder_path.display()))?;
    Ok(Arc::new(pipeline.with_matcher(Arc::new(
        EmbeddingMatcher::new(detector, embedder),
    ))))
}

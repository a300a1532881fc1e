//! The local analyzer: the ONNX face detector and our mask classifier (`facelens-vision`)
//! plugged into the pipeline. Both models are loaded and optimised once per process.

use crate::cli::PipelineArgs;
use anyhow::Context;
use facelens_core::analysis::ports::PhotoAnalyzer;
use facelens_imaging::Limits;
use facelens_pipeline::{ClassifierJudge, DetectorFinder, Pipeline};
use facelens_vision::{FaceDetector, MaskClassifier};
use std::sync::Arc;

/// File name of the face detector under the models folder.
pub const DETECTOR_FILE: &str = "yunet-640.onnx";
/// File name of the mask classifier under the models folder.
pub const CLASSIFIER_FILE: &str = "mask-classifier.onnx";

/// Loads both models and builds the pipeline.
///
/// # Errors
/// When a model file is missing or does not load.
pub fn analyzer(args: &PipelineArgs) -> anyhow::Result<Arc<dyn PhotoAnalyzer>> {
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
    Ok(Arc::new(Pipeline::new(
        Arc::new(DetectorFinder::new(detector)),
        Arc::new(ClassifierJudge::new(classifier)),
        limits,
    )))
}

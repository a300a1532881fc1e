//! The local analyzer: the ONNX face detector and our mask classifier (`facelens-vision`)
//! plugged into the pipeline. Both models are loaded and optimised once per process.

use crate::cli::PipelineArgs;
use anyhow::Context;
use async_trait::async_trait;
use facelens_core::analysis::ports::PhotoAnalyzer;
use facelens_core::analysis::{MaskVerdict, ObjectKey};
use facelens_imaging::{Limits, RgbImage};
use facelens_pipeline::{FaceFinder, FoundFace, MaskJudge, Pipeline, PixelRect};
use facelens_vision::{FaceDetector, MaskClassifier, PixelBox};
use std::sync::Arc;

/// File name of the face detector under the models folder.
pub const DETECTOR_FILE: &str = "ultraface-rfb-640.onnx";
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
        Arc::new(LocalFinder(Arc::new(detector))),
        Arc::new(LocalJudge(classifier)),
        limits,
    )))
}

/// The ONNX detector as a face finder.
struct LocalFinder(Arc<FaceDetector>);

#[async_trait]
impl FaceFinder for LocalFinder {
    async fn find(&self, _key: &ObjectKey, image: Arc<RgbImage>) -> Result<Vec<FoundFace>, String> {
        let detector = Arc::clone(&self.0);
        let detections = tokio::task::spawn_blocking(move || detector.detect(&image))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        Ok(detections
            .into_iter()
            .map(|d| FoundFace {
                rect: PixelRect {
                    x: d.bbox.x,
                    y: d.bbox.y,
                    width: d.bbox.width,
                    height: d.bbox.height,
                },
                confidence: (d.score * 100.0).clamp(0.0, 100.0),
                attributes: None,
            })
            .collect())
    }
}

/// Our classifier as the mask judge.
struct LocalJudge(MaskClassifier);

impl MaskJudge for LocalJudge {
    fn judge(&self, image: &RgbImage, faces: &[PixelRect]) -> Result<Vec<MaskVerdict>, String> {
        let boxes: Vec<PixelBox> = faces
            .iter()
            .map(|r| PixelBox {
                x: r.x,
                y: r.y,
                width: r.width,
                height: r.height,
            })
            .collect();
        let verdicts = self.0.classify(image, &boxes).map_err(|e| e.to_string())?;
        Ok(verdicts
            .into_iter()
            .map(|v| MaskVerdict {
                masked: v.masked,
                confidence: (v.confidence * 100.0).clamp(0.0, 100.0),
            })
            .collect())
    }
}

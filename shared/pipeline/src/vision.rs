//! The models of `facelens-vision` as the pipeline's seams: the ONNX face detector as a
//! [`FaceFinder`] (local mode) and our mask classifier as the [`MaskJudge`] (everywhere).

use crate::{FaceFinder, FoundFace, MaskJudge, PixelRect};
use async_trait::async_trait;
use facelens_core::analysis::ports::AnalyzeError;
use facelens_core::analysis::{MaskVerdict, ObjectKey};
use facelens_imaging::RgbImage;
use facelens_vision::{FaceDetector, MaskClassifier, PixelBox};
use std::sync::Arc;

/// The ONNX face detector as a face finder; it reads the pixels, not the stored object.
pub struct DetectorFinder(Arc<FaceDetector>);

impl DetectorFinder {
    /// Wraps a loaded detector.
    pub fn new(detector: FaceDetector) -> Self {
        Self(Arc::new(detector))
    }
}

#[async_trait]
impl FaceFinder for DetectorFinder {
    async fn find(
        &self,
        _key: &ObjectKey,
        image: Arc<RgbImage>,
    ) -> Result<Vec<FoundFace>, AnalyzeError> {
        let detector = Arc::clone(&self.0);
        let detections = tokio::task::spawn_blocking(move || detector.detect(&image))
            .await
            .map_err(|e| AnalyzeError::Failed(format!("detector task: {e}")))?
            .map_err(|e| AnalyzeError::Failed(format!("detector: {e}")))?;
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

/// Our mask classifier as the mask judge: every face of a photo in one batch.
pub struct ClassifierJudge(MaskClassifier);

impl ClassifierJudge {
    /// Wraps a loaded classifier.
    pub fn new(classifier: MaskClassifier) -> Self {
        Self(classifier)
    }
}

impl MaskJudge for ClassifierJudge {
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

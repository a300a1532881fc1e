//! The models of `facelens-vision` as the pipeline's seams: the ONNX face detector as a
//! [`FaceFinder`] and SFace embeddings as the [`FaceMatcher`] (local mode), and our mask
//! classifier as the [`MaskJudge`] (everywhere).

use crate::{FaceFinder, FaceMatcher, FoundFace, MaskJudge, PixelRect, StoredImage};
use async_trait::async_trait;
use facelens_core::analysis::ports::AnalyzeError;
use facelens_core::analysis::{Likeness, MaskVerdict, ObjectKey};
use facelens_imaging::RgbImage;
use facelens_vision::{
    FaceDetector, FaceEmbedder, MaskClassifier, PixelBox, SAME_PERSON_THRESHOLD,
};
use std::sync::Arc;

/// The ONNX face detector as a face finder; it reads the pixels, not the stored object.
pub struct DetectorFinder(Arc<FaceDetector>);

impl DetectorFinder {
    /// Wraps a loaded detector, shared with whoever else holds it (the face matcher).
    pub fn new(detector: Arc<FaceDetector>) -> Self {
        Self(detector)
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
                landmarks: d.landmarks,
            })
            .collect())
    }
}

/// SFace embeddings of faces aligned by the detector's landmarks as the face matcher: the
/// reference photo's largest face is found by the same detector, and similarity is the cosine
/// of two embeddings times 100 (below 0 shown as 0); the same person from
/// [`SAME_PERSON_THRESHOLD`].
pub struct EmbeddingMatcher {
    detector: Arc<FaceDetector>,
    embedder: Arc<FaceEmbedder>,
}

impl EmbeddingMatcher {
    /// A matcher on a loaded detector (shared with the finder) and embedder.
    pub fn new(detector: Arc<FaceDetector>, embedder: FaceEmbedder) -> Self {
        Self {
            detector,
            embedder: Arc::new(embedder),
        }
    }

    fn measure(
        detector: &FaceDetector,
        embedder: &FaceEmbedder,
        reference: &RgbImage,
        photo: &RgbImage,
        landmarks: &[Option<[[f32; 2]; 5]>],
    ) -> Result<Vec<Option<Likeness>>, AnalyzeError> {
        let failed = |e: facelens_vision::VisionError| AnalyzeError::Failed(format!("{e}"));
        let largest = detector
            .detect(reference)
            .map_err(failed)?
            .into_iter()
            .filter(|d| d.landmarks.is_some())
            .max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area()));
        let Some(points) = largest.and_then(|d| d.landmarks) else {
            return Err(AnalyzeError::Rejected(
                "no face was found in the reference photo".into(),
            ));
        };
        let wanted = embedder.embed(reference, &points).map_err(failed)?;
        landmarks
            .iter()
            .map(|points| {
                let Some(points) = points else {
                    return Ok(None);
                };
                let cosine = wanted.similarity(&embedder.embed(photo, points).map_err(failed)?);
                Ok(Some(Likeness {
                    similarity: (cosine * 100.0).clamp(0.0, 100.0),
                    same_person: cosine >= SAME_PERSON_THRESHOLD,
                }))
            })
            .collect()
    }
}

#[async_trait]
impl FaceMatcher for EmbeddingMatcher {
    async fn compare(
        &self,
        reference: StoredImage<'_>,
        photo: StoredImage<'_>,
        faces: &[FoundFace],
    ) -> Result<Vec<Option<Likeness>>, AnalyzeError> {
        let detector = Arc::clone(&self.detector);
        let embedder = Arc::clone(&self.embedder);
        let reference = Arc::clone(reference.image);
        let photo = Arc::clone(photo.image);
        let landmarks: Vec<_> = faces.iter().map(|f| f.landmarks).collect();
        tokio::task::spawn_blocking(move || {
            Self::measure(&detector, &embedder, &reference, &photo, &landmarks)
        })
        .await
        .map_err(|e| AnalyzeError::Failed(format!("face matcher task: {e}")))?
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

//! The models of `facelens-vision` as the pipeline's seams: the ONNX face detector as a
//! [`FaceFinder`] and SFace embeddings as the [`FaceMatcher`] (local mode), and our mask
//! classifier as the [`MaskJudge`] (everywhere).

use crate::{FaceFinder, FaceMatcher, FoundFace, MaskJudge, PixelRect, StoredImage};
use async_trait::async_trait;
use facelens_core::analysis::ports::AnalyzeError;
use facelens_core::analysis::{Likeness, MaskVerdict, ObjectKey};
use facelens_imaging::RgbImage;
use facelens_vision::{
    FaceDetector, FaceEmbedder, MaskClassifier, PixelBox, RegionLandmarks, SAME_PERSON_THRESHOLD,
    VisionError,
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

/// SFace embeddings as the face matcher, each face aligned from landmarks CenterFace finds on
/// its region (those hold under a mask; the detector's are the fallback): the reference
/// photo's largest face is found by the same detector, and similarity is the cosine of two
/// embeddings times 100 (below 0 shown as 0); the same person from [`SAME_PERSON_THRESHOLD`].
pub struct EmbeddingMatcher {
    detector: Arc<FaceDetector>,
    faces: Arc<Embeddings>,
}

/// The embedder with the landmarks it aligns by: one embedding per found face.
pub struct Embeddings {
    landmarks: RegionLandmarks,
    embedder: FaceEmbedder,
}

impl Embeddings {
    /// The embedder, aligning faces from `landmarks`.
    pub fn new(landmarks: RegionLandmarks, embedder: FaceEmbedder) -> Self {
        Self {
            landmarks,
            embedder,
        }
    }

    /// The embedding of the face in `face` of `img`, aligned from CenterFace's landmarks on
    /// its region, or from `fallback` (the detector's) when CenterFace finds none there.
    ///
    /// # Errors
    /// [`VisionError`](facelens_vision::VisionError) when a model fails or no landmarks are
    /// known.
    pub fn embed(
        &self,
        img: &RgbImage,
        face: &PixelBox,
        fallback: Option<[[f32; 2]; 5]>,
    ) -> Result<facelens_vision::Embedding, facelens_vision::VisionError> {
        let points = match self.landmarks.find(img, face)? {
            Some(points) => points,
            None => fallback.ok_or_else(|| {
                facelens_vision::VisionError::Input("no landmarks for this face".into())
            })?,
        };
        self.embedder.embed(img, &points)
    }
}

/// The likeness of two faces whose SFace embeddings have cosine similarity `cosine`.
pub fn likeness(cosine: f32) -> Likeness {
    Likeness::at(cosine * 100.0, SAME_PERSON_THRESHOLD * 100.0)
}

impl EmbeddingMatcher {
    /// A matcher on a loaded detector (shared with the finder) and the embeddings.
    pub fn new(detector: Arc<FaceDetector>, faces: Arc<Embeddings>) -> Self {
        Self { detector, faces }
    }

    fn measure(
        detector: &FaceDetector,
        faces: &Embeddings,
        reference: &RgbImage,
        photo: &RgbImage,
        found: &[(PixelBox, Option<[[f32; 2]; 5]>)],
    ) -> Result<Vec<Option<Likeness>>, AnalyzeError> {
        let failed = |e: VisionError| AnalyzeError::Failed(format!("{e}"));
        let largest = detector
            .detect(reference)
            .map_err(failed)?
            .into_iter()
            .max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area()));
        let Some(largest) = largest else {
            return Err(AnalyzeError::Rejected(
                "no face was found in the reference photo".into(),
            ));
        };
        let wanted = faces
            .embed(reference, &largest.bbox, largest.landmarks)
            .map_err(failed)?;
        found
            .iter()
            .map(
                |(bbox, landmarks)| match faces.embed(photo, bbox, *landmarks) {
                    Ok(embedding) => Ok(Some(likeness(wanted.similarity(&embedding)))),
                    // No landmarks for this face: it is not measured.
                    Err(VisionError::Input(_)) => Ok(None),
                    Err(other) => Err(failed(other)),
                },
            )
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
        let embeddings = Arc::clone(&self.faces);
        let reference = Arc::clone(reference.image);
        let photo = Arc::clone(photo.image);
        let found: Vec<_> = faces
            .iter()
            .map(|f| {
                let r = f.rect;
                let bbox = PixelBox {
                    x: r.x,
                    y: r.y,
                    width: r.width,
                    height: r.height,
                };
                (bbox, f.landmarks)
            })
            .collect();
        tokio::task::spawn_blocking(move || {
            Self::measure(&detector, &embeddings, &reference, &photo, &found)
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

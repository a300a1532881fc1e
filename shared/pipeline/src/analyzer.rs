//! The pipeline and the two seams it is built from.

use async_trait::async_trait;
use facelens_core::analysis::ports::{AnalyzeError, DetectedFace, PhotoAnalysis, PhotoAnalyzer};
use facelens_core::analysis::{FaceAttributes, FaceBox, MaskVerdict, ObjectKey};
use facelens_imaging::{
    AnnotatedBox, Limits, RgbImage, annotate_in_place, decode, encode_jpeg, thumbnail,
};
use std::sync::Arc;

/// A face box in pixels of the upright image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelRect {
    /// Left.
    pub x: f32,
    /// Top.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// A face as a finder reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundFace {
    /// Where, in pixels.
    pub rect: PixelRect,
    /// Detection confidence, 0..100.
    pub confidence: f32,
    /// Attributes when the finder gives them.
    pub attributes: Option<FaceAttributes>,
}

/// Finds faces. The local detector looks at the pixels; Rekognition reads the stored object
/// by its key.
#[async_trait]
pub trait FaceFinder: Send + Sync {
    /// The faces in the photo under `key`, whose upright pixels are `image`.
    ///
    /// # Errors
    /// [`AnalyzeError::Rejected`] when the finder says the photo itself is unusable (the
    /// reason is shown to its owner), [`AnalyzeError::Failed`] when the job should be retried.
    async fn find(
        &self,
        key: &ObjectKey,
        image: Arc<RgbImage>,
    ) -> Result<Vec<FoundFace>, AnalyzeError>;
}

/// Decides, for every face of one photo at once, whether it wears a mask.
pub trait MaskJudge: Send + Sync {
    /// One verdict per rectangle, in order.
    ///
    /// # Errors
    /// A message for the log; the job is retried.
    fn judge(&self, image: &RgbImage, faces: &[PixelRect]) -> Result<Vec<MaskVerdict>, String>;
}

/// The analyzer.
pub struct Pipeline {
    finder: Arc<dyn FaceFinder>,
    judge: Arc<dyn MaskJudge>,
    limits: Limits,
    /// Longest side of thumbnails.
    thumbnail_side: u32,
}

impl Pipeline {
    /// A pipeline with a finder, a judge and decoding limits.
    pub fn new(finder: Arc<dyn FaceFinder>, judge: Arc<dyn MaskJudge>, limits: Limits) -> Self {
        Self {
            finder,
            judge,
            limits,
            thumbnail_side: 320,
        }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AnalyzeError> + Send + 'static,
) -> Result<T, AnalyzeError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AnalyzeError::Failed(format!("analysis task failed: {e}")))?
}

#[async_trait]
impl PhotoAnalyzer for Pipeline {
    async fn analyze(
        &self,
        key: &ObjectKey,
        bytes: Vec<u8>,
    ) -> Result<PhotoAnalysis, AnalyzeError> {
        let limits = self.limits;
        let decoded = blocking(move || {
            decode(&bytes, &limits).map_err(|e| AnalyzeError::Rejected(e.to_string()))
        })
        .await?;
        let image = Arc::new(decoded.rgb);
        let found = self.finder.find(key, Arc::clone(&image)).await?;

        let judge = Arc::clone(&self.judge);
        let side = self.thumbnail_side;
        blocking(move || {
            let rects: Vec<PixelRect> = found.iter().map(|f| f.rect).collect();
            let verdicts = if rects.is_empty() {
                Vec::new()
            } else {
                judge.judge(&image, &rects).map_err(AnalyzeError::Failed)?
            };
            if verdicts.len() != rects.len() {
                return Err(AnalyzeError::Failed(format!(
                    "the classifier gave {} verdicts for {} faces",
                    verdicts.len(),
                    rects.len()
                )));
            }
            let mut image = Arc::try_unwrap(image).unwrap_or_else(|shared| (*shared).clone());
            let (width, height) = image.dimensions();
            let boxes: Vec<AnnotatedBox> = rects
                .iter()
                .zip(&verdicts)
                .map(|(r, v)| AnnotatedBox {
                    x: r.x,
                    y: r.y,
                    width: r.width,
                    height: r.height,
                    masked: v.masked,
                })
                .collect();
            annotate_in_place(&mut image, &boxes);
            let encode = |img: &RgbImage| {
                encode_jpeg(img, 85).map_err(|e| AnalyzeError::Failed(format!("encoding: {e}")))
            };
            let annotated_jpeg = encode(&image)?;
            let thumbnail_jpeg = encode(&thumbnail(&image, side))?;
            let faces = found
                .into_iter()
                .zip(verdicts)
                .map(|(face, mask)| DetectedFace {
                    bbox: FaceBox::from_pixels(
                        face.rect.x,
                        face.rect.y,
                        face.rect.width,
                        face.rect.height,
                        width,
                        height,
                    ),
                    confidence: face.confidence,
                    mask,
                    attributes: face.attributes,
                })
                .collect();
            Ok(PhotoAnalysis {
                width,
                height,
                faces,
                annotated_jpeg,
                thumbnail_jpeg,
            })
        })
        .await
    }
}

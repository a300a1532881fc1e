//! The pipeline and the two seams it is built from.

use crate::reading::in_reading_order;
use async_trait::async_trait;
use facelens_core::analysis::ports::{
    AnalyzeError, DetectedFace, PhotoAnalysis, PhotoAnalyzer, ReferencePhoto,
};
use facelens_core::analysis::{FaceAttributes, FaceBox, Likeness, MaskVerdict, ObjectKey};
use facelens_imaging::{
    AnnotatedBox, Limits, RgbImage, annotate_in_place, decode, encode_jpeg, fit_within,
    number_in_place, thumbnail,
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

impl PixelRect {
    /// Intersection over union with `other` (0: apart, 1: the same box).
    pub fn iou(&self, other: &PixelRect) -> f32 {
        let left = self.x.max(other.x);
        let top = self.y.max(other.y);
        let right = (self.x + self.width).min(other.x + other.width);
        let bottom = (self.y + self.height).min(other.y + other.height);
        let overlap = (right - left).max(0.0) * (bottom - top).max(0.0);
        let union = self.width * self.height + other.width * other.height - overlap;
        if union > 0.0 { overlap / union } else { 0.0 }
    }
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
    /// Eyes, nose tip and mouth corners (as seen: left eye first), in pixels, when the finder
    /// gives them; the local face matcher aligns faces by them.
    pub landmarks: Option<[[f32; 2]; 5]>,
}

/// An upright photo as a matcher sees it: where it is stored and its pixels.
#[derive(Debug, Clone, Copy)]
pub struct StoredImage<'a> {
    /// Its key in the photo store.
    pub key: &'a ObjectKey,
    /// Its upright pixels.
    pub image: &'a Arc<RgbImage>,
}

/// Compares faces with a reference face: SFace embeddings locally, Rekognition `CompareFaces`
/// on AWS.
#[async_trait]
pub trait FaceMatcher: Send + Sync {
    /// For each of `faces` (found in `photo`, in order), its likeness to the largest face of
    /// `reference`; `None` for a face the matcher could not measure.
    ///
    /// # Errors
    /// [`AnalyzeError::Rejected`] when the reference has no face, [`AnalyzeError::Failed`]
    /// when the job should be retried.
    async fn compare(
        &self,
        reference: StoredImage<'_>,
        photo: StoredImage<'_>,
        faces: &[FoundFace],
    ) -> Result<Vec<Option<Likeness>>, AnalyzeError>;
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
    matcher: Option<Arc<dyn FaceMatcher>>,
    limits: Limits,
    /// Longest side of thumbnails.
    thumbnail_side: u32,
    /// Longest side of the annotated image: a larger photo is drawn on a copy scaled down to
    /// this (the original stays stored as it came).
    display_side: u32,
}

/// The longest side of an annotated image: a 2048 px copy is sharp on a large screen and
/// about 0.2 s cheaper to make and encode than a full 24 MP one, and an eighth of the pixels to
/// store and send (`docs/performance.md`).
pub const DISPLAY_SIDE: u32 = 2048;

impl Pipeline {
    /// A pipeline with a finder, a judge and decoding limits.
    pub fn new(finder: Arc<dyn FaceFinder>, judge: Arc<dyn MaskJudge>, limits: Limits) -> Self {
        Self {
            finder,
            judge,
            matcher: None,
            limits,
            thumbnail_side: 320,
            display_side: DISPLAY_SIDE,
        }
    }

    /// The same pipeline, comparing faces with a reference photo's when asked to.
    #[must_use]
    pub fn with_matcher(mut self, matcher: Arc<dyn FaceMatcher>) -> Self {
        self.matcher = Some(matcher);
        self
    }

    async fn decode(&self, bytes: Vec<u8>) -> Result<Arc<RgbImage>, AnalyzeError> {
        let limits = self.limits;
        let decoded = blocking(move || {
            decode(&bytes, &limits).map_err(|e| AnalyzeError::Rejected(e.to_string()))
        })
        .await?;
        Ok(Arc::new(decoded.rgb))
    }

    /// Each face's likeness to the reference's largest face (all `None` without a reference).
    async fn likenesses(
        &self,
        key: &ObjectKey,
        image: &Arc<RgbImage>,
        found: &[FoundFace],
        reference: Option<ReferencePhoto>,
    ) -> Result<Vec<Option<Likeness>>, AnalyzeError> {
        let Some(reference) = reference else {
            return Ok(vec![None; found.len()]);
        };
        let Some(matcher) = &self.matcher else {
            return Err(AnalyzeError::Rejected(
                "this deployment cannot compare faces".into(),
            ));
        };
        let reference_image = self
            .decode(reference.bytes)
            .await
            .map_err(|err| match err {
                AnalyzeError::Rejected(why) => {
                    AnalyzeError::Rejected(format!("the reference photo: {why}"))
                }
                failed => failed,
            })?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let likenesses = matcher
            .compare(
                StoredImage {
                    key: &reference.key,
                    image: &reference_image,
                },
                StoredImage { key, image },
                found,
            )
            .await?;
        if likenesses.len() != found.len() {
            return Err(AnalyzeError::Failed(format!(
                "the matcher measured {} faces of {}",
                likenesses.len(),
                found.len()
            )));
        }
        Ok(likenesses)
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
        reference: Option<ReferencePhoto>,
    ) -> Result<PhotoAnalysis, AnalyzeError> {
        let image = self.decode(bytes).await?;
        let found = in_reading_order(self.finder.find(key, Arc::clone(&image)).await?, |f| f.rect);
        let likenesses = self.likenesses(key, &image, &found, reference).await?;

        let judge = Arc::clone(&self.judge);
        let (side, display_side) = (self.thumbnail_side, self.display_side);
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
            let (width, height) = image.dimensions();
            let image = Arc::try_unwrap(image).unwrap_or_else(|shared| (*shared).clone());
            let mut display = fit_within(image, display_side);
            let (sx, sy) = (
                display.width() as f32 / width as f32,
                display.height() as f32 / height as f32,
            );
            let boxes: Vec<AnnotatedBox> = rects
                .iter()
                .zip(&verdicts)
                .map(|(r, v)| AnnotatedBox {
                    x: r.x * sx,
                    y: r.y * sy,
                    width: r.width * sx,
                    height: r.height * sy,
                    masked: v.masked,
                })
                .collect();
            annotate_in_place(&mut display, &boxes);
            number_in_place(&mut display, &boxes);
            let encode = |img: &RgbImage| {
                encode_jpeg(img, 85).map_err(|e| AnalyzeError::Failed(format!("encoding: {e}")))
            };
            let annotated_jpeg = encode(&display)?;
            let thumbnail_jpeg = encode(&thumbnail(&display, side))?;
            let faces = found
                .into_iter()
                .zip(verdicts)
                .zip(likenesses)
                .map(|((face, mask), likeness)| DetectedFace {
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
                    likeness,
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

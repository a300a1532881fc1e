//! Amazon Rekognition `DetectFaces` as the pipeline's [`FaceFinder`].
//!
//! Rekognition reads the photo from the bucket itself (`Image.S3Object`), so no image bytes go
//! through the Lambda, and is asked for every attribute (`Attributes: ["ALL"]`). It reads JPEG
//! and PNG only, so for a WebP upload the finder sends a JPEG of the decoded upright photo in
//! the request instead (`Image.Bytes`, at most 5 MB: scaled to 4096 pixels or less). Its boxes are
//! fractions of the upright image (it applies the EXIF orientation of JPEGs, as our decoder
//! does), so they are scaled by the decoded image's size and clipped to it.
//!
//! Failures are sorted for the queue: throttling and server errors are retried here, with
//! backoff, by the SDK's standard retry strategy, and become [`AnalyzeError::Failed`] once the
//! attempts are used up (the message goes back to the queue and is tried again later); errors
//! saying that the photo itself is unusable become [`AnalyzeError::Rejected`] with a reason for
//! its owner; access problems are [`AnalyzeError::Failed`] with their cause, for the log.

use crate::rekognition_client::client_with_retries;
use async_trait::async_trait;
use aws_sdk_rekognition::Client;
use aws_sdk_rekognition::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_rekognition::operation::detect_faces::DetectFacesError;
use aws_sdk_rekognition::primitives::Blob;
use aws_sdk_rekognition::types::{Attribute, BoundingBox, FaceDetail, Image, S3Object};
use facelens_core::analysis::ports::AnalyzeError;
use facelens_core::analysis::{
    AgeRange, Emotion, FaceAttributes, Flag, ImageType, ObjectKey, Pose, Quality,
};
use facelens_imaging::RgbImage;
use facelens_pipeline::{FaceFinder, FoundFace, PixelRect};
use std::sync::Arc;
use std::time::Duration;

/// Finds faces with Rekognition `DetectFaces` in the photos of one S3 bucket. Cheap to clone:
/// every clone shares one SDK client.
#[derive(Clone, Debug)]
pub struct RekognitionFinder {
    client: Client,
    bucket: Arc<str>,
}

impl RekognitionFinder {
    /// How many times one `DetectFaces` call is tried when Rekognition throttles
    /// (`ThrottlingException`, `ProvisionedThroughputExceededException`) or fails on its side
    /// (HTTP 5xx), before the job is handed back to the queue.
    pub const MAX_ATTEMPTS: u32 = 5;

    /// The wait before the first retry; the SDK doubles it for each further retry, with
    /// jitter.
    pub const INITIAL_BACKOFF: Duration = crate::rekognition_client::INITIAL_BACKOFF;

    /// A finder on the photos of `bucket`, with a client built from `config` and this finder's
    /// retry policy ([`MAX_ATTEMPTS`](Self::MAX_ATTEMPTS) attempts, the first retry after
    /// `initial_backoff`), which replaces any retry configuration of `config`. Tests pass a
    /// configuration with a replaying HTTP client and a tiny backoff.
    pub fn from_config(
        config: aws_sdk_rekognition::Config,
        bucket: impl Into<String>,
        initial_backoff: Duration,
    ) -> Self {
        Self {
            client: client_with_retries(config, Self::MAX_ATTEMPTS, initial_backoff),
            bucket: bucket.into().into(),
        }
    }

    /// The bucket the photos are read from.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

#[async_trait]
impl FaceFinder for RekognitionFinder {
    async fn find(
        &self,
        key: &ObjectKey,
        image: Arc<RgbImage>,
    ) -> Result<Vec<FoundFace>, AnalyzeError> {
        let source = image_of(&self.bucket, key, &image).await?;
        let output = self
            .client
            .detect_faces()
            .image(source)
            .attributes(Attribute::All)
            .send()
            .await
            .map_err(|err| analyze_error(key, err))?;
        let (width, height) = image.dimensions();
        let details = output.face_details();
        let faces: Vec<FoundFace> = details
            .iter()
            .filter_map(|detail| found_face(detail, width, height))
            .collect();
        if faces.len() != details.len() {
            tracing::warn!(
                key = key.as_str(),
                skipped = details.len() - faces.len(),
                "Rekognition faces without a usable box inside the image were left out"
            );
        }
        Ok(faces)
    }
}

/// The photo as Rekognition should read it: from the bucket when it can (JPEG, PNG), else a
/// JPEG copy of the upright pixels in the request.
pub(crate) async fn image_of(
    bucket: &str,
    key: &ObjectKey,
    image: &Arc<RgbImage>,
) -> Result<Image, AnalyzeError> {
    if read_in_place(key) {
        let object = S3Object::builder()
            .bucket(bucket)
            .name(key.as_str())
            .build();
        return Ok(Image::builder().s3_object(object).build());
    }
    let upright = Arc::clone(image);
    let copy = tokio::task::spawn_blocking(move || jpeg_copy(&upright))
        .await
        .map_err(|e| AnalyzeError::Failed(format!("JPEG copy of {key} failed: {e}")))??;
    Ok(Image::builder().bytes(Blob::new(copy)).build())
}

/// Whether Rekognition can read the stored photo itself: it reads JPEG and PNG only.
fn read_in_place(key: &ObjectKey) -> bool {
    matches!(key.image_type(), Some(ImageType::Jpeg | ImageType::Png))
}

/// Rekognition's limit on image bytes sent in the request.
const MAX_INLINE_BYTES: usize = 5 * 1024 * 1024;

/// A JPEG of the upright photo small enough to send in the request: the first of these
/// (longest side, quality) steps that fits in [`MAX_INLINE_BYTES`]. Rekognition's boxes are
/// fractions of the image, so scaling it down does not move them.
const COPY_STEPS: [(u32, u8); 3] = [(4096, 90), (4096, 75), (2048, 75)];

/// The JPEG sent in place of a photo Rekognition cannot read from the bucket (WebP).
fn jpeg_copy(image: &RgbImage) -> Result<Vec<u8>, AnalyzeError> {
    let (width, height) = image.dimensions();
    for (side, quality) in COPY_STEPS {
        // Scaled only when larger than the step's side (`thumbnail` would copy it otherwise).
        let scaled;
        let source = if width.max(height) > side {
            scaled = facelens_imaging::thumbnail(image, side);
            &scaled
        } else {
            image
        };
        let bytes = facelens_imaging::encode_jpeg(source, quality).map_err(|e| {
            AnalyzeError::Rejected(format!(
                "This photo cannot be re-encoded for the face detector: {e}"
            ))
        })?;
        if bytes.len() <= MAX_INLINE_BYTES {
            return Ok(bytes);
        }
    }
    Err(AnalyzeError::Rejected(
        "This photo is too detailed to send to the face detector; please send it as a JPEG."
            .to_owned(),
    ))
}

/// Sorts a `DetectFaces` failure into "the photo is unusable" and "try again later".
fn analyze_error(key: &ObjectKey, err: SdkError<DetectFacesError>) -> AnalyzeError {
    let rejected = match &err {
        SdkError::ServiceError(service) => match service.err() {
            DetectFacesError::InvalidImageFormatException(_) => Some(
                "The face detector cannot read this photo's format: it accepts JPEG and PNG \
                 images only.",
            ),
            DetectFacesError::ImageTooLargeException(_) => Some(
                "This photo is too large for the face detector (at most 15 MB); please send a \
                 smaller copy.",
            ),
            // The request names only the stored object, so a parameter it refuses is the
            // image (for instance under 80 pixels on a side).
            DetectFacesError::InvalidParameterException(_) => Some(
                "The face detector cannot analyse this photo: it may be too small (at least 80 \
                 pixels on each side) or damaged.",
            ),
            _ => None,
        },
        _ => None,
    };
    if let Some(reason) = rejected {
        tracing::info!(
            key = key.as_str(),
            code = err.code().unwrap_or_default(),
            message = err.message().unwrap_or_default(),
            "Rekognition refused the photo"
        );
        return AnalyzeError::Rejected(reason.to_owned());
    }
    let cause = DisplayErrorContext(&err);
    let what = match &err {
        SdkError::ServiceError(service) => match service.err() {
            DetectFacesError::ThrottlingException(_)
            | DetectFacesError::ProvisionedThroughputExceededException(_)
            | DetectFacesError::InternalServerError(_) => format!(
                "Rekognition is busy or unavailable after {} attempts",
                RekognitionFinder::MAX_ATTEMPTS
            ),
            DetectFacesError::InvalidS3ObjectException(_) => {
                "Rekognition cannot read the stored photo".to_owned()
            }
            DetectFacesError::AccessDeniedException(_) => {
                "Rekognition denied access to DetectFaces".to_owned()
            }
            _ => "Rekognition DetectFaces failed".to_owned(),
        },
        _ => "Rekognition DetectFaces could not be called".to_owned(),
    };
    AnalyzeError::Failed(format!("{what} for {key}: {cause}"))
}

/// One face in pixels of the `width` x `height` upright image; `None` when Rekognition gave no
/// box or the box lies wholly outside the image.
fn found_face(detail: &FaceDetail, width: u32, height: u32) -> Option<FoundFace> {
    let rect = pixel_rect(detail.bounding_box()?, width, height)?;
    Some(FoundFace {
        rect,
        confidence: detail.confidence().unwrap_or(0.0).clamp(0.0, 100.0),
        attributes: Some(attributes(detail)),
        landmarks: None,
    })
}

/// A fractional box scaled to pixels and clipped to the image.
pub(crate) fn pixel_rect(bbox: &BoundingBox, width: u32, height: u32) -> Option<PixelRect> {
    let (left, top) = (bbox.left()?, bbox.top()?);
    let (box_width, box_height) = (bbox.width()?, bbox.height()?);
    if ![left, top, box_width, box_height]
        .iter()
        .all(|v| v.is_finite())
    {
        return None;
    }
    let (w, h) = (width as f32, height as f32);
    let x0 = (left * w).clamp(0.0, w);
    let y0 = (top * h).clamp(0.0, h);
    let x1 = ((left + box_width) * w).clamp(0.0, w);
    let y1 = ((top + box_height) * h).clamp(0.0, h);
    (x1 > x0 && y1 > y0).then_some(PixelRect {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    })
}

fn flag(value: bool, confidence: Option<f32>) -> Flag {
    Flag {
        value,
        confidence: confidence.unwrap_or(0.0),
    }
}

fn attributes(detail: &FaceDetail) -> FaceAttributes {
    let mut emotions: Vec<Emotion> = detail
        .emotions()
        .iter()
        .filter_map(|emotion| {
            Some(Emotion {
                kind: emotion.r#type()?.as_str().to_owned(),
                confidence: emotion.confidence().unwrap_or(0.0),
            })
        })
        .collect();
    emotions.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    FaceAttributes {
        emotions,
        smile: detail.smile().map(|f| flag(f.value(), f.confidence())),
        eyes_open: detail.eyes_open().map(|f| flag(f.value(), f.confidence())),
        mouth_open: detail.mouth_open().map(|f| flag(f.value(), f.confidence())),
        eyeglasses: detail.eyeglasses().map(|f| flag(f.value(), f.confidence())),
        sunglasses: detail.sunglasses().map(|f| flag(f.value(), f.confidence())),
        mustache: detail.mustache().map(|f| flag(f.value(), f.confidence())),
        beard: detail.beard().map(|f| flag(f.value(), f.confidence())),
        age_range: detail.age_range().and_then(|range| {
            let low = u32::try_from(range.low()?).ok()?;
            let high = u32::try_from(range.high()?).ok()?;
            Some(AgeRange { low, high })
        }),
        face_occluded: detail
            .face_occluded()
            .map(|f| flag(f.value(), f.confidence())),
        pose: detail.pose().and_then(|pose| {
            Some(Pose {
                roll: pose.roll()?,
                yaw: pose.yaw()?,
                pitch: pose.pitch()?,
            })
        }),
        quality: detail.quality().and_then(|quality| {
            Some(Quality {
                brightness: quality.brightness()?,
                sharpness: quality.sharpness()?,
            })
        }),
    }
}

//! Amazon Rekognition `CompareFaces` as the pipeline's [`FaceMatcher`]: the largest face of the
//! reference photo against every face of the analysed photo, both read from the bucket (or sent
//! as JPEG copies when Rekognition cannot read them, as for `DetectFaces`).
//!
//! It asks with `SimilarityThreshold: 0` and `QualityFilter: NONE`, so every face it finds in
//! the photo comes back with a similarity; [`SAME_PERSON_SIMILARITY`] decides the verdict.
//! Its faces are matched to the finder's (`DetectFaces`) faces by their boxes: the one
//! overlapping most, with an intersection over union of at least [`MIN_OVERLAP`]; a face it
//! did not report has no likeness. Failures are sorted as for the finder: a photo it cannot
//! use is [`AnalyzeError::Rejected`] with a reason for its owner; throttling and server errors
//! are retried by the SDK, then [`AnalyzeError::Failed`] so the job is tried again later.

use crate::SAME_PERSON_SIMILARITY;
use crate::rekognition::{image_of, pixel_rect};
use crate::rekognition_client::client_with_retries;
use async_trait::async_trait;
use aws_sdk_rekognition::Client;
use aws_sdk_rekognition::error::{DisplayErrorContext, SdkError};
use aws_sdk_rekognition::operation::compare_faces::{CompareFacesError, CompareFacesOutput};
use aws_sdk_rekognition::types::QualityFilter;
use facelens_core::analysis::Likeness;
use facelens_core::analysis::ports::AnalyzeError;
use facelens_pipeline::{FaceMatcher, FoundFace, PixelRect, StoredImage};
use std::sync::Arc;
use std::time::Duration;

/// How much a `CompareFaces` box must overlap a `DetectFaces` box (intersection over union)
/// to be the same face.
pub const MIN_OVERLAP: f32 = 0.5;

/// Compares faces with Rekognition `CompareFaces` in the photos of one S3 bucket. Cheap to
/// clone: every clone shares one SDK client.
#[derive(Clone, Debug)]
pub struct RekognitionMatcher {
    client: Client,
    bucket: Arc<str>,
}

impl RekognitionMatcher {
    /// How many times one call is tried when Rekognition throttles or fails on its side.
    pub const MAX_ATTEMPTS: u32 = 5;

    /// A matcher on the photos of `bucket`, with a client built from `config` and this
    /// matcher's retry policy (first retry after `initial_backoff`).
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
}

#[async_trait]
impl FaceMatcher for RekognitionMatcher {
    async fn compare(
        &self,
        reference: StoredImage<'_>,
        photo: StoredImage<'_>,
        faces: &[FoundFace],
    ) -> Result<Vec<Option<Likeness>>, AnalyzeError> {
        let source = image_of(&self.bucket, reference.key, reference.image).await?;
        let target = image_of(&self.bucket, photo.key, photo.image).await?;
        let output = self
            .client
            .compare_faces()
            .source_image(source)
            .target_image(target)
            .similarity_threshold(0.0)
            .quality_filter(QualityFilter::None)
            .send()
            .await
            .map_err(|err| compare_error(photo.key.as_str(), err))?;
        let (width, height) = photo.image.dimensions();
        Ok(likenesses(&output, faces, width, height))
    }
}

/// Each found face's likeness: the similarity of the compared face overlapping it most.
fn likenesses(
    output: &CompareFacesOutput,
    faces: &[FoundFace],
    width: u32,
    height: u32,
) -> Vec<Option<Likeness>> {
    let compared: Vec<(PixelRect, f32)> = output
        .face_matches()
        .iter()
        .filter_map(|m| {
            let rect = pixel_rect(m.face()?.bounding_box()?, width, height)?;
            Some((rect, m.similarity()?.clamp(0.0, 100.0)))
        })
        .chain(output.unmatched_faces().iter().filter_map(|face| {
            // Below the threshold asked for (0): not the same person by any measure.
            Some((pixel_rect(face.bounding_box()?, width, height)?, 0.0))
        }))
        .collect();
    faces
        .iter()
        .map(|face| {
            compared
                .iter()
                .map(|(rect, similarity)| (face.rect.iou(rect), *similarity))
                .filter(|(overlap, _)| *overlap >= MIN_OVERLAP)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, similarity)| Likeness::at(similarity, SAME_PERSON_SIMILARITY))
        })
        .collect()
}

/// Sorts a `CompareFaces` failure into "a photo is unusable" and "try again later".
fn compare_error(key: &str, err: SdkError<CompareFacesError>) -> AnalyzeError {
    if let SdkError::ServiceError(service) = &err {
        let rejected = match service.err() {
            // Rekognition's documented answer when either image has no face it can compare.
            CompareFacesError::InvalidParameterException(_) => Some(
                "Rekognition found no face it could compare in the reference photo or this one",
            ),
            CompareFacesError::InvalidImageFormatException(_) => {
                Some("The face matcher cannot read one of the photos: it accepts JPEG and PNG.")
            }
            CompareFacesError::ImageTooLargeException(_) => {
                Some("One of the photos is too large for the face matcher (at most 15 MB).")
            }
            _ => None,
        };
        if let Some(reason) = rejected {
            return AnalyzeError::Rejected(reason.to_owned());
        }
    }
    AnalyzeError::Failed(format!(
        "Rekognition CompareFaces failed for {key}: {}",
        DisplayErrorContext(&err)
    ))
}

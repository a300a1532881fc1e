//! Faces as a way in on AWS: a Rekognition face collection as the [`FaceVault`]. Camera
//! captures are sent as bytes:
//! - looking at a capture is `DetectFaces` (all attributes: the head's `Pose.Yaw`,
//!   `FaceOccluded` for a mask, `EyesOpen`);
//! - enrolling is `IndexFaces` (one face, quality filter `HIGH`, the account id as external
//!   image id), then the face id goes into the account's DynamoDB partition, an earlier face
//!   is deleted from the collection, and the capture is kept in the bucket under
//!   `faces/{name}/enrolled` (encrypted at rest by S3), the reference photo when the person
//!   looks for their own face in a group photo (`CompareFaces` in the worker);
//! - verifying is `SearchFacesByImage` from [`SAME_PERSON_SIMILARITY`] up, and only the
//!   claimed account's face id counts: a capture that matches someone else matches nobody;
//! - removing is `DeleteFaces`, the capture's deletion and the record's deletion.
//!
//! The collection keeps the face vectors (encrypted at rest by Rekognition); the one capture
//! kept per account is never returned by any API. Throttling and server errors are retried by the SDK's standard strategy.

use crate::dynamodb::{DynamoDb, FaceRecord};
use crate::{S3Objects, SAME_PERSON_SIMILARITY};
use async_trait::async_trait;
use aws_sdk_rekognition::Client;
use aws_sdk_rekognition::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_rekognition::primitives::Blob;
use aws_sdk_rekognition::types::{Attribute, FaceDetail, Image, QualityFilter};
use facelens_core::analysis::ports::ObjectStore;
use facelens_core::analysis::{FaceBox, ImageType, Likeness, ObjectKey};
use facelens_core::domain::Username;
use facelens_core::faces::{FaceError, FaceVault, SeenFace};
use std::sync::Arc;
use std::time::Duration;

/// Enrolled faces in a Rekognition collection, which face is whose in DynamoDB.
#[derive(Clone, Debug)]
pub struct RekognitionVault {
    client: Client,
    collection: Arc<str>,
    table: DynamoDb,
    photos: S3Objects,
}

/// How many times one Rekognition call is tried when it throttles or fails on its side.
const MAX_ATTEMPTS: u32 = 3;

impl RekognitionVault {
    /// A vault on `collection`, with a client built from `config` (its retry policy replaced
    /// by this vault's, the first retry after `initial_backoff`), the records in `table` and
    /// the enrolment captures in `photos`.
    pub fn from_config(
        config: aws_sdk_rekognition::Config,
        collection: impl Into<String>,
        table: DynamoDb,
        photos: S3Objects,
        initial_backoff: Duration,
    ) -> Self {
        Self {
            client: crate::rekognition_client::client_with_retries(
                config,
                MAX_ATTEMPTS,
                initial_backoff,
            ),
            collection: collection.into().into(),
            table,
            photos,
        }
    }

    async fn delete_face(&self, face_id: &str) -> Result<(), FaceError> {
        self.client
            .delete_faces()
            .collection_id(&*self.collection)
            .face_ids(face_id)
            .send()
            .await
            .map_err(|e| failed("DeleteFaces", e))?;
        Ok(())
    }

    async fn record(&self, owner: &Username) -> Result<Option<FaceRecord>, FaceError> {
        self.table.face_record(owner).await.map_err(store_error)
    }
}

fn capture_image(capture: &[u8]) -> Image {
    Image::builder().bytes(Blob::new(capture.to_vec())).build()
}

fn store_error(err: facelens_core::ports::StoreError) -> FaceError {
    FaceError::Unavailable(err.to_string())
}

/// Sorts a failure: a capture Rekognition cannot use is [`FaceError::Unusable`], said in words
/// for the person; anything else is [`FaceError::Unavailable`] with its cause, for the log.
fn failed<E>(operation: &str, err: SdkError<E>) -> FaceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err.code() {
        Some("InvalidImageFormatException" | "ImageTooLargeException") => {
            FaceError::Unusable("The capture is not a usable image: send a JPEG or PNG.".into())
        }
        // The request names only the capture, so a parameter refused is the capture: most
        // often, no face in it.
        Some("InvalidParameterException") => {
            FaceError::Unusable("No face was found: look into the camera in good light.".into())
        }
        _ => FaceError::Unavailable(format!(
            "Rekognition {operation} failed: {}",
            DisplayErrorContext(&err)
        )),
    }
}

fn seen(detail: &FaceDetail) -> Option<SeenFace> {
    let b = detail.bounding_box()?;
    Some(SeenFace {
        bbox: FaceBox {
            left: b.left()?.clamp(0.0, 1.0),
            top: b.top()?.clamp(0.0, 1.0),
            width: b.width()?.clamp(0.0, 1.0),
            height: b.height()?.clamp(0.0, 1.0),
        },
        yaw: detail.pose().and_then(|p| p.yaw()).unwrap_or(0.0),
        masked: detail.face_occluded().is_some_and(|f| f.value()),
        eyes_open: detail.eyes_open().map(|f| f.value()),
    })
}

#[async_trait]
impl FaceVault for RekognitionVault {
    async fn look(&self, capture: &[u8]) -> Result<Vec<SeenFace>, FaceError> {
        let output = self
            .client
            .detect_faces()
            .image(capture_image(capture))
            .attributes(Attribute::All)
            .send()
            .await
            .map_err(|e| failed("DetectFaces", e))?;
        Ok(output.face_details().iter().filter_map(seen).collect())
    }

    async fn enrol(
        &self,
        owner: &Username,
        account_id: &str,
        capture: &[u8],
    ) -> Result<(), FaceError> {
        let output = self
            .client
            .index_faces()
            .collection_id(&*self.collection)
            .image(capture_image(capture))
            .external_image_id(account_id)
            .max_faces(1)
            .quality_filter(QualityFilter::High)
            .send()
            .await
            .map_err(|e| failed("IndexFaces", e))?;
        let Some(face_id) = output
            .face_records()
            .first()
            .and_then(|r| r.face())
            .and_then(|f| f.face_id())
        else {
            return Err(FaceError::Unusable(
                "The face is not clear enough: more light, look straight, hold still.".into(),
            ));
        };
        let earlier = self.record(owner).await?;
        let record = FaceRecord {
            account_id: account_id.to_owned(),
            face_id: face_id.to_owned(),
        };
        self.table
            .put_face_record(owner, &record)
            .await
            .map_err(store_error)?;
        if let Some(earlier) = earlier.filter(|e| e.face_id != record.face_id) {
            self.delete_face(&earlier.face_id).await?;
        }
        let mime = ImageType::sniff(capture).unwrap_or(ImageType::Jpeg).mime();
        self.photos
            .put(&ObjectKey::enrolled_face(owner), capture.to_vec(), mime)
            .await
            .map_err(store_error)
    }

    async fn verify(
        &self,
        owner: &Username,
        account_id: &str,
        capture: &[u8],
    ) -> Result<Option<Likeness>, FaceError> {
        let Some(record) = self
            .record(owner)
            .await?
            .filter(|r| r.account_id == account_id)
        else {
            return Ok(None);
        };
        let output = self
            .client
            .search_faces_by_image()
            .collection_id(&*self.collection)
            .image(capture_image(capture))
            .face_match_threshold(SAME_PERSON_SIMILARITY)
            .max_faces(4096)
            .send()
            .await
            .map_err(|e| failed("SearchFacesByImage", e))?;
        let similarity = output
            .face_matches()
            .iter()
            .find(|m| m.face().and_then(|f| f.face_id()) == Some(record.face_id.as_str()))
            .and_then(|m| m.similarity());
        // Not among the matches: under the threshold asked for, not the same person.
        Ok(Some(Likeness::at(
            similarity.unwrap_or(0.0),
            SAME_PERSON_SIMILARITY,
        )))
    }

    async fn is_enrolled(&self, owner: &Username, account_id: &str) -> Result<bool, FaceError> {
        Ok(self
            .record(owner)
            .await?
            .is_some_and(|r| r.account_id == account_id))
    }

    async fn remove(&self, owner: &Username) -> Result<(), FaceError> {
        self.photos
            .delete(&ObjectKey::enrolled_face(owner))
            .await
            .map_err(store_error)?;
        let Some(record) = self.record(owner).await? else {
            return Ok(());
        };
        self.delete_face(&record.face_id).await?;
        self.table
            .delete_face_record(owner)
            .await
            .map_err(store_error)
    }
}

//! Ports of the analysis use cases: photo storage with presigned URLs, analysis records,
//! the photo analyzer, and low-confidence alerts.

use super::{
    Analysis, AnalysisId, Category, Counts, FaceAttributes, FaceBox, Likeness, MaskVerdict,
    ObjectKey,
};
use crate::domain::Username;
use crate::ports::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A request the client makes straight to the photo store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    /// Where to send it.
    pub url: String,
    /// `PUT` for uploads.
    pub method: &'static str,
    /// Headers the client must send exactly (they are part of the signature).
    pub headers: Vec<(String, String)>,
    /// When the signature stops working.
    pub expires_at: OffsetDateTime,
}

/// The photo store (S3 on AWS, files on disk locally). Writing a key under `uploads/` makes
/// the store announce it to the analysis worker (S3 event notification, or the local queue).
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Stores bytes under a key.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn put(
        &self,
        key: &ObjectKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError>;
    /// Reads an object; `None` when absent.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn get(&self, key: &ObjectKey) -> Result<Option<Vec<u8>>, StoreError>;
    /// Removes an object; removing an absent object succeeds.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn delete(&self, key: &ObjectKey) -> Result<(), StoreError>;
    /// A presigned PUT binding the content type and exact length into the signature.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when signing fails.
    async fn presign_put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        length: u64,
        expires_in: Duration,
    ) -> Result<PresignedRequest, StoreError>;
    /// A presigned GET URL.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when signing fails.
    async fn presign_get(
        &self,
        key: &ObjectKey,
        expires_in: Duration,
    ) -> Result<String, StoreError>;
}

/// Analysis records.
#[async_trait]
pub trait AnalysisStore: Send + Sync {
    /// Adds a pending analysis.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the id exists.
    async fn create(&self, analysis: &Analysis) -> Result<(), StoreError>;
    /// Reads one analysis, whoever owns it (callers check ownership).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn get(&self, id: AnalysisId) -> Result<Option<Analysis>, StoreError>;
    /// Records the final result (done or failed) of a pending analysis.
    ///
    /// # Errors
    /// MUST return [`StoreError::Conflict`] and write nothing when the analysis is already
    /// finished (at-least-once delivery: the first result wins), [`StoreError::NotFound`]
    /// when it was deleted.
    async fn finish(&self, analysis: &Analysis) -> Result<(), StoreError>;
    /// One page of an owner's analyses, newest first, all or of one category, after an opaque
    /// cursor from the previous page; returns the next cursor when there is more.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a cursor this store did not make.
    async fn list(
        &self,
        owner: &Username,
        category: Option<Category>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Analysis>, Option<String>), StoreError>;
    /// How many analyses the owner has, in all and per category.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn counts(&self, owner: &Username) -> Result<Counts, StoreError>;
    /// Pending analyses created before `cutoff`, oldest first, at most `limit` (the sweep of
    /// uploads whose photo never arrived).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn pending_before(
        &self,
        cutoff: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Analysis>, StoreError>;
    /// Removes the record and its index entries.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist.
    async fn delete(&self, id: AnalysisId) -> Result<(), StoreError>;
}

/// The erasure of deleted accounts' data. A purge is recorded by [`UserStore::delete`], in the
/// same write as the account's removal, so no account disappears without its purge on record;
/// it stays pending until [`PurgeQueue::complete_purge`].
///
/// [`UserStore::delete`]: crate::ports::UserStore::delete
#[async_trait]
pub trait PurgeQueue: Send + Sync {
    /// Owners whose data is still to be erased, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn pending_purges(&self, limit: usize) -> Result<Vec<Username>, StoreError>;
    /// Whether the data of a deleted account named `owner` is still to be erased.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn purge_pending(&self, owner: &Username) -> Result<bool, StoreError>;
    /// Ends a purge whose analyses are all gone: removes the owner's counts and the pending
    /// mark, together. Ending one that is not pending succeeds.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn complete_purge(&self, owner: &Username) -> Result<(), StoreError>;
}

/// A face as the analyzer found it.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedFace {
    /// Where, as fractions of the oriented image.
    pub bbox: FaceBox,
    /// Detection confidence, 0..100.
    pub confidence: f32,
    /// Our classifier's verdict.
    pub mask: MaskVerdict,
    /// Attributes when the detector gives them.
    pub attributes: Option<FaceAttributes>,
    /// Likeness to the reference face, when the photo was compared with one.
    pub likeness: Option<Likeness>,
}

/// The photo whose largest face every face of the analysed photo is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferencePhoto {
    /// Where it is stored (Rekognition reads it from there).
    pub key: ObjectKey,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The enrolled faces as reference photos, for a person who looks for their own face in a
/// photo: the capture kept with each enrolment (sealed in the database locally, in S3 under
/// [`ObjectKey::enrolled_face`] on AWS). Written by the face vault, read by the worker.
#[async_trait]
pub trait EnrolledFaces: Send + Sync {
    /// The capture `owner` enrolled their face with; `None` when there is none.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn photo(&self, owner: &Username) -> Result<Option<ReferencePhoto>, StoreError>;
}

/// What the analyzer made of a photo.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoAnalysis {
    /// Width after EXIF orientation.
    pub width: u32,
    /// Height after EXIF orientation.
    pub height: u32,
    /// The faces.
    pub faces: Vec<DetectedFace>,
    /// The photo with green and red boxes, as JPEG.
    pub annotated_jpeg: Vec<u8>,
    /// A small copy of the annotated photo, as JPEG.
    pub thumbnail_jpeg: Vec<u8>,
}

/// Why a photo was not analysed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// The photo itself is unusable (not an image, truncated, too many pixels); retrying will
    /// not help. The text is for the person who sent it.
    #[error("{0}")]
    Rejected(String),
    /// Something on our side failed (model, detector service); the job should be retried.
    #[error("analysis failed: {0}")]
    Failed(String),
}

/// Decodes, finds faces, classifies masks and draws the result.
#[async_trait]
pub trait PhotoAnalyzer: Send + Sync {
    /// Analyses the photo stored under `key`, whose bytes are given, and compares each of its
    /// faces with the largest face of `reference` when there is one.
    ///
    /// # Errors
    /// [`AnalyzeError::Rejected`] for unusable photos (or a reference without a face),
    /// [`AnalyzeError::Failed`] otherwise.
    async fn analyze(
        &self,
        key: &ObjectKey,
        bytes: Vec<u8>,
        reference: Option<ReferencePhoto>,
    ) -> Result<PhotoAnalysis, AnalyzeError>;
}

/// An alert about faces detected with low confidence in one photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Same as the analysis id: one alert per photo.
    pub analysis_id: AnalysisId,
    /// Whose photo.
    pub username: Username,
    /// When it was raised.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The confidences (0..100) of the low-confidence faces.
    pub confidences: Vec<f32>,
    /// A sentence for the admins.
    pub message: String,
}

/// Delivers low-confidence alerts to admins (SNS on AWS, a log locally).
#[async_trait]
pub trait AlertSink: Send + Sync {
    /// Raises the alert unless one was already raised for this analysis.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when delivery fails (the job is retried). The sink MUST
    /// deliver once per analysis id: a delivery that failed or was cut short after recording
    /// the alert is completed by the retry, and a retry after a complete delivery sends
    /// nothing.
    async fn raise(&self, alert: &Alert) -> Result<(), StoreError>;
    /// Removes the alert of an analysis, if there is one (its analysis was deleted).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn forget(&self, id: AnalysisId) -> Result<(), StoreError>;
    /// The newest alerts first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn recent(&self, limit: usize) -> Result<Vec<Alert>, StoreError>;
}

/// Why a photo could not be fetched from an address.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The address is not allowed (scheme, private or reserved network, bad URL). The text
    /// says why, for the person who sent it.
    #[error("{0}")]
    Refused(String),
    /// The photo is over the size limit.
    #[error("{0}")]
    TooLarge(String),
    /// The address did not answer in time, or with an error.
    #[error("{0}")]
    Unreachable(String),
}

/// Fetches photos from web addresses for uploads by URL, guarding against server-side request
/// forgery.
#[async_trait]
pub trait PhotoFetcher: Send + Sync {
    /// The body at `url`, at most `max_bytes` long.
    ///
    /// # Errors
    /// [`FetchError`] saying why not.
    async fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError>;
}

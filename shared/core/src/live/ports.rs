//! Ports of the live check: its records, and the alerts it raises.

use super::{Camera, CameraName, EventBatch, HourBucket, LiveSession, LiveSessionId, Violation};
use crate::domain::Username;
use crate::ports::StoreError;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Sessions, violations, cameras and hourly statistics.
#[async_trait]
pub trait LiveStore: Send + Sync {
    /// Adds a new session.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the id exists.
    async fn create_session(&self, session: &LiveSession) -> Result<(), StoreError>;
    /// Reads a session, whoever owns it (callers check ownership).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn session(&self, id: LiveSessionId) -> Result<Option<LiveSession>, StoreError>;
    /// The newest sessions first, of one owner or (`None`) of everyone, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn sessions(
        &self,
        owner: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<LiveSession>, StoreError>;
    /// Records a batch in one atomic write: the session's counts and `seq`, its violations,
    /// and the owner's camera's hour bucket. Returns the updated session.
    ///
    /// # Errors
    /// MUST write nothing and return [`StoreError::Conflict`] when the session's stored `seq`
    /// is not `batch.seq - 1`, when it has ended, or when one of the violations' tracks is
    /// already recorded for it; [`StoreError::NotFound`] when the session is gone.
    async fn record(&self, batch: &EventBatch) -> Result<LiveSession, StoreError>;
    /// Marks a session ended at `at`; returns it.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when it had ended, [`StoreError::NotFound`] when it is gone.
    async fn end_session(
        &self,
        id: LiveSessionId,
        at: OffsetDateTime,
    ) -> Result<LiveSession, StoreError>;
    /// A session's violations, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn violations(&self, id: LiveSessionId) -> Result<Vec<Violation>, StoreError>;
    /// Removes a session and its violations; removing an absent one succeeds.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn delete_session(&self, id: LiveSessionId) -> Result<(), StoreError>;
    /// One camera's settings, when they were ever saved.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn camera(
        &self,
        owner: &Username,
        name: &CameraName,
    ) -> Result<Option<Camera>, StoreError>;
    /// Saves a camera's settings (its `alerted_at` included).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn put_camera(&self, owner: &Username, camera: &Camera) -> Result<(), StoreError>;
    /// Records that an alert was raised for the camera at `at`, unless another was recorded
    /// since `previous` (the `alerted_at` the caller read): returns whether this call won.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn claim_alert(
        &self,
        owner: &Username,
        name: &CameraName,
        previous: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;
    /// Every saved camera of an owner, by name.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn cameras(&self, owner: &Username) -> Result<Vec<Camera>, StoreError>;
    /// Hour buckets from `from` (inclusive) to `to` (exclusive), of one owner or of everyone.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn buckets(
        &self,
        owner: Option<&Username>,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<HourBucket>, StoreError>;
    /// Removes an owner's cameras and hour buckets (the account's purge; its sessions go one by
    /// one through [`LiveStore::delete_session`] first).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn forget_owner(&self, owner: &Username) -> Result<(), StoreError>;
}

/// Too many violations on one camera in its alert window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveAlert {
    /// Whose camera.
    pub owner: Username,
    /// Which camera.
    pub camera: CameraName,
    /// Violations counted in the window.
    pub violations: u32,
    /// The window, in minutes.
    pub minutes: u32,
    /// When it was raised.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl LiveAlert {
    /// The subject line for admins.
    pub fn subject(&self) -> String {
        format!(
            "Facelens: {} mask violations on camera \"{}\"",
            self.violations, self.camera
        )
    }

    /// The text for admins.
    pub fn text(&self) -> String {
        format!(
            "Camera \"{}\" of {} saw {} unmasked people in the last {} minutes (at {}).\n\
             Open Facelens, Statistics, to see its sessions and violations.\n",
            self.camera, self.owner, self.violations, self.minutes, self.at
        )
    }
}

/// Delivers live alerts to admins (SNS on AWS, the outbox locally).
#[async_trait]
pub trait LiveAlertSink: Send + Sync {
    /// Sends the alert.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when delivery fails.
    async fn notify(&self, alert: &LiveAlert) -> Result<(), StoreError>;
}

//! The live check's records.

use crate::analysis::ObjectKey;
use crate::domain::Username;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;
use uuid::Uuid;

/// A live session id: a UUIDv7, so ids sort by start time.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct LiveSessionId(Uuid);

impl LiveSessionId {
    /// A new, time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses an id from text; `None` for anything that is not a UUID.
    pub fn parse(text: &str) -> Option<Self> {
        Uuid::parse_str(text).ok().map(Self)
    }
}

impl Default for LiveSessionId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for LiveSessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A camera's name as its operator typed it: trimmed, 1 to 64 characters, no control
/// characters and no `#` or `/` (they separate parts of store keys).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct CameraName(String);

impl CameraName {
    /// Longest name, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Validates a name.
    ///
    /// # Errors
    /// A sentence for the person when the name breaks a rule.
    pub fn parse(text: &str) -> Result<Self, String> {
        let name = text.trim();
        if name.is_empty() {
            return Err("give the camera a name".into());
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "a camera name has at most {} characters",
                Self::MAX_CHARS
            ));
        }
        if name.chars().any(|c| c.is_control() || c == '#' || c == '/') {
            return Err("a camera name cannot hold control characters, # or /".into());
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CameraName {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<CameraName> for String {
    fn from(name: CameraName) -> String {
        name.0
    }
}

impl fmt::Display for CameraName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// More than `violations` violations within `minutes` minutes alert the admins, at most once
/// per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    /// Violations allowed in the window (1..=1000).
    pub violations: u32,
    /// The window, in minutes (1..=1440).
    pub minutes: u32,
}

/// A camera's settings; a camera nobody configured has [`Camera::default_for`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Camera {
    /// Its name, unique per owner.
    pub name: CameraName,
    /// Whether violations carry a snapshot of the face.
    pub snapshots: bool,
    /// How long a face must stay unmasked to be a violation (1..=60 s).
    pub violation_seconds: u32,
    /// When to alert the admins, if ever.
    #[schema(required = true)]
    pub alert: Option<AlertRule>,
    /// When the last alert for this camera was raised.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub alerted_at: Option<OffsetDateTime>,
}

impl Camera {
    /// Default seconds before an unmasked face is a violation.
    pub const DEFAULT_VIOLATION_SECONDS: u32 = 2;

    /// The settings of a camera nobody configured: no snapshots, 2 s, no alerts.
    pub fn default_for(name: CameraName) -> Self {
        Self {
            name,
            snapshots: false,
            violation_seconds: Self::DEFAULT_VIOLATION_SECONDS,
            alert: None,
            alerted_at: None,
        }
    }
}

/// One run of the live check on one camera.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveSession {
    /// Its id.
    pub id: LiveSessionId,
    /// Who runs it.
    pub owner: Username,
    /// Which camera.
    pub camera: CameraName,
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When it was stopped.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub ended_at: Option<OffsetDateTime>,
    /// The sequence number of the last batch of events recorded (0: none yet).
    pub seq: u64,
    /// When the last batch arrived.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub last_event_at: Option<OffsetDateTime>,
    /// People seen.
    pub faces: u64,
    /// Of them, masked.
    pub masked: u64,
    /// Of them, unmasked.
    pub unmasked: u64,
    /// Violations recorded.
    pub violations: u64,
}

impl LiveSession {
    /// When the session was last heard of: its last batch, or its start.
    pub fn last_heard(&self) -> OffsetDateTime {
        self.last_event_at.unwrap_or(self.started_at)
    }

    /// A session starting now with nothing counted.
    pub fn start(owner: Username, camera: CameraName, now: OffsetDateTime) -> Self {
        Self {
            id: LiveSessionId::new(),
            owner,
            camera,
            started_at: now,
            ended_at: None,
            seq: 0,
            last_event_at: None,
            faces: 0,
            masked: 0,
            unmasked: 0,
            violations: 0,
        }
    }

    /// The session with a batch's counts added and its sequence number taken.
    pub fn with_batch(&self, batch: &EventBatch) -> Self {
        Self {
            seq: batch.seq,
            last_event_at: Some(batch.received_at),
            faces: self.faces + u64::from(batch.faces),
            masked: self.masked + u64::from(batch.masked),
            unmasked: self.unmasked + u64::from(batch.unmasked),
            violations: self.violations + batch.violations.len() as u64,
            ..self.clone()
        }
    }
}

/// A violation as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The browser's track number (unique within the session).
    pub track: u32,
    /// When the face had stayed unmasked long enough.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// How long it had been unmasked then.
    pub unmasked_seconds: f32,
    /// Where its snapshot is stored, when there is one.
    pub snapshot: Option<ObjectKey>,
}

/// A violation as the browser sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewViolation {
    /// The record.
    pub violation: Violation,
    /// The JPEG of the face, when the camera keeps snapshots.
    pub snapshot_jpeg: Option<Vec<u8>>,
}

/// One batch of events of a session, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct EventBatch {
    /// The session.
    pub session: LiveSessionId,
    /// Its owner.
    pub owner: Username,
    /// Its camera.
    pub camera: CameraName,
    /// The batch's number: the session's `seq` plus one.
    pub seq: u64,
    /// When the server received it (its statistics hour).
    pub received_at: OffsetDateTime,
    /// People counted since the previous batch.
    pub faces: u32,
    /// Of them, masked.
    pub masked: u32,
    /// Of them, unmasked.
    pub unmasked: u32,
    /// New violations.
    pub violations: Vec<Violation>,
}

impl EventBatch {
    /// The start of the hour the batch counts in.
    pub fn hour(&self) -> OffsetDateTime {
        start_of_hour(self.received_at)
    }
}

/// The counts of one owner's camera in one hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HourBucket {
    /// Whose camera.
    pub owner: Username,
    /// Which camera.
    pub camera: CameraName,
    /// The hour's start (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub hour: OffsetDateTime,
    /// People seen.
    pub faces: u64,
    /// Of them, masked.
    pub masked: u64,
    /// Of them, unmasked.
    pub unmasked: u64,
    /// Violations.
    pub violations: u64,
}

/// How statistics are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatsPeriod {
    /// Per hour.
    Hour,
    /// Per day (UTC).
    Day,
}

/// The start of the UTC hour holding `at`.
pub fn start_of_hour(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.replace_time(time::Time::from_hms(at.hour(), 0, 0).unwrap_or(time::Time::MIDNIGHT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_names_are_trimmed_and_bounded() {
        assert_eq!(
            CameraName::parse("  Entrance ").expect("valid").as_str(),
            "Entrance"
        );
        for bad in ["", "   ", "a#b", "a/b", "tab\there", &"x".repeat(65)] {
            assert!(CameraName::parse(bad).is_err(), "{bad:?}");
        }
        assert!(CameraName::parse(&"é".repeat(64)).is_ok());
    }

    #[test]
    fn hours_start_on_the_hour_in_utc() {
        let at = time::macros::datetime!(2026-11-30 14:38:44.5 +02:00);
        assert_eq!(
            start_of_hour(at),
            time::macros::datetime!(2026-11-30 12:00 UTC)
        );
    }
}

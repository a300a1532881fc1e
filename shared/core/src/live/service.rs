//! The live check's use cases: sessions, their events, cameras, statistics and alerts.

use super::model::start_of_hour;
use super::ports::{LiveAlert, LiveAlertSink, LiveStore};
use super::{
    AlertRule, Camera, CameraName, EventBatch, HourBucket, LiveSession, LiveSessionId,
    NewViolation, RateLimiter, StatsPeriod, Violation,
};
use crate::analysis::ObjectKey;
use crate::analysis::ports::ObjectStore;
use crate::clock::Clock;
use crate::domain::{Role, User, Username};
use crate::ports::StoreError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Most people one batch may count (a camera at a busy door counts a few per second).
pub const MAX_FACES_PER_BATCH: u32 = 500;
/// Most violations in one batch.
pub const MAX_VIOLATIONS_PER_BATCH: usize = 50;
/// Largest snapshot of a face, in bytes.
pub const MAX_SNAPSHOT_BYTES: usize = 100_000;
/// Most sessions one listing returns.
pub const MAX_SESSIONS: usize = 100;
/// Most days of statistics one query covers.
pub const MAX_STATS_DAYS: u32 = 90;
/// How far a violation's time may be off the server's clock (browsers' clocks drift).
const CLOCK_SLACK: Duration = Duration::seconds(60);
/// A running session not heard of for this long is over: its browser was closed or lost
/// its network (the page sends a batch at least every few seconds while it runs).
pub const IDLE_END: Duration = Duration::minutes(15);
/// How long presigned snapshot URLs work.
const SNAPSHOT_URL_LIFETIME: Duration = Duration::minutes(15);

/// What can go wrong in the live use cases.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The camera name or settings break a rule; the text says which.
    #[error("{0}")]
    InvalidCamera(String),
    /// A batch of events is not believable; the text says why.
    #[error("{0}")]
    InvalidEvents(String),
    /// A query's parameters are out of bounds; the text says which.
    #[error("{0}")]
    InvalidQuery(String),
    /// A snapshot came for a camera whose snapshots are off.
    #[error("snapshots are off for this camera; switch them on in its settings first")]
    SnapshotsOff,
    /// The batch's sequence number is not the next one (a replay, or a batch lost earlier).
    #[error("this batch of events is not the next one (the session's last is {last})")]
    Replayed {
        /// The session's last recorded sequence number.
        last: u64,
    },
    /// The session was stopped.
    #[error("this live session has ended")]
    Ended,
    /// Too many batches for this session.
    #[error("too many events for this session; wait {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the next batch is accepted.
        retry_after_secs: u64,
    },
    /// No such session or camera for this caller.
    #[error("no such live session")]
    NotFound,
    /// Only admins may see every camera.
    #[error("only admins can see every camera")]
    Forbidden,
    /// Our fault; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for LiveError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => LiveError::NotFound,
            other => LiveError::Internal(other.to_string()),
        }
    }
}

/// A batch of events as the browser sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingEvents {
    /// The session's last `seq` plus one.
    pub seq: u64,
    /// People counted since the previous batch.
    pub faces: u32,
    /// Of them, masked.
    pub masked: u32,
    /// Of them, unmasked.
    pub unmasked: u32,
    /// New violations, each with its snapshot when the camera keeps them.
    pub violations: Vec<NewViolation>,
}

/// A statistics query.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsQuery {
    /// Hours or days.
    pub period: StatsPeriod,
    /// How many days back (1..=90); `None` for 2 (hours) or 30 (days).
    pub days: Option<u32>,
    /// Every owner's cameras (admins only).
    pub all: bool,
    /// One camera only.
    pub camera: Option<CameraName>,
}

/// One bucket of statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsBucket {
    /// Its start (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// People seen.
    pub faces: u64,
    /// Of them, masked.
    pub masked: u64,
    /// Of them, unmasked.
    pub unmasked: u64,
    /// Violations.
    pub violations: u64,
}

/// Statistics over a time range, oldest bucket first; empty buckets are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// How the buckets are grouped.
    pub period: StatsPeriod,
    /// The range's start.
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    /// The range's end (exclusive).
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    /// The non-empty buckets.
    pub buckets: Vec<StatsBucket>,
}

/// A violation with a link to its snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct ViolationView {
    /// The record.
    pub violation: Violation,
    /// A short-lived URL of the snapshot, when there is one.
    pub snapshot_url: Option<String>,
}

/// The live check's use cases.
pub struct LiveService {
    store: Arc<dyn LiveStore>,
    objects: Arc<dyn ObjectStore>,
    alerts: Option<Arc<dyn LiveAlertSink>>,
    clock: Arc<dyn Clock>,
    limiter: RateLimiter,
}

impl LiveService {
    /// Batches allowed at once per session.
    pub const BURST: u32 = 10;
    /// Batches per second per session, sustained.
    pub const PER_SECOND: f64 = 1.0;

    /// Wires the use cases, without alerts (enough for a purge).
    pub fn new(
        store: Arc<dyn LiveStore>,
        objects: Arc<dyn ObjectStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            objects,
            alerts: None,
            clock,
            limiter: RateLimiter::new(Self::BURST, Self::PER_SECOND),
        }
    }

    /// Also raises cameras' alerts through `alerts`.
    #[must_use]
    pub fn with_alerts(mut self, alerts: Arc<dyn LiveAlertSink>) -> Self {
        self.alerts = Some(alerts);
        self
    }

    /// Starts a session on a camera; returns it with the camera's settings.
    ///
    /// # Errors
    /// [`LiveError::InvalidCamera`] for a bad name.
    pub async fn start(
        &self,
        caller: &User,
        camera: &str,
    ) -> Result<(LiveSession, Camera), LiveError> {
        let name = CameraName::parse(camera).map_err(LiveError::InvalidCamera)?;
        let camera = self.camera_or_default(&caller.username, name).await?;
        let session = LiveSession::start(
            caller.username.clone(),
            camera.name.clone(),
            self.clock.now(),
        );
        self.store.create_session(&session).await?;
        Ok((session, camera))
    }

    /// The caller's sessions, or everyone's for an admin asking for `all`, newest first.
    ///
    /// # Errors
    /// [`LiveError::Forbidden`] when a non-admin asks for `all`.
    pub async fn sessions(&self, caller: &User, all: bool) -> Result<Vec<LiveSession>, LiveError> {
        let owner = self.scope(caller, all)?;
        let mut sessions = self.store.sessions(owner, MAX_SESSIONS).await?;
        for session in &mut sessions {
            *session = self.end_if_idle(session.clone()).await?;
        }
        Ok(sessions)
    }

    /// The session itself, or, when it has been silent for [`IDLE_END`], the session ended at
    /// the moment it was last heard of.
    async fn end_if_idle(&self, session: LiveSession) -> Result<LiveSession, LiveError> {
        if session.ended_at.is_some() || self.clock.now() - session.last_heard() < IDLE_END {
            return Ok(session);
        }
        match self
            .store
            .end_session(session.id, session.last_heard())
            .await
        {
            Ok(ended) => Ok(ended),
            // Ended or deleted meanwhile: read what is there now.
            Err(StoreError::Conflict(_) | StoreError::NotFound) => {
                Ok(self.store.session(session.id).await?.unwrap_or(session))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// One session (the caller's, or anyone's for an admin) with its violations.
    ///
    /// # Errors
    /// [`LiveError::NotFound`] for an unknown id or someone else's session.
    pub async fn session(
        &self,
        caller: &User,
        id: &str,
    ) -> Result<(LiveSession, Vec<ViolationView>), LiveError> {
        let session = self.readable(caller, id).await?;
        let mut views = Vec::new();
        for violation in self.store.violations(session.id).await? {
            let snapshot_url = match &violation.snapshot {
                Some(key) => Some(self.objects.presign_get(key, SNAPSHOT_URL_LIFETIME).await?),
                None => None,
            };
            views.push(ViolationView {
                violation,
                snapshot_url,
            });
        }
        Ok((session, views))
    }

    /// Records a batch of events of the caller's running session.
    ///
    /// # Errors
    /// [`LiveError::RateLimited`], [`LiveError::Replayed`], [`LiveError::Ended`],
    /// [`LiveError::InvalidEvents`], [`LiveError::SnapshotsOff`], [`LiveError::NotFound`].
    pub async fn record(
        &self,
        caller: &User,
        id: &str,
        events: IncomingEvents,
    ) -> Result<LiveSession, LiveError> {
        let session = self.owned(caller, id).await?;
        self.limiter
            .take(&session.id.to_string(), std::time::Instant::now())
            .map_err(|retry_after_secs| LiveError::RateLimited { retry_after_secs })?;
        if session.ended_at.is_some() {
            return Err(LiveError::Ended);
        }
        if events.seq != session.seq + 1 {
            return Err(LiveError::Replayed { last: session.seq });
        }
        let now = self.clock.now();
        check_events(&session, &events, now)?;
        let camera = self
            .camera_or_default(&session.owner, session.camera.clone())
            .await?;
        if !camera.snapshots && events.violations.iter().any(|v| v.snapshot_jpeg.is_some()) {
            return Err(LiveError::SnapshotsOff);
        }
        let violations = self
            .store_snapshots(&session, events.seq, events.violations)
            .await?;
        let batch = EventBatch {
            session: session.id,
            owner: session.owner.clone(),
            camera: session.camera.clone(),
            seq: events.seq,
            received_at: now,
            faces: events.faces,
            masked: events.masked,
            unmasked: events.unmasked,
            violations,
        };
        let updated = match self.store.record(&batch).await {
            Ok(updated) => updated,
            Err(err) => {
                self.drop_snapshots(&batch.violations).await;
                return Err(match err {
                    StoreError::Conflict(_) => self.conflict_reason(session.id).await,
                    other => other.into(),
                });
            }
        };
        if !batch.violations.is_empty() {
            self.alert_if_due(&camera, &session.owner, now).await;
        }
        Ok(updated)
    }

    /// Stops the caller's session.
    ///
    /// # Errors
    /// [`LiveError::Ended`] when it had ended, [`LiveError::NotFound`].
    pub async fn end(&self, caller: &User, id: &str) -> Result<LiveSession, LiveError> {
        let session = self.owned(caller, id).await?;
        match self.store.end_session(session.id, self.clock.now()).await {
            Err(StoreError::Conflict(_)) => Err(LiveError::Ended),
            other => Ok(other?),
        }
    }

    /// Deletes a session (the caller's, or anyone's for an admin), its violations and their
    /// snapshots.
    ///
    /// # Errors
    /// [`LiveError::NotFound`].
    pub async fn delete(&self, caller: &User, id: &str) -> Result<(), LiveError> {
        let session = self.readable(caller, id).await?;
        self.erase(&session).await
    }

    /// The caller's saved cameras.
    ///
    /// # Errors
    /// [`LiveError::Internal`] when the store fails.
    pub async fn cameras(&self, caller: &User) -> Result<Vec<Camera>, LiveError> {
        Ok(self.store.cameras(&caller.username).await?)
    }

    /// Saves the settings of one of the caller's cameras.
    ///
    /// # Errors
    /// [`LiveError::InvalidCamera`] for a bad name or setting.
    pub async fn configure(
        &self,
        caller: &User,
        name: &str,
        snapshots: bool,
        violation_seconds: u32,
        alert: Option<AlertRule>,
    ) -> Result<Camera, LiveError> {
        let name = CameraName::parse(name).map_err(LiveError::InvalidCamera)?;
        if !(1..=60).contains(&violation_seconds) {
            return Err(LiveError::InvalidCamera(
                "violationSeconds must be from 1 to 60".into(),
            ));
        }
        if let Some(rule) = alert
            && (!(1..=1000).contains(&rule.violations) || !(1..=1440).contains(&rule.minutes))
        {
            return Err(LiveError::InvalidCamera(
                "an alert needs 1 to 1000 violations in 1 to 1440 minutes".into(),
            ));
        }
        let previous = self.store.camera(&caller.username, &name).await?;
        let camera = Camera {
            name,
            snapshots,
            violation_seconds,
            alert,
            alerted_at: previous.and_then(|camera| camera.alerted_at),
        };
        self.store.put_camera(&caller.username, &camera).await?;
        Ok(camera)
    }

    /// Statistics of the caller's cameras, or everyone's for an admin asking for `all`.
    ///
    /// # Errors
    /// [`LiveError::Forbidden`], [`LiveError::InvalidQuery`] for a range out of bounds.
    pub async fn stats(&self, caller: &User, query: &StatsQuery) -> Result<Stats, LiveError> {
        let owner = self.scope(caller, query.all)?;
        let days = query.days.unwrap_or(match query.period {
            StatsPeriod::Hour => 2,
            StatsPeriod::Day => 30,
        });
        if !(1..=MAX_STATS_DAYS).contains(&days) {
            return Err(LiveError::InvalidQuery(format!(
                "days must be from 1 to {MAX_STATS_DAYS}"
            )));
        }
        let now = self.clock.now();
        let to = start_of_hour(now) + Duration::HOUR;
        let from = match query.period {
            StatsPeriod::Hour => to - Duration::days(i64::from(days)),
            StatsPeriod::Day => start_of_day(now) - Duration::days(i64::from(days) - 1),
        };
        let buckets = self.store.buckets(owner, from, to).await?;
        let mut grouped: BTreeMap<OffsetDateTime, StatsBucket> = BTreeMap::new();
        for bucket in buckets
            .iter()
            .filter(|b| query.camera.as_ref().is_none_or(|name| &b.camera == name))
        {
            let start = match query.period {
                StatsPeriod::Hour => bucket.hour,
                StatsPeriod::Day => start_of_day(bucket.hour),
            };
            add_bucket(
                grouped.entry(start).or_insert(StatsBucket::empty(start)),
                bucket,
            );
        }
        Ok(Stats {
            period: query.period,
            from,
            to,
            buckets: grouped.into_values().collect(),
        })
    }

    /// Erases everything of a deleted account's live checks: sessions, violations, snapshots,
    /// cameras and statistics. Running it again after an interruption finishes it.
    ///
    /// # Errors
    /// [`LiveError::Internal`] when a store fails.
    pub async fn erase_owner(&self, owner: &Username) -> Result<(), LiveError> {
        loop {
            let sessions = self.store.sessions(Some(owner), MAX_SESSIONS).await?;
            if sessions.is_empty() {
                break;
            }
            for session in &sessions {
                self.erase(session).await?;
            }
        }
        Ok(self.store.forget_owner(owner).await?)
    }

    fn scope<'a>(&self, caller: &'a User, all: bool) -> Result<Option<&'a Username>, LiveError> {
        match (all, caller.role) {
            (false, _) => Ok(Some(&caller.username)),
            (true, Role::Admin) => Ok(None),
            (true, _) => Err(LiveError::Forbidden),
        }
    }

    async fn find(&self, id: &str) -> Result<LiveSession, LiveError> {
        let id = LiveSessionId::parse(id).ok_or(LiveError::NotFound)?;
        let session = self.store.session(id).await?.ok_or(LiveError::NotFound)?;
        self.end_if_idle(session).await
    }

    /// The caller's own session.
    async fn owned(&self, caller: &User, id: &str) -> Result<LiveSession, LiveError> {
        let session = self.find(id).await?;
        if session.owner == caller.username {
            Ok(session)
        } else {
            Err(LiveError::NotFound)
        }
    }

    /// The caller's session, or anyone's for an admin.
    async fn readable(&self, caller: &User, id: &str) -> Result<LiveSession, LiveError> {
        let session = self.find(id).await?;
        if session.owner == caller.username || caller.role == Role::Admin {
            Ok(session)
        } else {
            Err(LiveError::NotFound)
        }
    }

    async fn camera_or_default(
        &self,
        owner: &Username,
        name: CameraName,
    ) -> Result<Camera, LiveError> {
        Ok(self
            .store
            .camera(owner, &name)
            .await?
            .unwrap_or_else(|| Camera::default_for(name)))
    }

    async fn store_snapshots(
        &self,
        session: &LiveSession,
        seq: u64,
        incoming: Vec<NewViolation>,
    ) -> Result<Vec<Violation>, LiveError> {
        let mut violations = Vec::with_capacity(incoming.len());
        for NewViolation {
            mut violation,
            snapshot_jpeg,
        } in incoming
        {
            if let Some(jpeg) = snapshot_jpeg {
                let key =
                    ObjectKey::live_snapshot(&session.owner, session.id, violation.track, seq);
                if let Err(err) = self.objects.put(&key, jpeg, "image/jpeg").await {
                    self.drop_snapshots(&violations).await;
                    return Err(err.into());
                }
                violation.snapshot = Some(key);
            }
            violations.push(violation);
        }
        Ok(violations)
    }

    /// Removes the snapshots of a batch that was not recorded (their keys hold the batch's
    /// `seq`, so a recorded violation's snapshot is never one of them).
    async fn drop_snapshots(&self, violations: &[Violation]) {
        for violation in violations {
            if let Some(key) = &violation.snapshot
                && let Err(err) = self.objects.delete(key).await
            {
                tracing::warn!(error = %err, "an unrecorded snapshot could not be removed");
            }
        }
    }

    /// Why the store refused a batch: the session moved on or ended meanwhile, or a track was
    /// already recorded.
    async fn conflict_reason(&self, id: LiveSessionId) -> LiveError {
        match self.store.session(id).await {
            Ok(Some(session)) if session.ended_at.is_some() => LiveError::Ended,
            Ok(Some(session)) => LiveError::Replayed { last: session.seq },
            Ok(None) => LiveError::NotFound,
            Err(err) => err.into(),
        }
    }

    async fn erase(&self, session: &LiveSession) -> Result<(), LiveError> {
        for violation in self.store.violations(session.id).await? {
            if let Some(key) = &violation.snapshot {
                self.objects.delete(key).await?;
            }
        }
        Ok(self.store.delete_session(session.id).await?)
    }

    /// Raises the camera's alert when its window holds more violations than its rule allows
    /// and no alert was raised within the window. A failure is logged: the events are kept.
    async fn alert_if_due(&self, camera: &Camera, owner: &Username, now: OffsetDateTime) {
        let (Some(rule), Some(alerts)) = (camera.alert, &self.alerts) else {
            return;
        };
        let window = Duration::minutes(i64::from(rule.minutes));
        if camera.alerted_at.is_some_and(|at| now - at < window) {
            return;
        }
        match self
            .violations_since(owner, &camera.name, now - window)
            .await
        {
            Ok(count) if count > rule.violations => {
                let alert = LiveAlert {
                    owner: owner.clone(),
                    camera: camera.name.clone(),
                    violations: count,
                    minutes: rule.minutes,
                    at: now,
                };
                let sent = match self
                    .store
                    .claim_alert(owner, &camera.name, camera.alerted_at, now)
                    .await
                {
                    Ok(true) => alerts.notify(&alert).await,
                    Ok(false) => Ok(()),
                    Err(err) => Err(err),
                };
                if let Err(err) = sent {
                    tracing::error!(error = %err, camera = %camera.name, "a live alert was not sent");
                }
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "live alert check failed"),
        }
    }

    /// Violations of an owner's camera since `since`, over its sessions running in that time.
    async fn violations_since(
        &self,
        owner: &Username,
        camera: &CameraName,
        since: OffsetDateTime,
    ) -> Result<u32, StoreError> {
        let mut count = 0u32;
        for session in self.store.sessions(Some(owner), MAX_SESSIONS).await? {
            let ran_in_window = session.ended_at.is_none_or(|end| end >= since);
            if &session.camera != camera || !ran_in_window || session.violations == 0 {
                continue;
            }
            let recent = self.store.violations(session.id).await?;
            count +=
                u32::try_from(recent.iter().filter(|v| v.at >= since).count()).unwrap_or(u32::MAX);
        }
        Ok(count)
    }
}

/// Refuses batches no camera could have produced.
fn check_events(
    session: &LiveSession,
    events: &IncomingEvents,
    now: OffsetDateTime,
) -> Result<(), LiveError> {
    let invalid = |text: &str| Err(LiveError::InvalidEvents(text.to_owned()));
    if events.faces > MAX_FACES_PER_BATCH {
        return invalid("a batch counts at most 500 people");
    }
    if u64::from(events.masked) + u64::from(events.unmasked) != u64::from(events.faces) {
        return invalid("faces must equal masked plus unmasked");
    }
    if events.violations.len() > MAX_VIOLATIONS_PER_BATCH {
        return invalid("a batch holds at most 50 violations");
    }
    let mut tracks = Vec::with_capacity(events.violations.len());
    for NewViolation {
        violation,
        snapshot_jpeg,
    } in &events.violations
    {
        if violation.track == 0 || tracks.contains(&violation.track) {
            return invalid("each violation needs its own track number, from 1");
        }
        tracks.push(violation.track);
        if violation.at < session.started_at - CLOCK_SLACK || violation.at > now + CLOCK_SLACK {
            return invalid("a violation's time must fall within its session");
        }
        if !violation.unmasked_seconds.is_finite()
            || !(0.0..=86_400.0).contains(&violation.unmasked_seconds)
        {
            return invalid("unmaskedSeconds must be from 0 to 86400");
        }
        if let Some(jpeg) = snapshot_jpeg {
            if jpeg.len() > MAX_SNAPSHOT_BYTES {
                return invalid("a snapshot is at most 100 KB");
            }
            if !jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) {
                return invalid("a snapshot must be a JPEG image");
            }
        }
    }
    Ok(())
}

fn start_of_day(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(time::UtcOffset::UTC)
        .replace_time(time::Time::MIDNIGHT)
}

impl StatsBucket {
    fn empty(start: OffsetDateTime) -> Self {
        Self {
            start,
            faces: 0,
            masked: 0,
            unmasked: 0,
            violations: 0,
        }
    }
}

fn add_bucket(total: &mut StatsBucket, bucket: &HourBucket) {
    total.faces += bucket.faces;
    total.masked += bucket.masked;
    total.unmasked += bucket.unmasked;
    total.violations += bucket.violations;
}

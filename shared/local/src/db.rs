//! The database handle: reads on the calling task, writes through the group-commit writer.

use crate::writer::Writer;
use facelens_core::ports::StoreError;
use redb::{Database, ReadTransaction, ReadableDatabase, TableDefinition, WriteTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Notify;

/// Accounts by username.
pub(crate) const USERS: TableDefinition<&str, &[u8]> = TableDefinition::new("users");
/// Username by email (the uniqueness index).
pub(crate) const EMAILS: TableDefinition<&str, &str> = TableDefinition::new("emails");
/// One-time tokens by hash.
pub(crate) const TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("tokens");
/// Sign-in attempts by time (`{nanos}:{id}`).
pub(crate) const AUDIT: TableDefinition<&str, &[u8]> = TableDefinition::new("audit");
/// Throttle counters by key (`signin|{name}|{address}`, ...: see `ThrottleKey`).
pub(crate) const THROTTLE: TableDefinition<&str, &[u8]> = TableDefinition::new("throttle");

/// Analysis records by id.
pub(crate) const ANALYSES: TableDefinition<&str, &[u8]> = TableDefinition::new("analyses");
/// Index: `{owner}\0{id}` (ids are time-ordered).
pub(crate) const BY_OWNER: TableDefinition<&str, ()> = TableDefinition::new("analyses_by_owner");
/// Index: `{owner}\0{category}\0{id}`.
pub(crate) const BY_CATEGORY: TableDefinition<&str, ()> =
    TableDefinition::new("analyses_by_category");
/// Index of pending analyses: `{created nanos}\0{id}`, removed when they finish or go.
pub(crate) const PENDING: TableDefinition<&str, ()> = TableDefinition::new("analyses_pending");
/// Per-owner counts.
pub(crate) const ANALYSIS_COUNTS: TableDefinition<&str, &[u8]> =
    TableDefinition::new("analysis_counts");
/// The job queue: `{nanos}:{id}` to the job's state.
pub(crate) const JOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("jobs");
/// Jobs that failed too often.
pub(crate) const DEAD_JOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("dead_jobs");
/// Alerts by `{nanos}:{analysis id}`.
pub(crate) const ALERTS: TableDefinition<&str, &[u8]> = TableDefinition::new("alerts");
/// Analyses already alerted on.
pub(crate) const ALERTED: TableDefinition<&str, ()> = TableDefinition::new("alerted");
/// Enrolled faces, sealed (see [`crate::SealedFaces`]), by account name.
pub(crate) const FACES: TableDefinition<&str, &[u8]> = TableDefinition::new("faces");
/// The captures enrolled faces were taken from, sealed like the faces, by account name.
pub(crate) const FACE_PHOTOS: TableDefinition<&str, &[u8]> = TableDefinition::new("face_photos");
/// Live sessions by id.
pub(crate) const LIVE_SESSIONS: TableDefinition<&str, &[u8]> =
    TableDefinition::new("live_sessions");
/// Index: `{owner}\0{session id}` (ids are time-ordered).
pub(crate) const LIVE_BY_OWNER: TableDefinition<&str, ()> = TableDefinition::new("live_by_owner");
/// Violations by `{session id}\0{track, 10 digits}`.
pub(crate) const LIVE_VIOLATIONS: TableDefinition<&str, &[u8]> =
    TableDefinition::new("live_violations");
/// Camera settings by `{owner}\0{camera}`.
pub(crate) const LIVE_CAMERAS: TableDefinition<&str, &[u8]> = TableDefinition::new("live_cameras");
/// Hour buckets by `{hour nanos}\0{owner}\0{camera}`.
pub(crate) const LIVE_HOURS: TableDefinition<&str, &[u8]> = TableDefinition::new("live_hours");
/// The health check's marker: when it last wrote.
pub(crate) const HEALTH: TableDefinition<&str, &str> = TableDefinition::new("health");
/// Pending purges: the name of a deleted account to when it was deleted (RFC 3339).
pub(crate) const PURGES: TableDefinition<&str, &str> = TableDefinition::new("purges");

/// The embedded database. Cheap to clone; every clone shares one file.
#[derive(Clone)]
pub struct LocalDb {
    pub(crate) inner: Arc<Database>,
    writer: Arc<Writer>,
    /// Woken when a job is queued, so idle workers need not poll (see [`crate::queue`]).
    pub(crate) queued: Arc<Notify>,
}

impl LocalDb {
    /// Opens or creates the database file and its tables.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the file cannot be opened (for example, held by
    /// another running server).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(unavailable)?;
        let txn = db.begin_write().map_err(unavailable)?;
        {
            txn.open_table(USERS).map_err(unavailable)?;
            txn.open_table(EMAILS).map_err(unavailable)?;
            txn.open_table(TOKENS).map_err(unavailable)?;
            txn.open_table(AUDIT).map_err(unavailable)?;
            txn.open_table(THROTTLE).map_err(unavailable)?;
            txn.open_table(ANALYSES).map_err(unavailable)?;
            txn.open_table(BY_OWNER).map_err(unavailable)?;
            txn.open_table(BY_CATEGORY).map_err(unavailable)?;
            txn.open_table(PENDING).map_err(unavailable)?;
            txn.open_table(ANALYSIS_COUNTS).map_err(unavailable)?;
            txn.open_table(JOBS).map_err(unavailable)?;
            txn.open_table(DEAD_JOBS).map_err(unavailable)?;
            txn.open_table(ALERTS).map_err(unavailable)?;
            txn.open_table(ALERTED).map_err(unavailable)?;
            txn.open_table(PURGES).map_err(unavailable)?;
            txn.open_table(FACES).map_err(unavailable)?;
            txn.open_table(FACE_PHOTOS).map_err(unavailable)?;
            txn.open_table(LIVE_SESSIONS).map_err(unavailable)?;
            txn.open_table(LIVE_BY_OWNER).map_err(unavailable)?;
            txn.open_table(LIVE_VIOLATIONS).map_err(unavailable)?;
            txn.open_table(LIVE_CAMERAS).map_err(unavailable)?;
            txn.open_table(LIVE_HOURS).map_err(unavailable)?;
            txn.open_table(HEALTH).map_err(unavailable)?;
        }
        txn.commit().map_err(unavailable)?;
        let inner = Arc::new(db);
        let writer = Arc::new(Writer::start(Arc::clone(&inner))?);
        Ok(Self {
            inner,
            writer,
            queued: Arc::new(Notify::new()),
        })
    }

    /// Runs `work` in its own write transaction on the writer thread; resolves once the
    /// commit is durable (group commit: see [`crate::writer`]).
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        self.writer.write(work).await
    }

    /// Runs `work` in a read transaction, on the calling task. Reads never wait for the writer
    /// (redb's readers see the last commit) and every read here is bounded (one record, one
    /// page of an index), so they are short enough for the async executor; handing them to a
    /// blocking thread cost more than the read itself.
    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&ReadTransaction) -> Result<T, StoreError>,
    {
        let txn = self.inner.begin_read().map_err(unavailable)?;
        work(&txn)
    }
}

/// Maps any driver error to [`StoreError::Unavailable`].
pub(crate) fn unavailable(err: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(err.to_string())
}

/// Serialises a record.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(unavailable)
}

/// Deserialises a record.
pub(crate) fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(unavailable)
}

/// A sortable key part for an instant: nanoseconds since the epoch, zero-padded.
pub(crate) fn time_key(at: time::OffsetDateTime) -> String {
    format!("{:024}", at.unix_timestamp_nanos().max(0))
}

#[async_trait::async_trait]
impl facelens_core::ports::WriteProbe for LocalDb {
    async fn probe_write(&self) -> Result<(), StoreError> {
        let at = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
        self.write(move |txn| {
            txn.open_table(HEALTH)
                .map_err(unavailable)?
                .insert("last_write", at.as_str())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}

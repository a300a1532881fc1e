//! The durable job queue: what S3 event notifications and SQS do on AWS. A job is the key of
//! an uploaded photo; it stays in the database until the worker acknowledges it, so a crash or
//! a `kill -9` mid-analysis loses nothing: the next start hands it out again.

use crate::db::{DEAD_JOBS, JOBS, LocalDb, from_json, time_key, to_json, unavailable};
use facelens_core::ports::StoreError;
use redb::{ReadableTable, ReadableTableMetadata};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Deliveries before a job is moved to the dead-letter table.
pub const MAX_ATTEMPTS: u32 = 5;

/// A job handed to the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Queue position (opaque).
    pub id: String,
    /// The uploaded object's key.
    pub key: String,
    /// How many times it has been handed out, this time included.
    pub attempt: u32,
}

#[derive(Serialize, Deserialize)]
struct JobState {
    key: String,
    attempts: u32,
    /// Unix nanoseconds before which it is not handed out again.
    not_before: i128,
}

impl LocalDb {
    /// Queues the analysis of an uploaded object.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn enqueue(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.write(move |txn| {
            let now = OffsetDateTime::now_utc();
            let id = format!("{}:{}", time_key(now), uuid::Uuid::new_v4());
            let state = JobState {
                key,
                attempts: 0,
                not_before: 0,
            };
            txn.open_table(JOBS)
                .map_err(unavailable)?
                .insert(id.as_str(), to_json(&state)?.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    /// Hands out the oldest job that is due, leasing it for `lease` (a worker that dies holds
    /// it no longer than that, and [`LocalDb::release_all`] frees it at the next start).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn claim(&self, lease: Duration) -> Result<Option<Job>, StoreError> {
        self.write(move |txn| {
            let now = OffsetDateTime::now_utc();
            let mut jobs = txn.open_table(JOBS).map_err(unavailable)?;
            let mut due = None;
            for entry in jobs.iter().map_err(unavailable)? {
                let (id, value) = entry.map_err(unavailable)?;
                let state: JobState = from_json(value.value())?;
                if state.not_before <= now.unix_timestamp_nanos() {
                    due = Some((id.value().to_owned(), state));
                    break;
                }
            }
            let Some((id, mut state)) = due else {
                return Ok(None);
            };
            state.attempts += 1;
            state.not_before = (now + lease).unix_timestamp_nanos();
            jobs.insert(id.as_str(), to_json(&state)?.as_slice())
                .map_err(unavailable)?;
            Ok(Some(Job {
                id,
                key: state.key,
                attempt: state.attempts,
            }))
        })
        .await
    }

    /// Removes a finished job.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn acknowledge(&self, job: &Job) -> Result<(), StoreError> {
        let id = job.id.clone();
        self.write(move |txn| {
            txn.open_table(JOBS)
                .map_err(unavailable)?
                .remove(id.as_str())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    /// Puts a failed job back with a delay growing with its attempts, or moves it to the
    /// dead-letter table after [`MAX_ATTEMPTS`].
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn retry_later(&self, job: &Job) -> Result<(), StoreError> {
        let id = job.id.clone();
        self.write(move |txn| {
            let mut jobs = txn.open_table(JOBS).map_err(unavailable)?;
            let Some(value) = jobs.remove(id.as_str()).map_err(unavailable)? else {
                return Ok(());
            };
            let mut state: JobState = from_json(value.value())?;
            drop(value);
            if state.attempts >= MAX_ATTEMPTS {
                txn.open_table(DEAD_JOBS)
                    .map_err(unavailable)?
                    .insert(id.as_str(), to_json(&state)?.as_slice())
                    .map_err(unavailable)?;
                return Ok(());
            }
            let backoff = Duration::seconds(2i64.pow(state.attempts.min(10)));
            state.not_before = (OffsetDateTime::now_utc() + backoff).unix_timestamp_nanos();
            jobs.insert(id.as_str(), to_json(&state)?.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    /// Frees every lease: called at start, when no worker can be holding one.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn release_all(&self) -> Result<usize, StoreError> {
        self.write(|txn| {
            let mut jobs = txn.open_table(JOBS).map_err(unavailable)?;
            let mut leased = Vec::new();
            for entry in jobs.iter().map_err(unavailable)? {
                let (id, value) = entry.map_err(unavailable)?;
                let state: JobState = from_json(value.value())?;
                if state.not_before > 0 {
                    leased.push((id.value().to_owned(), state));
                }
            }
            let count = leased.len();
            for (id, mut state) in leased {
                state.not_before = 0;
                jobs.insert(id.as_str(), to_json(&state)?.as_slice())
                    .map_err(unavailable)?;
            }
            Ok(count)
        })
        .await
    }

    /// How many jobs wait (due or leased), and how many are dead.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn queue_depth(&self) -> Result<(u64, u64), StoreError> {
        self.read(|txn| {
            let jobs = txn
                .open_table(JOBS)
                .map_err(unavailable)?
                .len()
                .map_err(unavailable)?;
            let dead = txn
                .open_table(DEAD_JOBS)
                .map_err(unavailable)?
                .len()
                .map_err(unavailable)?;
            Ok((jobs, dead))
        })
        .await
    }
}

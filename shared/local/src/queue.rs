//! The durable job queue: what S3 event notifications and SQS do on AWS. A job is the key of
//! an uploaded photo; it stays in the database until the worker acknowledges it, so a crash or
//! a `kill -9` mid-analysis loses nothing: the next start hands it out again.
//!
//! A photo that makes the worker fail, or crash the whole process, is not handed out forever:
//! each delivery is counted when it is claimed, a delivery never settled (acknowledged or put
//! back) is a crash, and a job that crashed [`MAX_CRASHES`] times or failed [`MAX_ATTEMPTS`]
//! times moves to the dead-letter table with its reason, in the same transaction that marks
//! its analysis failed with a reason a person can read.
//!
//! Idle workers look for work with read transactions only and sleep until [`LocalDb::enqueue`]
//! wakes them (or a fallback poll), so an idle server makes no durable write.

use crate::analyses::fail_pending;
use crate::db::{DEAD_JOBS, JOBS, LocalDb, from_json, time_key, to_json, unavailable};
use facelens_core::analysis::ObjectKey;
use facelens_core::ports::StoreError;
use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Deliveries that ended in a reported failure before a job is dead-lettered.
pub const MAX_ATTEMPTS: u32 = 5;
/// Deliveries never settled (the process died, or the lease ran out) before a job is
/// dead-lettered: a photo that crashes the worker is handed out this many times, no more.
pub const MAX_CRASHES: u32 = 3;

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

/// What [`LocalDb::claim`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The job handed out, when one was due.
    pub job: Option<Job>,
    /// The keys of the jobs dead-lettered on the way because they crashed too often: what
    /// their analyses wrote before crashing (annotated images) is for the caller to remove.
    pub dead_lettered: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct JobState {
    key: String,
    /// Deliveries so far.
    attempts: u32,
    /// Deliveries that ended in [`LocalDb::retry_later`]; the other past ones never settled.
    #[serde(default)]
    failures: u32,
    /// Unix nanoseconds before which it is not handed out again.
    not_before: i128,
}

/// A job given up on, kept for the operator.
#[derive(Serialize, Deserialize)]
struct DeadJob {
    key: String,
    attempts: u32,
    /// Why, for the operator (may name the last error).
    reason: String,
    #[serde(with = "time::serde::rfc3339")]
    dead_at: OffsetDateTime,
}

/// The oldest job due at `now` (unix nanoseconds), if any.
fn next_due(
    jobs: &impl ReadableTable<&'static str, &'static [u8]>,
    now: i128,
) -> Result<Option<(String, JobState)>, StoreError> {
    for entry in jobs.iter().map_err(unavailable)? {
        let (id, value) = entry.map_err(unavailable)?;
        let state: JobState = from_json(value.value())?;
        if state.not_before <= now {
            return Ok(Some((id.value().to_owned(), state)));
        }
    }
    Ok(None)
}

/// Moves a job (already removed from the queue) to the dead-letter table and fails its
/// analysis with `plain_reason`, in `txn`.
fn bury(
    txn: &WriteTransaction,
    id: &str,
    state: JobState,
    reason: String,
    plain_reason: &str,
) -> Result<(), StoreError> {
    let now = OffsetDateTime::now_utc();
    tracing::warn!(key = %state.key, attempts = state.attempts, %reason, "job dead-lettered");
    if let Some((_, _, analysis)) = ObjectKey::parse_original(&state.key) {
        fail_pending(txn, analysis, plain_reason, now)?;
    }
    let dead = DeadJob {
        key: state.key,
        attempts: state.attempts,
        reason,
        dead_at: now,
    };
    txn.open_table(DEAD_JOBS)
        .map_err(unavailable)?
        .insert(id, to_json(&dead)?.as_slice())
        .map_err(unavailable)?;
    Ok(())
}

impl LocalDb {
    /// Queues the analysis of an uploaded object and wakes an idle worker.
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
                failures: 0,
                not_before: 0,
            };
            txn.open_table(JOBS)
                .map_err(unavailable)?
                .insert(id.as_str(), to_json(&state)?.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await?;
        self.queued.notify_one();
        Ok(())
    }

    /// Waits until a job is queued or `fallback` has passed, whichever comes first (jobs put
    /// back with a delay become due without a notification).
    pub async fn wait_for_job(&self, fallback: std::time::Duration) {
        let _ = tokio::time::timeout(fallback, self.queued.notified()).await;
    }

    /// Hands out the oldest job that is due, leasing it for `lease` (a worker that dies holds
    /// it no longer than that, and [`LocalDb::release_all`] frees it at the next start). A due
    /// job that already crashed [`MAX_CRASHES`] times is dead-lettered instead (and named in
    /// the answer) and the next one is looked at. When nothing is due, only a read
    /// transaction has run.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn claim(&self, lease: Duration) -> Result<Claim, StoreError> {
        let now = OffsetDateTime::now_utc().unix_timestamp_nanos();
        let anything_due = self
            .read(|txn| {
                let jobs = txn.open_table(JOBS).map_err(unavailable)?;
                Ok(next_due(&jobs, now)?.is_some())
            })
            .await?;
        if !anything_due {
            return Ok(Claim::default());
        }
        self.write(move |txn| {
            let now = OffsetDateTime::now_utc();
            let mut jobs = txn.open_table(JOBS).map_err(unavailable)?;
            let mut dead_lettered = Vec::new();
            while let Some((id, mut state)) = next_due(&jobs, now.unix_timestamp_nanos())? {
                let crashes = state.attempts.saturating_sub(state.failures);
                if crashes >= MAX_CRASHES {
                    jobs.remove(id.as_str()).map_err(unavailable)?;
                    dead_lettered.push(state.key.clone());
                    bury(
                        txn,
                        &id,
                        state,
                        format!("the analysis crashed {crashes} times"),
                        &format!(
                            "the photo could not be analysed: the analysis crashed {crashes} times"
                        ),
                    )?;
                    continue;
                }
                state.attempts += 1;
                state.not_before = (now + lease).unix_timestamp_nanos();
                jobs.insert(id.as_str(), to_json(&state)?.as_slice())
                    .map_err(unavailable)?;
                return Ok(Claim {
                    job: Some(Job {
                        id,
                        key: state.key,
                        attempt: state.attempts,
                    }),
                    dead_lettered,
                });
            }
            Ok(Claim {
                job: None,
                dead_lettered,
            })
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

    /// Puts a failed job back with a delay growing with its failures, or, after
    /// [`MAX_ATTEMPTS`] failures, moves it to the dead-letter table with `error` and marks its
    /// analysis failed. Answers whether it was dead-lettered (what its analysis wrote is then
    /// for the caller to remove).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn retry_later(&self, job: &Job, error: &str) -> Result<bool, StoreError> {
        let id = job.id.clone();
        let error = error.to_owned();
        self.write(move |txn| {
            let mut jobs = txn.open_table(JOBS).map_err(unavailable)?;
            let Some(value) = jobs.remove(id.as_str()).map_err(unavailable)? else {
                return Ok(false);
            };
            let mut state: JobState = from_json(value.value())?;
            drop(value);
            state.failures += 1;
            if state.failures >= MAX_ATTEMPTS {
                let failures = state.failures;
                drop(jobs);
                bury(
                    txn,
                    &id,
                    state,
                    format!("the analysis failed {failures} times; last error: {error}"),
                    &format!(
                        "the photo could not be analysed: the analysis failed {failures} times"
                    ),
                )?;
                return Ok(true);
            }
            let backoff = Duration::seconds(2i64.pow(state.failures.min(10)));
            state.not_before = (OffsetDateTime::now_utc() + backoff).unix_timestamp_nanos();
            jobs.insert(id.as_str(), to_json(&state)?.as_slice())
                .map_err(unavailable)?;
            Ok(false)
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

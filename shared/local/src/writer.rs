//! Group commit: one thread runs every write transaction and pays one `fsync` per batch.
//!
//! redb lets one write transaction run at a time, and a durable commit costs a sync of the
//! file. Under load, callers used to queue for the writer lock and each paid its own sync. Here
//! they queue on a channel instead; the writer thread takes everything that is waiting, runs
//! each job in its own transaction committed without a sync (so a failing job rolls back alone
//! and is invisible to the others), then makes the whole batch durable with one empty durable
//! commit, and only then answers each caller. A caller therefore still learns of success only
//! once its write is on disk. A lone job is committed durably at once, as before. If the
//! batch's sync fails, every caller of the batch gets an error, though their commits stay
//! visible to readers and become durable with the next successful sync.

use crate::db::unavailable;
use facelens_core::ports::StoreError;
use redb::{Database, Durability, WriteTransaction};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;

/// Most jobs made durable by one sync; bounds how long the first caller of a batch waits.
const MAX_BATCH: usize = 256;

/// Runs one caller's work in a transaction and returns how to answer the caller once the
/// batch's durability is known.
type Job = Box<dyn FnOnce(&Database, Durability) -> Reply + Send>;
/// Answers the caller with its result, or with the batch's sync failure.
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The handle to the writer thread. Dropping the last handle lets the thread finish the jobs
/// already queued and waits for it, so the database file is closed when this returns.
pub(crate) struct Writer {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread for `db`.
    pub(crate) fn start(db: Arc<Database>) -> Result<Self, StoreError> {
        let (jobs, queue) = channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("facelens-db-writer".into())
            .spawn(move || run(&db, &queue))
            .map_err(unavailable)?;
        Ok(Self {
            jobs: Some(jobs),
            thread: Some(thread),
        })
    }

    /// Runs `work` in its own write transaction and resolves once the result is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |db, durability| {
            let out = transact(db, durability, work);
            Box::new(move |synced| {
                let result = out.and_then(|value| {
                    synced
                        .map(|()| value)
                        .map_err(|e| StoreError::Unavailable(format!("batch sync failed: {e}")))
                });
                // The caller may have gone away (its request was cancelled); nothing to tell.
                let _ = answer.send(result);
            })
        });
        self.jobs
            .as_ref()
            .ok_or_else(|| unavailable("the database is closing"))?
            .send(job)
            .map_err(|_| unavailable("the database writer has stopped"))?;
        answered
            .await
            .map_err(|_| unavailable("the database writer dropped a write"))?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            // A panic in the writer has already failed its callers; nothing more to report.
            let _ = thread.join();
        }
    }
}

/// The writer thread: batches whatever is waiting, one sync per batch.
fn run(db: &Database, queue: &Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        // A lone job commits durably itself; a batch commits without syncs, then syncs once.
        let lone = batch.len() == 1;
        let durability = if lone {
            Durability::Immediate
        } else {
            Durability::None
        };
        let replies: Vec<Reply> = batch
            .into_iter()
            .filter_map(|job| guarded(job, db, durability))
            .collect();
        let synced = if lone {
            Ok(())
        } else {
            sync(db).map_err(|e| e.to_string())
        };
        for reply in replies {
            reply(synced.clone());
        }
    }
}

/// Runs a job, keeping the writer alive when it panics: the panicking job's transaction is
/// dropped (rolled back) during the unwind and its caller's answer channel closes, which the
/// caller sees as an error.
fn guarded(job: Job, db: &Database, durability: Durability) -> Option<Reply> {
    std::panic::catch_unwind(AssertUnwindSafe(|| job(db, durability))).ok()
}

/// One job's transaction: commits when `work` succeeds, rolls back when it fails.
fn transact<T>(
    db: &Database,
    durability: Durability,
    work: impl FnOnce(&WriteTransaction) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut txn = db.begin_write().map_err(unavailable)?;
    txn.set_durability(durability).map_err(unavailable)?;
    let out = work(&txn)?;
    txn.commit().map_err(unavailable)?;
    Ok(out)
}

/// Makes every earlier non-durable commit durable: an empty commit with immediate durability.
fn sync(db: &Database) -> Result<(), StoreError> {
    let mut txn = db.begin_write().map_err(unavailable)?;
    txn.set_durability(Durability::Immediate)
        .map_err(unavailable)?;
    txn.commit().map_err(unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase, TableDefinition};

    const NOTES: TableDefinition<&str, u64> = TableDefinition::new("notes");

    fn open(dir: &tempfile::TempDir) -> (Arc<Database>, Arc<Writer>) {
        let db = Arc::new(Database::create(dir.path().join("db.redb")).expect("create"));
        let writer = Arc::new(Writer::start(Arc::clone(&db)).expect("writer"));
        (db, writer)
    }

    /// Writes `n` under `key`, or writes it and then fails when `fail` is set.
    async fn note(writer: &Writer, key: String, n: u64, fail: bool) -> Result<u64, StoreError> {
        writer
            .write(move |txn| {
                txn.open_table(NOTES)
                    .map_err(unavailable)?
                    .insert(key.as_str(), n)
                    .map_err(unavailable)?;
                if fail {
                    return Err(StoreError::Conflict(format!("{key} refused")));
                }
                Ok(n)
            })
            .await
    }

    fn stored(db: &Database) -> Vec<(String, u64)> {
        let txn = db.begin_read().expect("read");
        let Ok(table) = txn.open_table(NOTES) else {
            return Vec::new();
        };
        table
            .range::<&str>(..)
            .expect("range")
            .map(|row| {
                let (k, v) = row.expect("row");
                (k.value().to_owned(), v.value())
            })
            .collect()
    }

    /// Many concurrent writers, every other one failing after it wrote: the failures roll back
    /// alone, the others all land, and all of them survive closing and reopening the file.
    /// A first job holds the writer until the others are queued, so they run as batches.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_writes_land_alone_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, writer) = open(&dir);
        let (release, held) = std::sync::mpsc::channel::<()>();
        let gate = {
            let writer = Arc::clone(&writer);
            tokio::spawn(async move {
                writer
                    .write(move |_| held.recv().map_err(unavailable))
                    .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let tasks: Vec<_> = (0..400u64)
            .map(|n| {
                let writer = Arc::clone(&writer);
                tokio::spawn(async move { note(&writer, format!("k{n:03}"), n, n % 2 == 1).await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        release.send(()).expect("release the writer");
        gate.await.expect("gate task").expect("gate write");
        for (n, task) in (0..400u64).zip(tasks) {
            let result = task.await.expect("task");
            if n % 2 == 1 {
                assert!(
                    matches!(result, Err(StoreError::Conflict(_))),
                    "{n}: {result:?}"
                );
            } else {
                assert_eq!(result.expect("write"), n);
            }
        }
        let expected: Vec<_> = (0..400u64)
            .filter(|n| n % 2 == 0)
            .map(|n| (format!("k{n:03}"), n))
            .collect();
        assert_eq!(stored(&db), expected);

        drop(writer);
        drop(db);
        let reopened = Database::create(dir.path().join("db.redb")).expect("reopen");
        assert_eq!(stored(&reopened), expected);
    }

    /// A job that panics fails its own caller and leaves the writer serving the next ones.
    #[tokio::test]
    async fn a_panicking_job_fails_only_its_caller() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, writer) = open(&dir);
        let panicked = writer
            .write(|txn| -> Result<(), StoreError> {
                txn.open_table(NOTES)
                    .map_err(unavailable)?
                    .insert("lost", 1)
                    .map_err(unavailable)?;
                panic!("job bug")
            })
            .await;
        assert!(
            matches!(panicked, Err(StoreError::Unavailable(_))),
            "{panicked:?}"
        );
        assert_eq!(
            note(&writer, "kept".into(), 2, false).await.expect("write"),
            2
        );
        assert_eq!(stored(&db), vec![("kept".to_owned(), 2)]);
    }

    /// Dropping the last handle waits for the thread, so the file can be opened again at once.
    #[tokio::test]
    async fn dropping_the_writer_closes_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (db, writer) = open(&dir);
        note(&writer, "k".into(), 7, false).await.expect("write");
        drop(db);
        drop(writer);
        let reopened = Database::create(dir.path().join("db.redb")).expect("reopen at once");
        assert_eq!(stored(&reopened), vec![("k".to_owned(), 7)]);
    }
}

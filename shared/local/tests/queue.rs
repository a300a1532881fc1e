//! The durable queue under crashes and at idle: a photo that crashes the worker is not handed
//! out forever, an idle queue is watched without writing, an upload wakes an idle worker, and
//! the offline integrity check tells a sound file from a damaged one.

use facelens_core::analysis::ports::{AnalysisStore, ObjectStore};
use facelens_core::analysis::{Analysis, AnalysisId, ImageType, Status};
use facelens_core::domain::Username;
use facelens_local::{Claim, LocalDb, LocalObjects, MAX_CRASHES};
use std::path::Path;
use time::{Duration, OffsetDateTime};

const LEASE: Duration = Duration::minutes(5);

fn objects(dir: &Path, db: &LocalDb) -> LocalObjects {
    LocalObjects::new(
        &dir.join("objects"),
        "http://127.0.0.1:1",
        vec![3; 32],
        db.clone(),
    )
}

/// A pending analysis whose photo has arrived (so its job is queued).
async fn uploaded(dir: &Path, db: &LocalDb) -> Analysis {
    let analysis = Analysis::pending(
        Username::parse("alice").expect("name"),
        "p.jpg".into(),
        ImageType::Jpeg,
        5,
        OffsetDateTime::now_utc(),
    );
    AnalysisStore::create(db, &analysis).await.expect("create");
    objects(dir, db)
        .put(&analysis.original_key, b"photo".to_vec(), "image/jpeg")
        .await
        .expect("put");
    analysis
}

async fn stored(db: &LocalDb, id: AnalysisId) -> Analysis {
    AnalysisStore::get(db, id)
        .await
        .expect("get")
        .expect("the record exists")
}

/// A crash is a claim never acknowledged nor put back, then a restart: the database is
/// closed and reopened, and the start frees every lease, as `facelens serve` does.
#[tokio::test]
async fn a_photo_that_crashes_the_worker_every_time_is_dead_lettered_and_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db.redb");
    let analysis = {
        let db = LocalDb::open(&path).expect("db");
        uploaded(dir.path(), &db).await
    };
    for crash in 1..=MAX_CRASHES {
        let db = LocalDb::open(&path).expect("reopen");
        db.release_all().await.expect("release");
        let job = db
            .claim(LEASE)
            .await
            .expect("claim")
            .job
            .unwrap_or_else(|| panic!("delivery {crash} happens"));
        assert_eq!(
            (job.key.as_str(), job.attempt),
            (analysis.original_key.as_str(), crash)
        );
        // The process dies here, holding the job.
    }
    let db = LocalDb::open(&path).expect("reopen");
    db.release_all().await.expect("release");
    assert_eq!(
        db.claim(LEASE).await.expect("claim"),
        Claim {
            job: None,
            dead_lettered: vec![analysis.original_key.as_str().to_owned()],
        },
        "not handed out a {}th time, and named as dead-lettered",
        MAX_CRASHES + 1
    );
    assert_eq!(
        db.queue_depth().await.expect("depth"),
        (0, 1),
        "dead-lettered"
    );
    let failed = stored(&db, analysis.id).await;
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(
        failed.failure_reason.as_deref(),
        Some("the photo could not be analysed: the analysis crashed 3 times")
    );
    assert!(failed.finished_at.is_some());
}

/// A job behind the dead one is handed out in the same claim.
#[tokio::test]
async fn the_next_job_is_handed_out_past_a_dead_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
    let poison = uploaded(dir.path(), &db).await;
    for _ in 0..MAX_CRASHES {
        db.claim(LEASE)
            .await
            .expect("claim")
            .job
            .expect("the poison");
        db.release_all().await.expect("restart");
    }
    let healthy = uploaded(dir.path(), &db).await;
    let job = db.claim(LEASE).await.expect("claim").job.expect("a job");
    assert_eq!(job.key, healthy.original_key.as_str());
    assert_eq!(stored(&db, poison.id).await.status, Status::Failed);
    assert_eq!(stored(&db, healthy.id).await.status, Status::Pending);
}

/// What an idle worker does, many times over, must leave the file untouched: no commit, so no
/// sync. Checked with nothing queued and with the only job leased.
#[tokio::test]
async fn an_idle_queue_is_watched_without_writing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db.redb");
    let db = LocalDb::open(&path).expect("db");
    let written = |path: &Path| {
        let meta = std::fs::metadata(path).expect("the file");
        (meta.modified().expect("mtime"), meta.len())
    };
    let idle = written(&path);
    for _ in 0..20 {
        assert_eq!(db.claim(LEASE).await.expect("claim"), Claim::default());
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(written(&path), idle, "an empty queue was written to");

    uploaded(dir.path(), &db).await;
    db.claim(LEASE).await.expect("claim").job.expect("the job");
    let busy = written(&path);
    for _ in 0..20 {
        assert_eq!(db.claim(LEASE).await.expect("claim"), Claim::default());
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(
        written(&path),
        busy,
        "a queue with only a leased job was written to"
    );
}

#[tokio::test]
async fn an_upload_wakes_an_idle_worker_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
    let waiting = {
        let db = db.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            db.wait_for_job(std::time::Duration::from_secs(60)).await;
            started.elapsed()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    uploaded(dir.path(), &db).await;
    let waited = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
        .await
        .expect("woken well before the fallback poll")
        .expect("task");
    assert!(waited < std::time::Duration::from_secs(10), "{waited:?}");
}

#[tokio::test]
async fn the_integrity_check_passes_a_sound_file_and_fails_a_damaged_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db.redb");
    {
        let db = LocalDb::open(&path).expect("db");
        for _ in 0..50 {
            uploaded(dir.path(), &db).await;
        }
        db.claim(LEASE).await.expect("claim").job.expect("a job");
    }
    let check = LocalDb::check_file(&path).expect("checks");
    assert!(check.passed);
    assert_eq!((check.waiting_jobs, check.dead_jobs), (50, 0));
    // Held by a server: refused, not checked under it.
    let held = LocalDb::open(&path).expect("db");
    assert!(LocalDb::check_file(&path).is_err());
    drop(held);

    // Garbage over everything past the header page.
    let mut bytes = std::fs::read(&path).expect("read");
    for byte in bytes.iter_mut().skip(4096) {
        *byte ^= 0x5A;
    }
    std::fs::write(&path, bytes).expect("write");
    let damaged = LocalDb::check_file(&path);
    assert!(
        !matches!(damaged, Ok(ref check) if check.passed),
        "{damaged:?}"
    );
    assert!(LocalDb::check_file(&dir.path().join("missing.redb")).is_err());
}

/// Writes cut short leave their bytes only in the folder of partial files, which the next
/// start empties; that folder is never an object.
#[tokio::test]
async fn partial_writes_are_swept_and_never_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
    let analysis = uploaded(dir.path(), &db).await;
    let store = objects(dir.path(), &db);
    assert_eq!(
        store
            .read(analysis.original_key.as_str())
            .await
            .expect("read"),
        Some(b"photo".to_vec())
    );
    let partial = dir.path().join("objects/.partial");
    assert_eq!(
        std::fs::read_dir(&partial).expect("the folder").count(),
        0,
        "a finished write leaves nothing staged"
    );
    std::fs::write(partial.join("cut-short"), b"half a photo").expect("write");
    assert!(store.read(".partial/cut-short").await.is_err());
    assert_eq!(store.sweep_partial().expect("sweep"), 1);
    assert_eq!(std::fs::read_dir(&partial).expect("the folder").count(), 0);
}

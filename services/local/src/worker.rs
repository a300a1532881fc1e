//! The local analysis worker: takes jobs from the durable queue, processes each once, and
//! acknowledges it; failures worth a retry go back with a growing delay, and a photo that keeps
//! failing or crashing ends dead-lettered with its analysis failed (see `facelens_local`'s
//! queue), after which the worker removes the annotated images its analysis had written.
//! An idle worker sleeps until an upload wakes it, polling read-only as a fallback. Beside it,
//! the purge task finishes the purges of deleted accounts that a stop or an error interrupted,
//! and the sweep fails the analyses whose photo never arrived.

use facelens_core::analysis::ObjectKey;
use facelens_core::analysis::ports::{AnalysisStore, ObjectStore};
use facelens_core::analysis::{
    AbandonedUploads, ProcessService, PurgeService, Status, UploadPolicy,
};
use facelens_core::ports::StoreError;
use facelens_local::{Job, LocalDb};
use std::sync::Arc;
use std::time::Duration;

/// How long a claimed job is reserved for its worker.
const LEASE: time::Duration = time::Duration::minutes(5);
/// How long an idle worker sleeps when no upload wakes it (jobs put back with a delay become
/// due without a wake-up); each look is a read transaction, never a write.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// Runs one worker until the process ends.
pub async fn run(queue: LocalDb, process: Arc<ProcessService>, objects: Arc<dyn ObjectStore>) {
    loop {
        match claim_next(&queue, objects.as_ref()).await {
            Ok(Some(job)) => {
                let result = process.process(&job.key).await;
                let settled = match &result {
                    Ok(outcome) => {
                        outcome.log(&job.key);
                        queue.acknowledge(&job).await
                    }
                    Err(err) => {
                        tracing::warn!(key = %job.key, attempt = job.attempt, error = %err, "analysis failed; will retry");
                        match queue.retry_later(&job, &err.to_string()).await {
                            Ok(true) => {
                                discard_results(&queue, objects.as_ref(), &job.key).await;
                                Ok(())
                            }
                            Ok(false) => Ok(()),
                            Err(err) => Err(err),
                        }
                    }
                };
                if let Err(err) = settled {
                    tracing::error!(key = %job.key, error = %err, "job queue update failed");
                    tokio::time::sleep(IDLE_POLL).await;
                }
            }
            Ok(None) => queue.wait_for_job(IDLE_POLL).await,
            Err(err) => {
                tracing::error!(error = %err, "job queue unavailable");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

/// How often the purge task looks for purges left pending (a read; nothing is written when
/// there are none).
const PURGE_POLL: Duration = Duration::from_secs(30);
/// Time the purge task spends per round.
const PURGE_ROUND: Duration = Duration::from_secs(60);

/// Finishes pending purges at start and then every [`PURGE_POLL`], until the process ends.
pub async fn purge(purge: Arc<PurgeService>) {
    loop {
        match purge.resume(PURGE_ROUND).await {
            Ok(0) => {}
            Ok(ended) => tracing::info!(purges = ended, "data of deleted accounts erased"),
            Err(err) => tracing::warn!(error = %err, "purge failed; will retry"),
        }
        tokio::time::sleep(PURGE_POLL).await;
    }
}

/// Fails the analyses whose photo never arrived, at start and then every 30 s (or every grace
/// period, when uploads expire sooner), until the process ends.
pub async fn sweep_abandoned(sweep: Arc<AbandonedUploads>, policy: UploadPolicy) {
    let every = AbandonedUploads::grace(policy)
        .clamp(time::Duration::SECOND, time::Duration::seconds(30))
        .unsigned_abs();
    loop {
        match sweep.sweep().await {
            Ok(0) => {}
            Ok(failed) => tracing::info!(analyses = failed, "uploads that never arrived failed"),
            Err(err) => {
                tracing::warn!(error = %err, "sweep of abandoned uploads failed; will retry")
            }
        }
        tokio::time::sleep(every).await;
    }
}

/// Claims the next job, first removing what the jobs dead-lettered on the way had written.
async fn claim_next(queue: &LocalDb, objects: &dyn ObjectStore) -> Result<Option<Job>, StoreError> {
    let claim = queue.claim(LEASE).await?;
    for key in &claim.dead_lettered {
        discard_results(queue, objects, key).await;
    }
    Ok(claim.job)
}

/// Removes the annotated image and thumbnail a dead-lettered analysis may have written before
/// it crashed: its record is failed and names neither, so nothing else would remove them. An
/// analysis that was finished before its job failed (its alert could not be written) keeps
/// them: its record is done and shows them. The original stays with its record until the
/// record is deleted.
async fn discard_results(analyses: &LocalDb, objects: &dyn ObjectStore, key: &str) {
    let Some((_, owner, id)) = ObjectKey::parse_original(key) else {
        return;
    };
    match AnalysisStore::get(analyses, id).await {
        Ok(Some(analysis)) if analysis.status == Status::Done => return,
        Ok(_) => {}
        Err(err) => {
            // Unknown: keeping the images is the safe side (a later deletion removes them).
            tracing::error!(%key, error = %err, "could not read a dead-lettered analysis");
            return;
        }
    }
    for derived in ObjectKey::derived(&owner, id) {
        if let Err(err) = objects.delete(&derived).await {
            tracing::error!(key = %derived, error = %err, "could not remove a dead-lettered analysis's image");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facelens_core::analysis::{Analysis, ImageType};
    use facelens_core::domain::Username;
    use facelens_local::{LocalObjects, MAX_CRASHES};

    /// A database and object store in a temporary folder, with alice's pending analysis whose
    /// photo has arrived (and queued its job).
    async fn uploaded() -> (tempfile::TempDir, LocalDb, LocalObjects, Analysis) {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
        let objects = LocalObjects::new(
            &dir.path().join("objects"),
            "http://127.0.0.1:1",
            vec![1; 32],
            db.clone(),
        );
        let analysis = Analysis::pending(
            Username::parse("alice").expect("name"),
            "p.jpg".into(),
            ImageType::Jpeg,
            5,
            time::OffsetDateTime::now_utc(),
        );
        AnalysisStore::create(&db, &analysis).await.expect("create");
        objects
            .put(&analysis.original_key, b"photo".to_vec(), "image/jpeg")
            .await
            .expect("upload");
        (dir, db, objects, analysis)
    }

    /// A photo whose analysis wrote its images and then crashed the process every time: once
    /// dead-lettered, its record is failed and its images are gone; the original stays.
    #[tokio::test]
    async fn a_dead_lettered_analysis_leaves_no_annotated_images() {
        let (_dir, db, objects, analysis) = uploaded().await;
        let derived = ObjectKey::derived(&analysis.owner, analysis.id);
        for _ in 0..MAX_CRASHES {
            let job = claim_next(&db, &objects).await.expect("claim");
            assert!(job.is_some());
            for key in &derived {
                objects
                    .put(key, b"half done".to_vec(), "image/jpeg")
                    .await
                    .expect("write");
            }
            db.release_all().await.expect("restart");
        }
        assert_eq!(claim_next(&db, &objects).await.expect("claim"), None);
        let stored = AnalysisStore::get(&db, analysis.id)
            .await
            .expect("get")
            .expect("record");
        assert_eq!(stored.status, Status::Failed);
        for key in &derived {
            assert_eq!(objects.get(key).await.expect("get"), None, "{key}");
        }
        assert!(
            objects
                .get(&analysis.original_key)
                .await
                .expect("get")
                .is_some()
        );
    }

    /// An analysis recorded as done whose job then failed for good (its alert could not be
    /// written): the record stays done and still shows its images.
    #[tokio::test]
    async fn a_done_analysis_whose_job_is_dead_lettered_keeps_its_images() {
        let (_dir, db, objects, mut analysis) = uploaded().await;
        let derived = ObjectKey::derived(&analysis.owner, analysis.id);
        for key in &derived {
            objects
                .put(key, b"annotated".to_vec(), "image/jpeg")
                .await
                .expect("write");
        }
        analysis.status = Status::Done;
        analysis.annotated_key = Some(derived[0].clone());
        analysis.thumbnail_key = Some(derived[1].clone());
        analysis.finished_at = Some(time::OffsetDateTime::now_utc());
        AnalysisStore::finish(&db, &analysis).await.expect("finish");

        for _ in 0..facelens_local::MAX_ATTEMPTS {
            let job = claim_next(&db, &objects)
                .await
                .expect("claim")
                .expect("a job");
            if db
                .retry_later(&job, "the alert store is down")
                .await
                .expect("retry")
            {
                discard_results(&db, &objects, &job.key).await;
            }
            db.release_all().await.expect("due again");
        }
        assert_eq!(
            claim_next(&db, &objects).await.expect("claim"),
            None,
            "dead-lettered"
        );
        let stored = AnalysisStore::get(&db, analysis.id)
            .await
            .expect("get")
            .expect("record");
        assert_eq!(stored.status, Status::Done);
        for key in &derived {
            assert!(objects.get(key).await.expect("get").is_some(), "{key}");
        }
    }
}

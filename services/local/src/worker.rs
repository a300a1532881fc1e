//! The local analysis worker: takes jobs from the durable queue, processes each once, and
//! acknowledges it; failures worth a retry go back with a growing delay, and a photo that keeps
//! failing or crashing ends dead-lettered with its analysis failed (see `facelens_local`'s queue).
//! An idle worker sleeps until an upload wakes it, polling read-only as a fallback.

use facelens_core::analysis::{ProcessOutcome, ProcessService};
use facelens_local::LocalDb;
use std::sync::Arc;
use std::time::Duration;

/// How long a claimed job is reserved for its worker.
const LEASE: time::Duration = time::Duration::minutes(5);
/// How long an idle worker sleeps when no upload wakes it (jobs put back with a delay become
/// due without a wake-up); each look is a read transaction, never a write.
const IDLE_POLL: Duration = Duration::from_secs(1);

/// Runs one worker until the process ends.
pub async fn run(queue: LocalDb, process: Arc<ProcessService>) {
    loop {
        match queue.claim(LEASE).await {
            Ok(Some(job)) => {
                let result = process.process(&job.key).await;
                let settled = match &result {
                    Ok(outcome) => {
                        log_outcome(&job.key, outcome);
                        queue.acknowledge(&job).await
                    }
                    Err(err) => {
                        tracing::warn!(key = %job.key, attempt = job.attempt, error = %err, "analysis failed; will retry");
                        queue.retry_later(&job, &err.to_string()).await
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

fn log_outcome(key: &str, outcome: &ProcessOutcome) {
    match outcome {
        ProcessOutcome::Done => tracing::info!(%key, "analysed"),
        ProcessOutcome::Rejected(reason) => tracing::info!(%key, %reason, "photo rejected"),
        ProcessOutcome::AlreadyFinished => tracing::info!(%key, "duplicate delivery ignored"),
        ProcessOutcome::Ignored => tracing::info!(%key, "nothing to analyse"),
    }
}

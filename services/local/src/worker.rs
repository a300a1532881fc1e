//! The local analysis worker: takes jobs from the durable queue, processes each once, and
//! acknowledges it; failures worth a retry go back with a growing delay. Beside it, the purge
//! task finishes the purges of deleted accounts that a stop or an error interrupted.

use facelens_core::analysis::{ProcessOutcome, ProcessService, PurgeService};
use facelens_local::LocalDb;
use std::sync::Arc;
use std::time::Duration;

/// How long a claimed job is reserved for its worker.
const LEASE: time::Duration = time::Duration::minutes(5);
/// How often an idle worker looks for work.
const IDLE_POLL: Duration = Duration::from_millis(100);

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
                        queue.retry_later(&job).await
                    }
                };
                if let Err(err) = settled {
                    tracing::error!(key = %job.key, error = %err, "job queue update failed");
                    tokio::time::sleep(IDLE_POLL).await;
                }
            }
            Ok(None) => tokio::time::sleep(IDLE_POLL).await,
            Err(err) => {
                tracing::error!(error = %err, "job queue unavailable");
                tokio::time::sleep(Duration::from_secs(1)).await;
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

fn log_outcome(key: &str, outcome: &ProcessOutcome) {
    match outcome {
        ProcessOutcome::Done => tracing::info!(%key, "analysed"),
        ProcessOutcome::Rejected(reason) => tracing::info!(%key, %reason, "photo rejected"),
        ProcessOutcome::AlreadyFinished => tracing::info!(%key, "duplicate delivery ignored"),
        ProcessOutcome::Ignored => tracing::info!(%key, "nothing to analyse"),
    }
}

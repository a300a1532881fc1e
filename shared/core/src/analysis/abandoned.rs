//! Uploads whose photo never arrived: the browser asked for a presigned URL and then never
//! sent the photo (the tab closed, the network dropped). Once the URL has expired, and a grace
//! period after it for an upload that started just before, no photo can come any more, so the
//! pending record is finished as failed, saying why. No pending record outlives its URL by
//! more than the grace period and one sweep interval.

use super::ports::{AnalysisStore, ObjectStore};
use super::{Analysis, AnalysisError, Status, UploadPolicy};
use crate::clock::Clock;
use crate::ports::StoreError;
use std::sync::Arc;
use time::Duration;

/// What a person reads on an analysis whose photo never came.
pub const NEVER_ARRIVED: &str =
    "the photo never arrived (the upload was interrupted); upload it again";
/// The longest grace period after a URL expires: a 15 MB photo on a slow link.
const MAX_GRACE: Duration = Duration::minutes(5);
/// Pending records looked at per sweep round.
const ROUND: usize = 100;

/// Finishes pending analyses whose photo can no longer arrive.
pub struct AbandonedUploads {
    objects: Arc<dyn ObjectStore>,
    analyses: Arc<dyn AnalysisStore>,
    clock: Arc<dyn Clock>,
    wait: Duration,
}

impl AbandonedUploads {
    /// The sweep for uploads presigned under `policy`: a record is abandoned once its URL's
    /// lifetime and the grace period (half the lifetime, at most 5 minutes) have passed.
    pub fn new(
        objects: Arc<dyn ObjectStore>,
        analyses: Arc<dyn AnalysisStore>,
        clock: Arc<dyn Clock>,
        policy: UploadPolicy,
    ) -> Self {
        Self {
            objects,
            analyses,
            clock,
            wait: policy.url_ttl + Self::grace(policy),
        }
    }

    /// The grace period after a URL of `policy` expires.
    pub fn grace(policy: UploadPolicy) -> Duration {
        (policy.url_ttl / 2_i32).min(MAX_GRACE)
    }

    /// Fails every abandoned upload; returns how many. A record whose photo did arrive (its
    /// analysis is only queued) is left to the worker.
    ///
    /// # Errors
    /// [`AnalysisError::Internal`] when a store fails (the next sweep continues).
    pub async fn sweep(&self) -> Result<usize, AnalysisError> {
        let cutoff = self.clock.now() - self.wait;
        let mut failed = 0;
        loop {
            let stale = self.analyses.pending_before(cutoff, ROUND).await?;
            let mut changed = 0;
            for analysis in &stale {
                if self.abandon(analysis).await? {
                    changed += 1;
                }
            }
            failed += changed;
            if stale.len() < ROUND || changed == 0 {
                return Ok(failed);
            }
        }
    }

    async fn abandon(&self, analysis: &Analysis) -> Result<bool, AnalysisError> {
        if self.objects.get(&analysis.original_key).await?.is_some() {
            return Ok(false);
        }
        let mut failed = analysis.clone();
        failed.status = Status::Failed;
        failed.failure_reason = Some(NEVER_ARRIVED.to_owned());
        failed.finished_at = Some(self.clock.now());
        match self.analyses.finish(&failed).await {
            Ok(()) => {
                tracing::info!(analysis = %analysis.id, "an upload never arrived; its analysis failed");
                Ok(true)
            }
            // Finished meanwhile, or deleted: nothing left to do.
            Err(StoreError::Conflict(_) | StoreError::NotFound) => Ok(false),
            Err(other) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grace_is_half_the_url_lifetime_up_to_five_minutes() {
        let policy = |minutes| UploadPolicy {
            url_ttl: Duration::minutes(minutes),
            ..UploadPolicy::default()
        };
        assert_eq!(AbandonedUploads::grace(policy(10)), Duration::minutes(5));
        assert_eq!(AbandonedUploads::grace(policy(60)), Duration::minutes(5));
        assert_eq!(AbandonedUploads::grace(policy(4)), Duration::minutes(2));
    }
}

//! Erasing analyses: one at a time (the owner deletes it), and every one of a deleted account
//! (its purge). Both go through [`erase`], whose order leaves nothing behind when the analysis
//! worker finishes the same analysis at the same moment.

use super::ports::{AlertSink, AnalysisStore, ObjectStore, PurgeQueue};
use super::{Analysis, AnalysisError, ObjectKey};
use crate::domain::Username;
use crate::faces::FaceVault;
use crate::live::LiveService;
use crate::ports::StoreError;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Analyses erased per page of a purge.
const PAGE: usize = 50;
/// Pending purges taken per round of [`PurgeService::resume`].
const ROUND: usize = 20;

/// The photo, annotated image and thumbnail of an analysis. The last two are derived from the
/// owner and the id, so they are named even while the worker may still be writing them.
pub(super) fn objects_of(analysis: &Analysis) -> [ObjectKey; 3] {
    let [annotated, thumbnail] = ObjectKey::derived(&analysis.owner, analysis.id);
    [analysis.original_key.clone(), annotated, thumbnail]
}

/// The stores an erasure touches.
#[derive(Clone)]
pub(crate) struct Erasure {
    pub(crate) objects: Arc<dyn ObjectStore>,
    pub(crate) analyses: Arc<dyn AnalysisStore>,
    pub(crate) alerts: Arc<dyn AlertSink>,
}

impl Erasure {
    /// Erases one analysis: its objects, its record, its objects again, then its alert.
    ///
    /// Objects first, so a crash before the record goes leaves the record to find them by.
    /// Then again after the record, for images a worker wrote in between: the worker writes
    /// them before its `finish`, so either that `finish` came before the record was removed
    /// (and the second pass finds them), or it fails with `NotFound` and the worker removes
    /// them itself. The alert last: a worker raises it after `finish` and then checks that the
    /// record still exists (see [`super::ProcessService`]). A record already gone is not an
    /// error, so a purge can be run again.
    pub(crate) async fn erase(&self, analysis: &Analysis) -> Result<(), StoreError> {
        for key in objects_of(analysis) {
            self.objects.delete(&key).await?;
        }
        match self.analyses.delete(analysis.id).await {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(other) => return Err(other),
        }
        for key in objects_of(analysis) {
            self.objects.delete(&key).await?;
        }
        self.alerts.forget(analysis.id).await
    }
}

/// Erases the data of deleted accounts: every analysis with its photo, annotated image,
/// thumbnail and alert, the enrolled face, the live checks, then the account's counts. Each purge is recorded when its account is
/// deleted and stays pending until it is over, so one that a crash or a timeout interrupts is
/// finished by the next run ([`PurgeService::resume`]).
pub struct PurgeService {
    erasure: Erasure,
    purges: Arc<dyn PurgeQueue>,
    faces: Option<Arc<dyn FaceVault>>,
    live: Option<Arc<LiveService>>,
}

impl PurgeService {
    /// Wires the use case.
    pub fn new(
        objects: Arc<dyn ObjectStore>,
        analyses: Arc<dyn AnalysisStore>,
        alerts: Arc<dyn AlertSink>,
        purges: Arc<dyn PurgeQueue>,
    ) -> Self {
        Self {
            erasure: Erasure {
                objects,
                analyses,
                alerts,
            },
            purges,
            faces: None,
            live: None,
        }
    }

    /// Also forgets the enrolled face of each deleted account.
    #[must_use]
    pub fn with_faces(mut self, faces: Arc<dyn FaceVault>) -> Self {
        self.faces = Some(faces);
        self
    }

    /// Also erases each deleted account's live checks (sessions, violations, snapshots,
    /// cameras, statistics).
    #[must_use]
    pub fn with_live(mut self, live: Arc<LiveService>) -> Self {
        self.live = Some(live);
        self
    }

    /// Erases `owner`'s data page by page and ends the purge; stops between pages once
    /// `budget` is spent. Returns whether the purge is over (otherwise it stays pending).
    ///
    /// # Errors
    /// [`AnalysisError::Internal`] when a store fails (the purge stays pending).
    pub async fn purge(&self, owner: &Username, budget: Duration) -> Result<bool, AnalysisError> {
        let started = Instant::now();
        loop {
            let (page, _) = self.erasure.analyses.list(owner, None, None, PAGE).await?;
            if page.is_empty() {
                break;
            }
            for analysis in &page {
                self.erasure.erase(analysis).await?;
            }
            if started.elapsed() >= budget {
                return Ok(false);
            }
        }
        if let Some(faces) = &self.faces {
            faces
                .remove(owner)
                .await
                .map_err(|e| AnalysisError::Internal(e.to_string()))?;
        }
        if let Some(live) = &self.live {
            live.erase_owner(owner)
                .await
                .map_err(|e| AnalysisError::Internal(e.to_string()))?;
        }
        self.purges.complete_purge(owner).await?;
        tracing::info!(owner = %owner, "the data of a deleted account is erased");
        Ok(true)
    }

    /// Finishes pending purges, oldest first, within `budget`; returns how many ended.
    ///
    /// # Errors
    /// [`AnalysisError::Internal`] when a store fails.
    pub async fn resume(&self, budget: Duration) -> Result<usize, AnalysisError> {
        let started = Instant::now();
        let mut ended = 0;
        loop {
            let pending = self.purges.pending_purges(ROUND).await?;
            if pending.is_empty() {
                return Ok(ended);
            }
            for owner in &pending {
                let left = budget.saturating_sub(started.elapsed());
                if left.is_zero() || !self.purge(owner, left).await? {
                    return Ok(ended);
                }
                ended += 1;
            }
        }
    }

    /// Whether the data of a deleted account named `owner` is still being erased.
    ///
    /// # Errors
    /// [`AnalysisError::Internal`] when the store fails.
    pub async fn is_pending(&self, owner: &Username) -> Result<bool, AnalysisError> {
        Ok(self.purges.purge_pending(owner).await?)
    }
}

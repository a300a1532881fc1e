//! Processing an arrived photo, once: at-least-once delivery may hand the same object over
//! several times, and the result and the alert must still happen once.

use super::ports::{
    Alert, AlertSink, AnalysisStore, AnalyzeError, EnrolledFaces, ObjectStore, PhotoAnalyzer,
    ReferencePhoto,
};
use super::{
    AbandonedUploads, AnalysisError, Category, FaceResult, ObjectKey, Reference, Status,
    UploadPolicy,
};
use crate::clock::Clock;
use crate::metrics::{Metrics, PhotoOutcome};
use crate::ports::StoreError;
use std::sync::Arc;

/// What happened to a delivered object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessOutcome {
    /// Analysed and recorded.
    Done,
    /// The photo was unusable; the record says why.
    Rejected(String),
    /// Already finished by an earlier delivery; nothing changed.
    AlreadyFinished,
    /// The key is not an upload, or its analysis was deleted (whatever of it the store still
    /// held, photo and images, is removed); nothing else to do.
    Ignored,
}

impl ProcessOutcome {
    /// Logs what happened to the object under `key`, the same way in every worker.
    pub fn log(&self, key: &str) {
        match self {
            ProcessOutcome::Done => tracing::info!(%key, "analysed"),
            ProcessOutcome::Rejected(reason) => tracing::info!(%key, %reason, "photo rejected"),
            ProcessOutcome::AlreadyFinished => tracing::info!(%key, "duplicate delivery ignored"),
            ProcessOutcome::Ignored => tracing::info!(%key, "nothing to analyse"),
        }
    }
}

/// The worker's use case.
pub struct ProcessService {
    objects: Arc<dyn ObjectStore>,
    analyses: Arc<dyn AnalysisStore>,
    analyzer: Arc<dyn PhotoAnalyzer>,
    alerts: Arc<dyn AlertSink>,
    clock: Arc<dyn Clock>,
    /// Faces detected with less confidence than this (0..100) raise an alert.
    alert_below: f32,
    /// Counts photos, faces, alerts and time; `None` where nobody reads them.
    metrics: Option<Arc<Metrics>>,
    /// The enrolled faces people may look for; `None` where faces cannot be enrolled.
    enrolled: Option<Arc<dyn EnrolledFaces>>,
}

impl ProcessService {
    /// Wires the use case; `alert_below` is the confidence threshold (50 by default).
    pub fn new(
        objects: Arc<dyn ObjectStore>,
        analyses: Arc<dyn AnalysisStore>,
        analyzer: Arc<dyn PhotoAnalyzer>,
        alerts: Arc<dyn AlertSink>,
        clock: Arc<dyn Clock>,
        alert_below: f32,
    ) -> Self {
        Self {
            objects,
            analyses,
            analyzer,
            alerts,
            clock,
            alert_below,
            metrics: None,
            enrolled: None,
        }
    }

    /// The counters this service updates, if any.
    pub fn metrics(&self) -> Option<&Arc<Metrics>> {
        self.metrics.as_ref()
    }

    /// Also counts each photo's outcome, faces, masks, alerts and time in `metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Lets photos be compared with their owner's enrolled face, read from `enrolled`.
    #[must_use]
    pub fn with_enrolled_faces(mut self, enrolled: Arc<dyn EnrolledFaces>) -> Self {
        self.enrolled = Some(enrolled);
        self
    }

    /// Fails the pending analyses whose photo, uploaded under `policy`, can no longer arrive
    /// (see [`AbandonedUploads`]); returns how many.
    ///
    /// # Errors
    /// [`AnalysisError::Internal`] when a store fails.
    pub async fn sweep_abandoned(&self, policy: UploadPolicy) -> Result<usize, AnalysisError> {
        AbandonedUploads::new(
            Arc::clone(&self.objects),
            Arc::clone(&self.analyses),
            Arc::clone(&self.clock),
            policy,
        )
        .sweep()
        .await
    }

    /// Processes the object under `key`.
    ///
    /// # Errors
    /// [`AnalysisError::Internal`] for failures worth a retry (store down, model failed);
    /// unusable photos are not errors but a `Rejected` outcome recorded on the analysis.
    pub async fn process(&self, key: &str) -> Result<ProcessOutcome, AnalysisError> {
        let started = std::time::Instant::now();
        let result = self.process_once(key).await;
        if let Some(metrics) = &self.metrics {
            // A finished photo is counted where its faces are known (`process_once`).
            let took = started.elapsed();
            match &result {
                Ok(ProcessOutcome::Rejected(_)) => {
                    metrics.photo(PhotoOutcome::Rejected, 0, 0, took)
                }
                Err(_) => metrics.photo(PhotoOutcome::Failed, 0, 0, took),
                Ok(_) => {}
            }
        }
        result
    }

    async fn process_once(&self, key: &str) -> Result<ProcessOutcome, AnalysisError> {
        let started = std::time::Instant::now();
        let Some((key, _owner, id)) = ObjectKey::parse_original(key) else {
            return Ok(ProcessOutcome::Ignored);
        };
        let Some(mut analysis) = self.analyses.get(id).await? else {
            // Its analysis was deleted before the photo arrived (records are made before the
            // upload is allowed): the photo must not outlive it.
            self.objects.delete(&key).await?;
            return Ok(ProcessOutcome::Ignored);
        };
        if analysis.status != Status::Pending {
            self.alert_if_needed(&analysis.owner, id, &analysis.faces)
                .await?;
            return Ok(ProcessOutcome::AlreadyFinished);
        }
        let Some(bytes) = self.objects.get(&key).await? else {
            return Ok(ProcessOutcome::Ignored);
        };

        let analyzed = match self.reference_of(&analysis).await? {
            Ok(reference) => self.analyzer.analyze(&key, bytes, reference).await,
            Err(gone) => Err(gone),
        };
        let outcome = match analyzed {
            Ok(result) => {
                let annotated = ObjectKey::annotated(&analysis.owner, id);
                let thumbnail = ObjectKey::thumbnail(&analysis.owner, id);
                self.objects
                    .put(&annotated, result.annotated_jpeg, "image/jpeg")
                    .await?;
                self.objects
                    .put(&thumbnail, result.thumbnail_jpeg, "image/jpeg")
                    .await?;
                analysis.faces = result
                    .faces
                    .into_iter()
                    .map(|face| FaceResult {
                        bbox: face.bbox,
                        low_confidence: face.confidence < self.alert_below,
                        confidence: face.confidence,
                        mask: face.mask,
                        attributes: face.attributes,
                        likeness: face.likeness,
                    })
                    .collect();
                analysis.width = Some(result.width);
                analysis.height = Some(result.height);
                analysis.category = Some(Category::from_counts(
                    analysis.face_count(),
                    analysis.masked_count(),
                ));
                analysis.annotated_key = Some(annotated);
                analysis.thumbnail_key = Some(thumbnail);
                analysis.status = Status::Done;
                ProcessOutcome::Done
            }
            Err(AnalyzeError::Rejected(reason)) => {
                analysis.status = Status::Failed;
                analysis.failure_reason = Some(reason.clone());
                ProcessOutcome::Rejected(reason)
            }
            Err(AnalyzeError::Failed(cause)) => return Err(AnalysisError::Internal(cause)),
        };
        analysis.finished_at = Some(self.clock.now());
        match self.analyses.finish(&analysis).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Ok(ProcessOutcome::AlreadyFinished),
            Err(StoreError::NotFound) => {
                // Deleted while we worked: remove what we wrote, and the photo.
                self.remove_objects(&analysis).await?;
                return Ok(ProcessOutcome::Ignored);
            }
            Err(other) => return Err(other.into()),
        }
        if let (Some(metrics), ProcessOutcome::Done) = (&self.metrics, &outcome) {
            let faces = analysis.face_count();
            let masked = analysis.masked_count();
            metrics.photo(PhotoOutcome::Done, faces, masked, started.elapsed());
        }
        let alerted = self
            .alert_if_needed(&analysis.owner, id, &analysis.faces)
            .await?;
        if let (true, Some(metrics)) = (alerted, &self.metrics) {
            metrics.alert();
        }
        if alerted && self.analyses.get(id).await?.is_none() {
            // Deleted between our finish and our alert, after the deletion looked for it.
            self.alerts.forget(id).await?;
        }
        Ok(outcome)
    }

    /// The photo the analysis compares its faces with, if any; `Err(Rejected)` when the
    /// reference was deleted (or is not the owner's) before its photo could be read, or the
    /// owner has no enrolled face to look for.
    async fn reference_of(
        &self,
        analysis: &super::Analysis,
    ) -> Result<Result<Option<ReferencePhoto>, AnalyzeError>, AnalysisError> {
        let id = match analysis.reference {
            None => return Ok(Ok(None)),
            Some(Reference::EnrolledFace) => return self.enrolled_face_of(analysis).await,
            Some(Reference::Analysis(id)) => id,
        };
        let gone = || AnalyzeError::Rejected("the reference photo was deleted".into());
        let Some(reference) = self.analyses.get(id).await? else {
            return Ok(Err(gone()));
        };
        if reference.owner != analysis.owner {
            return Ok(Err(gone()));
        }
        let Some(bytes) = self.objects.get(&reference.original_key).await? else {
            return Ok(Err(gone()));
        };
        Ok(Ok(Some(ReferencePhoto {
            key: reference.original_key,
            bytes,
        })))
    }

    /// The capture of the owner's enrolled face, or why there is none to compare with.
    async fn enrolled_face_of(
        &self,
        analysis: &super::Analysis,
    ) -> Result<Result<Option<ReferencePhoto>, AnalyzeError>, AnalysisError> {
        let photo = match &self.enrolled {
            Some(enrolled) => enrolled.photo(&analysis.owner).await?,
            None => None,
        };
        Ok(photo.map(Some).ok_or_else(|| {
            AnalyzeError::Rejected(
                "you have no enrolled face to look for: enrol your face on the Face sign-in \
                 page first (a face enrolled before this feature must be enrolled again)"
                    .into(),
            )
        }))
    }

    async fn remove_objects(&self, analysis: &super::Analysis) -> Result<(), AnalysisError> {
        for key in super::purge::objects_of(analysis) {
            self.objects.delete(&key).await?;
        }
        Ok(())
    }

    /// Raises the alert when a face is under the threshold; returns whether one was raised.
    async fn alert_if_needed(
        &self,
        owner: &crate::domain::Username,
        id: super::AnalysisId,
        faces: &[FaceResult],
    ) -> Result<bool, AnalysisError> {
        let confidences: Vec<f32> = faces
            .iter()
            .filter(|f| f.confidence < self.alert_below)
            .map(|f| f.confidence)
            .collect();
        if confidences.is_empty() {
            return Ok(false);
        }
        let message = format!(
            "{} face(s) in analysis {id} of {owner} were detected with less than {:.0}% confidence (lowest {:.1}%)",
            confidences.len(),
            self.alert_below,
            confidences.iter().copied().fold(f32::INFINITY, f32::min),
        );
        let alert = Alert {
            analysis_id: id,
            username: owner.clone(),
            created_at: self.clock.now(),
            confidences,
            message,
        };
        self.alerts.raise(&alert).await?;
        Ok(true)
    }
}

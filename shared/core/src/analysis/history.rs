//! Reading and deleting analyses; every read checks the owner, and another user's analysis is
//! answered exactly like a missing one.

use super::ports::{Alert, AlertSink, AnalysisStore, ObjectStore};
use super::{Analysis, AnalysisError, AnalysisId, Category};
use crate::auth::AuthError;
use crate::domain::{Role, User};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::Duration;

/// How many analyses a user has, in all and per list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// All analyses.
    pub all: u64,
    /// No faces found.
    pub no_faces: u64,
    /// Every face masked.
    pub all_masked: u64,
    /// No face masked.
    pub none_masked: u64,
    /// Some masked.
    pub some_masked: u64,
}

impl Counts {
    /// Adds `delta` (1 or -1) for an analysis in `category` (`None` while pending).
    pub fn add(&mut self, category: Option<Category>, delta: i64) {
        let bump = |n: &mut u64| *n = n.saturating_add_signed(delta);
        bump(&mut self.all);
        match category {
            Some(Category::NoFaces) => bump(&mut self.no_faces),
            Some(Category::AllMasked) => bump(&mut self.all_masked),
            Some(Category::NoneMasked) => bump(&mut self.none_masked),
            Some(Category::SomeMasked) => bump(&mut self.some_masked),
            None => {}
        }
    }
}

/// One page of history.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    /// Analyses, newest first.
    pub items: Vec<Analysis>,
    /// Opaque cursor for the next page.
    pub next_cursor: Option<String>,
    /// Totals for the tabs.
    pub counts: Counts,
}

/// The read side.
pub struct AnalysisService {
    objects: Arc<dyn ObjectStore>,
    analyses: Arc<dyn AnalysisStore>,
    alerts: Arc<dyn AlertSink>,
    /// Lifetime of image URLs handed out.
    pub url_ttl: Duration,
}

/// Largest page.
pub const MAX_PAGE: usize = 100;

impl AnalysisService {
    /// Wires the use cases.
    pub fn new(
        objects: Arc<dyn ObjectStore>,
        analyses: Arc<dyn AnalysisStore>,
        alerts: Arc<dyn AlertSink>,
    ) -> Self {
        Self {
            objects,
            analyses,
            alerts,
            url_ttl: Duration::minutes(15),
        }
    }

    /// The caller's analysis.
    ///
    /// # Errors
    /// [`AnalysisError::NotFound`] when missing or someone else's.
    pub async fn get(&self, caller: &User, id: &str) -> Result<Analysis, AnalysisError> {
        let id = AnalysisId::parse(id).ok_or(AnalysisError::NotFound)?;
        match self.analyses.get(id).await? {
            Some(analysis) if analysis.owner == caller.username => Ok(analysis),
            _ => Err(AnalysisError::NotFound),
        }
    }

    /// A short-lived URL for an object of one of the caller's analyses.
    ///
    /// # Errors
    /// [`AnalysisError::Internal`] when signing fails.
    pub async fn url(&self, key: &super::ObjectKey) -> Result<String, AnalysisError> {
        Ok(self.objects.presign_get(key, self.url_ttl).await?)
    }

    /// One page of the caller's history.
    ///
    /// # Errors
    /// [`AnalysisError::Invalid`] for a cursor that is not ours.
    pub async fn list(
        &self,
        caller: &User,
        category: Option<Category>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<HistoryPage, AnalysisError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (items, next_cursor) = self
            .analyses
            .list(&caller.username, category, cursor, limit)
            .await
            .map_err(|e| match e {
                crate::ports::StoreError::Conflict(_) => AnalysisError::Invalid(
                    "the cursor is not valid; start from the first page".into(),
                ),
                other => other.into(),
            })?;
        let counts = self.analyses.counts(&caller.username).await?;
        Ok(HistoryPage {
            items,
            next_cursor,
            counts,
        })
    }

    /// Deletes the caller's analysis, its images and its alert.
    ///
    /// # Errors
    /// [`AnalysisError::NotFound`] when missing or someone else's.
    pub async fn delete(&self, caller: &User, id: &str) -> Result<(), AnalysisError> {
        let analysis = self.get(caller, id).await?;
        let erasure = super::purge::Erasure {
            objects: Arc::clone(&self.objects),
            analyses: Arc::clone(&self.analyses),
            alerts: Arc::clone(&self.alerts),
        };
        Ok(erasure.erase(&analysis).await?)
    }

    /// The newest alerts, for admins.
    ///
    /// # Errors
    /// [`AuthError::Forbidden`] for non-admins.
    pub async fn alerts(&self, caller: &User, limit: usize) -> Result<Vec<Alert>, AuthError> {
        if caller.role != Role::Admin {
            return Err(AuthError::Forbidden);
        }
        self.alerts
            .recent(limit.clamp(1, 500))
            .await
            .map_err(AuthError::from)
    }
}

//! The analyses read API: `GET /api/analyses`, `GET` and `DELETE /api/analyses/{id}`, and the
//! admins' `GET /api/alerts`.

mod alerts;
mod history;
mod one;
pub(crate) mod view;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use facelens_core::analysis::AnalysisService;
use facelens_core::auth::AuthService;
use std::sync::Arc;

/// What the analyses routes need.
#[derive(Clone)]
pub struct AnalysesState {
    /// Token checks.
    pub auth: Arc<AuthService>,
    /// The read side.
    pub analyses: Arc<AnalysisService>,
}

impl FromRef<AnalysesState> for Arc<AuthService> {
    fn from_ref(state: &AnalysesState) -> Self {
        Arc::clone(&state.auth)
    }
}

/// The analyses routes in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(history::list, one::get, one::delete, alerts::list))]
pub(crate) struct Api;
/// The analyses router.
pub fn router(state: AnalysesState) -> Router {
    Router::new()
        .route("/api/analyses", get(history::list))
        .route("/api/analyses/{id}", get(one::get).delete(one::delete))
        .route("/api/alerts", get(alerts::list))
        .with_state(state)
}

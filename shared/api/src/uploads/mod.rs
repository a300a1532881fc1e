//! The uploads service's routes: `POST /api/uploads` (a presigned upload),
//! `POST /api/uploads/from-url` (the server fetches the photo), `GET /api/uploads/policy` and
//! `POST /api/analyses` (a photo analysed in one request, for scripts).

mod analyse;
mod from_url;
mod policy;
mod presign;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post};
use facelens_core::analysis::ports::PhotoFetcher;
use facelens_core::analysis::{AnalysisService, UploadService};
use facelens_core::auth::AuthService;
use std::sync::Arc;

/// What the upload routes need.
#[derive(Clone)]
pub struct UploadsState {
    /// Token checks.
    pub auth: Arc<AuthService>,
    /// The upload use cases.
    pub uploads: Arc<UploadService>,
    /// Fetches photos by URL, with the SSRF guard.
    pub fetcher: Arc<dyn PhotoFetcher>,
    /// Reads the analysis a photo sent to `POST /api/analyses` became.
    pub analyses: Arc<AnalysisService>,
    /// The largest photo `POST /api/analyses` takes in its body: the upload limit locally; on
    /// AWS less, since Lambda takes at most 6 MB of request (base64 included).
    pub max_request_bytes: u64,
}

impl FromRef<UploadsState> for Arc<AuthService> {
    fn from_ref(state: &UploadsState) -> Self {
        Arc::clone(&state.auth)
    }
}

/// The uploads routes in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(presign::presign, from_url::from_url, policy::policy, analyse::analyse))]
pub(crate) struct Api;
/// The uploads router.
pub fn router(state: UploadsState) -> Router {
    Router::new()
        .route("/api/uploads", post(presign::presign))
        .route("/api/uploads/from-url", post(from_url::from_url))
        .route("/api/uploads/policy", get(policy::policy))
        .layer(DefaultBodyLimit::max(8 * 1024))
        // Its own limit, checked as the body is read (a JSON 413, not axum's text one).
        .route(
            "/api/analyses",
            post(analyse::analyse).layer(DefaultBodyLimit::disable()),
        )
        .with_state(state)
}

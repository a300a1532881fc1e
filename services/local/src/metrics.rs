//! `GET /metrics`: the server's counters in the Prometheus text format, for a scraper on the
//! same machine (or an admin through a proxy: [`crate::operator`]).

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use facelens_api::ApiError;
use facelens_api::client::ClientAddress;
use facelens_api::extract::SignedIn;
use facelens_core::auth::AuthService;
use facelens_core::metrics::Metrics;
use std::sync::Arc;

/// What the route needs.
#[derive(Clone)]
pub struct MetricsState {
    /// Admin token checks.
    pub auth: Arc<AuthService>,
    /// The counters.
    pub metrics: Arc<Metrics>,
}

impl FromRef<MetricsState> for Arc<AuthService> {
    fn from_ref(state: &MetricsState) -> Self {
        Arc::clone(&state.auth)
    }
}

/// The route.
pub fn router(state: MetricsState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "service",
    responses(
        (status = 200, description = "counters in the Prometheus text format (local server only; this machine or an admin)", content_type = "text/plain"),
        (status = 401, description = "no valid token (or wrong credentials)", body = facelens_api::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = facelens_api::ErrorBody)
    ),
    security(("bearer" = []))
)]
async fn metrics(
    State(state): State<MetricsState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    caller: Result<SignedIn, ApiError>,
) -> Result<Response, ApiError> {
    crate::operator::require_operator(client, &headers, caller)?;
    let mut response = state.metrics.prometheus().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

//! The live check's API: sessions and their events, cameras, statistics.
//!
//! - `POST /api/live/sessions`, `GET /api/live/sessions[?all=true]`
//! - `GET` and `DELETE /api/live/sessions/{id}`, `POST /api/live/sessions/{id}/events`,
//!   `POST /api/live/sessions/{id}/end`
//! - `GET /api/live/cameras`, `PUT /api/live/cameras/{name}`
//! - `GET /api/live/stats?period=hour|day[&days=][&all=true][&camera=]`

mod cameras;
mod events;
mod sessions;
mod stats;
mod view;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post, put};
use facelens_core::auth::AuthService;
use facelens_core::live::LiveService;
use std::sync::Arc;

/// Largest batch of events: a few snapshots of at most 100 KB each, as base64.
pub const MAX_EVENTS_BODY_BYTES: usize = 1024 * 1024;
/// Largest body of the other live routes.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// What the live routes need.
#[derive(Clone)]
pub struct LiveState {
    /// Token checks.
    pub auth: Arc<AuthService>,
    /// The use cases.
    pub live: Arc<LiveService>,
}

impl FromRef<LiveState> for Arc<AuthService> {
    fn from_ref(state: &LiveState) -> Self {
        Arc::clone(&state.auth)
    }
}

/// The live routes in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    sessions::start,
    sessions::list,
    sessions::one,
    sessions::end,
    sessions::delete,
    events::record,
    cameras::list,
    cameras::configure,
    stats::get
))]
pub(crate) struct Api;
/// The live router.
pub fn router(state: LiveState) -> Router {
    let events = Router::new()
        .route("/api/live/sessions/{id}/events", post(events::record))
        .layer(DefaultBodyLimit::max(MAX_EVENTS_BODY_BYTES));
    Router::new()
        .route(
            "/api/live/sessions",
            post(sessions::start).get(sessions::list),
        )
        .route(
            "/api/live/sessions/{id}",
            get(sessions::one).delete(sessions::delete),
        )
        .route("/api/live/sessions/{id}/end", post(sessions::end))
        .route("/api/live/cameras", get(cameras::list))
        .route("/api/live/cameras/{name}", put(cameras::configure))
        .route("/api/live/stats", get(stats::get))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(events)
        .with_state(state)
}

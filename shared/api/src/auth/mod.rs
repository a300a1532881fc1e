//! The auth service's routes: sign-in (with a password or a face), the caller's account and
//! enrolled face, password recovery, and the admin routes for users and the sign-in audit.

mod audit;
mod face;
mod login;
mod me;
mod recovery;
mod users;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{delete, get, post, put};
use facelens_core::auth::AuthService;
use std::sync::Arc;

/// Largest JSON body the auth routes accept.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
pub use face::MAX_FACE_BODY_BYTES;

/// What the auth routes need.
#[derive(Clone)]
pub struct AuthState {
    /// The auth use cases.
    pub service: Arc<AuthService>,
    /// Whether this process loaded the ONNX models (`/api/health` says `models: ok`);
    /// `None` where no models run (the auth Lambda: the browser loads its models from the CDN).
    pub models_loaded: Option<bool>,
}

impl FromRef<AuthState> for Arc<AuthService> {
    fn from_ref(state: &AuthState) -> Self {
        Arc::clone(&state.service)
    }
}

/// The auth router, paths included (`/api/auth/...`, `/api/me`, `/api/users`, ...).
pub fn router(state: AuthState) -> Router {
    // Camera captures are larger than any other auth body.
    let faces = Router::new()
        .route("/api/auth/face", post(face::login))
        .route(
            "/api/me/face",
            get(face::status).put(face::enrol).delete(face::remove),
        )
        .layer(DefaultBodyLimit::max(face::MAX_FACE_BODY_BYTES));
    Router::new()
        .route("/api/health", get(health))
        .route("/api/auth/login", post(login::login))
        .route("/api/auth/logout", post(login::logout))
        .route("/api/auth/forgot", post(recovery::forgot))
        .route("/api/auth/reset", post(recovery::reset))
        .route("/api/me", get(me::me).delete(me::delete_me))
        .route("/api/me/password", put(me::change_password))
        .route("/api/users", get(users::list).post(users::create))
        .route("/api/users/{username}", delete(users::remove))
        .route("/api/audit", get(audit::list))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(faces)
        .with_state(state)
}

async fn health(
    axum::extract::State(state): axum::extract::State<AuthState>,
) -> axum::Json<serde_json::Value> {
    let mut body = serde_json::json!({ "status": "ok" });
    if let Some(loaded) = state.models_loaded {
        body["models"] = serde_json::json!(if loaded { "ok" } else { "missing" });
    }
    axum::Json(body)
}

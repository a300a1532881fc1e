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
    /// Writes a marker for `/api/health` (`database: ok`); `None` where the database is a
    /// service of its own (DynamoDB).
    pub database: Option<Arc<dyn facelens_core::ports::WriteProbe>>,
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
    let written = match &state.database {
        Some(database) => Some(database.probe_write().await),
        None => None,
    };
    if let Some(Err(err)) = &written {
        tracing::error!(error = %err, "the health check could not write to the database");
    }
    axum::Json(health_body(
        state.models_loaded,
        written.map(|result| result.is_ok()),
    ))
}

/// `{"status": "ok"}`, with `models` and `database` where this process knows them; a
/// database that takes no write makes the status `degraded`.
fn health_body(models_loaded: Option<bool>, database_writable: Option<bool>) -> serde_json::Value {
    let mut body = serde_json::json!({ "status": "ok" });
    if let Some(loaded) = models_loaded {
        body["models"] = serde_json::json!(if loaded { "ok" } else { "missing" });
    }
    if let Some(writable) = database_writable {
        body["database"] = serde_json::json!(if writable { "ok" } else { "read-only" });
        if !writable {
            body["status"] = serde_json::json!("degraded");
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::health_body;
    use serde_json::json;

    #[test]
    fn health_says_what_this_process_knows_and_a_read_only_database_degrades_it() {
        assert_eq!(health_body(None, None), json!({ "status": "ok" }));
        assert_eq!(
            health_body(Some(true), Some(true)),
            json!({ "status": "ok", "models": "ok", "database": "ok" })
        );
        assert_eq!(
            health_body(Some(true), Some(false)),
            json!({ "status": "degraded", "models": "ok", "database": "read-only" })
        );
    }
}

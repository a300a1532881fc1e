//! The auth service's routes: sign-in (with a password or a face), sign-up where it is open,
//! the caller's account and enrolled face, password recovery, and the admin routes for users
//! and the sign-in audit.

mod api_tokens;
mod audit;
mod face;
mod login;
mod me;
mod recovery;
mod sign_up;
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

/// The auth routes in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    health,
    login::login,
    login::logout,
    face::login,
    recovery::forgot,
    recovery::reset,
    sign_up::settings,
    sign_up::register,
    sign_up::confirm,
    me::me,
    me::change_password,
    me::delete_me,
    face::status,
    face::enrol,
    face::remove,
    users::list,
    users::create,
    users::remove,
    audit::list,
    api_tokens::create,
    api_tokens::list,
    api_tokens::revoke
))]
pub(crate) struct Api;
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
        .route("/api/auth/settings", get(sign_up::settings))
        .route("/api/auth/register", post(sign_up::register))
        .route("/api/auth/confirm", post(sign_up::confirm))
        .route("/api/me", get(me::me).delete(me::delete_me))
        .route("/api/me/password", put(me::change_password))
        .route(
            "/api/me/tokens",
            get(api_tokens::list).post(api_tokens::create),
        )
        .route("/api/me/tokens/{id}", delete(api_tokens::revoke))
        .route("/api/users", get(users::list).post(users::create))
        .route("/api/users/{username}", delete(users::remove))
        .route("/api/audit", get(audit::list))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(faces)
        .with_state(state)
}

/// What `/api/health` says.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Health {
    /// `ok`, or `degraded` when the database takes no write.
    status: &'static str,
    /// `ok` or `missing`, where this process runs the ONNX models.
    #[serde(skip_serializing_if = "Option::is_none")]
    models: Option<&'static str>,
    /// `ok` or `read-only`, where this process holds the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<&'static str>,
}

#[utoipa::path(
    get,
    path = "/api/health",
    tag = "service",
    responses((status = 200, description = "the service answers; what it knows of its parts", body = Health))
)]
async fn health(
    axum::extract::State(state): axum::extract::State<AuthState>,
) -> axum::Json<Health> {
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
fn health_body(models_loaded: Option<bool>, database_writable: Option<bool>) -> Health {
    Health {
        status: if database_writable == Some(false) {
            "degraded"
        } else {
            "ok"
        },
        models: models_loaded.map(|loaded| if loaded { "ok" } else { "missing" }),
        database: database_writable.map(|writable| if writable { "ok" } else { "read-only" }),
    }
}

#[cfg(test)]
mod tests {
    use super::health_body;
    use serde_json::json;

    #[test]
    fn health_says_what_this_process_knows_and_a_read_only_database_degrades_it() {
        let body =
            |models, database| serde_json::to_value(health_body(models, database)).expect("JSON");
        assert_eq!(body(None, None), json!({ "status": "ok" }));
        assert_eq!(
            body(Some(true), Some(true)),
            json!({ "status": "ok", "models": "ok", "database": "ok" })
        );
        assert_eq!(
            body(Some(true), Some(false)),
            json!({ "status": "degraded", "models": "ok", "database": "read-only" })
        );
    }
}

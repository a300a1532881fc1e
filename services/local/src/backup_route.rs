//! `POST /api/admin/backup`: the running server writes a consistent copy of its database into
//! `<data-dir>/backups/` (the database file is locked by the server, so `facelens backup`
//! asks it) and answers the file's name. For the operator only ([`crate::operator`]).

use axum::Json;
use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use facelens_api::ApiError;
use facelens_api::client::ClientAddress;
use facelens_api::extract::SignedIn;
use facelens_core::auth::{AuthError, AuthService};
use facelens_local::LocalDb;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// Where snapshots are written, under the data directory.
pub const BACKUPS_DIR: &str = "backups";

/// What the route needs.
#[derive(Clone)]
pub struct BackupState {
    /// Admin token checks.
    pub auth: Arc<AuthService>,
    /// The database to copy.
    pub db: LocalDb,
    /// The server's data directory.
    pub data_dir: PathBuf,
}

impl FromRef<BackupState> for Arc<AuthService> {
    fn from_ref(state: &BackupState) -> Self {
        Arc::clone(&state.auth)
    }
}

/// The snapshot written.
#[derive(Serialize, utoipa::ToSchema)]
struct Snapshot {
    /// Its file name in `<data-dir>/backups/`.
    file: String,
    /// How many rows it holds.
    rows: u64,
}

/// The route.
pub fn router(state: BackupState) -> Router {
    Router::new()
        .route("/api/admin/backup", post(backup))
        .with_state(state)
}

#[utoipa::path(
    post,
    path = "/api/admin/backup",
    tag = "service",
    responses(
        (status = 201, description = "a snapshot of the database, written under <data-dir>/backups/ (local server only; this machine or an admin)", body = Snapshot),
        (status = 401, description = "no valid token (or wrong credentials)", body = facelens_api::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = facelens_api::ErrorBody)
    ),
    security(("bearer" = []))
)]
async fn backup(
    State(state): State<BackupState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    caller: Result<SignedIn, ApiError>,
) -> Result<(StatusCode, Json<Snapshot>), ApiError> {
    crate::operator::require_operator(client, &headers, caller)?;
    let dir = state.data_dir.join(BACKUPS_DIR);
    let file = format!(
        "facelens-{}-{:08x}.redb",
        time::OffsetDateTime::now_utc().unix_timestamp(),
        rand::random::<u32>()
    );
    let path = dir.join(&file);
    let db = state.db.clone();
    let rows = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        db.snapshot_to(&path).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AuthError::Internal(format!("backup task: {e}")))?
    .map_err(|e| AuthError::Internal(format!("backup: {e}")))?;
    tracing::info!(file, rows, "database snapshot written");
    Ok((StatusCode::CREATED, Json(Snapshot { file, rows })))
}

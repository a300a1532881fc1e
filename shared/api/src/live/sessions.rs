//! Starting, listing, reading, ending and deleting live sessions.

use super::LiveState;
use super::view::{SessionJson, ViolationJson};
use crate::ApiError;
use crate::extract::ActiveUser;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use facelens_core::live::{Camera, LiveSession};
use serde::{Deserialize, Serialize};

/// `POST /api/live/sessions` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StartBody {
    camera: String,
}

/// A new session with its camera's settings.
#[derive(Serialize)]
pub(super) struct Started {
    session: LiveSession,
    camera: Camera,
}

pub(super) async fn start(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    ApiJson(body): ApiJson<StartBody>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    let (session, camera) = state.live.start(&caller, &body.camera).await?;
    Ok((StatusCode::CREATED, Json(Started { session, camera })))
}

/// `?all=true` for admins.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Scope {
    #[serde(default)]
    all: bool,
}

/// `{"sessions": [...]}`.
#[derive(Serialize)]
pub(super) struct Sessions {
    sessions: Vec<LiveSession>,
}

pub(super) async fn list(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    query: Result<Query<Scope>, QueryRejection>,
) -> Result<Json<Sessions>, ApiError> {
    let Query(scope) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", e.body_text()))?;
    let sessions = state.live.sessions(&caller, scope.all).await?;
    Ok(Json(Sessions { sessions }))
}

/// A session with its violation log.
#[derive(Serialize)]
pub(super) struct Detail {
    session: LiveSession,
    violations: Vec<ViolationJson>,
}

pub(super) async fn one(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<Json<Detail>, ApiError> {
    let (session, violations) = state.live.session(&caller, &id).await?;
    Ok(Json(Detail {
        session,
        violations: violations.into_iter().map(ViolationJson::from).collect(),
    }))
}

pub(super) async fn end(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<Json<SessionJson>, ApiError> {
    let session = state.live.end(&caller, &id).await?;
    Ok(Json(SessionJson { session }))
}

pub(super) async fn delete(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.live.delete(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

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
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StartBody {
    camera: String,
}

/// A new session with its camera's settings.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Started {
    session: LiveSession,
    camera: Camera,
}

#[utoipa::path(
    post,
    path = "/api/live/sessions",
    tag = "live",
    request_body = StartBody,
    responses(
        (status = 201, description = "a session for the camera", body = Started),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn start(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    ApiJson(body): ApiJson<StartBody>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    let (session, camera) = state.live.start(&caller, &body.camera).await?;
    Ok((StatusCode::CREATED, Json(Started { session, camera })))
}

/// `?all=true` for admins.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct Scope {
    #[serde(default)]
    all: bool,
}

/// `{"sessions": [...]}`.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Sessions {
    sessions: Vec<LiveSession>,
}

#[utoipa::path(
    get,
    path = "/api/live/sessions",
    tag = "live",
    params(Scope),
    responses(
        (status = 200, description = "the caller's sessions (everyone's for an admin with all=true), newest first", body = Sessions),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
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
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Detail {
    session: LiveSession,
    violations: Vec<ViolationJson>,
}

#[utoipa::path(
    get,
    path = "/api/live/sessions/{id}",
    tag = "live",
    params(("id" = String, Path, description = "the id")),
    responses(
        (status = 200, description = "the session and its violations", body = Detail),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
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

#[utoipa::path(
    post,
    path = "/api/live/sessions/{id}/end",
    tag = "live",
    params(("id" = String, Path, description = "the id")),
    responses(
        (status = 200, description = "the session, ended", body = super::view::SessionJson),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = crate::ErrorBody),
        (status = 409, description = "the session has already ended", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn end(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<Json<SessionJson>, ApiError> {
    let session = state.live.end(&caller, &id).await?;
    Ok(Json(SessionJson { session }))
}

#[utoipa::path(
    delete,
    path = "/api/live/sessions/{id}",
    tag = "live",
    params(("id" = String, Path, description = "the id")),
    responses(
        (status = 204, description = "the session, its violations and snapshots are deleted"),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn delete(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.live.delete(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `GET /api/live/cameras` and `PUT /api/live/cameras/{name}`.

use super::LiveState;
use crate::ApiError;
use crate::extract::ActiveUser;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::{Path, State};
use facelens_core::live::{AlertRule, Camera};
use serde::{Deserialize, Serialize};

/// `{"cameras": [...]}`.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Cameras {
    cameras: Vec<Camera>,
}

#[utoipa::path(
    get,
    path = "/api/live/cameras",
    tag = "live",
    responses(
        (status = 200, description = "the caller's cameras and their settings", body = Cameras),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
) -> Result<Json<Cameras>, ApiError> {
    let cameras = state.live.cameras(&caller).await?;
    Ok(Json(Cameras { cameras }))
}

/// A camera's settings.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Settings {
    snapshots: bool,
    violation_seconds: u32,
    alert: Option<AlertRule>,
}

#[utoipa::path(
    put,
    path = "/api/live/cameras/{name}",
    tag = "live",
    params(("name" = String, Path, description = "the camera's name")),
    request_body = Settings,
    responses(
        (status = 200, description = "the camera's settings, saved", body = facelens_core::live::Camera),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn configure(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    Path(name): Path<String>,
    ApiJson(settings): ApiJson<Settings>,
) -> Result<Json<Camera>, ApiError> {
    let camera = state
        .live
        .configure(
            &caller,
            &name,
            settings.snapshots,
            settings.violation_seconds,
            settings.alert,
        )
        .await?;
    Ok(Json(camera))
}

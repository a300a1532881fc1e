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
#[derive(Serialize)]
pub(super) struct Cameras {
    cameras: Vec<Camera>,
}

pub(super) async fn list(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
) -> Result<Json<Cameras>, ApiError> {
    let cameras = state.live.cameras(&caller).await?;
    Ok(Json(Cameras { cameras }))
}

/// A camera's settings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Settings {
    snapshots: bool,
    violation_seconds: u32,
    alert: Option<AlertRule>,
}

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

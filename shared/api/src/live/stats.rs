//! `GET /api/live/stats?period=hour|day[&days=][&all=true][&camera=]`.

use super::LiveState;
use crate::ApiError;
use crate::extract::ActiveUser;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use facelens_core::live::{CameraName, Stats, StatsPeriod, StatsQuery};
use serde::Deserialize;

/// The query.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StatsParams {
    period: Option<StatsPeriod>,
    days: Option<u32>,
    #[serde(default)]
    all: bool,
    camera: Option<String>,
}

pub(super) async fn get(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    query: Result<Query<StatsParams>, QueryRejection>,
) -> Result<Json<Stats>, ApiError> {
    let Query(params) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", e.body_text()))?;
    let camera = params
        .camera
        .as_deref()
        .map(CameraName::parse)
        .transpose()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_camera", e))?;
    let query = StatsQuery {
        period: params.period.unwrap_or(StatsPeriod::Day),
        days: params.days,
        all: params.all,
        camera,
    };
    Ok(Json(state.live.stats(&caller, &query).await?))
}

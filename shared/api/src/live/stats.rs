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
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct StatsParams {
    period: Option<StatsPeriod>,
    days: Option<u32>,
    #[serde(default)]
    all: bool,
    camera: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/live/stats",
    tag = "live",
    params(StatsParams),
    responses(
        (status = 200, description = "faces seen, masked share and violations per hour or day", body = facelens_core::live::Stats),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
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

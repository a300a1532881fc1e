//! `GET /api/alerts`: low-confidence alerts, newest first, for admins.

use super::AnalysesState;
use crate::ApiError;
use crate::extract::ActiveUser;
use axum::Json;
use axum::extract::State;
use facelens_core::analysis::ports::Alert;
use serde::Serialize;

/// The alerts.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AlertList {
    alerts: Vec<Alert>,
}

#[utoipa::path(
    get,
    path = "/api/alerts",
    tag = "analyses",
    responses(
        (status = 200, description = "low-confidence alerts, newest first (admins only)", body = AlertList),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AnalysesState>,
    ActiveUser(caller): ActiveUser,
) -> Result<Json<AlertList>, ApiError> {
    let alerts = state.analyses.alerts(&caller, 100).await?;
    Ok(Json(AlertList { alerts }))
}

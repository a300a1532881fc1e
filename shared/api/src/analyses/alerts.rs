//! `GET /api/alerts`: low-confidence alerts, newest first, for admins.

use super::AnalysesState;
use crate::ApiError;
use crate::extract::ActiveUser;
use axum::Json;
use axum::extract::State;
use facelens_core::analysis::ports::Alert;
use serde::Serialize;

/// The alerts.
#[derive(Serialize)]
pub(super) struct AlertList {
    alerts: Vec<Alert>,
}

pub(super) async fn list(
    State(state): State<AnalysesState>,
    ActiveUser(caller): ActiveUser,
) -> Result<Json<AlertList>, ApiError> {
    let alerts = state.analyses.alerts(&caller, 100).await?;
    Ok(Json(AlertList { alerts }))
}

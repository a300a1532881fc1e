//! `GET /api/analyses/{id}` and `DELETE /api/analyses/{id}`; another user's id is a 404.

use super::AnalysesState;
use super::view::{AnalysisView, full};
use crate::ApiError;
use crate::extract::ActiveUser;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

pub(super) async fn get(
    State(state): State<AnalysesState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<Json<AnalysisView>, ApiError> {
    let analysis = state.analyses.get(&caller, &id).await?;
    Ok(Json(full(&state.analyses, analysis).await?))
}

pub(super) async fn delete(
    State(state): State<AnalysesState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.analyses.delete(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `GET /api/analyses/{id}` and `DELETE /api/analyses/{id}`; another user's id is a 404.

use super::AnalysesState;
use super::view::{AnalysisView, full};
use crate::ApiError;
use crate::extract::{ActiveUser, Analyst};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

#[utoipa::path(
    get,
    path = "/api/analyses/{id}",
    tag = "analyses",
    params(("id" = String, Path, description = "the id")),
    responses(
        (status = 200, description = "the analysis (pending, done or failed)", body = super::view::AnalysisView),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn get(
    State(state): State<AnalysesState>,
    Analyst(caller): Analyst,
    Path(id): Path<String>,
) -> Result<Json<AnalysisView>, ApiError> {
    let analysis = state.analyses.get(&caller, &id).await?;
    Ok(Json(full(&state.analyses, analysis).await?))
}

#[utoipa::path(
    delete,
    path = "/api/analyses/{id}",
    tag = "analyses",
    params(("id" = String, Path, description = "the id")),
    responses(
        (status = 204, description = "the analysis, its photos and its alert are deleted"),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn delete(
    State(state): State<AnalysesState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.analyses.delete(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `GET /api/analyses?category=&cursor=&limit=`: one page of the caller's history.

use super::AnalysesState;
use super::view::{HistoryItem, item};
use crate::ApiError;
use crate::extract::Analyst;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use facelens_core::analysis::{Category, Counts};
use serde::{Deserialize, Serialize};

/// Paging and filtering.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct HistoryQuery {
    category: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

/// One page.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct HistoryPageView {
    items: Vec<HistoryItem>,
    #[schema(required = true)]
    next_cursor: Option<String>,
    counts: Counts,
}

#[utoipa::path(
    get,
    path = "/api/analyses",
    tag = "analyses",
    params(HistoryQuery),
    responses(
        (status = 200, description = "one page of the caller's history, newest first, with the counts of each list", body = HistoryPageView),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AnalysesState>,
    Analyst(caller): Analyst,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<HistoryPageView>, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", e.body_text()))?;
    let category = match query.category.as_deref() {
        None | Some("") | Some("all") => None,
        Some(name) => Some(Category::parse(name).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                "category must be one of no_faces, all_masked, none_masked, some_masked",
            )
        })?),
    };
    let page = state
        .analyses
        .list(
            &caller,
            category,
            query.cursor.as_deref(),
            query.limit.unwrap_or(20),
        )
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for analysis in page.items {
        items.push(item(&state.analyses, analysis).await?);
    }
    Ok(Json(HistoryPageView {
        items,
        next_cursor: page.next_cursor,
        counts: page.counts,
    }))
}

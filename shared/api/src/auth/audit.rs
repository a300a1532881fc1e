//! `GET /api/audit?limit=N`: the newest sign-in attempts, for admins.

use super::AuthState;
use crate::ApiError;
use crate::extract::ActiveUser;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use facelens_core::ports::SignInAttempt;
use serde::{Deserialize, Serialize};

/// Most attempts one page may hold.
const MAX_LIMIT: usize = 500;

/// Paging of the audit.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditQuery {
    limit: Option<usize>,
}

/// A page of attempts, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AuditPage {
    attempts: Vec<SignInAttempt>,
}

#[utoipa::path(
    get,
    path = "/api/audit",
    tag = "users",
    params(AuditQuery),
    responses(
        (status = 200, description = "the newest sign-in attempts (admins only)", body = AuditPage),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AuthState>,
    ActiveUser(caller): ActiveUser,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", e.body_text()))?;
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_LIMIT);
    let attempts = state.service.audit_log(&caller, limit).await?;
    Ok(Json(AuditPage { attempts }))
}

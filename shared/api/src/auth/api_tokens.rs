//! `POST`/`GET /api/me/tokens` and `DELETE /api/me/tokens/{id}`: a person's API tokens for
//! their scripts. Only a session may manage them (an API token gets 403); the token itself is
//! in the answer of its creation and nowhere else.

use super::AuthState;
use crate::ApiError;
use crate::extract::ActiveUser;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use facelens_core::domain::ApiToken;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A token to make.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewToken {
    /// What to call it (1 to 64 characters), e.g. the script's name.
    name: String,
    /// Days until it stops working: 1 to 365, 90 when left out.
    #[serde(default)]
    days: Option<u32>,
}

/// A token as listed: never its secret.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct TokenView {
    id: String,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            created_at: t.created_at,
            expires_at: t.expires_at,
        }
    }
}

/// A token just made, with the token itself (shown this once).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreatedToken {
    /// The bearer token: `Authorization: Bearer flt_...`.
    token: String,
    id: String,
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// The caller's tokens.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct TokenList {
    tokens: Vec<TokenView>,
}

#[utoipa::path(
    post,
    path = "/api/me/tokens",
    tag = "account",
    request_body = NewToken,
    responses(
        (status = 201, description = "the token, shown this once; it may analyse photos and read results", body = CreatedToken),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 415, description = "not JSON", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AuthState>,
    ActiveUser(caller): ActiveUser,
    ApiJson(form): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let issued = state
        .service
        .create_api_token(&caller, &form.name, form.days)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: issued.token,
            id: issued.record.id,
            name: issued.record.name,
            created_at: issued.record.created_at,
            expires_at: issued.record.expires_at,
        }),
    ))
}

#[utoipa::path(
    get,
    path = "/api/me/tokens",
    tag = "account",
    responses(
        (status = 200, description = "the caller's API tokens, newest first", body = TokenList),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AuthState>,
    ActiveUser(caller): ActiveUser,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = state.service.api_tokens(&caller).await?;
    Ok(Json(TokenList {
        tokens: tokens.iter().map(TokenView::from).collect(),
    }))
}

#[utoipa::path(
    delete,
    path = "/api/me/tokens/{id}",
    tag = "account",
    params(("id" = String, Path, description = "the token's id")),
    responses(
        (status = 204, description = "revoked: it stops working at once"),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn revoke(
    State(state): State<AuthState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.revoke_api_token(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

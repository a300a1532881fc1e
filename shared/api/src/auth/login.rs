//! `POST /api/auth/login`.

use super::AuthState;
use crate::ApiError;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::State;
use facelens_core::auth::LoginOutcome;
use facelens_core::domain::UserView;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Sign-in form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginRequest {
    username: String,
    password: String,
}

/// A bearer token and the account it belongs to.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TokenResponse {
    token: String,
    token_type: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    user: UserView,
}

impl From<LoginOutcome> for TokenResponse {
    fn from(outcome: LoginOutcome) -> Self {
        Self {
            token: outcome.token,
            token_type: "Bearer",
            expires_at: outcome.expires_at,
            user: UserView::from(&outcome.user),
        }
    }
}

pub(super) async fn login(
    State(state): State<AuthState>,
    ApiJson(form): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let outcome = state.service.login(&form.username, &form.password).await?;
    Ok(Json(outcome.into()))
}

//! `POST /api/auth/login` and `POST /api/auth/logout`.

use super::AuthState;
use crate::ApiError;
use crate::client::ClientAddress;
use crate::extract::SignedIn;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
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
    ClientAddress(client): ClientAddress,
    ApiJson(form): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let outcome = state
        .service
        .login(&form.username, &form.password, client)
        .await?;
    Ok(Json(outcome.into()))
}

/// `POST /api/auth/logout`: every token of the caller stops working.
pub(super) async fn logout(
    State(state): State<AuthState>,
    SignedIn(user): SignedIn,
) -> Result<StatusCode, ApiError> {
    state.service.logout(user).await?;
    Ok(StatusCode::NO_CONTENT)
}

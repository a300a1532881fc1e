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
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginRequest {
    username: String,
    password: String,
}

/// A bearer token and the account it belongs to.
#[derive(Serialize, utoipa::ToSchema)]
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

#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in", body = TokenResponse),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "the email of an account made by sign-up is not confirmed yet (`email_not_confirmed`)", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 429, description = "too many requests; wait as Retry-After says", body = crate::ErrorBody),
        (status = 503, description = "too many passwords are being checked at once; see Retry-After", body = crate::ErrorBody)
    )
)]
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
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "every token of the caller stops working"),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "an API token may not do this: sign in", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn logout(
    State(state): State<AuthState>,
    SignedIn(user): SignedIn,
) -> Result<StatusCode, ApiError> {
    state.service.logout(user).await?;
    Ok(StatusCode::NO_CONTENT)
}

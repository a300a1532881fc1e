//! `POST /api/auth/forgot` (always 202) and `POST /api/auth/reset`.

use super::AuthState;
use crate::ApiError;
use crate::json::ApiJson;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Forgot-password form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Forgot {
    email: String,
}

pub(super) async fn forgot(
    State(state): State<AuthState>,
    ApiJson(form): ApiJson<Forgot>,
) -> StatusCode {
    if let Err(err) = state.service.forgot_password(&form.email).await {
        // The answer must not differ, so the failure is only logged.
        tracing::error!(error = %err, "forgot-password email not sent");
    }
    StatusCode::ACCEPTED
}

/// Reset form: the token from the emailed link and the new password.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct Reset {
    token: String,
    new_password: String,
}

pub(super) async fn reset(
    State(state): State<AuthState>,
    ApiJson(form): ApiJson<Reset>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .reset_password(&form.token, &form.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

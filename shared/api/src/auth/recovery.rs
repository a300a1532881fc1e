//! `POST /api/auth/forgot` (always 202) and `POST /api/auth/reset`.

use super::AuthState;
use crate::ApiError;
use crate::client::ClientAddress;
use crate::json::ApiJson;
use axum::extract::State;
use axum::http::StatusCode;
use facelens_core::ports::TokenPurpose;
use serde::Deserialize;

/// Forgot-password form.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Forgot {
    email: String,
}

/// Counts the request (429 while the email or the address must wait: the same for any
/// email), then makes and mails the link in the background and answers 202 after
/// [`AuthConfig::quiet_answer_time`](facelens_core::auth::AuthConfig), whether or not the
/// email belongs to an account, so the answer's timing tells nothing either. The background
/// work is awaited up to that time, so on Lambda it is done before the answer freezes the
/// sandbox.
#[utoipa::path(
    post,
    path = "/api/auth/forgot",
    tag = "auth",
    request_body = Forgot,
    responses(
        (status = 202, description = "a link is mailed if the email belongs to an account (the answer is the same either way)"),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 429, description = "too many requests; wait as Retry-After says", body = crate::ErrorBody)
    )
)]
pub(super) async fn forgot(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    ApiJson(form): ApiJson<Forgot>,
) -> Result<StatusCode, ApiError> {
    let answer_at = tokio::time::Instant::now() + state.service.config().quiet_answer_time;
    state
        .service
        .admit_reset_request(&form.email, client)
        .await?;
    let service = state.service.clone();
    answer_quietly(answer_at, "forgot-password email not sent", async move {
        service.forgot_password(&form.email).await
    })
    .await;
    Ok(StatusCode::ACCEPTED)
}

/// Runs `work` in the background and returns at `answer_at`, so the answer, and its timing,
/// tell nothing of what the work found. The work is awaited up to then, so on Lambda it is
/// done before the answer freezes the sandbox; its failure is only logged (as `failure`).
pub(super) async fn answer_quietly(
    answer_at: tokio::time::Instant,
    failure: &'static str,
    work: impl Future<Output = Result<(), facelens_core::auth::AuthError>> + Send + 'static,
) {
    let work = tokio::spawn(async move {
        if let Err(err) = work.await {
            tracing::error!(error = %err, "{failure}");
        }
    });
    let _ = tokio::time::timeout_at(answer_at, work).await;
    tokio::time::sleep_until(answer_at).await;
}

/// Reset form: the token from the emailed link, the link's purpose (`reset` unless the link
/// says `welcome`) and the new password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct Reset {
    token: String,
    #[serde(default = "reset_purpose")]
    purpose: TokenPurpose,
    new_password: String,
}

fn reset_purpose() -> TokenPurpose {
    TokenPurpose::Reset
}

#[utoipa::path(
    post,
    path = "/api/auth/reset",
    tag = "auth",
    request_body = Reset,
    responses(
        (status = 204, description = "the password is set; older tokens stop working"),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody)
    )
)]
pub(super) async fn reset(
    State(state): State<AuthState>,
    ApiJson(form): ApiJson<Reset>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .reset_password(&form.token, form.purpose, &form.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

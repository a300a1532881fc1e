//! `GET /api/auth/settings`, `POST /api/auth/register` (sign-up, where the operator opens it)
//! and `POST /api/auth/confirm` (the emailed confirmation link).

use super::AuthState;
use super::recovery::answer_quietly;
use crate::ApiError;
use crate::client::ClientAddress;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use facelens_core::auth::SignUpPolicy;
use serde::{Deserialize, Serialize};

/// What the sign-in page needs to know before anyone signs in.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct AuthSettings {
    /// `open` when people may create their own account; `invite-only` when admins do.
    sign_up: SignUpPolicy,
}

#[utoipa::path(
    get,
    path = "/api/auth/settings",
    tag = "auth",
    responses((status = 200, description = "how accounts are made here", body = AuthSettings))
)]
pub(super) async fn settings(State(state): State<AuthState>) -> Json<AuthSettings> {
    Json(AuthSettings {
        sign_up: state.service.config().sign_up,
    })
}

/// Sign-up form: the same rules as for accounts an admin makes and passwords one sets.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Register {
    username: String,
    email: String,
    password: String,
}

/// Checks the form, the throttle and the name (each refusal answered at once), then finishes
/// the sign-up in the background and answers 202 after
/// [`AuthConfig::quiet_answer_time`](facelens_core::auth::AuthConfig): the same answer, at the
/// same time, whether the email was free (the account is made and its confirmation link
/// mailed) or taken (its holder is told that someone tried).
#[utoipa::path(
    post,
    path = "/api/auth/register",
    tag = "auth",
    request_body = Register,
    responses(
        (status = 202, description = "a confirmation link is mailed to the address, or its account's holder is told someone tried (the answer is the same either way)"),
        (status = 400, description = "invalid input (`invalid_input`) or a password the policy refuses (`weak_password`)", body = crate::ErrorBody),
        (status = 403, description = "sign-up is closed here (`sign_up_closed`)", body = crate::ErrorBody),
        (status = 409, description = "the username is taken (`username_taken`)", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 429, description = "too many requests; wait as Retry-After says", body = crate::ErrorBody),
        (status = 503, description = "too many passwords are being checked at once; see Retry-After", body = crate::ErrorBody)
    )
)]
pub(super) async fn register(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    ApiJson(form): ApiJson<Register>,
) -> Result<StatusCode, ApiError> {
    let answer_at = tokio::time::Instant::now() + state.service.config().quiet_answer_time;
    let admitted = state
        .service
        .admit_sign_up(&form.username, &form.email, &form.password, client)
        .await?;
    let service = state.service.clone();
    answer_quietly(answer_at, "sign-up not finished", async move {
        service.complete_sign_up(admitted).await
    })
    .await;
    Ok(StatusCode::ACCEPTED)
}

/// Confirmation form: the token from the emailed link.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Confirm {
    token: String,
}

#[utoipa::path(
    post,
    path = "/api/auth/confirm",
    tag = "auth",
    request_body = Confirm,
    responses(
        (status = 204, description = "the email is confirmed; the account may sign in"),
        (status = 400, description = "invalid input, or a link that is unknown, used or expired (`invalid_token`)", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody)
    )
)]
pub(super) async fn confirm(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    ApiJson(form): ApiJson<Confirm>,
) -> Result<StatusCode, ApiError> {
    state.service.confirm_email(&form.token, client).await?;
    Ok(StatusCode::NO_CONTENT)
}

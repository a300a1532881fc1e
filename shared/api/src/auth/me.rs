//! `GET /api/me`, `PUT /api/me/password` and `DELETE /api/me`.

use super::AuthState;
use super::login::TokenResponse;
use crate::ApiError;
use crate::client::ClientAddress;
use crate::extract::SignedIn;
use crate::json::ApiJson;
use axum::Json;
use axum::body::HttpBody;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use facelens_core::domain::UserView;
use serde::Deserialize;

#[utoipa::path(
    get,
    path = "/api/me",
    tag = "account",
    responses(
        (status = 200, description = "the caller's account", body = UserView),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "an API token may not do this: sign in", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn me(SignedIn(user): SignedIn) -> Json<UserView> {
    Json(UserView::from(&user))
}

/// Password change form.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ChangePassword {
    current_password: String,
    new_password: String,
}

#[utoipa::path(
    put,
    path = "/api/me/password",
    tag = "account",
    request_body = ChangePassword,
    responses(
        (status = 200, description = "changed; a new token (older ones stop working)", body = TokenResponse),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "an API token may not do this: sign in", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 429, description = "too many requests; wait as Retry-After says", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn change_password(
    State(state): State<AuthState>,
    SignedIn(user): SignedIn,
    ClientAddress(client): ClientAddress,
    ApiJson(form): ApiJson<ChangePassword>,
) -> Result<Json<TokenResponse>, ApiError> {
    let outcome = state
        .service
        .change_password(user, &form.current_password, &form.new_password, client)
        .await?;
    Ok(Json(outcome.into()))
}

/// Account deletion form: the password, to confirm.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DeleteAccount {
    password: String,
}

/// Deletes the caller's account and all its data. The body is required: a `DELETE` without
/// one is a 400 saying what to send (not the 415 a missing JSON content type gets elsewhere).
#[utoipa::path(
    delete,
    path = "/api/me",
    tag = "account",
    request_body = DeleteAccount,
    responses(
        (status = 204, description = "the account and all its data are deleted"),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 429, description = "too many requests; wait as Retry-After says", body = crate::ErrorBody),
        (status = 409, description = "the last admin cannot be deleted", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn delete_me(
    State(state): State<AuthState>,
    SignedIn(user): SignedIn,
    ClientAddress(client): ClientAddress,
    request: Request,
) -> Result<StatusCode, ApiError> {
    if request.body().size_hint().exact() == Some(0) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            r#"confirm with your password: {"password": "..."}"#,
        ));
    }
    let ApiJson(form) = ApiJson::<DeleteAccount>::from_request(request, &state).await?;
    state
        .service
        .delete_own_account(&user, &form.password, client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

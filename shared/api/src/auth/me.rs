//! `GET /api/me` and `PUT /api/me/password`.

use super::AuthState;
use super::login::TokenResponse;
use crate::ApiError;
use crate::extract::SignedIn;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::State;
use facelens_core::domain::UserView;
use serde::Deserialize;

pub(super) async fn me(SignedIn(user): SignedIn) -> Json<UserView> {
    Json(UserView::from(&user))
}

/// Password change form.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ChangePassword {
    current_password: String,
    new_password: String,
}

pub(super) async fn change_password(
    State(state): State<AuthState>,
    SignedIn(user): SignedIn,
    ApiJson(form): ApiJson<ChangePassword>,
) -> Result<Json<TokenResponse>, ApiError> {
    let outcome = state
        .service
        .change_password(user, &form.current_password, &form.new_password)
        .await?;
    Ok(Json(outcome.into()))
}

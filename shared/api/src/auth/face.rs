//! Faces as a way in: `GET`, `PUT` and `DELETE /api/me/face` (the caller's enrolled face) and
//! `POST /api/auth/face` (sign in with camera captures). Captures travel as base64 JPEG or PNG
//! in JSON; nothing of a face is ever sent back.

use super::AuthState;
use super::login::TokenResponse;
use crate::ApiError;
use crate::client::ClientAddress;
use crate::extract::ActiveUser;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use facelens_core::faces::{MAX_CAPTURE_BYTES, SIGN_IN_CAPTURES};
use serde::{Deserialize, Serialize};

/// Largest body of the face routes: the most captures of the largest size, in base64, and
/// some room for the rest of the JSON.
pub const MAX_FACE_BODY_BYTES: usize = (*SIGN_IN_CAPTURES.end() * MAX_CAPTURE_BYTES * 4) / 3 + 4096;

/// Whether the caller has a face enrolled.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct FaceStatus {
    enrolled: bool,
}

/// One camera capture to enrol.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Enrolment {
    capture: String,
}

/// A face sign-in: the name and camera captures taken while the head turns.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FaceLogin {
    username: String,
    captures: Vec<String>,
}

fn decode(capture: &str) -> Result<Vec<u8>, ApiError> {
    let data = capture
        .split_once(";base64,")
        .map_or(capture, |(_, data)| data);
    STANDARD.decode(data.trim()).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "a capture must be a base64 JPEG or PNG image (a data: URL is fine)",
        )
    })
}

#[utoipa::path(
    get,
    path = "/api/me/face",
    tag = "faces",
    responses(
        (status = 200, description = "whether the caller has a face enrolled", body = FaceStatus),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 503, description = "a feature this deployment does not run", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn status(
    State(state): State<AuthState>,
    ActiveUser(user): ActiveUser,
) -> Result<Json<FaceStatus>, ApiError> {
    let enrolled = state.service.face_enrolled(&user).await?;
    Ok(Json(FaceStatus { enrolled }))
}

#[utoipa::path(
    put,
    path = "/api/me/face",
    tag = "faces",
    request_body = Enrolment,
    responses(
        (status = 200, description = "enrolled (nothing of the face comes back)", body = FaceStatus),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 413, description = "too large", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 503, description = "a feature this deployment does not run", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn enrol(
    State(state): State<AuthState>,
    ActiveUser(user): ActiveUser,
    ApiJson(form): ApiJson<Enrolment>,
) -> Result<Json<FaceStatus>, ApiError> {
    let capture = decode(&form.capture)?;
    state.service.enrol_face(&user, &capture).await?;
    Ok(Json(FaceStatus { enrolled: true }))
}

#[utoipa::path(
    delete,
    path = "/api/me/face",
    tag = "faces",
    responses(
        (status = 204, description = "the face and its capture are forgotten"),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 503, description = "a feature this deployment does not run", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AuthState>,
    ActiveUser(user): ActiveUser,
) -> Result<StatusCode, ApiError> {
    state.service.remove_face(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/auth/face",
    tag = "auth",
    request_body = FaceLogin,
    responses(
        (status = 200, description = "signed in with the face", body = super::login::TokenResponse),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 413, description = "too large", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 429, description = "too many requests; wait as Retry-After says", body = crate::ErrorBody),
        (status = 503, description = "too many checks at once (see Retry-After), or no face engine here", body = crate::ErrorBody)
    )
)]
pub(super) async fn login(
    State(state): State<AuthState>,
    ClientAddress(client): ClientAddress,
    ApiJson(form): ApiJson<FaceLogin>,
) -> Result<Json<TokenResponse>, ApiError> {
    if form.captures.len() > *SIGN_IN_CAPTURES.end() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            format!("send at most {} captures", SIGN_IN_CAPTURES.end()),
        ));
    }
    let captures = form
        .captures
        .iter()
        .map(|c| decode(c))
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = state
        .service
        .login_with_face(&form.username, &captures, client)
        .await?;
    Ok(Json(outcome.into()))
}

//! `POST /api/uploads/from-url {url}`: the server fetches the photo (SSRF guard, size and time
//! limits in the fetcher) and stores it like an upload; `reference` as for presigned uploads.

use super::UploadsState;
use crate::ApiError;
use crate::extract::Analyst;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use facelens_core::analysis::Reference;
use facelens_core::analysis::ports::FetchError;
use serde::{Deserialize, Serialize};

/// The address of a photo.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FromUrl {
    url: String,
    /// The id of one of the caller's analyses (done, with a face), or `"enrolled-face"`: every
    /// face of the photo is compared with the reference's largest face.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "enrolled-face")]
    reference: Option<Reference>,
}

/// The analysis the photo became.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct Accepted {
    analysis_id: String,
}

#[utoipa::path(
    post,
    path = "/api/uploads/from-url",
    tag = "uploads",
    request_body = FromUrl,
    responses(
        (status = 202, description = "fetched and stored; poll the analysis", body = Accepted),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 413, description = "too large", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 502, description = "the address could not be fetched", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn from_url(
    State(state): State<UploadsState>,
    Analyst(caller): Analyst,
    ApiJson(form): ApiJson<FromUrl>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    state
        .uploads
        .check_reference(&caller, form.reference)
        .await?;
    let max = state.uploads.policy().max_bytes;
    let bytes = state
        .fetcher
        .fetch(&form.url, max)
        .await
        .map_err(|err| match err {
            FetchError::Refused(why) => ApiError::new(StatusCode::BAD_REQUEST, "url_refused", why),
            FetchError::TooLarge(why) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", why)
            }
            FetchError::Unreachable(why) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "url_unreachable", why)
            }
        })?;
    let id = state
        .uploads
        .store_fetched(&caller, &form.url, bytes, form.reference)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            analysis_id: id.to_string(),
        }),
    ))
}

//! `POST /api/uploads/from-url {url}`: the server fetches the photo (SSRF guard, size and time
//! limits in the fetcher) and stores it like an upload; `reference` as for presigned uploads.

use super::UploadsState;
use crate::ApiError;
use crate::extract::ActiveUser;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use facelens_core::analysis::Reference;
use facelens_core::analysis::ports::FetchError;
use serde::{Deserialize, Serialize};

/// The address of a photo.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FromUrl {
    url: String,
    #[serde(default)]
    reference: Option<Reference>,
}

/// The analysis the photo became.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Accepted {
    analysis_id: String,
}

pub(super) async fn from_url(
    State(state): State<UploadsState>,
    ActiveUser(caller): ActiveUser,
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

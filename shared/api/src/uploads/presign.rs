//! `POST /api/uploads {filename, contentType, size, reference?}` → a presigned PUT. With
//! `reference` (the id of an earlier analysis of the caller's, or `"enrolled-face"` for the
//! caller's own enrolled face), every face of the new photo is compared with the reference's
//! largest face.

use super::UploadsState;
use crate::ApiError;
use crate::extract::Analyst;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use facelens_core::analysis::Reference;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The file the client is about to upload.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct UploadRequest {
    filename: String,
    content_type: String,
    size: u64,
    /// The id of one of the caller's analyses (done, with a face), or `"enrolled-face"`: every
    /// face of the photo is compared with the reference's largest face.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "enrolled-face")]
    reference: Option<Reference>,
}

/// Where and how to send the bytes.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct UploadTicket {
    analysis_id: String,
    url: String,
    method: &'static str,
    headers: BTreeMap<String, String>,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

#[utoipa::path(
    post,
    path = "/api/uploads",
    tag = "uploads",
    request_body = UploadRequest,
    responses(
        (status = 201, description = "send the file with exactly this method, URL and headers", body = UploadTicket),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 413, description = "too large", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn presign(
    State(state): State<UploadsState>,
    Analyst(caller): Analyst,
    ApiJson(form): ApiJson<UploadRequest>,
) -> Result<(StatusCode, Json<UploadTicket>), ApiError> {
    let upload = state
        .uploads
        .presign(
            &caller,
            &form.filename,
            &form.content_type,
            form.size,
            form.reference,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadTicket {
            analysis_id: upload.analysis_id.to_string(),
            url: upload.url,
            method: upload.method,
            headers: upload.headers.into_iter().collect(),
            expires_at: upload.expires_at,
        }),
    ))
}

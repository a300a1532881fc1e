//! `POST /api/analyses?wait=`: a photo analysed in one request, for scripts. The photo is the
//! body (`Content-Type: image/jpeg`, `image/png` or `image/webp`) or the `file` field of a
//! `multipart/form-data` form; it is stored as an upload, then the request waits for the
//! analysis: 201 with the result when it is ready within `wait` seconds, else 202 with its id
//! to poll.

use super::UploadsState;
use crate::ApiError;
use crate::analyses::view::{AnalysisView, full};
use crate::extract::Analyst;
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::multipart::Multipart;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use facelens_core::analysis::Status;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest wait a request may ask for, under API Gateway's 29 s limit.
const MAX_WAIT_SECONDS: u64 = 25;
/// The wait when none is asked for.
const DEFAULT_WAIT_SECONDS: u64 = 20;
/// What a multipart form may carry beyond the photo (boundaries, headers, small fields).
const FORM_OVERHEAD_BYTES: usize = 64 * 1024;

/// How long to wait for the result.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct WaitQuery {
    /// Seconds to wait for the result before answering 202 (0 to 25; default 20).
    wait: Option<u64>,
}

/// The analysis the photo became, still running.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct StillRunning {
    analysis_id: String,
}

/// The photo as a form: its `file` field (any other field is ignored).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form for the OpenAPI document only
pub(super) struct PhotoForm {
    /// The photo, a JPEG, PNG or WebP file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[utoipa::path(
    post,
    path = "/api/analyses",
    tag = "analyses",
    params(WaitQuery),
    request_body(
        description = "the photo: the whole body, or the `file` field of a form",
        content(
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/webp"),
            (PhotoForm = "multipart/form-data")
        )
    ),
    responses(
        (status = 201, description = "analysed within the wait: the result (done, or failed with its reason)", body = AnalysisView,
            headers(("Location" = String, description = "the analysis"))),
        (status = 202, description = "stored; still running after the wait: poll the analysis", body = StillRunning,
            headers(("Location" = String, description = "the analysis to poll"))),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 413, description = "too large", body = crate::ErrorBody),
        (status = 415, description = "not a JPEG, PNG or WebP photo, or not sent as one", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn analyse(
    State(state): State<UploadsState>,
    Analyst(caller): Analyst,
    query: Result<Query<WaitQuery>, QueryRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", e.body_text()))?;
    let wait = query.wait.unwrap_or(DEFAULT_WAIT_SECONDS);
    if wait > MAX_WAIT_SECONDS {
        return Err(invalid(format!(
            "wait is at most {MAX_WAIT_SECONDS} seconds"
        )));
    }
    let max = state
        .max_request_bytes
        .min(state.uploads.policy().max_bytes);
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let (filename, bytes) = photo(request, &state, max).await?;
    let id = state
        .uploads
        .store_sent(&caller, filename.as_deref(), bytes)
        .await?;
    let location = HeaderValue::from_str(&format!("/api/analyses/{id}"))
        .map_err(|_| ApiError::internal("analysis id is not a header value"))?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    let mut pause = Duration::from_millis(50);
    loop {
        let analysis = state.analyses.get(&caller, &id.to_string()).await?;
        if analysis.status != Status::Pending {
            let view = full(&state.analyses, analysis).await?;
            return Ok((
                StatusCode::CREATED,
                [(header::LOCATION, location)],
                Json(view),
            )
                .into_response());
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            let body = StillRunning {
                analysis_id: id.to_string(),
            };
            return Ok((
                StatusCode::ACCEPTED,
                [(header::LOCATION, location)],
                Json(body),
            )
                .into_response());
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

/// The photo's file name (when a form gave one) and bytes, at most `max` of them.
async fn photo(
    request: Request,
    state: &UploadsState,
    max: usize,
) -> Result<(Option<String>, Vec<u8>), ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(request, state)
            .await
            .map_err(|e| invalid(e.body_text()))?;
        let mut taken = 0usize;
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|e| invalid(e.body_text()))?
        {
            let is_file = field.name() == Some("file");
            let filename = field.file_name().map(str::to_owned);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| invalid(e.body_text()))? {
                taken += chunk.len();
                if taken > max + FORM_OVERHEAD_BYTES || (is_file && bytes.len() + chunk.len() > max)
                {
                    return Err(too_large(max));
                }
                if is_file {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if is_file {
                return Ok((filename, bytes));
            }
        }
        return Err(invalid(
            "the form has no `file` field with the photo".into(),
        ));
    }
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !matches!(media, "image/jpeg" | "image/png" | "image/webp") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "send the photo as the body with Content-Type image/jpeg, image/png or image/webp, or as the `file` field of a multipart/form-data form",
        ));
    }
    let bytes = to_bytes(Body::new(request.into_body()), max)
        .await
        .map_err(|_| too_large(max))?;
    Ok((None, bytes.to_vec()))
}

fn invalid(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", message)
}

fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "the photo is larger than {} MB, the most this service takes in one request; upload it through POST /api/uploads instead",
            max / (1024 * 1024)
        ),
    )
}

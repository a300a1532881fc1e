//! The local stand-in for S3's presigned URLs: `PUT /objects/{key}` and `GET /objects/{key}`,
//! each checked against its signature, expiry and (for uploads) the signed content type and
//! exact length, as S3 checks them.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use facelens_api::ApiError;
use facelens_local::{LocalObjects, SignedAccess};
use serde::Deserialize;
use std::sync::Arc;
use time::OffsetDateTime;

/// The signature parameters of a presigned URL.
#[derive(Deserialize)]
struct Signed {
    expires: i64,
    signature: String,
}

#[derive(Clone)]
struct ObjectsState {
    objects: Arc<LocalObjects>,
}

/// The object routes; bodies up to `max_bytes` (the upload limit) are read.
pub fn router(objects: Arc<LocalObjects>, max_bytes: u64) -> Router {
    Router::new()
        .route("/objects/{*key}", get(download).put(upload))
        .layer(DefaultBodyLimit::max(
            usize::try_from(max_bytes)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
        ))
        .with_state(ObjectsState { objects })
}

fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

fn check(state: &ObjectsState, access: &SignedAccess, signature: &str) -> Result<(), ApiError> {
    state
        .objects
        .verify(access, signature, OffsetDateTime::now_utc())
        .map_err(|e| refused(StatusCode::FORBIDDEN, "signature_refused", e.to_string()))
}

#[utoipa::path(
    put,
    path = "/objects/{key}",
    tag = "objects",
    params(("key" = String, Path, description = "the object's key"), ("expires" = i64, Query, description = "when the signature ends, Unix seconds"), ("signature" = String, Query, description = "the URL's signature")),
    request_body(
        content = Vec<u8>,
        content_type = "image/jpeg",
        description = "the photo, with the Content-Type and length the URL was signed for"
    ),
    responses(
        (status = 200, description = "stored, then analysed (uploads/ keys)"),
        (status = 403, description = "not allowed, or the password must be changed first", body = facelens_api::ErrorBody),
        (status = 413, description = "too large", body = facelens_api::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = facelens_api::ErrorBody)
    )
)]
async fn upload(
    State(state): State<ObjectsState>,
    Path(key): Path<String>,
    query: Result<Query<Signed>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let Query(signed) = query.map_err(|_| {
        refused(
            StatusCode::FORBIDDEN,
            "signature_refused",
            "the URL is not signed",
        )
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let access = SignedAccess {
        method: "PUT".into(),
        key: key.clone(),
        expires: signed.expires,
        content_type: Some(content_type),
        length: Some(body.len() as u64),
    };
    check(&state, &access, &signed.signature)?;
    state
        .objects
        .write(&key, body.to_vec())
        .await
        .map_err(ApiError::internal)?;
    Ok(StatusCode::OK)
}

#[utoipa::path(
    get,
    path = "/objects/{key}",
    tag = "objects",
    params(("key" = String, Path, description = "the object's key"), ("expires" = i64, Query, description = "when the signature ends, Unix seconds"), ("signature" = String, Query, description = "the URL's signature")),
    responses(
        (status = 200, description = "the object's bytes", content_type = "image/jpeg"),
        (status = 403, description = "not allowed, or the password must be changed first", body = facelens_api::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = facelens_api::ErrorBody)
    )
)]
async fn download(
    State(state): State<ObjectsState>,
    Path(key): Path<String>,
    query: Result<Query<Signed>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(signed) = query.map_err(|_| {
        refused(
            StatusCode::FORBIDDEN,
            "signature_refused",
            "the URL is not signed",
        )
    })?;
    let access = SignedAccess {
        method: "GET".into(),
        key: key.clone(),
        expires: signed.expires,
        content_type: None,
        length: None,
    };
    check(&state, &access, &signed.signature)?;
    let content_type = match key.rsplit('.').next() {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        _ => "image/jpeg",
    };
    match state.objects.read(&key).await.map_err(ApiError::internal)? {
        Some(bytes) => Ok((
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "private, max-age=600"),
            ],
            bytes,
        )
            .into_response()),
        None => Err(ApiError::not_found()),
    }
}

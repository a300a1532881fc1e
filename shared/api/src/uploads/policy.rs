//! `GET /api/uploads/policy`: what an upload may be, so the client says it before a person
//! picks a file and checks the file before sending it.

use super::UploadsState;
use crate::extract::Analyst;
use axum::Json;
use axum::extract::State;
use facelens_core::analysis::ImageType;
use serde::Serialize;

/// The limits of uploads.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct Policy {
    /// Largest photo, in bytes.
    max_bytes: u64,
    /// Accepted MIME types.
    types: Vec<&'static str>,
    /// How long a presigned upload URL works, in seconds.
    url_seconds: i64,
}

#[utoipa::path(
    get,
    path = "/api/uploads/policy",
    tag = "uploads",
    responses(
        (status = 200, description = "what an upload may be", body = Policy),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn policy(
    State(state): State<UploadsState>,
    Analyst(_caller): Analyst,
) -> Json<Policy> {
    let policy = state.uploads.policy();
    Json(Policy {
        max_bytes: policy.max_bytes,
        types: [ImageType::Jpeg, ImageType::Png, ImageType::Webp]
            .iter()
            .map(|t| t.mime())
            .collect(),
        url_seconds: policy.url_ttl.whole_seconds(),
    })
}

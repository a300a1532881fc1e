//! `POST /api/live/sessions/{id}/events`: a batch of counts and violations.

use super::LiveState;
use super::view::SessionJson;
use crate::ApiError;
use crate::extract::ActiveUser;
use crate::json::ApiJson;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use facelens_core::live::{IncomingEvents, NewViolation, Violation};
use serde::Deserialize;
use time::OffsetDateTime;

/// The body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EventsBody {
    seq: u64,
    faces: u32,
    masked: u32,
    unmasked: u32,
    #[serde(default)]
    violations: Vec<ViolationBody>,
}

/// One violation in the body.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ViolationBody {
    track: u32,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    unmasked_seconds: f32,
    /// Base64 of a JPEG.
    snapshot: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/live/sessions/{id}/events",
    tag = "live",
    params(("id" = String, Path, description = "the id")),
    request_body = EventsBody,
    responses(
        (status = 200, description = "the batch is counted; the session as it is now", body = super::view::SessionJson),
        (status = 400, description = "invalid input: the message says what", body = crate::ErrorBody),
        (status = 401, description = "no valid token (or wrong credentials)", body = crate::ErrorBody),
        (status = 403, description = "not allowed, or the password must be changed first", body = crate::ErrorBody),
        (status = 404, description = "no such resource, or another person's", body = crate::ErrorBody),
        (status = 409, description = "conflicts with what exists", body = crate::ErrorBody),
        (status = 413, description = "too large", body = crate::ErrorBody),
        (status = 415, description = "not JSON, or an image type that is not accepted", body = crate::ErrorBody),
        (status = 429, description = "too many requests; wait as Retry-After says", body = crate::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub(super) async fn record(
    State(state): State<LiveState>,
    ActiveUser(caller): ActiveUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EventsBody>,
) -> Result<Json<SessionJson>, ApiError> {
    let mut violations = Vec::with_capacity(body.violations.len());
    for v in body.violations {
        let snapshot_jpeg = v
            .snapshot
            .map(|b64| {
                STANDARD.decode(b64.as_bytes()).map_err(|_| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_events",
                        "a snapshot must be base64 of a JPEG image",
                    )
                })
            })
            .transpose()?;
        violations.push(NewViolation {
            violation: Violation {
                track: v.track,
                at: v.at,
                unmasked_seconds: v.unmasked_seconds,
                snapshot: None,
            },
            snapshot_jpeg,
        });
    }
    let events = IncomingEvents {
        seq: body.seq,
        faces: body.faces,
        masked: body.masked,
        unmasked: body.unmasked,
        violations,
    };
    let session = state.live.record(&caller, &id, events).await?;
    Ok(Json(SessionJson { session }))
}

//! The JSON shapes of live sessions and violations.

use facelens_core::live::{LiveSession, ViolationView};
use serde::Serialize;
use time::OffsetDateTime;

/// A violation as the client sees it: a link to its snapshot instead of the stored key.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct ViolationJson {
    track: u32,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    unmasked_seconds: f32,
    #[schema(required = true)]
    snapshot_url: Option<String>,
}

impl From<ViolationView> for ViolationJson {
    fn from(view: ViolationView) -> Self {
        Self {
            track: view.violation.track,
            at: view.violation.at,
            unmasked_seconds: view.violation.unmasked_seconds,
            snapshot_url: view.snapshot_url,
        }
    }
}

/// `{"session": ...}`.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SessionJson {
    pub(super) session: LiveSession,
}

//! What the client sees of an analysis: the record with short-lived image URLs.

use crate::ApiError;
use facelens_core::analysis::{Analysis, AnalysisService, Category, FaceResult, Status};
use serde::Serialize;
use time::OffsetDateTime;

/// One analysis in full.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AnalysisView {
    id: String,
    status: Status,
    filename: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    face_count: usize,
    masked_count: usize,
    #[schema(required = true)]
    category: Option<Category>,
    image_url: String,
    #[schema(required = true)]
    annotated_url: Option<String>,
    faces: Vec<FaceResult>,
    /// The local detector reports no attributes; this says so explicitly.
    attributes_available: bool,
    /// What these faces were compared with: the id of the analysis whose largest face it was,
    /// or `"enrolled-face"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    /// With a reference: how many faces are the same person.
    #[serde(skip_serializing_if = "Option::is_none")]
    match_count: Option<usize>,
}

/// One line of the history.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct HistoryItem {
    id: String,
    status: Status,
    filename: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    face_count: usize,
    masked_count: usize,
    #[schema(required = true)]
    category: Option<Category>,
    #[schema(required = true)]
    thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    match_count: Option<usize>,
}

/// With a reference, how many faces the engine deems the same person (none before the result).
fn match_count(a: &Analysis) -> Option<usize> {
    a.reference?;
    (a.status == Status::Done).then(|| {
        a.faces
            .iter()
            .filter(|f| f.likeness.is_some_and(|l| l.same_person))
            .count()
    })
}

pub(crate) async fn full(service: &AnalysisService, a: Analysis) -> Result<AnalysisView, ApiError> {
    let image_url = service.url(&a.original_key).await?;
    let annotated_url = match &a.annotated_key {
        Some(key) => Some(service.url(key).await?),
        None => None,
    };
    Ok(AnalysisView {
        id: a.id.to_string(),
        status: a.status,
        face_count: a.face_count(),
        masked_count: a.masked_count(),
        attributes_available: a.faces.iter().any(|f| f.attributes.is_some()),
        match_count: match_count(&a),
        reference: a.reference.map(|r| r.to_string()),
        filename: a.filename,
        created_at: a.created_at,
        failure_reason: a.failure_reason,
        width: a.width,
        height: a.height,
        category: a.category,
        image_url,
        annotated_url,
        faces: a.faces,
    })
}

pub(super) async fn item(service: &AnalysisService, a: Analysis) -> Result<HistoryItem, ApiError> {
    let thumbnail_url = match &a.thumbnail_key {
        Some(key) => Some(service.url(key).await?),
        None => None,
    };
    Ok(HistoryItem {
        id: a.id.to_string(),
        status: a.status,
        face_count: a.face_count(),
        masked_count: a.masked_count(),
        match_count: match_count(&a),
        reference: a.reference.map(|r| r.to_string()),
        filename: a.filename,
        created_at: a.created_at,
        category: a.category,
        thumbnail_url,
    })
}

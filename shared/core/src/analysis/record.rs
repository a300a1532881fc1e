//! The analysis record: one photo, from presigned upload to result.

use super::{AnalysisId, Category, FaceResult, ImageType, ObjectKey, Reference};
use crate::domain::Username;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where an analysis is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for the photo or for the worker.
    Pending,
    /// Analysed; the result is final.
    Done,
    /// The photo could not be analysed; `failure_reason` says why.
    Failed,
}

/// One photo and what was found in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// Id, also part of the object keys.
    pub id: AnalysisId,
    /// The account that submitted it; nobody else may see it.
    pub owner: Username,
    /// The name the person gave the file (shown, never used as a key).
    pub filename: String,
    /// Declared type.
    pub image_type: ImageType,
    /// Declared size in bytes.
    pub size_bytes: u64,
    /// Life stage.
    pub status: Status,
    /// Why it failed, in words for the person.
    pub failure_reason: Option<String>,
    /// When the upload was requested.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the result was recorded.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub finished_at: Option<OffsetDateTime>,
    /// Pixel width after EXIF orientation.
    pub width: Option<u32>,
    /// Pixel height after EXIF orientation.
    pub height: Option<u32>,
    /// The faces found.
    pub faces: Vec<FaceResult>,
    /// The history list, once done.
    pub category: Option<Category>,
    /// The original photo.
    pub original_key: ObjectKey,
    /// The annotated photo, once done.
    pub annotated_key: Option<ObjectKey>,
    /// The small annotated preview, once done.
    pub thumbnail_key: Option<ObjectKey>,
    /// Where the photo was fetched from, for uploads by URL.
    pub source_url: Option<String>,
    /// What each face of this photo is compared with (an earlier analysis of the same owner,
    /// or the owner's enrolled face): "compare two faces" and "find a person in a group photo".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
}

impl Analysis {
    /// A pending analysis for a photo about to be uploaded.
    pub fn pending(
        owner: Username,
        filename: String,
        image_type: ImageType,
        size_bytes: u64,
        now: OffsetDateTime,
    ) -> Self {
        let id = AnalysisId::new();
        Self {
            id,
            original_key: ObjectKey::original(&owner, id, image_type),
            owner,
            filename,
            image_type,
            size_bytes,
            status: Status::Pending,
            failure_reason: None,
            created_at: now,
            finished_at: None,
            width: None,
            height: None,
            faces: Vec::new(),
            category: None,
            annotated_key: None,
            thumbnail_key: None,
            source_url: None,
            reference: None,
        }
    }

    /// How many faces were found.
    pub fn face_count(&self) -> usize {
        self.faces.len()
    }

    /// How many of them wear a mask.
    pub fn masked_count(&self) -> usize {
        self.faces.iter().filter(|f| f.mask.masked).count()
    }
}

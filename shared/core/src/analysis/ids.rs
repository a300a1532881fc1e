//! Identifiers: analysis ids, object keys built by the server, accepted image types.

use crate::domain::Username;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// An analysis id: a UUIDv7, so ids sort by creation time.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct AnalysisId(Uuid);

impl AnalysisId {
    /// A new, time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses an id from text; `None` for anything that is not a UUID.
    pub fn parse(text: &str) -> Option<Self> {
        Uuid::parse_str(text).ok().map(Self)
    }
}

impl Default for AnalysisId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for AnalysisId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What each face of a photo is compared with: "compare two faces" and "find a person in a
/// group photo". Written as text: an analysis id, or [`Reference::ENROLLED_FACE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reference {
    /// The largest face of an earlier analysis of the same owner.
    Analysis(AnalysisId),
    /// The owner's own enrolled face (the capture kept, sealed, with the enrolment).
    EnrolledFace,
}

impl Reference {
    /// How the owner's enrolled face is named in requests and records.
    pub const ENROLLED_FACE: &'static str = "enrolled-face";

    /// Parses a reference; `None` for text that is neither an analysis id nor
    /// [`Reference::ENROLLED_FACE`].
    pub fn parse(text: &str) -> Option<Self> {
        if text == Self::ENROLLED_FACE {
            return Some(Self::EnrolledFace);
        }
        AnalysisId::parse(text).map(Self::Analysis)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Analysis(id) => id.fmt(f),
            Self::EnrolledFace => f.write_str(Self::ENROLLED_FACE),
        }
    }
}

impl Serialize for Reference {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "a reference is the id of one of your analyses or \"{}\"",
                Self::ENROLLED_FACE
            ))
        })
    }
}

/// The image types accepted for upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageType {
    /// `image/jpeg`
    Jpeg,
    /// `image/png`
    Png,
    /// `image/webp`
    Webp,
}

impl ImageType {
    /// The type for a declared MIME type, if accepted.
    pub fn from_mime(mime: &str) -> Option<Self> {
        match mime.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" => Some(Self::Jpeg),
            "image/png" => Some(Self::Png),
            "image/webp" => Some(Self::Webp),
            _ => None,
        }
    }

    /// The canonical MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    /// The file extension used in object keys.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    /// The type whose object-key extension is `ext`.
    pub fn from_extension(ext: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Webp]
            .into_iter()
            .find(|kind| kind.extension() == ext)
    }
}

/// An object key in the photo store. Always built here from the owner and the id, never from
/// a file name a person chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// `uploads/{user}/{id}.{ext}`: the original photo.
    pub fn original(owner: &Username, id: AnalysisId, kind: ImageType) -> Self {
        Self(format!("uploads/{owner}/{id}.{}", kind.extension()))
    }

    /// `annotated/{user}/{id}.jpg`: the photo with the boxes drawn.
    pub fn annotated(owner: &Username, id: AnalysisId) -> Self {
        Self(format!("annotated/{owner}/{id}.jpg"))
    }

    /// `annotated/{user}/{id}.thumb.jpg`: the small annotated preview for history lists, under
    /// `annotated/` so the bucket's lifecycle rule and the functions' permissions for
    /// annotated images cover it.
    pub fn thumbnail(owner: &Username, id: AnalysisId) -> Self {
        Self(format!("annotated/{owner}/{id}.thumb.jpg"))
    }

    /// The annotated image and the thumbnail of an analysis: what its worker writes, named
    /// from the owner and the id alone, so they can be removed even while being written.
    pub fn derived(owner: &Username, id: AnalysisId) -> [Self; 2] {
        [Self::annotated(owner, id), Self::thumbnail(owner, id)]
    }

    /// `live/{user}/{session}/{track}-{seq}.jpg`: the snapshot of a live check's violation,
    /// named by the batch that brought it too, so a refused batch's snapshot can be removed
    /// without touching a recorded one.
    pub fn live_snapshot(
        owner: &Username,
        session: crate::live::LiveSessionId,
        track: u32,
        seq: u64,
    ) -> Self {
        Self(format!("live/{owner}/{session}/{track}-{seq}.jpg"))
    }

    /// `faces/{user}/enrolled`: the capture kept with an enrolled face on AWS, the reference
    /// photo when a person looks for their own face (locally it is sealed in the database).
    pub fn enrolled_face(owner: &Username) -> Self {
        Self(format!("faces/{owner}/enrolled"))
    }

    /// A key read back from a store that only ever holds keys built here.
    pub fn stored(key: String) -> Self {
        Self(key)
    }

    /// Reads a key an event delivered; only `uploads/{user}/{uuid}.{ext}` is accepted, and the
    /// owner and id are returned with it.
    pub fn parse_original(key: &str) -> Option<(Self, Username, AnalysisId)> {
        let rest = key.strip_prefix("uploads/")?;
        let (owner, file) = rest.split_once('/')?;
        let (id, ext) = file.rsplit_once('.')?;
        let owner = Username::parse(owner).ok()?;
        if owner.as_str() != owner_raw(rest) {
            return None;
        }
        let id = AnalysisId::parse(id)?;
        let kind = ImageType::from_extension(ext)?;
        let canonical = Self::original(&owner, id, kind);
        (canonical.0 == key).then_some((canonical, owner, id))
    }

    /// The image type named by the key's extension (for originals, the uploaded type).
    pub fn image_type(&self) -> Option<ImageType> {
        ImageType::from_extension(self.0.rsplit_once('.')?.1)
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn owner_raw(rest: &str) -> &str {
    rest.split('/').next().unwrap_or_default()
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_keys_round_trip_and_foreign_keys_are_refused() {
        let owner = Username::parse("alice").expect("valid");
        let id = AnalysisId::new();
        let key = ObjectKey::original(&owner, id, ImageType::Png);
        let (parsed, who, back) = ObjectKey::parse_original(key.as_str()).expect("parses");
        assert_eq!((parsed, who, back), (key, owner, id));
        for bad in [
            "annotated/alice/x.jpg",
            "uploads/alice/not-a-uuid.jpg",
            "uploads/Alice/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10.jpg",
            "uploads/alice/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10.gif",
            "uploads/alice/../bob/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10.jpg",
        ] {
            assert!(ObjectKey::parse_original(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn mime_types_map_to_types() {
        assert_eq!(ImageType::from_mime("IMAGE/JPEG"), Some(ImageType::Jpeg));
        assert_eq!(ImageType::from_mime("image/gif"), None);
        assert_eq!(ImageType::Webp.extension(), "webp");
    }

    #[test]
    fn keys_name_their_image_type() {
        let owner = Username::parse("alice").expect("valid");
        for kind in [ImageType::Jpeg, ImageType::Png, ImageType::Webp] {
            assert_eq!(ImageType::from_extension(kind.extension()), Some(kind));
            let key = ObjectKey::original(&owner, AnalysisId::new(), kind);
            assert_eq!(key.image_type(), Some(kind));
        }
        assert_eq!(ImageType::from_extension("gif"), None);
        let thumb = ObjectKey::thumbnail(&owner, AnalysisId::new());
        assert_eq!(thumb.image_type(), Some(ImageType::Jpeg));
    }
}

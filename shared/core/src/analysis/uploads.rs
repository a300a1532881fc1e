//! Starting an analysis: a presigned upload straight to the photo store, or a photo fetched
//! from a URL by the server.

use super::ports::{AnalysisStore, ObjectStore};
use super::{Analysis, AnalysisError, AnalysisId, ImageType, Reference, Status};
use crate::clock::Clock;
use crate::domain::User;
use crate::ports::UserStore;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Limits on what may be uploaded.
#[derive(Debug, Clone, Copy)]
pub struct UploadPolicy {
    /// Largest photo in bytes (15 MB by default: the most Rekognition reads from S3).
    pub max_bytes: u64,
    /// How long a presigned upload stays valid.
    pub url_ttl: Duration,
}

impl Default for UploadPolicy {
    fn default() -> Self {
        Self {
            max_bytes: 15 * 1024 * 1024,
            url_ttl: Duration::minutes(10),
        }
    }
}

/// A presigned upload handed to the client.
#[derive(Debug, Clone)]
pub struct PresignedUpload {
    /// The analysis the photo will become.
    pub analysis_id: AnalysisId,
    /// Where to send the bytes.
    pub url: String,
    /// The method to use.
    pub method: &'static str,
    /// Headers to send exactly.
    pub headers: Vec<(String, String)>,
    /// When the URL stops working.
    pub expires_at: OffsetDateTime,
}

/// The upload use cases.
pub struct UploadService {
    objects: Arc<dyn ObjectStore>,
    analyses: Arc<dyn AnalysisStore>,
    users: Arc<dyn UserStore>,
    clock: Arc<dyn Clock>,
    policy: UploadPolicy,
}

impl UploadService {
    /// Wires the use cases; `users` is read to confirm that the caller's account still exists
    /// once a record is made (see [`UploadService::keep_if_owner_exists`]).
    pub fn new(
        objects: Arc<dyn ObjectStore>,
        analyses: Arc<dyn AnalysisStore>,
        users: Arc<dyn UserStore>,
        clock: Arc<dyn Clock>,
        policy: UploadPolicy,
    ) -> Self {
        Self {
            objects,
            analyses,
            users,
            clock,
            policy,
        }
    }

    /// The limits in force.
    pub fn policy(&self) -> UploadPolicy {
        self.policy
    }

    /// Checks the declared file, records a pending analysis and presigns the upload.
    ///
    /// # Errors
    /// [`AnalysisError::UnsupportedType`], [`AnalysisError::TooLarge`] or
    /// [`AnalysisError::Invalid`] for a declared file that breaks the policy or a `reference`
    /// that cannot be compared with (see [`UploadService::check_reference`]).
    pub async fn presign(
        &self,
        caller: &User,
        filename: &str,
        content_type: &str,
        size: u64,
        reference: Option<Reference>,
    ) -> Result<PresignedUpload, AnalysisError> {
        let filename = clean_filename(filename)?;
        let kind = ImageType::from_mime(content_type).ok_or_else(|| {
            AnalysisError::UnsupportedType(format!(
                "{content_type:?} is not accepted; send a JPEG, PNG or WebP photo"
            ))
        })?;
        self.check_size(size)?;
        self.check_reference(caller, reference).await?;
        let mut analysis = Analysis::pending(
            caller.username.clone(),
            filename,
            kind,
            size,
            self.clock.now(),
        );
        analysis.reference = reference;
        let signed = self
            .objects
            .presign_put(
                &analysis.original_key,
                kind.mime(),
                size,
                self.policy.url_ttl,
            )
            .await?;
        self.analyses.create(&analysis).await?;
        self.keep_if_owner_exists(caller, &analysis).await?;
        Ok(PresignedUpload {
            analysis_id: analysis.id,
            url: signed.url,
            method: signed.method,
            headers: signed.headers,
            expires_at: signed.expires_at,
        })
    }

    /// Stores a photo the server fetched for the caller and records its pending analysis.
    ///
    /// # Errors
    /// [`AnalysisError::UnsupportedType`] when the bytes are not a JPEG, PNG or WebP image,
    /// [`AnalysisError::TooLarge`] over the size limit, [`AnalysisError::Invalid`] for a
    /// `reference` that cannot be compared with.
    pub async fn store_fetched(
        &self,
        caller: &User,
        source_url: &str,
        bytes: Vec<u8>,
        reference: Option<Reference>,
    ) -> Result<AnalysisId, AnalysisError> {
        let name = source_url
            .rsplit('/')
            .find(|part| !part.is_empty())
            .unwrap_or("photo");
        let photo = Photo {
            bytes,
            name,
            not_an_image: "the address did not return a JPEG, PNG or WebP image",
        };
        let source_url = source_url.chars().take(2048).collect();
        self.store(caller, photo, Some(source_url), reference).await
    }

    /// Stores a photo sent in the request itself (`POST /api/analyses`) and records its
    /// pending analysis, named `filename` (or "photo").
    ///
    /// # Errors
    /// As [`UploadService::store_fetched`].
    pub async fn store_sent(
        &self,
        caller: &User,
        filename: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<AnalysisId, AnalysisError> {
        let photo = Photo {
            bytes,
            name: filename.unwrap_or("photo"),
            not_an_image: "the photo is not a JPEG, PNG or WebP image",
        };
        self.store(caller, photo, None, None).await
    }

    async fn store(
        &self,
        caller: &User,
        photo: Photo<'_>,
        source_url: Option<String>,
        reference: Option<Reference>,
    ) -> Result<AnalysisId, AnalysisError> {
        let Photo {
            bytes,
            name,
            not_an_image,
        } = photo;
        let kind = ImageType::sniff(&bytes)
            .ok_or_else(|| AnalysisError::UnsupportedType(not_an_image.into()))?;
        self.check_size(bytes.len() as u64)?;
        let filename = clean_filename(name).unwrap_or_else(|_| "photo".into());
        let mut analysis = Analysis::pending(
            caller.username.clone(),
            filename,
            kind,
            bytes.len() as u64,
            self.clock.now(),
        );
        analysis.source_url = source_url;
        analysis.reference = reference;
        self.analyses.create(&analysis).await?;
        self.objects
            .put(&analysis.original_key, bytes, kind.mime())
            .await?;
        self.keep_if_owner_exists(caller, &analysis).await?;
        Ok(analysis.id)
    }

    /// Undoes a record made for an account that is gone. A request authenticated just before
    /// its account was deleted can still be running (an upload by URL fetching its photo); if
    /// it made its record after the purge of that account's data, the record would outlive it
    /// and show to a new account of the same name. So once the record exists, the account is
    /// read again: the same id, or the record and its photo are removed. Either the record was
    /// made before the deletion (and the purge, which comes after the deletion, erases it) or
    /// this read comes after the deletion and sees it.
    ///
    /// # Errors
    /// [`AnalysisError::AccountGone`] when the account is gone or is another account now.
    async fn keep_if_owner_exists(
        &self,
        caller: &User,
        analysis: &Analysis,
    ) -> Result<(), AnalysisError> {
        let current = self.users.get(&caller.username).await?;
        if current.is_some_and(|user| user.id == caller.id) {
            return Ok(());
        }
        self.objects.delete(&analysis.original_key).await?;
        match self.analyses.delete(analysis.id).await {
            Ok(()) | Err(crate::ports::StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
        self.objects.delete(&analysis.original_key).await?;
        Err(AnalysisError::AccountGone)
    }

    /// Checks, before anything is recorded, that a photo can be compared with `reference`:
    /// an analysis of the caller's own (another person's answers as a missing one), finished,
    /// with at least one face. The caller's enrolled face passes here and is looked for when
    /// the photo is processed. Callers that must not wait for a full upload use it up front.
    ///
    /// # Errors
    /// [`AnalysisError::Invalid`] saying which rule the reference breaks.
    pub async fn check_reference(
        &self,
        caller: &User,
        reference: Option<Reference>,
    ) -> Result<(), AnalysisError> {
        let id = match reference {
            None => return Ok(()),
            // Whether the owner has a face enrolled is known where faces are kept; a photo
            // sent without one is analysed and fails with the reason.
            Some(Reference::EnrolledFace) => return Ok(()),
            Some(Reference::Analysis(id)) => id,
        };
        let found = self
            .analyses
            .get(id)
            .await?
            .filter(|analysis| analysis.owner == caller.username);
        let Some(analysis) = found else {
            return Err(AnalysisError::Invalid(
                "the reference photo is not one of your analyses".into(),
            ));
        };
        match analysis.status {
            Status::Pending => Err(AnalysisError::Invalid(
                "the reference photo is still being analysed; try again when it is done".into(),
            )),
            Status::Failed => Err(AnalysisError::Invalid(
                "the reference photo could not be analysed, so it has no face to compare".into(),
            )),
            Status::Done if analysis.faces.is_empty() => Err(AnalysisError::Invalid(
                "the reference photo has no face to compare".into(),
            )),
            Status::Done => Ok(()),
        }
    }

    fn check_size(&self, size: u64) -> Result<(), AnalysisError> {
        if size == 0 {
            return Err(AnalysisError::Invalid("the file is empty".into()));
        }
        if size > self.policy.max_bytes {
            return Err(AnalysisError::TooLarge(format!(
                "the photo is {:.1} MB; the limit is {:.1} MB",
                size as f64 / 1_048_576.0,
                self.policy.max_bytes as f64 / 1_048_576.0
            )));
        }
        Ok(())
    }
}

/// A display name: trimmed, no control characters or path separators, 1..=255 characters.
/// A photo the server holds the bytes of, and what to say when they are not an image.
struct Photo<'a> {
    bytes: Vec<u8>,
    name: &'a str,
    not_an_image: &'static str,
}

fn clean_filename(raw: &str) -> Result<String, AnalysisError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Err(AnalysisError::Invalid("filename must not be empty".into()));
    }
    Ok(cleaned.chars().take(255).collect())
}

impl ImageType {
    /// The type announced by the first bytes (magic numbers), if accepted.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_paths_and_control_characters() {
        assert_eq!(clean_filename("../../etc/passwd").expect("ok"), "passwd");
        assert_eq!(clean_filename("C:\\photos\\me.jpg").expect("ok"), "me.jpg");
        assert_eq!(clean_filename("a\u{0}b.png").expect("ok"), "ab.png");
        assert!(clean_filename("  ").is_err());
        assert_eq!(clean_filename(&"x".repeat(400)).expect("ok").len(), 255);
    }

    #[test]
    fn magic_bytes_decide_the_type() {
        assert_eq!(
            ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageType::Jpeg)
        );
        assert_eq!(
            ImageType::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(ImageType::Png)
        );
        assert_eq!(
            ImageType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageType::Webp)
        );
        assert_eq!(ImageType::sniff(b"GIF89a"), None);
        assert_eq!(ImageType::sniff(b""), None);
    }
}

//! The photo store on disk, with URLs signed the way S3 presigns them: the method, the key, the
//! expiry and (for uploads) the exact content type and length are bound by an HMAC, so the
//! browser code is the same here and on AWS. Writing an `uploads/` key queues its analysis,
//! as S3's event notification does.

use crate::db::LocalDb;
use crate::durable;
use async_trait::async_trait;
use facelens_core::analysis::ObjectKey;
use facelens_core::analysis::ports::{ObjectStore, PresignedRequest};
use facelens_core::ports::StoreError;
use facelens_core::secret::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// The folder under the root where files are written before being renamed into place. No
/// object key can name it (keys are made by the services, and every URL to one is signed).
pub const PARTIAL_DIR: &str = ".partial";

/// Objects as files under a folder; URLs served by the local server under `/objects/`.
#[derive(Clone)]
pub struct LocalObjects {
    root: PathBuf,
    base_url: String,
    key: Secret<Vec<u8>>,
    queue: LocalDb,
}

/// What a signed URL allows, as checked by [`LocalObjects::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAccess {
    /// `GET` or `PUT`.
    pub method: String,
    /// The object.
    pub key: String,
    /// Unix seconds after which it fails.
    pub expires: i64,
    /// For `PUT`: the content type the body must declare.
    pub content_type: Option<String>,
    /// For `PUT`: the exact body length.
    pub length: Option<u64>,
}

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Missing or malformed signature parameters.
    #[error("the URL is not signed")]
    Missing,
    /// The signature does not match what was sent.
    #[error("the signature does not match the request")]
    Mismatch,
    /// Past the expiry.
    #[error("the signed URL has expired")]
    Expired,
}

impl LocalObjects {
    /// Objects under `root`, URLs under `base_url` (the server's address), signed with `key`;
    /// uploads are queued in `queue`.
    pub fn new(root: &Path, base_url: &str, key: Vec<u8>, queue: LocalDb) -> Self {
        Self {
            root: root.to_path_buf(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            key: Secret::new(key),
            queue,
        }
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        let safe = !key.is_empty()
            && key.split('/').next() != Some(PARTIAL_DIR)
            && key.split('/').all(|part| {
                !part.is_empty() && part != "." && part != ".." && !part.contains('\\')
            });
        if !safe {
            return Err(StoreError::Unavailable(format!(
                "unsafe object key {key:?}"
            )));
        }
        Ok(self.root.join(key))
    }

    fn signature(&self, access: &SignedAccess) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.expose())
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        let text = format!(
            "{}\n{}\n{}\n{}\n{}",
            access.method,
            access.key,
            access.expires,
            access.content_type.as_deref().unwrap_or(""),
            access.length.map(|l| l.to_string()).unwrap_or_default()
        );
        mac.update(text.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn signed_url(&self, access: &SignedAccess) -> String {
        format!(
            "{}/objects/{}?expires={}&signature={}",
            self.base_url,
            access.key,
            access.expires,
            self.signature(access)
        )
    }

    /// Checks a request against its signature: `signature` and `expires` from the query,
    /// and what was actually sent.
    ///
    /// # Errors
    /// [`SignatureError`] saying why it is refused.
    pub fn verify(
        &self,
        access: &SignedAccess,
        signature: &str,
        now: OffsetDateTime,
    ) -> Result<(), SignatureError> {
        let expected = self.signature(access);
        let matches: bool =
            subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), signature.as_bytes()).into();
        if !matches {
            return Err(SignatureError::Mismatch);
        }
        if access.expires < now.unix_timestamp() {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }

    /// Writes an object and, for uploads, queues its analysis (both durable on return).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the file or the queue cannot be written.
    pub async fn write(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        let partial = self.root.join(PARTIAL_DIR);
        tokio::task::spawn_blocking(move || durable::write(&partial, &path, &bytes))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .map_err(|e| StoreError::Unavailable(format!("writing {key}: {e}")))?;
        if key.starts_with("uploads/") {
            self.queue.enqueue(key).await?;
        }
        Ok(())
    }

    /// Removes what writes cut short by a crash left in the folder of partial files; called at
    /// start, before anything writes. Returns how many were removed.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the folder cannot be read or a file removed.
    pub fn sweep_partial(&self) -> Result<usize, StoreError> {
        durable::sweep(&self.root.join(PARTIAL_DIR))
            .map_err(|e| StoreError::Unavailable(format!("sweeping partial writes: {e}")))
    }
}

impl LocalObjects {
    /// Reads an object; `None` when absent.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] for unsafe keys and read failures.
    pub async fn read(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path_of(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Unavailable(format!("reading {key}: {e}"))),
        }
    }
}

#[async_trait]
impl ObjectStore for LocalObjects {
    async fn put(
        &self,
        key: &ObjectKey,
        bytes: Vec<u8>,
        _content_type: &str,
    ) -> Result<(), StoreError> {
        self.write(key.as_str(), bytes).await
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(key.as_str()).await
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), StoreError> {
        let path = self.path_of(key.as_str())?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Unavailable(format!("deleting {key}: {e}"))),
        }
    }

    async fn presign_put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        length: u64,
        expires_in: Duration,
    ) -> Result<PresignedRequest, StoreError> {
        let expires_at = OffsetDateTime::now_utc() + expires_in;
        let access = SignedAccess {
            method: "PUT".into(),
            key: key.as_str().to_owned(),
            expires: expires_at.unix_timestamp(),
            content_type: Some(content_type.to_owned()),
            length: Some(length),
        };
        Ok(PresignedRequest {
            url: self.signed_url(&access),
            method: "PUT",
            headers: vec![("Content-Type".into(), content_type.to_owned())],
            expires_at,
        })
    }

    async fn presign_get(
        &self,
        key: &ObjectKey,
        expires_in: Duration,
    ) -> Result<String, StoreError> {
        let access = SignedAccess {
            method: "GET".into(),
            key: key.as_str().to_owned(),
            expires: (OffsetDateTime::now_utc() + expires_in).unix_timestamp(),
            content_type: None,
            length: None,
        };
        Ok(self.signed_url(&access))
    }
}

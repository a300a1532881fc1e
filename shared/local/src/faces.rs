//! Enrolled faces at rest: one embedding per account name, bound to the account's id, and the
//! capture it came from (the reference photo when the person looks for their own face), both
//! sealed with XChaCha20-Poly1305 under a key derived from a secret kept outside the database
//! (`<data-dir>/face-key`, or `FACELENS_FACE_KEY`), with the name as associated data, so a copy
//! of the database file alone reveals no face and a sealed face moved under another name does
//! not open.

use crate::db::{FACE_PHOTOS, FACES, LocalDb, from_json, to_json, unavailable};
use async_trait::async_trait;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use facelens_core::analysis::ObjectKey;
use facelens_core::analysis::ports::{EnrolledFaces, ReferencePhoto};
use facelens_core::domain::Username;
use facelens_core::ports::StoreError;
use rand::RngCore;
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The shortest secret the sealing key is derived from, in bytes.
pub const FACE_KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// Prefixed to the name in the associated data of a sealed capture, so a sealed embedding and
/// a sealed capture cannot stand in for each other.
const PHOTO_AAD: &[u8] = b"photo\0";

/// What is sealed: whose face (the account id) and the face itself.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Enrolment {
    account_id: String,
    embedding: Vec<f32>,
}

/// The sealed store of enrolled faces in the local database.
#[derive(Clone)]
pub struct SealedFaces {
    db: LocalDb,
    cipher: Arc<XChaCha20Poly1305>,
}

impl SealedFaces {
    /// The store on `db`, sealing with a key derived from `secret` (at least
    /// [`FACE_KEY_LEN`] bytes): SHA-256 of a label and the secret.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] for a shorter secret.
    pub fn new(db: LocalDb, secret: &[u8]) -> Result<Self, StoreError> {
        if secret.len() < FACE_KEY_LEN {
            return Err(StoreError::Unavailable(format!(
                "the face key must be at least {FACE_KEY_LEN} bytes"
            )));
        }
        let key = Sha256::new()
            .chain_update(b"facelens face sealing key\0")
            .chain_update(secret)
            .finalize();
        Ok(Self {
            db,
            cipher: Arc::new(XChaCha20Poly1305::new(Key::from_slice(&key))),
        })
    }

    /// Seals and stores `owner`'s face and the capture it was taken from, replacing earlier
    /// ones, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when sealing or the database fails.
    pub async fn put(
        &self,
        owner: &Username,
        account_id: &str,
        embedding: &[f32],
        capture: &[u8],
    ) -> Result<(), StoreError> {
        let plain = to_json(&Enrolment {
            account_id: account_id.to_owned(),
            embedding: embedding.to_vec(),
        })?;
        let face = self.seal(&plain, owner.as_str().as_bytes())?;
        let photo = self.seal(capture, &photo_aad(owner))?;
        let owner = owner.as_str().to_owned();
        self.db
            .write(move |txn| {
                txn.open_table(FACES)
                    .map_err(unavailable)?
                    .insert(owner.as_str(), face.as_slice())
                    .map_err(unavailable)?;
                txn.open_table(FACE_PHOTOS)
                    .map_err(unavailable)?
                    .insert(owner.as_str(), photo.as_slice())
                    .map_err(unavailable)?;
                Ok(())
            })
            .await
    }

    /// The capture `owner`'s face was enrolled from, whichever account enrolled it (the purge
    /// of an account removes it with the face).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails or the sealed capture does not open.
    pub async fn photo(&self, owner: &Username) -> Result<Option<Vec<u8>>, StoreError> {
        self.stored(FACE_PHOTOS, owner)
            .await?
            .map(|sealed| self.open(&sealed, &photo_aad(owner)))
            .transpose()
    }

    /// The sealed bytes kept under `owner` in `table`.
    async fn stored(
        &self,
        table: TableDefinition<'static, &'static str, &'static [u8]>,
        owner: &Username,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.db
            .read(|txn| {
                let table = txn.open_table(table).map_err(unavailable)?;
                Ok(table
                    .get(owner.as_str())
                    .map_err(unavailable)?
                    .map(|v| v.value().to_vec()))
            })
            .await
    }

    /// `nonce || XChaCha20-Poly1305(plain)` with `aad` as associated data.
    fn seal(&self, plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|_| StoreError::Unavailable("sealing a face failed".into()))?;
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&sealed);
        Ok(stored)
    }

    /// Opens what [`SealedFaces::seal`] made with the same `aad`.
    fn open(&self, stored: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
        if stored.len() < NONCE_LEN {
            return Err(StoreError::Unavailable("a sealed face is truncated".into()));
        }
        let (nonce, sealed) = stored.split_at(NONCE_LEN);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| StoreError::Unavailable("a sealed face does not open".into()))
    }

    /// `owner`'s face when it was enrolled by the account `account_id`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails or the sealed face does not open
    /// (another key, or tampered with).
    pub async fn get(
        &self,
        owner: &Username,
        account_id: &str,
    ) -> Result<Option<Vec<f32>>, StoreError> {
        let stored = self.stored(FACES, owner).await?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let plain = self.open(&stored, owner.as_str().as_bytes())?;
        let enrolment: Enrolment = from_json(&plain)?;
        Ok((enrolment.account_id == account_id).then_some(enrolment.embedding))
    }

    /// Forgets `owner`'s face and its capture; forgetting none succeeds.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn remove(&self, owner: &Username) -> Result<(), StoreError> {
        let owner = owner.as_str().to_owned();
        self.db
            .write(move |txn| {
                txn.open_table(FACES)
                    .map_err(unavailable)?
                    .remove(owner.as_str())
                    .map_err(unavailable)?;
                txn.open_table(FACE_PHOTOS)
                    .map_err(unavailable)?
                    .remove(owner.as_str())
                    .map_err(unavailable)?;
                Ok(())
            })
            .await
    }

    /// The stored (sealed) bytes of `owner`'s face, for tests that check nothing is in clear.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails.
    pub async fn sealed_bytes(&self, owner: &Username) -> Result<Option<Vec<u8>>, StoreError> {
        self.stored(FACES, owner).await
    }
}

fn photo_aad(owner: &Username) -> Vec<u8> {
    [PHOTO_AAD, owner.as_str().as_bytes()].concat()
}

#[async_trait]
impl EnrolledFaces for SealedFaces {
    async fn photo(&self, owner: &Username) -> Result<Option<ReferencePhoto>, StoreError> {
        Ok(SealedFaces::photo(self, owner)
            .await?
            .map(|bytes| ReferencePhoto {
                key: ObjectKey::enrolled_face(owner),
                bytes,
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Username {
        Username::parse(n).expect("a name")
    }

    const CAPTURE: &[u8] = b"\xff\xd8 the camera frame ada enrolled her face from \xff\xd9";

    fn store(dir: &tempfile::TempDir, key: u8) -> SealedFaces {
        let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
        SealedFaces::new(db, &[key; FACE_KEY_LEN]).expect("store")
    }

    #[tokio::test]
    async fn a_face_is_sealed_bound_to_its_name_and_account_and_removable() {
        let dir = tempfile::tempdir().expect("dir");
        let faces = store(&dir, 7);
        let embedding: Vec<f32> = (0..128).map(|i| i as f32 / 128.0).collect();
        faces
            .put(&name("ada"), "account-1", &embedding, CAPTURE)
            .await
            .expect("put");
        assert_eq!(
            faces.get(&name("ada"), "account-1").await.expect("get"),
            Some(embedding.clone())
        );
        // Another account of the same name does not see it.
        assert_eq!(
            faces.get(&name("ada"), "account-2").await.expect("get"),
            None
        );

        // Nothing of the plain text is in what is stored.
        let sealed = faces
            .sealed_bytes(&name("ada"))
            .await
            .expect("read")
            .expect("stored");
        let plain = to_json(&Enrolment {
            account_id: "account-1".into(),
            embedding: embedding.clone(),
        })
        .expect("json");
        assert!(!sealed.windows(9).any(|w| w == b"account-1"));
        assert!(
            !sealed
                .windows(16)
                .any(|w| plain.windows(16).any(|p| p == w))
        );

        // Moved under another name, it does not open.
        let moved = sealed.clone();
        faces
            .db
            .write(move |txn| {
                txn.open_table(FACES)
                    .map_err(unavailable)?
                    .insert("bob", moved.as_slice())
                    .map_err(unavailable)?;
                Ok(())
            })
            .await
            .expect("moved");
        assert!(faces.get(&name("bob"), "account-1").await.is_err());

        faces.remove(&name("ada")).await.expect("removed");
        assert_eq!(
            faces.get(&name("ada"), "account-1").await.expect("get"),
            None
        );
        assert_eq!(faces.photo(&name("ada")).await.expect("photo"), None);
        faces
            .remove(&name("ada"))
            .await
            .expect("removing none succeeds");
    }

    #[tokio::test]
    async fn the_enrolled_capture_is_sealed_bound_to_its_name_and_read_as_a_reference() {
        let dir = tempfile::tempdir().expect("dir");
        let faces = store(&dir, 7);
        faces
            .put(&name("ada"), "account-1", &[0.5; 128], CAPTURE)
            .await
            .expect("put");
        let reference = EnrolledFaces::photo(&faces, &name("ada"))
            .await
            .expect("read")
            .expect("a capture");
        assert_eq!(reference.bytes, CAPTURE);
        assert_eq!(reference.key.as_str(), "faces/ada/enrolled");
        assert_eq!(faces.photo(&name("bob")).await.expect("read"), None);

        let sealed = faces
            .stored(FACE_PHOTOS, &name("ada"))
            .await
            .expect("read")
            .expect("stored");
        assert!(
            !sealed
                .windows(12)
                .any(|w| CAPTURE.windows(12).any(|c| c == w))
        );

        // Under another name, or in place of the embedding, it does not open.
        let moved = sealed.clone();
        faces
            .db
            .write(move |txn| {
                txn.open_table(FACE_PHOTOS)
                    .map_err(unavailable)?
                    .insert("bob", moved.as_slice())
                    .map_err(unavailable)?;
                txn.open_table(FACES)
                    .map_err(unavailable)?
                    .insert("ada", sealed.as_slice())
                    .map_err(unavailable)?;
                Ok(())
            })
            .await
            .expect("moved");
        assert!(faces.photo(&name("bob")).await.is_err());
        assert!(faces.get(&name("ada"), "account-1").await.is_err());
    }

    #[tokio::test]
    async fn another_key_cannot_open_a_sealed_face() {
        let dir = tempfile::tempdir().expect("dir");
        let faces = store(&dir, 7);
        faces
            .put(&name("ada"), "account-1", &[0.5; 128], CAPTURE)
            .await
            .expect("put");
        let other = SealedFaces::new(faces.db.clone(), &[8; FACE_KEY_LEN]).expect("store");
        assert!(other.get(&name("ada"), "account-1").await.is_err());
        assert!(other.photo(&name("ada")).await.is_err());
        assert!(SealedFaces::new(faces.db.clone(), &[1; 16]).is_err());
    }
}

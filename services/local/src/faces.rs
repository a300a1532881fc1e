//! The local face vault: the face engine (detector, mask classifier, SFace) on tokio's blocking
//! pool, and the enrolled faces sealed in the embedded database.

use async_trait::async_trait;
use facelens_core::analysis::Likeness;
use facelens_core::domain::Username;
use facelens_core::faces::{FaceError, FaceVault, SeenFace};
use facelens_local::SealedFaces;
use facelens_pipeline::{FaceEngine, likeness};
use facelens_vision::{EMBEDDING_LEN, Embedding};
use std::sync::Arc;

/// [`FaceVault`] on the local models and database.
pub struct LocalFaceVault {
    engine: Arc<FaceEngine>,
    sealed: SealedFaces,
}

impl LocalFaceVault {
    /// A vault on a loaded engine and the sealed store.
    pub fn new(engine: FaceEngine, sealed: SealedFaces) -> Self {
        Self {
            engine: Arc::new(engine),
            sealed,
        }
    }

    /// The embedding of the largest face of a capture, computed off the async threads.
    async fn embed(&self, capture: &[u8]) -> Result<Embedding, FaceError> {
        let engine = Arc::clone(&self.engine);
        let capture = capture.to_vec();
        tokio::task::spawn_blocking(move || {
            let image = engine.decode(&capture)?;
            engine.embed_largest(&image)?.ok_or_else(|| {
                FaceError::Unusable("No face was found: look into the camera.".into())
            })
        })
        .await
        .map_err(|e| FaceError::Unavailable(format!("face engine task: {e}")))?
    }
}

fn store_error(err: facelens_core::ports::StoreError) -> FaceError {
    FaceError::Unavailable(err.to_string())
}

#[async_trait]
impl FaceVault for LocalFaceVault {
    async fn look(&self, capture: &[u8]) -> Result<Vec<SeenFace>, FaceError> {
        let engine = Arc::clone(&self.engine);
        let capture = capture.to_vec();
        tokio::task::spawn_blocking(move || {
            let image = engine.decode(&capture)?;
            Ok(engine.look(&image)?.into_iter().map(|f| f.seen).collect())
        })
        .await
        .map_err(|e| FaceError::Unavailable(format!("face engine task: {e}")))?
    }

    async fn enrol(
        &self,
        owner: &Username,
        account_id: &str,
        capture: &[u8],
    ) -> Result<(), FaceError> {
        let embedding = self.embed(capture).await?;
        self.sealed
            .put(owner, account_id, &embedding.0, capture)
            .await
            .map_err(store_error)
    }

    async fn verify(
        &self,
        owner: &Username,
        account_id: &str,
        capture: &[u8],
    ) -> Result<Option<Likeness>, FaceError> {
        let Some(stored) = self
            .sealed
            .get(owner, account_id)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        let enrolled: [f32; EMBEDDING_LEN] = stored
            .try_into()
            .map_err(|_| FaceError::Unavailable("an enrolled face has the wrong length".into()))?;
        let cosine = Embedding(enrolled).similarity(&self.embed(capture).await?);
        Ok(Some(likeness(cosine)))
    }

    async fn is_enrolled(&self, owner: &Username, account_id: &str) -> Result<bool, FaceError> {
        Ok(self
            .sealed
            .get(owner, account_id)
            .await
            .map_err(store_error)?
            .is_some())
    }

    async fn remove(&self, owner: &Username) -> Result<(), FaceError> {
        self.sealed.remove(owner).await.map_err(store_error)
    }
}

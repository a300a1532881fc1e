//! The photo store on S3: originals under `uploads/`, annotated images and thumbnails beside
//! them, the captures of enrolled faces under `faces/` (read by the worker when a person looks
//! for their own face). Browsers upload and download straight from S3 with presigned requests; the upload's
//! content type and exact length are part of the signature, so S3 refuses any other body.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use facelens_core::analysis::ObjectKey;
use facelens_core::analysis::ports::{
    EnrolledFaces, ObjectStore, PresignedRequest, ReferencePhoto,
};
use facelens_core::domain::Username;
use facelens_core::ports::StoreError;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// The photo bucket. Cheap to clone: clones share one SDK client.
#[derive(Clone, Debug)]
pub struct S3Objects {
    client: Client,
    bucket: Arc<str>,
}

impl S3Objects {
    /// The store on `bucket` through `client`.
    pub(crate) fn new(client: Client, bucket: String) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The SDK client, for the test harness (creating buckets).
    #[cfg(feature = "test-support")]
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Every key in the bucket (the first 1,000), for tests that look for orphans.
    ///
    /// # Panics
    /// When the listing fails.
    #[cfg(feature = "test-support")]
    pub async fn keys(&self) -> Vec<String> {
        let listed = self
            .client
            .list_objects_v2()
            .bucket(&*self.bucket)
            .send()
            .await
            .expect("the bucket is listed");
        listed
            .contents()
            .iter()
            .filter_map(|object| object.key().map(str::to_owned))
            .collect()
    }
}

fn unavailable<E: std::error::Error>(operation: &str, err: E) -> StoreError {
    StoreError::Unavailable(format!("S3 {operation}: {}", DisplayErrorContext(err)))
}

fn presigning(expires_in: Duration) -> Result<PresigningConfig, StoreError> {
    let expires_in: std::time::Duration = expires_in
        .try_into()
        .map_err(|_| StoreError::Unavailable("a presigned URL cannot expire in the past".into()))?;
    PresigningConfig::expires_in(expires_in).map_err(|e| unavailable("presigning", e))
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn put(
        &self,
        key: &ObjectKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(self.bucket.as_ref())
            .key(key.as_str())
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| unavailable("PutObject", e))?;
        Ok(())
    }

    async fn get(&self, key: &ObjectKey) -> Result<Option<Vec<u8>>, StoreError> {
        let object = match self
            .client
            .get_object()
            .bucket(self.bucket.as_ref())
            .key(key.as_str())
            .send()
            .await
        {
            Ok(object) => object,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None);
            }
            Err(err) => return Err(unavailable("GetObject", err)),
        };
        let body = object
            .body
            .collect()
            .await
            .map_err(|e| unavailable("GetObject body", e))?;
        Ok(Some(body.into_bytes().to_vec()))
    }

    async fn delete(&self, key: &ObjectKey) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(self.bucket.as_ref())
            .key(key.as_str())
            .send()
            .await
            .map_err(|e| unavailable("DeleteObject", e))?;
        Ok(())
    }

    async fn presign_put(
        &self,
        key: &ObjectKey,
        content_type: &str,
        length: u64,
        expires_in: Duration,
    ) -> Result<PresignedRequest, StoreError> {
        let length = i64::try_from(length)
            .map_err(|_| StoreError::Unavailable("upload length out of range".into()))?;
        let expires_at = OffsetDateTime::now_utc() + expires_in;
        let request = self
            .client
            .put_object()
            .bucket(self.bucket.as_ref())
            .key(key.as_str())
            .content_type(content_type)
            .content_length(length)
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| unavailable("presigning PutObject", e))?;
        Ok(PresignedRequest {
            url: request.uri().to_owned(),
            method: "PUT",
            headers: request
                .headers()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            expires_at,
        })
    }

    async fn presign_get(
        &self,
        key: &ObjectKey,
        expires_in: Duration,
    ) -> Result<String, StoreError> {
        let request = self
            .client
            .get_object()
            .bucket(self.bucket.as_ref())
            .key(key.as_str())
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| unavailable("presigning GetObject", e))?;
        Ok(request.uri().to_owned())
    }
}

#[async_trait]
impl EnrolledFaces for S3Objects {
    async fn photo(&self, owner: &Username) -> Result<Option<ReferencePhoto>, StoreError> {
        let key = ObjectKey::enrolled_face(owner);
        Ok(self
            .get(&key)
            .await?
            .map(|bytes| ReferencePhoto { key, bytes }))
    }
}

//! The S3 photo store against s3s-fs, a real S3-compatible server that verifies SigV4, so the
//! presigned requests are checked as S3 checks them: the signed content type and length, the
//! expiry and the signature itself. Needs `bash scripts/aws-test-setup.sh` once.

use facelens_aws::S3Objects;
use facelens_core::analysis::ports::{ObjectStore, PresignedRequest};
use facelens_core::analysis::{AnalysisId, ImageType, ObjectKey};
use facelens_core::domain::Username;
use time::Duration;

async fn store() -> S3Objects {
    let server = facelens_aws::s3s::server();
    let aws = server.aws().await;
    server.bucket(&aws).await
}

fn owner() -> Username {
    Username::parse("ann").expect("valid username")
}

/// A new original's key.
fn key() -> ObjectKey {
    ObjectKey::original(&owner(), AnalysisId::new(), ImageType::Jpeg)
}

/// Sends a presigned PUT as a browser would: the signed headers except the ones it may not
/// set (the length comes from the body), replaced where `overrides` says.
async fn put(request: &PresignedRequest, body: Vec<u8>, overrides: &[(&str, &str)]) -> u16 {
    let client = reqwest::Client::new();
    let mut builder = client.put(&request.url);
    for (name, value) in &request.headers {
        if name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        let value = overrides
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or(value.as_str(), |(_, v)| v);
        builder = builder.header(name, value);
    }
    builder
        .body(body)
        .send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

#[tokio::test]
async fn given_a_presigned_put_when_the_browser_sends_exactly_that_then_the_photo_is_stored() {
    let store = store().await;
    let key = key();
    let photo = b"\xFF\xD8\xFF pretend jpeg".to_vec();
    let request = store
        .presign_put(&key, "image/jpeg", photo.len() as u64, Duration::minutes(5))
        .await
        .expect("presigned");

    assert_eq!(request.method, "PUT");
    let signed: Vec<String> = request
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    assert!(signed.contains(&"content-type".to_owned()), "{signed:?}");
    assert!(
        request.url.contains("X-Amz-SignedHeaders=")
            && request.url.contains("content-length")
            && request.url.contains("content-type"),
        "type and length are signed: {}",
        request.url
    );
    assert_eq!(put(&request, photo.clone(), &[]).await, 200);
    assert_eq!(store.get(&key).await.expect("get"), Some(photo));
}

#[tokio::test]
async fn given_a_presigned_put_when_the_type_differs_then_refused_and_nothing_stored() {
    let store = store().await;
    let key = key();
    let request = store
        .presign_put(&key, "image/jpeg", 10, Duration::minutes(5))
        .await
        .expect("presigned");

    let status = put(&request, vec![0; 10], &[("content-type", "text/html")]).await;

    assert_eq!(status, 403);
    assert_eq!(store.get(&key).await.expect("get"), None);
}

#[tokio::test]
async fn given_a_presigned_put_when_the_length_differs_then_refused_and_nothing_stored() {
    let store = store().await;
    let key = key();
    let request = store
        .presign_put(&key, "image/jpeg", 10, Duration::minutes(5))
        .await
        .expect("presigned");

    assert_eq!(put(&request, vec![0; 11], &[]).await, 403, "longer");
    assert_eq!(put(&request, vec![0; 9], &[]).await, 403, "shorter");
    assert_eq!(store.get(&key).await.expect("get"), None);
}

#[tokio::test]
async fn given_an_expired_presigned_put_when_sent_then_refused() {
    let store = store().await;
    let key = key();
    let request = store
        .presign_put(&key, "image/jpeg", 4, Duration::seconds(1))
        .await
        .expect("presigned");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;

    assert_eq!(put(&request, vec![1; 4], &[]).await, 403);
    assert_eq!(store.get(&key).await.expect("get"), None);
}

#[tokio::test]
async fn given_a_tampered_signature_or_key_when_sent_then_refused() {
    let store = store().await;
    let key = key();
    let other = ObjectKey::original(&owner(), AnalysisId::new(), ImageType::Jpeg);
    let request = store
        .presign_put(&key, "image/jpeg", 4, Duration::minutes(5))
        .await
        .expect("presigned");
    let mut bad_signature = request.clone();
    let last = bad_signature.url.pop().expect("a signature");
    bad_signature.url.push(if last == '0' { '1' } else { '0' });
    let mut other_key = request.clone();
    other_key.url = other_key.url.replace(key.as_str(), other.as_str());
    assert_ne!(other_key.url, request.url);

    assert_eq!(put(&bad_signature, vec![1; 4], &[]).await, 403);
    assert_eq!(put(&other_key, vec![1; 4], &[]).await, 403);
    assert_eq!(store.get(&key).await.expect("get"), None);
    assert_eq!(store.get(&other).await.expect("get"), None);
}

#[tokio::test]
async fn given_a_stored_photo_when_presigned_for_reading_then_it_downloads_until_deleted() {
    let store = store().await;
    let key = ObjectKey::annotated(&owner(), AnalysisId::new());
    store
        .put(&key, b"annotated".to_vec(), "image/jpeg")
        .await
        .expect("put");

    let url = store
        .presign_get(&key, Duration::minutes(5))
        .await
        .expect("presigned");
    let fetched = reqwest::get(&url).await.expect("the server answers");
    assert_eq!(fetched.status().as_u16(), 200);
    assert_eq!(fetched.bytes().await.expect("body").as_ref(), b"annotated");

    store.delete(&key).await.expect("delete");
    assert_eq!(store.get(&key).await.expect("get"), None);
    store
        .delete(&key)
        .await
        .expect("deleting an absent object succeeds");
    let gone = reqwest::get(&url).await.expect("the server answers");
    assert_eq!(gone.status().as_u16(), 404);
}

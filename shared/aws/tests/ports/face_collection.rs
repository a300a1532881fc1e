//! The Rekognition face collection as the vault of enrolled faces: Rekognition replayed from
//! documented response shapes (`fixtures/rekognition/README.md`), the face records on moto's
//! DynamoDB. Enrolment records the face id and deletes the one it replaces, verification counts
//! the claimed account's face only and keeps the capture in the bucket (moto's S3) for the
//! worker, removal deletes face, capture and record, and bad captures are refused in words
//! for the person.

use aws_sdk_rekognition::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use facelens_aws::recorded::rekognition_reply;
use facelens_aws::{DynamoDb, RekognitionVault, S3Objects};
use facelens_core::analysis::Likeness;
use facelens_core::analysis::ObjectKey;
use facelens_core::analysis::ports::{EnrolledFaces, ObjectStore};
use facelens_core::domain::Username;
use facelens_core::faces::{FaceError, FaceVault};
use serde_json::Value;
use std::time::Duration;

const COLLECTION: &str = "facelens-faces-test";
const ACCOUNT: &str = "0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10";
const FIRST_FACE: &str = "11111111-2222-4333-8444-555555555555";
const SECOND_FACE: &str = "66666666-7777-4888-8999-000000000000";

/// A vault whose Rekognition answers `replies` in order, on a fresh moto table and bucket.
async fn vault(replies: &[&str]) -> (RekognitionVault, StaticReplayClient, DynamoDb, S3Objects) {
    let moto = facelens_aws::moto::server();
    let aws = moto.aws().await;
    let table = moto.table(&aws).await;
    let bucket = moto.bucket(&aws).await;
    let http = StaticReplayClient::new(
        replies
            .iter()
            .map(|name| {
                let request = http::Request::builder()
                    .uri("https://rekognition.eu-west-1.amazonaws.com/")
                    .body(SdkBody::empty())
                    .expect("request");
                ReplayEvent::new(request, rekognition_reply(name))
            })
            .collect(),
    );
    let config = aws_sdk_rekognition::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http.clone())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "test"))
        .build();
    let vault = RekognitionVault::from_config(
        config,
        COLLECTION,
        table.clone(),
        bucket.clone(),
        Duration::from_millis(1),
    );
    (vault, http, table, bucket)
}

/// The operation (`x-amz-target`) and JSON body of every request sent so far.
fn sent(http: &StaticReplayClient) -> Vec<(String, Value)> {
    http.actual_requests()
        .map(|r| {
            let target = r
                .headers()
                .get("x-amz-target")
                .expect("a target")
                .to_owned();
            let body = serde_json::from_slice(r.body().bytes().expect("a body")).expect("JSON");
            (target.replace("RekognitionService.", ""), body)
        })
        .collect()
}

fn alice() -> Username {
    Username::parse("alice").expect("a name")
}

#[tokio::test]
async fn a_face_is_enrolled_verified_against_its_account_only_replaced_and_removed() {
    let (vault, http, table, bucket) = vault(&[
        "index_faces",
        "search_faces_by_image",
        "search_faces_by_image_someone_else",
        "index_faces_second",
        "delete_faces",
        "delete_faces_second",
    ])
    .await;
    let capture = b"\xFF\xD8 a camera frame";

    vault
        .enrol(&alice(), ACCOUNT, capture)
        .await
        .expect("enrolled");
    let record = table
        .face_record(&alice())
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(
        (record.account_id.as_str(), record.face_id.as_str()),
        (ACCOUNT, FIRST_FACE)
    );
    // The capture is kept for the worker, which reads it as the reference photo.
    let kept = bucket
        .photo(&alice())
        .await
        .expect("read")
        .expect("the capture is kept");
    assert_eq!(kept.bytes, capture);
    assert_eq!(kept.key, ObjectKey::enrolled_face(&alice()));
    assert!(vault.is_enrolled(&alice(), ACCOUNT).await.expect("read"));
    assert!(
        !vault
            .is_enrolled(&alice(), "another-account")
            .await
            .expect("read"),
        "a later account of the same name has no face"
    );

    // The claimed account's face is among the matches: its similarity counts.
    assert_eq!(
        vault
            .verify(&alice(), ACCOUNT, capture)
            .await
            .expect("verified"),
        Some(Likeness {
            similarity: 99.41,
            same_person: true
        })
    );
    // Only someone else's face matches: not alice.
    assert_eq!(
        vault
            .verify(&alice(), ACCOUNT, capture)
            .await
            .expect("verified"),
        Some(Likeness {
            similarity: 0.0,
            same_person: false
        })
    );
    // Another account of the name: nothing to compare with, and Rekognition is not asked.
    assert_eq!(
        vault
            .verify(&alice(), "another-account", capture)
            .await
            .expect("read"),
        None
    );

    // A new enrolment replaces the face and deletes the old one from the collection.
    vault
        .enrol(&alice(), ACCOUNT, capture)
        .await
        .expect("enrolled again");
    let record = table
        .face_record(&alice())
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(record.face_id, SECOND_FACE);

    vault.remove(&alice()).await.expect("removed");
    assert_eq!(table.face_record(&alice()).await.expect("read"), None);
    assert_eq!(
        bucket
            .get(&ObjectKey::enrolled_face(&alice()))
            .await
            .expect("read"),
        None,
        "the capture goes with the face"
    );
    vault
        .remove(&alice())
        .await
        .expect("removing none succeeds");

    let requests = sent(&http);
    let operations: Vec<&str> = requests.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        operations,
        [
            "IndexFaces",
            "SearchFacesByImage",
            "SearchFacesByImage",
            "IndexFaces",
            "DeleteFaces",
            "DeleteFaces"
        ]
    );
    let index = &requests[0].1;
    assert_eq!(index["CollectionId"], COLLECTION);
    assert_eq!(index["ExternalImageId"], ACCOUNT);
    assert_eq!(index["MaxFaces"], 1);
    assert_eq!(index["QualityFilter"], "HIGH");
    assert!(
        index["Image"]["Bytes"].is_string(),
        "the capture goes as bytes"
    );
    let search = &requests[1].1;
    assert_eq!(search["CollectionId"], COLLECTION);
    assert_eq!(search["FaceMatchThreshold"], 80.0);
    assert_eq!(requests[4].1["FaceIds"], serde_json::json!([FIRST_FACE]));
    assert_eq!(requests[5].1["FaceIds"], serde_json::json!([SECOND_FACE]));
}

#[tokio::test]
async fn captures_rekognition_cannot_use_are_refused_in_words_for_the_person() {
    let (vault, _http, table, bucket) = vault(&[
        "index_faces_unindexed",
        "invalid_parameter",
        "invalid_image_format",
        "several_faces",
    ])
    .await;
    let capture = b"\xFF\xD8 a camera frame";
    for (what, result) in [
        (
            "unindexed",
            vault.enrol(&alice(), ACCOUNT, capture).await.err(),
        ),
        ("no face", vault.look(capture).await.err()),
        ("not an image", vault.look(capture).await.err()),
    ] {
        match result {
            Some(FaceError::Unusable(why)) => {
                assert!(!why.contains("Exception"), "{what}: {why}");
            }
            other => panic!("{what}: expected Unusable, got {other:?}"),
        }
    }
    assert_eq!(table.face_record(&alice()).await.expect("read"), None);
    assert_eq!(bucket.photo(&alice()).await.expect("read"), None);

    // Three faces with their turn, mask and eyes as Rekognition reports them.
    let faces = vault.look(capture).await.expect("looked");
    let yaws: Vec<f32> = faces.iter().map(|f| f.yaw).collect();
    assert_eq!(yaws, [-3.735_146_8, -10.983_647, -25.838_171]);
    assert!(faces.iter().all(|f| !f.masked && f.eyes_open == Some(true)));
}

//! Deletion on the AWS flow (moto), through the real functions: deleting an account erases its
//! photos, annotated images, thumbnails, records, alerts and counts, and a new account of the
//! same name starts empty; an analysis deleted while the worker processes it leaves no object
//! behind. Needs `bash scripts/aws-test-setup.sh` once.

mod support;

use async_trait::async_trait;
use aws_sdk_rekognition::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use axum::Router;
use facelens_analysis::worker::{handle_batch, process_service_with};
use facelens_aws::RekognitionFinder;
use facelens_aws::recorded::rekognition_reply;
use facelens_core::analysis::ports::AnalyzeError;
use facelens_core::analysis::ports::{AnalysisStore, PurgeQueue};
use facelens_core::analysis::{AnalysisId, Counts, ObjectKey, ProcessService};
use facelens_core::domain::Username;
use facelens_imaging::RgbImage;
use facelens_pipeline::{FaceFinder, FoundFace};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{ADMIN, Stack, call, stack};

/// Rekognition answering `replies`, in order.
fn rekognition(stack: &Stack, replies: &[&str]) -> RekognitionFinder {
    let events = replies
        .iter()
        .map(|name| {
            ReplayEvent::new(
                http::Request::builder()
                    .uri("https://rekognition.us-east-1.amazonaws.com/")
                    .body(SdkBody::empty())
                    .expect("request"),
                rekognition_reply(name),
            )
        })
        .collect();
    let config = aws_sdk_rekognition::Config::builder()
        .http_client(StaticReplayClient::new(events))
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .behavior_version(BehaviorVersion::latest())
        .build();
    RekognitionFinder::from_config(config, stack.bucket.bucket(), Duration::from_millis(1))
}

fn worker(stack: &Stack, finder: Arc<dyn FaceFinder>) -> ProcessService {
    process_service_with(
        &stack.worker_config(),
        &stack.aws,
        finder,
        Arc::new(support::NoComparisons),
    )
    .expect("worker")
}

fn photo() -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../shared/vision/tests/fixtures/group.jpg",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture photo")
}

/// Presigns through the uploads function and PUTs the photo as a browser would.
async fn upload(stack: &Stack, token: &str, bytes: &[u8]) -> String {
    let (status, ticket) = call(
        &stack.uploads,
        "POST",
        "/api/uploads",
        Some(token),
        Some(json!({ "filename": "team.jpg", "contentType": "image/jpeg", "size": bytes.len() })),
    )
    .await;
    assert_eq!(status, 201, "{ticket}");
    let mut put = reqwest::Client::new().put(ticket["url"].as_str().expect("url"));
    for (name, value) in ticket["headers"].as_object().expect("headers") {
        if !name.eq_ignore_ascii_case("content-length") {
            put = put.header(name.as_str(), value.as_str().expect("text"));
        }
    }
    let response = put.body(bytes.to_vec()).send().await.expect("S3 answers");
    assert!(response.status().is_success(), "{}", response.status());
    ticket["analysisId"].as_str().expect("id").to_owned()
}

/// Runs the worker over what the queue holds until it is empty, deleting what succeeded.
async fn drain(stack: &Stack, worker: &ProcessService) {
    for _ in 0..4 {
        let (event, received) = stack.next_batch(30).await;
        if received.is_empty() {
            return;
        }
        let failures = handle_batch(worker, event).await.batch_item_failures;
        assert!(failures.is_empty(), "{failures:?}");
        for (_, receipt, _) in &received {
            stack.queues.delete(receipt).await;
        }
    }
}

/// The bucket's keys that belong to `owner`.
async fn objects_of(stack: &Stack, owner: &str) -> Vec<String> {
    let mut keys: Vec<String> = stack
        .bucket
        .keys()
        .await
        .into_iter()
        .filter(|k| k.contains(&format!("/{owner}/")))
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn given_a_user_with_analysed_photos_when_the_admin_deletes_them_then_nothing_of_theirs_remains()
 {
    let stack = stack().await;
    let token = stack.user("dora").await;
    let worker = worker(
        &stack,
        Arc::new(rekognition(&stack, &["several_faces", "low_confidence"])),
    );
    let sure = upload(&stack, &token, &photo()).await;
    drain(&stack, &worker).await;
    let unsure = upload(&stack, &token, &photo()).await;
    drain(&stack, &worker).await;
    let owner = Username::parse("dora").expect("name");
    assert_eq!(
        objects_of(&stack, "dora").await.len(),
        6,
        "two photos, two annotated, two thumbnails"
    );
    assert_eq!(stack.table.counts(&owner).await.expect("counts").all, 2);
    let admin = stack.sign_in(ADMIN.0, ADMIN.1).await;
    let (_, alerts) = call(&stack.analyses, "GET", "/api/alerts", Some(&admin), None).await;
    assert!(alerts.to_string().contains(&unsure), "{alerts}");

    let (status, body) = call(&stack.auth, "DELETE", "/api/users/dora", Some(&admin), None).await;
    assert_eq!(status, 204, "{body}");

    assert_eq!(objects_of(&stack, "dora").await, Vec::<String>::new());
    for id in [&sure, &unsure] {
        let id = AnalysisId::parse(id).expect("id");
        assert_eq!(stack.table.get(id).await.expect("get"), None);
    }
    assert_eq!(
        stack.table.counts(&owner).await.expect("counts"),
        Counts::default()
    );
    let (_, alerts) = call(&stack.analyses, "GET", "/api/alerts", Some(&admin), None).await;
    assert!(!alerts.to_string().contains(&unsure), "{alerts}");
    assert!(!stack.table.purge_pending(&owner).await.expect("pending"));
    let (status, _) = call(&stack.analyses, "GET", "/api/analyses", Some(&token), None).await;
    assert_eq!(status, 401, "the deleted account's token is refused");

    let again = stack.user("dora").await;
    let (status, history) = call(&stack.analyses, "GET", "/api/analyses", Some(&again), None).await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["items"], json!([]), "{history}");
    assert_eq!(history["counts"]["all"], 0, "{history}");
}

#[tokio::test]
async fn given_a_user_when_they_delete_their_own_account_then_their_data_goes_with_it() {
    let stack = stack().await;
    let token = stack.user("emil").await;
    let worker = worker(&stack, Arc::new(rekognition(&stack, &["several_faces"])));
    upload(&stack, &token, &photo()).await;
    drain(&stack, &worker).await;
    assert_eq!(objects_of(&stack, "emil").await.len(), 3);

    let (status, body) = call(
        &stack.auth,
        "DELETE",
        "/api/me",
        Some(&token),
        Some(json!({ "password": "not my password" })),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "invalid_credentials");
    assert_eq!(objects_of(&stack, "emil").await.len(), 3);

    let (status, body) = call(
        &stack.auth,
        "DELETE",
        "/api/me",
        Some(&token),
        Some(json!({ "password": "plum orchard lantern 42" })),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(objects_of(&stack, "emil").await, Vec::<String>::new());
    let (status, _) = call(&stack.auth, "GET", "/api/me", Some(&token), None).await;
    assert_eq!(status, 401);
}

/// Rekognition's finder, with the owner deleting the analysis (through the analyses function)
/// while the worker is busy with it.
struct DeletedMeanwhile {
    finder: RekognitionFinder,
    analyses: Router,
    token: String,
}

#[async_trait]
impl FaceFinder for DeletedMeanwhile {
    async fn find(
        &self,
        key: &ObjectKey,
        image: Arc<RgbImage>,
    ) -> Result<Vec<FoundFace>, AnalyzeError> {
        let (_, _, id) = ObjectKey::parse_original(key.as_str()).expect("an upload key");
        let (status, body) = call(
            &self.analyses,
            "DELETE",
            &format!("/api/analyses/{id}"),
            Some(&self.token),
            None,
        )
        .await;
        assert_eq!(status, 204, "{body}");
        self.finder.find(key, image).await
    }
}

#[tokio::test]
async fn given_an_analysis_deleted_while_processing_when_the_worker_finishes_then_no_object_remains()
 {
    let stack = stack().await;
    let token = stack.user("fern").await;
    let finder = DeletedMeanwhile {
        finder: rekognition(&stack, &["several_faces"]),
        analyses: stack.analyses.clone(),
        token: token.clone(),
    };
    let worker = worker(&stack, Arc::new(finder));
    let id = upload(&stack, &token, &photo()).await;
    drain(&stack, &worker).await;

    assert_eq!(objects_of(&stack, "fern").await, Vec::<String>::new());
    let id = AnalysisId::parse(&id).expect("id");
    assert_eq!(stack.table.get(id).await.expect("get"), None);
    let owner = Username::parse("fern").expect("name");
    assert_eq!(
        stack.table.counts(&owner).await.expect("counts"),
        Counts::default()
    );
}

//! Every sample event under `events/uploads/`, `events/analyses/` and
//! `events/analysis-worker/` pushed through its function as the Lambda runtime would
//! (`lambda_http` parses HTTP events; the worker gets the SQS event), on the moto server.
//! The placeholder token in the HTTP samples is replaced by a real one.

mod support;

use aws_lambda_events::event::sqs::SqsEvent;
use axum::Router;
use axum::body::Body;
use facelens_analysis::worker::{handle_batch, process_service_with};
use facelens_pipeline::{FaceFinder, FoundFace};
use serde_json::Value;
use std::sync::Arc;
use support::{Stack, send, stack};

const PLACEHOLDER: &str = "REPLACE_WITH_A_TOKEN_FROM_LOGIN";

fn event_text(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../events/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("event file")
}

async fn invoke(router: &Router, path: &str, token: &str) -> (u16, Value) {
    let text = event_text(path).replace(PLACEHOLDER, token);
    let request = lambda_http::request::from_str(&text).expect("event parses");
    let request = facelens_lambda::with_client_address(facelens_lambda::without_stage(request));
    let (parts, body) = request.into_parts();
    send(
        router,
        axum::http::Request::from_parts(parts, Body::from(body.to_vec())),
    )
    .await
}

/// A finder that must not be reached: these events name no photo that exists.
struct Unreachable;

#[async_trait::async_trait]
impl FaceFinder for Unreachable {
    async fn find(
        &self,
        key: &facelens_core::analysis::ObjectKey,
        _image: Arc<facelens_imaging::RgbImage>,
    ) -> Result<Vec<FoundFace>, facelens_core::analysis::ports::AnalyzeError> {
        panic!("no photo should reach the finder, got {key}")
    }
}

fn worker(stack: &Stack) -> facelens_core::analysis::ProcessService {
    process_service_with(
        &stack.worker_config(),
        &stack.aws,
        Arc::new(Unreachable),
        Arc::new(support::NoComparisons),
    )
    .expect("worker")
}

fn sqs(path: &str) -> SqsEvent {
    serde_json::from_str(&event_text(path)).expect("an SQS event")
}

#[tokio::test]
async fn uploads_samples_answer_as_documented() {
    let stack = stack().await;
    let token = stack.user("ann").await;

    let (status, body) = invoke(&stack.uploads, "uploads/apigw-v2-presign.json", &token).await;
    assert_eq!(status, 201, "named stage, base64 body: {body}");
    assert_eq!(body["method"], "PUT");
    assert!(
        body["url"]
            .as_str()
            .is_some_and(|u| u.contains("X-Amz-Signature="))
    );

    let (status, body) = invoke(
        &stack.uploads,
        "uploads/apigw-v2-presign-without-token.json",
        &token,
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (401, &Value::from("unauthorized"))
    );

    let (status, body) = invoke(&stack.uploads, "uploads/alb-presign-too-large.json", &token).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (413, &Value::from("too_large")),
        "{body}"
    );
}

#[tokio::test]
async fn analyses_samples_answer_as_documented() {
    let stack = stack().await;
    let token = stack.user("ann").await;

    let (status, body) = invoke(&stack.analyses, "analyses/apigw-v2-history.json", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"], Value::Array(vec![]));

    let (status, body) = invoke(
        &stack.analyses,
        "analyses/alb-analysis-not-found.json",
        &token,
    )
    .await;
    assert_eq!(status, 404, "{body}");

    let (status, body) = invoke(
        &stack.analyses,
        "analyses/apigw-v2-alerts-as-user.json",
        &token,
    )
    .await;
    assert_eq!(status, 403, "alerts are for admins: {body}");
}

#[tokio::test]
async fn worker_samples_are_acknowledged_or_reported_one_by_one() {
    let stack = stack().await;
    let worker = worker(&stack);

    let test_event = handle_batch(&worker, sqs("analysis-worker/sqs-s3-test-event.json")).await;
    assert!(test_event.batch_item_failures.is_empty());

    // An upload whose analysis does not exist (deleted, or never presigned): nothing to do.
    let created = handle_batch(&worker, sqs("analysis-worker/sqs-s3-object-created.json")).await;
    assert!(created.batch_item_failures.is_empty());

    // One good message and one that is not an S3 notification: only the bad one retries.
    let mixed = handle_batch(&worker, sqs("analysis-worker/sqs-mixed-batch.json")).await;
    let failed: Vec<&str> = mixed
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["d9b2a4a1-7f0c-4c55-9f4e-3f3f1d2c0b11"]);
}

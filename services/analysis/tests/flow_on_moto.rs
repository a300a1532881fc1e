//! The whole AWS flow on the moto server, through the real functions: a presigned PUT to S3,
//! S3's notification on SQS, the worker (Rekognition replayed from recorded `DetectFaces`
//! replies, our classifier for real), the record in DynamoDB read back through the analyses
//! function, and the SNS alert. Twice-delivered events give one record and one alert; a
//! poison message ends in the dead-letter queue. Needs `bash scripts/aws-test-setup.sh` once.

mod support;

use aws_sdk_rekognition::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use facelens_analysis::worker::{handle_batch, process_service_with};
use facelens_aws::recorded::rekognition_reply;
use facelens_aws::{RekognitionFinder, RekognitionMatcher};
use facelens_core::analysis::ProcessService;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{MAX_RECEIVES, Stack, call, from_client, send, sqs_event, stack};

/// The worker with Rekognition answering `replies`, in order.
fn worker(stack: &Stack, replies: &[&str]) -> ProcessService {
    worker_recording(stack, replies).0
}

/// As [`worker`], with the replay client that records what was sent to Rekognition.
fn worker_recording(stack: &Stack, replies: &[&str]) -> (ProcessService, StaticReplayClient) {
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
    let rekognition = StaticReplayClient::new(events);
    let config = aws_sdk_rekognition::Config::builder()
        .http_client(rekognition.clone())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .behavior_version(BehaviorVersion::latest())
        .build();
    // One replay client for both: its replies are taken in the order of the calls.
    let finder = RekognitionFinder::from_config(
        config.clone(),
        stack.bucket.bucket(),
        Duration::from_millis(1),
    );
    let matcher =
        RekognitionMatcher::from_config(config, stack.bucket.bucket(), Duration::from_millis(1));
    let process = process_service_with(
        &stack.worker_config(),
        &stack.aws,
        Arc::new(finder),
        Arc::new(matcher),
    )
    .expect("worker");
    (process, rekognition)
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
    upload_compared(stack, token, bytes, None).await
}

/// As [`upload`], comparing the photo's faces with those of the analysis `reference`.
async fn upload_compared(
    stack: &Stack,
    token: &str,
    bytes: &[u8],
    reference: Option<&str>,
) -> String {
    let (status, ticket) = call(
        &stack.uploads,
        "POST",
        "/api/uploads",
        Some(token),
        Some(json!({
            "filename": "team.jpg",
            "contentType": "image/jpeg",
            "size": bytes.len(),
            "reference": reference,
        })),
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

/// Runs the worker over what the queue holds and deletes what succeeded, as Lambda does.
async fn drain(stack: &Stack, worker: &ProcessService) -> usize {
    let (event, received) = stack.next_batch(30).await;
    let failures = handle_batch(worker, event).await.batch_item_failures;
    assert!(failures.is_empty(), "{failures:?}");
    for (_, receipt, _) in &received {
        stack.queues.delete(receipt).await;
    }
    received.len()
}

#[tokio::test]
async fn given_a_presigned_upload_when_s3_notifies_then_one_record_and_one_alert_even_when_delivered_twice()
 {
    let stack = stack().await;
    let token = stack.user("ann").await;
    let worker = worker(&stack, &["several_faces", "low_confidence"]);

    // A photo with three sure faces: analysed, no alert.
    let sure = upload(&stack, &token, &photo()).await;
    // S3's test event, then the object's event.
    let mut delivered = 0;
    for _ in 0..3 {
        delivered += drain(&stack, &worker).await;
    }
    assert!(delivered >= 1, "S3 notified the queue");
    let (status, result) = call(
        &stack.analyses,
        "GET",
        &format!("/api/analyses/{sure}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["status"], "done", "{result}");
    let faces = result["faces"].as_array().expect("faces");
    assert_eq!(faces.len(), 3);
    assert!(faces.iter().all(|f| f["lowConfidence"] == false));
    assert!(
        faces[0]["attributes"]["emotions"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );

    // A photo with one unsure face: analysed and alerted.
    let unsure = upload(&stack, &token, &photo()).await;
    let (event, received) = stack.next_batch(30).await;
    assert_eq!(received.len(), 1);
    assert!(
        handle_batch(&worker, event.clone())
            .await
            .batch_item_failures
            .is_empty()
    );
    // Delivered again (at-least-once): nothing new, no second alert.
    assert!(
        handle_batch(&worker, event)
            .await
            .batch_item_failures
            .is_empty()
    );
    assert!(
        handle_batch(&worker, sqs_event(&received))
            .await
            .batch_item_failures
            .is_empty()
    );

    let (_, result) = call(
        &stack.analyses,
        "GET",
        &format!("/api/analyses/{unsure}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(result["status"], "done", "{result}");
    assert_eq!(result["faces"][0]["lowConfidence"], true);
    let (_, history) = call(&stack.analyses, "GET", "/api/analyses", Some(&token), None).await;
    assert_eq!(
        history["items"].as_array().map(Vec::len),
        Some(2),
        "{history}"
    );
    assert_eq!(history["counts"]["all"], 2, "{history}");

    let alerts = stack.moto.published(&stack.topic).await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    // What the worker's EMF lines count: two photos, one alert, however often delivered.
    let counted = worker.metrics().expect("the worker counts").photos();
    assert_eq!((counted.done, counted.alerts, counted.failed), (2, 1, 0));
    let faces: u64 = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["faceCount"].as_u64())
        .sum();
    assert_eq!(counted.faces, faces, "{history}");
    assert!(alerts[0].1.contains(&unsure), "{}", alerts[0].1);
    assert!(alerts[0].1.contains("ann"), "{}", alerts[0].1);
    assert!(alerts[0].1.contains("41.4%"), "{}", alerts[0].1);

    let admin = stack.sign_in(support::ADMIN.0, support::ADMIN.1).await;
    let (status, listed) = call(&stack.analyses, "GET", "/api/alerts", Some(&admin), None).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(
        listed["alerts"][0]["analysisId"],
        unsure.as_str(),
        "{listed}"
    );
}

#[tokio::test]
async fn given_a_poison_message_when_it_keeps_failing_then_it_ends_in_the_dead_letter_queue() {
    let stack = stack().await;
    let worker = worker(&stack, &[]);
    stack.queues.send("this is not an S3 notification").await;

    let mut reported = 0;
    for _ in 0..(MAX_RECEIVES + 2) {
        let (event, received) = stack.next_batch(0).await;
        let poison: Vec<&String> = received
            .iter()
            .filter(|(_, _, body)| !body.contains("s3:TestEvent"))
            .map(|(id, _, _)| id)
            .collect();
        let failures = handle_batch(&worker, event).await.batch_item_failures;
        for failure in &failures {
            assert!(poison.contains(&&failure.item_identifier), "{failures:?}");
        }
        reported += failures.len();
        // Succeeded messages (the S3 test event) are deleted; failed ones are left.
        for (id, receipt, _) in &received {
            if !failures.iter().any(|f| &f.item_identifier == id) {
                stack.queues.delete(receipt).await;
            }
        }
    }

    assert_eq!(reported, MAX_RECEIVES as usize, "reported once per receive");
    let dead = stack
        .queues
        .receive(&stack.queues.dead_letters, 1, 30)
        .await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].2, "this is not an S3 notification");
}

#[tokio::test]
async fn given_a_reference_photo_when_a_group_photo_names_it_then_each_face_has_its_similarity() {
    let stack = stack().await;
    let token = stack.user("ann").await;
    // DetectFaces for the reference, then DetectFaces and CompareFaces for the group photo.
    let worker = worker(&stack, &["several_faces", "several_faces", "compare_faces"]);
    let reference = upload(&stack, &token, &photo()).await;
    for _ in 0..3 {
        drain(&stack, &worker).await;
    }

    // Another person cannot name ann's photo as a reference.
    let bob = stack.user("bob").await;
    let (status, body) = call(
        &stack.uploads,
        "POST",
        "/api/uploads",
        Some(&bob),
        Some(
            json!({ "filename": "g.jpg", "contentType": "image/jpeg", "size": 10,
                     "reference": reference }),
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_input", "{body}");

    let group = upload_compared(&stack, &token, &photo(), Some(&reference)).await;
    drain(&stack, &worker).await;
    let (status, result) = call(
        &stack.analyses,
        "GET",
        &format!("/api/analyses/{group}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["status"], "done", "{result}");
    assert_eq!(result["reference"], reference.as_str(), "{result}");
    assert_eq!(result["matchCount"], 1, "{result}");
    let similarities: Vec<_> = result["faces"]
        .as_array()
        .expect("faces")
        .iter()
        .map(|f| {
            (
                f["likeness"]["similarity"].as_f64(),
                f["likeness"]["samePerson"].as_bool(),
            )
        })
        .collect();
    // Faces come in reading order, not Rekognition's: the match is the rightmost face.
    assert_eq!(similarities.len(), 3, "{result}");
    let matches: Vec<_> = similarities.iter().filter(|s| s.1 == Some(true)).collect();
    assert_eq!(matches.len(), 1, "{result}");
    assert!((matches[0].0.expect("a similarity") - 99.21).abs() < 0.01);
    assert_eq!(similarities[2], *matches[0], "{result}");
    assert!(similarities.contains(&(Some(0.0), Some(false))), "{result}");
}

#[tokio::test]
async fn given_an_enrolled_face_when_a_group_photo_looks_for_it_then_its_kept_capture_is_compared()
{
    use facelens_core::analysis::ObjectKey;
    use facelens_core::analysis::ports::ObjectStore;
    let stack = stack().await;
    let token = stack.user("ann").await;
    // DetectFaces and CompareFaces for the group photo once ann's face is enrolled.
    let (worker, rekognition) = worker_recording(&stack, &["several_faces", "compare_faces"]);
    let result = |id: String| {
        let token = token.clone();
        let analyses = stack.analyses.clone();
        async move {
            let path = format!("/api/analyses/{id}");
            call(&analyses, "GET", &path, Some(&token), None).await.1
        }
    };

    // No face enrolled: failed with the reason, and Rekognition is not asked.
    let early = upload_compared(&stack, &token, &photo(), Some("enrolled-face")).await;
    drain(&stack, &worker).await;
    let failed = result(early).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["failureReason"]
            .as_str()
            .is_some_and(|r| r.contains("no enrolled face")),
        "{failed}"
    );
    assert_eq!(rekognition.actual_requests().count(), 0);

    // The auth function keeps the enrolment capture here (the face collection's port test).
    let kept =
        ObjectKey::enrolled_face(&facelens_core::domain::Username::parse("ann").expect("name"));
    stack
        .bucket
        .put(&kept, photo(), "image/jpeg")
        .await
        .expect("capture kept");
    let group = upload_compared(&stack, &token, &photo(), Some("enrolled-face")).await;
    drain(&stack, &worker).await;
    let found = result(group).await;
    assert_eq!(found["status"], "done", "{found}");
    assert_eq!(found["reference"], "enrolled-face", "{found}");
    assert_eq!(found["matchCount"], 1, "{found}");

    let compare = rekognition
        .actual_requests()
        .find(|r| r.headers().get("x-amz-target") == Some("RekognitionService.CompareFaces"))
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(r.body().bytes().expect("a body"))
                .expect("JSON")
        })
        .expect("CompareFaces was asked");
    // The capture goes to Rekognition as bytes (an upright JPEG copy), so Rekognition is
    // never given access to the kept faces; the group photo is read in place.
    assert!(compare["SourceImage"]["Bytes"].is_string(), "{compare}");
    assert_eq!(
        compare["TargetImage"]["S3Object"]["Bucket"],
        stack.bucket.bucket(),
        "{compare}"
    );
}

#[tokio::test]
async fn given_the_schedules_sweep_when_a_photo_never_arrived_then_only_that_analysis_fails() {
    use facelens_core::analysis::ports::{AnalysisStore, ObjectStore};
    use facelens_core::analysis::{Analysis, ImageType, Status};
    let stack = stack().await;
    let owner = facelens_core::domain::Username::parse("erin").expect("name");
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::minutes(20);
    let recent = time::OffsetDateTime::now_utc();
    let lost = Analysis::pending(
        owner.clone(),
        "lost.jpg".into(),
        ImageType::Jpeg,
        10,
        long_ago,
    );
    let queued = Analysis::pending(
        owner.clone(),
        "slow.jpg".into(),
        ImageType::Jpeg,
        10,
        long_ago,
    );
    let fresh = Analysis::pending(owner, "new.jpg".into(), ImageType::Jpeg, 10, recent);
    for analysis in [&lost, &queued, &fresh] {
        stack.table.create(analysis).await.expect("created");
    }
    // This photo arrived; its analysis is only waiting for the worker.
    stack
        .bucket
        .put(&queued.original_key, photo(), "image/jpeg")
        .await
        .expect("stored");

    let body = json!({ "Event": "facelens:SweepAbandonedUploads" }).to_string();
    let event = sqs_event(&[("m-1".into(), "r-1".into(), body)]);
    let response = handle_batch(&worker(&stack, &[]), event).await;
    assert!(response.batch_item_failures.is_empty());

    let status = |a: Option<Analysis>| a.map(|a| (a.status, a.failure_reason));
    let swept = status(stack.table.get(lost.id).await.expect("read"));
    assert!(
        matches!(&swept, Some((Status::Failed, Some(reason))) if reason.starts_with("the photo never arrived")),
        "{swept:?}"
    );
    for kept in [&queued, &fresh] {
        let read = stack.table.get(kept.id).await.expect("read").expect("kept");
        assert_eq!(read.status, Status::Pending, "{}", kept.filename);
    }
}

#[tokio::test]
async fn given_the_onnx_face_finder_when_a_photo_arrives_then_our_detector_finds_its_faces_without_rekognition()
 {
    let stack = stack().await;
    let token = stack.user("olga").await;
    let config = facelens_analysis::worker::Config {
        face_finder: facelens_analysis::worker::FaceFinderKind::Onnx,
        ..stack.worker_config()
    };
    // No Rekognition reply is recorded: a call to it would fail the message.
    let worker = facelens_analysis::worker::process_service(&config, &stack.aws).expect("worker");
    let id = upload(&stack, &token, &photo()).await;
    // The photo's message, and S3's test event from when notifications were set up.
    assert!(drain(&stack, &worker).await >= 1);
    let (status, result) = call(
        &stack.analyses,
        "GET",
        &format!("/api/analyses/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (status, &result["status"]),
        (200, &json!("done")),
        "{result}"
    );
    assert_eq!(result["faceCount"], 6, "group.jpg has six faces: {result}");
    assert_eq!(result["attributesAvailable"], false, "{result}");
    assert!(result["faces"][0]["attributes"].is_null());
}

/// `POST /api/analyses` through the uploads function: the photo in the request body.
fn sent_photo(token: &str, path: &str, bytes: Vec<u8>) -> axum::http::Request<axum::body::Body> {
    from_client(
        axum::http::Request::builder()
            .method("POST")
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "image/jpeg")
            .body(axum::body::Body::from(bytes))
            .expect("request"),
    )
}

#[tokio::test]
async fn given_a_photo_sent_in_one_request_when_the_worker_finishes_then_the_uploads_function_answers_with_the_result()
 {
    let stack = stack().await;
    let token = stack.user("scott").await;
    let config = facelens_analysis::worker::Config {
        face_finder: facelens_analysis::worker::FaceFinderKind::Onnx,
        ..stack.worker_config()
    };
    let worker = facelens_analysis::worker::process_service(&config, &stack.aws).expect("worker");
    // The request waits while the worker (here, the test) takes the S3 notification.
    let uploads = stack.uploads.clone();
    let request = sent_photo(&token, "/api/analyses?wait=20", photo());
    let waiting = tokio::spawn(async move { send(&uploads, request).await });
    let mut drained = 0;
    for _ in 0..50 {
        drained += drain(&stack, &worker).await;
        if waiting.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(drained >= 1, "the photo's notification reached the queue");
    let (status, result) = waiting.await.expect("request task");
    assert_eq!(
        (status, &result["status"]),
        (201, &json!("done")),
        "{result}"
    );
    assert_eq!(result["faceCount"], 6, "group.jpg has six faces: {result}");
    // The links the function signed work: it may read what it links.
    let image = reqwest::get(result["imageUrl"].as_str().expect("url"))
        .await
        .expect("S3 answers");
    assert!(image.status().is_success(), "{}", image.status());
    assert_eq!(
        image.bytes().await.expect("bytes").as_ref(),
        photo().as_slice()
    );

    // Over what Lambda takes in one request: 413 that points at the presigned path.
    let mut huge = photo();
    huge.resize(facelens_uploads::MAX_REQUEST_BYTES as usize + 1, 0);
    let (status, body) = send(&stack.uploads, sent_photo(&token, "/api/analyses", huge)).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("why")
            .contains("POST /api/uploads")
    );
}

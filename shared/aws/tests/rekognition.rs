//! The Rekognition face finder and face matcher against replayed `DetectFaces` and
//! `CompareFaces` replies (see `fixtures/rekognition/README.md` for where each reply comes
//! from): the requests they send, how every face and attribute is mapped, and how each kind of
//! failure is sorted.

use aws_sdk_rekognition::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use facelens_aws::recorded::rekognition_reply;
use facelens_aws::{Aws, RekognitionFinder, RekognitionMatcher};
use facelens_core::analysis::ports::AnalyzeError;
use facelens_core::analysis::{
    AgeRange, Emotion, FaceAttributes, Flag, Likeness, ObjectKey, Pose, Quality,
};
use facelens_imaging::RgbImage;
use facelens_pipeline::{FaceFinder, FaceMatcher, FoundFace, PixelRect, StoredImage};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const BUCKET: &str = "facelens-photos-test";
const KEY: &str = "uploads/alice/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10.jpg";
const REGION: &str = "eu-west-1";
/// The upright image's size: the boxes are scaled by it.
const WIDTH: u32 = 1000;
const HEIGHT: u32 = 800;

fn key() -> ObjectKey {
    ObjectKey::parse_original(KEY).expect("a valid key").0
}

fn image() -> Arc<RgbImage> {
    Arc::new(RgbImage::new(WIDTH, HEIGHT))
}

/// The one request the finder should send for [`KEY`]: the stored object by bucket and name
/// (no image bytes) and every attribute.
fn expected_request() -> http::Request<SdkBody> {
    let body = json!({
        "Image": { "S3Object": { "Bucket": BUCKET, "Name": KEY } },
        "Attributes": ["ALL"],
    });
    http::Request::builder()
        .method("POST")
        .uri(format!("https://rekognition.{REGION}.amazonaws.com/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "RekognitionService.DetectFaces")
        .body(SdkBody::from(body.to_string()))
        .expect("a valid request")
}

/// A replay client answering each call with the next of `replies`.
fn replay(replies: &[&str]) -> StaticReplayClient {
    StaticReplayClient::new(
        replies
            .iter()
            .map(|name| ReplayEvent::new(expected_request(), rekognition_reply(name)))
            .collect(),
    )
}

/// A finder whose client talks to `http` with the finder's retry policy and a 1 ms backoff.
fn finder(http: &StaticReplayClient) -> RekognitionFinder {
    let config = aws_sdk_rekognition::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http.clone())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            "AKIDFACELENSTEST",
            "facelens-test-secret",
            None,
            None,
            "facelens-test",
        ))
        .build();
    RekognitionFinder::from_config(config, BUCKET, Duration::from_millis(1))
}

fn assert_rect(actual: PixelRect, expected: [f32; 4]) {
    let actual = [actual.x, actual.y, actual.width, actual.height];
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 0.01, "{actual:?} != {expected:?}");
    }
}

fn emotion(kind: &str, confidence: f32) -> Emotion {
    Emotion {
        kind: kind.to_owned(),
        confidence,
    }
}

fn flag(value: bool, confidence: f32) -> Option<Flag> {
    Some(Flag { value, confidence })
}

#[tokio::test]
async fn several_faces_are_found_in_pixels_with_every_attribute() {
    let http = replay(&["several_faces"]);
    let faces = finder(&http)
        .find(&key(), image())
        .await
        .expect("three faces");
    http.assert_requests_match(&[]);
    assert_eq!(faces.len(), 3);

    // The AWS CLI example: eight emotions, given in no order, come most likely first.
    let first = &faces[0];
    assert_rect(first.rect, [590.126, 128.059, 123.689, 201.123]);
    assert_eq!(first.confidence, 100.0);
    let expected = FaceAttributes {
        emotions: vec![
            emotion("CALM", 72.79896),
            emotion("CONFUSED", 9.518_537),
            emotion("SURPRISED", 8.742_031),
            emotion("HAPPY", 3.529_620_2),
            emotion("ANGRY", 2.501_944),
            emotion("SAD", 1.716_290_5),
            emotion("DISGUSTED", 0.737_874_3),
            emotion("FEAR", 0.454_744_28),
        ],
        smile: flag(false, 93.44932),
        eyes_open: flag(true, 98.93987),
        mouth_open: flag(false, 90.53053),
        eyeglasses: flag(false, 98.91108),
        sunglasses: flag(false, 99.79665),
        mustache: flag(false, 89.85221),
        beard: flag(true, 86.19912),
        age_range: Some(AgeRange { low: 32, high: 48 }),
        face_occluded: flag(false, 99.2),
        pose: Some(Pose {
            roll: -0.103_090_22,
            yaw: -3.735_146_8,
            pitch: 0.863_783,
        }),
        quality: Some(Quality {
            brightness: 65.298_935,
            sharpness: 95.51619,
        }),
    };
    assert_eq!(first.attributes.as_ref(), Some(&expected));

    // The Developer Guide's example; it has no FaceOccluded, so none is reported.
    let second = &faces[1];
    assert_rect(second.rect, [269.372, 91.399, 423.255, 557.445]);
    assert_eq!(second.confidence, 99.999_954);
    let attributes = second.attributes.as_ref().expect("attributes");
    let order: Vec<&str> = attributes
        .emotions
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "CALM",
            "SURPRISED",
            "DISGUSTED",
            "SAD",
            "ANGRY",
            "HAPPY",
            "CONFUSED"
        ]
    );
    assert_eq!(attributes.emotions[0].confidence, 99.476_166);
    assert_eq!(attributes.emotions[6].confidence, 0.0);
    assert_eq!(attributes.beard, flag(true, 97.48942));
    assert_eq!(attributes.mustache, flag(false, 72.20289));
    assert_eq!(attributes.smile, flag(false, 99.936_386));
    assert_eq!(attributes.age_range, Some(AgeRange { low: 26, high: 43 }));
    assert_eq!(attributes.face_occluded, None);
    assert_eq!(
        attributes.pose,
        Some(Pose {
            roll: -1.491_169_9,
            yaw: -10.983_647,
            pitch: -4.970_902,
        })
    );
    assert_eq!(
        attributes.quality,
        Some(Quality {
            brightness: 73.81392,
            sharpness: 86.86019,
        })
    );

    // The earlier edition's example: a smiling face.
    let third = &faces[2];
    assert_rect(third.rect, [107.071, 102.222, 471.38, 282.828]);
    let attributes = third.attributes.as_ref().expect("attributes");
    assert_eq!(attributes.emotions[0], emotion("HAPPY", 89.59288));
    assert_eq!(attributes.smile, flag(true, 96.893_105));
    assert_eq!(attributes.sunglasses, flag(false, 80.40334));
    assert_eq!(attributes.age_range, Some(AgeRange { low: 19, high: 36 }));
}

#[tokio::test]
async fn a_photo_without_faces_gives_an_empty_list() {
    let http = replay(&["no_face"]);
    let faces = finder(&http)
        .find(&key(), image())
        .await
        .expect("no faces is a result");
    http.assert_requests_match(&[]);
    assert_eq!(faces, Vec::<FoundFace>::new());
}

#[tokio::test]
async fn a_low_confidence_face_cut_by_the_edge_is_clipped_and_keeps_its_confidence() {
    let http = replay(&["low_confidence"]);
    let faces = finder(&http).find(&key(), image()).await.expect("one face");
    assert_eq!(faces.len(), 1);
    let face = &faces[0];
    // Rekognition's box starts left of the image: it is clipped at x = 0.
    assert_rect(face.rect, [0.0, 108.443, 60.874, 554.759]);
    assert_eq!(face.confidence, 41.376_225);
    let attributes = face.attributes.as_ref().expect("attributes");
    assert_eq!(
        attributes.pose,
        Some(Pose {
            roll: 1.938_429_5,
            yaw: -58.07864,
            pitch: -24.663_052,
        })
    );
    assert_eq!(
        attributes.quality,
        Some(Quality {
            brightness: 25.759_426,
            sharpness: 83.147_415,
        })
    );
    // The reply has none of the other attributes: none are made up.
    assert_eq!(
        attributes,
        &FaceAttributes {
            pose: attributes.pose,
            quality: attributes.quality,
            ..FaceAttributes::default()
        }
    );
}

#[tokio::test]
async fn a_throttled_call_is_retried_and_then_succeeds() {
    let http = replay(&["throttling", "several_faces"]);
    let faces = finder(&http)
        .find(&key(), image())
        .await
        .expect("the retry succeeds");
    assert_eq!(faces.len(), 3);
    // Both calls were the same DetectFaces request.
    http.assert_requests_match(&[]);
}

#[tokio::test]
async fn throttling_until_the_attempts_run_out_fails_for_a_later_retry() {
    // Five throttled or failed replies, then one that must never be asked for.
    let http = replay(&[
        "throttling",
        "provisioned_throughput_exceeded",
        "throttling_unavailable",
        "internal_server_error",
        "throttling",
        "several_faces",
    ]);
    let error = finder(&http)
        .find(&key(), image())
        .await
        .expect_err("the attempts run out");
    assert_eq!(
        http.actual_requests().count(),
        RekognitionFinder::MAX_ATTEMPTS as usize
    );
    match error {
        AnalyzeError::Failed(message) => {
            assert!(message.contains("after 5 attempts"), "{message}");
            assert!(message.contains("ThrottlingException"), "{message}");
            assert!(message.contains(KEY), "{message}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[tokio::test]
async fn unusable_photos_are_rejected_with_a_reason_for_their_owner() {
    for (fixture, words) in [
        ("invalid_image_format", "JPEG and PNG"),
        ("image_too_large", "too large"),
        ("invalid_parameter", "too small"),
    ] {
        let http = replay(&[fixture]);
        let error = finder(&http)
            .find(&key(), image())
            .await
            .expect_err("the photo is refused");
        // Not retried: another try would get the same answer.
        http.assert_requests_match(&[]);
        match error {
            AnalyzeError::Rejected(reason) => {
                assert!(reason.contains(words), "{fixture}: {reason}");
                assert!(!reason.contains("Exception"), "{fixture}: {reason}");
                assert!(!reason.contains(BUCKET), "{fixture}: {reason}");
            }
            other => panic!("{fixture}: expected Rejected, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn access_problems_fail_with_their_cause() {
    for (fixture, cause) in [
        ("invalid_s3_object", "Unable to get object metadata from S3"),
        (
            "access_denied",
            "not authorized to perform: rekognition:DetectFaces",
        ),
    ] {
        let http = replay(&[fixture]);
        let error = finder(&http)
            .find(&key(), image())
            .await
            .expect_err("the call fails");
        http.assert_requests_match(&[]);
        match error {
            AnalyzeError::Failed(message) => {
                assert!(message.contains(cause), "{fixture}: {message}");
                assert!(message.contains(KEY), "{fixture}: {message}");
            }
            other => panic!("{fixture}: expected Failed, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_process_configuration_builds_a_finder_on_its_bucket() {
    let aws = Aws::for_endpoint("http://127.0.0.1:9", REGION, "test", "test").await;
    let finder = aws.rekognition_finder(BUCKET);
    assert_eq!(finder.bucket(), BUCKET);
}

/// Rekognition cannot read WebP, so for a WebP upload the finder sends a JPEG of the decoded
/// upright photo in the request, scaled to 4096 pixels at most; the boxes it gets back are
/// fractions, so they still land on the full-size photo.
#[tokio::test]
async fn a_webp_photo_is_sent_as_a_jpeg_copy_and_its_boxes_fit_the_original() {
    let webp = "uploads/alice/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10.webp";
    let key = ObjectKey::parse_original(webp).expect("a valid key").0;
    let (width, height) = (6000, 3000);
    let http = replay(&["several_faces"]);
    let faces = finder(&http)
        .find(&key, Arc::new(RgbImage::new(width, height)))
        .await
        .expect("three faces");
    assert_eq!(faces.len(), 3);
    // The same fractions as in the first test, on a 6000 x 3000 photo.
    assert_rect(
        faces[0].rect,
        [
            0.590_126 * 6000.0,
            0.160_074 * 3000.0,
            0.123_689 * 6000.0,
            0.251_404 * 3000.0,
        ],
    );

    let requests: Vec<_> = http.actual_requests().collect();
    assert_eq!(requests.len(), 1);
    let body: Value =
        serde_json::from_slice(requests[0].body().bytes().expect("a body")).expect("a JSON body");
    assert_eq!(body["Attributes"], json!(["ALL"]));
    assert!(body["Image"].get("S3Object").is_none(), "{}", body["Image"]);
    let encoded = body["Image"]["Bytes"].as_str().expect("image bytes");
    let jpeg = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded)
        .expect("base64");
    assert!(jpeg.len() <= 5 * 1024 * 1024, "{} bytes", jpeg.len());
    let info = facelens_imaging::inspect(&jpeg, &facelens_imaging::Limits::default())
        .expect("a readable image");
    assert_eq!(info.format, facelens_imaging::ImageFormat::Jpeg);
    assert_eq!(info.display_dimensions(), (4096, 2048));
}

/// A WebP photo already within 4096 pixels is sent at its own size.
#[tokio::test]
async fn a_small_webp_photo_is_sent_at_its_own_size() {
    let webp = "uploads/alice/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10.webp";
    let key = ObjectKey::parse_original(webp).expect("a valid key").0;
    let http = replay(&["no_face"]);
    let faces = finder(&http).find(&key, image()).await.expect("a result");
    assert!(faces.is_empty());
    let requests: Vec<_> = http.actual_requests().collect();
    let body: Value =
        serde_json::from_slice(requests[0].body().bytes().expect("a body")).expect("a JSON body");
    let encoded = body["Image"]["Bytes"].as_str().expect("image bytes");
    let jpeg = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded)
        .expect("base64");
    let info = facelens_imaging::inspect(&jpeg, &facelens_imaging::Limits::default())
        .expect("a readable image");
    assert_eq!(info.display_dimensions(), (WIDTH, HEIGHT));
}

const REFERENCE_KEY: &str = "uploads/alice/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b11.png";

/// The `CompareFaces` request the matcher should send: both photos by bucket and name, every
/// face compared (no threshold, no quality filter).
fn expected_compare_request() -> http::Request<SdkBody> {
    let body = json!({
        "SourceImage": { "S3Object": { "Bucket": BUCKET, "Name": REFERENCE_KEY } },
        "TargetImage": { "S3Object": { "Bucket": BUCKET, "Name": KEY } },
        "SimilarityThreshold": 0.0,
        "QualityFilter": "NONE",
    });
    http::Request::builder()
        .method("POST")
        .uri(format!("https://rekognition.{REGION}.amazonaws.com/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "RekognitionService.CompareFaces")
        .body(SdkBody::from(body.to_string()))
        .expect("a valid request")
}

fn matcher(http: &StaticReplayClient) -> RekognitionMatcher {
    let config = aws_sdk_rekognition::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http.clone())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "test"))
        .build();
    RekognitionMatcher::from_config(config, BUCKET, Duration::from_millis(1))
}

/// The three faces of `several_faces.json` as the finder maps them.
async fn three_faces() -> Vec<FoundFace> {
    let http = replay(&["several_faces"]);
    finder(&http).find(&key(), image()).await.expect("faces")
}

async fn compare(
    replies: &[&str],
    faces: &[FoundFace],
) -> (
    StaticReplayClient,
    Result<Vec<Option<Likeness>>, AnalyzeError>,
) {
    let http = StaticReplayClient::new(
        replies
            .iter()
            .map(|name| ReplayEvent::new(expected_compare_request(), rekognition_reply(name)))
            .collect(),
    );
    let reference_key = ObjectKey::parse_original(REFERENCE_KEY).expect("a key").0;
    let reference_image = Arc::new(RgbImage::new(640, 480));
    let result = matcher(&http)
        .compare(
            StoredImage {
                key: &reference_key,
                image: &reference_image,
            },
            StoredImage {
                key: &key(),
                image: &image(),
            },
            faces,
        )
        .await;
    (http, result)
}

#[tokio::test]
async fn compared_faces_are_matched_to_the_found_faces_by_their_boxes() {
    let faces = three_faces().await;
    let (http, result) = compare(&["compare_faces"], &faces).await;
    http.assert_requests_match(&[]);
    let likenesses = result.expect("compared");
    assert_eq!(
        likenesses,
        vec![
            Some(Likeness {
                similarity: 99.21,
                same_person: true
            }),
            // Among the unmatched faces: under the threshold asked for, which was 0.
            Some(Likeness {
                similarity: 0.0,
                same_person: false
            }),
            Some(Likeness {
                similarity: 12.6,
                same_person: false
            }),
        ]
    );
}

#[tokio::test]
async fn a_found_face_that_compare_faces_did_not_box_has_no_likeness() {
    let mut faces = three_faces().await;
    // A fourth face far from every compared box.
    let mut elsewhere = faces[0].clone();
    elsewhere.rect = PixelRect {
        x: 900.0,
        y: 700.0,
        width: 60.0,
        height: 80.0,
    };
    faces.push(elsewhere);
    let (_, result) = compare(&["compare_faces"], &faces).await;
    let likenesses = result.expect("compared");
    assert_eq!(likenesses.len(), 4);
    assert!(likenesses[..3].iter().all(Option::is_some));
    assert_eq!(likenesses[3], None);
}

#[tokio::test]
async fn a_reference_without_a_comparable_face_is_rejected_and_busy_answers_retried() {
    let faces = three_faces().await;
    let (http, result) = compare(&["invalid_parameter"], &faces).await;
    http.assert_requests_match(&[]);
    match result {
        Err(AnalyzeError::Rejected(reason)) => {
            assert!(reason.contains("no face"), "{reason}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    let (http, result) = compare(&["throttling", "compare_faces"], &faces).await;
    assert_eq!(http.actual_requests().count(), 2);
    assert_eq!(result.expect("the retry succeeds").len(), 3);
}

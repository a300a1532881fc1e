//! The live check on the AWS flow (moto), through the real functions: the analyses function
//! records sessions, batches and snapshots (in S3), publishes one alert per camera window to
//! the admins' topic, keeps other people's sessions from them, and the auth function's purge
//! erases it all with the account. Needs `bash scripts/aws-test-setup.sh` once.

mod support;

use base64::Engine;
use facelens_core::analysis::ObjectKey;
use facelens_core::analysis::ports::ObjectStore;
use serde_json::{Value, json};
use support::{ADMIN, Stack, call, stack};

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

/// A batch with one unmasked person and a violation per track, the first with a snapshot.
fn batch(seq: u64, tracks: &[u32], snapshot: Option<&[u8]>) -> Value {
    let violations: Vec<Value> = tracks
        .iter()
        .enumerate()
        .map(|(i, track)| {
            let mut v = json!({ "track": track, "at": now(), "unmaskedSeconds": 2.2 });
            if let (0, Some(jpeg)) = (i, snapshot) {
                v["snapshot"] = json!(base64::engine::general_purpose::STANDARD.encode(jpeg));
            }
            v
        })
        .collect();
    let unmasked = u32::try_from(tracks.len()).expect("few");
    json!({ "seq": seq, "faces": unmasked + 1, "masked": 1, "unmasked": unmasked, "violations": violations })
}

/// Posts a batch of events as `token`.
async fn post_events(stack: &Stack, token: &str, path: &str, body: Value) -> (u16, Value) {
    call(&stack.analyses, "POST", path, Some(token), Some(body)).await
}

async fn start(stack: &Stack, token: &str, camera: &str) -> String {
    let (status, body) = call(
        &stack.analyses,
        "POST",
        "/api/live/sessions",
        Some(token),
        Some(json!({ "camera": camera })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["session"]["id"].as_str().expect("id").to_owned()
}

/// The smallest JPEG header the server accepts as a snapshot.
const SNAPSHOT: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1];

#[tokio::test]
async fn given_a_live_session_on_aws_when_violations_pile_up_then_one_alert_is_published_and_the_purge_erases_it_all()
 {
    let stack = stack().await;
    let carla = stack.user("carla").await;
    let dan = stack.user("dan").await;
    let (status, body) = call(
        &stack.analyses,
        "PUT",
        "/api/live/cameras/Entrance",
        Some(&carla),
        Some(json!({ "snapshots": true, "violationSeconds": 2, "alert": { "violations": 1, "minutes": 30 } })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = start(&stack, &carla, "Entrance").await;
    let events = format!("/api/live/sessions/{id}/events");

    let (status, body) = post_events(&stack, &carla, &events, batch(1, &[1], Some(SNAPSHOT))).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        stack.moto.published(&stack.topic).await.is_empty(),
        "one violation is within the rule"
    );
    let (status, body) = post_events(&stack, &carla, &events, batch(2, &[2, 3], None)).await;
    assert_eq!((status, &body["session"]["violations"]), (200, &json!(3)));
    let (status, _) = post_events(&stack, &carla, &events, batch(3, &[4], None)).await;
    assert_eq!(status, 200);
    let published = stack.moto.published(&stack.topic).await;
    assert_eq!(published.len(), 1, "one alert per window: {published:?}");
    assert!(published[0].1.contains("Entrance") && published[0].1.contains("carla"));

    // A replay and someone else's hands change nothing.
    let (status, body) = post_events(&stack, &carla, &events, batch(3, &[9], None)).await;
    assert_eq!((status, &body["error"]["code"]), (409, &json!("replayed")));
    for (method, path) in [
        ("GET", format!("/api/live/sessions/{id}")),
        ("POST", events.clone()),
    ] {
        let (status, _) = call(
            &stack.analyses,
            method,
            &path,
            Some(&dan),
            Some(batch(4, &[], None)),
        )
        .await;
        assert_eq!(status, 404, "{method} {path}");
    }

    let (status, detail) = call(
        &stack.analyses,
        "GET",
        &format!("/api/live/sessions/{id}"),
        Some(&carla),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(detail["violations"].as_array().map(Vec::len), Some(4));
    assert!(
        detail["violations"][0]["snapshotUrl"]
            .as_str()
            .is_some_and(|u| u.contains("live/carla/"))
    );
    let snapshot = ObjectKey::live_snapshot(
        &facelens_core::domain::Username::parse("carla").expect("name"),
        facelens_core::live::LiveSessionId::parse(&id).expect("id"),
        1,
        1,
    );
    assert_eq!(
        stack.bucket.get(&snapshot).await.expect("read"),
        Some(SNAPSHOT.to_vec())
    );
    let (status, stats) = call(
        &stack.analyses,
        "GET",
        "/api/live/stats?period=hour",
        Some(&carla),
        None,
    )
    .await;
    assert_eq!(
        (status, &stats["buckets"][0]["violations"]),
        (200, &json!(4)),
        "{stats}"
    );

    let admin = stack.sign_in(ADMIN.0, ADMIN.1).await;
    let (status, every) = call(
        &stack.analyses,
        "GET",
        "/api/live/sessions?all=true",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(
        (status, &every["sessions"][0]["owner"]),
        (200, &json!("carla"))
    );
    let (status, _) = call(
        &stack.auth,
        "DELETE",
        "/api/users/carla",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        stack.bucket.get(&snapshot).await.expect("read"),
        None,
        "the snapshot is erased"
    );
    let (_, every) = call(
        &stack.analyses,
        "GET",
        "/api/live/sessions?all=true",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(every["sessions"], json!([]));
    let (_, stats) = call(
        &stack.analyses,
        "GET",
        "/api/live/stats?all=true",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(stats["buckets"], json!([]));
}

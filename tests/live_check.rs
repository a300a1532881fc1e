//! Black box: the live mask check's server side on the real binary. Sessions count people and
//! log each violation once; replayed, absurd, oversized and too frequent batches are refused
//! and change nothing; nobody sees another person's sessions except admins; snapshots are kept
//! only when switched on and go with their session; too many violations email the admins once
//! per window; deleting the account erases it all.

use facelens_tests::api::{ApiClient, admin, new_user};
use facelens_tests::{Server, photos};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Starts a session on `camera` and returns its id.
async fn start(client: &ApiClient, camera: &str) -> String {
    let (status, body) = client
        .send(
            "POST",
            "/api/live/sessions",
            Some(json!({ "camera": camera })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["session"]["id"].as_str().expect("id").to_owned()
}

/// A batch of events with one violation per track given.
fn batch(seq: u64, masked: u32, unmasked: u32, tracks: &[u32]) -> Value {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats");
    let violations: Vec<Value> = tracks
        .iter()
        .map(|track| json!({ "track": track, "at": now, "unmaskedSeconds": 2.5 }))
        .collect();
    json!({
        "seq": seq, "faces": masked + unmasked, "masked": masked, "unmasked": unmasked,
        "violations": violations,
    })
}

/// Saves a camera's settings, which must be accepted.
async fn configure(client: &ApiClient, camera: &str, settings: Value) {
    let (status, body) = client
        .send(
            "PUT",
            &format!("/api/live/cameras/{camera}"),
            Some(settings),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn post_events(client: &ApiClient, id: &str, body: Value) -> (StatusCode, Value) {
    client
        .send(
            "POST",
            &format!("/api/live/sessions/{id}/events"),
            Some(body),
        )
        .await
}

async fn session(client: &ApiClient, id: &str) -> (StatusCode, Value) {
    client
        .send("GET", &format!("/api/live/sessions/{id}"), None)
        .await
}

/// A small JPEG, as a browser's snapshot of a face.
fn snapshot_jpeg() -> Vec<u8> {
    let jpeg = photos::without_faces(48, 48);
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) && jpeg.len() < 100_000);
    jpeg
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn a_session_counts_people_and_logs_each_violation_once() {
    let server = Server::start();
    let admin = admin(&server).await;
    let alice = new_user(&server, &admin, "alice").await;
    let id = start(&alice, " Entrance ").await;

    let (status, body) = post_events(&alice, &id, batch(1, 2, 1, &[1])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["session"]["camera"], "Entrance");
    assert_eq!(
        (&body["session"]["faces"], &body["session"]["violations"]),
        (&json!(3), &json!(1))
    );

    // The same batch again, and a new batch naming a recorded track: both refused.
    let (status, body) = post_events(&alice, &id, batch(1, 2, 1, &[1])).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::CONFLICT, &json!("replayed"))
    );
    let (status, body) = post_events(&alice, &id, batch(2, 0, 1, &[1])).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::CONFLICT, &json!("replayed"))
    );
    let (status, body) = post_events(&alice, &id, batch(2, 1, 1, &[2])).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, detail) = session(&alice, &id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["session"]["seq"], 2);
    assert_eq!(
        (
            detail["session"]["faces"].as_u64(),
            detail["session"]["masked"].as_u64()
        ),
        (Some(5), Some(3))
    );
    let tracks: Vec<u64> = detail["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|v| v["track"].as_u64())
        .collect();
    assert_eq!(tracks, [1, 2]);
    assert_eq!(detail["violations"][0]["snapshotUrl"], Value::Null);

    let (status, stats) = alice.send("GET", "/api/live/stats?period=hour", None).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let buckets = stats["buckets"].as_array().expect("buckets");
    assert_eq!(buckets.len(), 1, "{stats}");
    assert_eq!(
        (
            &buckets[0]["faces"],
            &buckets[0]["unmasked"],
            &buckets[0]["violations"]
        ),
        (&json!(5), &json!(2), &json!(2))
    );

    let (status, ended) = alice
        .send("POST", &format!("/api/live/sessions/{id}/end"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ended["session"]["endedAt"].is_string());
    let (status, body) = post_events(&alice, &id, batch(3, 1, 0, &[])).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::CONFLICT, &json!("session_ended"))
    );
    let (status, _) = alice
        .send("POST", &format!("/api/live/sessions/{id}/end"), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (_, list) = alice.send("GET", "/api/live/sessions", None).await;
    assert_eq!(list["sessions"][0]["id"], id.as_str());
}

#[tokio::test]
async fn bad_batches_and_settings_are_refused_with_reasons_and_change_nothing() {
    let server = Server::start();
    let admin = admin(&server).await;
    let alice = new_user(&server, &admin, "alice").await;
    let id = start(&alice, "Door").await;
    let far = "2099-01-01T00:00:00Z";
    let many: Vec<u32> = (1..=51).collect();
    let cases = [
        (
            json!({ "seq": 1, "faces": 3, "masked": 1, "unmasked": 1 }),
            "invalid_events",
        ),
        (batch(1, 400, 101, &[]), "invalid_events"),
        (batch(1, 0, 51, &many), "invalid_events"),
        (
            json!({ "seq": 1, "faces": 1, "masked": 0, "unmasked": 1,
                    "violations": [{ "track": 1, "at": far, "unmaskedSeconds": 2 }] }),
            "invalid_events",
        ),
        (
            json!({ "seq": 1, "faces": 1, "masked": 0, "unmasked": 1,
                    "violations": [{ "track": 0, "at": "2026-11-30T12:00:00Z", "unmaskedSeconds": 2 }] }),
            "invalid_events",
        ),
        (
            json!({ "seq": 1, "faces": 1, "masked": 1, "unmasked": 0, "extra": 1 }),
            "invalid_input",
        ),
        (
            json!({ "seq": 1, "faces": -1, "masked": 0, "unmasked": 0 }),
            "invalid_input",
        ),
    ];
    for (body, code) in cases {
        let (status, answer) = post_events(&alice, &id, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} -> {answer}");
        assert_eq!(answer["error"]["code"], code, "{body} -> {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }

    // A snapshot needs the camera's snapshots on, and must be a JPEG in base64.
    let mut with_snapshot = batch(1, 0, 1, &[1]);
    with_snapshot["violations"][0]["snapshot"] = json!(b64(&snapshot_jpeg()));
    let (status, answer) = post_events(&alice, &id, with_snapshot).await;
    assert_eq!(
        (status, &answer["error"]["code"]),
        (StatusCode::BAD_REQUEST, &json!("snapshots_off"))
    );
    configure(
        &alice,
        "Door",
        json!({ "snapshots": true, "violationSeconds": 2, "alert": null }),
    )
    .await;
    for snapshot in [json!("not base64!"), json!(b64(b"GIF89a not a jpeg"))] {
        let mut body = batch(1, 0, 1, &[1]);
        body["violations"][0]["snapshot"] = snapshot;
        let (status, answer) = post_events(&alice, &id, body).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_events"))
        );
    }
    let mut oversized = batch(1, 0, 1, &[1]);
    oversized["violations"][0]["snapshot"] = json!("A".repeat(1_200_000));
    let (status, answer) = post_events(&alice, &id, oversized).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");

    for (name, settings) in [
        (
            "Door",
            json!({ "snapshots": false, "violationSeconds": 0, "alert": null }),
        ),
        (
            "Door",
            json!({ "snapshots": false, "violationSeconds": 2, "alert": { "violations": 0, "minutes": 5 } }),
        ),
        (
            "Door",
            json!({ "snapshots": false, "violationSeconds": 2, "alert": { "violations": 5, "minutes": 2000 } }),
        ),
        (
            "a%23b",
            json!({ "snapshots": false, "violationSeconds": 2, "alert": null }),
        ),
    ] {
        let (status, answer) = alice
            .send("PUT", &format!("/api/live/cameras/{name}"), Some(settings))
            .await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_camera"))
        );
    }
    let long = "x".repeat(65);
    for camera in [json!(""), json!(long)] {
        let (status, answer) = alice
            .send(
                "POST",
                "/api/live/sessions",
                Some(json!({ "camera": camera })),
            )
            .await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_camera"))
        );
    }
    let (status, _) = alice.send("GET", "/api/live/stats?days=91", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = alice.send("GET", "/api/live/stats?period=week", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Nothing of the refused batches was counted; the settings kept their last good value.
    let (_, detail) = session(&alice, &id).await;
    assert_eq!(
        (&detail["session"]["seq"], &detail["session"]["faces"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(detail["violations"], json!([]));
    let (_, cameras) = alice.send("GET", "/api/live/cameras", None).await;
    assert_eq!(
        cameras["cameras"],
        json!([{ "name": "Door", "snapshots": true, "violationSeconds": 2, "alert": null, "alertedAt": null }])
    );
    let (status, _) = ApiClient::new(&server.base_url)
        .send("GET", "/api/live/sessions", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_users_sessions_are_hidden_and_admins_see_every_camera() {
    let server = Server::start();
    let admin = admin(&server).await;
    let alice = new_user(&server, &admin, "alice").await;
    let bob = new_user(&server, &admin, "bob").await;
    let id = start(&alice, "Lobby").await;
    assert_eq!(
        post_events(&alice, &id, batch(1, 1, 1, &[1])).await.0,
        StatusCode::OK
    );

    for (method, path, body) in [
        ("GET", format!("/api/live/sessions/{id}"), None),
        (
            "POST",
            format!("/api/live/sessions/{id}/events"),
            Some(batch(2, 1, 0, &[])),
        ),
        ("POST", format!("/api/live/sessions/{id}/end"), None),
        ("DELETE", format!("/api/live/sessions/{id}"), None),
        ("GET", "/api/live/sessions/not-an-id".to_owned(), None),
    ] {
        let (status, answer) = bob.send(method, &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
    }
    let (_, mine) = bob.send("GET", "/api/live/sessions", None).await;
    assert_eq!(mine["sessions"], json!([]));
    let (_, stats) = bob.send("GET", "/api/live/stats", None).await;
    assert_eq!(stats["buckets"], json!([]));
    for path in ["/api/live/sessions?all=true", "/api/live/stats?all=true"] {
        let (status, answer) = bob.send("GET", path, None).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (StatusCode::FORBIDDEN, &json!("forbidden"))
        );
    }

    let (_, every) = admin.send("GET", "/api/live/sessions?all=true", None).await;
    assert_eq!(every["sessions"][0]["owner"], "alice");
    let (_, stats) = admin
        .send("GET", "/api/live/stats?all=true&camera=Lobby", None)
        .await;
    assert_eq!(stats["buckets"][0]["faces"], 2, "{stats}");
    let (status, detail) = session(&admin, &id).await;
    assert_eq!(
        (status, &detail["session"]["seq"]),
        (StatusCode::OK, &json!(1))
    );
    // An admin reads anyone's sessions but runs only their own.
    let (status, _) = post_events(&admin, &id, batch(2, 1, 0, &[])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin
        .send("DELETE", &format!("/api/live/sessions/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(session(&alice, &id).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn posting_is_rate_limited_per_session() {
    let server = Server::start();
    let admin = admin(&server).await;
    let alice = new_user(&server, &admin, "alice").await;
    let busy = start(&alice, "Gate").await;
    let calm = start(&alice, "Yard").await;
    let mut accepted = 0;
    let mut refused = None;
    for _ in 0..15 {
        let (status, _) = post_events(&alice, &busy, batch(accepted + 1, 1, 0, &[])).await;
        if status == StatusCode::OK {
            accepted += 1;
        } else {
            refused = Some(status);
            break;
        }
    }
    assert_eq!(refused, Some(StatusCode::TOO_MANY_REQUESTS));
    assert!(
        (10..15).contains(&accepted),
        "{accepted} batches went through at once"
    );
    let (status, _) = post_events(&alice, &calm, batch(1, 1, 0, &[])).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "another session has its own allowance"
    );
}

#[tokio::test]
async fn snapshots_are_kept_when_switched_on_and_go_with_their_session() {
    let server = Server::start();
    let admin = admin(&server).await;
    let alice = new_user(&server, &admin, "alice").await;
    configure(
        &alice,
        "Shop",
        json!({ "snapshots": true, "violationSeconds": 3, "alert": null }),
    )
    .await;
    let (_, started) = alice
        .send(
            "POST",
            "/api/live/sessions",
            Some(json!({ "camera": "Shop" })),
        )
        .await;
    assert_eq!(started["camera"]["violationSeconds"], 3);
    let id = started["session"]["id"].as_str().expect("id").to_owned();
    let jpeg = snapshot_jpeg();
    let mut body = batch(1, 0, 1, &[4]);
    body["violations"][0]["snapshot"] = json!(b64(&jpeg));
    assert_eq!(post_events(&alice, &id, body).await.0, StatusCode::OK);

    let (_, detail) = session(&alice, &id).await;
    let url = detail["violations"][0]["snapshotUrl"]
        .as_str()
        .expect("a snapshot link")
        .to_owned();
    assert_eq!(alice.fetch(&url).await, (StatusCode::OK, jpeg));
    let files = server
        .data_dir()
        .path()
        .join("objects")
        .join("live")
        .join("alice");
    assert!(files.is_dir());

    let (status, _) = alice
        .send("DELETE", &format!("/api/live/sessions/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_ne!(alice.fetch(&url).await.0, StatusCode::OK);
    assert_eq!(session(&alice, &id).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn too_many_violations_email_the_admins_once_per_window() {
    let server = Server::start();
    let admin = admin(&server).await;
    let alice = new_user(&server, &admin, "alice").await;
    configure(&alice, "Hall", json!({ "snapshots": false, "violationSeconds": 2, "alert": { "violations": 2, "minutes": 10 } })).await;
    let id = start(&alice, "Hall").await;
    let alerts = || {
        std::fs::read_dir(server.data_dir().path().join("outbox"))
            .expect("outbox")
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter(|mail| {
                mail.contains("To: admin@example.com") && mail.contains("mask violations")
            })
            .count()
    };
    assert_eq!(
        post_events(&alice, &id, batch(1, 0, 2, &[1, 2])).await.0,
        StatusCode::OK
    );
    assert_eq!(alerts(), 0, "two violations are within the rule");
    assert_eq!(
        post_events(&alice, &id, batch(2, 0, 1, &[3])).await.0,
        StatusCode::OK
    );
    assert_eq!(alerts(), 1, "the third raises the alert");
    let mail = server.last_mail_to("admin@example.com");
    assert!(mail.contains("Hall") && mail.contains("alice"), "{mail}");
    assert_eq!(
        post_events(&alice, &id, batch(3, 0, 2, &[4, 5])).await.0,
        StatusCode::OK
    );
    assert_eq!(alerts(), 1, "one alert per window");
    let (_, cameras) = alice.send("GET", "/api/live/cameras", None).await;
    assert!(cameras["cameras"][0]["alertedAt"].is_string());
}

#[tokio::test]
async fn deleting_an_account_erases_its_live_checks() {
    let server = Server::start();
    let admin = admin(&server).await;
    let alice = new_user(&server, &admin, "alice").await;
    configure(
        &alice,
        "Desk",
        json!({ "snapshots": true, "violationSeconds": 2, "alert": null }),
    )
    .await;
    let id = start(&alice, "Desk").await;
    let mut body = batch(1, 1, 1, &[1]);
    body["violations"][0]["snapshot"] = json!(b64(&snapshot_jpeg()));
    assert_eq!(post_events(&alice, &id, body).await.0, StatusCode::OK);
    let snapshots = server
        .data_dir()
        .path()
        .join("objects")
        .join("live")
        .join("alice");
    assert!(std::fs::read_dir(&snapshots).is_ok_and(|mut d| d.next().is_some()));

    let (status, _) = admin.send("DELETE", "/api/users/alice", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, every) = admin.send("GET", "/api/live/sessions?all=true", None).await;
    assert_eq!(every["sessions"], json!([]));
    let (_, stats) = admin.send("GET", "/api/live/stats?all=true", None).await;
    assert_eq!(stats["buckets"], json!([]));
    let left: Vec<_> = walk(&snapshots);
    assert!(left.is_empty(), "snapshots left: {left:?}");

    // A new account of the same name starts with nothing.
    let again = new_user(&server, &admin, "alice").await;
    let (_, cameras) = again.send("GET", "/api/live/cameras", None).await;
    assert_eq!(cameras["cameras"], json!([]));
}

#[tokio::test]
async fn health_says_the_models_loaded_and_the_database_takes_writes() {
    let server = Server::start();
    let (status, body) = ApiClient::new(&server.base_url)
        .send("GET", "/api/health", None)
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({ "status": "ok", "models": "ok", "database": "ok" })
        )
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            found.extend(walk(&entry.path()));
        } else {
            found.push(entry.path());
        }
    }
    found
}

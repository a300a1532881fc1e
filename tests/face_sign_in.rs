//! Black box: a face as a way in on the real server. A user enrols their face from a camera
//! capture and signs in with captures in which the head turns; a still photo, another person's
//! face, a name without a face and an admin are refused; the audit names the method; removing
//! the face, or the account, ends it. A person finds their own enrolled face in a group photo.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use facelens_tests::api::{ApiClient, USER_PASSWORD, admin, new_user};
use facelens_tests::photos::{self, BARE_EYE_DISTANCE, BARE_NOSE_X, turned};
use facelens_tests::{Options, Server};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn capture(jpeg: &[u8]) -> String {
    format!("data:image/jpeg;base64,{}", STANDARD.encode(jpeg))
}

/// The portrait with the head "turned" one way, then the other (see [`turned`]).
fn turning_head() -> Vec<String> {
    let bare = photos::fixture("face-bare.jpg");
    vec![
        capture(&turned(
            &bare,
            BARE_NOSE_X,
            0.2 * BARE_EYE_DISTANCE,
            0.6 * BARE_EYE_DISTANCE,
        )),
        capture(&turned(
            &bare,
            BARE_NOSE_X,
            -0.3 * BARE_EYE_DISTANCE,
            0.8 * BARE_EYE_DISTANCE,
        )),
    ]
}

async fn face_login(server: &Server, username: &str, captures: Vec<String>) -> (StatusCode, Value) {
    ApiClient::new(&server.base_url)
        .send(
            "POST",
            "/api/auth/face",
            Some(json!({ "username": username, "captures": captures })),
        )
        .await
}

async fn enrolled(client: &ApiClient) -> Value {
    let (status, body) = client.send("GET", "/api/me/face", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["enrolled"].clone()
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().expect("an error message")
}

#[tokio::test]
async fn a_user_enrols_a_face_and_signs_in_with_it_and_nobody_else_does() {
    let server = Server::start();
    let admin = admin(&server).await;
    let user = new_user(&server, &admin, "fay").await;

    // Not enrolled yet: a face sign-in fails as any mismatch does, saying nothing more.
    assert_eq!(enrolled(&user).await, false);
    let (status, body) = face_login(&server, "fay", turning_head()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "face_not_recognised");

    // Enrolment refuses captures that are no good, in words for the person.
    for (bad, words) in [
        (capture(&photos::fixture("no-face.jpg")), "No face"),
        (capture(&photos::fixture("group.jpg")), "More than one face"),
        (capture(&photos::fixture("face-masked.jpg")), "mask"),
        (capture(b"not an image at all"), "not a usable image"),
        ("%%%".to_owned(), "base64"),
        (capture(&vec![0xFF; 600 * 1024]), "at most"),
    ] {
        let (status, body) = user
            .send("PUT", "/api/me/face", Some(json!({ "capture": bad })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{words}: {body}");
        assert!(message(&body).contains(words), "{words}: {body}");
    }
    assert_eq!(enrolled(&user).await, false);

    let portrait = photos::fixture("face-bare.jpg");
    let (status, body) = user
        .send(
            "PUT",
            "/api/me/face",
            Some(json!({ "capture": capture(&portrait) })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "enrolled": true }),
        "nothing of the face comes back"
    );
    assert_eq!(enrolled(&user).await, true);

    // The head turns: signed in, with a working token.
    let (status, body) = face_login(&server, "fay", turning_head()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["username"], "fay");
    let mut signed_in = ApiClient::new(&server.base_url);
    signed_in.token = body["token"].as_str().map(str::to_owned);
    assert_eq!(
        signed_in.send("GET", "/api/me", None).await.0,
        StatusCode::OK
    );

    // A still photo does not turn: refused (and counted as a failed attempt).
    let still = vec![capture(&portrait), capture(&portrait)];
    let (status, body) = face_login(&server, "fay", still).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(message(&body).contains("Turn your head"), "{body}");

    // Someone else's face, turning as much: refused.
    let other = vec![
        capture(&portrait),
        capture(&photos::fixture("astronaut.jpg")),
    ];
    let (status, body) = face_login(&server, "fay", other).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "face_not_recognised");

    // Fay's face opens no other name.
    let (status, _) = face_login(&server, "nobody", turning_head()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Too few or too many captures.
    for captures in [vec![capture(&portrait)], vec![capture(&portrait); 7]] {
        let (status, body) = face_login(&server, "fay", captures).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }

    // The audit shows which way each attempt came in.
    let (status, audit) = admin.send("GET", "/api/audit", None).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let text = audit.to_string();
    let attempts: Vec<&Value> = audit["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .filter(|a| a["method"] == "face")
        .collect();
    let has = |reason: &str, success: bool| {
        attempts
            .iter()
            .any(|a| a["reason"] == reason && a["success"] == success && a["username"] == "fay")
    };
    assert!(has("ok", true), "{text}");
    assert!(has("not_live", false), "{text}");
    assert!(has("no_match", false), "{text}");

    // Removed: the face no longer signs in.
    assert_eq!(
        user.send("DELETE", "/api/me/face", None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(enrolled(&user).await, false);
    let (status, _) = face_login(&server, "fay", turning_head()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admins_keep_their_password_and_a_deleted_account_takes_its_face_along() {
    let server = Server::start();
    let admin = admin(&server).await;
    let portrait = capture(&photos::fixture("face-bare.jpg"));
    let (status, body) = admin
        .send("PUT", "/api/me/face", Some(json!({ "capture": portrait })))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(message(&body).contains("Admins"), "{body}");
    let (status, _) = face_login(&server, "admin", turning_head()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let user = new_user(&server, &admin, "gus").await;
    let (status, _) = user
        .send("PUT", "/api/me/face", Some(json!({ "capture": portrait })))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        face_login(&server, "gus", turning_head()).await.0,
        StatusCode::OK
    );
    let (status, body) = user
        .send(
            "DELETE",
            "/api/me",
            Some(json!({ "password": USER_PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // A new account of the same name starts without a face, and the old face opens nothing.
    let again = new_user(&server, &admin, "gus").await;
    assert_eq!(enrolled(&again).await, false);
    assert_eq!(
        face_login(&server, "gus", turning_head()).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_deployment_that_allows_it_lets_admins_sign_in_with_a_face() {
    let server = Server::start_with(Options {
        admin_face_sign_in: true,
        ..Options::default()
    });
    let admin = admin(&server).await;
    let portrait = capture(&photos::fixture("face-bare.jpg"));
    let (status, body) = admin
        .send("PUT", "/api/me/face", Some(json!({ "capture": portrait })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = face_login(&server, "admin", turning_head()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["role"], "admin");
}

/// Uploads the group photo to be searched for the uploader's own enrolled face.
async fn find_own_face(user: &ApiClient) -> (String, StatusCode) {
    user.upload_compared(
        "group.jpg",
        "image/jpeg",
        photos::with_faces(),
        Some("enrolled-face"),
    )
    .await
}

#[tokio::test]
async fn a_person_finds_their_own_enrolled_face_in_a_group_photo_and_nobody_elses() {
    let server = Server::start();
    let admin = admin(&server).await;
    let fay = new_user(&server, &admin, "fay").await;
    let olga = new_user(&server, &admin, "olga").await;

    // Nothing enrolled yet: the photo is analysed and fails, saying why.
    let (before, _) = find_own_face(&fay).await;
    let failed = fay.wait_for(&before).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let reason = failed["failureReason"].as_str().expect("a reason");
    assert!(reason.contains("no enrolled face"), "{reason}");

    let portrait = capture(&photos::fixture("face-bare.jpg"));
    let (status, body) = fay
        .send("PUT", "/api/me/face", Some(json!({ "capture": portrait })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Enrolled: the one face of the group that is hers stands out, the best of all.
    let (found, _) = find_own_face(&fay).await;
    let result = fay.wait_for(&found).await;
    assert_eq!(result["status"], "done", "{result}");
    assert_eq!(result["reference"], "enrolled-face");
    assert_eq!(result["matchCount"], 1, "{result}");
    let faces = result["faces"].as_array().expect("faces");
    assert!(faces.len() >= 3, "{result}");
    let similarity = |f: &Value| f["likeness"]["similarity"].as_f64().expect("a similarity");
    let best = faces.iter().map(similarity).fold(f64::MIN, f64::max);
    let same: Vec<&Value> = faces
        .iter()
        .filter(|f| f["likeness"]["samePerson"] == true)
        .collect();
    assert_eq!(same.len(), 1, "{result}");
    assert_eq!(similarity(same[0]), best);
    // Nothing of the enrolled face comes back: no address, no bytes, no vector.
    assert!(!result.to_string().contains("faces/fay"), "{result}");
    let (_, history) = fay.send("GET", "/api/analyses", None).await;
    let item = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == found.as_str())
        .expect("listed");
    assert_eq!(item["reference"], "enrolled-face", "{item}");
    assert_eq!(item["matchCount"], 1, "{item}");

    // Olga has enrolled no face: "enrolled-face" is hers, never fay's.
    let (hers, _) = find_own_face(&olga).await;
    assert_eq!(olga.wait_for(&hers).await["status"], "failed");
    // Nor can she read fay's result.
    let (status, _) = olga
        .send("GET", &format!("/api/analyses/{found}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A misspelt reference is refused up front, saying what is accepted.
    let (status, body) = fay
        .send(
            "POST",
            "/api/uploads",
            Some(
                json!({ "filename": "g.jpg", "contentType": "image/jpeg", "size": 100,
                         "reference": "enrolled" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(message(&body).contains("enrolled-face"), "{body}");

    // The face removed, there is nothing to look for any more.
    assert_eq!(
        fay.send("DELETE", "/api/me/face", None).await.0,
        StatusCode::NO_CONTENT
    );
    let (after, _) = find_own_face(&fay).await;
    assert_eq!(fay.wait_for(&after).await["status"], "failed");
}

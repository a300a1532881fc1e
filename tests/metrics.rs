//! Black box: `GET /metrics` counts what the real server did (photos, faces, masks, sign-ins
//! by outcome) in the Prometheus text format, for a scraper on the same machine; through a
//! proxy only an admin may read it.

use facelens_tests::api::{ApiClient, admin, new_user};
use facelens_tests::{Server, photos};
use reqwest::StatusCode;
use serde_json::json;

/// The value of the sample named exactly `sample` (name and labels).
fn sample(text: &str, sample: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{sample} missing from:\n{text}"))
}

async fn get(server: &Server, token: Option<&str>, proxied: bool) -> (StatusCode, String) {
    let mut req = reqwest::Client::new().get(server.url("/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if proxied {
        req = req.header("x-forwarded-for", "203.0.113.9");
    }
    let res = req.send().await.expect("answers");
    (res.status(), res.text().await.expect("text"))
}

#[tokio::test]
async fn metrics_count_photos_faces_and_sign_ins_and_only_admins_read_them_through_a_proxy() {
    let server = Server::start();
    let admin = admin(&server).await;
    let user = new_user(&server, &admin, "mia").await;
    let (status, _) = ApiClient::new(&server.base_url)
        .send(
            "POST",
            "/api/auth/login",
            Some(json!({ "username": "mia", "password": "not her password" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (id, _) = user
        .upload("people.jpg", "image/jpeg", photos::with_faces())
        .await;
    let result = user.wait_for(&id).await;
    let faces = result["faceCount"].as_f64().expect("count");
    let masked = result["maskedCount"].as_f64().expect("count");

    let (status, text) = get(&server, None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("# TYPE facelens_photos_analysed_total counter"));
    assert_eq!(
        sample(&text, "facelens_photos_analysed_total{outcome=\"done\"}"),
        1.0
    );
    assert_eq!(sample(&text, "facelens_faces_total"), faces);
    assert_eq!(sample(&text, "facelens_masked_faces_total"), masked);
    assert!(sample(&text, "facelens_analysis_seconds_total") > 0.0);
    assert_eq!(
        sample(
            &text,
            "facelens_sign_ins_total{method=\"password\",success=\"false\",reason=\"bad_credentials\"}"
        ),
        1.0
    );
    // The admin's sign-in and Mia's first, with her one-time password.
    assert_eq!(
        sample(
            &text,
            "facelens_sign_ins_total{method=\"password\",success=\"true\",reason=\"ok\"}"
        ),
        2.0
    );
    assert!(!text.contains("mia"), "no names in the counters");

    // Through a proxy: a token, and an admin's.
    assert_eq!(get(&server, None, true).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(&server, user.token.as_deref(), true).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, text) = get(&server, admin.token.as_deref(), true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("facelens_faces_total"));
}

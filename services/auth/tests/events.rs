//! Every sample event under `events/auth/` pushed through the function's real router, as the
//! Lambda runtime would: `lambda_http` parses the event, the stage is taken out, the router
//! answers.

use axum::body::Body;
use facelens_auth::{Config, app};
use facelens_core::secret::Secret;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

async fn invoke(event_file: &str) -> (u16, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        public_url: "https://facelens.example.com".into(),
        mail_from: "Facelens <no-reply@example.com>".into(),
        jwt_secret: Secret::new(b"an event-test secret of 32+ bytes!".to_vec()),
        first_admin: Some((
            "admin".into(),
            "admin@example.com".into(),
            Secret::new("correct horse battery".into()),
        )),
    };
    let router = app(&config).await.expect("app builds");
    let path = format!(
        "{}/../../events/auth/{event_file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("event file");
    let request = lambda_http::request::from_str(&text).expect("event parses");
    let request = facelens_lambda::without_stage(request);
    let (parts, body) = request.into_parts();
    let request = axum::http::Request::from_parts(parts, Body::from(body.to_vec()));
    let response = router.oneshot(request).await.expect("router answers");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn api_gateway_login_on_a_named_stage_with_a_base64_body_signs_in() {
    let (status, body) = invoke("apigw-v2-login.json").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["username"], "admin");
    assert_eq!(
        body["token"].as_str().map(|t| t.split('.').count()),
        Some(3)
    );
}

#[tokio::test]
async fn api_gateway_health_answers() {
    let (status, body) = invoke("apigw-v2-health.json").await;
    assert_eq!((status, body), (200, serde_json::json!({ "status": "ok" })));
}

#[tokio::test]
async fn api_gateway_me_without_a_token_is_401() {
    let (status, body) = invoke("apigw-v2-me-without-token.json").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn load_balancer_login_signs_in() {
    let (status, body) = invoke("alb-login.json").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["role"], "admin");
}

#[tokio::test]
async fn load_balancer_multi_value_event_with_a_wrong_password_is_401() {
    let (status, body) = invoke("alb-multi-value-login-wrong-password.json").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_credentials");
}

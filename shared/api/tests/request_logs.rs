//! What a request leaves in the logs: its request id and, once its token is checked, the
//! account's id; never the token, the name or the email.

mod support;

use axum::body::Body;
use axum::http::Request;
use facelens_api::layers::observed;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// Log lines written into memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_signed_in_request_is_logged_with_its_request_id_and_account_id_only() {
    let h = support::harness().await;
    let token = h.admin_token().await;
    // The account id as the token carries it (its `uid` claim).
    let payload = token.split('.').nth(1).expect("a JWS");
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .expect("base64url"),
    )
    .expect("claims");
    let id = claims["uid"].as_str().expect("uid").to_owned();

    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut request = Request::get("/api/me")
        .header("authorization", format!("Bearer {token}"))
        .header("x-request-id", "req-7f3a")
        .body(Body::empty())
        .expect("request");
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 10],
            40000,
        ))));
    let answer = observed(h.router.clone())
        .oneshot(request)
        .await
        .expect("answer");
    assert!(answer.status().is_success());

    let text = String::from_utf8(logs.0.lock().expect("buffer").clone()).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    let finished = lines
        .iter()
        .find(|l| {
            l["span"]["request_id"] == "req-7f3a"
                && l["fields"]["message"] == "finished processing request"
        })
        .unwrap_or_else(|| panic!("a line of the request's span in:\n{text}"));
    assert_eq!(finished["span"]["account"], id.as_str(), "{text}");
    assert!(!text.contains(&token), "the token is never logged");
    assert!(!text.contains("admin@test.local"), "nor the email");
}

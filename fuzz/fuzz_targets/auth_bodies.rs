//! The JSON bodies (and the audit query string) of the auth routes, through the real router
//! (`facelens_api::auth::router`) on the embedded store in a temp dir, as `facelens serve`
//! runs it; only the password hasher is a fast stand-in, so that each run takes microseconds
//! rather than an argon2id hash.
//!
//! Input: one byte for the route, one for the client address, one for the headers (content
//! type, the admin's bearer token), then the body.
//!
//! Must hold: no panic; a body never causes a 5xx; every answer with a body is JSON, and every
//! error answer is our `{"error": {"code", "message"}}`.

#![no_main]

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use facelens_api::auth::{AuthState, router};
use facelens_core::auth::{AuthConfig, AuthPorts, AuthService, TokenKeys, TokenSigner};
use facelens_core::ports::{HashError, PasswordHasher};
use facelens_local::{FileOutbox, LocalDb};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

const ADMIN_PASSWORD: &str = "a long secret phrase for fuzzing";

/// A fast stand-in for argon2id: a salted SHA-256 (so the fuzzer's comparison tracing cannot
/// read the admin's password out of it).
struct FastHasher;

fn digest(password: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"facelens-fuzz:");
    hasher.update(password.as_bytes());
    format!("$fake${:x}", hasher.finalize())
}

#[async_trait]
impl PasswordHasher for FastHasher {
    async fn hash(&self, password: String) -> Result<String, HashError> {
        Ok(digest(&password))
    }
    async fn verify(&self, password: String, phc: String) -> Result<bool, HashError> {
        Ok(digest(&password) == phc)
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    admin_token: String,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Arc::new(LocalDb::open(&dir.path().join("db.redb")).expect("db"));
        let outbox = FileOutbox::new(&dir.path().join("outbox"), "Facelens <fuzz@test.local>")
            .expect("outbox");
        let ports = AuthPorts::on_store(db, Arc::new(outbox), Arc::new(FastHasher));
        let mut config = AuthConfig::new("http://fuzz.test");
        config.quiet_answer_time = std::time::Duration::from_millis(1);
        config.sign_up = facelens_core::auth::SignUpPolicy::Open;
        let keys = TokenKeys::own(
            TokenSigner::from_secret(b"a fuzzing secret that is long enough").expect("key"),
        );
        let service = Arc::new(AuthService::new(ports, keys, config));
        runtime
            .block_on(service.bootstrap_admin("admin", "admin@test.local", Some(ADMIN_PASSWORD)))
            .expect("bootstrap");
        let router = router(AuthState {
            service,
            models_loaded: None,
            database: None,
        });
        let body = serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD});
        let (status, answer) = runtime.block_on(send(
            &router,
            Method::POST,
            "/api/auth/login",
            [10, 0, 0, 1].into(),
            Some("application/json"),
            None,
            body.to_string().into_bytes(),
        ));
        assert_eq!(status, 200, "{answer}");
        let admin_token = answer["token"].as_str().expect("a token").to_owned();
        Harness {
            runtime,
            router,
            admin_token,
            _dir: dir,
        }
    })
}

async fn send(
    router: &Router,
    method: Method,
    uri: &str,
    client: IpAddr,
    content_type: Option<&str>,
    token: Option<&str>,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut request = request.body(Body::from(body)).expect("request");
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(client, 40000)));
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let value = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{status}: not JSON ({e}): {:?}",
                String::from_utf8_lossy(&bytes)
            )
        })
    };
    (status, value)
}

fuzz_target!(|data: &[u8]| {
    let [route, client, flags, body @ ..] = data else {
        return;
    };
    let harness = harness();
    let (method, uri) = match route % 8 {
        0 => (Method::POST, "/api/auth/login".to_owned()),
        1 => (Method::POST, "/api/auth/forgot".to_owned()),
        2 => (Method::POST, "/api/auth/reset".to_owned()),
        3 => (Method::PUT, "/api/me/password".to_owned()),
        4 => (Method::POST, "/api/users".to_owned()),
        5 => (Method::POST, "/api/auth/register".to_owned()),
        6 => (Method::POST, "/api/auth/confirm".to_owned()),
        _ => {
            // The audit listing's query string.
            let Ok(query) = std::str::from_utf8(body) else {
                return;
            };
            let uri = format!("/api/audit?{query}");
            if uri.parse::<axum::http::Uri>().is_err() {
                return;
            }
            (Method::GET, uri)
        }
    };
    let client = IpAddr::V4(Ipv4Addr::new(192, 0, 2, *client));
    let content_type = match flags % 3 {
        0 => Some("application/json"),
        1 => Some("text/plain"),
        _ => None,
    };
    let token = (flags & 4 != 0).then_some(harness.admin_token.as_str());
    let (status, answer) = harness.runtime.block_on(send(
        &harness.router,
        method,
        &uri,
        client,
        content_type,
        token,
        body.to_vec(),
    ));
    assert!(status < 500, "{status} for {uri}: {answer}");
    if status >= 400 {
        assert!(answer["error"]["code"].is_string(), "{status}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{status}: {answer}");
    }
});

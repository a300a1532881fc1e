//! Test harness for the routers: real adapters (redb and the outbox) in a temp dir, a clock the
//! test can move, and helpers to send JSON and read the answer.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use facelens_api::auth::{AuthState, router};
use facelens_api::hashing::Argon2Hasher;
use facelens_core::auth::{AuthConfig, AuthPorts, AuthService, Claims, TokenKeys, TokenSigner};
use facelens_core::clock::Clock;
use facelens_core::ports::UserStore;
use facelens_local::{FileOutbox, LocalDb};
use http_body_util::BodyExt;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;

pub const SECRET: &[u8] = b"a test secret that is long enough!!";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
/// The password of accounts made by [`Harness::sign_up_from`].
pub const SIGN_UP_PASSWORD: &str = "a sign-up passphrase";

/// A clock that only moves when told.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<OffsetDateTime>>);

impl TestClock {
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().expect("clock lock");
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock lock")
    }
}

pub struct Harness {
    pub router: Router,
    pub clock: TestClock,
    pub dir: tempfile::TempDir,
    pub config: AuthConfig,
}

pub async fn harness() -> Harness {
    harness_with(|_| {}).await
}

/// A harness whose auth rules `edit` changes first.
pub async fn harness_with(edit: impl FnOnce(&mut AuthConfig)) -> Harness {
    harness_on(edit, |db| Arc::new(db)).await
}

/// A harness whose auth rules `edit` changes first, with the accounts `users` makes of the
/// database (to put a failing store in front of it).
pub async fn harness_on(
    edit: impl FnOnce(&mut AuthConfig),
    users: impl FnOnce(LocalDb) -> Arc<dyn UserStore>,
) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
    let outbox = FileOutbox::new(&dir.path().join("outbox"), "Facelens <no-reply@test.local>")
        .expect("outbox");
    let clock = TestClock(Arc::new(Mutex::new(OffsetDateTime::now_utc())));
    let ports = AuthPorts {
        users: users(db.clone()),
        tokens: Arc::new(db.clone()),
        audit: Arc::new(db.clone()),
        throttle: Arc::new(db),
        mailer: Arc::new(outbox),
        hasher: Arc::new(Argon2Hasher),
        clock: Arc::new(clock.clone()),
    };
    let mut config = AuthConfig::new("http://site.test");
    // Short, so the tests of `forgot` do not wait a second each; its timing test sets its own.
    config.quiet_answer_time = std::time::Duration::from_millis(50);
    edit(&mut config);
    let keys = TokenKeys::own(TokenSigner::from_secret(SECRET).expect("key"));
    let service = Arc::new(AuthService::new(ports, keys, config.clone()));
    service
        .bootstrap_admin("admin", "admin@test.local", Some(ADMIN_PASSWORD))
        .await
        .expect("bootstrap");
    Harness {
        router: router(AuthState {
            service,
            models_loaded: None,
            database: None,
        }),
        clock,
        dir,
        config,
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// The client address of requests that do not name one.
pub const DEFAULT_CLIENT: &str = "192.0.2.10";

impl Harness {
    /// Sends a request from [`DEFAULT_CLIENT`] (or the address already in its extensions).
    pub async fn send(&self, mut req: Request<Body>) -> Answer {
        if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
            let peer = SocketAddr::new(DEFAULT_CLIENT.parse().expect("ip"), 40000);
            req.extensions_mut().insert(ConnectInfo(peer));
        }
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("every answer is JSON")
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = match body {
            Some(body) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.expect("request")).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Answer {
        self.login_from(DEFAULT_CLIENT, username, password).await
    }

    /// Posts JSON to `path` from the client address `ip`, signed out.
    pub async fn post_from(&self, ip: &str, path: &str, body: Value) -> Answer {
        let mut req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        let peer = SocketAddr::new(ip.parse().expect("ip"), 40000);
        req.extensions_mut().insert(ConnectInfo(peer));
        self.send(req).await
    }

    /// Asks for a reset link for `email` from the client address `ip`.
    pub async fn forgot_from(&self, ip: &str, email: &str) -> Answer {
        let body = serde_json::json!({ "email": email });
        self.post_from(ip, "/api/auth/forgot", body).await
    }

    /// Signs in from the client address `ip`.
    pub async fn login_from(&self, ip: &str, username: &str, password: &str) -> Answer {
        let body = serde_json::json!({ "username": username, "password": password });
        self.post_from(ip, "/api/auth/login", body).await
    }

    /// Signs up as `username` with `email` and [`SIGN_UP_PASSWORD`] from the address `ip`.
    pub async fn sign_up_from(&self, ip: &str, username: &str, email: &str) -> Answer {
        let body = serde_json::json!({ "username": username, "email": email, "password": SIGN_UP_PASSWORD });
        self.post_from(ip, "/api/auth/register", body).await
    }

    pub async fn token(&self, username: &str, password: &str) -> String {
        let answer = self.login(username, password).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login of {username}: {:?}",
            answer.body
        );
        answer.body["token"].as_str().expect("token").to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user through the API and returns the one-time password and the link token
    /// from the welcome email.
    pub async fn create_user(&self, admin: &str, username: &str, role: &str) -> (String, String) {
        let answer = self
            .call(
                "POST",
                "/api/users",
                Some(admin),
                Some(serde_json::json!({ "username": username, "email": format!("{username}@test.local"), "role": role })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
        let mail = self.last_mail_to(&format!("{username}@test.local"));
        (field(&mail, "One-time password: "), link_token(&mail))
    }

    /// The newest email in the outbox addressed to `to`.
    pub fn last_mail_to(&self, to: &str) -> String {
        self.mails_to(to).pop().expect("an email to the user")
    }

    /// The newest email to `to` that contains `needle`, waiting up to 20 s for it: sign-ups
    /// mail from the background, which may finish after their answer.
    pub async fn mail_to_containing(&self, to: &str, needle: &str) -> String {
        for _ in 0..1000 {
            if let Some(mail) = self
                .mails_to(to)
                .into_iter()
                .rev()
                .find(|m| m.contains(needle))
            {
                return mail;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no email to {to} with {needle:?}");
    }

    /// The emails in the outbox addressed to `to`, oldest first.
    fn mails_to(&self, to: &str) -> Vec<String> {
        let mut mails: Vec<(std::time::SystemTime, String)> =
            std::fs::read_dir(self.dir.path().join("outbox"))
                .expect("outbox")
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| {
                    let modified = e.metadata().and_then(|m| m.modified()).expect("mtime");
                    (
                        modified,
                        decode_quoted_printable(&std::fs::read_to_string(e.path()).expect("eml")),
                    )
                })
                .filter(|(_, text)| text.contains(&format!("To: {to}")))
                .collect();
        mails.sort();
        mails.into_iter().map(|(_, text)| text).collect()
    }

    pub fn mail_count(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("outbox"))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Signs arbitrary claims with the test secret.
    pub async fn forge(&self, edit: impl FnOnce(&mut Claims)) -> String {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let mut claims = Claims {
            sub: "admin".into(),
            uid: String::new(),
            ver: 0,
            typ: "access".into(),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            iat: now,
            exp: now + 600,
        };
        edit(&mut claims);
        TokenKeys::own(TokenSigner::from_secret(SECRET).expect("key"))
            .sign(&claims, &self.config, OffsetDateTime::now_utc())
            .await
            .expect("sign")
    }
}

/// The value after `label` on its line.
pub fn field(mail: &str, label: &str) -> String {
    mail.lines()
        .find_map(|l| l.strip_prefix(label))
        .expect("label in mail")
        .trim()
        .to_owned()
}

/// The token of the `#/reset?token=` link in a mail.
pub fn link_token(mail: &str) -> String {
    let start = mail.find("token=").expect("link in mail") + "token=".len();
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Undoes quoted-printable soft breaks and `=3D`, which mail transports may apply to long lines.
fn decode_quoted_printable(mail: &str) -> String {
    mail.replace("=\r\n", "").replace("=3D", "=")
}

//! Black box: an account's whole life on the real server, old tokens failing at each step.

use facelens_tests::api::ApiClient;
use facelens_tests::{ADMIN_PASSWORD, Options, Server, mail_field, mail_link_token};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Api {
    server: Server,
    http: Client,
}

impl Api {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, self.server.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("server answers");
        let status = res.status();
        let text = res.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.send(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({ "username": username, "password": password })),
        )
        .await
    }

    async fn me_status(&self, token: &str) -> StatusCode {
        self.send("GET", "/api/me", Some(token), None).await.0
    }
}

fn token(body: &Value) -> String {
    body["token"].as_str().expect("a token").to_owned()
}

#[tokio::test]
async fn an_account_from_creation_to_reset_on_the_real_server() {
    let api = Api {
        server: Server::start(),
        http: Client::new(),
    };

    // Sign-up is closed unless the operator opens it: admins make the accounts.
    let (status, body) = api
        .send(
            "POST",
            "/api/auth/register",
            None,
            Some(json!({ "username": "eve", "email": "eve@example.com", "password": "a passphrase of eve" })),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("sign_up_closed"))
    );

    // The admin signs in and creates a user.
    let (status, body) = api.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let admin = token(&body);
    let (status, _) = api
        .send(
            "POST",
            "/api/users",
            Some(&admin),
            Some(json!({ "username": "ivy", "email": "ivy@example.com", "role": "user" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The user reads the welcome email and signs in with the one-time password.
    let welcome = api.server.last_mail_to("ivy@example.com");
    let one_time = mail_field(&welcome, "One-time password: ");
    let (status, body) = api.login("ivy", &one_time).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["mustChangePassword"], true);
    let first = token(&body);
    assert_eq!(
        api.send("GET", "/api/users", Some(&first), None).await.0,
        StatusCode::FORBIDDEN
    );

    // Sets a password of their own; the first token stops working.
    let (status, body) = api
        .send(
            "PUT",
            "/api/me/password",
            Some(&first),
            Some(json!({ "currentPassword": one_time, "newPassword": "first own passphrase" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let second = token(&body);
    assert_eq!(api.me_status(&first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(api.me_status(&second).await, StatusCode::OK);

    // Signs in with it, then changes it again; every older token fails.
    let (status, body) = api.login("ivy", "first own passphrase").await;
    assert_eq!(status, StatusCode::OK);
    let third = token(&body);
    let (status, body) = api
        .send("PUT", "/api/me/password", Some(&third), Some(json!({ "currentPassword": "first own passphrase", "newPassword": "second own passphrase" })))
        .await;
    assert_eq!(status, StatusCode::OK);
    let fourth = token(&body);
    for old in [&second, &third] {
        assert_eq!(api.me_status(old).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        api.login("ivy", "first own passphrase").await.0,
        StatusCode::UNAUTHORIZED
    );

    // Forgets it, resets it from the emailed link; the link works once and old tokens fail.
    let (status, _) = api
        .send(
            "POST",
            "/api/auth/forgot",
            None,
            Some(json!({ "email": "ivy@example.com" })),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let link = mail_link_token(&api.server.last_mail_to("ivy@example.com"));
    let reset = json!({ "token": link, "newPassword": "third own passphrase" });
    assert_eq!(
        api.send("POST", "/api/auth/reset", None, Some(reset.clone()))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.send("POST", "/api/auth/reset", None, Some(reset))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(api.me_status(&fourth).await, StatusCode::UNAUTHORIZED);
    let (status, body) = api.login("ivy", "third own passphrase").await;
    assert_eq!(status, StatusCode::OK);
    let fifth = token(&body);

    // The admin deletes the account; its last token fails too.
    assert_eq!(
        api.send("DELETE", "/api/users/ivy", Some(&admin), None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(api.me_status(&fifth).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.login("ivy", "third own passphrase").await.0,
        StatusCode::UNAUTHORIZED
    );

    // Unknown API paths answer JSON 404s.
    let (status, body) = api.send("GET", "/api/nothing-here", None, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

/// The newest email to `to` that contains `needle`, waiting for it: a sign-up mails from the
/// background, which may finish after the answer.
async fn mail_containing(server: &Server, to: &str, needle: &str) -> String {
    for _ in 0..200 {
        if let Some(mail) = server
            .mails_to(to)
            .into_iter()
            .rev()
            .find(|m| m.contains(needle))
        {
            return mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no email to {to} with {needle:?}");
}

#[tokio::test]
async fn a_person_signs_up_confirms_the_email_and_signs_in_on_an_open_server() {
    let server = Server::start_with(Options {
        open_sign_up: true,
        ..Options::default()
    });
    let mut visitor = ApiClient::new(&server.url(""));
    let (status, body) = visitor.send("GET", "/api/auth/settings", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({ "signUp": "open" }))
    );
    let form = |username: &str, email: &str| {
        Some(
            json!({ "username": username, "email": email, "password": "a quiet autumn passphrase" }),
        )
    };

    // Signing up answers 202 and mails a single-use confirmation link.
    let (status, body) = visitor
        .send("POST", "/api/auth/register", form("sam", "sam@example.com"))
        .await;
    assert_eq!((status, &body), (StatusCode::ACCEPTED, &Value::Null));
    let mail = mail_containing(&server, "sam@example.com", "#/confirm?token=").await;
    let link = mail_link_token(&mail);

    // Before confirming, the right password is refused with a reason; a taken name is 409;
    // a taken email gets the same 202 as a free one, and its holder is told.
    let (status, body) = visitor
        .send(
            "POST",
            "/api/auth/login",
            Some(json!({ "username": "sam", "password": "a quiet autumn passphrase" })),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("email_not_confirmed"))
    );
    let (status, body) = visitor
        .send(
            "POST",
            "/api/auth/register",
            form("sam", "other@example.com"),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("username_taken"))
    );
    let (status, body) = visitor
        .send(
            "POST",
            "/api/auth/register",
            form("sam2", "admin@example.com"),
        )
        .await;
    assert_eq!((status, &body), (StatusCode::ACCEPTED, &Value::Null));
    mail_containing(&server, "admin@example.com", "Someone tried to sign up").await;

    // The link confirms once; then the account signs in and uses the product.
    let (status, _) = visitor
        .send("POST", "/api/auth/confirm", Some(json!({ "token": link })))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = visitor
        .send("POST", "/api/auth/confirm", Some(json!({ "token": link })))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
    visitor.sign_in("sam", "a quiet autumn passphrase").await;
    let (status, body) = visitor.send("GET", "/api/me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["username"].as_str(), body["role"].as_str()),
        (Some("sam"), Some("user"))
    );
    let (status, body) = visitor.send("GET", "/api/analyses", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = visitor.send("GET", "/api/users", None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a signed-up account is a user"
    );
}

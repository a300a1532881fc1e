//! The auth router, route by route, for anonymous, user and admin callers and for bad input.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use serde_json::json;
use support::{ADMIN_PASSWORD, harness};
use time::Duration;

#[tokio::test]
async fn given_the_admin_when_logging_in_then_a_token_and_the_account_come_back() {
    let h = harness().await;
    let answer = h.login("Admin", ADMIN_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["tokenType"], "Bearer");
    assert_eq!(answer.body["user"]["username"], "admin");
    assert_eq!(answer.body["user"]["role"], "admin");
    assert!(answer.body["user"].get("passwordHash").is_none());
    let token = answer.body["token"].as_str().expect("token");
    let me = h.call("GET", "/api/me", Some(token), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "admin@test.local");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_answer_alike() {
    let h = harness().await;
    let wrong = h.login("admin", "not the password").await;
    let unknown = h.login("nobody", "not the password").await;
    let invalid_name = h.login("!!", "not the password").await;
    for answer in [&wrong, &unknown, &invalid_name] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.code(), "invalid_credentials");
    }
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn bad_login_bodies_get_clear_errors() {
    let h = harness().await;
    let cases = [
        (
            json!({ "username": "admin" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "password",
        ),
        (
            json!({ "username": "admin", "password": 5 }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "invalid type",
        ),
        (
            json!({ "username": "admin", "password": "x", "extra": 1 }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "unknown field",
        ),
        (
            json!(["admin"]),
            StatusCode::BAD_REQUEST,
            "invalid_input",
            "",
        ),
    ];
    for (body, status, code, says) in cases {
        let answer = h
            .call("POST", "/api/auth/login", None, Some(body.clone()))
            .await;
        assert_eq!(answer.status, status, "{body}");
        assert_eq!(answer.code(), code, "{body}");
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains(says),
            "{:?}",
            answer.body
        );
    }

    let malformed = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"username\": "))
        .expect("request");
    let answer = h.send(malformed).await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::BAD_REQUEST, "invalid_json")
    );

    let no_type = Request::post("/api/auth/login")
        .body(Body::from(r#"{"username":"admin","password":"x"}"#))
        .expect("request");
    let answer = h.send(no_type).await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );

    let huge = json!({ "username": "admin", "password": "x".repeat(20_000) }).to_string();
    let oversize = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(huge))
        .expect("request");
    let answer = h.send(oversize).await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
}

#[tokio::test]
async fn repeated_failures_slow_that_name_from_that_address_only_and_are_all_audited() {
    let h = harness().await;
    for _ in 0..5 {
        assert_eq!(
            h.login("admin", "wrong guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let throttled = h.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.code(), "too_many_attempts");
    let retry: u64 = throttled.headers[header::RETRY_AFTER]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert_eq!(
        retry, 1,
        "the first wait after the free guesses is a second"
    );

    // The person themself, from another address, is not held back.
    let elsewhere = h.login_from("198.51.100.7", "admin", ADMIN_PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{:?}", elsewhere.body);

    // The wait is short, and the refused attempt was not counted: after it, the right
    // password works from the guessing address too.
    h.clock.advance(Duration::seconds(1));
    let token = h.token("admin", ADMIN_PASSWORD).await;
    let audit = h.call("GET", "/api/audit", Some(&token), None).await;
    assert_eq!(audit.status, StatusCode::OK);
    let attempts = audit.body["attempts"].as_array().expect("attempts");
    let reasons: Vec<&str> = attempts
        .iter()
        .map(|a| a["reason"].as_str().expect("reason"))
        .collect();
    assert_eq!(reasons[0], "ok", "newest first: {reasons:?}");
    assert_eq!(
        reasons.iter().filter(|r| **r == "bad_credentials").count(),
        5
    );
    assert_eq!(reasons.iter().filter(|r| **r == "throttled").count(), 1);
    assert_eq!(attempts[0]["client"], support::DEFAULT_CLIENT);
    // The test clock stood still until then, so the earlier attempts share one instant.
    assert!(
        attempts
            .iter()
            .any(|a| a["client"] == "198.51.100.7" && a["success"] == true),
        "the sign-in from elsewhere is audited with its address: {attempts:?}"
    );
}

#[tokio::test]
async fn bad_tokens_are_refused_everywhere() {
    let h = harness().await;
    let good = h.admin_token().await;
    let claims_part = good.split('.').nth(1).expect("claims").to_owned();
    let uid = {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&claims_part)
            .expect("b64");
        let claims: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        claims["uid"].as_str().expect("uid").to_owned()
    };
    let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
    let other_key = {
        let keys = facelens_core::auth::TokenKeys::own(
            facelens_core::auth::TokenSigner::from_secret(&[9u8; 32]).expect("key"),
        );
        let forged_with_ours = h.forge(|c| c.uid = uid.clone()).await;
        let claims = forged_with_ours.split('.').nth(1).expect("claims");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .expect("b64");
        keys.sign(
            &serde_json::from_slice(&bytes).expect("claims"),
            &facelens_core::auth::AuthConfig::new(""),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .expect("sign")
    };
    let cases: Vec<(&str, String)> = vec![
        ("garbage", "not-a-token".into()),
        ("wrong signature", other_key),
        ("alg none", format!("{none_header}.{claims_part}.")),
        (
            "expired",
            h.forge(|c| {
                c.uid = uid.clone();
                c.iat -= 7200;
                c.exp -= 7200
            })
            .await,
        ),
        (
            "wrong audience",
            h.forge(|c| {
                c.uid = uid.clone();
                c.aud = "someone-else".into()
            })
            .await,
        ),
        (
            "wrong issuer",
            h.forge(|c| {
                c.uid = uid.clone();
                c.iss = "someone-else".into()
            })
            .await,
        ),
        (
            "wrong type",
            h.forge(|c| {
                c.uid = uid.clone();
                c.typ = "refresh".into()
            })
            .await,
        ),
        (
            "old version",
            h.forge(|c| {
                c.uid = uid.clone();
                c.ver = 7
            })
            .await,
        ),
        (
            "other account id",
            h.forge(|c| c.uid = "00000000-0000-0000-0000-000000000000".into())
                .await,
        ),
    ];
    // The control: a forged token with every claim right is accepted, so each case fails for its own reason.
    let control = h.forge(|c| c.uid = uid.clone()).await;
    assert_eq!(
        h.call("GET", "/api/me", Some(&control), None).await.status,
        StatusCode::OK
    );
    for (what, token) in cases {
        for (method, path) in [
            ("GET", "/api/me"),
            ("GET", "/api/users"),
            ("GET", "/api/audit"),
        ] {
            let answer = h.call(method, path, Some(&token), None).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{what} on {path}");
            assert_eq!(answer.code(), "unauthorized", "{what} on {path}");
            assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer");
        }
    }
    let basic = Request::get("/api/me")
        .header(header::AUTHORIZATION, "Basic YWRtaW46eA==")
        .body(Body::empty())
        .expect("request");
    assert_eq!(h.send(basic).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admin_routes_answer_401_anonymous_403_user_and_succeed_for_admin() {
    let h = harness().await;
    let admin = h.admin_token().await;
    let (one_time, _) = h.create_user(&admin, "bob", "user").await;
    let first = h.token("bob", &one_time).await;
    let changed = h
        .call(
            "PUT",
            "/api/me/password",
            Some(&first),
            Some(json!({ "currentPassword": one_time, "newPassword": "my own long passphrase" })),
        )
        .await;
    let user = changed.body["token"].as_str().expect("token").to_owned();

    let routes: [(&str, &str, Option<serde_json::Value>, StatusCode); 4] = [
        ("GET", "/api/users", None, StatusCode::OK),
        (
            "POST",
            "/api/users",
            Some(json!({ "username": "carol", "email": "carol@test.local" })),
            StatusCode::CREATED,
        ),
        ("GET", "/api/audit", None, StatusCode::OK),
        ("DELETE", "/api/users/carol", None, StatusCode::NO_CONTENT),
    ];
    for (method, path, body, ok) in routes {
        let anonymous = h.call(method, path, None, body.clone()).await;
        assert_eq!(
            (anonymous.status, anonymous.code()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{method} {path}"
        );
        let as_user = h.call(method, path, Some(&user), body.clone()).await;
        assert_eq!(
            (as_user.status, as_user.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{method} {path}"
        );
        let as_admin = h.call(method, path, Some(&admin), body).await;
        assert_eq!(as_admin.status, ok, "{method} {path}: {:?}", as_admin.body);
    }
    let list = h.call("GET", "/api/users", Some(&admin), None).await;
    let names: Vec<&str> = list.body["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["username"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["admin", "bob"]);
}

#[tokio::test]
async fn creating_users_validates_and_refuses_duplicates() {
    let h = harness().await;
    let admin = h.admin_token().await;
    h.create_user(&admin, "dave", "user").await;
    let cases = [
        (
            json!({ "username": "dave", "email": "other@test.local" }),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            json!({ "username": "DAVE", "email": "other@test.local" }),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            json!({ "username": "dave2", "email": "Dave@Test.local" }),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            json!({ "username": "x", "email": "x@test.local" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({ "username": "erin", "email": "not-an-email" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({ "username": "erin", "email": "erin@test.local", "role": "root" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({ "email": "erin@test.local" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({ "username": 12, "email": "erin@test.local" }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
    ];
    let mails_before = h.mail_count();
    for (body, status, code) in cases {
        let answer = h
            .call("POST", "/api/users", Some(&admin), Some(body.clone()))
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{body}: {:?}",
            answer.body
        );
    }
    assert_eq!(h.mail_count(), mails_before, "refused users get no email");
}

#[tokio::test]
async fn a_new_user_must_change_the_one_time_password_first() {
    let h = harness().await;
    let admin = h.admin_token().await;
    let (one_time, _) = h.create_user(&admin, "erin", "admin").await;
    let login = h.login("erin", &one_time).await;
    assert_eq!(login.body["user"]["mustChangePassword"], true);
    let first = login.body["token"].as_str().expect("token").to_owned();

    let blocked = h.call("GET", "/api/users", Some(&first), None).await;
    assert_eq!(
        (blocked.status, blocked.code()),
        (StatusCode::FORBIDDEN, "password_change_required")
    );
    assert_eq!(
        h.call("GET", "/api/me", Some(&first), None).await.status,
        StatusCode::OK
    );

    let changed = h
        .call(
            "PUT",
            "/api/me/password",
            Some(&first),
            Some(json!({ "currentPassword": one_time, "newPassword": "picks a long one here" })),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.body["user"]["mustChangePassword"], false);
    let second = changed.body["token"].as_str().expect("token");
    assert_eq!(
        h.call("GET", "/api/users", Some(second), None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.call("GET", "/api/me", Some(&first), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.login("erin", &one_time).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_welcome_link_sets_a_password_once() {
    let h = harness().await;
    let admin = h.admin_token().await;
    let (_, link) = h.create_user(&admin, "frank", "user").await;
    let as_reset = json!({ "token": link, "newPassword": "chosen words of mine" });
    let wrong_page = h
        .call("POST", "/api/auth/reset", None, Some(as_reset))
        .await;
    assert_eq!(
        (wrong_page.status, wrong_page.code()),
        (StatusCode::BAD_REQUEST, "invalid_token"),
        "a welcome link is not a reset link"
    );
    let body =
        json!({ "token": link, "purpose": "welcome", "newPassword": "chosen words of mine" });
    let first = h
        .call("POST", "/api/auth/reset", None, Some(body.clone()))
        .await;
    // The link and the answer in the message: this failed once in CI (400) and never in 100
    // reruns, so a next failure should say why.
    assert_eq!(
        first.status,
        StatusCode::NO_CONTENT,
        "link token {link:?}: {:?}",
        first.body
    );
    let again = h.call("POST", "/api/auth/reset", None, Some(body)).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );
    let login = h.login("frank", "chosen words of mine").await;
    assert_eq!(login.body["user"]["mustChangePassword"], false);
}

#[tokio::test]
async fn changing_the_password_checks_the_old_one_and_the_policy() {
    let h = harness().await;
    let token = h.admin_token().await;
    let cases = [
        (
            json!({ "currentPassword": "wrong", "newPassword": "a fine new passphrase" }),
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            json!({ "currentPassword": ADMIN_PASSWORD, "newPassword": "short" }),
            StatusCode::BAD_REQUEST,
            "weak_password",
        ),
        (
            json!({ "currentPassword": ADMIN_PASSWORD, "newPassword": "password123" }),
            StatusCode::BAD_REQUEST,
            "weak_password",
        ),
        (
            json!({ "currentPassword": ADMIN_PASSWORD, "newPassword": ADMIN_PASSWORD }),
            StatusCode::BAD_REQUEST,
            "weak_password",
        ),
        (
            json!({ "currentPassword": ADMIN_PASSWORD }),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
    ];
    for (body, status, code) in cases {
        let answer = h
            .call("PUT", "/api/me/password", Some(&token), Some(body.clone()))
            .await;
        assert_eq!((answer.status, answer.code()), (status, code), "{body}");
    }
    assert_eq!(
        h.call("PUT", "/api/me/password", None, Some(json!({})))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.call("GET", "/api/me", Some(&token), None).await.status,
        StatusCode::OK,
        "failed changes revoke nothing"
    );
}

#[tokio::test]
async fn forgot_answers_202_always_and_the_link_works_once_within_ten_minutes() {
    let h = harness().await;
    let before = h.mail_count();
    for email in ["nobody@test.local", "not an email"] {
        let answer = h
            .call(
                "POST",
                "/api/auth/forgot",
                None,
                Some(json!({ "email": email })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED);
    }
    assert_eq!(h.mail_count(), before, "no mail for unknown addresses");
    let missing = h
        .call("POST", "/api/auth/forgot", None, Some(json!({})))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);

    let old_token = h.admin_token().await;
    let forgot = h
        .call(
            "POST",
            "/api/auth/forgot",
            None,
            Some(json!({ "email": "ADMIN@test.local" })),
        )
        .await;
    assert_eq!(forgot.status, StatusCode::ACCEPTED);
    let link = support::link_token(&h.last_mail_to("admin@test.local"));

    let weak = h
        .call(
            "POST",
            "/api/auth/reset",
            None,
            Some(json!({ "token": link, "newPassword": "short" })),
        )
        .await;
    assert_eq!(
        (weak.status, weak.code()),
        (StatusCode::BAD_REQUEST, "weak_password")
    );
    let reset = h
        .call(
            "POST",
            "/api/auth/reset",
            None,
            Some(json!({ "token": link, "newPassword": "a brand new passphrase" })),
        )
        .await;
    assert_eq!(
        reset.status,
        StatusCode::NO_CONTENT,
        "a weak try keeps the link usable"
    );
    let reuse = h
        .call(
            "POST",
            "/api/auth/reset",
            None,
            Some(json!({ "token": link, "newPassword": "yet another passphrase" })),
        )
        .await;
    assert_eq!(
        (reuse.status, reuse.code()),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );
    assert_eq!(
        h.call("GET", "/api/me", Some(&old_token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.login("admin", "a brand new passphrase").await.status,
        StatusCode::OK
    );

    h.call(
        "POST",
        "/api/auth/forgot",
        None,
        Some(json!({ "email": "admin@test.local" })),
    )
    .await;
    let late = support::link_token(&h.last_mail_to("admin@test.local"));
    h.clock.advance(Duration::minutes(11));
    let expired = h
        .call(
            "POST",
            "/api/auth/reset",
            None,
            Some(json!({ "token": late, "newPassword": "too late passphrase" })),
        )
        .await;
    assert_eq!(
        (expired.status, expired.code()),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );
    let unknown = h
        .call(
            "POST",
            "/api/auth/reset",
            None,
            Some(json!({ "token": "made-up", "newPassword": "whatever passphrase" })),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );
}

#[tokio::test]
async fn deleting_users_revokes_their_tokens_and_keeps_the_last_admin() {
    let h = harness().await;
    let admin = h.admin_token().await;
    let last = h
        .call("DELETE", "/api/users/admin", Some(&admin), None)
        .await;
    assert_eq!(
        (last.status, last.code()),
        (StatusCode::CONFLICT, "conflict")
    );
    let missing = h
        .call("DELETE", "/api/users/ghost", Some(&admin), None)
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );

    let (one_time, _) = h.create_user(&admin, "gina", "user").await;
    let gina = h.token("gina", &one_time).await;
    assert_eq!(
        h.call("DELETE", "/api/users/gina", Some(&admin), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.call("GET", "/api/me", Some(&gina), None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A new account with the same name does not accept the old account's token.
    h.create_user(&admin, "gina", "user").await;
    assert_eq!(
        h.call("GET", "/api/me", Some(&gina), None).await.status,
        StatusCode::UNAUTHORIZED
    );

    let (second_pw, _) = h.create_user(&admin, "hank", "admin").await;
    let hank = h.token("hank", &second_pw).await;
    let hank = h
        .call(
            "PUT",
            "/api/me/password",
            Some(&hank),
            Some(json!({ "currentPassword": second_pw, "newPassword": "another long passphrase" })),
        )
        .await
        .body["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(
        h.call("DELETE", "/api/users/admin", Some(&hank), None)
            .await
            .status,
        StatusCode::NO_CONTENT,
        "two admins: one may go"
    );
}

#[tokio::test]
async fn health_answers_and_unknown_methods_do_not_crash() {
    let h = harness().await;
    let health = h.call("GET", "/api/health", None, None).await;
    assert_eq!(health.body, json!({ "status": "ok" }));
    let wrong_method = h.call("DELETE", "/api/auth/login", None, None).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn an_api_token_works_until_the_end_of_its_last_day_and_then_says_it_expired() {
    let h = harness().await;
    let login = h.login("admin", ADMIN_PASSWORD).await;
    let session = login.body["token"].as_str().expect("session").to_owned();
    let made = h
        .call(
            "POST",
            "/api/me/tokens",
            Some(&session),
            Some(json!({"name": "ci", "days": 30})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let token = made.body["token"].as_str().expect("token").to_owned();
    // A live API token is known, and refused here by kind (403), not as bad (401).
    let live = h.call("GET", "/api/me", Some(&token), None).await;
    assert_eq!(
        (live.status, live.code()),
        (StatusCode::FORBIDDEN, "api_token_not_allowed")
    );
    h.clock.advance(Duration::days(30) - Duration::seconds(1));
    let last = h.call("GET", "/api/me", Some(&token), None).await;
    assert_eq!(last.status, StatusCode::FORBIDDEN);
    h.clock.advance(Duration::seconds(1));
    let ended = h.call("GET", "/api/me", Some(&token), None).await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
    assert!(ended.body.to_string().contains("expired"), "{}", ended.body);
}

#[tokio::test]
async fn an_account_holds_at_most_twenty_api_tokens_and_names_must_be_printable() {
    let h = harness().await;
    let login = h.login("admin", ADMIN_PASSWORD).await;
    let session = login.body["token"].as_str().expect("session").to_owned();
    let make = |name: String| {
        let session = session.clone();
        let h = &h;
        async move {
            h.call(
                "POST",
                "/api/me/tokens",
                Some(&session),
                Some(json!({ "name": name })),
            )
            .await
        }
    };
    let control = make("tab\there".into()).await;
    assert_eq!(control.status, StatusCode::BAD_REQUEST, "{}", control.body);
    let long = make("x".repeat(65)).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "{}", long.body);
    for i in 0..20 {
        assert_eq!(
            make(format!("script {i}")).await.status,
            StatusCode::CREATED
        );
    }
    let over = make("one more".into()).await;
    assert_eq!(
        (over.status, over.code()),
        (StatusCode::BAD_REQUEST, "invalid_input")
    );
    assert!(
        over.body.to_string().contains("revoke one first"),
        "{}",
        over.body
    );
    let listed = h.call("GET", "/api/me/tokens", Some(&session), None).await;
    assert_eq!(listed.body["tokens"].as_array().map(Vec::len), Some(20));
}

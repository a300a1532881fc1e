//! `DELETE /api/me`: a person deletes their own account, confirming with the password.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use support::{ADMIN_PASSWORD, harness};

#[tokio::test]
async fn deleting_ones_account_needs_a_token_and_the_password() {
    let h = harness().await;
    let admin = h.admin_token().await;
    let (one_time, _) = h.create_user(&admin, "ida", "user").await;
    let ida = h.token("ida", &one_time).await;

    let anonymous = h
        .call(
            "DELETE",
            "/api/me",
            None,
            Some(json!({ "password": one_time })),
        )
        .await;
    assert_eq!(
        (anonymous.status, anonymous.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );

    let wrong = h
        .call(
            "DELETE",
            "/api/me",
            Some(&ida),
            Some(json!({ "password": "not the password" })),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );

    let missing = h.call("DELETE", "/api/me", Some(&ida), None).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::BAD_REQUEST, "invalid_input"),
        "{:?}",
        missing.body
    );
    assert!(
        missing.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("password")),
        "{:?}",
        missing.body
    );
    let unknown_field = h
        .call(
            "DELETE",
            "/api/me",
            Some(&ida),
            Some(json!({ "password": one_time, "also": 1 })),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    let not_json = h
        .send(
            Request::builder()
                .method("DELETE")
                .uri("/api/me")
                .header(header::AUTHORIZATION, format!("Bearer {ida}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{password"))
                .expect("request"),
        )
        .await;
    assert_eq!(
        (not_json.status, not_json.code()),
        (StatusCode::BAD_REQUEST, "invalid_json")
    );
    assert_eq!(
        h.call("GET", "/api/me", Some(&ida), None).await.status,
        StatusCode::OK,
        "nothing was deleted so far"
    );

    // Allowed before the first password change: it is the person's own account.
    let done = h
        .call(
            "DELETE",
            "/api/me",
            Some(&ida),
            Some(json!({ "password": one_time })),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    assert_eq!(
        h.call("GET", "/api/me", Some(&ida), None).await.status,
        StatusCode::UNAUTHORIZED,
        "the token stops working"
    );
    assert_eq!(
        h.login("ida", &one_time).await.status,
        StatusCode::UNAUTHORIZED
    );
    let users = h.call("GET", "/api/users", Some(&admin), None).await;
    assert!(
        !users.body.to_string().contains("\"ida\""),
        "{:?}",
        users.body
    );
}

#[tokio::test]
async fn the_last_admin_cannot_delete_their_own_account() {
    let h = harness().await;
    let admin = h.admin_token().await;

    let last = h
        .call(
            "DELETE",
            "/api/me",
            Some(&admin),
            Some(json!({ "password": ADMIN_PASSWORD })),
        )
        .await;

    assert_eq!(
        (last.status, last.code()),
        (StatusCode::CONFLICT, "conflict")
    );
    assert_eq!(
        h.call("GET", "/api/me", Some(&admin), None).await.status,
        StatusCode::OK
    );
}

//! The account journey on the AWS adapters (DynamoDB, SESv2, Secrets Manager on the moto
//! server): an admin creates a user, the welcome email arrives through SES, its link sets the
//! password once, the user signs in, the audit shows it, and the last admin stays.

mod support;

use facelens_aws::moto;
use serde_json::json;
use support::{ADMIN, Backend, answer, function, request};

/// `POST /api/auth/login` as `username` with `password`.
fn sign_in(username: &str, password: &str) -> axum::http::Request<axum::body::Body> {
    request(
        "POST",
        "/api/auth/login",
        None,
        Some(json!({ "username": username, "password": password })),
    )
}

/// Signs the first admin in and returns the token.
async fn admin_token(router: &axum::Router) -> String {
    let (status, body) = answer(router, sign_in(ADMIN.0, ADMIN.1)).await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().expect("token").to_owned()
}

/// The admin creates the user `username` with `email`; SES mails the welcome.
async fn create_user(router: &axum::Router, admin_token: &str, username: &str, email: &str) {
    let (status, body) = answer(
        router,
        request(
            "POST",
            "/api/users",
            Some(admin_token),
            Some(json!({ "username": username, "email": email })),
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn given_the_function_on_aws_when_an_admin_creates_a_user_then_the_emailed_link_sets_the_password_once()
 {
    let function = function(Backend::Aws).await;
    let router = &function.router;
    let email = format!(
        "nina-{}@example.com",
        function.table.as_deref().unwrap_or("x")
    );

    // Given the admin is signed in
    let admin_token = admin_token(router).await;

    // When they create an account
    create_user(router, &admin_token, "nina", &email).await;

    // Then SES carries the welcome email with a single-use link
    let sent = moto::server().emails_to(&email).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].subject, "Your Facelens account");
    let link_token = link_token(&sent[0].body, "#/reset?token=");
    let reset = json!({ "token": link_token, "purpose": "welcome", "newPassword": "a brand new passphrase" });
    let (status, body) = answer(
        router,
        request("POST", "/api/auth/reset", None, Some(reset.clone())),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = answer(
        router,
        request("POST", "/api/auth/reset", None, Some(reset)),
    )
    .await;
    assert_eq!(status, 400, "the link works once");

    // And the user signs in with the password they chose
    let (status, body) = answer(router, sign_in("nina", "a brand new passphrase")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["mustChangePassword"], false);

    // And the audit lists that sign-in first
    let (status, body) = answer(
        router,
        request("GET", "/api/audit", Some(&admin_token), None),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let newest = &body["attempts"][0];
    assert_eq!(
        (newest["username"].as_str(), newest["success"].as_bool()),
        (Some("nina"), Some(true))
    );

    // And the only admin cannot be deleted
    let (status, body) = answer(
        router,
        request("DELETE", "/api/users/admin", Some(&admin_token), None),
    )
    .await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
async fn given_an_empty_table_when_auth_admin_runs_twice_then_one_admin_is_created_with_a_shown_password()
 {
    let moto = moto::server();
    let aws = moto.aws().await;
    let store = moto.table(&aws).await;

    let first = facelens_auth::create_first_admin(&store, "owner", "owner@example.com", None)
        .await
        .expect("created");
    let second = facelens_auth::create_first_admin(&store, "other", "other@example.com", None)
        .await
        .expect("no-op");

    let facelens_core::auth::BootstrapOutcome::CreatedWithGeneratedPassword(password) = first
    else {
        panic!("expected a generated password, got {first:?}");
    };
    assert!(password.len() >= 16);
    assert_eq!(
        second,
        facelens_core::auth::BootstrapOutcome::AlreadyInitialised
    );
}

/// The token in the first link of `body` that follows `marker`.
fn link_token(body: &str, marker: &str) -> String {
    body.split(marker)
        .nth(1)
        .and_then(|rest| rest.split(['&', ' ', '\n', '\r']).next())
        .unwrap_or_else(|| panic!("no {marker} link in {body}"))
        .to_owned()
}

#[tokio::test]
async fn given_open_sign_up_on_aws_when_someone_signs_up_then_ses_carries_the_link_and_a_taken_email_learns_nothing()
 {
    let function = function(Backend::Aws).await;
    let router = &function.router;
    let table = function.table.as_deref().unwrap_or("x");
    let email = format!("omar-{table}@example.com");
    let sign_up = |username: &str, email: &str| {
        request(
            "POST",
            "/api/auth/register",
            None,
            Some(
                json!({ "username": username, "email": email, "password": "a long sign-up passphrase" }),
            ),
        )
    };

    // When someone signs up, the answer is 202 and SES carries a confirmation link
    let (status, body) = answer(router, sign_up("omar", &email)).await;
    assert_eq!(status, 202, "{body}");
    let sent = moto::server().emails_to(&email).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].subject, "Confirm your Facelens account");
    let token = link_token(&sent[0].body, "#/confirm?token=");

    // And the account cannot sign in before the email is confirmed
    let login = || sign_in("omar", "a long sign-up passphrase");
    let (status, body) = answer(router, login()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("email_not_confirmed")),
        "{body}"
    );

    // When the link is followed, the account signs in, and the link works once
    let confirm = || {
        request(
            "POST",
            "/api/auth/confirm",
            None,
            Some(json!({ "token": token })),
        )
    };
    let (status, body) = answer(router, confirm()).await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = answer(router, confirm()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_token"))
    );
    let (status, body) = answer(router, login()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["awaitingConfirmation"], false);

    // When another sign-up gives the same email, the answer is the same 202, no account is
    // made, and the holder is told
    let (status, body) = answer(router, sign_up("omar-again", &email)).await;
    assert_eq!(status, 202, "{body}");
    let sent = moto::server().emails_to(&email).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    let notice = sent
        .iter()
        .find(|mail| mail.subject == "Someone tried to sign up with your email")
        .expect("the holder is told");
    assert!(notice.body.contains("omar"), "{}", notice.body);
    let (status, body) = answer(router, sign_in("omar-again", "a long sign-up passphrase")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
}

#[tokio::test]
async fn given_a_point_in_time_restore_when_its_items_are_copied_back_then_a_deleted_account_returns_and_newer_items_stay()
 {
    let function = function(Backend::Aws).await;
    let router = &function.router;
    let table = function.table.clone().expect("a table");
    let email = format!("rita-{table}@example.com");
    let admin_token = admin_token(router).await;
    create_user(router, &admin_token, "rita", &email).await;
    let one_time = moto::server().emails_to(&email).await[0]
        .body
        .lines()
        .find_map(|line| line.strip_prefix("One-time password: "))
        .expect("a one-time password")
        .trim()
        .to_owned();

    // The point in time: rita exists. Then she is deleted, and someone new signs up.
    let moto = moto::server();
    let stack_table = moto.aws().await.dynamodb(table.as_str());
    let restored = moto.restore_to_now(&stack_table).await;
    let (status, body) = answer(
        router,
        request("DELETE", "/api/users/rita", Some(&admin_token), None),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let rita_signs_in = || sign_in("rita", &one_time);
    assert_eq!(answer(router, rita_signs_in()).await.0, 401);
    let (status, _) = answer(
        router,
        request(
            "POST",
            "/api/auth/register",
            None,
            Some(json!({ "username": "newer", "email": format!("newer-{table}@example.com"), "password": "a passphrase made later" })),
        ),
    )
    .await;
    assert_eq!(status, 202);

    // When the restored table's items are copied back
    let report = stack_table
        .copy_missing_from(restored.table_name())
        .await
        .expect("copied");

    // Then rita's profile and email item are back, what is newer stays, and the admin
    // counter still guards the only admin
    assert!(report.copied >= 2, "{report:?}");
    assert!(
        report.kept >= 1,
        "the admin's profile was there: {report:?}"
    );
    assert_eq!(report.admins, 1);
    let (status, body) = answer(router, rita_signs_in()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["mustChangePassword"], true);
    let (status, body) = answer(
        router,
        request("GET", "/api/users", Some(&admin_token), None),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names, ["admin", "newer", "rita"]);
    let (status, _) = answer(
        router,
        request("DELETE", "/api/users/admin", Some(&admin_token), None),
    )
    .await;
    assert_eq!(status, 409, "the last admin stays");
    let again = stack_table
        .copy_missing_from(restored.table_name())
        .await
        .expect("copied again");
    assert_eq!(
        (again.copied, again.admins),
        (0, 1),
        "running it twice changes nothing"
    );
}

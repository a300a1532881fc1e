//! Sign-up on the auth router, with real adapters and a clock the tests move: closed unless the
//! operator opens it; the answer is the same, at the same time, for a free and a taken email;
//! throttled per email and per address; an account waits for its emailed link before it signs
//! in; an abandoned sign-up frees its name; a reset link confirms too, and a confirmation link
//! sets no password.

mod support;

use async_trait::async_trait;
use axum::http::StatusCode;
use facelens_core::auth::SignUpPolicy;
use facelens_core::domain::{Email, User, Username};
use facelens_core::ports::{StoreError, UserStore};
use facelens_local::LocalDb;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use support::{
    DEFAULT_CLIENT, Harness, SIGN_UP_PASSWORD, harness, harness_on, harness_with, link_token,
};
use time::Duration;

async fn open_sign_up() -> Harness {
    harness_with(|config| config.sign_up = SignUpPolicy::Open).await
}

async fn confirm(h: &Harness, token: &str) -> support::Answer {
    h.post_from(
        DEFAULT_CLIENT,
        "/api/auth/confirm",
        json!({ "token": token }),
    )
    .await
}

#[tokio::test]
async fn sign_up_is_closed_unless_the_operator_opens_it() {
    let h = harness().await;
    let settings = h.call("GET", "/api/auth/settings", None, None).await;
    assert_eq!(settings.body, json!({ "signUp": "invite-only" }));
    let mails = h.mail_count();

    let answer = h
        .sign_up_from(DEFAULT_CLIENT, "newcomer", "newcomer@test.local")
        .await;

    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::FORBIDDEN, "sign_up_closed")
    );
    assert_eq!(h.mail_count(), mails, "nothing is mailed");
    let open = open_sign_up().await;
    let settings = open.call("GET", "/api/auth/settings", None, None).await;
    assert_eq!(settings.body, json!({ "signUp": "open" }));
}

#[tokio::test]
async fn a_new_account_signs_in_only_after_its_emailed_link_confirms_the_address() {
    let h = open_sign_up().await;

    let answer = h
        .sign_up_from(DEFAULT_CLIENT, "Maya", "Maya@Test.local")
        .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{:?}", answer.body);
    let mail = h
        .mail_to_containing("maya@test.local", "#/confirm?token=")
        .await;
    assert!(
        mail.contains("Subject: Confirm your Facelens account"),
        "{mail}"
    );
    assert!(mail.contains("http://site.test/#/confirm?token="), "{mail}");
    assert!(mail.contains("within 24 hours"), "{mail}");
    assert!(
        mail.contains("its name is freed after 25 hours"),
        "an hour past the link, as the code frees it: {mail}"
    );
    let token = link_token(&mail);

    let early = h.login("maya", SIGN_UP_PASSWORD).await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::FORBIDDEN, "email_not_confirmed")
    );
    let wrong = h.login("maya", "not the passphrase").await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials"),
        "a wrong password learns nothing about the account"
    );
    let admin = h.admin_token().await;
    let users = h.call("GET", "/api/users", Some(&admin), None).await;
    let maya = users.body["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == "maya")
        .expect("the account exists")
        .clone();
    assert_eq!(
        (
            maya["awaitingConfirmation"].as_bool(),
            maya["role"].as_str()
        ),
        (Some(true), Some("user"))
    );

    assert_eq!(confirm(&h, &token).await.status, StatusCode::NO_CONTENT);
    let again = confirm(&h, &token).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::BAD_REQUEST, "invalid_token"),
        "the link works once"
    );
    let signed_in = h.login("maya", SIGN_UP_PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    assert_eq!(signed_in.body["user"]["awaitingConfirmation"], false);
    assert_eq!(signed_in.body["user"]["mustChangePassword"], false);

    let audit = h.call("GET", "/api/audit", Some(&admin), None).await;
    // The test clock stands still, so the records share one instant: compared as a set.
    let mut events: Vec<(String, String, String)> = audit.body["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .filter(|a| a["username"] == "maya")
        .map(|a| {
            (
                a["method"].as_str().unwrap_or("").to_owned(),
                a["reason"].as_str().unwrap_or("").to_owned(),
                a["client"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String, String)> = [
        ("password", "ok"),
        ("sign-up", "confirmed"),
        ("password", "bad_credentials"),
        ("password", "unconfirmed"),
        ("sign-up", "registered"),
    ]
    .iter()
    .map(|(m, r)| ((*m).to_owned(), (*r).to_owned(), DEFAULT_CLIENT.to_owned()))
    .collect();
    events.sort();
    expected.sort();
    assert_eq!(events, expected);
}

#[tokio::test]
async fn the_form_follows_the_account_rules_and_a_taken_name_is_refused() {
    let h = open_sign_up().await;
    let post = |body| h.post_from(DEFAULT_CLIENT, "/api/auth/register", body);
    let cases = [
        (
            json!({ "username": "a b", "email": "ab@test.local", "password": SIGN_UP_PASSWORD }),
            "invalid_input",
        ),
        (
            json!({ "username": "ana", "email": "not-an-email", "password": SIGN_UP_PASSWORD }),
            "invalid_input",
        ),
        (
            json!({ "username": "ana", "email": "ana@test.local", "password": "short" }),
            "weak_password",
        ),
        (
            json!({ "username": "ana", "email": "ana@test.local", "password": "ana" }),
            "weak_password",
        ),
        (
            json!({ "username": "ana", "email": "ana@test.local" }),
            "invalid_input",
        ),
        (
            json!({ "username": "ana", "email": "ana@test.local", "password": SIGN_UP_PASSWORD, "role": "admin" }),
            "invalid_input",
        ),
    ];
    for (body, code) in cases {
        let answer = post(body.clone()).await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::BAD_REQUEST, code),
            "{body}"
        );
    }

    let taken = h
        .sign_up_from(DEFAULT_CLIENT, "admin", "someone@test.local")
        .await;
    assert_eq!(
        (taken.status, taken.code()),
        (StatusCode::CONFLICT, "username_taken")
    );
}

#[tokio::test]
async fn a_taken_email_gets_the_same_answer_at_the_same_time_and_its_holder_is_told() {
    let h = harness_with(|config| {
        config.sign_up = SignUpPolicy::Open;
        config.quiet_answer_time = std::time::Duration::from_millis(400);
    })
    .await;
    let mut answers = Vec::new();
    for (name, email) in [
        ("fresh", "fresh@test.local"),
        ("copycat", "admin@test.local"),
    ] {
        let start = Instant::now();
        let answer = h.sign_up_from(DEFAULT_CLIENT, name, email).await;
        answers.push((answer.status, answer.body, start.elapsed()));
    }
    for (status, body, elapsed) in &answers {
        assert_eq!((status, body), (&StatusCode::ACCEPTED, &json!(null)));
        assert!(
            *elapsed >= std::time::Duration::from_millis(400),
            "no sooner than the fixed time: {answers:?}"
        );
    }

    let notice = h
        .mail_to_containing("admin@test.local", "Subject: Someone tried")
        .await;
    assert!(
        notice.contains("Subject: Someone tried to sign up with your email"),
        "{notice}"
    );
    assert!(
        !notice.contains("token="),
        "the notice carries no link token"
    );
    let copycat = h.login("copycat", SIGN_UP_PASSWORD).await;
    assert_eq!(
        (copycat.status, copycat.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials"),
        "no account was made"
    );
}

#[tokio::test]
async fn sign_ups_are_throttled_per_email_and_per_address() {
    let h = open_sign_up().await;
    // Per email: 3 free, then a wait, from any address, taken or not.
    for email in ["admin@test.local", "nobody@test.local"] {
        let mut statuses = Vec::new();
        for (i, client) in [
            "198.51.100.1",
            "198.51.100.2",
            "198.51.100.3",
            "198.51.100.4",
        ]
        .iter()
        .enumerate()
        {
            let name = format!("{}{i}", &email[..5]);
            statuses.push(h.sign_up_from(client, &name, email).await.status);
        }
        assert_eq!(
            statuses,
            [
                StatusCode::ACCEPTED,
                StatusCode::ACCEPTED,
                StatusCode::ACCEPTED,
                StatusCode::TOO_MANY_REQUESTS
            ],
            "{email}"
        );
    }
    // Per address: 10 free, whatever the names and emails; probing names counts too.
    let mut statuses = Vec::new();
    for i in 0..10 {
        statuses.push(
            h.sign_up_from("203.0.113.5", "admin", &format!("p{i}@test.local"))
                .await
                .status,
        );
    }
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    let throttled = h
        .sign_up_from("203.0.113.5", "fresh-name", "fresh@test.local")
        .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers.contains_key("retry-after"));
    let elsewhere = h
        .sign_up_from(DEFAULT_CLIENT, "fresh-name", "fresh@test.local")
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::ACCEPTED,
        "another address is not held back"
    );
}

#[tokio::test]
async fn an_unconfirmed_account_frees_its_name_and_email_once_its_link_is_long_dead() {
    let h = open_sign_up().await;
    h.sign_up_from(DEFAULT_CLIENT, "ivy", "ivy@test.local")
        .await;
    let first_link = link_token(&h.mail_to_containing("ivy@test.local", "#/confirm").await);
    let held = h
        .sign_up_from(DEFAULT_CLIENT, "ivy", "ivy.other@test.local")
        .await;
    assert_eq!(
        held.status,
        StatusCode::CONFLICT,
        "the name is held meanwhile"
    );

    h.clock.advance(h.config.confirm_ttl);
    let expired = confirm(&h, &first_link).await;
    assert_eq!(
        expired.code(),
        "invalid_token",
        "the link died with its day"
    );
    let held = h
        .sign_up_from(DEFAULT_CLIENT, "ivy", "ivy.other@test.local")
        .await;
    assert_eq!(
        held.status,
        StatusCode::CONFLICT,
        "held for an hour past the link"
    );

    h.clock.advance(Duration::HOUR);
    let again = h
        .sign_up_from(DEFAULT_CLIENT, "ivy", "ivy.other@test.local")
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    let second_link = link_token(
        &h.mail_to_containing("ivy.other@test.local", "#/confirm")
            .await,
    );
    assert_eq!(
        confirm(&h, &second_link).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.login("ivy", SIGN_UP_PASSWORD).await.status,
        StatusCode::OK
    );
    // The first email is free again too: a new sign-up with it is a new account.
    h.sign_up_from(DEFAULT_CLIENT, "ivy-two", "ivy@test.local")
        .await;
    let new_link = link_token(&h.mail_to_containing("ivy@test.local", "ivy-two").await);
    assert_ne!(new_link, first_link, "a new link for a new account");
}

#[tokio::test]
async fn a_reset_link_confirms_the_address_and_a_confirmation_link_sets_no_password() {
    let h = open_sign_up().await;
    h.sign_up_from(DEFAULT_CLIENT, "noor", "noor@test.local")
        .await;
    let confirm_link = link_token(&h.mail_to_containing("noor@test.local", "#/confirm").await);

    let misused = h
        .post_from(
            DEFAULT_CLIENT,
            "/api/auth/reset",
            json!({ "token": confirm_link, "purpose": "confirm", "newPassword": "chosen by whoever" }),
        )
        .await;
    assert_eq!(
        (misused.status, misused.code()),
        (StatusCode::BAD_REQUEST, "invalid_token")
    );

    assert_eq!(
        h.forgot_from(DEFAULT_CLIENT, "noor@test.local")
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let reset_link = link_token(&h.mail_to_containing("noor@test.local", "#/reset").await);
    let reset = h
        .post_from(
            DEFAULT_CLIENT,
            "/api/auth/reset",
            json!({ "token": reset_link, "newPassword": "a reset passphrase" }),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    let signed_in = h.login("noor", "a reset passphrase").await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    assert_eq!(
        confirm(&h, &confirm_link).await.code(),
        "invalid_token",
        "setting the password ended the older link"
    );
}

/// Accounts in redb whose credential writes fail while `down` is set, as during an outage of
/// the store.
struct FlakySaves {
    db: LocalDb,
    down: Arc<AtomicBool>,
}

#[async_trait]
impl UserStore for FlakySaves {
    async fn create(&self, user: &User) -> Result<(), StoreError> {
        self.db.create(user).await
    }
    async fn get(&self, username: &Username) -> Result<Option<User>, StoreError> {
        self.db.get(username).await
    }
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        self.db.find_by_email(email).await
    }
    async fn list(&self) -> Result<Vec<User>, StoreError> {
        self.db.list().await
    }
    async fn save_credentials(&self, user: &User, read_version: u32) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the store is down".into()));
        }
        self.db.save_credentials(user, read_version).await
    }
    async fn delete(&self, username: &Username) -> Result<(), StoreError> {
        self.db.delete(username).await
    }
}

#[tokio::test]
async fn a_store_that_fails_while_confirming_is_our_fault_not_a_bad_link() {
    let down = Arc::new(AtomicBool::new(false));
    let store_down = Arc::clone(&down);
    let h = harness_on(
        |config| config.sign_up = SignUpPolicy::Open,
        move |db| {
            Arc::new(FlakySaves {
                db,
                down: store_down,
            })
        },
    )
    .await;
    h.sign_up_from(DEFAULT_CLIENT, "lena", "lena@test.local")
        .await;
    let link = link_token(&h.mail_to_containing("lena@test.local", "#/confirm").await);

    down.store(true, Ordering::SeqCst);
    let answer = confirm(&h, &link).await;

    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        "not 400 invalid_token: the link was good"
    );
}

//! `AuditLog`: attempts newest first, with the client address and the way in (password or
//! face).

use crate::support::{Stores, now, on_both_adapters};
use facelens_core::ports::{SignInAttempt, SignInMethod};
use time::{Duration, OffsetDateTime};

on_both_adapters!(
    given_attempts_over_several_days_when_listing_recent_then_newest_first_up_to_the_limit,
    given_no_attempts_when_listing_recent_then_nothing,
);

fn attempt(username: &str, at: OffsetDateTime, success: bool) -> SignInAttempt {
    SignInAttempt {
        username: username.to_owned(),
        client: "192.0.2.1".to_owned(),
        at,
        success,
        reason: if success { "ok" } else { "bad_credentials" }.to_owned(),
        method: SignInMethod::Password,
    }
}

async fn given_attempts_over_several_days_when_listing_recent_then_newest_first_up_to_the_limit(
    s: &Stores,
) {
    let t = now();
    let old = attempt("kim", t - Duration::days(2), false);
    let hour = SignInAttempt {
        method: SignInMethod::Face,
        ..attempt("lee", t - Duration::hours(1), true)
    };
    let minute = SignInAttempt {
        method: SignInMethod::SignUp,
        reason: "username_taken".to_owned(),
        ..attempt("kim", t - Duration::minutes(1), false)
    };
    let latest = attempt("unknown-name", t, false);
    for a in [&minute, &old, &latest, &hour] {
        s.audit.record(a).await.expect("recorded");
    }

    assert_eq!(
        s.audit.recent(10).await.expect("recent"),
        vec![latest.clone(), minute.clone(), hour, old]
    );
    assert_eq!(
        s.audit.recent(2).await.expect("recent"),
        vec![latest, minute]
    );
    assert!(s.audit.recent(0).await.expect("recent").is_empty());
}

async fn given_no_attempts_when_listing_recent_then_nothing(s: &Stores) {
    assert!(s.audit.recent(50).await.expect("recent").is_empty());
}

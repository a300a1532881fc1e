//! `AuditLog`: attempts newest first, and a user's failures in a time window for throttling.

use crate::support::{Stores, now, on_both_adapters};
use facelens_core::ports::SignInAttempt;
use time::{Duration, OffsetDateTime};

on_both_adapters!(
    given_attempts_over_several_days_when_listing_recent_then_newest_first_up_to_the_limit,
    given_no_attempts_when_listing_recent_then_nothing,
    given_failures_of_several_users_when_asked_since_a_time_then_that_users_from_then_oldest_first,
);

fn attempt(username: &str, at: OffsetDateTime, success: bool) -> SignInAttempt {
    SignInAttempt {
        username: username.to_owned(),
        at,
        success,
        reason: if success { "ok" } else { "bad_credentials" }.to_owned(),
    }
}

async fn given_attempts_over_several_days_when_listing_recent_then_newest_first_up_to_the_limit(
    s: &Stores,
) {
    let t = now();
    let old = attempt("kim", t - Duration::days(2), false);
    let hour = attempt("lee", t - Duration::hours(1), true);
    let minute = attempt("kim", t - Duration::minutes(1), false);
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

async fn given_failures_of_several_users_when_asked_since_a_time_then_that_users_from_then_oldest_first(
    s: &Stores,
) {
    let t = now();
    let since = t - Duration::minutes(10);
    for a in [
        attempt("jane", t - Duration::minutes(20), false),
        attempt("jane", t - Duration::minutes(1), false),
        attempt("jane", since, false),
        attempt("jane", t - Duration::minutes(5), true),
        attempt("janet", t - Duration::minutes(2), false),
        attempt("jan", t - Duration::minutes(3), false),
    ] {
        s.audit.record(&a).await.expect("recorded");
    }

    assert_eq!(
        s.audit
            .failures_since("jane", since)
            .await
            .expect("failures"),
        vec![since, t - Duration::minutes(1)]
    );
    assert!(
        s.audit
            .failures_since("nobody", t - Duration::hours(1))
            .await
            .expect("failures")
            .is_empty()
    );
}

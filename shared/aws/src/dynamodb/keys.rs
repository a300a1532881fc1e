//! Keys and key parts of the table; the only place that spells them.

use time::{Date, OffsetDateTime};

/// Partition key attribute.
pub const PK: &str = "pk";
/// Sort key attribute.
pub const SK: &str = "sk";
/// Partition key of index `gsi1`.
pub const GSI1PK: &str = "gsi1pk";
/// Sort key of index `gsi1`.
pub const GSI1SK: &str = "gsi1sk";
/// The index listing accounts (and, later, analyses).
pub const GSI1: &str = "gsi1";
/// Expiry attribute (epoch seconds) that DynamoDB's TTL deletes by.
pub const TTL: &str = "ttl";

/// `USER#{name}`: the partition of an account.
pub fn user_pk(name: &str) -> String {
    format!("USER#{name}")
}

/// Sort key of an account's profile.
pub const PROFILE: &str = "PROFILE";

/// Sort key of an account's enrolled face (its id in the Rekognition collection).
pub const FACE: &str = "FACE";

/// `gsi1pk` of every profile, so `gsi1` lists accounts by name.
pub const USERS: &str = "USERS";

/// `EMAIL#{email}`: the item that makes an email unique.
pub fn email_pk(email: &str) -> String {
    format!("EMAIL#{email}")
}

/// Sort key of an email item.
pub const EMAIL: &str = "EMAIL";

/// Partition key of the admin counter, which guards the last admin.
pub const ADMINS: &str = "ADMINS";

/// Sort key of the admin counter.
pub const COUNT: &str = "COUNT";

/// `TOKEN#{sha256}`: a one-time token.
pub fn token_pk(hash: &str) -> String {
    format!("TOKEN#{hash}")
}

/// Sort key of a token.
pub const TOKEN: &str = "TOKEN";

/// `AUDIT#{yyyy-mm-dd}`: one UTC day of sign-in attempts.
pub fn audit_pk(day: Date) -> String {
    format!(
        "AUDIT#{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// `{nanos}#{id}`: an attempt's place in its day, sortable by time.
pub fn audit_sk(at: OffsetDateTime, id: &str) -> String {
    format!("{}#{id}", time_key(at))
}

/// `THROTTLE#{key}`: one throttle counter (keys are built from validated parts only).
pub fn throttle_pk(key: &str) -> String {
    format!("THROTTLE#{key}")
}

/// Sort key of a throttle counter.
pub const THROTTLE: &str = "THROTTLE";

/// Partition key of the public keys that verify access tokens.
pub const SIGNING_KEYS: &str = "SIGNING_KEYS";

/// `KEY#{kid}`: one public key in [`SIGNING_KEYS`].
pub fn signing_key_sk(kid: &str) -> String {
    format!("KEY#{kid}")
}

/// Partition key of index `gsi2`.
pub const GSI2PK: &str = "gsi2pk";
/// Sort key of index `gsi2`.
pub const GSI2SK: &str = "gsi2sk";
/// The index listing an owner's analyses of one category.
pub const GSI2: &str = "gsi2";

/// `ANALYSIS#{id}`: the partition of one analysis record.
pub fn analysis_pk(id: &str) -> String {
    format!("ANALYSIS#{id}")
}

/// Sort key of an analysis record.
pub const ANALYSIS: &str = "ANALYSIS";

/// `USER#{name}#ANALYSES`: `gsi1pk` of an owner's analyses.
pub fn analyses_of(owner: &str) -> String {
    format!("USER#{owner}#ANALYSES")
}

/// `USER#{name}#CAT#{category}`: `gsi2pk` of an owner's analyses in one category.
pub fn analyses_in(owner: &str, category: &str) -> String {
    format!("USER#{owner}#CAT#{category}")
}

/// `{nanos}#{id}`: an analysis's place in its owner's lists, newest last in text order.
pub fn analysis_sk(at: OffsetDateTime, id: &str) -> String {
    format!("{}#{id}", time_key(at))
}

/// `gsi2pk` of every pending analysis, so `gsi2` lists them oldest first for the sweep of
/// uploads whose photo never arrived (a finished record takes its category's `gsi2pk`
/// instead, or none).
pub const PENDING_ANALYSES: &str = "ANALYSES#PENDING";

/// `COUNTS#{name}`: the partition of an owner's per-category counts of analyses (apart from
/// the account's own partition, so the analysis worker never writes under `USER#`).
pub fn counts_pk(owner: &str) -> String {
    format!("COUNTS#{owner}")
}

/// Sort key of the counts item.
pub const COUNTS: &str = "COUNTS";

/// `PURGE#{name}`: the pending purge of a deleted account's data.
pub fn purge_pk(owner: &str) -> String {
    format!("PURGE#{owner}")
}

/// Sort key of a pending purge.
pub const PURGE: &str = "PURGE";

/// `gsi1pk` of every pending purge, so `gsi1` lists them oldest first.
pub const PURGES: &str = "PURGES";

/// `ALERT#{analysis id}`: the one alert of an analysis.
pub fn alert_pk(id: &str) -> String {
    format!("ALERT#{id}")
}

/// Sort key of an alert.
pub const ALERT: &str = "ALERT";

/// `gsi1pk` of every alert, so `gsi1` lists them newest first.
pub const ALERTS: &str = "ALERTS";

/// `LIVE#{id}`: the partition of a live session and its violations.
pub fn live_session_pk(id: impl std::fmt::Display) -> String {
    format!("LIVE#{id}")
}

/// Sort key of a live session.
pub const LIVE_SESSION: &str = "SESSION";

/// `USER#{name}#LIVE`: `gsi1pk` of an owner's live sessions.
pub fn live_sessions_of(owner: &str) -> String {
    format!("USER#{owner}#LIVE")
}

/// `gsi2pk` of every live session, so `gsi2` lists them newest first (admins).
pub const LIVE_SESSIONS: &str = "LIVE#SESSIONS";

/// `V#{track, 10 digits}`: a violation in its session's partition.
pub fn live_violation_sk(track: u32) -> String {
    format!("V#{track:010}")
}

/// `LIVECAM#{name}`: an owner's camera settings, one item per camera.
pub fn live_camera_pk(owner: &str) -> String {
    format!("LIVECAM#{owner}")
}

/// `LIVESTATS#{name}`: an owner's hour buckets, `{hour nanos}#{camera}`.
pub fn live_stats_pk(owner: &str) -> String {
    format!("LIVESTATS#{owner}")
}

/// `gsi1pk` of every hour bucket, so `gsi1` reads everyone's over a time range.
pub const LIVE_STATS: &str = "LIVESTATS";

/// Nanoseconds since the epoch, zero-padded to sort as text (as the embedded store does).
pub fn time_key(at: OffsetDateTime) -> String {
    format!("{:024}", at.unix_timestamp_nanos().max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn given_an_instant_when_keyed_then_text_order_is_time_order() {
        let early = datetime!(2026-01-02 03:04:05.000000001 UTC);
        let late = datetime!(2026-01-02 03:04:05.1 UTC);
        assert!(time_key(early) < time_key(late));
        assert_eq!(time_key(early).len(), 24);
    }

    #[test]
    fn given_a_day_when_keyed_then_it_is_iso_dated() {
        assert_eq!(
            audit_pk(datetime!(2026-03-04 23:59 UTC).date()),
            "AUDIT#2026-03-04"
        );
    }

    #[test]
    fn given_an_owner_when_keyed_then_counts_and_purges_live_outside_the_account() {
        assert_eq!(counts_pk("ann"), "COUNTS#ann");
        assert_eq!(purge_pk("ann"), "PURGE#ann");
        assert!(!counts_pk("ann").starts_with("USER#"));
    }
}

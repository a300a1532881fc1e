//! Throttle counters in redb: read in a read transaction, swapped in one write transaction
//! that checks every version first, so parallel attempts are each counted once.
//!
//! Each counter is stored with the instant after which it may be forgotten (what DynamoDB's TTL
//! does on AWS). Every swap also looks at the few counters that follow the first one it wrote
//! and removes those past that instant, so the table holds about the counters of the last day
//! rather than one for every address that ever tried.

use crate::db::{LocalDb, THROTTLE, from_json, to_json, unavailable};
use async_trait::async_trait;
use facelens_core::ports::{StoreError, ThrottleCounter, ThrottleStore, ThrottleWrite};
use redb::{ReadableTable, Table};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How many following counters one swap looks at for expiry.
const PRUNE_SCAN: usize = 8;

/// A counter as stored here.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    #[serde(flatten)]
    counter: ThrottleCounter,
    /// When it may be forgotten; absent in counters written before it was kept.
    #[serde(default, with = "time::serde::rfc3339::option")]
    expires_at: Option<OffsetDateTime>,
}

#[async_trait]
impl ThrottleStore for LocalDb {
    async fn read(&self, keys: &[String]) -> Result<Vec<Option<ThrottleCounter>>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(THROTTLE).map_err(unavailable)?;
            keys.iter()
                .map(|key| {
                    table
                        .get(key.as_str())
                        .map_err(unavailable)?
                        .map(|v| from_json::<Stored>(v.value()).map(|s| s.counter))
                        .transpose()
                })
                .collect()
        })
        .await
    }

    async fn swap(&self, writes: &[ThrottleWrite]) -> Result<(), StoreError> {
        let writes = writes.to_vec();
        self.write(move |txn| {
            let mut table = txn.open_table(THROTTLE).map_err(unavailable)?;
            for write in &writes {
                let stored = table
                    .get(write.key.as_str())
                    .map_err(unavailable)?
                    .map(|v| from_json::<Stored>(v.value()))
                    .transpose()?;
                if stored.map(|s| s.counter.version) != write.expected {
                    // Nothing was written yet: returning the error drops the transaction.
                    return Err(StoreError::Conflict("throttle counter changed".into()));
                }
            }
            for write in &writes {
                match write.new {
                    Some(counter) => {
                        let stored = Stored {
                            counter,
                            expires_at: Some(write.expires_at),
                        };
                        table
                            .insert(write.key.as_str(), to_json(&stored)?.as_slice())
                            .map_err(unavailable)?;
                    }
                    None => {
                        table.remove(write.key.as_str()).map_err(unavailable)?;
                    }
                }
            }
            if let Some(first) = writes.first() {
                prune_after(&mut table, &first.key, OffsetDateTime::now_utc())?;
            }
            Ok(())
        })
        .await
    }
}

/// Removes the expired ones among the [`PRUNE_SCAN`] counters that follow `key`.
fn prune_after(
    table: &mut Table<'_, &str, &[u8]>,
    key: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut expired = Vec::new();
    for entry in table
        .range::<&str>((std::ops::Bound::Excluded(key), std::ops::Bound::Unbounded))
        .map_err(unavailable)?
        .take(PRUNE_SCAN)
    {
        let (k, v) = entry.map_err(unavailable)?;
        let stored: Stored = from_json(v.value())?;
        if stored.expires_at.is_some_and(|at| at <= now) {
            expired.push(k.value().to_owned());
        }
    }
    for key in expired {
        table.remove(key.as_str()).map_err(unavailable)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn write(key: &str, expires_at: OffsetDateTime) -> ThrottleWrite {
        ThrottleWrite {
            key: key.to_owned(),
            expected: None,
            new: Some(ThrottleCounter {
                count: 1,
                last_at: expires_at - Duration::HOUR,
                version: 1,
            }),
            expires_at,
        }
    }

    #[tokio::test]
    async fn a_swap_forgets_the_expired_counters_after_the_one_it_wrote_and_keeps_live_ones() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
        let now = OffsetDateTime::now_utc();
        let keys = ["signin-client|192.0.2.2", "signin-client|192.0.2.3"];
        db.swap(&[write(keys[0], now - Duration::DAY)])
            .await
            .expect("expired one");
        db.swap(&[write(keys[1], now + Duration::DAY)])
            .await
            .expect("live one");
        let all: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        assert!(
            ThrottleStore::read(&db, &all)
                .await
                .expect("read")
                .iter()
                .all(Option::is_some)
        );

        db.swap(&[write("signin-client|192.0.2.1", now + Duration::DAY)])
            .await
            .expect("a new attempt");

        let after = ThrottleStore::read(&db, &all).await.expect("read");
        assert!(after[0].is_none(), "the expired counter is gone");
        assert!(after[1].is_some(), "the live counter stays");
    }
}

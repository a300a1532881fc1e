//! The sign-in audit in redb: every attempt by time, and failures by user for throttling.

use crate::db::{AUDIT, FAILURES, LocalDb, from_json, time_key, to_json, unavailable};
use async_trait::async_trait;
use facelens_core::ports::{AuditLog, SignInAttempt, StoreError};
use redb::ReadableTable;
use time::OffsetDateTime;
use uuid::Uuid;

#[async_trait]
impl AuditLog for LocalDb {
    async fn record(&self, attempt: &SignInAttempt) -> Result<(), StoreError> {
        let attempt = attempt.clone();
        self.write(move |txn| {
            let suffix = format!("{}:{}", time_key(attempt.at), Uuid::new_v4());
            let bytes = to_json(&attempt)?;
            let mut all = txn.open_table(AUDIT).map_err(unavailable)?;
            all.insert(suffix.as_str(), bytes.as_slice())
                .map_err(unavailable)?;
            if !attempt.success {
                let mut failures = txn.open_table(FAILURES).map_err(unavailable)?;
                let key = format!("{}\0{suffix}", attempt.username);
                failures
                    .insert(key.as_str(), bytes.as_slice())
                    .map_err(unavailable)?;
            }
            Ok(())
        })
        .await
    }

    async fn failures_since(
        &self,
        username: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, StoreError> {
        let start = format!("{username}\0{}", time_key(since));
        let end = format!("{username}\u{1}");
        self.read(move |txn| {
            let failures = txn.open_table(FAILURES).map_err(unavailable)?;
            failures
                .range(start.as_str()..end.as_str())
                .map_err(unavailable)?
                .map(|entry| {
                    let (_, v) = entry.map_err(unavailable)?;
                    Ok(from_json::<SignInAttempt>(v.value())?.at)
                })
                .collect()
        })
        .await
    }

    async fn recent(&self, limit: usize) -> Result<Vec<SignInAttempt>, StoreError> {
        self.read(move |txn| {
            let all = txn.open_table(AUDIT).map_err(unavailable)?;
            all.iter()
                .map_err(unavailable)?
                .rev()
                .take(limit)
                .map(|entry| {
                    let (_, v) = entry.map_err(unavailable)?;
                    from_json(v.value())
                })
                .collect()
        })
        .await
    }
}

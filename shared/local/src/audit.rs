//! The sign-in audit in redb: every attempt by time.

use crate::db::{AUDIT, LocalDb, from_json, time_key, to_json, unavailable};
use async_trait::async_trait;
use facelens_core::ports::{AuditLog, SignInAttempt, StoreError};
use redb::ReadableTable;
use uuid::Uuid;

#[async_trait]
impl AuditLog for LocalDb {
    async fn record(&self, attempt: &SignInAttempt) -> Result<(), StoreError> {
        let attempt = attempt.clone();
        self.write(move |txn| {
            let key = format!("{}:{}", time_key(attempt.at), Uuid::new_v4());
            let bytes = to_json(&attempt)?;
            let mut all = txn.open_table(AUDIT).map_err(unavailable)?;
            all.insert(key.as_str(), bytes.as_slice())
                .map_err(unavailable)?;
            Ok(())
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

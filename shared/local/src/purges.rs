//! Pending purges of deleted accounts: the durable job that erases an account's data. The
//! account's deletion records it in the same transaction ([`crate::db::PURGES`]); the purge
//! ends by removing the owner's counts and the record together, so one a crash interrupts is
//! found again at the next start.

use crate::db::{ANALYSIS_COUNTS, LocalDb, PURGES, unavailable};
use async_trait::async_trait;
use facelens_core::analysis::ports::PurgeQueue;
use facelens_core::domain::Username;
use facelens_core::ports::StoreError;
use redb::ReadableTable;

#[async_trait]
impl PurgeQueue for LocalDb {
    async fn pending_purges(&self, limit: usize) -> Result<Vec<Username>, StoreError> {
        self.read(move |txn| {
            let purges = txn.open_table(PURGES).map_err(unavailable)?;
            let mut owners = Vec::new();
            for entry in purges.iter().map_err(unavailable)?.take(limit) {
                let (name, _) = entry.map_err(unavailable)?;
                owners.push(Username::parse(name.value()).map_err(unavailable)?);
            }
            Ok(owners)
        })
        .await
    }

    async fn purge_pending(&self, owner: &Username) -> Result<bool, StoreError> {
        let owner = owner.as_str().to_owned();
        self.read(move |txn| {
            let purges = txn.open_table(PURGES).map_err(unavailable)?;
            Ok(purges.get(owner.as_str()).map_err(unavailable)?.is_some())
        })
        .await
    }

    async fn complete_purge(&self, owner: &Username) -> Result<(), StoreError> {
        let owner = owner.as_str().to_owned();
        self.write(move |txn| {
            txn.open_table(ANALYSIS_COUNTS)
                .map_err(unavailable)?
                .remove(owner.as_str())
                .map_err(unavailable)?;
            txn.open_table(PURGES)
                .map_err(unavailable)?
                .remove(owner.as_str())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}

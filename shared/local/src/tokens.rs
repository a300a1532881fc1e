//! Single-use tokens in redb: `take` reads and removes in one write transaction.

use crate::db::{LocalDb, TOKENS, from_json, to_json, unavailable};
use async_trait::async_trait;
use facelens_core::ports::{OneTimeToken, OneTimeTokenStore, StoreError};

#[async_trait]
impl OneTimeTokenStore for LocalDb {
    async fn put(&self, token: &OneTimeToken) -> Result<(), StoreError> {
        let token = token.clone();
        self.write(move |txn| {
            let mut table = txn.open_table(TOKENS).map_err(unavailable)?;
            table
                .insert(token.hash.as_str(), to_json(&token)?.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn take(&self, hash: &str) -> Result<Option<OneTimeToken>, StoreError> {
        let hash = hash.to_owned();
        self.write(move |txn| {
            let mut table = txn.open_table(TOKENS).map_err(unavailable)?;
            let removed = table.remove(hash.as_str()).map_err(unavailable)?;
            removed.map(|v| from_json(v.value())).transpose()
        })
        .await
    }
}

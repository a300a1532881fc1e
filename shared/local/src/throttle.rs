//! Throttle counters in redb: read in a read transaction, swapped in one write transaction
//! that checks every version first, so parallel attempts are each counted once.

use crate::db::{LocalDb, THROTTLE, from_json, to_json, unavailable};
use async_trait::async_trait;
use facelens_core::ports::{StoreError, ThrottleCounter, ThrottleStore, ThrottleWrite};
use redb::ReadableTable;

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
                        .map(|v| from_json(v.value()))
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
                    .map(|v| from_json::<ThrottleCounter>(v.value()))
                    .transpose()?;
                if stored.map(|c| c.version) != write.expected {
                    // Nothing was written yet: returning the error drops the transaction.
                    return Err(StoreError::Conflict("throttle counter changed".into()));
                }
            }
            for write in &writes {
                match &write.new {
                    Some(counter) => {
                        table
                            .insert(write.key.as_str(), to_json(counter)?.as_slice())
                            .map_err(unavailable)?;
                    }
                    None => {
                        table.remove(write.key.as_str()).map_err(unavailable)?;
                    }
                }
            }
            Ok(())
        })
        .await
    }
}

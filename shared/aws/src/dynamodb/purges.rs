//! Pending purges of deleted accounts: `PURGE#{name}` items, written in the transaction that
//! deletes the account and listed oldest first on `gsi1` (`gsi1pk=PURGES`). The purge ends by
//! deleting the owner's counts item and the mark in one transaction.

use super::item::{instant, key, s};
use super::keys::{COUNTS, GSI1, GSI1PK, GSI1SK, PURGE, PURGES, counts_pk, purge_pk, time_key};
use super::transact::cancelled;
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use facelens_core::analysis::ports::PurgeQueue;
use facelens_core::domain::Username;
use facelens_core::ports::StoreError;
use time::OffsetDateTime;

impl DynamoDb {
    /// A transaction step recording the purge of `owner`'s data (a plain put: recording it
    /// again is harmless).
    pub(super) fn purge_mark(&self, owner: &Username) -> Result<TransactWriteItem, StoreError> {
        let now = OffsetDateTime::now_utc();
        let mut item = key(purge_pk(owner.as_str()), PURGE);
        item.extend([
            ("entity".to_owned(), s("purge")),
            ("username".to_owned(), s(owner.as_str())),
            ("deleted_at".to_owned(), instant(now)?),
            (GSI1PK.to_owned(), s(PURGES)),
            (
                GSI1SK.to_owned(),
                s(format!("{}#{}", time_key(now), owner.as_str())),
            ),
        ]);
        let put = Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .build()
            .map_err(|e| unavailable("building Put", e))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn delete_step(&self, pk: String, sk: &str) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&*self.table)
            .set_key(Some(key(pk, sk)))
            .build()
            .map_err(|e| unavailable("building Delete", e))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}

#[async_trait]
impl PurgeQueue for DynamoDb {
    async fn pending_purges(&self, limit: usize) -> Result<Vec<Username>, StoreError> {
        let page = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", GSI1PK)
            .expression_attribute_values(":pk", s(PURGES))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| unavailable("Query (purges)", e))?;
        page.items()
            .iter()
            .map(|item| super::item::get_parsed(item, "username", Username::parse))
            .collect()
    }

    async fn purge_pending(&self, owner: &Username) -> Result<bool, StoreError> {
        Ok(self
            .get_item(purge_pk(owner.as_str()), PURGE)
            .await?
            .is_some())
    }

    async fn complete_purge(&self, owner: &Username) -> Result<(), StoreError> {
        let items = vec![
            self.delete_step(counts_pk(owner.as_str()), COUNTS)?,
            self.delete_step(purge_pk(owner.as_str()), PURGE)?,
        ];
        match self.transact(items).await? {
            None => Ok(()),
            Some(reasons) => Err(cancelled(&reasons)),
        }
    }
}

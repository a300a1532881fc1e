//! The generic DynamoDB steps every store here is built from: a consistent read of one item,
//! conditional puts and deletes as transaction steps, and transactions retried when they
//! collide with another on the same items, answering why a refused one was refused.

use super::item::{Item, key};
use super::keys::PK;
use super::{DynamoDb, unavailable};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use facelens_core::ports::StoreError;
use std::time::Duration;

/// The cancellation reason of a step whose condition did not hold.
pub(super) const CHECK_FAILED: &str = "ConditionalCheckFailed";
/// The cancellation reason of a step that collided with another transaction.
const TX_CONFLICT: &str = "TransactionConflict";
/// Tries of a transaction that collided with another one on the same items.
pub(super) const TX_TRIES: u32 = 4;

impl DynamoDb {
    /// Reads one item, strongly consistent.
    pub(super) async fn get_item(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem", e))?;
        Ok(out.item)
    }

    /// A transaction step that puts `item` only where no item has its key.
    pub(super) fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(|e| unavailable("building Put", e))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// A transaction step that deletes the item at `key` when `condition` holds.
    pub(super) fn delete_where(
        &self,
        key: Item,
        condition: &str,
        name: (&str, &str),
        value: (&str, AttributeValue),
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&*self.table)
            .set_key(Some(key))
            .condition_expression(condition)
            .expression_attribute_names(name.0, name.1)
            .expression_attribute_values(value.0, value.1)
            .build()
            .map_err(|e| unavailable("building Delete", e))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Runs a transaction. `None` when it was written; the cancellation reason code of each
    /// step when a condition refused it. Collisions with concurrent transactions are retried.
    pub(super) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(None),
                Err(err) => err,
            };
            let reasons: Vec<String> = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancel)) => cancel
                    .cancellation_reasons()
                    .iter()
                    .map(|r| r.code().unwrap_or("None").to_owned())
                    .collect(),
                _ => return Err(unavailable("TransactWriteItems", err)),
            };
            if reasons.is_empty() {
                return Err(unavailable("TransactWriteItems (no reasons given)", err));
            }
            let collided = reasons.iter().any(|r| r == TX_CONFLICT)
                && !reasons.iter().any(|r| r == CHECK_FAILED);
            if !collided || tries >= TX_TRIES {
                return Ok(Some(reasons));
            }
            tokio::time::sleep(Duration::from_millis(20 * u64::from(tries))).await;
        }
    }
}

/// Whether step `index` of a cancelled transaction failed its condition.
pub(super) fn failed(reasons: &[String], index: usize) -> bool {
    reasons.get(index).is_some_and(|r| r == CHECK_FAILED)
}

pub(super) fn cancelled(reasons: &[String]) -> StoreError {
    StoreError::Unavailable(format!("transaction cancelled: {reasons:?}"))
}

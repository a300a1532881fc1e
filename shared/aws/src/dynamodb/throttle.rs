//! Throttle counters: one item each (`pk=THROTTLE#{key}`), read strongly consistent and
//! written by one `TransactWriteItems` whose every step is conditional on the version read,
//! so parallel attempts are each counted once, across every Lambda instance.

use super::item::{Item, get_instant, get_n, instant, key, n, s};
use super::keys::{THROTTLE, TTL, throttle_pk};
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use facelens_core::ports::{StoreError, ThrottleCounter, ThrottleStore, ThrottleWrite};
use std::collections::HashMap;

#[async_trait]
impl ThrottleStore for DynamoDb {
    async fn read(&self, keys: &[String]) -> Result<Vec<Option<ThrottleCounter>>, StoreError> {
        let mut counters = Vec::with_capacity(keys.len());
        for k in keys {
            let out = self
                .client
                .get_item()
                .table_name(&*self.table)
                .set_key(Some(key(throttle_pk(k), THROTTLE)))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| unavailable("GetItem (throttle)", e))?;
            counters.push(out.item.as_ref().map(parse_counter).transpose()?);
        }
        Ok(counters)
    }

    async fn swap(&self, writes: &[ThrottleWrite]) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        let mut request = self.client.transact_write_items();
        for write in writes {
            request = request.transact_items(self.step(write)?);
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.as_service_error() {
                // A failed condition (someone counted first) or a transaction conflict (someone
                // is counting now): either way, read again.
                Some(TransactWriteItemsError::TransactionCanceledException(_)) => {
                    Err(StoreError::Conflict("throttle counter changed".into()))
                }
                _ => Err(unavailable("TransactWriteItems (throttle)", err)),
            },
        }
    }
}

impl DynamoDb {
    /// One conditional step: a put (or a delete) that holds only if the version is still the
    /// one read, or the item still absent.
    fn step(&self, write: &ThrottleWrite) -> Result<TransactWriteItem, StoreError> {
        let item_key = key(throttle_pk(&write.key), THROTTLE);
        let (condition, names, values) = match write.expected {
            Some(version) => (
                "#v = :expected",
                Some(HashMap::from([("#v".to_owned(), "v".to_owned())])),
                Some(HashMap::from([(":expected".to_owned(), n(version))])),
            ),
            None => ("attribute_not_exists(pk)", None, None),
        };
        let step = match &write.new {
            Some(counter) => {
                let mut item = item_key;
                item.extend([
                    ("entity".to_owned(), s("throttle")),
                    ("count".to_owned(), n(counter.count)),
                    ("last_at".to_owned(), instant(counter.last_at)?),
                    ("v".to_owned(), n(counter.version)),
                    (TTL.to_owned(), n(write.expires_at.unix_timestamp())),
                ]);
                let put = Put::builder()
                    .table_name(&*self.table)
                    .set_item(Some(item))
                    .condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(|e| unavailable("building Put (throttle)", e))?;
                TransactWriteItem::builder().put(put).build()
            }
            None => {
                let delete = Delete::builder()
                    .table_name(&*self.table)
                    .set_key(Some(item_key))
                    .condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build()
                    .map_err(|e| unavailable("building Delete (throttle)", e))?;
                TransactWriteItem::builder().delete(delete).build()
            }
        };
        Ok(step)
    }
}

fn parse_counter(item: &Item) -> Result<ThrottleCounter, StoreError> {
    Ok(ThrottleCounter {
        count: get_n(item, "count")?,
        last_at: get_instant(item, "last_at")?,
        version: get_n(item, "v")?,
    })
}

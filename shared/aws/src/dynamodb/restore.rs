//! Bringing back what a point-in-time restore holds. DynamoDB restores only into a new table,
//! and the stack's functions may use the stack's table only, so what was lost is copied from
//! the restored table into the stack's (`restore-items`; infra/README.md, "Restore the
//! table").

use super::item::{Item, key, n};
use super::keys::{ADMINS, COUNT, FACE, PK, SIGNING_KEYS, SK, throttle_pk, token_pk};
use super::{DynamoDb, unavailable};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use facelens_core::domain::Role;
use facelens_core::ports::{StoreError, UserStore};

/// What [`DynamoDb::copy_missing_from`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Items read from the restored table.
    pub read: u64,
    /// Items written into this table, which had no item with their key.
    pub copied: u64,
    /// Items this table already had (same key), left as they are: they are newer.
    pub kept: u64,
    /// Items never copied: throttle counters and one-time links, which belong to their moment;
    /// published signing keys, which would trust retired (or another stack's) keys again;
    /// records of enrolled faces, whose faces the collection no longer holds; and the admin
    /// counter, which is counted again instead.
    pub skipped: u64,
    /// Admins in this table after the copy; the admin counter now says so.
    pub admins: u64,
}

impl DynamoDb {
    /// Copies every item of the table `source` (a point-in-time restore of this one) that this
    /// table lacks, by key, and leaves every item this table has: an account, analysis or
    /// alert deleted since the restore time comes back, and nothing written since is lost.
    /// Then sets the admin counter (which guards the last admin) to the admins now here.
    ///
    /// Run it while nobody uses the site: the copy is item by item, not one transaction.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when a read or a write fails; what was copied stays, and
    /// running it again copies the rest.
    pub async fn copy_missing_from(&self, source: &str) -> Result<CopyReport, StoreError> {
        let mut report = CopyReport::default();
        // Page by page, never the whole table in memory.
        let mut items = self
            .client
            .scan()
            .table_name(source)
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        while let Some(item) = items.next().await {
            let item = item.map_err(|e| unavailable("Scan (restored table)", e))?;
            report.read += 1;
            if !worth_copying(&item) {
                report.skipped += 1;
            } else if self.put_if_absent(item).await? {
                report.copied += 1;
            } else {
                report.kept += 1;
            }
        }
        report.admins = self.recount_admins().await?;
        Ok(report)
    }

    /// Writes `item` unless an item with its key exists; true when written.
    async fn put_if_absent(&self, item: Item) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(unavailable("PutItem (restored item)", e)),
            },
        }
    }

    /// Sets the admin counter to the number of admin accounts, and returns it.
    async fn recount_admins(&self) -> Result<u64, StoreError> {
        let admins = self
            .list()
            .await?
            .iter()
            .filter(|user| user.role == Role::Admin)
            .count() as u64;
        self.client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(key(ADMINS, COUNT)))
            .update_expression("SET #count = :count")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":count", n(admins))
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem (admin counter)", e))?;
        Ok(admins)
    }
}

/// Whether a restored item is copied (see [`CopyReport::skipped`] for what is not).
fn worth_copying(item: &Item) -> bool {
    let text = |name| item.get(name).and_then(|v: &AttributeValue| v.as_s().ok());
    let (Some(pk), Some(sk)) = (text(PK), text(SK)) else {
        return false;
    };
    let throttle_prefix = throttle_pk("");
    let token_prefix = token_pk("");
    pk != ADMINS
        && pk != SIGNING_KEYS
        && sk != FACE
        && !pk.starts_with(&throttle_prefix)
        && !pk.starts_with(&token_prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::keys::{ANALYSIS, PROFILE, analysis_pk, user_pk};

    #[test]
    fn accounts_and_analyses_are_copied_but_not_links_counters_keys_faces_or_the_admin_count() {
        let with_pk = |pk: &str| key(pk, PROFILE);
        assert!(worth_copying(&with_pk(&user_pk("nina"))));
        assert!(worth_copying(&key(analysis_pk("0190"), ANALYSIS)));
        assert!(!worth_copying(&with_pk(&token_pk("ab12"))));
        assert!(!worth_copying(&with_pk(&throttle_pk(
            "signin|nina|192.0.2.1"
        ))));
        assert!(!worth_copying(&with_pk(ADMINS)));
        assert!(!worth_copying(&key(SIGNING_KEYS, "KEY#k1")));
        assert!(!worth_copying(&key(user_pk("nina"), FACE)));
        assert!(!worth_copying(&Item::new()), "no key, nothing to copy");
    }
}

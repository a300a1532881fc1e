//! The public keys of access tokens: one item each in the `SIGNING_KEYS` partition, written by
//! the auth function (the only one whose IAM policy reaches that partition) and read by the
//! uploads and analyses functions to verify tokens.

use super::item::{Item, get_instant, get_s, instant, key, n, s};
use super::keys::{SIGNING_KEYS, TTL, signing_key_sk};
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use facelens_core::auth::PublicKey;
use facelens_core::ports::{PublishedKey, SigningKeyStore, StoreError};
use time::OffsetDateTime;

#[async_trait]
impl SigningKeyStore for DynamoDb {
    async fn publish(
        &self,
        key_entry: &PublishedKey,
        keep_until: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut item = key(SIGNING_KEYS, signing_key_sk(key_entry.key.kid()));
        item.extend([
            ("entity".to_owned(), s("signing-key")),
            ("x".to_owned(), s(key_entry.key.x())),
            ("seen_at".to_owned(), instant(key_entry.seen_at)?),
            (TTL.to_owned(), n(keep_until.unix_timestamp())),
        ]);
        let result = self
            .client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(item))
            // An instance with a late clock must not make a key look older than it is.
            .condition_expression("attribute_not_exists(pk) OR seen_at < :seen")
            .expression_attribute_values(":seen", instant(key_entry.seen_at)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(PutItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(())
            }
            Err(err) => Err(unavailable("PutItem (signing key)", err)),
        }
    }

    async fn published(&self) -> Result<Vec<PublishedKey>, StoreError> {
        let items = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", s(SIGNING_KEYS))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| unavailable("Query (signing keys)", e))?;
        items.iter().map(parse_key).collect()
    }
}

fn parse_key(item: &Item) -> Result<PublishedKey, StoreError> {
    let key = PublicKey::from_x(get_s(item, "x")?)
        .map_err(|e| StoreError::Unavailable(format!("a published signing key: {e}")))?;
    let kid = get_s(item, "sk")?;
    if signing_key_sk(key.kid()) != kid {
        return Err(StoreError::Unavailable(
            "a published signing key does not match its kid".into(),
        ));
    }
    Ok(PublishedKey {
        key,
        seen_at: get_instant(item, "seen_at")?,
    })
}

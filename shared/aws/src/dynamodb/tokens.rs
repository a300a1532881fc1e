//! Single-use tokens: put with a TTL, taken with one `DeleteItem` that returns the old item, so
//! two concurrent takes cannot both get it.

use super::item::{Item, get_instant, get_n, get_parsed, instant, key, n, s};
use super::keys::{TOKEN, TTL, token_pk};
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use facelens_core::domain::Username;
use facelens_core::ports::{OneTimeToken, OneTimeTokenStore, StoreError, TokenPurpose};
use uuid::Uuid;

#[async_trait]
impl OneTimeTokenStore for DynamoDb {
    async fn put(&self, token: &OneTimeToken) -> Result<(), StoreError> {
        let mut item = key(token_pk(&token.hash), TOKEN);
        item.extend([
            ("entity".to_owned(), s("token")),
            ("username".to_owned(), s(token.username.as_str())),
            ("account_id".to_owned(), s(token.account_id.to_string())),
            ("token_version".to_owned(), n(token.token_version)),
            ("purpose".to_owned(), s(purpose_text(token.purpose))),
            ("expires_at".to_owned(), instant(token.expires_at)?),
            // DynamoDB removes it some time after expiry; the use case checks `expires_at`.
            (TTL.to_owned(), n(token.expires_at.unix_timestamp())),
        ]);
        self.client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable("PutItem (token)", e))?;
        Ok(())
    }

    async fn take(&self, hash: &str) -> Result<Option<OneTimeToken>, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&*self.table)
            .set_key(Some(key(token_pk(hash), TOKEN)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem (token)", e))?;
        out.attributes
            .filter(|old| !old.is_empty())
            .map(|old| parse_token(hash, &old))
            .transpose()
    }
}

fn purpose_text(purpose: TokenPurpose) -> &'static str {
    match purpose {
        TokenPurpose::Reset => "reset",
        TokenPurpose::Welcome => "welcome",
        TokenPurpose::Confirm => "confirm",
    }
}

fn parse_token(hash: &str, item: &Item) -> Result<OneTimeToken, StoreError> {
    Ok(OneTimeToken {
        hash: hash.to_owned(),
        username: get_parsed(item, "username", Username::parse)?,
        account_id: get_parsed(item, "account_id", Uuid::parse_str)?,
        token_version: get_n(item, "token_version")?,
        purpose: get_parsed(item, "purpose", |p| match p {
            "reset" => Ok(TokenPurpose::Reset),
            "welcome" => Ok(TokenPurpose::Welcome),
            "confirm" => Ok(TokenPurpose::Confirm),
            _ => Err(()),
        })?,
        expires_at: get_instant(item, "expires_at")?,
    })
}

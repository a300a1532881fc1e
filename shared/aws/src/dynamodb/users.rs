//! Accounts: the profile, the email-uniqueness item and the admin counter, written together in
//! one transaction so a refused write leaves nothing behind.

use super::item::{Item, get_bool, get_instant, get_n, get_parsed, get_s, instant, key, n, s};
use super::keys::{
    ADMINS, COUNT, EMAIL, GSI1, GSI1PK, GSI1SK, PK, PROFILE, USERS, email_pk, user_pk,
};
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use facelens_core::domain::{Email, Role, User, Username};
use facelens_core::ports::{StoreError, UserStore};
use std::time::Duration;
use uuid::Uuid;

const NAME_TAKEN: &str = "this username is taken";
const EMAIL_TAKEN: &str = "this email is already in use";
const LAST_ADMIN: &str = "the last admin cannot be deleted";
const CHECK_FAILED: &str = "ConditionalCheckFailed";
const TX_CONFLICT: &str = "TransactionConflict";
/// Tries of a transaction that collided with another one on the same items.
const TX_TRIES: u32 = 4;

#[async_trait]
impl UserStore for DynamoDb {
    async fn create(&self, user: &User) -> Result<(), StoreError> {
        let mut items = vec![
            self.put_new(profile_item(user)?)?,
            self.put_new(email_item(user))?,
        ];
        if user.role == Role::Admin {
            items.push(self.admin_count_change("ADD #count :one", None)?);
        }
        let Some(reasons) = self.transact(items).await? else {
            return Ok(());
        };
        if failed(&reasons, 0) {
            Err(StoreError::Conflict(NAME_TAKEN.into()))
        } else if failed(&reasons, 1) {
            Err(StoreError::Conflict(EMAIL_TAKEN.into()))
        } else {
            Err(cancelled(&reasons))
        }
    }

    async fn get(&self, username: &Username) -> Result<Option<User>, StoreError> {
        self.get_item(user_pk(username.as_str()), PROFILE)
            .await?
            .map(|item| parse_user(&item))
            .transpose()
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let Some(item) = self.get_item(email_pk(email.as_str()), EMAIL).await? else {
            return Ok(None);
        };
        let username = get_parsed(&item, "username", Username::parse)?;
        self.get(&username).await
    }

    async fn list(&self) -> Result<Vec<User>, StoreError> {
        let mut users = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&*self.table)
                .index_name(GSI1)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", GSI1PK)
                .expression_attribute_values(":pk", s(USERS))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| unavailable("Query (users)", e))?;
            for item in page.items() {
                users.push(parse_user(item)?);
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(users)
    }

    async fn save_credentials(&self, user: &User, read_version: u32) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(key(user_pk(user.username.as_str()), PROFILE)))
            .update_expression("SET #hash = :hash, #ver = :ver, #must = :must")
            .condition_expression("#id = :id AND #ver = :read")
            .expression_attribute_names("#hash", "password_hash")
            .expression_attribute_names("#ver", "token_version")
            .expression_attribute_names("#must", "must_change_password")
            .expression_attribute_names("#id", "id")
            .expression_attribute_values(":hash", s(&user.password_hash))
            .expression_attribute_values(":ver", n(user.token_version))
            .expression_attribute_values(":must", AttributeValue::Bool(user.must_change_password))
            .expression_attribute_values(":id", s(user.id.to_string()))
            .expression_attribute_values(":read", n(read_version))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => {
                    // Gone or re-created (another id), or the same account changed meanwhile.
                    match self.get(&user.username).await? {
                        Some(stored) if stored.id == user.id => Err(StoreError::Conflict(
                            "the credentials changed meanwhile".into(),
                        )),
                        _ => Err(StoreError::NotFound),
                    }
                }
                _ => Err(unavailable("UpdateItem (credentials)", e)),
            },
        }
    }

    async fn delete(&self, username: &Username) -> Result<(), StoreError> {
        for _ in 0..TX_TRIES {
            let Some(user) = self.get(username).await? else {
                return Err(StoreError::NotFound);
            };
            let mut items = vec![
                self.delete_where(
                    key(user_pk(user.username.as_str()), PROFILE),
                    "#id = :id",
                    ("#id", "id"),
                    (":id", s(user.id.to_string())),
                )?,
                self.delete_where(
                    key(email_pk(user.email.as_str()), EMAIL),
                    "attribute_not_exists(pk) OR #username = :username",
                    ("#username", "username"),
                    (":username", s(user.username.as_str())),
                )?,
            ];
            if user.role == Role::Admin {
                items.push(
                    self.admin_count_change("SET #count = #count - :one", Some("#count > :one"))?,
                );
            }
            items.push(self.purge_mark(&user.username)?);
            let Some(reasons) = self.transact(items).await? else {
                return Ok(());
            };
            if user.role == Role::Admin && failed(&reasons, 2) {
                return Err(StoreError::Conflict(LAST_ADMIN.into()));
            }
            if !failed(&reasons, 0) {
                return Err(cancelled(&reasons));
            }
            // The account changed between the read and the write (deleted, or deleted and
            // created again): read it again.
        }
        Err(StoreError::Unavailable(
            "the account kept changing while it was being deleted".into(),
        ))
    }
}

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
    fn delete_where(
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

    /// A transaction step that changes the admin counter by `expression` (`:one` is 1).
    fn admin_count_change(
        &self,
        expression: &str,
        condition: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&*self.table)
            .set_key(Some(key(ADMINS, COUNT)))
            .update_expression(expression)
            .set_condition_expression(condition.map(str::to_owned))
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(|e| unavailable("building Update", e))?;
        Ok(TransactWriteItem::builder().update(update).build())
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

fn profile_item(user: &User) -> Result<Item, StoreError> {
    let name = user.username.as_str();
    let mut item = key(user_pk(name), PROFILE);
    item.extend([
        (GSI1PK.to_owned(), s(USERS)),
        (GSI1SK.to_owned(), s(name)),
        ("entity".to_owned(), s("user")),
        ("id".to_owned(), s(user.id.to_string())),
        ("username".to_owned(), s(name)),
        ("email".to_owned(), s(user.email.as_str())),
        ("role".to_owned(), s(user.role.to_string())),
        ("password_hash".to_owned(), s(&user.password_hash)),
        ("token_version".to_owned(), n(user.token_version)),
        (
            "must_change_password".to_owned(),
            AttributeValue::Bool(user.must_change_password),
        ),
        ("created_at".to_owned(), instant(user.created_at)?),
    ]);
    Ok(item)
}

fn email_item(user: &User) -> Item {
    let mut item = key(email_pk(user.email.as_str()), EMAIL);
    item.extend([
        ("entity".to_owned(), s("email")),
        ("username".to_owned(), s(user.username.as_str())),
    ]);
    item
}

fn parse_user(item: &Item) -> Result<User, StoreError> {
    Ok(User {
        id: get_parsed(item, "id", Uuid::parse_str)?,
        username: get_parsed(item, "username", Username::parse)?,
        email: get_parsed(item, "email", Email::parse)?,
        role: get_parsed(item, "role", |r| match r {
            "admin" => Ok(Role::Admin),
            "user" => Ok(Role::User),
            _ => Err(()),
        })?,
        password_hash: get_s(item, "password_hash")?.to_owned(),
        token_version: get_n(item, "token_version")?,
        must_change_password: get_bool(item, "must_change_password")?,
        created_at: get_instant(item, "created_at")?,
    })
}

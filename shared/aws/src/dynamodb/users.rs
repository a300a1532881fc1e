//! Accounts: the profile, the email-uniqueness item and the admin counter, written together in
//! one transaction so a refused write leaves nothing behind.

use super::item::{Item, get_bool, get_instant, get_n, get_parsed, get_s, instant, key, n, s};
use super::keys::{ADMINS, COUNT, EMAIL, GSI1, GSI1PK, GSI1SK, PROFILE, USERS, email_pk, user_pk};
use super::transact::{TX_TRIES, cancelled, failed};
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use facelens_core::domain::{Email, Role, User, Username};
use facelens_core::ports::{StoreError, UserStore};
use uuid::Uuid;

const NAME_TAKEN: &str = "this username is taken";
const EMAIL_TAKEN: &str = "this email is already in use";
const LAST_ADMIN: &str = "the last admin cannot be deleted";

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
        let items = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", GSI1PK)
            .expression_attribute_values(":pk", s(USERS))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| unavailable("Query (users)", e))?;
        items.iter().map(parse_user).collect()
    }

    async fn save_credentials(&self, user: &User, read_version: u32) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(key(user_pk(user.username.as_str()), PROFILE)))
            .update_expression(
                "SET #hash = :hash, #ver = :ver, #must = :must, #await = :await, #tokens = :tokens",
            )
            .condition_expression("#id = :id AND #ver = :read")
            .expression_attribute_names("#hash", "password_hash")
            .expression_attribute_names("#ver", "token_version")
            .expression_attribute_names("#must", "must_change_password")
            .expression_attribute_names("#tokens", "api_tokens")
            .expression_attribute_names("#await", "awaiting_confirmation")
            .expression_attribute_names("#id", "id")
            .expression_attribute_values(":hash", s(&user.password_hash))
            .expression_attribute_values(":ver", n(user.token_version))
            .expression_attribute_values(":must", AttributeValue::Bool(user.must_change_password))
            .expression_attribute_values(":tokens", api_tokens(user)?)
            .expression_attribute_values(":await", AttributeValue::Bool(user.awaiting_confirmation))
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
        (
            "awaiting_confirmation".to_owned(),
            AttributeValue::Bool(user.awaiting_confirmation),
        ),
        ("created_at".to_owned(), instant(user.created_at)?),
        ("api_tokens".to_owned(), api_tokens(user)?),
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
        awaiting_confirmation: matches!(
            item.get("awaiting_confirmation"),
            Some(AttributeValue::Bool(true))
        ),
        created_at: get_instant(item, "created_at")?,
        api_tokens: match item.get("api_tokens") {
            Some(AttributeValue::S(json)) => serde_json::from_str(json)
                .map_err(|e| StoreError::Unavailable(format!("api_tokens: {e}")))?,
            _ => Vec::new(),
        },
    })
}

/// The account's API tokens (ids, names, hashes, times) as one JSON string attribute.
fn api_tokens(user: &User) -> Result<AttributeValue, StoreError> {
    serde_json::to_string(&user.api_tokens)
        .map(AttributeValue::S)
        .map_err(|e| StoreError::Unavailable(format!("api_tokens: {e}")))
}

//! Accounts in redb, with the email index kept in the same transaction.

use crate::db::{EMAILS, LocalDb, PURGES, USERS, from_json, to_json, unavailable};
use async_trait::async_trait;
use facelens_core::domain::{Email, Role, User, Username};
use facelens_core::ports::{StoreError, UserStore};
use redb::ReadableTable;

#[async_trait]
impl UserStore for LocalDb {
    async fn create(&self, user: &User) -> Result<(), StoreError> {
        let user = user.clone();
        self.write(move |txn| {
            let mut users = txn.open_table(USERS).map_err(unavailable)?;
            let mut emails = txn.open_table(EMAILS).map_err(unavailable)?;
            if users
                .get(user.username.as_str())
                .map_err(unavailable)?
                .is_some()
            {
                return Err(StoreError::Conflict("this username is taken".into()));
            }
            if emails
                .get(user.email.as_str())
                .map_err(unavailable)?
                .is_some()
            {
                return Err(StoreError::Conflict("this email is already in use".into()));
            }
            users
                .insert(user.username.as_str(), to_json(&user)?.as_slice())
                .map_err(unavailable)?;
            emails
                .insert(user.email.as_str(), user.username.as_str())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn get(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let key = username.as_str().to_owned();
        self.read(move |txn| {
            let users = txn.open_table(USERS).map_err(unavailable)?;
            users
                .get(key.as_str())
                .map_err(unavailable)?
                .map(|v| from_json(v.value()))
                .transpose()
        })
        .await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let key = email.as_str().to_owned();
        self.read(move |txn| {
            let emails = txn.open_table(EMAILS).map_err(unavailable)?;
            let users = txn.open_table(USERS).map_err(unavailable)?;
            let Some(name) = emails.get(key.as_str()).map_err(unavailable)? else {
                return Ok(None);
            };
            users
                .get(name.value())
                .map_err(unavailable)?
                .map(|v| from_json(v.value()))
                .transpose()
        })
        .await
    }

    async fn list(&self) -> Result<Vec<User>, StoreError> {
        self.read(|txn| {
            let users = txn.open_table(USERS).map_err(unavailable)?;
            users
                .iter()
                .map_err(unavailable)?
                .map(|entry| {
                    let (_, v) = entry.map_err(unavailable)?;
                    from_json(v.value())
                })
                .collect()
        })
        .await
    }

    async fn save_credentials(&self, user: &User, read_version: u32) -> Result<(), StoreError> {
        let user = user.clone();
        self.write(move |txn| {
            let mut users = txn.open_table(USERS).map_err(unavailable)?;
            let stored: User = match users.get(user.username.as_str()).map_err(unavailable)? {
                Some(v) => from_json(v.value())?,
                None => return Err(StoreError::NotFound),
            };
            if stored.id != user.id {
                return Err(StoreError::NotFound);
            }
            if stored.token_version != read_version {
                return Err(StoreError::Conflict(
                    "the credentials changed meanwhile".into(),
                ));
            }
            let updated = User {
                password_hash: user.password_hash,
                token_version: user.token_version,
                must_change_password: user.must_change_password,
                awaiting_confirmation: user.awaiting_confirmation,
                api_tokens: user.api_tokens,
                ..stored
            };
            users
                .insert(updated.username.as_str(), to_json(&updated)?.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn delete(&self, username: &Username) -> Result<(), StoreError> {
        let key = username.as_str().to_owned();
        self.write(move |txn| {
            let mut users = txn.open_table(USERS).map_err(unavailable)?;
            let mut emails = txn.open_table(EMAILS).map_err(unavailable)?;
            let user: User = match users.get(key.as_str()).map_err(unavailable)? {
                Some(v) => from_json(v.value())?,
                None => return Err(StoreError::NotFound),
            };
            if user.role == Role::Admin {
                let mut admins = 0usize;
                for entry in users.iter().map_err(unavailable)? {
                    let (_, v) = entry.map_err(unavailable)?;
                    if from_json::<User>(v.value())?.role == Role::Admin {
                        admins += 1;
                    }
                }
                if admins <= 1 {
                    return Err(StoreError::Conflict(
                        "the last admin cannot be deleted".into(),
                    ));
                }
            }
            users.remove(key.as_str()).map_err(unavailable)?;
            emails.remove(user.email.as_str()).map_err(unavailable)?;
            let deleted_at = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .map_err(unavailable)?;
            txn.open_table(PURGES)
                .map_err(unavailable)?
                .insert(key.as_str(), deleted_at.as_str())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}

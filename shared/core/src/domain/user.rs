//! The user account as stored, and the view of it that callers may see.

use super::{Email, Role, Username};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// An account as the stores keep it. The password hash is an argon2id PHC string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Stable identity: a re-created account with the same name is a different user.
    pub id: Uuid,
    /// Unique sign-in name.
    pub username: Username,
    /// Unique address for account emails.
    pub email: Email,
    /// What the account may do.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Raised on every password change; tokens carrying an older value stop working.
    pub token_version: u32,
    /// Set for accounts created by an admin until their first password change.
    pub must_change_password: bool,
    /// Set for accounts made by sign-up until their holder confirms the email address (with
    /// the emailed link, or a password reset link, which proves the same); such an account
    /// cannot sign in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub awaiting_confirmation: bool,
    /// When the account was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Its personal API tokens, each kept only as a hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_tokens: Vec<ApiToken>,
}

/// A personal API token as stored: never the token itself, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    /// Its id (16 hex digits), part of the token and of its URL.
    pub id: String,
    /// What its owner calls it.
    pub name: String,
    /// Hex SHA-256 of its secret part.
    pub hash: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// What the API shows of a user: never the hash or the token version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    /// Sign-in name.
    pub username: Username,
    /// Email address.
    pub email: Email,
    /// Role.
    pub role: Role,
    /// Whether the next step must be a password change.
    pub must_change_password: bool,
    /// Whether the account, made by sign-up, still waits for its email to be confirmed.
    pub awaiting_confirmation: bool,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            username: user.username.clone(),
            email: user.email.clone(),
            role: user.role,
            must_change_password: user.must_change_password,
            awaiting_confirmation: user.awaiting_confirmation,
            created_at: user.created_at,
        }
    }
}

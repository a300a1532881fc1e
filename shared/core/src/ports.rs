//! Ports: one narrow trait per capability. Adapters (embedded, AWS) implement them and turn
//! their driver errors into [`StoreError`] or [`MailError`]; use cases never see a driver type.

use crate::domain::{Email, User, Username};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Failure of a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness or state rule refused the write; the text says which.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record to change does not exist.
    #[error("not found")]
    NotFound,
    /// The store failed; the text is for the log, never for the caller.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// Accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Adds an account.
    ///
    /// # Errors
    /// MUST return [`StoreError::Conflict`] when the username or the email is taken, and write
    /// nothing in that case.
    async fn create(&self, user: &User) -> Result<(), StoreError>;
    /// Reads an account by name.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn get(&self, username: &Username) -> Result<Option<User>, StoreError>;
    /// Reads an account by email.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;
    /// All accounts, ordered by username.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn list(&self) -> Result<Vec<User>, StoreError>;
    /// Replaces the password hash, token version and first-login flag of an account.
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] when the account is gone.
    async fn save_credentials(&self, user: &User) -> Result<(), StoreError>;
    /// Removes an account and, in the same write, records the purge of its data (see
    /// [`crate::analysis::ports::PurgeQueue`]).
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] when there is no such account, and
    /// [`StoreError::Conflict`] (removing nothing) when it is the last admin.
    async fn delete(&self, username: &Username) -> Result<(), StoreError>;
}

/// What a one-time token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenPurpose {
    /// Set a new password after "forgot password".
    Reset,
    /// Set the first password of an account an admin created.
    Welcome,
}

/// A single-use token as stored: only its SHA-256 hash, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneTimeToken {
    /// Hex SHA-256 of the token sent by email.
    pub hash: String,
    /// The account it belongs to.
    pub username: Username,
    /// What it allows.
    pub purpose: TokenPurpose,
    /// After this instant it is refused.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Single-use tokens with an expiry.
#[async_trait]
pub trait OneTimeTokenStore: Send + Sync {
    /// Stores a token.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn put(&self, token: &OneTimeToken) -> Result<(), StoreError>;
    /// Removes and returns the token with this hash, atomically, so it can be used once.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn take(&self, hash: &str) -> Result<Option<OneTimeToken>, StoreError>;
}

/// One sign-in attempt, good or bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInAttempt {
    /// The name as typed (trimmed, lowercased, at most 64 characters); may be unknown.
    pub username: String,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Whether a token was issued.
    pub success: bool,
    /// `ok`, `bad_credentials` or `throttled`.
    pub reason: String,
}

/// The sign-in audit log, which also drives throttling.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an attempt.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn record(&self, attempt: &SignInAttempt) -> Result<(), StoreError>;
    /// Times of the failed attempts for `username` at or after `since`, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn failures_since(
        &self,
        username: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, StoreError>;
    /// The newest attempts first, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn recent(&self, limit: usize) -> Result<Vec<SignInAttempt>, StoreError>;
}

/// An email to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// Recipient.
    pub to: Email,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
}

/// Failure to hand an email over for delivery.
#[derive(Debug, thiserror::Error)]
#[error("mail not sent: {0}")]
pub struct MailError(pub String);

/// Sends account emails.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands an email over for delivery.
    ///
    /// # Errors
    /// [`MailError`] when the transport refuses it.
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;
}

/// Failure of the password hasher.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(pub String);

/// Hashes and verifies passwords. Implementations run the work off the async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Returns a PHC string for the password.
    ///
    /// # Errors
    /// [`HashError`] when hashing fails.
    async fn hash(&self, password: String) -> Result<String, HashError>;
    /// Whether `password` matches `phc`. A malformed `phc` is a mismatch, not an error.
    ///
    /// # Errors
    /// [`HashError`] when the work cannot run.
    async fn verify(&self, password: String, phc: String) -> Result<bool, HashError>;
}

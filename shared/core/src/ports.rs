//! Ports: one narrow trait per capability. Adapters (embedded, AWS) implement them and turn
//! their driver errors into [`StoreError`] or [`MailError`]; use cases never see a driver type.

use crate::domain::{Email, User, Username};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

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
    /// Replaces the password hash, token version, first-login and awaiting-confirmation flags
    /// and API tokens of an account, if its token version is still `read_version` (the one the
    /// caller read).
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] when the account is gone (or was re-created:
    /// the id differs), and [`StoreError::Conflict`] (writing nothing) when the stored token
    /// version is no longer `read_version`.
    async fn save_credentials(&self, user: &User, read_version: u32) -> Result<(), StoreError>;
    /// Removes an account and, in the same write, records the purge of its data (see
    /// [`crate::analysis::ports::PurgeQueue`]).
    ///
    /// # Errors
    /// MUST return [`StoreError::NotFound`] when there is no such account, and
    /// [`StoreError::Conflict`] (removing nothing) when it is the last admin.
    async fn delete(&self, username: &Username) -> Result<(), StoreError>;
}

/// What a one-time token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenPurpose {
    /// Set a new password after "forgot password".
    Reset,
    /// Set the first password of an account an admin created.
    Welcome,
    /// Confirm the email address of an account made by sign-up.
    Confirm,
}

/// A single-use token as stored: only its SHA-256 hash, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneTimeToken {
    /// Hex SHA-256 of the token sent by email.
    pub hash: String,
    /// The account it belongs to, by name ...
    pub username: Username,
    /// ... and by id, so a link outlives neither a deleted nor a re-created account.
    #[serde(default = "Uuid::nil")]
    pub account_id: Uuid,
    /// The account's token version when the link was made: setting a password raises it, so
    /// every link made before stops working.
    #[serde(default)]
    pub token_version: u32,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignInAttempt {
    /// The name as typed, normalised; a valid name, though maybe of no account.
    pub username: String,
    /// The client's address, as the connection or the load balancer gave it.
    #[serde(default)]
    pub client: String,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Whether a token was issued.
    pub success: bool,
    /// `ok`, `bad_credentials`, `throttled`, `bad_confirmation`, `unconfirmed` (a right
    /// password of an account whose email is not confirmed yet); for faces `no_match` and
    /// `not_live`; for sign-ups `registered`, `username_taken`, `email_taken`, `throttled`
    /// and `confirmed`.
    pub reason: String,
    /// How the person tried: a password or a face. Records made before faces were a way in
    /// are passwords.
    #[serde(default)]
    pub method: SignInMethod,
}

/// The way a sign-in was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignInMethod {
    /// Name and password.
    #[default]
    Password,
    /// Name and camera captures of the face.
    Face,
    /// Not a sign-in: an account asked for on the sign-up page, or its confirmation.
    #[serde(rename = "sign-up")]
    SignUp,
}

impl SignInMethod {
    /// `password` or `face`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::Face => "face",
            SignInMethod::SignUp => "sign-up",
        }
    }
}

/// A throttle counter as stored: how many attempts were counted against one key, and when the
/// last one was. Keys are built only from validated values (see `auth::throttle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleCounter {
    /// Attempts counted since the counter was last reset.
    pub count: u32,
    /// When the last attempt was counted.
    #[serde(with = "time::serde::rfc3339")]
    pub last_at: OffsetDateTime,
    /// Raised by every write; a write names the version it read (compare-and-swap).
    pub version: u64,
}

/// One compare-and-swap write of [`ThrottleStore::swap`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleWrite {
    /// The store key.
    pub key: String,
    /// The version read: `None` when the counter was absent.
    pub expected: Option<u64>,
    /// The new counter; `None` removes it.
    pub new: Option<ThrottleCounter>,
    /// When the store may forget the counter (DynamoDB TTL).
    pub expires_at: OffsetDateTime,
}

/// Throttle counters, changed only by compare-and-swap so that parallel attempts are counted
/// exactly once each.
#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// The counters of `keys`, in order; `None` for an absent one. Strongly consistent.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn read(&self, keys: &[String]) -> Result<Vec<Option<ThrottleCounter>>, StoreError>;
    /// Writes every counter whose version is still the one read, all or none.
    ///
    /// # Errors
    /// MUST return [`StoreError::Conflict`] and write nothing when any counter changed since
    /// it was read.
    async fn swap(&self, writes: &[ThrottleWrite]) -> Result<(), StoreError>;
}

/// A public key that verifies access tokens, and when an auth instance last said it signs
/// with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    /// The key.
    pub key: crate::auth::PublicKey,
    /// When it was last (re)published.
    pub seen_at: OffsetDateTime,
}

/// The public keys of access tokens, written by the function that signs them and read by the
/// functions that only verify them. Whoever may write here may mint tokens: on AWS only the
/// auth function has write access to these items.
#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    /// Publishes `key` (an upsert by `kid`; an older `seen_at` never replaces a newer one).
    /// The store may forget it after `keep_until` (DynamoDB TTL).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn publish(
        &self,
        key: &PublishedKey,
        keep_until: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Every published key the store still holds, stale ones included (callers judge by
    /// `seen_at`). Strongly consistent.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails, or a stored key is unreadable.
    async fn published(&self) -> Result<Vec<PublishedKey>, StoreError>;
}

/// The sign-in audit log.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an attempt.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store fails.
    async fn record(&self, attempt: &SignInAttempt) -> Result<(), StoreError>;
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
pub enum HashError {
    /// Every hashing slot stayed taken for too long (a flood of sign-ins); try again later.
    #[error("password hashing is busy")]
    Busy,
    /// The work failed.
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Hashes and verifies passwords. Implementations run the work off the async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Returns a PHC string for the password.
    ///
    /// # Errors
    /// [`HashError::Busy`] when no hashing slot came free in time, [`HashError::Failed`]
    /// when hashing fails.
    async fn hash(&self, password: String) -> Result<String, HashError>;
    /// Whether `password` matches `phc`. A malformed `phc` is a mismatch, not an error.
    ///
    /// # Errors
    /// [`HashError::Busy`] when no hashing slot came free in time, [`HashError::Failed`]
    /// when the work cannot run.
    async fn verify(&self, password: String, phc: String) -> Result<bool, HashError>;
}

/// Whether the store can take a write now (the health check of a server that owns its
/// database).
#[async_trait]
pub trait WriteProbe: Send + Sync {
    /// Writes and commits a marker.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot write (full disk, read-only file).
    async fn probe_write(&self) -> Result<(), StoreError>;
}

//! What can go wrong in the auth use cases.

use crate::domain::ValidationError;
use crate::ports::{HashError, MailError, StoreError};

/// An auth use case's failure. The API maps each variant to one status and code.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown user or wrong password; deliberately not saying which.
    #[error("wrong username or password")]
    InvalidCredentials,
    /// A face sign-in that did not match; deliberately not saying whether the name exists,
    /// has a face enrolled, or may sign in with it.
    #[error("the face does not match, or this name cannot sign in with a face")]
    FaceNotRecognised,
    /// Too many attempts (sign-ins, reset requests, sign-ups); try again after the given
    /// seconds.
    #[error("too many attempts; try again in {retry_after_secs} s")]
    Throttled {
        /// Seconds until an attempt may succeed.
        retry_after_secs: u64,
    },
    /// Missing, bad, expired or revoked token.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The caller's role may not do this.
    #[error("this needs the admin role")]
    Forbidden,
    /// The account must set a new password before anything else.
    #[error("change your password before going on")]
    PasswordChangeRequired,
    /// Input that breaks a rule.
    #[error("{0}")]
    Invalid(ValidationError),
    /// A new password that the policy refuses.
    #[error("{0}")]
    WeakPassword(ValidationError),
    /// A right password of an account made by sign-up whose email is not confirmed yet.
    #[error("confirm your email address with the link we sent before signing in")]
    EmailNotConfirmed,
    /// Sign-up where only admins create accounts.
    #[error("sign-up is closed here: an administrator creates accounts")]
    SignUpClosed,
    /// A sign-up asking for a name an account already has.
    #[error("this username is taken; choose another")]
    UsernameTaken,
    /// A reset, welcome or confirmation link that is unknown, used or expired.
    #[error("this link is invalid, used or expired; ask for a new one")]
    InvalidResetToken,
    /// A uniqueness rule or the last-admin rule.
    #[error("{0}")]
    Conflict(String),
    /// No such account.
    #[error("no such user")]
    NotFound,
    /// Too many passwords are being checked at once; try again after the given seconds.
    #[error("the service is busy; try again in {retry_after_secs} s")]
    Busy {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Our fault; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AuthError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => AuthError::Conflict(what),
            StoreError::NotFound => AuthError::NotFound,
            StoreError::Unavailable(cause) => AuthError::Internal(cause),
        }
    }
}

impl From<HashError> for AuthError {
    fn from(err: HashError) -> Self {
        match err {
            HashError::Busy => AuthError::Busy {
                retry_after_secs: 1,
            },
            HashError::Failed(cause) => AuthError::Internal(cause),
        }
    }
}

impl From<MailError> for AuthError {
    fn from(err: MailError) -> Self {
        AuthError::Internal(err.to_string())
    }
}

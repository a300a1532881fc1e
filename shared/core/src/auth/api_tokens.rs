//! Personal API tokens: long-lived bearer tokens a person makes for their scripts, kept only as
//! a hash, each with a name and an end, revoked one by one. They may analyse photos and read
//! their owner's results, nothing else (the routes' extractors decide; see
//! [`Caller::by_api_token`]).
//!
//! A token reads `flt_{username}.{id}.{secret}`: the name finds the account, the id the token
//! among the account's, and the secret (256 random bits, hex) is compared with its SHA-256.

use super::random::sha256_hex;
use super::{AuthError, AuthService};
use crate::domain::{ApiToken, User, Username, ValidationError};
use rand::RngCore;
use time::Duration;

/// What every API token starts with.
pub const API_TOKEN_PREFIX: &str = "flt_";
/// The most tokens one account may hold.
pub const MAX_API_TOKENS: usize = 20;
/// The longest life a token may be given, in days.
pub const MAX_API_TOKEN_DAYS: u32 = 365;
/// A token's life when none is asked for, in days.
pub const DEFAULT_API_TOKEN_DAYS: u32 = 90;

/// A caller and how they proved who they are.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account.
    pub user: User,
    /// Whether the bearer token was a personal API token (not a session).
    pub by_api_token: bool,
}

/// A token just made: the only time its secret exists outside the caller's hands.
#[derive(Debug, Clone)]
pub struct IssuedApiToken {
    /// The whole bearer token, shown once.
    pub token: String,
    /// What is stored of it.
    pub record: ApiToken,
}

impl AuthService {
    /// Checks a bearer token, a session's or a personal API token, and returns its live
    /// account and which kind it was.
    ///
    /// # Errors
    /// [`AuthError::Unauthorized`] for a bad, expired or revoked token, or a deleted account.
    pub async fn authenticate_caller(&self, token: &str) -> Result<Caller, AuthError> {
        if token.starts_with(API_TOKEN_PREFIX) {
            let user = self.authenticate_api_token(token).await?;
            return Ok(Caller {
                user,
                by_api_token: true,
            });
        }
        Ok(Caller {
            user: self.authenticate(token).await?,
            by_api_token: false,
        })
    }

    async fn authenticate_api_token(&self, token: &str) -> Result<User, AuthError> {
        const BAD: AuthError = AuthError::Unauthorized("the API token is not valid");
        let rest = &token[API_TOKEN_PREFIX.len()..];
        let (rest, secret) = rest.rsplit_once('.').ok_or(BAD)?;
        let (name, id) = rest.rsplit_once('.').ok_or(BAD)?;
        let username = Username::parse(name).map_err(|_| BAD)?;
        let user = self.ports.users.get(&username).await?.ok_or(BAD)?;
        let stored = user
            .api_tokens
            .iter()
            .find(|t| t.id == id)
            .ok_or(AuthError::Unauthorized("the API token has been revoked"))?;
        if !constant_time_eq(stored.hash.as_bytes(), sha256_hex(secret).as_bytes()) {
            return Err(BAD);
        }
        if stored.expires_at <= self.ports.clock.now() {
            return Err(AuthError::Unauthorized("the API token has expired"));
        }
        Ok(user)
    }

    /// Makes a token named `name` for `caller`, living `days` days (default 90, at most 365).
    ///
    /// # Errors
    /// [`AuthError::Invalid`] for an empty or long name, a life out of range or more than
    /// [`MAX_API_TOKENS`] tokens; [`AuthError::Conflict`] when the account changed meanwhile.
    pub async fn create_api_token(
        &self,
        caller: &User,
        name: &str,
        days: Option<u32>,
    ) -> Result<IssuedApiToken, AuthError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(invalid("name must be 1 to 64 printable characters"));
        }
        let days = days.unwrap_or(DEFAULT_API_TOKEN_DAYS);
        if !(1..=MAX_API_TOKEN_DAYS).contains(&days) {
            return Err(invalid(&format!("days must be 1 to {MAX_API_TOKEN_DAYS}")));
        }
        let mut user = self.current(caller).await?;
        if user.api_tokens.len() >= MAX_API_TOKENS {
            return Err(invalid(&format!(
                "an account may hold {MAX_API_TOKENS} API tokens: revoke one first"
            )));
        }
        let (id, secret) = (random_hex(8), random_hex(32));
        let now = self.ports.clock.now();
        let record = ApiToken {
            id: id.clone(),
            name: name.to_owned(),
            hash: sha256_hex(&secret),
            created_at: now,
            expires_at: now + Duration::days(i64::from(days)),
        };
        user.api_tokens.push(record.clone());
        self.ports
            .users
            .save_credentials(&user, user.token_version)
            .await?;
        Ok(IssuedApiToken {
            token: format!("{API_TOKEN_PREFIX}{}.{id}.{secret}", user.username),
            record,
        })
    }

    /// The caller's tokens, newest first (hashes included: the API shows the rest).
    ///
    /// # Errors
    /// When the account cannot be read.
    pub async fn api_tokens(&self, caller: &User) -> Result<Vec<ApiToken>, AuthError> {
        let mut tokens = self.current(caller).await?.api_tokens;
        tokens.sort_by_key(|t| std::cmp::Reverse(t.created_at));
        Ok(tokens)
    }

    /// Revokes the caller's token `id`; it stops working at once.
    ///
    /// # Errors
    /// [`AuthError::NotFound`] when the caller has no such token.
    pub async fn revoke_api_token(&self, caller: &User, id: &str) -> Result<(), AuthError> {
        let mut user = self.current(caller).await?;
        let before = user.api_tokens.len();
        user.api_tokens.retain(|t| t.id != id);
        if user.api_tokens.len() == before {
            return Err(AuthError::NotFound);
        }
        self.ports
            .users
            .save_credentials(&user, user.token_version)
            .await?;
        Ok(())
    }

    /// The caller's account as stored now (the same account, not one re-created by name).
    async fn current(&self, caller: &User) -> Result<User, AuthError> {
        match self.ports.users.get(&caller.username).await? {
            Some(user) if user.id == caller.id => Ok(user),
            _ => Err(AuthError::Unauthorized("account no longer exists")),
        }
    }
}

fn invalid(why: &str) -> AuthError {
    AuthError::Invalid(ValidationError(why.to_owned()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

//! Sign-in: throttled per username, audited, constant-time for unknown names.

use super::jwt::ACCESS_TOKEN_TYPE;
use super::{AuthError, AuthService, Claims};
use crate::domain::{User, Username};
use crate::ports::SignInAttempt;
use time::OffsetDateTime;

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The bearer token.
    pub token: String,
    /// When it expires.
    pub expires_at: OffsetDateTime,
    /// The account.
    pub user: User,
}

impl AuthService {
    /// Signs a user in.
    ///
    /// # Errors
    /// [`AuthError::Throttled`] after too many recent failures for the name (the password is
    /// not checked then), [`AuthError::InvalidCredentials`] for an unknown name or a wrong
    /// password (same work either way).
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginOutcome, AuthError> {
        let typed: String = username.trim().to_lowercase().chars().take(64).collect();
        let now = self.ports.clock.now();
        let window_start = now - self.config.throttle_window;
        let failures = self
            .ports
            .audit
            .failures_since(&typed, window_start)
            .await?;
        if failures.len() >= self.config.throttle_failures {
            let oldest = failures
                .get(failures.len() - self.config.throttle_failures)
                .copied()
                .unwrap_or(now);
            let free_at = oldest + self.config.throttle_window;
            let retry_after_secs = (free_at - now).whole_seconds().max(1) as u64;
            self.audit(&typed, now, false, "throttled").await?;
            return Err(AuthError::Throttled { retry_after_secs });
        }

        // Fetched (and on the first sign-in, made) before the lookup, known user or not, so
        // that the first sign-in's extra hash does not tell who exists either.
        let decoy = self.decoy_hash().await?;
        let user = match Username::parse(&typed) {
            Ok(name) => self.ports.users.get(&name).await?,
            Err(_) => None,
        };
        let phc = user.as_ref().map_or(decoy, |u| u.password_hash.clone());
        let matches = self.ports.hasher.verify(password.to_owned(), phc).await?;
        let user = match user {
            Some(user) if matches => user,
            _ => {
                self.audit(&typed, now, false, "bad_credentials").await?;
                return Err(AuthError::InvalidCredentials);
            }
        };
        self.audit(&typed, now, true, "ok").await?;
        self.issue(user)
    }

    /// Issues an access token for an account.
    pub(crate) fn issue(&self, user: User) -> Result<LoginOutcome, AuthError> {
        let now = self.ports.clock.now();
        let expires_at = now + self.config.token_ttl;
        let claims = Claims {
            sub: user.username.to_string(),
            uid: user.id.to_string(),
            ver: user.token_version,
            typ: ACCESS_TOKEN_TYPE.into(),
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            iat: now.unix_timestamp(),
            exp: expires_at.unix_timestamp(),
        };
        Ok(LoginOutcome {
            token: self.keys.sign(&claims)?,
            expires_at,
            user,
        })
    }

    async fn audit(
        &self,
        username: &str,
        at: OffsetDateTime,
        success: bool,
        reason: &str,
    ) -> Result<(), AuthError> {
        let attempt = SignInAttempt {
            username: username.to_owned(),
            at,
            success,
            reason: reason.to_owned(),
        };
        self.ports.audit.record(&attempt).await?;
        Ok(())
    }

    /// The newest sign-in attempts, for admins.
    ///
    /// # Errors
    /// [`AuthError::Forbidden`] for non-admins.
    pub async fn audit_log(
        &self,
        caller: &User,
        limit: usize,
    ) -> Result<Vec<SignInAttempt>, AuthError> {
        require_admin(caller)?;
        Ok(self.ports.audit.recent(limit).await?)
    }
}

/// Refuses callers that are not admins.
pub(crate) fn require_admin(caller: &User) -> Result<(), AuthError> {
    if caller.role == crate::domain::Role::Admin {
        Ok(())
    } else {
        Err(AuthError::Forbidden)
    }
}

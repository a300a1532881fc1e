//! Sign-in: throttled per name and client address, audited, constant-time for unknown names;
//! sign-out.

use super::jwt::ACCESS_TOKEN_TYPE;
use super::{AuthError, AuthService, Claims};
use crate::domain::{User, Username};
use crate::ports::{SignInAttempt, SignInMethod, StoreError};
use std::net::IpAddr;
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
    /// Signs a user in from the client address `client` (taken from the connection or the
    /// API Gateway / load balancer request context, never from a header the client sets).
    ///
    /// # Errors
    /// [`AuthError::InvalidCredentials`] at once for a name no account can have (nothing is
    /// counted or stored for it), [`AuthError::Throttled`] while this name from this address, or this
    /// address, must wait (the password is not checked, and the attempt is not counted),
    /// [`AuthError::InvalidCredentials`] for an unknown name or a wrong password (same work
    /// either way), [`AuthError::EmailNotConfirmed`] for the right password of an account
    /// made by sign-up and not confirmed yet.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<LoginOutcome, AuthError> {
        // A name no account can have is refused here, before any store key is built from it.
        let name = Username::parse(username).map_err(|_| AuthError::InvalidCredentials)?;
        if let Err(err) = self.count_attempt(&self.sign_in_keys(&name, client)).await {
            if matches!(err, AuthError::Throttled { .. }) {
                self.audit(&name, client, false, "throttled").await?;
            }
            return Err(err);
        }

        // Fetched (and on the first sign-in, made) before the lookup, known user or not, so
        // that the first sign-in's extra hash does not tell who exists either.
        let decoy = self.decoy_hash().await?;
        let user = self.ports.users.get(&name).await?;
        let phc = user.as_ref().map_or(decoy, |u| u.password_hash.clone());
        let matches = self.ports.hasher.verify(password.to_owned(), phc).await?;
        let user = match user {
            Some(user) if matches => user,
            _ => {
                self.audit(&name, client, false, "bad_credentials").await?;
                return Err(AuthError::InvalidCredentials);
            }
        };
        if user.awaiting_confirmation {
            self.audit(&name, client, false, "unconfirmed").await?;
            return Err(AuthError::EmailNotConfirmed);
        }
        self.release_sign_in(&name, client).await;
        self.audit(&name, client, true, "ok").await?;
        self.issue(user).await
    }

    /// Confirms a signed-in caller's password before a change to the account (a new password,
    /// deleting it), under the same throttle as signing in: a stolen token does not give
    /// unlimited guesses at the password.
    ///
    /// # Errors
    /// [`AuthError::Throttled`] while this name from this address must wait,
    /// [`AuthError::InvalidCredentials`] for a wrong password.
    pub async fn confirm_password(
        &self,
        caller: &User,
        password: &str,
        client: IpAddr,
    ) -> Result<(), AuthError> {
        self.count_attempt(&self.sign_in_keys(&caller.username, client))
            .await?;
        let matches = self
            .ports
            .hasher
            .verify(password.to_owned(), caller.password_hash.clone())
            .await?;
        if !matches {
            self.audit(&caller.username, client, false, "bad_confirmation")
                .await?;
            return Err(AuthError::InvalidCredentials);
        }
        self.release_sign_in(&caller.username, client).await;
        Ok(())
    }

    /// Signs the caller out everywhere: raises the token version, so every token issued so
    /// far (this one included) is refused from now on.
    ///
    /// # Errors
    /// [`AuthError::Unauthorized`] when the account changed or went meanwhile.
    pub async fn logout(&self, mut caller: User) -> Result<(), AuthError> {
        let read_version = caller.token_version;
        caller.token_version = caller.token_version.wrapping_add(1);
        self.ports
            .users
            .save_credentials(&caller, read_version)
            .await
            .map_err(|err| match err {
                StoreError::Conflict(_) | StoreError::NotFound => {
                    AuthError::Unauthorized("token has been revoked")
                }
                other => other.into(),
            })
    }

    /// Issues an access token for an account.
    pub(crate) async fn issue(&self, user: User) -> Result<LoginOutcome, AuthError> {
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
            token: self.keys.sign(&claims, &self.config, now).await?,
            expires_at,
            user,
        })
    }

    async fn audit(
        &self,
        name: &Username,
        client: IpAddr,
        success: bool,
        reason: &str,
    ) -> Result<(), AuthError> {
        self.audit_as(SignInMethod::Password, name, client, success, reason)
            .await
    }

    /// Records a sign-in attempt made with `method`.
    pub(crate) async fn audit_as(
        &self,
        method: SignInMethod,
        name: &Username,
        client: IpAddr,
        success: bool,
        reason: &str,
    ) -> Result<(), AuthError> {
        let attempt = SignInAttempt {
            username: name.to_string(),
            client: client.to_string(),
            at: self.ports.clock.now(),
            success,
            reason: reason.to_owned(),
            method,
        };
        self.ports.audit.record(&attempt).await?;
        if let Some(metrics) = &self.metrics {
            metrics.sign_in(method.as_str(), success, reason);
        }
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

//! Password changes: by the account holder, and by a single-use emailed link.

use super::{AuthError, AuthService, LoginOutcome, ThrottleKey, random};
use crate::domain::{Email, NewPassword, User};
use crate::ports::{OneTimeToken, OutgoingEmail, TokenPurpose};
use std::net::IpAddr;

impl AuthService {
    /// Changes the caller's password; every older token stops working and a new one is issued.
    ///
    /// # Errors
    /// [`AuthError::InvalidCredentials`] when the current password is wrong,
    /// [`AuthError::Throttled`] after too many wrong ones from `client` (see
    /// [`AuthService::confirm_password`]), [`AuthError::WeakPassword`] when the new one breaks
    /// the policy.
    pub async fn change_password(
        &self,
        caller: User,
        current: &str,
        new: &str,
        client: IpAddr,
    ) -> Result<LoginOutcome, AuthError> {
        self.confirm_password(&caller, current, client).await?;
        let new = NewPassword::parse(new, Some(caller.username.as_str()))
            .map_err(AuthError::WeakPassword)?;
        if self
            .ports
            .hasher
            .verify(new.expose().to_owned(), caller.password_hash.clone())
            .await?
        {
            return Err(AuthError::WeakPassword(crate::domain::ValidationError(
                "the new password must differ from the current one".into(),
            )));
        }
        let user = self.set_password(caller, &new).await?;
        self.issue(user).await
    }

    /// Counts a "forgot password" request against the email and the client address. The
    /// count does not depend on whether the email belongs to an account, so the answer
    /// (accepted, or throttled) tells nothing about it.
    ///
    /// # Errors
    /// [`AuthError::Throttled`] while the email or the address must wait.
    pub async fn admit_reset_request(&self, email: &str, client: IpAddr) -> Result<(), AuthError> {
        let rules = self.config.throttle;
        let mut keys = vec![(ThrottleKey::ForgotClient(client), rules.forgot_per_client)];
        if let Ok(email) = Email::parse(email) {
            keys.push((ThrottleKey::Forgot(email), rules.forgot_per_email));
        }
        self.count_attempt(&keys).await
    }

    /// Emails a single-use reset link when the address belongs to an account. Callers run it
    /// in the background after [`AuthService::admit_reset_request`] and answer the same
    /// whatever happens, so nobody learns which addresses exist.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when a store or the mailer fails.
    pub async fn forgot_password(&self, email: &str) -> Result<(), AuthError> {
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let Some(user) = self.ports.users.find_by_email(&email).await? else {
            return Ok(());
        };
        let token = self.put_link(&user, TokenPurpose::Reset).await?;
        let text = format!(
            "Hello {name},\n\nSomeone asked to reset the password of your Facelens account.\n\
             If it was you, choose a new password with this link within\n\
             {minutes} minutes (it works once):\n\n{url}/#/reset?token={token}\n\n\
             If it was not you, ignore this email; your password is unchanged.\n",
            name = user.username,
            minutes = self.config.reset_ttl.whole_minutes(),
            url = self.config.public_url,
        );
        self.ports
            .mailer
            .send(&OutgoingEmail {
                to: user.email,
                subject: "Reset your Facelens password".into(),
                text,
            })
            .await?;
        Ok(())
    }

    /// Stores a new single-use link of `purpose` for the account and returns its token. The
    /// link is bound to the account's id and current token version.
    pub(crate) async fn put_link(
        &self,
        user: &User,
        purpose: TokenPurpose,
    ) -> Result<String, AuthError> {
        let ttl = match purpose {
            TokenPurpose::Reset => self.config.reset_ttl,
            TokenPurpose::Welcome => self.config.welcome_ttl,
            TokenPurpose::Confirm => self.config.confirm_ttl,
        };
        let token = random::token();
        self.ports
            .tokens
            .put(&OneTimeToken {
                hash: random::sha256_hex(&token),
                username: user.username.clone(),
                account_id: user.id,
                token_version: user.token_version,
                purpose,
                expires_at: self.ports.clock.now() + ttl,
            })
            .await?;
        Ok(token)
    }

    /// Sets a new password with the token of a reset or welcome link (`purpose`); the token
    /// is consumed. The link proves the email address, so an account awaiting confirmation is
    /// confirmed too.
    ///
    /// # Errors
    /// [`AuthError::InvalidResetToken`] for an unknown, used or expired token, one of another
    /// purpose, a confirmation link, one made before the account's password last changed, or
    /// one of an account deleted or re-created since; [`AuthError::WeakPassword`] when the new
    /// password breaks the policy (the token is then kept, so the person can try another
    /// password).
    pub async fn reset_password(
        &self,
        token: &str,
        purpose: TokenPurpose,
        new: &str,
    ) -> Result<(), AuthError> {
        if purpose == TokenPurpose::Confirm {
            return Err(AuthError::InvalidResetToken);
        }
        let (stored, user) = self.take_link(token, purpose).await?;
        let new = match NewPassword::parse(new, Some(user.username.as_str())) {
            Ok(new) => new,
            Err(reason) => {
                self.ports.tokens.put(&stored).await?;
                return Err(AuthError::WeakPassword(reason));
            }
        };
        self.set_password(user, &new)
            .await
            .map_err(|err| match err {
                // The password changed (or the account went) between the read and the write.
                AuthError::Conflict(_) | AuthError::NotFound => AuthError::InvalidResetToken,
                other => other,
            })?;
        Ok(())
    }

    /// Consumes the token of a link of `purpose` and returns it with its account.
    ///
    /// # Errors
    /// [`AuthError::InvalidResetToken`] for an unknown, used or expired token, one of another
    /// purpose (which is kept for the page it belongs to), or one whose account was deleted,
    /// re-created or had its password changed since the link was made.
    pub(super) async fn take_link(
        &self,
        token: &str,
        purpose: TokenPurpose,
    ) -> Result<(OneTimeToken, User), AuthError> {
        let hash = random::sha256_hex(token);
        let stored = self
            .ports
            .tokens
            .take(&hash)
            .await?
            .ok_or(AuthError::InvalidResetToken)?;
        if stored.expires_at <= self.ports.clock.now() {
            return Err(AuthError::InvalidResetToken);
        }
        if stored.purpose != purpose {
            self.ports.tokens.put(&stored).await?;
            return Err(AuthError::InvalidResetToken);
        }
        let user = self
            .ports
            .users
            .get(&stored.username)
            .await?
            .filter(|u| u.id == stored.account_id && u.token_version == stored.token_version)
            .ok_or(AuthError::InvalidResetToken)?;
        Ok((stored, user))
    }

    /// Saves a new password and raises the token version, which ends every session and
    /// every outstanding welcome, reset or confirmation link of the account; only if nothing
    /// else changed the credentials since `user` was read. Only a link to the account's email
    /// or its holder signed in gets here, so the address counts as confirmed.
    async fn set_password(&self, mut user: User, new: &NewPassword) -> Result<User, AuthError> {
        let read_version = user.token_version;
        user.password_hash = self.ports.hasher.hash(new.expose().to_owned()).await?;
        user.token_version = user.token_version.wrapping_add(1);
        user.must_change_password = false;
        user.awaiting_confirmation = false;
        self.ports
            .users
            .save_credentials(&user, read_version)
            .await?;
        Ok(user)
    }
}

//! Password changes: by the account holder, and by a single-use emailed link.

use super::{AuthError, AuthService, LoginOutcome, random};
use crate::domain::{Email, NewPassword, User};
use crate::ports::{OneTimeToken, OutgoingEmail, TokenPurpose};

impl AuthService {
    /// Changes the caller's password; every older token stops working and a new one is issued.
    ///
    /// # Errors
    /// [`AuthError::InvalidCredentials`] when the current password is wrong,
    /// [`AuthError::WeakPassword`] when the new one breaks the policy.
    pub async fn change_password(
        &self,
        caller: User,
        current: &str,
        new: &str,
    ) -> Result<LoginOutcome, AuthError> {
        let matches = self
            .ports
            .hasher
            .verify(current.to_owned(), caller.password_hash.clone())
            .await?;
        if !matches {
            return Err(AuthError::InvalidCredentials);
        }
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
        self.issue(user)
    }

    /// Emails a single-use reset link when the address belongs to an account. Callers answer
    /// the same whatever happens, so nobody learns which addresses exist.
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
        let token = random::token();
        self.ports
            .tokens
            .put(&OneTimeToken {
                hash: random::sha256_hex(&token),
                username: user.username.clone(),
                purpose: TokenPurpose::Reset,
                expires_at: self.ports.clock.now() + self.config.reset_ttl,
            })
            .await?;
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

    /// Sets a new password with a reset or welcome link's token; the token is consumed.
    ///
    /// # Errors
    /// [`AuthError::InvalidResetToken`] for an unknown, used or expired token,
    /// [`AuthError::WeakPassword`] when the new password breaks the policy (the token is then
    /// kept, so the person can try another password).
    pub async fn reset_password(&self, token: &str, new: &str) -> Result<(), AuthError> {
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
        let user = self
            .ports
            .users
            .get(&stored.username)
            .await?
            .ok_or(AuthError::InvalidResetToken)?;
        let new = match NewPassword::parse(new, Some(user.username.as_str())) {
            Ok(new) => new,
            Err(reason) => {
                self.ports.tokens.put(&stored).await?;
                return Err(AuthError::WeakPassword(reason));
            }
        };
        self.set_password(user, &new).await?;
        Ok(())
    }

    async fn set_password(&self, mut user: User, new: &NewPassword) -> Result<User, AuthError> {
        user.password_hash = self.ports.hasher.hash(new.expose().to_owned()).await?;
        user.token_version = user.token_version.wrapping_add(1);
        user.must_change_password = false;
        self.ports.users.save_credentials(&user).await?;
        Ok(user)
    }
}

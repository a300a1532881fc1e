//! Admin use cases: create and list accounts, and the first admin at start-up (deletion is in
//! `deletion.rs`).

use super::login::require_admin;
use super::{AuthError, AuthService, random};
use crate::domain::{Email, NewPassword, Role, User, Username};
use crate::ports::{OutgoingEmail, TokenPurpose};
use uuid::Uuid;

/// How the first admin's password was chosen at bootstrap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootstrapOutcome {
    /// Accounts already exist; nothing was done.
    AlreadyInitialised,
    /// The admin was created with the configured password.
    Created,
    /// The admin was created with this generated password, to be shown once.
    CreatedWithGeneratedPassword(String),
}

impl AuthService {
    /// Creates the first admin when there are no accounts at all.
    ///
    /// # Errors
    /// [`AuthError::Invalid`] or [`AuthError::WeakPassword`] for bad configuration.
    pub async fn bootstrap_admin(
        &self,
        username: &str,
        email: &str,
        password: Option<&str>,
    ) -> Result<BootstrapOutcome, AuthError> {
        if !self.ports.users.list().await?.is_empty() {
            return Ok(BootstrapOutcome::AlreadyInitialised);
        }
        let username = Username::parse(username).map_err(AuthError::Invalid)?;
        let email = Email::parse(email).map_err(AuthError::Invalid)?;
        let (password, generated) = match password {
            Some(given) => (given.to_owned(), false),
            None => (random::token(), true),
        };
        let password = NewPassword::parse(&password, Some(username.as_str()))
            .map_err(AuthError::WeakPassword)?;
        let user = self
            .new_user(username, email, Role::Admin, &password, false)
            .await?;
        self.ports.users.create(&user).await?;
        Ok(if generated {
            BootstrapOutcome::CreatedWithGeneratedPassword(password.expose().to_owned())
        } else {
            BootstrapOutcome::Created
        })
    }

    /// Creates an account with a one-time password, and emails it with a link to set one's own.
    ///
    /// # Errors
    /// [`AuthError::Forbidden`] for non-admins, [`AuthError::Invalid`] for bad fields,
    /// [`AuthError::Conflict`] when the name or email is taken.
    pub async fn create_user(
        &self,
        caller: &User,
        username: &str,
        email: &str,
        role: Role,
    ) -> Result<User, AuthError> {
        require_admin(caller)?;
        let (user, one_time) = self
            .create_with_one_time_password(username, email, role)
            .await?;
        let link_token = self.put_link(&user, TokenPurpose::Welcome).await?;
        let text = format!(
            "Hello {name},\n\nAn administrator created a Facelens account for you.\n\n\
             Username: {name}\nOne-time password: {one_time}\n\n\
             Sign in at {url}/ and choose your own password,\n\
             or set it directly with this link (it works once, for {hours} hours):\n\n\
             {url}/#/reset?token={link_token}&purpose=welcome\n",
            name = user.username,
            url = self.config.public_url,
            hours = self.config.welcome_ttl.whole_hours(),
        );
        self.ports
            .mailer
            .send(&OutgoingEmail {
                to: user.email.clone(),
                subject: "Your Facelens account".into(),
                text,
            })
            .await?;
        Ok(user)
    }

    /// All accounts.
    ///
    /// # Errors
    /// [`AuthError::Forbidden`] for non-admins.
    pub async fn list_users(&self, caller: &User) -> Result<Vec<User>, AuthError> {
        require_admin(caller)?;
        Ok(self.ports.users.list().await?)
    }

    /// Creates an account with a one-time password that must be changed at first sign-in,
    /// after erasing what an earlier account of the name left; returns it with the password.
    pub(super) async fn create_with_one_time_password(
        &self,
        username: &str,
        email: &str,
        role: Role,
    ) -> Result<(User, String), AuthError> {
        let username = Username::parse(username).map_err(AuthError::Invalid)?;
        let email = Email::parse(email).map_err(AuthError::Invalid)?;
        self.erase_previous_holder(&username).await?;
        let one_time = random::one_time_password();
        let password = NewPassword::parse(&one_time, None).map_err(AuthError::WeakPassword)?;
        let user = self
            .new_user(username, email, role, &password, true)
            .await?;
        self.ports.users.create(&user).await?;
        Ok((user, one_time))
    }

    pub(super) async fn new_user(
        &self,
        username: Username,
        email: Email,
        role: Role,
        password: &NewPassword,
        must_change_password: bool,
    ) -> Result<User, AuthError> {
        let password_hash = self.ports.hasher.hash(password.expose().to_owned()).await?;
        Ok(self.user_with_hash(username, email, role, password_hash, must_change_password))
    }

    /// A new account, made now, whose password has the argon2id hash `password_hash`.
    pub(super) fn user_with_hash(
        &self,
        username: Username,
        email: Email,
        role: Role,
        password_hash: String,
        must_change_password: bool,
    ) -> User {
        User {
            api_tokens: Vec::new(),
            id: Uuid::new_v4(),
            username,
            email,
            role,
            password_hash,
            token_version: 0,
            must_change_password,
            awaiting_confirmation: false,
            created_at: self.ports.clock.now(),
        }
    }
}

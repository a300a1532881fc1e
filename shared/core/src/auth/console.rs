//! The operator at the server's console (`facelens users ...`): someone with the machine and
//! its data directory, so no caller is checked and nothing is mailed; the one-time password
//! that would be emailed is returned, to be shown once.

use super::{AuthError, AuthService, random};
use crate::domain::{NewPassword, Role, User, Username};

impl AuthService {
    /// Every account, for the console.
    ///
    /// # Errors
    /// [`AuthError::Internal`] when the store fails.
    pub async fn users_at_console(&self) -> Result<Vec<User>, AuthError> {
        Ok(self.ports.users.list().await?)
    }

    /// Creates an account whose one-time password (returned) must be changed at its first
    /// sign-in.
    ///
    /// # Errors
    /// [`AuthError::Invalid`] for bad fields, [`AuthError::Conflict`] when the name or email
    /// is taken.
    pub async fn create_user_at_console(
        &self,
        username: &str,
        email: &str,
        role: Role,
    ) -> Result<(User, String), AuthError> {
        self.create_with_one_time_password(username, email, role)
            .await
    }

    /// Gives `username` a new one-time password (returned), to be changed at the next sign-in;
    /// every token issued before stops working.
    ///
    /// # Errors
    /// [`AuthError::Invalid`] for a malformed name, [`AuthError::NotFound`] when there is no
    /// such account.
    pub async fn reset_password_at_console(&self, username: &str) -> Result<String, AuthError> {
        let username = Username::parse(username).map_err(AuthError::Invalid)?;
        let mut user = self
            .ports
            .users
            .get(&username)
            .await?
            .ok_or(AuthError::NotFound)?;
        let one_time = random::one_time_password();
        let password = NewPassword::parse(&one_time, None).map_err(AuthError::WeakPassword)?;
        let read_version = user.token_version;
        user.password_hash = self.ports.hasher.hash(password.expose().to_owned()).await?;
        user.token_version = user.token_version.wrapping_add(1);
        user.must_change_password = true;
        self.ports
            .users
            .save_credentials(&user, read_version)
            .await?;
        Ok(one_time)
    }
}

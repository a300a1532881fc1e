//! Deleting accounts, by an admin or by their holder, with all their data: the account goes
//! at once (its tokens stop working) and its purge is recorded in the same write; the data is
//! then erased here within a time budget, and whatever a crash or the budget leaves is
//! finished by the next deletion of an account, or before its name is given to a new one
//! (and, locally, by the server's purge task).

use super::login::require_admin;
use super::{AuthError, AuthService};
use crate::analysis::PurgeService;
use crate::domain::{User, Username};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Time a request spends erasing data before it answers (the auth Lambda has 10 s in all).
const PURGE_BUDGET: Duration = Duration::from_secs(4);

impl AuthService {
    /// Erases the data of deleted accounts with `purge`; without it, deletions only record
    /// their purges (for deployments where no process holds the photo store).
    #[must_use]
    pub fn with_purge(mut self, purge: Arc<PurgeService>) -> Self {
        self.purge = Some(purge);
        self
    }

    /// Deletes an account and all its data; its tokens stop working at once.
    ///
    /// # Errors
    /// [`AuthError::Forbidden`] for non-admins, [`AuthError::NotFound`], and
    /// [`AuthError::Conflict`] for the last admin.
    pub async fn delete_user(&self, caller: &User, username: &str) -> Result<(), AuthError> {
        require_admin(caller)?;
        let username = Username::parse(username).map_err(|_| AuthError::NotFound)?;
        self.remove_account(&username).await
    }

    /// Deletes the caller's own account and all its data, once the password is confirmed.
    ///
    /// # Errors
    /// [`AuthError::InvalidCredentials`] for a wrong password, [`AuthError::Throttled`] after
    /// too many from `client`, [`AuthError::Conflict`] for the
    /// last admin, [`AuthError::NotFound`] when the account went meanwhile.
    pub async fn delete_own_account(
        &self,
        caller: &User,
        password: &str,
        client: IpAddr,
    ) -> Result<(), AuthError> {
        self.confirm_password(caller, password, client).await?;
        self.remove_account(&caller.username).await
    }

    pub(super) async fn remove_account(&self, username: &Username) -> Result<(), AuthError> {
        self.ports.users.delete(username).await?;
        let Some(purge) = &self.purge else {
            return Ok(());
        };
        // The account is gone and its purge recorded: a failure here is finished later, and
        // the caller is told the account is deleted, which it is.
        match purge.purge(username, PURGE_BUDGET).await {
            Ok(true) => {
                if let Err(err) = purge.resume(PURGE_BUDGET / 2).await {
                    tracing::warn!(error = %err, "resuming earlier purges failed");
                }
            }
            Ok(false) => tracing::info!(owner = %username, "purge continues later"),
            Err(err) => tracing::warn!(owner = %username, error = %err, "purge continues later"),
        }
        Ok(())
    }

    /// Before a name is given to a new account, the data of a deleted account of that name is
    /// erased, so the new holder never sees it.
    ///
    /// # Errors
    /// [`AuthError::Conflict`] when that erasure is not over within the budget.
    pub(super) async fn erase_previous_holder(&self, username: &Username) -> Result<(), AuthError> {
        let Some(purge) = &self.purge else {
            return Ok(());
        };
        let internal = |e: crate::analysis::AnalysisError| AuthError::Internal(e.to_string());
        if !purge.is_pending(username).await.map_err(internal)? {
            return Ok(());
        }
        if purge
            .purge(username, PURGE_BUDGET)
            .await
            .map_err(internal)?
        {
            Ok(())
        } else {
            Err(AuthError::Conflict(
                "the data of an earlier account with this name is still being erased; try again in a minute".into(),
            ))
        }
    }
}

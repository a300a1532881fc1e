//! Live alerts as emails to every admin: how the local server delivers them (its mailer writes
//! the outbox).

use super::ports::{LiveAlert, LiveAlertSink};
use crate::domain::Role;
use crate::ports::{Mailer, OutgoingEmail, StoreError, UserStore};
use async_trait::async_trait;
use std::sync::Arc;

/// Emails each live alert to every admin account.
pub struct MailAdmins {
    users: Arc<dyn UserStore>,
    mailer: Arc<dyn Mailer>,
}

impl MailAdmins {
    /// Alerts through `mailer` to the admins of `users`.
    pub fn new(users: Arc<dyn UserStore>, mailer: Arc<dyn Mailer>) -> Self {
        Self { users, mailer }
    }
}

#[async_trait]
impl LiveAlertSink for MailAdmins {
    async fn notify(&self, alert: &LiveAlert) -> Result<(), StoreError> {
        for admin in self
            .users
            .list()
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Admin)
        {
            let email = OutgoingEmail {
                to: admin.email,
                subject: alert.subject(),
                text: alert.text(),
            };
            self.mailer
                .send(&email)
                .await
                .map_err(|err| StoreError::Unavailable(err.to_string()))?;
        }
        Ok(())
    }
}

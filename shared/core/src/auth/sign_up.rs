//! Sign-up, where the operator opens it: anyone may ask for an account, which can sign in
//! once its holder confirms the email address with a single-use link.
//!
//! The answer never says whether the email belongs to an account: the checks made before
//! answering ([`AuthService::admit_sign_up`]) look only at the form, the throttle and the
//! name; the rest ([`AuthService::complete_sign_up`]) runs in the background and either makes
//! the account and mails its link, or tells the email's holder that someone tried.

use super::{AuthError, AuthService, ThrottleKey};
use crate::domain::{Email, NewPassword, Role, User, Username};
use crate::ports::{OutgoingEmail, SignInMethod, StoreError, TokenPurpose};
use std::net::IpAddr;
use std::str::FromStr;

/// How long past its link's expiry an unconfirmed account keeps its name and email: no link
/// of it works any more by then.
const ABANDONED_AFTER_LINK: time::Duration = time::Duration::HOUR;

/// Who may create an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignUpPolicy {
    /// Only admins create accounts (the default).
    #[default]
    InviteOnly,
    /// Anyone may sign up, and must confirm the email address before signing in.
    Open,
}

impl FromStr for SignUpPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "invite-only" => Ok(Self::InviteOnly),
            "open" => Ok(Self::Open),
            other => Err(format!(
                "sign-up must be invite-only or open, not {other:?}"
            )),
        }
    }
}

/// A sign-up that passed the checks made before answering, its password hashed; finish it
/// with [`AuthService::complete_sign_up`].
pub struct AdmittedSignUp {
    username: Username,
    email: Email,
    password_hash: String,
    client: IpAddr,
}

impl AuthService {
    /// Checks a sign-up before answering it: sign-up is open, the fields follow the rules of
    /// names, emails and passwords, the client address and the email may try again, and the
    /// name is free; then hashes the password, so that what is left for the background is
    /// short (on Lambda it must end before the answer freezes the sandbox). Nothing here
    /// depends on whether the email belongs to an account.
    ///
    /// # Errors
    /// [`AuthError::SignUpClosed`] where only admins create accounts, [`AuthError::Invalid`]
    /// or [`AuthError::WeakPassword`] for a field, [`AuthError::Throttled`] while the address
    /// or the email must wait (counted before the name is looked at, so probing names is
    /// throttled too), [`AuthError::UsernameTaken`], [`AuthError::Busy`] while too many
    /// passwords are being hashed.
    pub async fn admit_sign_up(
        &self,
        username: &str,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<AdmittedSignUp, AuthError> {
        if self.config.sign_up != SignUpPolicy::Open {
            return Err(AuthError::SignUpClosed);
        }
        let username = Username::parse(username).map_err(AuthError::Invalid)?;
        let email = Email::parse(email).map_err(AuthError::Invalid)?;
        let password = NewPassword::parse(password, Some(username.as_str()))
            .map_err(AuthError::WeakPassword)?;
        let rules = self.config.throttle;
        let keys = [
            (ThrottleKey::SignUpClient(client), rules.sign_up_per_client),
            (ThrottleKey::SignUp(email.clone()), rules.sign_up_per_email),
        ];
        if let Err(err) = self.count_attempt(&keys).await {
            if matches!(err, AuthError::Throttled { .. }) {
                self.audit_sign_up(&username, client, false, "throttled")
                    .await?;
            }
            return Err(err);
        }
        if let Some(holder) = self.ports.users.get(&username).await?
            && !self.release_abandoned(&holder).await?
        {
            self.audit_sign_up(&username, client, false, "username_taken")
                .await?;
            return Err(AuthError::UsernameTaken);
        }
        let password_hash = self.ports.hasher.hash(password.expose().to_owned()).await?;
        Ok(AdmittedSignUp {
            username,
            email,
            password_hash,
            client,
        })
    }

    /// Finishes an admitted sign-up. When the email is free, makes the account (awaiting
    /// confirmation) and mails its confirmation link; when it belongs to an account, mails
    /// that account's holder that someone tried, and makes nothing. Callers run it in the
    /// background and answer the same whatever happens.
    ///
    /// # Errors
    /// [`AuthError::Conflict`] when the name was taken meanwhile, [`AuthError::Internal`]
    /// when a store or the mailer fails.
    pub async fn complete_sign_up(&self, sign_up: AdmittedSignUp) -> Result<(), AuthError> {
        let AdmittedSignUp {
            username,
            email,
            password_hash,
            client,
        } = sign_up;
        if let Some(holder) = self.ports.users.find_by_email(&email).await?
            && !self.release_abandoned(&holder).await?
        {
            self.audit_sign_up(&username, client, false, "email_taken")
                .await?;
            self.ports.mailer.send(&self.taken_notice(&holder)).await?;
            return Ok(());
        }
        self.erase_previous_holder(&username).await?;
        let mut user = self.user_with_hash(username, email, Role::User, password_hash, false);
        user.awaiting_confirmation = true;
        self.ports.users.create(&user).await?;
        self.audit_sign_up(&user.username, client, true, "registered")
            .await?;
        let token = self.put_link(&user, TokenPurpose::Confirm).await?;
        let text = format!(
            "Hello {name},\n\nYou asked for a Facelens account named {name}.\n\
             Confirm this email address with this link within {hours} hours\n\
             (it works once); then sign in with your name and password:\n\n\
             {url}/#/confirm?token={token}\n\n\
             If it was not you, ignore this email: the account cannot be used\n\
             without this link, and its name is freed after {freed} hours.\n",
            name = user.username,
            hours = self.config.confirm_ttl.whole_hours(),
            freed = (self.config.confirm_ttl + ABANDONED_AFTER_LINK).whole_hours(),
            url = self.config.public_url,
        );
        self.ports
            .mailer
            .send(&OutgoingEmail {
                to: user.email,
                subject: "Confirm your Facelens account".into(),
                text,
            })
            .await?;
        Ok(())
    }

    /// Confirms the email address of an account made by sign-up, with the token of its
    /// emailed link; the token is consumed, and the account may sign in from now on.
    ///
    /// # Errors
    /// [`AuthError::InvalidResetToken`] for an unknown, used or expired token, one of
    /// another purpose, or one of an account deleted or re-created since.
    pub async fn confirm_email(&self, token: &str, client: IpAddr) -> Result<(), AuthError> {
        let (_, mut user) = self.take_link(token, TokenPurpose::Confirm).await?;
        if !user.awaiting_confirmation {
            // Confirmed already, by a password reset (its link proves the same).
            return Ok(());
        }
        let read_version = user.token_version;
        user.awaiting_confirmation = false;
        user.token_version = user.token_version.wrapping_add(1);
        self.ports
            .users
            .save_credentials(&user, read_version)
            .await
            .map_err(|err| match err {
                // The password changed (which confirmed it) or the account went meanwhile.
                StoreError::Conflict(_) | StoreError::NotFound => AuthError::InvalidResetToken,
                unavailable => unavailable.into(),
            })?;
        self.audit_sign_up(&user.username, client, true, "confirmed")
            .await
    }

    /// Removes an account made by sign-up that was never confirmed and whose link has
    /// expired, so its name and email may be asked for again. True when it is gone.
    async fn release_abandoned(&self, holder: &User) -> Result<bool, AuthError> {
        let abandoned_at = holder.created_at + self.config.confirm_ttl + ABANDONED_AFTER_LINK;
        if !holder.awaiting_confirmation || self.ports.clock.now() < abandoned_at {
            return Ok(false);
        }
        match self.remove_account(&holder.username).await {
            Ok(()) | Err(AuthError::NotFound) => Ok(true),
            Err(other) => Err(other),
        }
    }

    /// Records a step of a sign-up in the audit (`method: "sign-up"`).
    async fn audit_sign_up(
        &self,
        name: &Username,
        client: IpAddr,
        success: bool,
        reason: &str,
    ) -> Result<(), AuthError> {
        self.audit_as(SignInMethod::SignUp, name, client, success, reason)
            .await
    }

    /// The email to the holder of an address someone tried to sign up with.
    fn taken_notice(&self, holder: &User) -> OutgoingEmail {
        let state = if holder.awaiting_confirmation {
            "It already belongs to an account waiting for confirmation: use the\n\
             link in the email we sent when it was made."
        } else {
            "It already belongs to your account; no new account was made.\n\
             If you forgot your password, ask for a reset link on the sign-in page."
        };
        let text = format!(
            "Hello {name},\n\nSomeone asked to create a Facelens account with this email address.\n\
             {state}\n\nSign in at {url}/\n\n\
             If it was not you, ignore this email; nothing changed.\n",
            name = holder.username,
            url = self.config.public_url,
        );
        OutgoingEmail {
            to: holder.email.clone(),
            subject: "Someone tried to sign up with your email".into(),
            text,
        }
    }
}

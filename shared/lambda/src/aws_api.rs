//! What the HTTP functions on AWS share beyond serving: the token signing secret's source
//! (the auth function's only), required settings, and the token checks of the uploads and
//! analyses functions, which read accounts and the published public keys from DynamoDB but
//! sign nothing and send no email.

use crate::setting;
use anyhow::{Context, bail};
use async_trait::async_trait;
use facelens_api::hashing::Argon2Hasher;
use facelens_aws::{Aws, DynamoDb};
use facelens_core::auth::{AuthConfig, AuthPorts, AuthService, TokenKeys, TokenSigner};
use facelens_core::ports::{MailError, Mailer, OutgoingEmail};
use facelens_core::secret::Secret;
use std::sync::Arc;

/// Where the secret comes from that the auth function derives its Ed25519 token signing key
/// from. The other functions never read it: they verify with the public key the auth function
/// publishes in the table.
#[derive(Debug, Clone)]
pub enum JwtSecretSource {
    /// Given directly (`FACELENS_JWT_SECRET`).
    Value(Secret<Vec<u8>>),
    /// Read from Secrets Manager at cold start (`FACELENS_JWT_SECRET_ARN`, name or ARN).
    SecretsManager(String),
}

impl JwtSecretSource {
    /// `FACELENS_JWT_SECRET` when set, else `FACELENS_JWT_SECRET_ARN`.
    ///
    /// # Errors
    /// When neither is set.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        match (
            setting(lookup, "FACELENS_JWT_SECRET"),
            setting(lookup, "FACELENS_JWT_SECRET_ARN"),
        ) {
            (Some(value), _) => Ok(Self::Value(Secret::new(value.into_bytes()))),
            (None, Some(arn)) => Ok(Self::SecretsManager(arn)),
            (None, None) => bail!(
                "set FACELENS_JWT_SECRET_ARN (Secrets Manager) or FACELENS_JWT_SECRET \
                 (32 bytes or more)"
            ),
        }
    }

    /// Whether reading the key needs AWS.
    pub fn needs_aws(&self) -> bool {
        matches!(self, Self::SecretsManager(_))
    }

    /// The signing key, reading Secrets Manager when that is the source.
    ///
    /// # Errors
    /// When the secret cannot be read, is too short, or needs AWS and `aws` is `None`.
    pub async fn signer(&self, aws: Option<&Aws>) -> anyhow::Result<TokenSigner> {
        let secret = match self {
            Self::Value(secret) => secret.clone(),
            Self::SecretsManager(id) => {
                aws.context(
                    "the token signing secret is in Secrets Manager, but no AWS configuration \
                     was given",
                )?
                .read_secret(id)
                .await?
            }
        };
        Ok(TokenSigner::from_secret(secret.expose())?)
    }
}

/// A setting the function cannot start without.
///
/// # Errors
/// When it is missing or blank.
pub fn required(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> anyhow::Result<String> {
    setting(lookup, name).with_context(|| format!("{name} must be set"))
}

/// The mailer of functions that send no email: account emails are the auth function's job.
struct NoMail;

#[async_trait]
impl Mailer for NoMail {
    async fn send(&self, _email: &OutgoingEmail) -> Result<(), MailError> {
        Err(MailError("this function sends no email".into()))
    }
}

/// Token checks for a function that serves signed-in users from the accounts in `table`,
/// verifying with the public keys published there. Nothing is read until the first token
/// arrives, so the cold start makes no call.
pub fn token_checks(table: &DynamoDb) -> Arc<AuthService> {
    let keys = TokenKeys::verifying(Arc::new(table.clone()));
    let ports = AuthPorts::on_store(
        Arc::new(table.clone()),
        Arc::new(NoMail),
        Arc::new(Argon2Hasher),
    );
    Arc::new(AuthService::new(
        ports,
        keys,
        AuthConfig::new(String::new()),
    ))
}

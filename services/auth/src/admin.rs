//! The first admin of a deployed stack, created from an operator's machine (`auth-admin`).

use async_trait::async_trait;
use facelens_api::hashing::Argon2Hasher;
use facelens_aws::DynamoDb;
use facelens_core::auth::{AuthConfig, AuthService, BootstrapOutcome, TokenKeys, TokenSigner};
use facelens_core::ports::{MailError, Mailer, OutgoingEmail};
use rand::RngCore;
use std::sync::Arc;

/// Creates the admin `username` in `store` when the table holds no account at all; does
/// nothing otherwise. Without `password` a strong one is generated and returned, to be shown
/// once to the operator.
///
/// # Errors
/// When the store fails, or the name, email or password is refused.
pub async fn create_first_admin(
    store: &DynamoDb,
    username: &str,
    email: &str,
    password: Option<&str>,
) -> anyhow::Result<BootstrapOutcome> {
    let ports = store.auth_ports(Arc::new(NoMail), Arc::new(Argon2Hasher));
    // Creating an account signs no token, so a throwaway key is enough.
    let mut key = vec![0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let keys = TokenKeys::own(TokenSigner::from_secret(&key)?);
    let service = AuthService::new(ports, keys, AuthConfig::new(""));
    Ok(service.bootstrap_admin(username, email, password).await?)
}

/// Bootstrapping sends no email; this refuses, should that ever change.
struct NoMail;

#[async_trait]
impl Mailer for NoMail {
    async fn send(&self, _email: &OutgoingEmail) -> Result<(), MailError> {
        Err(MailError("auth-admin sends no email".into()))
    }
}

//! The password-hasher port, running argon2id on tokio's blocking pool so a sign-in does not
//! stall other requests.

use async_trait::async_trait;
use facelens_core::auth::argon2id;
use facelens_core::ports::{HashError, PasswordHasher};

/// argon2id with OWASP parameters, off the async executor.
#[derive(Debug, Default, Clone, Copy)]
pub struct Argon2Hasher;

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: String) -> Result<String, HashError> {
        tokio::task::spawn_blocking(move || argon2id::hash(&password))
            .await
            .map_err(|e| HashError(e.to_string()))?
    }

    async fn verify(&self, password: String, phc: String) -> Result<bool, HashError> {
        tokio::task::spawn_blocking(move || argon2id::verify(&password, &phc))
            .await
            .map_err(|e| HashError(e.to_string()))?
    }
}

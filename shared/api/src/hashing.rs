//! The password-hasher port, running argon2id on tokio's blocking pool so a sign-in does not
//! stall other requests, with a cap on how many hashes run at once.
//!
//! Each argon2id hash holds 19 MiB for its duration. Without a cap, a flood of sign-ins
//! would start one hash per request on the blocking pool (up to 512 threads: about 10 GB),
//! and the process would be killed for memory. With the cap, at most
//! [`MAX_CONCURRENT_HASHES`] run; the others wait up to [`MAX_WAIT`] for a slot and are then
//! answered 503 with `Retry-After`.

use async_trait::async_trait;
use facelens_core::auth::argon2id;
use facelens_core::ports::{HashError, PasswordHasher};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Hashes that may run at once in one process (4 × 19 MiB = 76 MiB at most).
pub const MAX_CONCURRENT_HASHES: usize = 4;

/// How long a request waits for a hashing slot before it is refused as busy.
pub const MAX_WAIT: Duration = Duration::from_secs(3);

/// The slots, shared by every hasher of the process.
static SLOTS: Semaphore = Semaphore::const_new(MAX_CONCURRENT_HASHES);

/// argon2id with OWASP parameters, off the async executor, at most
/// [`MAX_CONCURRENT_HASHES`] at once in the process.
#[derive(Debug, Default, Clone, Copy)]
pub struct Argon2Hasher;

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: String) -> Result<String, HashError> {
        let slot = slot().await?;
        tokio::task::spawn_blocking(move || {
            let _held = slot;
            argon2id::hash(&password)
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))?
    }

    async fn verify(&self, password: String, phc: String) -> Result<bool, HashError> {
        let slot = slot().await?;
        tokio::task::spawn_blocking(move || {
            let _held = slot;
            argon2id::verify(&password, &phc)
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))?
    }
}

/// Waits for a hashing slot, at most [`MAX_WAIT`]. The permit moves into the blocking task,
/// so a request cancelled mid-hash still holds its slot until the hash ends.
async fn slot() -> Result<SemaphorePermit<'static>, HashError> {
    match tokio::time::timeout(MAX_WAIT, SLOTS.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_closed)) => Err(HashError::Failed("hashing slots closed".into())),
        Err(_elapsed) => Err(HashError::Busy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;
    use facelens_core::auth::AuthError;

    #[tokio::test]
    async fn when_every_slot_is_taken_a_request_waits_then_gets_503_with_retry_after() {
        let all = SLOTS
            .acquire_many(MAX_CONCURRENT_HASHES as u32)
            .await
            .expect("every slot");
        let start = std::time::Instant::now();
        let err = Argon2Hasher
            .verify("guess".into(), "not a phc".into())
            .await
            .expect_err("no slot came free");
        assert!(matches!(err, HashError::Busy), "{err:?}");
        assert!(start.elapsed() >= MAX_WAIT, "it waited for a slot first");

        let response = crate::ApiError::from(AuthError::from(err)).into_response();
        assert_eq!(
            response.status(),
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(response.headers()["retry-after"], "1");

        drop(all);
        let ok = Argon2Hasher
            .verify("guess".into(), "not a phc".into())
            .await;
        assert!(matches!(ok, Ok(false)), "with a slot free the work runs");
    }
}

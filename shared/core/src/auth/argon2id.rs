//! argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), stored as PHC strings.
//! These functions are CPU-bound (tens of milliseconds); async callers run them off the
//! executor through a [`crate::ports::PasswordHasher`] adapter.

use crate::ports::HashError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Memory cost in KiB (OWASP: 19 MiB).
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Passes over memory.
pub const ITERATIONS: u32 = 2;
/// Lanes.
pub const PARALLELISM: u32 = 1;

fn argon2() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| HashError::Failed(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with a fresh random salt.
///
/// # Errors
/// [`HashError`] when the parameters or the salt are refused.
pub fn hash(password: &str) -> Result<String, HashError> {
    let mut salt_bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| HashError::Failed(e.to_string()))?;
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError::Failed(e.to_string()))
}

/// Whether `password` matches the PHC string; a malformed PHC string is a mismatch.
///
/// # Errors
/// [`HashError`] when the parameters are refused.
pub fn verify(password: &str, phc: &str) -> Result<bool, HashError> {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return Ok(false);
    };
    Ok(argon2()?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_with_owasp_parameters() {
        let phc = hash("correct horse").expect("hashes");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse", &phc).expect("verifies"));
        assert!(!verify("wrong horse", &phc).expect("verifies"));
    }

    #[test]
    fn same_password_gets_different_salts() {
        assert_ne!(hash("same").expect("hash"), hash("same").expect("hash"));
    }

    #[test]
    fn malformed_hashes_do_not_match() {
        assert!(!verify("x", "not a phc string").expect("no error"));
    }
}

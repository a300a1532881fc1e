//! The local JWT secret: from `FACELENS_JWT_SECRET`, else 32 random bytes kept in
//! `<data-dir>/jwt-secret` (mode 0600) so tokens survive restarts.

use anyhow::{Context, bail};
use rand::RngCore;
use std::io::Write;
use std::path::Path;

/// Reads or creates the signing secret.
///
/// # Errors
/// When the file cannot be read or written, or a configured secret is too short.
pub fn jwt_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(configured) = std::env::var("FACELENS_JWT_SECRET") {
        if configured.len() < 32 {
            bail!("FACELENS_JWT_SECRET must be at least 32 bytes");
        }
        return Ok(configured.into_bytes());
    }
    let path = data_dir.join("jwt-secret");
    if path.exists() {
        return std::fs::read(&path).with_context(|| format!("reading {}", path.display()));
    }
    let mut secret = vec![0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(&secret)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(secret)
}

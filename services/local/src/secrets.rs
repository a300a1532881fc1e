//! Local secrets (the token key, the object-URL signing key): from an environment variable,
//! else 32 random bytes kept in a file of the data directory (mode 0600) so tokens and URLs
//! survive restarts.

use anyhow::{Context, bail};
use rand::RngCore;
use std::io::Write;
use std::path::Path;

/// Reads the secret from `env_var`, or from `<data_dir>/<file>`, creating it if missing.
///
/// # Errors
/// When the file cannot be read or written, or a configured secret is too short.
pub fn load_or_create(data_dir: &Path, file: &str, env_var: &str) -> anyhow::Result<Vec<u8>> {
    if let Ok(configured) = std::env::var(env_var) {
        if configured.len() < 32 {
            bail!("{env_var} must be at least 32 bytes");
        }
        return Ok(configured.into_bytes());
    }
    let path = data_dir.join(file);
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

//! The auth Lambda's wiring. Until the AWS adapters land (DynamoDB and SESv2, issue 5) the
//! function keeps accounts in the embedded database under `FACELENS_DATA_DIR`, which makes it
//! runnable under `cargo lambda watch` with no AWS account; on AWS that directory is the
//! sandbox's `/tmp` and does not persist.

use anyhow::Context;
use axum::Router;
use facelens_api::auth::{self, AuthState};
use facelens_api::hashing::Argon2Hasher;
use facelens_api::layers;
use facelens_core::auth::{AuthConfig, AuthService, JwtKeys};
use facelens_core::secret::Secret;
use facelens_local::{FileOutbox, LocalDb};
use std::path::PathBuf;
use std::sync::Arc;

/// The function's configuration, read once at cold start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the embedded database and the outbox live (`FACELENS_DATA_DIR`, default `/tmp/facelens`).
    pub data_dir: PathBuf,
    /// The site's URL for links in emails (`FACELENS_PUBLIC_URL`).
    pub public_url: String,
    /// Sender of account emails (`FACELENS_MAIL_FROM`).
    pub mail_from: String,
    /// HS256 key (`FACELENS_JWT_SECRET`, at least 32 bytes).
    pub jwt_secret: Secret<Vec<u8>>,
    /// First admin `(username, email, password)` when no account exists (`FACELENS_ADMIN_*`).
    pub first_admin: Option<(String, String, Secret<String>)>,
}

impl Config {
    /// Reads the environment.
    ///
    /// # Errors
    /// When `FACELENS_JWT_SECRET` is missing.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let jwt_secret = var("FACELENS_JWT_SECRET")
            .context("FACELENS_JWT_SECRET must be set (32 bytes or more)")?;
        let first_admin = var("FACELENS_ADMIN_PASSWORD").map(|password| {
            (
                var("FACELENS_ADMIN_USERNAME").unwrap_or_else(|| "admin".into()),
                var("FACELENS_ADMIN_EMAIL").unwrap_or_else(|| "admin@facelens.local".into()),
                Secret::new(password),
            )
        });
        Ok(Self {
            data_dir: var("FACELENS_DATA_DIR")
                .map_or_else(|| PathBuf::from("/tmp/facelens"), PathBuf::from),
            public_url: var("FACELENS_PUBLIC_URL")
                .unwrap_or_else(|| "http://localhost:3000".into()),
            mail_from: var("FACELENS_MAIL_FROM")
                .unwrap_or_else(|| "Facelens <no-reply@facelens.local>".into()),
            jwt_secret: Secret::new(jwt_secret.into_bytes()),
            first_admin,
        })
    }
}

/// Builds the adapters and the router the function serves.
///
/// # Errors
/// When the adapters cannot be opened or the first admin is misconfigured.
pub async fn app(config: &Config) -> anyhow::Result<Router> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let db = LocalDb::open(&config.data_dir.join("facelens.redb"))?;
    let outbox = FileOutbox::new(&config.data_dir.join("outbox"), &config.mail_from)?;
    let ports = db.auth_ports(Arc::new(outbox), Arc::new(Argon2Hasher));
    let keys = JwtKeys::new(config.jwt_secret.expose().clone())?;
    let service =
        Arc::new(AuthService::new(ports, keys, AuthConfig::new(config.public_url.clone())).await?);
    if let Some((username, email, password)) = &config.first_admin {
        service
            .bootstrap_admin(username, email, Some(password.expose()))
            .await?;
    }
    let router = auth::router(AuthState { service }).fallback(layers::not_found);
    Ok(layers::observed(router))
}

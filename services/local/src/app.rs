//! Builds the application: adapters under the data directory, the services, one router.

use crate::web;
use anyhow::Context;
use axum::Router;
use facelens_api::auth::{self, AuthState};
use facelens_api::hashing::Argon2Hasher;
use facelens_api::layers;
use facelens_core::auth::{AuthConfig, AuthService, JwtKeys};
use facelens_local::{FileOutbox, LocalDb};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the local server is configured with.
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// Database, objects and outbox live here.
    pub data_dir: PathBuf,
    /// Built web client.
    pub web_dir: PathBuf,
    /// Base URL for links in emails.
    pub public_url: String,
    /// Sender of account emails.
    pub mail_from: String,
}

/// The application and its services, for the server and for tests.
pub struct App {
    /// The router to serve.
    pub router: Router,
    /// The auth use cases (the bootstrap uses them).
    pub auth: Arc<AuthService>,
}

/// Opens the adapters and wires every service.
///
/// # Errors
/// When the data directory, the database or the outbox cannot be opened.
pub async fn build(config: &LocalConfig) -> anyhow::Result<App> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let db = LocalDb::open(&config.data_dir.join("facelens.redb"))
        .context("opening the database (is another server using this data dir?)")?;
    let outbox = FileOutbox::new(&config.data_dir.join("outbox"), &config.mail_from)?;
    let keys = JwtKeys::new(crate::secrets::jwt_secret(&config.data_dir)?)?;
    let ports = db.auth_ports(Arc::new(outbox), Arc::new(Argon2Hasher));
    let service =
        Arc::new(AuthService::new(ports, keys, AuthConfig::new(config.public_url.clone())).await?);
    let api = auth::router(AuthState {
        service: Arc::clone(&service),
    });
    let router = layers::observed(web::with_client(api, &config.web_dir));
    Ok(App {
        router,
        auth: service,
    })
}

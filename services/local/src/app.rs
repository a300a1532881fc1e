//! Builds the application: adapters under the data directory, every service, one router, and
//! the analysis worker.

use crate::backup_route::BackupState;
use crate::faces::LocalFaceVault;
use crate::metrics::MetricsState;
use crate::models::Models;
use crate::{object_routes, web};
use anyhow::Context;
use axum::Router;
use facelens_api::analyses::{self, AnalysesState};
use facelens_api::auth::{self, AuthState};
use facelens_api::hashing::Argon2Hasher;
use facelens_api::layers;
use facelens_api::live::{self, LiveState};
use facelens_api::uploads::{self, UploadsState};
use facelens_core::analysis::ports::EnrolledFaces;
use facelens_core::analysis::{
    AbandonedUploads, AnalysisService, ProcessService, PurgeService, UploadPolicy, UploadService,
};
use facelens_core::auth::{AuthConfig, AuthService, TokenKeys, TokenSigner};
use facelens_core::clock::SystemClock;
use facelens_core::faces::FaceVault;
use facelens_core::live::{LiveService, MailAdmins};
use facelens_core::metrics::Metrics;
use facelens_core::ports::Mailer;
use facelens_fetch::GuardedFetcher;
use facelens_local::{FileOutbox, LocalDb, LocalObjects, SealedFaces};
use std::path::PathBuf;
use std::sync::Arc;

/// The database file's name in the data directory.
pub const DB_FILE: &str = "facelens.redb";

/// Everything the local server is configured with.
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// Database, objects and outbox live here.
    pub data_dir: PathBuf,
    /// Built web client.
    pub web_dir: PathBuf,
    /// Base URL for links in emails and for signed object URLs.
    pub public_url: String,
    /// Sender of account emails.
    pub mail_from: String,
    /// Upload limits.
    pub upload_policy: UploadPolicy,
    /// Faces detected with less confidence (0..100) raise an alert.
    pub alert_below: f32,
    /// Let uploads by URL reach private and loopback addresses (tests only).
    pub allow_private_urls: bool,
    /// Let admins enrol a face and sign in with it.
    pub admin_face_sign_in: bool,
    /// Who may create an account.
    pub sign_up: facelens_core::auth::SignUpPolicy,
}

/// The application and its services, for the server and for tests.
pub struct App {
    /// The router to serve.
    pub router: Router,
    /// The auth use cases (the bootstrap uses them).
    pub auth: Arc<AuthService>,
    /// The embedded database, which also holds the job queue.
    pub db: LocalDb,
    /// The worker's use case.
    pub process: Arc<ProcessService>,
    /// Erases the data of deleted accounts (the server resumes pending purges with it).
    pub purge: Arc<PurgeService>,
    /// The sweep of uploads whose photo never arrived.
    pub abandoned: Arc<AbandonedUploads>,
    /// The object store, for the worker's clean-up of dead-lettered analyses.
    pub objects: Arc<LocalObjects>,
}

/// Opens the adapters and wires every service around the loaded models.
///
/// # Errors
/// When the data directory, the database or the outbox cannot be opened.
pub async fn build(config: &LocalConfig, models: Models) -> anyhow::Result<App> {
    let Models { analyzer, faces } = models;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let db = LocalDb::open(&config.data_dir.join(DB_FILE))
        .context("opening the database (is another server using this data dir?)")?;
    let outbox = FileOutbox::new(&config.data_dir.join("outbox"), &config.mail_from)?;
    let clock = Arc::new(SystemClock);

    // One process signs and verifies: the key never leaves it.
    let keys = TokenKeys::own(TokenSigner::from_secret(&crate::secrets::load_or_create(
        &config.data_dir,
        "jwt-secret",
        "FACELENS_JWT_SECRET",
    )?)?);
    let signing_key = crate::secrets::load_or_create(
        &config.data_dir,
        "object-signing-key",
        "FACELENS_OBJECT_SIGNING_KEY",
    )?;
    let objects = Arc::new(LocalObjects::new(
        &config.data_dir.join("objects"),
        &config.public_url,
        signing_key,
        db.clone(),
    ));
    // The database lock above guarantees no other server writes here.
    let swept = objects.sweep_partial()?;
    if swept > 0 {
        tracing::info!(files = swept, "removed writes cut short by the last stop");
    }

    let (vault, enrolled): (Option<Arc<dyn FaceVault>>, _) = match faces {
        Some(engine) => {
            let key =
                crate::secrets::load_or_create(&config.data_dir, "face-key", "FACELENS_FACE_KEY")?;
            let sealed =
                SealedFaces::new(db.clone(), &key).context("the face key must be 32 bytes")?;
            let enrolled: Arc<dyn EnrolledFaces> = Arc::new(sealed.clone());
            (
                Some(Arc::new(LocalFaceVault::new(engine, sealed))),
                Some(enrolled),
            )
        }
        None => (None, None),
    };
    let mut purge = PurgeService::new(
        objects.clone(),
        Arc::new(db.clone()),
        Arc::new(db.clone()),
        Arc::new(db.clone()),
    );
    if let Some(vault) = &vault {
        purge = purge.with_faces(Arc::clone(vault));
    }
    let mailer: Arc<dyn Mailer> = Arc::new(outbox);
    let live = Arc::new(
        LiveService::new(Arc::new(db.clone()), objects.clone(), clock.clone()).with_alerts(
            Arc::new(MailAdmins::new(Arc::new(db.clone()), Arc::clone(&mailer))),
        ),
    );
    purge = purge.with_live(Arc::clone(&live));
    let purge = Arc::new(purge);
    let ports = db.auth_ports(mailer, Arc::new(Argon2Hasher));
    let rules = AuthConfig {
        admin_face_sign_in: config.admin_face_sign_in,
        sign_up: config.sign_up,
        ..AuthConfig::new(config.public_url.clone())
    };
    let metrics = Arc::new(Metrics::default());
    let mut auth_service = AuthService::new(ports, keys, rules)
        .with_purge(Arc::clone(&purge))
        .with_metrics(Arc::clone(&metrics));
    if let Some(vault) = vault {
        auth_service = auth_service.with_faces(vault);
    }
    let auth = Arc::new(auth_service);

    let uploads = Arc::new(UploadService::new(
        objects.clone(),
        Arc::new(db.clone()),
        Arc::new(db.clone()),
        clock.clone(),
        config.upload_policy,
    ));
    let abandoned = Arc::new(AbandonedUploads::new(
        objects.clone(),
        Arc::new(db.clone()),
        clock.clone(),
        config.upload_policy,
    ));
    let analyses_service = Arc::new(AnalysisService::new(
        objects.clone(),
        Arc::new(db.clone()),
        Arc::new(db.clone()),
    ));
    let mut process = ProcessService::new(
        objects.clone(),
        Arc::new(db.clone()),
        analyzer,
        Arc::new(db.clone()),
        clock,
        config.alert_below,
    )
    .with_metrics(Arc::clone(&metrics));
    if let Some(enrolled) = enrolled {
        process = process.with_enrolled_faces(enrolled);
    }
    let process = Arc::new(process);
    let fetcher = if config.allow_private_urls {
        GuardedFetcher::allowing_private_addresses()
    } else {
        GuardedFetcher::default()
    };

    let api = auth::router(AuthState {
        service: Arc::clone(&auth),
        models_loaded: Some(true),
        database: Some(Arc::new(db.clone())),
    })
    .merge(live::router(LiveState {
        auth: Arc::clone(&auth),
        live,
    }))
    .merge(uploads::router(UploadsState {
        auth: Arc::clone(&auth),
        max_request_bytes: uploads.policy().max_bytes,
        uploads,
        fetcher: Arc::new(fetcher),
        analyses: Arc::clone(&analyses_service),
    }))
    .merge(analyses::router(AnalysesState {
        auth: Arc::clone(&auth),
        analyses: analyses_service,
    }))
    .merge(crate::metrics::router(MetricsState {
        auth: Arc::clone(&auth),
        metrics,
    }))
    .merge(crate::backup_route::router(BackupState {
        auth: Arc::clone(&auth),
        db: db.clone(),
        data_dir: config.data_dir.clone(),
    }))
    .merge(facelens_api::openapi::router(crate::openapi::document))
    .merge(object_routes::router(
        Arc::clone(&objects),
        config.upload_policy.max_bytes,
    ));
    let router = layers::observed(web::with_client(api, &config.web_dir));
    Ok(App {
        router,
        auth,
        db,
        process,
        purge,
        abandoned,
        objects,
    })
}

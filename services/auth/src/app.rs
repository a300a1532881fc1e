//! Builds the adapters a [`Config`] names and the router the function serves.

use crate::config::{Config, Storage};
use anyhow::Context;
use axum::Router;
use facelens_api::auth::{self, AuthState};
use facelens_api::hashing::Argon2Hasher;
use facelens_api::layers;
use facelens_aws::{AlertRecords, Aws};
use facelens_core::analysis::PurgeService;
use facelens_core::auth::{AuthConfig, AuthError, AuthPorts, AuthService, TokenKeys};
use facelens_core::clock::SystemClock;
use facelens_core::faces::FaceVault;
use facelens_core::live::LiveService;
use facelens_core::metrics::Metrics;
use facelens_lambda::emf;
#[cfg(feature = "embedded")]
use facelens_local::{FileOutbox, LocalDb, LocalObjects};
use std::sync::Arc;

/// Builds the adapters and the router. AWS clients, when the configuration needs them, come
/// from the standard AWS configuration chain, loaded once here.
///
/// # Errors
/// When the adapters cannot be opened, the signing secret cannot be read, or the first admin is
/// misconfigured.
pub async fn app(config: &Config) -> anyhow::Result<Router> {
    let aws = if config.needs_aws() {
        Some(Aws::from_env().await)
    } else {
        None
    };
    app_on(config, aws.as_ref()).await
}

/// As [`app`], with the AWS configuration given (tests point it at a local server).
///
/// # Errors
/// As [`app`]; also when the configuration needs AWS and `aws` is `None`.
pub async fn app_on(config: &Config, aws: Option<&Aws>) -> anyhow::Result<Router> {
    let need_aws =
        || aws.context("this configuration needs AWS, but no AWS configuration was given");
    let hasher = Arc::new(Argon2Hasher);
    let signer = config.jwt_secret.signer(aws).await?;
    let mut faces: Option<Arc<dyn FaceVault>> = None;
    let (ports, purge, keys): (AuthPorts, PurgeService, TokenKeys) = match &config.storage {
        Storage::DynamoDb {
            table_name,
            bucket_name,
        } => {
            let aws = need_aws()?;
            let mailer = aws.ses_mailer(&config.mail_from)?;
            let table = aws.dynamodb(table_name.as_str());
            let bucket = aws.s3_objects(bucket_name.as_str());
            let objects = Arc::new(bucket.clone());
            // Erasing live checks needs the table and the bucket only: no alerts.
            let live = LiveService::new(
                Arc::new(table.clone()),
                objects.clone(),
                Arc::new(SystemClock),
            );
            let mut purge = PurgeService::new(
                objects,
                Arc::new(table.clone()),
                // Erasing alerts needs the table only: no SNS client.
                Arc::new(AlertRecords::new(table.clone())),
                Arc::new(table.clone()),
            )
            .with_live(Arc::new(live));
            if let Some(collection) = &config.face_collection {
                let vault: Arc<dyn FaceVault> =
                    Arc::new(aws.rekognition_vault(collection.as_str(), table.clone(), bucket));
                purge = purge.with_faces(Arc::clone(&vault));
                faces = Some(vault);
            }
            // The other functions verify with the public key published in the table.
            let keys = TokenKeys::publishing(signer, Arc::new(table.clone()));
            (table.auth_ports(Arc::new(mailer), hasher), purge, keys)
        }
        #[cfg(feature = "embedded")]
        Storage::Embedded { data_dir } => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("creating {}", data_dir.display()))?;
            let db = LocalDb::open(&data_dir.join("facelens.redb"))?;
            let outbox = FileOutbox::new(&data_dir.join("outbox"), &config.mail_from)?;
            // This function signs no object URL; the objects are only ever deleted here.
            let objects = Arc::new(LocalObjects::new(
                &data_dir.join("objects"),
                "",
                Vec::new(),
                db.clone(),
            ));
            let live =
                LiveService::new(Arc::new(db.clone()), objects.clone(), Arc::new(SystemClock));
            let purge = PurgeService::new(
                objects,
                Arc::new(db.clone()),
                Arc::new(db.clone()),
                Arc::new(db.clone()),
            )
            .with_live(Arc::new(live));
            (
                db.auth_ports(Arc::new(outbox), hasher),
                purge,
                TokenKeys::own(signer),
            )
        }
    };
    let rules = AuthConfig {
        admin_face_sign_in: config.admin_face_sign_in,
        sign_up: config.sign_up,
        ..AuthConfig::new(config.public_url.clone())
    };
    let metrics = Arc::new(Metrics::default());
    let mut service = AuthService::new(ports, keys, rules)
        .with_purge(Arc::new(purge))
        .with_metrics(Arc::clone(&metrics));
    if let Some(vault) = faces {
        service = service.with_faces(vault);
    }
    let service = Arc::new(service);
    if let Some((username, email, password)) = &config.first_admin {
        match service
            .bootstrap_admin(username, email, Some(password.expose()))
            .await
        {
            // Another cold start created it between our check and our write.
            Ok(_) | Err(AuthError::Conflict(_)) => {}
            Err(err) => return Err(err).context("creating the first admin"),
        }
    }
    let router = auth::router(AuthState {
        service,
        models_loaded: None,
        database: None,
    })
    .merge(facelens_api::openapi::router(
        facelens_api::openapi::document,
    ))
    .fallback(layers::not_found)
    .layer(axum::middleware::from_fn_with_state(
        metrics,
        sign_in_metrics,
    ));
    Ok(layers::observed(router))
}

/// After each request, the sign-in attempts it made as lines in CloudWatch's embedded metric
/// format (a Lambda instance runs one request at a time, so the difference is this request's).
async fn sign_in_metrics(
    axum::extract::State(metrics): axum::extract::State<Arc<Metrics>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let before = metrics.sign_ins();
    let response = next.run(request).await;
    for line in emf::sign_in_metrics("auth", emf::now_ms(), &before, &metrics.sign_ins()) {
        println!("{line}");
    }
    response
}

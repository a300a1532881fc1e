//! `facelens serve`: bind, bootstrap the first admin, serve until Ctrl-C.

use crate::app::{self, LocalConfig};
use crate::cli::ServeArgs;
use anyhow::Context;
use facelens_core::analysis::UploadPolicy;
use facelens_core::auth::BootstrapOutcome;
use std::io::Write;

/// Runs the server.
///
/// # Errors
/// When the port cannot be bound or the adapters cannot be opened.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
    let address = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let config = LocalConfig {
        data_dir: args.data_dir.clone(),
        web_dir: args.web_dir.clone(),
        public_url,
        mail_from: args.mail_from.clone(),
        upload_policy: UploadPolicy {
            max_bytes: args.max_upload_mb * 1024 * 1024,
            url_ttl: time::Duration::seconds(
                i64::try_from(args.upload_url_seconds).unwrap_or(i64::MAX),
            ),
        },
        alert_below: args.alert_below,
        allow_private_urls: args.allow_private_urls,
        admin_face_sign_in: args.admin_face_sign_in,
        sign_up: args.sign_up,
    };
    let models = crate::models::load(&args.pipeline, crate::models::Comparisons::Enabled)?;
    let app = app::build(&config, models).await?;
    let resumed = app.db.release_all().await?;
    if resumed > 0 {
        tracing::info!(
            jobs = resumed,
            "resuming analyses interrupted by the last stop"
        );
    }
    for _ in 0..args.workers.max(1) {
        tokio::spawn(crate::worker::run(
            app.db.clone(),
            app.process.clone(),
            app.objects.clone(),
        ));
    }
    tokio::spawn(crate::worker::purge(app.purge.clone()));
    tokio::spawn(crate::worker::sweep_abandoned(
        app.abandoned.clone(),
        config.upload_policy,
    ));

    let admin_password = std::env::var("FACELENS_ADMIN_PASSWORD").ok();
    let outcome = app
        .auth
        .bootstrap_admin(
            &args.admin_username,
            &args.admin_email,
            admin_password.as_deref(),
        )
        .await
        .context("creating the first admin")?;
    let mut out = std::io::stdout().lock();
    match outcome {
        BootstrapOutcome::AlreadyInitialised => {}
        BootstrapOutcome::Created => {
            writeln!(out, "created admin '{}'", args.admin_username)?;
        }
        BootstrapOutcome::CreatedWithGeneratedPassword(password) => {
            writeln!(
                out,
                "created admin '{}' with password {password} (shown once; change it after signing in)",
                args.admin_username
            )?;
        }
    }
    writeln!(out, "facelens listening on http://{address}")?;
    out.flush()?;
    drop(out);
    tracing::info!(%address, data_dir = %args.data_dir.display(), "serving");

    // The peer address is the client address of the throttle and the audit.
    let service = app
        .router
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")
}

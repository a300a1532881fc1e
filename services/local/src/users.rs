//! `facelens users list|create|reset-password`: accounts from the console of a stopped server
//! (the database file is locked while a server runs; the web client's Users page works then).
//! One-time passwords are printed once, never mailed, and must be changed at the next sign-in.

use crate::app::DB_FILE;
use crate::cli::{UserCommand, UsersArgs};
use anyhow::Context;
use facelens_api::hashing::Argon2Hasher;
use facelens_core::auth::{AuthConfig, AuthService, TokenKeys, TokenSigner};
use facelens_core::domain::Role;
use facelens_local::{FileOutbox, LocalDb};
use std::sync::Arc;

/// Runs one account command on the data directory's database.
///
/// # Errors
/// When the database is missing or in use, or the command is refused (a taken name, a
/// malformed email, no such account).
pub async fn run(args: &UsersArgs) -> anyhow::Result<()> {
    let path = args.data_dir.join(DB_FILE);
    anyhow::ensure!(path.exists(), "no database at {}", path.display());
    let db = LocalDb::open(&path).context(
        "the database is in use: stop the server first (or use the web client's Users page)",
    )?;
    let auth = service(&db, args)?;
    match &args.command {
        UserCommand::List => {
            println!(
                "{:<24} {:<6} {:<32} {:<11} created",
                "name", "role", "email", "password"
            );
            for user in auth.users_at_console().await? {
                let password = if user.awaiting_confirmation {
                    "unconfirmed"
                } else if user.must_change_password {
                    "one-time"
                } else {
                    "own"
                };
                println!(
                    "{:<24} {:<6} {:<32} {:<11} {}",
                    user.username.as_str(),
                    user.role.to_string(),
                    user.email.as_str(),
                    password,
                    user.created_at.date()
                );
            }
        }
        UserCommand::Create {
            username,
            email,
            admin,
        } => {
            let role = if *admin { Role::Admin } else { Role::User };
            let (user, one_time) = auth.create_user_at_console(username, email, role).await?;
            println!(
                "created {} ({role}); one-time password, to be changed at the first sign-in: {one_time}",
                user.username
            );
        }
        UserCommand::ResetPassword { username } => {
            let one_time = auth.reset_password_at_console(username).await?;
            println!(
                "{username}: signed out everywhere; one-time password, to be changed at the next sign-in: {one_time}"
            );
        }
    }
    Ok(())
}

/// The account service on the database, with the data directory's token key (so nothing a
/// server issued is disturbed) and its outbox (which these commands never write to).
fn service(db: &LocalDb, args: &UsersArgs) -> anyhow::Result<AuthService> {
    let keys = TokenKeys::own(TokenSigner::from_secret(&crate::secrets::load_or_create(
        &args.data_dir,
        "jwt-secret",
        "FACELENS_JWT_SECRET",
    )?)?);
    let outbox = FileOutbox::new(
        &args.data_dir.join("outbox"),
        "Facelens <console@localhost>",
    )?;
    let ports = db.auth_ports(Arc::new(outbox), Arc::new(Argon2Hasher));
    Ok(AuthService::new(
        ports,
        keys,
        AuthConfig::new("http://127.0.0.1"),
    ))
}

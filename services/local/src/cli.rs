//! Command-line interface.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Facelens on one machine.
#[derive(Debug, Parser)]
#[command(name = "facelens", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server with every service, the web client and embedded adapters.
    Serve(ServeArgs),
}

/// Options of `facelens serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// Where the database, the objects and the email outbox live (created if missing).
    #[arg(long, default_value = ".facelens")]
    pub data_dir: PathBuf,
    /// The built web client to serve at `/`.
    #[arg(long, default_value = "web/dist")]
    pub web_dir: PathBuf,
    /// The site's address as people reach it, for links in emails (default: the listen address).
    #[arg(long, env = "FACELENS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Name of the first admin, created when there are no users.
    #[arg(long, env = "FACELENS_ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,
    /// Email of the first admin.
    #[arg(
        long,
        env = "FACELENS_ADMIN_EMAIL",
        default_value = "admin@facelens.local"
    )]
    pub admin_email: String,
    /// Sender of account emails.
    #[arg(
        long,
        env = "FACELENS_MAIL_FROM",
        default_value = "Facelens <no-reply@facelens.local>"
    )]
    pub mail_from: String,
}

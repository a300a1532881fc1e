//! `facelens`: the whole product on one machine. `facelens serve` starts the server.

use clap::Parser;
use facelens::cli::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(args) => facelens::serve::run(args).await,
        Command::Analyze(args) => facelens::analyze::run(args).await,
        Command::CheckDb(args) => facelens::check::run(&args),
        Command::Compare(args) => facelens::compare::run(&args),
        Command::Backup(args) => facelens::backup::backup(&args).await,
        Command::Restore(args) => facelens::backup::restore(&args),
        Command::Users(args) => facelens::users::run(&args).await,
    }
}

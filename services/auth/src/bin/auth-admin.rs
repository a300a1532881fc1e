//! `auth-admin`: creates the first admin of a deployed stack, once, from an operator's machine
//! with AWS credentials (the standard AWS configuration chain: profile, region,
//! `AWS_ENDPOINT_URL`).
//!
//! ```sh
//! FACELENS_TABLE_NAME=<stack output TableName> \
//!   cargo run -p facelens-auth --bin auth-admin -- --email you@example.com
//! ```
//!
//! The password is `FACELENS_ADMIN_PASSWORD` when set (never a flag, so it stays out of shell
//! history and `ps`), else generated and printed once on this terminal; nothing is logged.
//! When the table already has accounts, nothing is done.

use clap::Parser;
use facelens_core::auth::BootstrapOutcome;

/// Creates the first admin in the DynamoDB table of a deployed stack.
#[derive(Parser)]
#[command(name = "auth-admin")]
struct Args {
    /// The table (the stack output `TableName`).
    #[arg(long, env = "FACELENS_TABLE_NAME")]
    table: String,
    /// The admin's username.
    #[arg(long, env = "FACELENS_ADMIN_USERNAME", default_value = "admin")]
    username: String,
    /// The admin's email.
    #[arg(long, env = "FACELENS_ADMIN_EMAIL")]
    email: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let password = std::env::var("FACELENS_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let aws = facelens_aws::Aws::from_env().await;
    let store = aws.dynamodb(args.table.as_str());
    let outcome =
        facelens_auth::create_first_admin(&store, &args.username, &args.email, password.as_deref())
            .await?;
    match outcome {
        BootstrapOutcome::AlreadyInitialised => {
            println!("{} already has accounts; nothing done", args.table);
        }
        BootstrapOutcome::Created => println!("created admin '{}'", args.username),
        BootstrapOutcome::CreatedWithGeneratedPassword(password) => println!(
            "created admin '{}' with password {password} \
             (shown once; you must change it at first sign-in)",
            args.username
        ),
    }
    Ok(())
}

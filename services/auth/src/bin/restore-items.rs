//! `restore-items`: after `aws dynamodb restore-table-to-point-in-time` made
//! `<TableName>-restored`, copies into the stack's table every item it lacks (what was deleted
//! since the restore time), leaves every item it has, and counts the admins again. Run from an
//! operator's machine with AWS credentials (profile, region, `AWS_ENDPOINT_URL` as usual).
//!
//! ```sh
//! FACELENS_TABLE_NAME=<stack output TableName> \
//!   cargo run -p facelens-auth --bin restore-items -- --from <TableName>-restored
//! ```

use clap::Parser;

/// Copies the items a point-in-time restore holds, and the stack's table lacks, into it.
#[derive(Parser)]
#[command(name = "restore-items")]
struct Args {
    /// The stack's table (the stack output `TableName`), written to.
    #[arg(long, env = "FACELENS_TABLE_NAME")]
    table: String,
    /// The restored table, read from.
    #[arg(long)]
    from: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.table != args.from,
        "--from must name the restored table, not the stack's own"
    );
    let aws = facelens_aws::Aws::from_env().await;
    let report = aws
        .dynamodb(args.table.as_str())
        .copy_missing_from(&args.from)
        .await?;
    println!(
        "read {} items from {}: copied {} that {} lacked, kept {} it has (newer), skipped {} \
         (links, throttle counters, signing keys, face records, the admin counter); {} admins counted",
        report.read,
        args.from,
        report.copied,
        args.table,
        report.kept,
        report.skipped,
        report.admins
    );
    Ok(())
}

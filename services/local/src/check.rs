//! `facelens check-db`: the integrity check of a stopped server's database, with what is left
//! in its job queue.

use crate::cli::CheckDbArgs;
use anyhow::Context;
use facelens_local::LocalDb;
use std::io::Write;

/// Checks the database under `args.data_dir` and prints the findings.
///
/// # Errors
/// When the file cannot be opened (missing, held by a running server, or too damaged to open)
/// or fails the check.
pub fn run(args: &CheckDbArgs) -> anyhow::Result<()> {
    let path = args.data_dir.join(crate::app::DB_FILE);
    let check = LocalDb::check_file(&path)
        .context("checking the database (is a server still using this data dir?)")?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "integrity: {}",
        if check.passed { "ok" } else { "failed" }
    )?;
    writeln!(out, "jobs waiting: {}", check.waiting_jobs)?;
    writeln!(out, "jobs dead-lettered: {}", check.dead_jobs)?;
    if !check.passed {
        anyhow::bail!("{} failed its integrity check", path.display());
    }
    Ok(())
}

//! `facelens backup DIR` and `facelens restore DIR`: a copy of a data directory that is itself
//! a data directory (`facelens serve --data-dir DIR` runs on it), made while the server runs.
//!
//! The database comes first, as one consistent snapshot (from the running server through
//! `POST /api/admin/backup`, or straight from the file when no server holds it); the objects
//! and the secrets are copied after it. An object written after the snapshot is copied
//! without a record (harmless); one deleted between the snapshot and its copy (its analysis
//! deleted meanwhile) is missing under a record that the restored server shows as having lost
//! its photo. The secrets (token key, URL signing key, face key) go with the copy, so a
//! backup opens sealed faces: keep it as safe as the data directory.

use crate::app::DB_FILE;
use crate::backup_route::BACKUPS_DIR;
use crate::cli::{BackupArgs, RestoreArgs};
use anyhow::{Context, bail};
use facelens_local::{LocalDb, PARTIAL_DIR};
use std::path::Path;

/// The files of the data directory that hold its secrets.
const SECRETS: [&str; 3] = ["jwt-secret", "object-signing-key", "face-key"];
/// The folder of the objects (writes in progress are in its `PARTIAL_DIR`).
const OBJECTS: &str = "objects";

/// Makes the backup and prints what it holds.
///
/// # Errors
/// When `DIR` is not empty, there is no database, or a copy fails.
pub async fn backup(args: &BackupArgs) -> anyhow::Result<()> {
    let source = args.data_dir.join(DB_FILE);
    if !source.exists() {
        bail!("no database at {}", source.display());
    }
    if args.dir.exists() && args.dir.read_dir()?.next().is_some() {
        bail!(
            "{} is not empty: back up into a new folder",
            args.dir.display()
        );
    }
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let target = args.dir.join(DB_FILE);
    let rows = match LocalDb::open(&source) {
        // No server holds the file: copy it here.
        Ok(db) => db.snapshot_to(&target)?,
        Err(_) => from_running_server(args, &target).await?,
    };
    let (files, bytes) = copy_tree(&args.data_dir.join(OBJECTS), &args.dir.join(OBJECTS))?;
    let secrets = copy_secrets(&args.data_dir, &args.dir)?;
    println!(
        "backup in {}: database {rows} rows, {files} objects ({:.1} MB), {secrets} secrets",
        args.dir.display(),
        bytes as f64 / 1e6
    );
    Ok(())
}

/// Asks the server at `args.server` for a snapshot and moves it to `target`.
async fn from_running_server(args: &BackupArgs, target: &Path) -> anyhow::Result<u64> {
    #[derive(serde::Deserialize)]
    struct Snapshot {
        file: String,
        rows: u64,
    }
    let url = format!("{}/api/admin/backup", args.server.trim_end_matches('/'));
    let answer = reqwest::Client::new()
        .post(&url)
        .send()
        .await
        .with_context(|| {
            format!("the database is in use but no server answers at {url} (--server)")
        })?;
    let status = answer.status();
    if !status.is_success() {
        bail!("{url} answered {status}: {}", answer.text().await?);
    }
    let snapshot: Snapshot = answer.json().await.context("reading the server's answer")?;
    let written = args.data_dir.join(BACKUPS_DIR).join(&snapshot.file);
    if std::fs::rename(&written, target).is_err() {
        // Another file system: copy, then remove the server's file.
        std::fs::copy(&written, target)
            .with_context(|| format!("copying {}", written.display()))?;
        std::fs::remove_file(&written)?;
    }
    Ok(snapshot.rows)
}

/// Restores a backup into the data directory of a stopped server and prints what it holds.
///
/// # Errors
/// When the backup fails its check, the data directory holds a database and `--force` was
/// not given, a server is using it, or a copy fails.
pub fn restore(args: &RestoreArgs) -> anyhow::Result<()> {
    let source = args.dir.join(DB_FILE);
    let check = LocalDb::check_file(&source)
        .with_context(|| format!("{} is not a readable backup", args.dir.display()))?;
    if !check.passed {
        bail!("the backup's database fails its integrity check");
    }
    let target = args.data_dir.join(DB_FILE);
    if target.exists() {
        if !args.force {
            bail!(
                "{} already holds a database: --force replaces it (and its objects)",
                args.data_dir.display()
            );
        }
        LocalDb::check_file(&target)
            .context("the data directory's database is in use: stop its server first")?;
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let restoring = args.data_dir.join(format!("{DB_FILE}.restoring"));
    std::fs::copy(&source, &restoring)?;
    std::fs::rename(&restoring, &target)?;
    let objects = args.data_dir.join(OBJECTS);
    if objects.exists() {
        std::fs::remove_dir_all(&objects)
            .with_context(|| format!("removing {}", objects.display()))?;
    }
    let (files, bytes) = copy_tree(&args.dir.join(OBJECTS), &objects)?;
    let secrets = copy_secrets(&args.dir, &args.data_dir)?;
    println!(
        "restored into {}: {files} objects ({:.1} MB), {secrets} secrets, {} jobs waiting",
        args.data_dir.display(),
        bytes as f64 / 1e6,
        check.waiting_jobs
    );
    Ok(())
}

/// Copies every file under `from` to the same place under `to`, except writes in progress;
/// returns how many files and bytes. A missing `from` copies nothing.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<(u64, u64)> {
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok((0, 0));
    };
    std::fs::create_dir_all(to)?;
    let (mut files, mut bytes) = (0, 0);
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if name == PARTIAL_DIR {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let (f, b) = copy_tree(&entry.path(), &to.join(&name))?;
            files += f;
            bytes += b;
        } else if kind.is_file() {
            match std::fs::copy(entry.path(), to.join(&name)) {
                Ok(copied) => {
                    files += 1;
                    bytes += copied;
                }
                // Deleted since it was listed (its analysis went meanwhile).
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).context(format!("copying {}", entry.path().display())),
            }
        }
    }
    Ok((files, bytes))
}

/// Copies the secret files that exist, keeping them private; returns how many.
fn copy_secrets(from: &Path, to: &Path) -> anyhow::Result<usize> {
    let mut copied = 0;
    for name in SECRETS {
        let source = from.join(name);
        if source.exists() {
            let target = to.join(name);
            std::fs::copy(&source, &target)?;
            #[cfg(unix)]
            std::fs::set_permissions(&target, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
            copied += 1;
        }
    }
    Ok(copied)
}

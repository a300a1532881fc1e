//! Files that survive a crash: written under a temporary name in a folder of partial files,
//! synced, renamed into place, and then the folder that received the name is synced too (a
//! rename lives in the directory, so without that sync a crash right after it can lose the
//! file), as is the parent of every folder made on the way.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` durably, staging them in `partial` (on the same file system).
pub(crate) fn write(partial: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = path
        .parent()
        .ok_or_else(|| io::Error::other("an object path has a folder"))?;
    create_dir(partial)?;
    create_dir(folder)?;
    let staged = partial.join(uuid::Uuid::new_v4().to_string());
    let mut file = File::create(&staged)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&staged, path)?;
    sync_dir(folder)
}

/// Removes every file left in `partial` by a write a crash cut short; returns how many.
pub(crate) fn sweep(partial: &Path) -> io::Result<usize> {
    let entries = match fs::read_dir(partial) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        fs::remove_file(entry?.path())?;
        removed += 1;
    }
    Ok(removed)
}

/// Creates `dir` and its missing parents, syncing the parent of each one made.
fn create_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let parent = dir.parent().unwrap_or(Path::new(""));
    create_dir(parent)?;
    match fs::create_dir(dir) {
        // Another writer may have just made it and not yet synced its parent: sync it here too.
        Ok(()) => sync_dir(parent),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => sync_dir(parent),
        Err(e) => Err(e),
    }
}

/// Makes a folder's entries durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)?.sync_all()
}

/// Windows cannot open a folder to sync it; the rename is left to the file system there.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

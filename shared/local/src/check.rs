//! The offline check of the database file (`facelens check-db`), run while no server holds it:
//! redb verifies the checksum of every page of the committed trees and rebuilds its allocator
//! state, then a second check must find nothing left to repair.

use crate::db::{DEAD_JOBS, JOBS, LocalDb, unavailable};
use facelens_core::ports::StoreError;
use redb::{Builder, ReadableDatabase, ReadableTableMetadata};
use std::path::Path;

/// What [`LocalDb::check_file`] found in a file that could be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbCheck {
    /// The integrity check passed with nothing to repair.
    pub passed: bool,
    /// Jobs still queued (due or leased).
    pub waiting_jobs: u64,
    /// Jobs in the dead-letter table.
    pub dead_jobs: u64,
}

impl LocalDb {
    /// Checks the database file at `path`, which no running server may hold.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the file is missing, held by a server, or so damaged
    /// that it cannot be opened (redb reports corruption found while opening this way).
    pub fn check_file(path: &Path) -> Result<DbCheck, StoreError> {
        let opening = |e: redb::DatabaseError| {
            StoreError::Unavailable(format!("opening {}: {e}", path.display()))
        };
        let mut db = Builder::new()
            .set_check_integrity_on_open(true)
            .open(path)
            .map_err(opening)?;
        let passed = db.check_integrity().map_err(opening)?;
        let txn = db.begin_read().map_err(unavailable)?;
        let waiting_jobs = txn
            .open_table(JOBS)
            .map_err(unavailable)?
            .len()
            .map_err(unavailable)?;
        let dead_jobs = txn
            .open_table(DEAD_JOBS)
            .map_err(unavailable)?
            .len()
            .map_err(unavailable)?;
        Ok(DbCheck {
            passed,
            waiting_jobs,
            dead_jobs,
        })
    }
}

//! A consistent copy of the database while the server runs (`facelens backup`): one read
//! transaction sees one commit, and every table is copied from it into a new file; writers go
//! on meanwhile (redb's readers never block them).

use crate::db::{
    ALERTED, ALERTS, ANALYSES, ANALYSIS_COUNTS, AUDIT, BY_CATEGORY, BY_OWNER, DEAD_JOBS, EMAILS,
    FACE_PHOTOS, FACES, HEALTH, JOBS, LIVE_BY_OWNER, LIVE_CAMERAS, LIVE_HOURS, LIVE_SESSIONS,
    LIVE_VIOLATIONS, LocalDb, PENDING, PURGES, THROTTLE, TOKENS, USERS, unavailable,
};
use facelens_core::ports::StoreError;
use redb::{
    Database, Key, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition, Value,
    WriteTransaction,
};
use std::path::Path;

impl LocalDb {
    /// Writes a copy of the last commit into a new database file at `path` (which must not
    /// exist) and returns how many rows it holds. Blocking: run it off the async threads.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when `path` exists or a read or write fails.
    pub fn snapshot_to(&self, path: &Path) -> Result<u64, StoreError> {
        if path.exists() {
            return Err(StoreError::Unavailable(format!(
                "{} already exists",
                path.display()
            )));
        }
        let from = self.inner.begin_read().map_err(unavailable)?;
        let target = Database::create(path).map_err(unavailable)?;
        let to = target.begin_write().map_err(unavailable)?;
        let rows = copy(&from, &to, USERS)?
            + copy(&from, &to, EMAILS)?
            + copy(&from, &to, TOKENS)?
            + copy(&from, &to, AUDIT)?
            + copy(&from, &to, THROTTLE)?
            + copy(&from, &to, ANALYSES)?
            + copy(&from, &to, BY_OWNER)?
            + copy(&from, &to, BY_CATEGORY)?
            + copy(&from, &to, PENDING)?
            + copy(&from, &to, ANALYSIS_COUNTS)?
            + copy(&from, &to, JOBS)?
            + copy(&from, &to, DEAD_JOBS)?
            + copy(&from, &to, ALERTS)?
            + copy(&from, &to, ALERTED)?
            + copy(&from, &to, PURGES)?
            + copy(&from, &to, FACES)?
            + copy(&from, &to, FACE_PHOTOS)?
            + copy(&from, &to, LIVE_SESSIONS)?
            + copy(&from, &to, LIVE_BY_OWNER)?
            + copy(&from, &to, LIVE_VIOLATIONS)?
            + copy(&from, &to, LIVE_CAMERAS)?
            + copy(&from, &to, LIVE_HOURS)?
            + copy(&from, &to, HEALTH)?;
        to.commit().map_err(unavailable)?;
        Ok(rows)
    }
}

/// Copies every row of `table`; returns how many.
fn copy<K: Key + 'static, V: Value + 'static>(
    from: &ReadTransaction,
    to: &WriteTransaction,
    table: TableDefinition<K, V>,
) -> Result<u64, StoreError> {
    let source = from.open_table(table).map_err(unavailable)?;
    let mut target = to.open_table(table).map_err(unavailable)?;
    let mut rows = 0;
    for entry in source.iter().map_err(unavailable)? {
        let (key, value) = entry.map_err(unavailable)?;
        target
            .insert(key.value(), value.value())
            .map_err(unavailable)?;
        rows += 1;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use facelens_core::domain::Username;
    use redb::TableHandle;

    fn table_names(db: &Database) -> Vec<String> {
        let txn = db.begin_read().expect("read");
        let mut names: Vec<String> = txn
            .list_tables()
            .expect("tables")
            .map(|t| t.name().to_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_snapshot_holds_every_table_and_row_of_the_last_commit() {
        let dir = tempfile::tempdir().expect("dir");
        let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
        let faces = crate::SealedFaces::new(db.clone(), &[7; 32]).expect("faces");
        let ada = Username::parse("ada").expect("name");
        faces
            .put(&ada, "account-1", &[0.5; 128], b"capture")
            .await
            .expect("face");
        let copy_path = dir.path().join("copy.redb");
        let rows = db.snapshot_to(&copy_path).expect("snapshot");
        assert_eq!(rows, 2, "one face and its capture");

        // Every table the server opens is in the copy, and nothing else.
        let copied = Database::open(&copy_path).expect("copy opens");
        let original = db.inner.begin_read().expect("read");
        let mut expected: Vec<String> = original
            .list_tables()
            .expect("tables")
            .map(|t| t.name().to_owned())
            .collect();
        expected.sort();
        assert_eq!(table_names(&copied), expected);
        drop(copied);

        // The copy is a database the server opens, with the same sealed face in it.
        let reopened = LocalDb::open(&copy_path).expect("reopen");
        let faces = crate::SealedFaces::new(reopened.clone(), &[7; 32]).expect("faces");
        assert_eq!(
            faces.get(&ada, "account-1").await.expect("read"),
            Some(vec![0.5; 128])
        );
        assert_eq!(
            faces.photo(&ada).await.expect("read"),
            Some(b"capture".to_vec())
        );
        // A second snapshot onto an existing file is refused.
        assert!(db.snapshot_to(&copy_path).is_err());
    }
}

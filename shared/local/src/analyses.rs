//! Analysis records in redb, with an index per owner (all, and per category) whose keys end
//! in the time-ordered analysis id, so reading them backwards gives newest first. Per-owner
//! counts are kept in the same transactions.

use crate::db::{
    ANALYSES, ANALYSIS_COUNTS, BY_CATEGORY, BY_OWNER, LocalDb, PENDING, from_json, time_key,
    to_json, unavailable,
};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use facelens_core::analysis::ports::AnalysisStore;
use facelens_core::analysis::{Analysis, AnalysisId, Category, Counts, Status};
use facelens_core::domain::Username;
use facelens_core::ports::StoreError;
use redb::{ReadableTable, WriteTransaction};
use time::OffsetDateTime;

fn owner_key(owner: &str, id: AnalysisId) -> String {
    format!("{owner}\0{id}")
}

fn pending_key(analysis: &Analysis) -> String {
    format!("{}\0{}", time_key(analysis.created_at), analysis.id)
}

/// Takes a finished or deleted analysis out of the pending index.
fn unmark_pending(txn: &WriteTransaction, analysis: &Analysis) -> Result<(), StoreError> {
    txn.open_table(PENDING)
        .map_err(unavailable)?
        .remove(pending_key(analysis).as_str())
        .map_err(unavailable)?;
    Ok(())
}

fn category_key(owner: &str, category: Category, id: AnalysisId) -> String {
    format!("{owner}\0{}\0{id}", category.as_str())
}

fn bump_counts(
    txn: &WriteTransaction,
    owner: &str,
    category: Option<Category>,
    delta: i64,
) -> Result<(), StoreError> {
    let mut table = txn.open_table(ANALYSIS_COUNTS).map_err(unavailable)?;
    let mut counts: Counts = match table.get(owner).map_err(unavailable)? {
        Some(v) => from_json(v.value())?,
        None => Counts::default(),
    };
    counts.add(category, delta);
    table
        .insert(owner, to_json(&counts)?.as_slice())
        .map_err(unavailable)?;
    Ok(())
}

/// Marks the pending analysis `id` failed with `reason`, in `txn`, as [`AnalysisStore::finish`]
/// records a rejected photo (a failed analysis has no category, so no count moves). A missing
/// or already finished analysis is left alone.
pub(crate) fn fail_pending(
    txn: &WriteTransaction,
    id: AnalysisId,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let key = id.to_string();
    let mut records = txn.open_table(ANALYSES).map_err(unavailable)?;
    let stored = records.get(key.as_str()).map_err(unavailable)?;
    let Some(mut analysis) = stored
        .map(|v| from_json::<Analysis>(v.value()))
        .transpose()?
    else {
        return Ok(());
    };
    if analysis.status != Status::Pending {
        return Ok(());
    }
    analysis.status = Status::Failed;
    analysis.failure_reason = Some(reason.to_owned());
    analysis.finished_at = Some(now);
    records
        .insert(key.as_str(), to_json(&analysis)?.as_slice())
        .map_err(unavailable)?;
    drop(records);
    unmark_pending(txn, &analysis)
}

#[async_trait]
impl AnalysisStore for LocalDb {
    async fn create(&self, analysis: &Analysis) -> Result<(), StoreError> {
        let analysis = analysis.clone();
        self.write(move |txn| {
            let id = analysis.id.to_string();
            let mut records = txn.open_table(ANALYSES).map_err(unavailable)?;
            if records.get(id.as_str()).map_err(unavailable)?.is_some() {
                return Err(StoreError::Conflict("analysis exists".into()));
            }
            records
                .insert(id.as_str(), to_json(&analysis)?.as_slice())
                .map_err(unavailable)?;
            let mut by_owner = txn.open_table(BY_OWNER).map_err(unavailable)?;
            by_owner
                .insert(owner_key(analysis.owner.as_str(), analysis.id).as_str(), ())
                .map_err(unavailable)?;
            drop((records, by_owner));
            if analysis.status == Status::Pending {
                txn.open_table(PENDING)
                    .map_err(unavailable)?
                    .insert(pending_key(&analysis).as_str(), ())
                    .map_err(unavailable)?;
            }
            bump_counts(txn, analysis.owner.as_str(), None, 1)
        })
        .await
    }

    async fn get(&self, id: AnalysisId) -> Result<Option<Analysis>, StoreError> {
        self.read(move |txn| {
            let records = txn.open_table(ANALYSES).map_err(unavailable)?;
            let key = id.to_string();
            records
                .get(key.as_str())
                .map_err(unavailable)?
                .map(|v| from_json(v.value()))
                .transpose()
        })
        .await
    }

    async fn finish(&self, analysis: &Analysis) -> Result<(), StoreError> {
        let analysis = analysis.clone();
        self.write(move |txn| {
            let id = analysis.id.to_string();
            let mut records = txn.open_table(ANALYSES).map_err(unavailable)?;
            let stored: Analysis = match records.get(id.as_str()).map_err(unavailable)? {
                Some(v) => from_json(v.value())?,
                None => return Err(StoreError::NotFound),
            };
            if stored.status != Status::Pending {
                return Err(StoreError::Conflict("analysis already finished".into()));
            }
            records
                .insert(id.as_str(), to_json(&analysis)?.as_slice())
                .map_err(unavailable)?;
            drop(records);
            unmark_pending(txn, &stored)?;
            if let Some(category) = analysis.category {
                let mut by_category = txn.open_table(BY_CATEGORY).map_err(unavailable)?;
                by_category
                    .insert(
                        category_key(analysis.owner.as_str(), category, analysis.id).as_str(),
                        (),
                    )
                    .map_err(unavailable)?;
                drop(by_category);
                bump_counts(txn, analysis.owner.as_str(), None, -1)?;
                bump_counts(txn, analysis.owner.as_str(), Some(category), 1)?;
            }
            Ok(())
        })
        .await
    }

    async fn list(
        &self,
        owner: &Username,
        category: Option<Category>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Analysis>, Option<String>), StoreError> {
        let prefix = match category {
            Some(c) => format!("{owner}\0{}\0", c.as_str()),
            None => format!("{owner}\0"),
        };
        let before = match cursor {
            Some(cursor) => {
                let bytes = URL_SAFE_NO_PAD
                    .decode(cursor)
                    .map_err(|_| StoreError::Conflict("bad cursor".into()))?;
                let key = String::from_utf8(bytes)
                    .map_err(|_| StoreError::Conflict("bad cursor".into()))?;
                let rest = key
                    .strip_prefix(&prefix)
                    .ok_or_else(|| StoreError::Conflict("bad cursor".into()))?;
                if rest.contains('\0') {
                    return Err(StoreError::Conflict("bad cursor".into()));
                }
                key
            }
            None => format!("{prefix}\u{10FFFF}"),
        };
        self.read(move |txn| {
            let index = txn
                .open_table(if category.is_some() {
                    BY_CATEGORY
                } else {
                    BY_OWNER
                })
                .map_err(unavailable)?;
            let records = txn.open_table(ANALYSES).map_err(unavailable)?;
            let mut items = Vec::with_capacity(limit);
            let mut last_key = None;
            let mut more = false;
            for entry in index
                .range(prefix.as_str()..before.as_str())
                .map_err(unavailable)?
                .rev()
            {
                let (key, _) = entry.map_err(unavailable)?;
                if items.len() == limit {
                    more = true;
                    break;
                }
                let key = key.value().to_owned();
                let id = key.rsplit('\0').next().unwrap_or_default().to_owned();
                if let Some(v) = records.get(id.as_str()).map_err(unavailable)? {
                    items.push(from_json(v.value())?);
                }
                last_key = Some(key);
            }
            let next = if more {
                last_key.map(|k| URL_SAFE_NO_PAD.encode(k))
            } else {
                None
            };
            Ok((items, next))
        })
        .await
    }

    async fn counts(&self, owner: &Username) -> Result<Counts, StoreError> {
        let owner = owner.as_str().to_owned();
        self.read(move |txn| {
            let table = txn.open_table(ANALYSIS_COUNTS).map_err(unavailable)?;
            table
                .get(owner.as_str())
                .map_err(unavailable)?
                .map(|v| from_json(v.value()))
                .transpose()
                .map(Option::unwrap_or_default)
        })
        .await
    }

    async fn pending_before(
        &self,
        cutoff: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Analysis>, StoreError> {
        let before = time_key(cutoff);
        self.read(move |txn| {
            let index = txn.open_table(PENDING).map_err(unavailable)?;
            let records = txn.open_table(ANALYSES).map_err(unavailable)?;
            let mut found = Vec::new();
            for entry in index
                .range(..before.as_str())
                .map_err(unavailable)?
                .take(limit)
            {
                let (key, _) = entry.map_err(unavailable)?;
                let id = key
                    .value()
                    .rsplit('\0')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                if let Some(v) = records.get(id.as_str()).map_err(unavailable)? {
                    found.push(from_json(v.value())?);
                }
            }
            Ok(found)
        })
        .await
    }

    async fn delete(&self, id: AnalysisId) -> Result<(), StoreError> {
        self.write(move |txn| {
            let key = id.to_string();
            let mut records = txn.open_table(ANALYSES).map_err(unavailable)?;
            let stored: Analysis = match records.remove(key.as_str()).map_err(unavailable)? {
                Some(v) => from_json(v.value())?,
                None => return Err(StoreError::NotFound),
            };
            drop(records);
            unmark_pending(txn, &stored)?;
            let owner = stored.owner.as_str();
            txn.open_table(BY_OWNER)
                .map_err(unavailable)?
                .remove(owner_key(owner, id).as_str())
                .map_err(unavailable)?;
            if let Some(category) = stored.category {
                txn.open_table(BY_CATEGORY)
                    .map_err(unavailable)?
                    .remove(category_key(owner, category, id).as_str())
                    .map_err(unavailable)?;
            }
            bump_counts(txn, owner, stored.category, -1)
        })
        .await
    }
}

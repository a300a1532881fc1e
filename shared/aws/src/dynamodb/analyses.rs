//! Analysis records. Each record is one item (`ANALYSIS#{id}`) holding the whole analysis as
//! JSON beside plain attributes for the console; `gsi1` lists an owner's analyses and `gsi2`
//! those of one category, both newest first. The per-owner counts live in one item of the
//! owner's `COUNTS#` partition, changed in the same transaction as the record.

use super::item::{Item, get_n, get_s, instant, key, n, s};
use super::keys::{
    ANALYSIS, COUNTS, GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, PENDING_ANALYSES, PK,
    analyses_in, analyses_of, analysis_pk, analysis_sk, counts_pk, time_key,
};
use super::transact::{cancelled, failed};
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use facelens_core::analysis::ports::AnalysisStore;
use facelens_core::analysis::{Analysis, AnalysisId, Category, Counts, Status};
use facelens_core::domain::Username;
use facelens_core::ports::StoreError;
use time::OffsetDateTime;

const BAD_CURSOR: &str = "bad cursor";
/// The counter attribute of all analyses; each category's is its name.
const ALL: &str = "all";
/// Reads and conditional deletes of an analysis before giving up on one that keeps changing.
const DELETE_TRIES: u32 = 4;

#[async_trait]
impl AnalysisStore for DynamoDb {
    async fn create(&self, analysis: &Analysis) -> Result<(), StoreError> {
        let items = vec![
            self.put_new(record_item(analysis)?)?,
            self.count_change(analysis.owner.as_str(), &[(ALL, 1)])?,
        ];
        match self.transact(items).await? {
            None => Ok(()),
            Some(reasons) if failed(&reasons, 0) => {
                Err(StoreError::Conflict("analysis exists".into()))
            }
            Some(reasons) => Err(cancelled(&reasons)),
        }
    }

    async fn get(&self, id: AnalysisId) -> Result<Option<Analysis>, StoreError> {
        self.get_item(analysis_pk(&id.to_string()), ANALYSIS)
            .await?
            .map(|item| parse_record(&item))
            .transpose()
    }

    async fn finish(&self, analysis: &Analysis) -> Result<(), StoreError> {
        let put = Put::builder()
            .table_name(&*self.table)
            .set_item(Some(record_item(analysis)?))
            .condition_expression("attribute_exists(#pk) AND #status = :pending")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(status_text(Status::Pending)))
            .build()
            .map_err(|e| unavailable("building Put", e))?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        if let Some(category) = analysis.category {
            items.push(self.count_change(analysis.owner.as_str(), &[(category.as_str(), 1)])?);
        }
        let Some(reasons) = self.transact(items).await? else {
            return Ok(());
        };
        if !failed(&reasons, 0) {
            return Err(cancelled(&reasons));
        }
        match self.get(analysis.id).await? {
            None => Err(StoreError::NotFound),
            Some(_) => Err(StoreError::Conflict("analysis already finished".into())),
        }
    }

    async fn list(
        &self,
        owner: &Username,
        category: Option<Category>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Analysis>, Option<String>), StoreError> {
        let (index, pk_name, sk_name, pk) = match category {
            Some(c) => (
                GSI2,
                GSI2PK,
                GSI2SK,
                analyses_in(owner.as_str(), c.as_str()),
            ),
            None => (GSI1, GSI1PK, GSI1SK, analyses_of(owner.as_str())),
        };
        let start = cursor
            .map(|cursor| {
                let (sort_key, id) = parse_cursor(cursor)?;
                let mut start = key(analysis_pk(&id.to_string()), ANALYSIS);
                start.insert(pk_name.to_owned(), s(&pk));
                start.insert(sk_name.to_owned(), s(sort_key));
                Ok::<_, StoreError>(start)
            })
            .transpose()?;
        // One more than asked, to know whether a next page exists.
        let wanted = limit.saturating_add(1);
        let page = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(index)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", s(&pk))
            .scan_index_forward(false)
            .limit(i32::try_from(wanted).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| unavailable("Query (analyses)", e))?;
        let mut items = page
            .items()
            .iter()
            .map(parse_record)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items
                .last()
                .map(|last| make_cursor(&analysis_sk(last.created_at, &last.id.to_string())))
        } else {
            None
        };
        Ok((items, next))
    }

    async fn pending_before(
        &self,
        cutoff: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Analysis>, StoreError> {
        // `gsi2` is eventually consistent: a record just finished may still be listed, and
        // the sweep's conditional `finish` then refuses it.
        let page = self
            .client
            .query()
            .table_name(&*self.table)
            .index_name(GSI2)
            .key_condition_expression("#pk = :pk AND #sk < :before")
            .expression_attribute_names("#pk", GSI2PK)
            .expression_attribute_names("#sk", GSI2SK)
            .expression_attribute_values(":pk", s(PENDING_ANALYSES))
            .expression_attribute_values(":before", s(time_key(cutoff)))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| unavailable("Query (pending analyses)", e))?;
        page.items().iter().map(parse_record).collect()
    }

    async fn counts(&self, owner: &Username) -> Result<Counts, StoreError> {
        let Some(item) = self.get_item(counts_pk(owner.as_str()), COUNTS).await? else {
            return Ok(Counts::default());
        };
        let count = |name: &str| -> Result<u64, StoreError> {
            match item.get(name) {
                None => Ok(0),
                Some(_) => get_n::<i64>(&item, name).map(|v| u64::try_from(v).unwrap_or(0)),
            }
        };
        Ok(Counts {
            all: count(ALL)?,
            no_faces: count(Category::NoFaces.as_str())?,
            all_masked: count(Category::AllMasked.as_str())?,
            none_masked: count(Category::NoneMasked.as_str())?,
            some_masked: count(Category::SomeMasked.as_str())?,
        })
    }

    async fn delete(&self, id: AnalysisId) -> Result<(), StoreError> {
        // The counts to lower depend on the status and category read here; the delete holds
        // only while they are unchanged, so a `finish` in between makes it read again rather
        // than lower the wrong counters.
        for _ in 0..DELETE_TRIES {
            let Some(stored) = self.get(id).await? else {
                return Err(StoreError::NotFound);
            };
            // A record changes once (pending to done or failed), so its status says whether
            // the category read is still the one stored.
            let delete = Delete::builder()
                .table_name(&*self.table)
                .set_key(Some(key(analysis_pk(&id.to_string()), ANALYSIS)))
                .condition_expression("attribute_exists(#pk) AND #status = :status")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status_text(stored.status)))
                .build()
                .map_err(|e| unavailable("building Delete", e))?;
            let mut changes = vec![(ALL, -1)];
            if let Some(category) = stored.category {
                changes.push((category.as_str(), -1));
            }
            let items = vec![
                TransactWriteItem::builder().delete(delete).build(),
                self.count_change(stored.owner.as_str(), &changes)?,
            ];
            match self.transact(items).await? {
                None => return Ok(()),
                Some(reasons) if failed(&reasons, 0) => {}
                Some(reasons) => return Err(cancelled(&reasons)),
            }
        }
        Err(StoreError::Unavailable(
            "the analysis kept changing while it was being deleted".into(),
        ))
    }
}

impl DynamoDb {
    /// A transaction step adding each `(counter, delta)` to the owner's counts item.
    fn count_change(
        &self,
        owner: &str,
        changes: &[(&str, i64)],
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&*self.table)
            .set_key(Some(key(counts_pk(owner), COUNTS)))
            .expression_attribute_names("#entity", "entity")
            .expression_attribute_values(":entity", s("analysis_counts"));
        let mut adds = Vec::with_capacity(changes.len());
        for (i, (counter, delta)) in changes.iter().enumerate() {
            adds.push(format!("#c{i} :d{i}"));
            update = update
                .expression_attribute_names(format!("#c{i}"), *counter)
                .expression_attribute_values(format!(":d{i}"), n(delta));
        }
        let update = update
            .update_expression(format!("SET #entity = :entity ADD {}", adds.join(", ")))
            .build()
            .map_err(|e| unavailable("building Update", e))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

fn status_text(status: Status) -> &'static str {
    match status {
        Status::Pending => "pending",
        Status::Done => "done",
        Status::Failed => "failed",
    }
}

fn record_item(analysis: &Analysis) -> Result<Item, StoreError> {
    let id = analysis.id.to_string();
    let owner = analysis.owner.as_str();
    let sort_key = analysis_sk(analysis.created_at, &id);
    let data = serde_json::to_string(analysis)
        .map_err(|e| StoreError::Unavailable(format!("encoding an analysis: {e}")))?;
    let mut item = key(analysis_pk(&id), ANALYSIS);
    item.extend([
        ("entity".to_owned(), s("analysis")),
        ("owner".to_owned(), s(owner)),
        ("status".to_owned(), s(status_text(analysis.status))),
        ("created_at".to_owned(), instant(analysis.created_at)?),
        ("data".to_owned(), s(data)),
        (GSI1PK.to_owned(), s(analyses_of(owner))),
        (GSI1SK.to_owned(), s(&sort_key)),
    ]);
    if let Some(category) = analysis.category {
        item.extend([
            ("category".to_owned(), s(category.as_str())),
            (GSI2PK.to_owned(), s(analyses_in(owner, category.as_str()))),
            (GSI2SK.to_owned(), s(sort_key)),
        ]);
    } else if analysis.status == Status::Pending {
        item.extend([
            (GSI2PK.to_owned(), s(PENDING_ANALYSES)),
            (GSI2SK.to_owned(), s(sort_key)),
        ]);
    }
    Ok(item)
}

fn parse_record(item: &Item) -> Result<Analysis, StoreError> {
    serde_json::from_str(get_s(item, "data")?)
        .map_err(|e| StoreError::Unavailable(format!("malformed analysis item: {e}")))
}

fn make_cursor(sort_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(sort_key)
}

/// The sort key and id a cursor of [`make_cursor`] holds; anything else is refused, so a
/// cursor cannot steer the query outside the caller's own partition.
fn parse_cursor(cursor: &str) -> Result<(String, AnalysisId), StoreError> {
    let bad = || StoreError::Conflict(BAD_CURSOR.into());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (time, id) = text.split_once('#').ok_or_else(bad)?;
    if time.len() != 24 || !time.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let id = AnalysisId::parse(id).ok_or_else(bad)?;
    Ok((text, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_a_cursor_we_made_when_parsed_then_it_round_trips() {
        let id = AnalysisId::new();
        let sort_key = analysis_sk(time::OffsetDateTime::now_utc(), &id.to_string());
        let (parsed_key, parsed_id) = parse_cursor(&make_cursor(&sort_key)).expect("valid");
        assert_eq!((parsed_key, parsed_id), (sort_key, id));
    }

    #[test]
    fn given_a_forged_cursor_when_parsed_then_refused() {
        for forged in [
            "not base64!",
            &URL_SAFE_NO_PAD.encode("USER#mallory#ANALYSES"),
            &URL_SAFE_NO_PAD.encode(format!("{}#not-an-id", "0".repeat(24))),
            &URL_SAFE_NO_PAD.encode(format!("12#{}", AnalysisId::new())),
        ] {
            assert!(
                matches!(parse_cursor(forged), Err(StoreError::Conflict(_))),
                "{forged}"
            );
        }
    }
}

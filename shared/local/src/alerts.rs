//! The local alert log: what SNS emails admins on AWS. One alert per analysis, enforced in the
//! same transaction that records it.

use crate::db::{ALERTED, ALERTS, LocalDb, from_json, time_key, to_json, unavailable};
use async_trait::async_trait;
use facelens_core::analysis::AnalysisId;
use facelens_core::analysis::ports::{Alert, AlertSink};
use facelens_core::ports::StoreError;
use redb::ReadableTable;

#[async_trait]
impl AlertSink for LocalDb {
    async fn raise(&self, alert: &Alert) -> Result<(), StoreError> {
        let alert = alert.clone();
        self.write(move |txn| {
            let id = alert.analysis_id.to_string();
            let mut alerted = txn.open_table(ALERTED).map_err(unavailable)?;
            if alerted.get(id.as_str()).map_err(unavailable)?.is_some() {
                return Ok(());
            }
            alerted.insert(id.as_str(), ()).map_err(unavailable)?;
            let key = format!("{}:{id}", time_key(alert.created_at));
            txn.open_table(ALERTS)
                .map_err(unavailable)?
                .insert(key.as_str(), to_json(&alert)?.as_slice())
                .map_err(unavailable)?;
            tracing::warn!(analysis = %id, user = %alert.username, "low-confidence alert raised");
            Ok(())
        })
        .await
    }

    async fn forget(&self, id: AnalysisId) -> Result<(), StoreError> {
        let id = id.to_string();
        self.write(move |txn| {
            let mut alerted = txn.open_table(ALERTED).map_err(unavailable)?;
            if alerted.remove(id.as_str()).map_err(unavailable)?.is_none() {
                return Ok(());
            }
            // Alerts are keyed by time; they are few (faces under the threshold), so the
            // alert is looked for among them.
            let mut alerts = txn.open_table(ALERTS).map_err(unavailable)?;
            let suffix = format!(":{id}");
            let mut found = None;
            for entry in alerts.iter().map_err(unavailable)?.rev() {
                let (key, _) = entry.map_err(unavailable)?;
                if key.value().ends_with(&suffix) {
                    found = Some(key.value().to_owned());
                    break;
                }
            }
            if let Some(key) = found {
                alerts.remove(key.as_str()).map_err(unavailable)?;
            }
            Ok(())
        })
        .await
    }

    async fn recent(&self, limit: usize) -> Result<Vec<Alert>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(ALERTS).map_err(unavailable)?;
            table
                .iter()
                .map_err(unavailable)?
                .rev()
                .take(limit)
                .map(|entry| {
                    let (_, v) = entry.map_err(unavailable)?;
                    from_json(v.value())
                })
                .collect()
        })
        .await
    }
}

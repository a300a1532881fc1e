//! Low-confidence alerts: recorded once per analysis in DynamoDB (`ALERT#{id}`, listed newest
//! first on `gsi1`), then published to the admins' SNS topic, which emails them.
//!
//! The record says whether it has been published (`published`, set after SNS accepted the
//! message), so a delivery that ends between the two (a crash, a timeout, a failed publish)
//! leaves an unpublished record that the retried delivery publishes: every alert is sent at
//! least once, and more than once only when the worker dies between SNS accepting the message
//! and the record being marked.

use crate::DynamoDb;
use crate::dynamodb::keys::{ALERT, ALERTS, GSI1, GSI1PK, GSI1SK, PK, alert_pk, analysis_sk};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sns::error::DisplayErrorContext;
use facelens_core::analysis::AnalysisId;
use facelens_core::analysis::ports::{Alert, AlertSink};
use facelens_core::ports::StoreError;
use std::collections::HashMap;
use std::fmt::Write as _;

/// The alert sink of the analysis worker and the admins' alert list.
#[derive(Clone, Debug)]
pub struct SnsAlerts {
    table: DynamoDb,
    sns: aws_sdk_sns::Client,
    topic_arn: Option<String>,
    link: Option<String>,
}

impl SnsAlerts {
    /// As [`Aws::sns_alerts`](crate::Aws::sns_alerts), with the SNS client built from `sns`
    /// (tests give it a replaying HTTP client); the timeouts and the classification of
    /// `KMSThrottling` as throttling are added to it.
    pub fn with_sns_config(
        table: DynamoDb,
        sns: aws_sdk_sns::config::Builder,
        topic_arn: Option<String>,
        link: Option<String>,
    ) -> Self {
        Self::new(table, crate::sns_retry::sns_client(sns), topic_arn, link)
    }

    /// Alerts recorded in `table` and published to `topic_arn` (none: listing only); `link`
    /// (the site's address) goes into each message when given.
    pub(crate) fn new(
        table: DynamoDb,
        sns: aws_sdk_sns::Client,
        topic_arn: Option<String>,
        link: Option<String>,
    ) -> Self {
        Self {
            table,
            sns,
            topic_arn,
            link,
        }
    }

    fn message(&self, alert: &Alert) -> String {
        let mut text = format!(
            "{}\n\nAnalysis: {}\nUser: {}\nFaces under the threshold: {}\n",
            alert.message,
            alert.analysis_id,
            alert.username,
            alert.confidences.len()
        );
        for (i, confidence) in alert.confidences.iter().enumerate() {
            let _ = writeln!(text, "  face {}: {confidence:.1}% confidence", i + 1);
        }
        if let Some(link) = &self.link {
            let _ = writeln!(text, "\nSee the alerts in Facelens: {link}");
        }
        text
    }

    /// Whether the alert recorded for `id` has been published (`None`: no record). Records
    /// written before the flag existed count as published.
    async fn published(&self, id: &str) -> Result<Option<bool>, StoreError> {
        let out = self
            .table
            .client
            .get_item()
            .table_name(self.table.table_name())
            .key(PK, AttributeValue::S(alert_pk(id)))
            .key("sk", AttributeValue::S(ALERT.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| crate::dynamodb::unavailable("GetItem (alert)", e))?;
        Ok(out
            .item
            .map(|item| !matches!(item.get(PUBLISHED), Some(AttributeValue::Bool(false)))))
    }

    /// Marks the record of `id` as published (if it still exists).
    async fn mark_published(&self, id: &str) -> Result<(), StoreError> {
        let marked = self
            .table
            .client
            .update_item()
            .table_name(self.table.table_name())
            .key(PK, AttributeValue::S(alert_pk(id)))
            .key("sk", AttributeValue::S(ALERT.to_owned()))
            .update_expression("SET #published = :true")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#published", PUBLISHED)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .send()
            .await;
        match marked {
            Ok(_) => Ok(()),
            // Withdrawn meanwhile (the analysis was deleted): nothing to mark.
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(err) => Err(crate::dynamodb::unavailable("UpdateItem (alert)", err)),
        }
    }

    async fn delete_record(&self, id: &str) -> Result<(), StoreError> {
        delete_record(&self.table, id).await
    }
}

async fn delete_record(table: &DynamoDb, id: &str) -> Result<(), StoreError> {
    table
        .client
        .delete_item()
        .table_name(table.table_name())
        .key(PK, AttributeValue::S(alert_pk(id)))
        .key("sk", AttributeValue::S(ALERT.to_owned()))
        .send()
        .await
        .map_err(|e| crate::dynamodb::unavailable("DeleteItem (alert)", e))?;
    Ok(())
}

/// The attribute that says SNS accepted the alert's message.
const PUBLISHED: &str = "published";

fn record(alert: &Alert) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let id = alert.analysis_id.to_string();
    let data = serde_json::to_string(alert)
        .map_err(|e| StoreError::Unavailable(format!("encoding an alert: {e}")))?;
    Ok(HashMap::from([
        (PK.to_owned(), AttributeValue::S(alert_pk(&id))),
        ("sk".to_owned(), AttributeValue::S(ALERT.to_owned())),
        (GSI1PK.to_owned(), AttributeValue::S(ALERTS.to_owned())),
        (
            GSI1SK.to_owned(),
            AttributeValue::S(analysis_sk(alert.created_at, &id)),
        ),
        ("entity".to_owned(), AttributeValue::S("alert".to_owned())),
        (
            "username".to_owned(),
            AttributeValue::S(alert.username.to_string()),
        ),
        ("data".to_owned(), AttributeValue::S(data)),
        (PUBLISHED.to_owned(), AttributeValue::Bool(false)),
    ]))
}

#[async_trait]
impl AlertSink for SnsAlerts {
    async fn raise(&self, alert: &Alert) -> Result<(), StoreError> {
        let Some(topic_arn) = &self.topic_arn else {
            return Err(StoreError::Unavailable(
                "no alert topic is configured (FACELENS_ALERT_TOPIC_ARN)".into(),
            ));
        };
        let id = alert.analysis_id.to_string();
        let put = self
            .table
            .client
            .put_item()
            .table_name(self.table.table_name())
            .set_item(Some(record(alert)?))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        match put {
            Ok(_) => {}
            // Recorded by an earlier delivery of the same photo: done if that delivery also
            // published it, else publish now.
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                if self.published(&id).await? != Some(false) {
                    return Ok(());
                }
            }
            Err(err) => return Err(crate::dynamodb::unavailable("PutItem (alert)", err)),
        }
        let published = self
            .sns
            .publish()
            .topic_arn(topic_arn)
            .subject("Facelens: faces detected with low confidence")
            .message(self.message(alert))
            .send()
            .await;
        if let Err(err) = published {
            // The record stays unpublished, so the retried delivery publishes it.
            return Err(StoreError::Unavailable(format!(
                "SNS Publish: {}",
                DisplayErrorContext(err)
            )));
        }
        self.mark_published(&id).await?;
        tracing::warn!(analysis = %id, user = %alert.username, "low-confidence alert published");
        Ok(())
    }

    async fn forget(&self, id: AnalysisId) -> Result<(), StoreError> {
        self.delete_record(&id.to_string()).await
    }

    async fn recent(&self, limit: usize) -> Result<Vec<Alert>, StoreError> {
        recent(&self.table, limit).await
    }
}

/// The alerts in the table, for the functions that list and erase them but never raise one
/// (the analyses API, the purge in the auth function): no SNS client, so they do not link the
/// SNS SDK (a smaller zip and a faster cold start).
#[derive(Clone, Debug)]
pub struct AlertRecords(DynamoDb);

impl AlertRecords {
    /// The alert records of `table`.
    pub fn new(table: DynamoDb) -> Self {
        Self(table)
    }
}

#[async_trait]
impl AlertSink for AlertRecords {
    async fn raise(&self, _alert: &Alert) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "this function lists and erases alerts; the analysis worker raises them".into(),
        ))
    }

    async fn forget(&self, id: AnalysisId) -> Result<(), StoreError> {
        delete_record(&self.0, &id.to_string()).await
    }

    async fn recent(&self, limit: usize) -> Result<Vec<Alert>, StoreError> {
        recent(&self.0, limit).await
    }
}

/// The newest alerts, at most `limit`.
async fn recent(table: &DynamoDb, limit: usize) -> Result<Vec<Alert>, StoreError> {
    let page = table
        .client
        .query()
        .table_name(table.table_name())
        .index_name(GSI1)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", GSI1PK)
        .expression_attribute_values(":pk", AttributeValue::S(ALERTS.to_owned()))
        .scan_index_forward(false)
        .limit(i32::try_from(limit).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|e| crate::dynamodb::unavailable("Query (alerts)", e))?;
    page.items()
        .iter()
        .map(|item| match item.get("data") {
            Some(AttributeValue::S(data)) => serde_json::from_str(data)
                .map_err(|e| StoreError::Unavailable(format!("malformed alert item: {e}"))),
            _ => Err(StoreError::Unavailable(
                "malformed alert item: no data".into(),
            )),
        })
        .collect()
}

//! The sign-in audit: every attempt in its UTC day's partition, newest read first.

use super::item::{Item, get_bool, get_instant, get_s, instant, key, s};
use super::keys::{audit_pk, audit_sk};
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use facelens_core::ports::{AuditLog, SignInAttempt, SignInMethod, StoreError};
use time::{Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// How many days back [`AuditLog::recent`] looks (today included). Older attempts stay in the
/// table but are not listed.
pub const RECENT_DAYS: i64 = 30;

#[async_trait]
impl AuditLog for DynamoDb {
    async fn record(&self, attempt: &SignInAttempt) -> Result<(), StoreError> {
        let id = Uuid::new_v4().to_string();
        let mut entry = key(
            audit_pk(attempt.at.to_offset(UtcOffset::UTC).date()),
            audit_sk(attempt.at, &id),
        );
        entry.extend(attempt_attributes(attempt)?);
        self.client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(entry))
            .send()
            .await
            .map_err(|e| unavailable("PutItem (audit)", e))?;
        Ok(())
    }

    async fn recent(&self, limit: usize) -> Result<Vec<SignInAttempt>, StoreError> {
        let today = OffsetDateTime::now_utc().date();
        let mut attempts = Vec::new();
        for back in 0..RECENT_DAYS {
            if attempts.len() >= limit {
                break;
            }
            let Some(day) = today.checked_sub(Duration::days(back)) else {
                break;
            };
            self.newest_of_day(&audit_pk(day), limit, &mut attempts)
                .await?;
        }
        Ok(attempts)
    }
}

impl DynamoDb {
    /// Appends the attempts of one day's partition, newest first, until `out` holds `limit`.
    async fn newest_of_day(
        &self,
        pk: &str,
        limit: usize,
        out: &mut Vec<SignInAttempt>,
    ) -> Result<(), StoreError> {
        let wanted = i32::try_from(limit.saturating_sub(out.len())).unwrap_or(i32::MAX);
        let mut items = self
            .client
            .query()
            .table_name(&*self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", s(pk))
            .scan_index_forward(false)
            .limit(wanted)
            .into_paginator()
            .items()
            .send();
        while out.len() < limit {
            let Some(item) = items.next().await else {
                break;
            };
            out.push(parse_attempt(
                &item.map_err(|e| unavailable("Query (audit)", e))?,
            )?);
        }
        Ok(())
    }
}

fn attempt_attributes(
    attempt: &SignInAttempt,
) -> Result<[(String, aws_sdk_dynamodb::types::AttributeValue); 7], StoreError> {
    Ok([
        ("entity".to_owned(), s("signin")),
        ("username".to_owned(), s(&attempt.username)),
        ("client".to_owned(), s(&attempt.client)),
        ("at".to_owned(), instant(attempt.at)?),
        (
            "success".to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::Bool(attempt.success),
        ),
        ("reason".to_owned(), s(&attempt.reason)),
        ("method".to_owned(), s(attempt.method.as_str())),
    ])
}

fn parse_attempt(item: &Item) -> Result<SignInAttempt, StoreError> {
    Ok(SignInAttempt {
        username: get_s(item, "username")?.to_owned(),
        client: get_s(item, "client").unwrap_or_default().to_owned(),
        at: get_instant(item, "at")?,
        success: get_bool(item, "success")?,
        reason: get_s(item, "reason")?.to_owned(),
        // Items written before face sign-in have no method: they were passwords.
        method: match get_s(item, "method") {
            Ok("face") => SignInMethod::Face,
            Ok("sign-up") => SignInMethod::SignUp,
            _ => SignInMethod::Password,
        },
    })
}

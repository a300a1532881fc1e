//! The live check's items (see `docs/architecture.md`, "Table design"):
//!
//! - a session: `LIVE#{id}` / `SESSION`, plain attributes; `gsi1` lists an owner's sessions
//!   (`USER#{owner}#LIVE`) and `gsi2` everyone's (`LIVE#SESSIONS`), both by the time-ordered id;
//! - its violations in the same partition: `V#{track, 10 digits}`;
//! - camera settings: `LIVECAM#{owner}` / `{name}`;
//! - hour buckets: `LIVESTATS#{owner}` / `{hour nanos}#{camera}`, counted with `ADD`; `gsi1`
//!   (`LIVESTATS`, `{hour nanos}#{owner}#{camera}`) reads everyone's over a time range.
//!
//! A batch is one transaction: the session's counts and `seq` (on the condition that its `seq`
//! is the previous one and it has not ended), each violation (on the condition that its track
//! is new) and the hour bucket.

use super::item::{Item, get_instant, get_n, get_parsed, get_s, instant, key, n, s};
use super::keys::{
    GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, LIVE_SESSION, LIVE_SESSIONS, LIVE_STATS, PK, SK,
    live_camera_pk, live_session_pk, live_sessions_of, live_stats_pk, live_violation_sk, time_key,
};
use super::transact::cancelled;
use super::{DynamoDb, unavailable};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use facelens_core::analysis::ObjectKey;
use facelens_core::domain::Username;
use facelens_core::live::ports::LiveStore;
use facelens_core::live::{
    AlertRule, Camera, CameraName, EventBatch, HourBucket, LiveSession, LiveSessionId, Violation,
};
use facelens_core::ports::StoreError;
use time::OffsetDateTime;

fn session_item(session: &LiveSession) -> Result<Item, StoreError> {
    let id = session.id.to_string();
    let mut item = key(live_session_pk(session.id), LIVE_SESSION);
    item.extend([
        ("entity".to_owned(), s("live_session")),
        ("id".to_owned(), s(&id)),
        ("owner".to_owned(), s(session.owner.as_str())),
        ("camera".to_owned(), s(session.camera.as_str())),
        ("started_at".to_owned(), instant(session.started_at)?),
        ("seq".to_owned(), n(session.seq)),
        ("faces".to_owned(), n(session.faces)),
        ("masked".to_owned(), n(session.masked)),
        ("unmasked".to_owned(), n(session.unmasked)),
        ("violations".to_owned(), n(session.violations)),
        (
            GSI1PK.to_owned(),
            s(live_sessions_of(session.owner.as_str())),
        ),
        (GSI1SK.to_owned(), s(&id)),
        (GSI2PK.to_owned(), s(LIVE_SESSIONS)),
        (GSI2SK.to_owned(), s(&id)),
    ]);
    if let Some(ended) = session.ended_at {
        item.insert("ended_at".to_owned(), instant(ended)?);
    }
    if let Some(heard) = session.last_event_at {
        item.insert("last_event_at".to_owned(), instant(heard)?);
    }
    Ok(item)
}

fn parse_session(item: &Item) -> Result<LiveSession, StoreError> {
    Ok(LiveSession {
        id: get_parsed(item, "id", |t| LiveSessionId::parse(t).ok_or(()))?,
        owner: get_parsed(item, "owner", Username::parse)?,
        camera: get_parsed(item, "camera", CameraName::parse)?,
        started_at: get_instant(item, "started_at")?,
        ended_at: item
            .contains_key("ended_at")
            .then(|| get_instant(item, "ended_at"))
            .transpose()?,
        seq: get_n(item, "seq")?,
        last_event_at: item
            .contains_key("last_event_at")
            .then(|| get_instant(item, "last_event_at"))
            .transpose()?,
        faces: get_n(item, "faces")?,
        masked: get_n(item, "masked")?,
        unmasked: get_n(item, "unmasked")?,
        violations: get_n(item, "violations")?,
    })
}

fn violation_item(session: LiveSessionId, violation: &Violation) -> Result<Item, StoreError> {
    let mut item = key(live_session_pk(session), live_violation_sk(violation.track));
    item.extend([
        ("entity".to_owned(), s("live_violation")),
        ("track".to_owned(), n(violation.track)),
        ("at".to_owned(), instant(violation.at)?),
        ("unmasked_seconds".to_owned(), n(violation.unmasked_seconds)),
    ]);
    if let Some(snapshot) = &violation.snapshot {
        item.insert("snapshot".to_owned(), s(snapshot.as_str()));
    }
    Ok(item)
}

fn parse_violation(item: &Item) -> Result<Violation, StoreError> {
    Ok(Violation {
        track: get_n(item, "track")?,
        at: get_instant(item, "at")?,
        unmasked_seconds: get_n(item, "unmasked_seconds")?,
        snapshot: item
            .contains_key("snapshot")
            .then(|| get_s(item, "snapshot").map(|k| ObjectKey::stored(k.to_owned())))
            .transpose()?,
    })
}

fn camera_item(owner: &Username, camera: &Camera) -> Result<Item, StoreError> {
    let mut item = key(live_camera_pk(owner.as_str()), camera.name.as_str());
    item.extend([
        ("entity".to_owned(), s("live_camera")),
        ("name".to_owned(), s(camera.name.as_str())),
        (
            "snapshots".to_owned(),
            AttributeValue::Bool(camera.snapshots),
        ),
        ("violation_seconds".to_owned(), n(camera.violation_seconds)),
    ]);
    if let Some(rule) = camera.alert {
        item.insert("alert_violations".to_owned(), n(rule.violations));
        item.insert("alert_minutes".to_owned(), n(rule.minutes));
    }
    if let Some(at) = camera.alerted_at {
        item.insert("alerted_at".to_owned(), instant(at)?);
    }
    Ok(item)
}

fn parse_camera(item: &Item) -> Result<Camera, StoreError> {
    let alert = if item.contains_key("alert_violations") {
        Some(AlertRule {
            violations: get_n(item, "alert_violations")?,
            minutes: get_n(item, "alert_minutes")?,
        })
    } else {
        None
    };
    Ok(Camera {
        name: get_parsed(item, "name", CameraName::parse)?,
        snapshots: matches!(item.get("snapshots"), Some(AttributeValue::Bool(true))),
        violation_seconds: get_n(item, "violation_seconds")?,
        alert,
        alerted_at: item
            .contains_key("alerted_at")
            .then(|| get_instant(item, "alerted_at"))
            .transpose()?,
    })
}

fn parse_bucket(item: &Item) -> Result<HourBucket, StoreError> {
    Ok(HourBucket {
        owner: get_parsed(item, "owner", Username::parse)?,
        camera: get_parsed(item, "camera", CameraName::parse)?,
        hour: get_instant(item, "hour")?,
        faces: get_n(item, "faces")?,
        masked: get_n(item, "masked")?,
        unmasked: get_n(item, "unmasked")?,
        violations: get_n(item, "violations")?,
    })
}

impl DynamoDb {
    /// Every item of a query (or the first `limit`), page after page.
    async fn query_all(
        &self,
        index: Option<&str>,
        pk: (&str, String),
        sk_between: Option<(&str, String, String)>,
        newest_first: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&*self.table)
            .set_index_name(index.map(str::to_owned))
            .expression_attribute_names("#pk", pk.0)
            .expression_attribute_values(":pk", s(&pk.1))
            .scan_index_forward(!newest_first);
        query = match &sk_between {
            Some((name, from, to)) => query
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#sk", *name)
                .expression_attribute_values(":from", s(from))
                .expression_attribute_values(":to", s(to)),
            None => query.key_condition_expression("#pk = :pk"),
        };
        if let Some(limit) = limit {
            query = query.limit(i32::try_from(limit).unwrap_or(i32::MAX));
        }
        let mut items = query.into_paginator().items().send();
        let mut found = Vec::new();
        while limit.is_none_or(|l| found.len() < l) {
            let Some(item) = items.next().await else {
                break;
            };
            found.push(item.map_err(|e| unavailable("Query (live)", e))?);
        }
        Ok(found)
    }

    async fn delete_key(&self, item_key: Item) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&*self.table)
            .set_key(Some(item_key))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem (live)", e))?;
        Ok(())
    }

    fn batch_steps(&self, batch: &EventBatch) -> Result<Vec<TransactWriteItem>, StoreError> {
        let session = Update::builder()
            .table_name(&*self.table)
            .set_key(Some(key(live_session_pk(batch.session), LIVE_SESSION)))
            .update_expression(
                "SET seq = :seq, last_event_at = :heard ADD faces :faces, masked :masked, unmasked :unmasked, violations :violations",
            )
            .condition_expression("attribute_exists(#pk) AND seq = :prev AND attribute_not_exists(ended_at)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":seq", n(batch.seq))
            .expression_attribute_values(":heard", instant(batch.received_at)?)
            .expression_attribute_values(":prev", n(batch.seq.saturating_sub(1)))
            .expression_attribute_values(":faces", n(batch.faces))
            .expression_attribute_values(":masked", n(batch.masked))
            .expression_attribute_values(":unmasked", n(batch.unmasked))
            .expression_attribute_values(":violations", n(batch.violations.len()))
            .build()
            .map_err(|e| unavailable("building Update", e))?;
        let mut steps = vec![TransactWriteItem::builder().update(session).build()];
        for violation in &batch.violations {
            steps.push(self.put_new(violation_item(batch.session, violation)?)?);
        }
        let hour = batch.hour();
        let bucket = Update::builder()
            .table_name(&*self.table)
            .set_key(Some(key(
                live_stats_pk(batch.owner.as_str()),
                format!("{}#{}", time_key(hour), batch.camera),
            )))
            .update_expression(
                "SET entity = :entity, #owner = :owner, camera = :camera, #hour = :hour, #g1pk = :g1pk, #g1sk = :g1sk \
                 ADD faces :faces, masked :masked, unmasked :unmasked, violations :violations",
            )
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_names("#hour", "hour")
            .expression_attribute_names("#g1pk", GSI1PK)
            .expression_attribute_names("#g1sk", GSI1SK)
            .expression_attribute_values(":entity", s("live_hour"))
            .expression_attribute_values(":owner", s(batch.owner.as_str()))
            .expression_attribute_values(":camera", s(batch.camera.as_str()))
            .expression_attribute_values(":hour", instant(hour)?)
            .expression_attribute_values(":g1pk", s(LIVE_STATS))
            .expression_attribute_values(
                ":g1sk",
                s(format!("{}#{}#{}", time_key(hour), batch.owner, batch.camera)),
            )
            .expression_attribute_values(":faces", n(batch.faces))
            .expression_attribute_values(":masked", n(batch.masked))
            .expression_attribute_values(":unmasked", n(batch.unmasked))
            .expression_attribute_values(":violations", n(batch.violations.len()))
            .build()
            .map_err(|e| unavailable("building Update", e))?;
        steps.push(TransactWriteItem::builder().update(bucket).build());
        Ok(steps)
    }
}

#[async_trait]
impl LiveStore for DynamoDb {
    async fn create_session(&self, session: &LiveSession) -> Result<(), StoreError> {
        match self
            .transact(vec![self.put_new(session_item(session)?)?])
            .await?
        {
            None => Ok(()),
            Some(_) => Err(StoreError::Conflict("session exists".into())),
        }
    }

    async fn session(&self, id: LiveSessionId) -> Result<Option<LiveSession>, StoreError> {
        self.get_item(live_session_pk(id), LIVE_SESSION)
            .await?
            .map(|item| parse_session(&item))
            .transpose()
    }

    async fn sessions(
        &self,
        owner: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<LiveSession>, StoreError> {
        let (index, pk) = match owner {
            Some(owner) => (GSI1, (GSI1PK, live_sessions_of(owner.as_str()))),
            None => (GSI2, (GSI2PK, LIVE_SESSIONS.to_owned())),
        };
        self.query_all(Some(index), pk, None, true, Some(limit))
            .await?
            .iter()
            .map(parse_session)
            .collect()
    }

    async fn record(&self, batch: &EventBatch) -> Result<LiveSession, StoreError> {
        match self.transact(self.batch_steps(batch)?).await? {
            None => {}
            Some(reasons) if reasons.iter().any(|r| r == "ConditionalCheckFailed") => {
                return Err(StoreError::Conflict(
                    "the session moved on, ended, or a track was recorded".into(),
                ));
            }
            Some(reasons) => return Err(cancelled(&reasons)),
        }
        self.session(batch.session)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn end_session(
        &self,
        id: LiveSessionId,
        at: OffsetDateTime,
    ) -> Result<LiveSession, StoreError> {
        let Some(mut session) = self.session(id).await? else {
            return Err(StoreError::NotFound);
        };
        if session.ended_at.is_some() {
            return Err(StoreError::Conflict("the session has ended".into()));
        }
        let update = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(key(live_session_pk(id), LIVE_SESSION)))
            .update_expression("SET ended_at = :at")
            .condition_expression("attribute_exists(#pk) AND attribute_not_exists(ended_at)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":at", instant(at)?)
            .send()
            .await;
        match update {
            Ok(_) => {
                session.ended_at = Some(at);
                Ok(session)
            }
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::Conflict("the session has ended".into()))
            }
            Err(err) => Err(unavailable("UpdateItem (live session)", err)),
        }
    }

    async fn violations(&self, id: LiveSessionId) -> Result<Vec<Violation>, StoreError> {
        let items = self
            .query_all(
                None,
                (PK, live_session_pk(id)),
                Some((SK, "V#".to_owned(), "V#~".to_owned())),
                false,
                None,
            )
            .await?;
        let mut found = items
            .iter()
            .map(parse_violation)
            .collect::<Result<Vec<_>, _>>()?;
        found.sort_by_key(|v| v.at);
        Ok(found)
    }

    async fn delete_session(&self, id: LiveSessionId) -> Result<(), StoreError> {
        // Violations first: the session item is what finds them again after an interruption.
        for violation in self.violations(id).await? {
            self.delete_key(key(live_session_pk(id), live_violation_sk(violation.track)))
                .await?;
        }
        self.delete_key(key(live_session_pk(id), LIVE_SESSION))
            .await
    }

    async fn camera(
        &self,
        owner: &Username,
        name: &CameraName,
    ) -> Result<Option<Camera>, StoreError> {
        self.get_item(live_camera_pk(owner.as_str()), name.as_str())
            .await?
            .map(|item| parse_camera(&item))
            .transpose()
    }

    async fn put_camera(&self, owner: &Username, camera: &Camera) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(camera_item(owner, camera)?))
            .send()
            .await
            .map_err(|e| unavailable("PutItem (camera)", e))?;
        Ok(())
    }

    async fn claim_alert(
        &self,
        owner: &Username,
        name: &CameraName,
        previous: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&*self.table)
            .set_key(Some(key(live_camera_pk(owner.as_str()), name.as_str())))
            .update_expression("SET alerted_at = :at")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":at", instant(at)?);
        let update = match previous {
            Some(previous) => update
                .condition_expression("attribute_exists(#pk) AND alerted_at = :previous")
                .expression_attribute_values(":previous", instant(previous)?),
            None => update
                .condition_expression("attribute_exists(#pk) AND attribute_not_exists(alerted_at)"),
        };
        match update.send().await {
            Ok(_) => Ok(true),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(err) => Err(unavailable("UpdateItem (camera alert)", err)),
        }
    }

    async fn cameras(&self, owner: &Username) -> Result<Vec<Camera>, StoreError> {
        self.query_all(
            None,
            (PK, live_camera_pk(owner.as_str())),
            None,
            false,
            None,
        )
        .await?
        .iter()
        .map(parse_camera)
        .collect()
    }

    async fn buckets(
        &self,
        owner: Option<&Username>,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<HourBucket>, StoreError> {
        // `to` is exclusive: every key of an earlier hour sorts before `{to}#`.
        let (from, to) = (format!("{}#", time_key(from)), format!("{}#", time_key(to)));
        let items = match owner {
            Some(owner) => {
                self.query_all(
                    None,
                    (PK, live_stats_pk(owner.as_str())),
                    Some((SK, from, to)),
                    false,
                    None,
                )
                .await?
            }
            None => {
                self.query_all(
                    Some(GSI1),
                    (GSI1PK, LIVE_STATS.to_owned()),
                    Some((GSI1SK, from, to)),
                    false,
                    None,
                )
                .await?
            }
        };
        items.iter().map(parse_bucket).collect()
    }

    async fn forget_owner(&self, owner: &Username) -> Result<(), StoreError> {
        for pk in [
            live_camera_pk(owner.as_str()),
            live_stats_pk(owner.as_str()),
        ] {
            for item in self
                .query_all(None, (PK, pk.clone()), None, false, None)
                .await?
            {
                self.delete_key(key(pk.clone(), get_s(&item, SK)?)).await?;
            }
        }
        Ok(())
    }
}

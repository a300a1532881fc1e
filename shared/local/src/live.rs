//! The live check's records in redb: sessions (with an index per owner whose keys end in the
//! time-ordered id), violations keyed by session and track, cameras by owner and name, and hour
//! buckets keyed by hour first, so a time range is one range read.

use crate::db::{
    LIVE_BY_OWNER, LIVE_CAMERAS, LIVE_HOURS, LIVE_SESSIONS, LIVE_VIOLATIONS, LocalDb, from_json,
    time_key, to_json, unavailable,
};
use async_trait::async_trait;
use facelens_core::domain::Username;
use facelens_core::live::ports::LiveStore;
use facelens_core::live::{
    Camera, CameraName, EventBatch, HourBucket, LiveSession, LiveSessionId, Violation,
};
use facelens_core::ports::StoreError;
use redb::{ReadableTable, WriteTransaction};
use time::OffsetDateTime;

fn owner_key(owner: &Username, id: LiveSessionId) -> String {
    format!("{owner}\0{id}")
}

fn violation_key(id: LiveSessionId, track: u32) -> String {
    format!("{id}\0{track:010}")
}

fn camera_key(owner: &Username, name: &CameraName) -> String {
    format!("{owner}\0{name}")
}

fn hour_key(hour: OffsetDateTime, owner: &Username, camera: &CameraName) -> String {
    format!("{}\0{owner}\0{camera}", time_key(hour))
}

fn read_session(txn: &WriteTransaction, key: &str) -> Result<LiveSession, StoreError> {
    let table = txn.open_table(LIVE_SESSIONS).map_err(unavailable)?;
    let stored = table.get(key).map_err(unavailable)?;
    stored
        .map(|v| from_json(v.value()))
        .transpose()?
        .ok_or(StoreError::NotFound)
}

fn write_session(txn: &WriteTransaction, session: &LiveSession) -> Result<(), StoreError> {
    txn.open_table(LIVE_SESSIONS)
        .map_err(unavailable)?
        .insert(
            session.id.to_string().as_str(),
            to_json(session)?.as_slice(),
        )
        .map_err(unavailable)?;
    Ok(())
}

fn add_to_hour(txn: &WriteTransaction, batch: &EventBatch) -> Result<(), StoreError> {
    let key = hour_key(batch.hour(), &batch.owner, &batch.camera);
    let mut hours = txn.open_table(LIVE_HOURS).map_err(unavailable)?;
    let mut bucket = match hours.get(key.as_str()).map_err(unavailable)? {
        Some(v) => from_json(v.value())?,
        None => HourBucket {
            owner: batch.owner.clone(),
            camera: batch.camera.clone(),
            hour: batch.hour(),
            faces: 0,
            masked: 0,
            unmasked: 0,
            violations: 0,
        },
    };
    bucket.faces += u64::from(batch.faces);
    bucket.masked += u64::from(batch.masked);
    bucket.unmasked += u64::from(batch.unmasked);
    bucket.violations += batch.violations.len() as u64;
    hours
        .insert(key.as_str(), to_json(&bucket)?.as_slice())
        .map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl LiveStore for LocalDb {
    async fn create_session(&self, session: &LiveSession) -> Result<(), StoreError> {
        let session = session.clone();
        self.write(move |txn| {
            let id = session.id.to_string();
            if read_session(txn, &id).is_ok() {
                return Err(StoreError::Conflict("session exists".into()));
            }
            write_session(txn, &session)?;
            txn.open_table(LIVE_BY_OWNER)
                .map_err(unavailable)?
                .insert(owner_key(&session.owner, session.id).as_str(), ())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn session(&self, id: LiveSessionId) -> Result<Option<LiveSession>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(LIVE_SESSIONS).map_err(unavailable)?;
            let stored = table.get(id.to_string().as_str()).map_err(unavailable)?;
            stored.map(|v| from_json(v.value())).transpose()
        })
        .await
    }

    async fn sessions(
        &self,
        owner: Option<&Username>,
        limit: usize,
    ) -> Result<Vec<LiveSession>, StoreError> {
        let owner = owner.cloned();
        self.read(move |txn| {
            let records = txn.open_table(LIVE_SESSIONS).map_err(unavailable)?;
            let mut found = Vec::new();
            match owner {
                Some(owner) => {
                    let index = txn.open_table(LIVE_BY_OWNER).map_err(unavailable)?;
                    let (from, to) = (format!("{owner}\0"), format!("{owner}\0\u{10FFFF}"));
                    for entry in index
                        .range(from.as_str()..to.as_str())
                        .map_err(unavailable)?
                        .rev()
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
                }
                None => {
                    for entry in records.iter().map_err(unavailable)?.rev().take(limit) {
                        let (_, value) = entry.map_err(unavailable)?;
                        found.push(from_json(value.value())?);
                    }
                }
            }
            Ok(found)
        })
        .await
    }

    async fn record(&self, batch: &EventBatch) -> Result<LiveSession, StoreError> {
        let batch = batch.clone();
        self.write(move |txn| {
            let session = read_session(txn, &batch.session.to_string())?;
            if session.ended_at.is_some() || session.seq + 1 != batch.seq {
                return Err(StoreError::Conflict("the session moved on".into()));
            }
            let mut violations = txn.open_table(LIVE_VIOLATIONS).map_err(unavailable)?;
            for violation in &batch.violations {
                let key = violation_key(batch.session, violation.track);
                if violations.get(key.as_str()).map_err(unavailable)?.is_some() {
                    return Err(StoreError::Conflict("track already recorded".into()));
                }
                violations
                    .insert(key.as_str(), to_json(violation)?.as_slice())
                    .map_err(unavailable)?;
            }
            drop(violations);
            let updated = session.with_batch(&batch);
            write_session(txn, &updated)?;
            add_to_hour(txn, &batch)?;
            Ok(updated)
        })
        .await
    }

    async fn end_session(
        &self,
        id: LiveSessionId,
        at: OffsetDateTime,
    ) -> Result<LiveSession, StoreError> {
        self.write(move |txn| {
            let mut session = read_session(txn, &id.to_string())?;
            if session.ended_at.is_some() {
                return Err(StoreError::Conflict("the session has ended".into()));
            }
            session.ended_at = Some(at);
            write_session(txn, &session)?;
            Ok(session)
        })
        .await
    }

    async fn violations(&self, id: LiveSessionId) -> Result<Vec<Violation>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(LIVE_VIOLATIONS).map_err(unavailable)?;
            let (from, to) = (format!("{id}\0"), format!("{id}\0\u{10FFFF}"));
            let mut found = Vec::new();
            for entry in table
                .range(from.as_str()..to.as_str())
                .map_err(unavailable)?
            {
                let (_, value) = entry.map_err(unavailable)?;
                found.push(from_json::<Violation>(value.value())?);
            }
            found.sort_by_key(|v| v.at);
            Ok(found)
        })
        .await
    }

    async fn delete_session(&self, id: LiveSessionId) -> Result<(), StoreError> {
        self.write(move |txn| {
            let key = id.to_string();
            let Ok(session) = read_session(txn, &key) else {
                return Ok(());
            };
            txn.open_table(LIVE_SESSIONS)
                .map_err(unavailable)?
                .remove(key.as_str())
                .map_err(unavailable)?;
            txn.open_table(LIVE_BY_OWNER)
                .map_err(unavailable)?
                .remove(owner_key(&session.owner, id).as_str())
                .map_err(unavailable)?;
            let (from, to) = (format!("{id}\0"), format!("{id}\0\u{10FFFF}"));
            txn.open_table(LIVE_VIOLATIONS)
                .map_err(unavailable)?
                .retain_in(from.as_str()..to.as_str(), |_, _| false)
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn camera(
        &self,
        owner: &Username,
        name: &CameraName,
    ) -> Result<Option<Camera>, StoreError> {
        let key = camera_key(owner, name);
        self.read(move |txn| {
            let table = txn.open_table(LIVE_CAMERAS).map_err(unavailable)?;
            let stored = table.get(key.as_str()).map_err(unavailable)?;
            stored.map(|v| from_json(v.value())).transpose()
        })
        .await
    }

    async fn put_camera(&self, owner: &Username, camera: &Camera) -> Result<(), StoreError> {
        let key = camera_key(owner, &camera.name);
        let value = to_json(camera)?;
        self.write(move |txn| {
            txn.open_table(LIVE_CAMERAS)
                .map_err(unavailable)?
                .insert(key.as_str(), value.as_slice())
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn claim_alert(
        &self,
        owner: &Username,
        name: &CameraName,
        previous: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let key = camera_key(owner, name);
        self.write(move |txn| {
            let mut table = txn.open_table(LIVE_CAMERAS).map_err(unavailable)?;
            let stored = table.get(key.as_str()).map_err(unavailable)?;
            let camera: Option<Camera> = stored.map(|v| from_json(v.value())).transpose()?;
            let Some(mut camera) = camera else {
                return Ok(false);
            };
            if camera.alerted_at != previous {
                return Ok(false);
            }
            camera.alerted_at = Some(at);
            table
                .insert(key.as_str(), to_json(&camera)?.as_slice())
                .map_err(unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn cameras(&self, owner: &Username) -> Result<Vec<Camera>, StoreError> {
        let (from, to) = (format!("{owner}\0"), format!("{owner}\0\u{10FFFF}"));
        self.read(move |txn| {
            let table = txn.open_table(LIVE_CAMERAS).map_err(unavailable)?;
            let mut found = Vec::new();
            for entry in table
                .range(from.as_str()..to.as_str())
                .map_err(unavailable)?
            {
                let (_, value) = entry.map_err(unavailable)?;
                found.push(from_json(value.value())?);
            }
            Ok(found)
        })
        .await
    }

    async fn buckets(
        &self,
        owner: Option<&Username>,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<HourBucket>, StoreError> {
        let owner = owner.cloned();
        let (from, to) = (time_key(from), time_key(to));
        self.read(move |txn| {
            let table = txn.open_table(LIVE_HOURS).map_err(unavailable)?;
            let mut found = Vec::new();
            for entry in table
                .range(from.as_str()..to.as_str())
                .map_err(unavailable)?
            {
                let (_, value) = entry.map_err(unavailable)?;
                let bucket: HourBucket = from_json(value.value())?;
                if owner.as_ref().is_none_or(|owner| &bucket.owner == owner) {
                    found.push(bucket);
                }
            }
            Ok(found)
        })
        .await
    }

    async fn forget_owner(&self, owner: &Username) -> Result<(), StoreError> {
        let owner = owner.clone();
        self.write(move |txn| {
            let (from, to) = (format!("{owner}\0"), format!("{owner}\0\u{10FFFF}"));
            txn.open_table(LIVE_CAMERAS)
                .map_err(unavailable)?
                .retain_in(from.as_str()..to.as_str(), |_, _| false)
                .map_err(unavailable)?;
            let needle = format!("\0{owner}\0");
            txn.open_table(LIVE_HOURS)
                .map_err(unavailable)?
                .retain(|key, _| !key.contains(needle.as_str()))
                .map_err(unavailable)?;
            Ok(())
        })
        .await
    }
}

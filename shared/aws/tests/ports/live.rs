//! The live check's store: a batch is all or nothing (its sequence number, a session that
//! ended, a track already recorded refuse all of it), listings are newest first per owner and
//! for everyone, hour buckets add up and read back by range, camera alerts are claimed once,
//! and an owner's cameras and statistics can be forgotten.

use crate::support::{Stores, name, now, on_both_adapters};
use facelens_core::analysis::ObjectKey;
use facelens_core::live::{AlertRule, Camera, CameraName, EventBatch, LiveSession, Violation};
use facelens_core::ports::StoreError;
use time::Duration;

on_both_adapters!(
    given_batches_when_recorded_then_only_the_next_one_of_a_running_session_counts,
    given_sessions_of_two_owners_when_listed_then_each_sees_theirs_and_everyone_is_newest_first,
    given_batches_in_two_hours_when_bucketed_then_ranges_read_them_back_and_forgetting_clears_them,
    given_a_camera_when_alerts_are_claimed_then_only_the_reader_of_the_last_claim_wins,
);

fn camera(text: &str) -> CameraName {
    CameraName::parse(text).expect("valid camera")
}

fn batch(session: &LiveSession, seq: u64, unmasked: u32, tracks: &[u32]) -> EventBatch {
    EventBatch {
        session: session.id,
        owner: session.owner.clone(),
        camera: session.camera.clone(),
        seq,
        received_at: now(),
        faces: unmasked + 1,
        masked: 1,
        unmasked,
        violations: tracks
            .iter()
            .map(|&track| Violation {
                track,
                at: now(),
                unmasked_seconds: 2.5,
                snapshot: (track == 1)
                    .then(|| ObjectKey::live_snapshot(&session.owner, session.id, track, seq)),
            })
            .collect(),
    }
}

async fn given_batches_when_recorded_then_only_the_next_one_of_a_running_session_counts(
    s: &Stores,
) {
    let session = LiveSession::start(name("ann"), camera("Door"), now());
    s.live.create_session(&session).await.expect("created");
    assert!(matches!(
        s.live.create_session(&session).await,
        Err(StoreError::Conflict(_))
    ));

    let after = s
        .live
        .record(&batch(&session, 1, 1, &[1]))
        .await
        .expect("first");
    assert_eq!(
        (after.seq, after.faces, after.masked, after.violations),
        (1, 2, 1, 1)
    );
    for refused in [
        batch(&session, 1, 1, &[]),
        batch(&session, 3, 1, &[]),
        batch(&session, 2, 1, &[2, 1]),
    ] {
        assert!(
            matches!(s.live.record(&refused).await, Err(StoreError::Conflict(_))),
            "seq {} with tracks {:?}",
            refused.seq,
            refused
                .violations
                .iter()
                .map(|v| v.track)
                .collect::<Vec<_>>()
        );
    }
    let after = s
        .live
        .record(&batch(&session, 2, 2, &[2]))
        .await
        .expect("second");
    assert_eq!(
        (after.seq, after.faces, after.unmasked, after.violations),
        (2, 5, 3, 2)
    );

    let violations = s.live.violations(session.id).await.expect("violations");
    assert_eq!(
        violations.iter().map(|v| v.track).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        violations[0].snapshot,
        Some(ObjectKey::live_snapshot(&session.owner, session.id, 1, 1))
    );
    assert_eq!(violations[1].snapshot, None);

    let ended = s.live.end_session(session.id, now()).await.expect("ended");
    assert!(ended.ended_at.is_some());
    assert!(matches!(
        s.live.end_session(session.id, now()).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.live.record(&batch(&session, 3, 1, &[])).await,
        Err(StoreError::Conflict(_))
    ));
    let stored = s
        .live
        .session(session.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        (stored.seq, stored.faces, stored.ended_at.is_some()),
        (2, 5, true)
    );

    s.live.delete_session(session.id).await.expect("deleted");
    assert_eq!(s.live.session(session.id).await.expect("read"), None);
    assert_eq!(s.live.violations(session.id).await.expect("read"), vec![]);
    s.live
        .delete_session(session.id)
        .await
        .expect("deleting again is harmless");
    assert!(matches!(
        s.live.record(&batch(&session, 3, 1, &[])).await,
        Err(StoreError::NotFound | StoreError::Conflict(_))
    ));
}

async fn given_sessions_of_two_owners_when_listed_then_each_sees_theirs_and_everyone_is_newest_first(
    s: &Stores,
) {
    let mut made = Vec::new();
    for owner in ["ann", "bob", "ann"] {
        let session = LiveSession::start(name(owner), camera("Hall"), now());
        s.live.create_session(&session).await.expect("created");
        made.push(session.id);
    }
    let ann = s
        .live
        .sessions(Some(&name("ann")), 10)
        .await
        .expect("ann's");
    assert_eq!(
        ann.iter().map(|x| x.id).collect::<Vec<_>>(),
        [made[2], made[0]]
    );
    let everyone = s.live.sessions(None, 10).await.expect("all");
    assert_eq!(
        everyone.iter().map(|x| x.id).collect::<Vec<_>>(),
        [made[2], made[1], made[0]]
    );
    assert_eq!(s.live.sessions(None, 2).await.expect("two").len(), 2);
}

async fn given_batches_in_two_hours_when_bucketed_then_ranges_read_them_back_and_forgetting_clears_them(
    s: &Stores,
) {
    let ann = LiveSession::start(name("ann"), camera("Gate"), now());
    let bob = LiveSession::start(name("bob"), camera("Gate"), now());
    for session in [&ann, &bob] {
        s.live.create_session(session).await.expect("created");
    }
    let hour = facelens_core::live::EventBatch::hour(&batch(&ann, 1, 0, &[]));
    let earlier = hour - Duration::HOUR;
    let mut first = batch(&ann, 1, 1, &[1]);
    first.received_at = earlier + Duration::minutes(5);
    s.live.record(&first).await.expect("earlier hour");
    s.live
        .record(&batch(&ann, 2, 2, &[2]))
        .await
        .expect("this hour");
    s.live
        .record(&batch(&ann, 3, 0, &[]))
        .await
        .expect("this hour again");
    s.live.record(&batch(&bob, 1, 1, &[])).await.expect("bob");

    let to = hour + Duration::HOUR;
    let mut ann_buckets = s
        .live
        .buckets(Some(&name("ann")), earlier, to)
        .await
        .expect("ann");
    ann_buckets.sort_by_key(|b| b.hour);
    let summary: Vec<_> = ann_buckets
        .iter()
        .map(|b| (b.hour, b.faces, b.unmasked, b.violations))
        .collect();
    assert_eq!(summary, [(earlier, 2, 1, 1), (hour, 4, 2, 1)]);
    assert_eq!(
        s.live
            .buckets(Some(&name("ann")), hour, to)
            .await
            .expect("one hour")
            .len(),
        1,
        "the range's start is inclusive and its end exclusive"
    );
    assert_eq!(
        s.live.buckets(None, earlier, to).await.expect("all").len(),
        3
    );

    s.live
        .put_camera(&name("ann"), &Camera::default_for(camera("Gate")))
        .await
        .expect("camera");
    s.live.forget_owner(&name("ann")).await.expect("forgotten");
    assert_eq!(
        s.live
            .buckets(Some(&name("ann")), earlier, to)
            .await
            .expect("ann"),
        vec![]
    );
    assert_eq!(s.live.cameras(&name("ann")).await.expect("cameras"), vec![]);
    assert_eq!(
        s.live.buckets(None, earlier, to).await.expect("all").len(),
        1
    );
}

async fn given_a_camera_when_alerts_are_claimed_then_only_the_reader_of_the_last_claim_wins(
    s: &Stores,
) {
    let owner = name("ann");
    let door = camera("Door");
    assert!(
        !s.live
            .claim_alert(&owner, &door, None, now())
            .await
            .expect("no camera")
    );
    let settings = Camera {
        alert: Some(AlertRule {
            violations: 3,
            minutes: 10,
        }),
        snapshots: true,
        ..Camera::default_for(door.clone())
    };
    s.live.put_camera(&owner, &settings).await.expect("saved");
    assert_eq!(
        s.live.camera(&owner, &door).await.expect("read"),
        Some(settings.clone())
    );
    assert_eq!(s.live.cameras(&owner).await.expect("list"), vec![settings]);

    let first = now();
    assert!(
        s.live
            .claim_alert(&owner, &door, None, first)
            .await
            .expect("first")
    );
    assert!(
        !s.live
            .claim_alert(&owner, &door, None, first)
            .await
            .expect("stale reader")
    );
    let claimed = s
        .live
        .camera(&owner, &door)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        claimed.alerted_at.map(|t| t.unix_timestamp()),
        Some(first.unix_timestamp())
    );
    let later = first + Duration::minutes(11);
    assert!(
        s.live
            .claim_alert(&owner, &door, claimed.alerted_at, later)
            .await
            .expect("next window")
    );
}

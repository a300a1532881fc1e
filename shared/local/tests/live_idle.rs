//! A live session whose browser went silent (the tab closed, the network lost) ends on its
//! own once it has not been heard of for 15 minutes, at the moment it was last heard of; a
//! session that keeps sending stays open. On the embedded store, with the clock moved by hand.

mod support;

use facelens_core::clock::Clock;
use facelens_core::live::{IncomingEvents, LiveError, LiveService};
use facelens_local::{LocalDb, LocalObjects};
use std::sync::{Arc, Mutex};
use support::account;
use time::{Duration, OffsetDateTime};

/// A clock the test moves.
struct HandClock(Mutex<OffsetDateTime>);

impl HandClock {
    fn advance(&self, by: Duration) {
        let mut now = self.0.lock().expect("clock");
        *now += by;
    }
}

impl Clock for HandClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock")
    }
}

fn batch(seq: u64) -> IncomingEvents {
    IncomingEvents {
        seq,
        faces: 1,
        masked: 1,
        unmasked: 0,
        violations: Vec::new(),
    }
}

#[tokio::test]
async fn a_silent_session_ends_where_it_was_last_heard_of_and_a_busy_one_stays_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
    let objects = Arc::new(LocalObjects::new(
        &dir.path().join("objects"),
        "http://127.0.0.1:1",
        vec![3; 32],
        db.clone(),
    ));
    let clock = Arc::new(HandClock(Mutex::new(OffsetDateTime::now_utc())));
    let live = LiveService::new(Arc::new(db), objects, clock.clone());
    let ann = account("ann");

    let (silent, _) = live.start(&ann, "Door").await.expect("started");
    let (busy, _) = live.start(&ann, "Gate").await.expect("started");
    clock.advance(Duration::minutes(10));
    live.record(&ann, &silent.id.to_string(), batch(1))
        .await
        .expect("heard");
    let heard_at = clock.now();
    // The rate limit counts real time: a few batches, two minutes apart on the test's clock.
    for seq in 1..=8 {
        clock.advance(Duration::minutes(2));
        live.record(&ann, &busy.id.to_string(), batch(seq))
            .await
            .expect("a busy session takes its batches");
    }

    let sessions = live.sessions(&ann, false).await.expect("listed");
    let by_camera = |name: &str| {
        sessions
            .iter()
            .find(|s| s.camera.as_str() == name)
            .expect("listed")
            .clone()
    };
    assert_eq!(by_camera("Door").ended_at, Some(heard_at));
    assert_eq!(by_camera("Gate").ended_at, None);
    assert!(matches!(
        live.record(&ann, &silent.id.to_string(), batch(2)).await,
        Err(LiveError::Ended)
    ));
}

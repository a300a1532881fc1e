//! `ThrottleStore`: counters change only by compare-and-swap, all or none, so parallel
//! attempts are each counted once.

use crate::support::{Stores, now, on_both_adapters};
use facelens_core::ports::{StoreError, ThrottleCounter, ThrottleWrite};
use time::Duration;

on_both_adapters!(
    given_absent_counters_when_swapped_from_absent_then_both_are_written,
    given_a_stale_version_when_swapping_then_conflict_and_nothing_is_written,
    given_a_counter_when_removed_with_its_version_then_it_is_gone,
    given_parallel_increments_when_each_retries_on_conflict_then_none_is_lost,
);

fn write(key: &str, expected: Option<u64>, count: u32, version: u64) -> ThrottleWrite {
    ThrottleWrite {
        key: key.to_owned(),
        expected,
        new: Some(ThrottleCounter {
            count,
            last_at: now(),
            version,
        }),
        expires_at: now() + Duration::hours(1),
    }
}

fn keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|k| (*k).to_owned()).collect()
}

async fn given_absent_counters_when_swapped_from_absent_then_both_are_written(s: &Stores) {
    let pair = ["signin|kim|192.0.2.1", "signin-client|192.0.2.1"];
    assert_eq!(
        s.throttle.read(&keys(&pair)).await.expect("read"),
        [None, None]
    );
    s.throttle
        .swap(&[write(pair[0], None, 1, 1), write(pair[1], None, 1, 1)])
        .await
        .expect("swapped");
    let read = s.throttle.read(&keys(&pair)).await.expect("read");
    assert!(
        read.iter()
            .all(|c| c.is_some_and(|c| (c.count, c.version) == (1, 1))),
        "{read:?}"
    );
}

async fn given_a_stale_version_when_swapping_then_conflict_and_nothing_is_written(s: &Stores) {
    let (a, b) = ("signin|lee|192.0.2.2", "signin-client|192.0.2.2");
    s.throttle
        .swap(&[write(a, None, 1, 1)])
        .await
        .expect("first");
    // `b` may be written, but `a` is stale: neither changes.
    let err = s
        .throttle
        .swap(&[write(b, None, 1, 1), write(a, None, 2, 2)])
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let read = s.throttle.read(&keys(&[a, b])).await.expect("read");
    assert_eq!(read[0].map(|c| c.count), Some(1));
    assert_eq!(read[1], None, "all or none");
}

async fn given_a_counter_when_removed_with_its_version_then_it_is_gone(s: &Stores) {
    let a = "forgot|kim@example.com";
    s.throttle.swap(&[write(a, None, 3, 1)]).await.expect("put");
    let remove = ThrottleWrite {
        key: a.to_owned(),
        expected: Some(1),
        new: None,
        expires_at: now(),
    };
    s.throttle.swap(&[remove]).await.expect("removed");
    assert_eq!(s.throttle.read(&keys(&[a])).await.expect("read"), [None]);
}

async fn given_parallel_increments_when_each_retries_on_conflict_then_none_is_lost(s: &Stores) {
    let key = "signin-client|192.0.2.9";
    let tasks = (0..8).map(|_| async {
        loop {
            let current = s.throttle.read(&keys(&[key])).await.expect("read")[0];
            let next = write(
                key,
                current.map(|c| c.version),
                current.map_or(0, |c| c.count) + 1,
                current.map_or(1, |c| c.version + 1),
            );
            match s.throttle.swap(&[next]).await {
                Ok(()) => return,
                Err(StoreError::Conflict(_)) => continue,
                Err(other) => panic!("{other:?}"),
            }
        }
    });
    let mut all = Vec::new();
    for task in tasks {
        all.push(task);
    }
    join_all(all).await;
    let read = s.throttle.read(&keys(&[key])).await.expect("read");
    assert_eq!(
        read[0].map(|c| c.count),
        Some(8),
        "every increment counted once"
    );
}

/// Polls every future to completion on this task (they borrow the stores, so no spawning).
async fn join_all<F: std::future::Future<Output = ()>>(futures: Vec<F>) {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for slot in &mut pinned {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
}

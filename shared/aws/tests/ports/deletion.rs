//! Deleting: an account's deletion records its purge, which stays pending until completed
//! (taking the owner's counts with it); a delete racing a finish keeps the counts true.

use crate::support::{Stores, name, now, on_both_adapters, user};
use facelens_core::analysis::{Analysis, Category, Counts, ImageType, Status};
use facelens_core::domain::Role;
use facelens_core::ports::StoreError;

on_both_adapters!(
    given_an_account_when_deleted_then_its_purge_is_pending_until_completed,
    given_finishes_and_deletes_at_once_when_all_settle_then_the_counts_equal_a_recount,
);

fn pending(owner: &str) -> Analysis {
    Analysis::pending(name(owner), "p.jpg".into(), ImageType::Jpeg, 10, now())
}

async fn given_an_account_when_deleted_then_its_purge_is_pending_until_completed(s: &Stores) {
    let ann = user("ann", Role::User);
    s.users.create(&ann).await.expect("created");
    s.analyses.create(&pending("ann")).await.expect("analysis");
    assert!(!s.purges.purge_pending(&ann.username).await.expect("read"));

    s.users.delete(&ann.username).await.expect("deleted");

    assert!(s.purges.purge_pending(&ann.username).await.expect("read"));
    assert_eq!(
        s.purges.pending_purges(10).await.expect("list"),
        vec![ann.username.clone()]
    );
    s.purges
        .complete_purge(&ann.username)
        .await
        .expect("completed");
    assert!(!s.purges.purge_pending(&ann.username).await.expect("read"));
    assert_eq!(s.purges.pending_purges(10).await.expect("list"), vec![]);
    assert_eq!(
        s.analyses.counts(&ann.username).await.expect("counts"),
        Counts::default()
    );
    // Completing again (a retried purge) is harmless.
    s.purges.complete_purge(&ann.username).await.expect("again");
}

async fn given_finishes_and_deletes_at_once_when_all_settle_then_the_counts_equal_a_recount(
    s: &Stores,
) {
    let owner = name("bea");
    let mut records = Vec::new();
    for _ in 0..12 {
        let analysis = pending("bea");
        s.analyses.create(&analysis).await.expect("created");
        records.push(analysis);
    }
    let mut races = Vec::new();
    for (i, analysis) in records.iter().enumerate() {
        let mut done = analysis.clone();
        done.status = Status::Done;
        done.category = Some(if i % 2 == 0 {
            Category::NoFaces
        } else {
            Category::SomeMasked
        });
        done.finished_at = Some(now());
        let analyses = s.analyses.clone();
        let id = analysis.id;
        races.push(tokio::spawn(async move {
            let (finished, deleted) = tokio::join!(analyses.finish(&done), analyses.delete(id));
            assert!(
                matches!(finished, Ok(()) | Err(StoreError::NotFound)),
                "{finished:?}"
            );
            deleted.expect("deleted");
        }));
    }
    for race in races {
        race.await.expect("no panic");
    }

    for analysis in &records {
        assert_eq!(s.analyses.get(analysis.id).await.expect("get"), None);
    }
    assert_eq!(
        s.analyses.counts(&owner).await.expect("counts"),
        Counts::default(),
        "every record is gone, so every count is zero"
    );
}

//! Deleting: an account's deletion records its purge, which stays pending until completed
//! (taking the owner's counts with it); a delete racing a finish keeps the counts true.

use crate::support::{Stores, name, now, on_both_adapters, user};
use facelens_core::analysis::{Analysis, Category, Counts, ImageType, Status};
use facelens_core::domain::Role;
use facelens_core::ports::StoreError;

on_both_adapters!(
    given_pending_analyses_when_some_finish_or_go_then_only_old_pending_ones_are_swept,
    given_an_account_when_deleted_then_its_purge_is_pending_until_completed,
    given_finishes_and_deletes_at_once_when_all_settle_then_the_counts_equal_a_recount,
);

fn pending(owner: &str) -> Analysis {
    Analysis::pending(name(owner), "p.jpg".into(), ImageType::Jpeg, 10, now())
}

async fn given_pending_analyses_when_some_finish_or_go_then_only_old_pending_ones_are_swept(
    s: &Stores,
) {
    let mut made = Vec::new();
    for _ in 0..4 {
        let analysis = pending("ann");
        s.analyses.create(&analysis).await.expect("created");
        made.push(analysis);
    }
    let mut done = made[1].clone();
    done.status = Status::Done;
    done.category = Some(Category::NoFaces);
    s.analyses.finish(&done).await.expect("finished");
    s.analyses.delete(made[2].id).await.expect("deleted");
    let after_all = made[3].created_at + time::Duration::SECOND;
    let ids = |list: Vec<Analysis>| list.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s
            .analyses
            .pending_before(after_all, 10)
            .await
            .expect("swept")),
        [made[0].id, made[3].id]
    );
    assert_eq!(
        ids(s
            .analyses
            .pending_before(made[3].created_at, 10)
            .await
            .expect("swept")),
        [made[0].id],
        "the cutoff is exclusive"
    );
    assert_eq!(
        s.analyses
            .pending_before(after_all, 1)
            .await
            .expect("one")
            .len(),
        1
    );
    let mut failed = made[0].clone();
    failed.status = Status::Failed;
    s.analyses.finish(&failed).await.expect("failed");
    assert_eq!(
        ids(s
            .analyses
            .pending_before(after_all, 10)
            .await
            .expect("swept")),
        [made[3].id]
    );
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

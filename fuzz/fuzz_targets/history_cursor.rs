//! The history listing's cursor (`GET /api/analyses?cursor=...`), an opaque string the client
//! sends back, through the embedded store's `AnalysisStore::list` as the analyses routes call
//! it, with analyses of two people in the store.
//!
//! Must hold: no panic; whatever the cursor, a listing of alice's history holds only alice's
//! analyses (a forged cursor cannot reach bob's, nor `alice.x`'s), in the category asked for,
//! never more than the page size; a refused cursor is a `Conflict` (a 400 for the caller), not
//! a store failure; a next-page cursor the store hands out is accepted again.

#![no_main]

use facelens_core::analysis::ports::AnalysisStore;
use facelens_core::analysis::{Analysis, Category, ImageType, Status};
use facelens_core::domain::Username;
use facelens_core::ports::StoreError;
use facelens_local::LocalDb;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use time::OffsetDateTime;

const CATEGORIES: [Category; 4] = [
    Category::NoFaces,
    Category::AllMasked,
    Category::NoneMasked,
    Category::SomeMasked,
];

struct Harness {
    runtime: tokio::runtime::Runtime,
    db: LocalDb,
    alice: Username,
    _dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
        let now = OffsetDateTime::now_utc();
        runtime.block_on(async {
            for (owner, count) in [("alice", 5), ("bob", 3), ("alice.x", 2), ("alic", 2)] {
                let owner = Username::parse(owner).expect("name");
                for i in 0..count {
                    let created = now - time::Duration::seconds(i);
                    let mut analysis = Analysis::pending(
                        owner.clone(),
                        format!("{i}.jpg"),
                        ImageType::Jpeg,
                        10,
                        created,
                    );
                    db.create(&analysis).await.expect("create");
                    if i % 2 == 0 {
                        analysis.status = Status::Done;
                        analysis.category = Some(CATEGORIES[i as usize % 4]);
                        db.finish(&analysis).await.expect("finish");
                    }
                }
            }
        });
        Harness {
            runtime,
            db,
            alice: Username::parse("alice").expect("name"),
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let [choice, cursor @ ..] = data else {
        return;
    };
    let Ok(cursor) = std::str::from_utf8(cursor) else {
        return;
    };
    let harness = harness();
    let category = CATEGORIES.get(usize::from(choice & 7)).copied();
    let limit = usize::from(choice >> 3) % 4 + 1;
    harness.runtime.block_on(async {
        let listed = harness
            .db
            .list(&harness.alice, category, Some(cursor), limit)
            .await;
        let (items, next) = match listed {
            Ok(page) => page,
            Err(StoreError::Conflict(_)) => return,
            Err(other) => panic!("a cursor caused a store failure: {other:?}"),
        };
        assert!(items.len() <= limit);
        for item in &items {
            assert_eq!(item.owner, harness.alice, "another's analysis listed");
            if category.is_some() {
                assert_eq!(item.category, category);
            }
        }
        if let Some(next) = next {
            let again = harness
                .db
                .list(&harness.alice, category, Some(&next), limit)
                .await
                .expect("our own cursor is accepted");
            assert!(again.0.iter().all(|item| item.owner == harness.alice));
        }
    });
});

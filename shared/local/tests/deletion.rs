//! Deletion on the embedded adapters: an analysis deleted while the worker processes it, or
//! before its photo arrives, leaves no file; the purge of a deleted account erases every
//! analysis, file, alert, count and enrolled face of it, and one cut short is finished by a
//! later run; a request of a deleted account that makes a record late keeps nothing.

mod support;

use async_trait::async_trait;
use facelens_core::analysis::ports::{
    AlertSink, AnalysisStore, AnalyzeError, DetectedFace, ObjectStore, PhotoAnalysis,
    PhotoAnalyzer, PurgeQueue, ReferencePhoto,
};
use facelens_core::analysis::{
    Analysis, AnalysisError, AnalysisService, Counts, FaceBox, ImageType, MaskVerdict, ObjectKey,
    ProcessOutcome, ProcessService, PurgeService, UploadPolicy, UploadService,
};
use facelens_core::clock::SystemClock;
use facelens_core::domain::{User, Username};
use facelens_core::faces::{FaceError, FaceVault, SeenFace};
use facelens_core::ports::UserStore;
use facelens_local::{LocalDb, LocalObjects, SealedFaces};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use support::account;
use time::OffsetDateTime;

/// One face found with 30% confidence (so an alert is raised); when `delete_first` holds the
/// analyses service, the owner deletes the analysis while the models run.
struct OneUnsureFace {
    delete_first: OnceLock<(Arc<AnalysisService>, User)>,
}

#[async_trait]
impl PhotoAnalyzer for OneUnsureFace {
    async fn analyze(
        &self,
        key: &ObjectKey,
        _bytes: Vec<u8>,
        _reference: Option<ReferencePhoto>,
    ) -> Result<PhotoAnalysis, AnalyzeError> {
        if let Some((service, owner)) = self.delete_first.get() {
            let (_, _, id) = ObjectKey::parse_original(key.as_str()).expect("an upload key");
            service
                .delete(owner, &id.to_string())
                .await
                .expect("deleted meanwhile");
        }
        Ok(PhotoAnalysis {
            width: 100,
            height: 80,
            faces: vec![DetectedFace {
                bbox: FaceBox {
                    left: 0.1,
                    top: 0.1,
                    width: 0.2,
                    height: 0.2,
                },
                confidence: 30.0,
                mask: MaskVerdict {
                    masked: false,
                    confidence: 90.0,
                },
                attributes: None,
                likeness: None,
            }],
            annotated_jpeg: b"annotated".to_vec(),
            thumbnail_jpeg: b"thumb".to_vec(),
        })
    }
}

/// The sealed face store as the purge sees it: only forgetting is used here.
struct SealedVault(SealedFaces);

#[async_trait]
impl FaceVault for SealedVault {
    async fn look(&self, _capture: &[u8]) -> Result<Vec<SeenFace>, FaceError> {
        unreachable!("the purge only forgets faces")
    }
    async fn enrol(&self, _: &Username, _: &str, _: &[u8]) -> Result<(), FaceError> {
        unreachable!("the purge only forgets faces")
    }
    async fn verify(
        &self,
        _: &Username,
        _: &str,
        _: &[u8],
    ) -> Result<Option<facelens_core::analysis::Likeness>, FaceError> {
        unreachable!("the purge only forgets faces")
    }
    async fn is_enrolled(&self, _: &Username, _: &str) -> Result<bool, FaceError> {
        unreachable!("the purge only forgets faces")
    }
    async fn remove(&self, owner: &Username) -> Result<(), FaceError> {
        self.0
            .remove(owner)
            .await
            .map_err(|e| FaceError::Unavailable(e.to_string()))
    }
}

struct Setup {
    dir: tempfile::TempDir,
    faces: SealedFaces,
    db: LocalDb,
    objects: Arc<LocalObjects>,
    analyzer: Arc<OneUnsureFace>,
    process: ProcessService,
    analyses: Arc<AnalysisService>,
    purge: PurgeService,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
    let objects = Arc::new(LocalObjects::new(
        &dir.path().join("objects"),
        "http://127.0.0.1:1",
        vec![3; 32],
        db.clone(),
    ));
    let analyzer = Arc::new(OneUnsureFace {
        delete_first: OnceLock::new(),
    });
    let process = ProcessService::new(
        objects.clone(),
        Arc::new(db.clone()),
        analyzer.clone(),
        Arc::new(db.clone()),
        Arc::new(SystemClock),
        50.0,
    );
    let analyses = Arc::new(AnalysisService::new(
        objects.clone(),
        Arc::new(db.clone()),
        Arc::new(db.clone()),
    ));
    let faces = SealedFaces::new(db.clone(), &[9; 32]).expect("face store");
    let purge = PurgeService::new(
        objects.clone(),
        Arc::new(db.clone()),
        Arc::new(db.clone()),
        Arc::new(db.clone()),
    )
    .with_faces(Arc::new(SealedVault(faces.clone())));
    Setup {
        dir,
        faces,
        db,
        objects,
        analyzer,
        process,
        analyses,
        purge,
    }
}

/// A pending analysis of `owner`, with its photo stored (or not yet).
async fn upload(s: &Setup, owner: &User, with_photo: bool) -> Analysis {
    let analysis = Analysis::pending(
        owner.username.clone(),
        "p.jpg".into(),
        ImageType::Jpeg,
        5,
        OffsetDateTime::now_utc(),
    );
    AnalysisStore::create(&s.db, &analysis)
        .await
        .expect("create");
    if with_photo {
        s.objects
            .put(&analysis.original_key, b"photo".to_vec(), "image/jpeg")
            .await
            .expect("put");
    }
    analysis
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn given_an_analysis_deleted_while_processing_when_the_worker_finishes_then_no_file_remains()
{
    let s = setup();
    let alice = account("alice");
    let analysis = upload(&s, &alice, true).await;
    let _ = s
        .analyzer
        .delete_first
        .set((Arc::clone(&s.analyses), alice.clone()));

    let outcome = s
        .process
        .process(analysis.original_key.as_str())
        .await
        .expect("processed");

    assert_eq!(outcome, ProcessOutcome::Ignored);
    assert_eq!(files(&s.dir.path().join("objects")), Vec::<PathBuf>::new());
    assert_eq!(
        AnalysisStore::get(&s.db, analysis.id).await.expect("get"),
        None
    );
    assert!(
        AlertSink::recent(&s.db, 10)
            .await
            .expect("alerts")
            .is_empty()
    );
    assert_eq!(
        AnalysisStore::counts(&s.db, &alice.username)
            .await
            .expect("counts"),
        Counts::default()
    );
}

#[tokio::test]
async fn given_an_analysis_deleted_before_its_photo_arrives_when_the_photo_comes_then_it_is_removed()
 {
    let s = setup();
    let alice = account("alice");
    let analysis = upload(&s, &alice, false).await;
    s.analyses
        .delete(&alice, &analysis.id.to_string())
        .await
        .expect("deleted");
    s.objects
        .put(&analysis.original_key, b"photo".to_vec(), "image/jpeg")
        .await
        .expect("the presigned PUT still arrives");

    let outcome = s
        .process
        .process(analysis.original_key.as_str())
        .await
        .expect("processed");

    assert_eq!(outcome, ProcessOutcome::Ignored);
    assert_eq!(files(&s.dir.path().join("objects")), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn given_a_deleted_account_when_purged_then_its_files_records_alerts_and_counts_are_gone() {
    let s = setup();
    let alice = account("alice");
    let bob = account("bob");
    for user in [&alice, &bob] {
        UserStore::create(&s.db, user).await.expect("created");
        s.faces
            .put(
                &user.username,
                &user.id.to_string(),
                &[0.25; 128],
                b"\xff\xd8 capture",
            )
            .await
            .expect("face enrolled");
    }
    let mut ids = Vec::new();
    for _ in 0..3 {
        let analysis = upload(&s, &alice, true).await;
        s.process
            .process(analysis.original_key.as_str())
            .await
            .expect("processed");
        ids.push(analysis.id);
    }
    let waiting = upload(&s, &alice, true).await;
    let kept = upload(&s, &bob, true).await;
    assert_eq!(AlertSink::recent(&s.db, 10).await.expect("alerts").len(), 3);

    UserStore::delete(&s.db, &alice.username)
        .await
        .expect("deleted");
    // Cut short (no time left after the first page): the purge stays pending.
    assert!(
        !s.purge
            .purge(&alice.username, std::time::Duration::ZERO)
            .await
            .expect("purge")
    );
    assert!(
        PurgeQueue::purge_pending(&s.db, &alice.username)
            .await
            .expect("read")
    );
    // A later run finishes it.
    assert_eq!(
        s.purge
            .resume(std::time::Duration::from_secs(30))
            .await
            .expect("resumed"),
        1
    );

    assert_eq!(
        files(&s.dir.path().join("objects")),
        vec![
            s.dir
                .path()
                .join("objects")
                .join(kept.original_key.as_str())
        ],
        "only bob's photo is left"
    );
    for id in ids.iter().chain([&waiting.id]) {
        assert_eq!(AnalysisStore::get(&s.db, *id).await.expect("get"), None);
    }
    assert!(
        AlertSink::recent(&s.db, 10)
            .await
            .expect("alerts")
            .is_empty()
    );
    assert_eq!(
        AnalysisStore::counts(&s.db, &alice.username)
            .await
            .expect("counts"),
        Counts::default()
    );
    assert!(
        !PurgeQueue::purge_pending(&s.db, &alice.username)
            .await
            .expect("read")
    );
    assert_eq!(
        AnalysisStore::counts(&s.db, &bob.username)
            .await
            .expect("counts")
            .all,
        1
    );
    assert_eq!(
        s.faces.sealed_bytes(&alice.username).await.expect("read"),
        None,
        "alice's face is gone"
    );
    assert_eq!(
        s.faces.photo(&alice.username).await.expect("read"),
        None,
        "and the capture it was enrolled from"
    );
    assert!(
        s.faces
            .sealed_bytes(&bob.username)
            .await
            .expect("read")
            .is_some(),
        "bob's face is kept"
    );
}

#[tokio::test]
async fn given_a_request_of_a_deleted_account_when_it_makes_a_record_then_nothing_is_kept() {
    let s = setup();
    let uploads = UploadService::new(
        s.objects.clone(),
        Arc::new(s.db.clone()),
        Arc::new(s.db.clone()),
        Arc::new(SystemClock),
        UploadPolicy::default(),
    );
    let old = account("carol");
    UserStore::create(&s.db, &old).await.expect("created");
    // Signed in, then deleted (and purged) while the request was under way.
    UserStore::delete(&s.db, &old.username)
        .await
        .expect("deleted");
    s.purge
        .purge(&old.username, std::time::Duration::from_secs(5))
        .await
        .expect("purged");

    let refused = uploads
        .presign(&old, "late.jpg", "image/jpeg", 1000, None)
        .await;
    assert!(
        matches!(refused, Err(AnalysisError::AccountGone)),
        "{refused:?}"
    );
    let fetched = uploads
        .store_fetched(&old, "https://example.org/late.jpg", jpeg_bytes(), None)
        .await;
    assert!(
        matches!(fetched, Err(AnalysisError::AccountGone)),
        "{fetched:?}"
    );

    // A new account of the name sees nothing of the old one's late requests, and a request
    // of the old account made now is refused too.
    let new = account("carol");
    UserStore::create(&s.db, &new).await.expect("created again");
    let late = uploads
        .store_fetched(&old, "https://example.org/later.jpg", jpeg_bytes(), None)
        .await;
    assert!(matches!(late, Err(AnalysisError::AccountGone)), "{late:?}");
    let (listed, _) = AnalysisStore::list(&s.db, &new.username, None, None, 10)
        .await
        .expect("listed");
    assert!(listed.is_empty(), "{listed:?}");
    assert!(files(&s.dir.path().join("objects")).is_empty());
    // The new account's own uploads are kept.
    uploads
        .presign(&new, "mine.jpg", "image/jpeg", 1000, None)
        .await
        .expect("presigned");
    assert_eq!(
        AnalysisStore::list(&s.db, &new.username, None, None, 10)
            .await
            .expect("listed")
            .0
            .len(),
        1
    );
}

/// The start of a JPEG: enough for the type sniffing of uploads by URL.
fn jpeg_bytes() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend_from_slice(&[0; 64]);
    bytes
}

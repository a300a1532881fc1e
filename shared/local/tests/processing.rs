//! The worker's use case on the embedded adapters: a photo delivered twice gives one result and
//! one alert; rejected photos fail with their reason; the queue survives a crash; a photo with a
//! reference is compared with the reference's stored photo, and fails when that was deleted.

use async_trait::async_trait;
use facelens_core::analysis::ports::{
    AlertSink, AnalysisStore, AnalyzeError, DetectedFace, ObjectStore, PhotoAnalysis,
    PhotoAnalyzer, ReferencePhoto,
};
use facelens_core::analysis::{
    Analysis, Category, FaceBox, ImageType, Likeness, MaskVerdict, ObjectKey, ProcessOutcome,
    ProcessService, Reference, Status,
};
use facelens_core::clock::SystemClock;
use facelens_core::domain::Username;
use facelens_local::{LocalDb, LocalObjects, SignatureError, SignedAccess};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use time::{Duration, OffsetDateTime};

/// Stands in for the model pipeline, which this test is not about: it reports two faces, one
/// of them found with 30% confidence, and counts its calls. Given a reference, the first face is
/// the same person when the reference's bytes are the photo's, and the second never.
struct TwoFaces(AtomicUsize);

#[async_trait]
impl PhotoAnalyzer for TwoFaces {
    async fn analyze(
        &self,
        _key: &ObjectKey,
        bytes: Vec<u8>,
        reference: Option<ReferencePhoto>,
    ) -> Result<PhotoAnalysis, AnalyzeError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        let likeness = |first: bool| {
            reference.as_ref().map(|r| {
                let same = first && r.bytes == bytes;
                Likeness {
                    similarity: if same { 91.0 } else { 8.0 },
                    same_person: same,
                }
            })
        };
        if bytes.starts_with(b"broken") {
            return Err(AnalyzeError::Rejected(
                "the image data is truncated or corrupt".into(),
            ));
        }
        let face = |confidence, masked, first| DetectedFace {
            bbox: FaceBox {
                left: 0.1,
                top: 0.1,
                width: 0.2,
                height: 0.2,
            },
            confidence,
            mask: MaskVerdict {
                masked,
                confidence: 90.0,
            },
            attributes: None,
            likeness: likeness(first),
        };
        Ok(PhotoAnalysis {
            width: 100,
            height: 80,
            faces: vec![face(99.0, true, true), face(30.0, false, false)],
            annotated_jpeg: b"annotated".to_vec(),
            thumbnail_jpeg: b"thumb".to_vec(),
        })
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    db: LocalDb,
    objects: Arc<LocalObjects>,
    analyzer: Arc<TwoFaces>,
    process: ProcessService,
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
    let analyzer = Arc::new(TwoFaces(AtomicUsize::new(0)));
    let process = ProcessService::new(
        objects.clone(),
        Arc::new(db.clone()),
        analyzer.clone(),
        Arc::new(db.clone()),
        Arc::new(SystemClock),
        50.0,
    );
    Setup {
        _dir: dir,
        db,
        objects,
        analyzer,
        process,
    }
}

async fn pending_upload(s: &Setup, bytes: &[u8]) -> Analysis {
    upload_of(s, "alice", bytes, None).await
}

async fn upload_of(s: &Setup, owner: &str, bytes: &[u8], reference: Option<&Analysis>) -> Analysis {
    let owner = Username::parse(owner).expect("name");
    let mut analysis = Analysis::pending(
        owner,
        "p.jpg".into(),
        ImageType::Jpeg,
        bytes.len() as u64,
        OffsetDateTime::now_utc(),
    );
    analysis.reference = reference.map(|r| Reference::Analysis(r.id));
    AnalysisStore::create(&s.db, &analysis)
        .await
        .expect("create");
    s.objects
        .put(&analysis.original_key, bytes.to_vec(), "image/jpeg")
        .await
        .expect("put");
    analysis
}

#[tokio::test]
async fn a_photo_delivered_twice_is_analysed_once_and_alerts_once() {
    let s = setup();
    let analysis = pending_upload(&s, b"photo").await;
    let key = analysis.original_key.as_str();

    assert_eq!(
        s.process.process(key).await.expect("first"),
        ProcessOutcome::Done
    );
    assert_eq!(
        s.process.process(key).await.expect("second"),
        ProcessOutcome::AlreadyFinished
    );
    assert_eq!(
        s.analyzer.0.load(Ordering::SeqCst),
        1,
        "the models ran once"
    );

    let stored = AnalysisStore::get(&s.db, analysis.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.status, Status::Done);
    assert_eq!(stored.category, Some(Category::SomeMasked));
    assert_eq!((stored.face_count(), stored.masked_count()), (2, 1));
    assert!(stored.faces[1].low_confidence && !stored.faces[0].low_confidence);
    let annotated = stored.annotated_key.expect("annotated key");
    assert_eq!(
        s.objects.get(&annotated).await.expect("get"),
        Some(b"annotated".to_vec())
    );

    let alerts = AlertSink::recent(&s.db, 10).await.expect("alerts");
    assert_eq!(alerts.len(), 1, "one alert per photo");
    assert_eq!(alerts[0].confidences, vec![30.0]);
    assert_eq!(alerts[0].analysis_id, analysis.id);
}

#[tokio::test]
async fn rejected_photos_fail_with_their_reason_and_unknown_keys_are_ignored() {
    let s = setup();
    let analysis = pending_upload(&s, b"broken bytes").await;
    let outcome = s
        .process
        .process(analysis.original_key.as_str())
        .await
        .expect("processed");
    assert!(matches!(outcome, ProcessOutcome::Rejected(_)));
    let stored = AnalysisStore::get(&s.db, analysis.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.status, Status::Failed);
    assert_eq!(
        stored.failure_reason.as_deref(),
        Some("the image data is truncated or corrupt")
    );
    assert!(
        AlertSink::recent(&s.db, 10)
            .await
            .expect("alerts")
            .is_empty()
    );

    for key in [
        "annotated/alice/x.jpg",
        "uploads/alice/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10.jpg",
    ] {
        assert_eq!(
            s.process.process(key).await.expect("no error"),
            ProcessOutcome::Ignored,
            "{key}"
        );
    }
}

#[tokio::test]
async fn uploads_are_queued_durably_and_leases_are_released_after_a_crash() {
    let s = setup();
    let analysis = pending_upload(&s, b"photo").await;
    let job =
        s.db.claim(Duration::minutes(5))
            .await
            .expect("claim")
            .job
            .expect("a job");
    assert_eq!(job.key, analysis.original_key.as_str());
    assert!(
        s.db.claim(Duration::minutes(5))
            .await
            .expect("claim")
            .job
            .is_none(),
        "leased jobs are not handed out twice"
    );
    assert_eq!(
        s.db.release_all().await.expect("release"),
        1,
        "a restart frees the lease"
    );
    let again =
        s.db.claim(Duration::minutes(5))
            .await
            .expect("claim")
            .job
            .expect("the same job");
    assert_eq!((again.key.as_str(), again.attempt), (job.key.as_str(), 2));
    s.db.acknowledge(&again).await.expect("ack");
    assert_eq!(s.db.queue_depth().await.expect("depth"), (0, 0));
}

#[tokio::test]
async fn a_job_failing_every_time_ends_in_the_dead_letter_table_and_its_analysis_fails() {
    let s = setup();
    let analysis = pending_upload(&s, b"photo").await;
    for _ in 0..facelens_local::MAX_ATTEMPTS {
        s.db.release_all().await.expect("release");
        // Make it due now, as the backoff would after waiting.
        let job = loop {
            if let Some(job) = s.db.claim(Duration::seconds(0)).await.expect("claim").job {
                break job;
            }
            s.db.release_all().await.expect("release");
        };
        let dead =
            s.db.retry_later(&job, "the model failed")
                .await
                .expect("retry");
        assert_eq!(dead, job.attempt == facelens_local::MAX_ATTEMPTS);
    }
    assert_eq!(s.db.queue_depth().await.expect("depth"), (0, 1));
    let failed = AnalysisStore::get(&s.db, analysis.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(
        failed.failure_reason.as_deref(),
        Some("the photo could not be analysed: the analysis failed 5 times"),
        "a plain reason, not the internal error"
    );
}

#[tokio::test]
async fn signed_urls_bind_method_key_expiry_type_and_length() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = LocalDb::open(&dir.path().join("db.redb")).expect("db");
    let objects = LocalObjects::new(dir.path(), "http://x", vec![5; 32], db);
    let key = ObjectKey::parse_original("uploads/alice/0190c9a2-7b3c-7cc1-8a5e-1c1f6f3c9b10.jpg")
        .expect("key")
        .0;
    let url = objects
        .presign_put(&key, "image/jpeg", 10, Duration::minutes(1))
        .await
        .expect("presign")
        .url;
    assert!(url.starts_with("http://x/objects/uploads/alice/"), "{url}");
    let query = |name: &str| {
        url.split(&format!("{name}="))
            .nth(1)
            .and_then(|rest| rest.split('&').next())
            .expect("parameter")
            .to_owned()
    };
    let signature = query("signature");
    let signed = SignedAccess {
        method: "PUT".into(),
        key: key.as_str().to_owned(),
        expires: query("expires").parse().expect("seconds"),
        content_type: Some("image/jpeg".into()),
        length: Some(10),
    };
    let now = OffsetDateTime::now_utc();
    assert_eq!(objects.verify(&signed, &signature, now), Ok(()));
    let changes: [(&str, SignedAccess); 5] = [
        (
            "method",
            SignedAccess {
                method: "GET".into(),
                ..signed.clone()
            },
        ),
        (
            "key",
            SignedAccess {
                key: "uploads/bob/x.jpg".into(),
                ..signed.clone()
            },
        ),
        (
            "type",
            SignedAccess {
                content_type: Some("image/png".into()),
                ..signed.clone()
            },
        ),
        (
            "length",
            SignedAccess {
                length: Some(11),
                ..signed.clone()
            },
        ),
        (
            "expiry",
            SignedAccess {
                expires: signed.expires + 1,
                ..signed.clone()
            },
        ),
    ];
    for (what, changed) in changes {
        assert_eq!(
            objects.verify(&changed, &signature, now),
            Err(SignatureError::Mismatch),
            "a changed {what} must not verify"
        );
    }
    let late = now + Duration::minutes(2);
    assert_eq!(
        objects.verify(&signed, &signature, late),
        Err(SignatureError::Expired)
    );
}

#[tokio::test]
async fn a_photo_with_a_reference_is_compared_with_the_reference_photo() {
    let s = setup();
    let reference = pending_upload(&s, b"portrait").await;
    s.process
        .process(reference.original_key.as_str())
        .await
        .expect("reference analysed");
    let group = upload_of(&s, "alice", b"portrait", Some(&reference)).await;
    assert_eq!(
        s.process
            .process(group.original_key.as_str())
            .await
            .expect("processed"),
        ProcessOutcome::Done
    );
    let stored = AnalysisStore::get(&s.db, group.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.reference, Some(Reference::Analysis(reference.id)));
    let likenesses: Vec<_> = stored.faces.iter().map(|f| f.likeness).collect();
    assert_eq!(
        likenesses,
        vec![
            Some(Likeness {
                similarity: 91.0,
                same_person: true
            }),
            Some(Likeness {
                similarity: 8.0,
                same_person: false
            }),
        ],
        "the analyzer was given the reference's stored bytes"
    );

    // A photo without a reference has no likeness at all.
    let plain = pending_upload(&s, b"portrait").await;
    s.process
        .process(plain.original_key.as_str())
        .await
        .expect("processed");
    let stored = AnalysisStore::get(&s.db, plain.id)
        .await
        .expect("get")
        .expect("exists");
    assert!(stored.faces.iter().all(|f| f.likeness.is_none()));
}

#[tokio::test]
async fn a_reference_deleted_or_of_someone_else_fails_the_comparison_with_its_reason() {
    let s = setup();
    let reference = pending_upload(&s, b"portrait").await;
    let group = upload_of(&s, "alice", b"group", Some(&reference)).await;
    AnalysisStore::delete(&s.db, reference.id)
        .await
        .expect("reference deleted");
    let outcome = s
        .process
        .process(group.original_key.as_str())
        .await
        .expect("processed");
    assert_eq!(
        outcome,
        ProcessOutcome::Rejected("the reference photo was deleted".into())
    );
    let stored = AnalysisStore::get(&s.db, group.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.status, Status::Failed);

    // A record naming another person's analysis (the API refuses to make one): the same.
    let bobs = upload_of(&s, "bob", b"bob's portrait", None).await;
    let sneaky = upload_of(&s, "alice", b"group", Some(&bobs)).await;
    assert_eq!(
        s.process
            .process(sneaky.original_key.as_str())
            .await
            .expect("processed"),
        ProcessOutcome::Rejected("the reference photo was deleted".into())
    );
    assert_eq!(
        s.analyzer.0.load(Ordering::SeqCst),
        0,
        "nothing was analysed"
    );
}

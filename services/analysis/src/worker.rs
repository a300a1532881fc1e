//! The analysis worker: configuration, the pipeline it runs, and the SQS batch handler.
//!
//! Settings: `FACELENS_TABLE_NAME`, `FACELENS_BUCKET_NAME`, `FACELENS_ALERT_TOPIC_ARN`, and
//! optionally `FACELENS_FACE_FINDER` (`rekognition`, the default, or `onnx`: our own YuNet in
//! the binary finds the faces, without attributes), `FACELENS_ALERT_BELOW` (detection confidence, 0..100, under which admins are
//! alerted; default 50), `FACELENS_MAX_MEGAPIXELS` (default 40) and `FACELENS_PUBLIC_URL` (a
//! link for the alert emails).
//!
//! Every SQS message carries an S3 notification: `ObjectCreated` records, or the
//! `s3:TestEvent` S3 sends when notifications are set up (acknowledged and ignored); or the
//! stack's schedule asks for the sweep of uploads whose photo never arrived (every 5 minutes).
//! After each batch one log line in CloudWatch's embedded metric format counts its photos,
//! faces, masks, alerts, failures and analysis time (`facelens_lambda::emf`). A message
//! whose photo could not be processed for a reason worth retrying (a store or Rekognition
//! failure), or that is not an S3 notification at all, is reported in `batchItemFailures`: SQS
//! retries just that one and, after the queue's `maxReceiveCount`, moves it to the dead-letter
//! queue. Unusable photos are not failures: their analysis is recorded as failed with the
//! reason, and the message is done.

use anyhow::Context;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use facelens_aws::Aws;
use facelens_core::analysis::{ProcessService, UploadPolicy};
use facelens_core::clock::SystemClock;
use facelens_core::metrics::Metrics;
use facelens_imaging::Limits;
use facelens_lambda::emf;
use facelens_lambda::s3_event::{self, S3Message};
use facelens_lambda::{required, setting};
use facelens_pipeline::{ClassifierJudge, DetectorFinder, FaceFinder, FaceMatcher, Pipeline};
use facelens_vision::{FaceDetector, MaskClassifier};
use std::sync::Arc;

/// Our mask classifier, inside the binary: the Lambda zip is one file and nothing is read or
/// downloaded at cold start.
static CLASSIFIER_ONNX: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/mask-classifier.onnx"
));

/// YuNet, inside the binary, for deployments that find faces without Rekognition.
static DETECTOR_ONNX: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/yunet-640.onnx"
));

/// Who finds the faces: Rekognition `DetectFaces` (faces with attributes), or our own ONNX
/// detector in the worker (no attributes, no Rekognition call per photo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceFinderKind {
    /// Amazon Rekognition (the default).
    Rekognition,
    /// YuNet in tract, as the local server runs it.
    Onnx,
}

/// The worker's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The DynamoDB table of analyses and alerts.
    pub table_name: String,
    /// The photo bucket.
    pub bucket_name: String,
    /// The admins' SNS topic.
    pub alert_topic_arn: String,
    /// Faces detected with less confidence (0..100) raise an alert.
    pub alert_below: f32,
    /// Photos with more pixels are refused before decoding.
    pub max_megapixels: u64,
    /// The site's address, for the alert emails.
    pub public_url: Option<String>,
    /// Who finds the faces (`FACELENS_FACE_FINDER`: `rekognition`, the default, or `onnx`).
    pub face_finder: FaceFinderKind,
}

impl Config {
    /// Reads the environment.
    ///
    /// # Errors
    /// When a required setting is missing or a number does not parse.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads the settings from `lookup`.
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let alert_below = match setting(lookup, "FACELENS_ALERT_BELOW") {
            Some(v) => v
                .parse::<f32>()
                .ok()
                .filter(|v| (0.0..=100.0).contains(v))
                .context("FACELENS_ALERT_BELOW must be a number from 0 to 100")?,
            None => 50.0,
        };
        let max_megapixels = match setting(lookup, "FACELENS_MAX_MEGAPIXELS") {
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|v| *v > 0)
                .context("FACELENS_MAX_MEGAPIXELS must be a positive whole number")?,
            None => 40,
        };
        let face_finder = match setting(lookup, "FACELENS_FACE_FINDER").as_deref() {
            None | Some("rekognition") => FaceFinderKind::Rekognition,
            Some("onnx") => FaceFinderKind::Onnx,
            Some(_) => anyhow::bail!("FACELENS_FACE_FINDER must be rekognition or onnx"),
        };
        Ok(Self {
            face_finder,
            table_name: required(lookup, "FACELENS_TABLE_NAME")?,
            bucket_name: required(lookup, "FACELENS_BUCKET_NAME")?,
            alert_topic_arn: required(lookup, "FACELENS_ALERT_TOPIC_ARN")?,
            alert_below,
            max_megapixels,
            public_url: setting(lookup, "FACELENS_PUBLIC_URL"),
        })
    }
}

/// The worker's use case with the configured face finder. Comparisons with a reference photo
/// use Rekognition `CompareFaces` either way (the embedding models would not fit the zip).
///
/// # Errors
/// When an embedded model does not load.
pub fn process_service(config: &Config, aws: &Aws) -> anyhow::Result<ProcessService> {
    let finder: Arc<dyn FaceFinder> = match config.face_finder {
        FaceFinderKind::Rekognition => {
            Arc::new(aws.rekognition_finder(config.bucket_name.as_str()))
        }
        FaceFinderKind::Onnx => Arc::new(DetectorFinder::new(Arc::new(
            FaceDetector::from_bytes(DETECTOR_ONNX).context("loading the face detector")?,
        ))),
    };
    let matcher = Arc::new(aws.rekognition_matcher(config.bucket_name.as_str()));
    process_service_with(config, aws, finder, matcher)
}

/// The worker's use case with the given face finder and matcher (tests replay Rekognition's
/// answers).
///
/// # Errors
/// When the embedded classifier does not load.
pub fn process_service_with(
    config: &Config,
    aws: &Aws,
    finder: Arc<dyn FaceFinder>,
    matcher: Arc<dyn FaceMatcher>,
) -> anyhow::Result<ProcessService> {
    let classifier =
        MaskClassifier::from_bytes(CLASSIFIER_ONNX).context("loading the mask classifier")?;
    let limits = Limits {
        max_pixels: config.max_megapixels * 1_000_000,
        ..Limits::default()
    };
    let pipeline = Pipeline::new(finder, Arc::new(ClassifierJudge::new(classifier)), limits)
        .with_matcher(matcher);
    let table = aws.dynamodb(config.table_name.as_str());
    let alerts = aws.sns_alerts(
        &table,
        Some(config.alert_topic_arn.clone()),
        config.public_url.clone(),
    );
    let objects = Arc::new(aws.s3_objects(config.bucket_name.as_str()));
    Ok(ProcessService::new(
        objects.clone(),
        Arc::new(table),
        Arc::new(pipeline),
        Arc::new(alerts),
        Arc::new(SystemClock),
        config.alert_below,
    )
    .with_metrics(Arc::new(Metrics::default()))
    // The captures of enrolled faces are kept in the bucket by the auth function.
    .with_enrolled_faces(objects))
}

/// Processes every message of a batch; the ones to retry are named in the response.
pub async fn handle_batch(process: &ProcessService, event: SqsEvent) -> SqsBatchResponse {
    let before = process.metrics().map(|m| m.photos());
    let response = handle_messages(process, event).await;
    if let (Some(before), Some(metrics)) = (before, process.metrics()) {
        let delta = metrics.photos().since(before);
        if let Some(line) = emf::photo_metrics("analysis-worker", emf::now_ms(), delta) {
            // CloudWatch Logs reads the metrics out of this line.
            println!("{line}");
        }
    }
    response
}

async fn handle_messages(process: &ProcessService, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in event.records {
        if let Err(problem) = handle_message(process, &message).await {
            let id = message.message_id.unwrap_or_default();
            tracing::warn!(message_id = %id, %problem, "message will be retried");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

async fn handle_message(process: &ProcessService, message: &SqsMessage) -> Result<(), String> {
    let body = message.body.as_deref().ok_or("the message has no body")?;
    let keys = match s3_event::parse_body(body)? {
        S3Message::TestEvent => {
            tracing::info!("S3 test event acknowledged");
            return Ok(());
        }
        S3Message::SweepAbandoned => {
            // Uploads presigned by the uploads function, whose URLs live as long as this.
            let failed = process
                .sweep_abandoned(UploadPolicy::default())
                .await
                .map_err(|err| format!("sweep of abandoned uploads: {err}"))?;
            tracing::info!(analyses = failed, "uploads that never arrived failed");
            return Ok(());
        }
        S3Message::Objects(keys) => keys,
    };
    for key in &keys {
        match process.process(key).await {
            Ok(outcome) => outcome.log(key),
            Err(err) => return Err(format!("{key}: {err}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_the_infra_environment_when_read_then_defaults_fill_the_rest() {
        let vars = [
            ("FACELENS_TABLE_NAME", "t"),
            ("FACELENS_BUCKET_NAME", "b"),
            ("FACELENS_ALERT_TOPIC_ARN", "arn:aws:sns:eu-west-1:1:alerts"),
        ];
        let config = Config::from_lookup(&|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .expect("valid");
        assert_eq!(config.alert_below, 50.0);
        assert_eq!(config.max_megapixels, 40);
        assert_eq!(config.public_url, None);
    }

    #[test]
    fn given_a_threshold_over_100_when_read_then_refused() {
        let vars = [
            ("FACELENS_TABLE_NAME", "t"),
            ("FACELENS_BUCKET_NAME", "b"),
            ("FACELENS_ALERT_TOPIC_ARN", "a"),
            ("FACELENS_ALERT_BELOW", "150"),
        ];
        let err = Config::from_lookup(&|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .expect_err("refused");
        assert!(format!("{err:#}").contains("FACELENS_ALERT_BELOW"));
    }

    #[test]
    fn the_embedded_models_load() {
        assert!(MaskClassifier::from_bytes(CLASSIFIER_ONNX).is_ok());
        assert!(FaceDetector::from_bytes(DETECTOR_ONNX).is_ok());
    }

    #[test]
    fn the_face_finder_is_rekognition_unless_onnx_is_asked_for() {
        let read = |finder: Option<&str>| {
            Config::from_lookup(&|name| match name {
                "FACELENS_FACE_FINDER" => finder.map(str::to_owned),
                "FACELENS_TABLE_NAME" | "FACELENS_BUCKET_NAME" | "FACELENS_ALERT_TOPIC_ARN" => {
                    Some("x".into())
                }
                _ => None,
            })
        };
        assert_eq!(
            read(None).expect("valid").face_finder,
            FaceFinderKind::Rekognition
        );
        assert_eq!(
            read(Some("onnx")).expect("valid").face_finder,
            FaceFinderKind::Onnx
        );
        let err = read(Some("opencv")).expect_err("refused");
        assert!(format!("{err:#}").contains("FACELENS_FACE_FINDER"));
    }
}

//! AWS adapters of the core ports, for the Lambdas:
//!
//! - [`DynamoDb`] implements [`UserStore`](facelens_core::ports::UserStore),
//!   [`OneTimeTokenStore`](facelens_core::ports::OneTimeTokenStore) and
//!   [`AuditLog`](facelens_core::ports::AuditLog) on the single table of
//!   `docs/architecture.md` ("Table design");
//! - [`DynamoDb`] also implements [`AnalysisStore`](facelens_core::analysis::ports::AnalysisStore);
//! - [`S3Objects`] implements [`ObjectStore`](facelens_core::analysis::ports::ObjectStore) on
//!   S3, with presigned requests that bind the upload's type and length;
//! - [`SnsAlerts`] implements [`AlertSink`](facelens_core::analysis::ports::AlertSink): once
//!   per analysis in DynamoDB, then published to SNS;
//! - with the `analysis` feature (the analysis worker's), `RekognitionFinder` implements the
//!   pipeline's `FaceFinder` with Rekognition `DetectFaces` on the stored photo and
//!   `RekognitionMatcher` its `FaceMatcher` with `CompareFaces`; without it this crate links
//!   no image decoder and no model runtime (the auth and uploads functions);
//! - [`RekognitionVault`] implements [`FaceVault`](facelens_core::faces::FaceVault) on a
//!   Rekognition collection;
//! - [`SesMailer`] implements [`Mailer`](facelens_core::ports::Mailer) on SESv2;
//! - [`Aws::read_secret`] reads the token signing secret from Secrets Manager.
//!
//! [`Aws`] loads the standard AWS configuration chain once per cold start (region, credentials
//! and `AWS_ENDPOINT_URL`, so the same binary talks to AWS or to a local AWS-compatible server)
//! and builds every client from it. SDK errors are turned into the domain's
//! [`StoreError`](facelens_core::ports::StoreError) and
//! [`MailError`](facelens_core::ports::MailError) here; no SDK type leaves this crate.
//!
//! With the `test-support` feature, [`moto`] starts a moto server and [`s3s`] an s3s-fs server
//! (which verifies signatures) for tests.

mod alerts;
#[cfg(feature = "analysis")]
mod compare_faces;
mod config;
pub mod dynamodb;
mod face_collection;
mod live_alerts;
#[cfg(feature = "analysis")]
mod rekognition;
mod rekognition_client;
mod s3;
mod secrets;
mod ses;
mod sns_retry;

#[cfg(feature = "test-support")]
pub mod moto;
#[cfg(feature = "test-support")]
pub mod recorded;
#[cfg(feature = "test-support")]
pub mod s3s;
#[cfg(feature = "test-support")]
mod test_server;

pub use alerts::{AlertRecords, SnsAlerts};
#[cfg(feature = "analysis")]
pub use compare_faces::{MIN_OVERLAP, RekognitionMatcher};
pub use config::Aws;
pub use dynamodb::DynamoDb;
pub use face_collection::RekognitionVault;
pub use live_alerts::SnsLiveAlerts;
#[cfg(feature = "analysis")]
pub use rekognition::RekognitionFinder;
pub use rekognition_client::SAME_PERSON_SIMILARITY;
pub use s3::S3Objects;
pub use secrets::SecretError;
pub use ses::SesMailer;

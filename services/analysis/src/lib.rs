//! The analysis service's two Lambdas:
//!
//! - [`api`]: `GET /api/analyses`, `GET|DELETE /api/analyses/{id}` and `GET /api/alerts` on
//!   DynamoDB and S3;
//! - [`worker`]: SQS batches of S3 `ObjectCreated` events through the analysis pipeline
//!   (Rekognition `DetectFaces`, our mask classifier embedded in the binary, the annotated
//!   JPEG to S3, the record to DynamoDB, low-confidence alerts to SNS), with partial batch
//!   failures.
//!
//! Region, credentials and `AWS_ENDPOINT_URL` come from the standard AWS configuration chain,
//! so the same binaries run against a local AWS-compatible server.

pub mod api;
pub mod worker;

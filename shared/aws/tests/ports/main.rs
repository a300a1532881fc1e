//! The port contracts, proven on both adapters: every behaviour test here runs once on the
//! embedded store (`LocalDb`) and once on DynamoDB (`DynamoDb` against a moto server), so the
//! two answer the same questions the same way. SES and Secrets Manager, which have no twin,
//! are tested on moto alone, and the Rekognition face collection with Rekognition replayed and
//! its records on moto.
//!
//! Needs `moto_server`: run `bash scripts/aws-test-setup.sh` once.

mod support;

mod alerts;
mod audit;
mod deletion;
mod face_collection;
mod live;
mod secrets;
mod ses;
mod signing_keys;
mod throttle;
mod tokens;
mod users;

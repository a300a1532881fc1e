//! The uploads Lambda's wiring: [`Config`] read once at cold start, and [`app`], the uploads
//! router on S3 (`FACELENS_BUCKET_NAME`) and DynamoDB (`FACELENS_TABLE_NAME`).
//!
//! Settings: `FACELENS_TABLE_NAME`, `FACELENS_BUCKET_NAME` and `FACELENS_MAX_UPLOAD_MB` (default 15, the most Rekognition reads from S3). Region,
//! credentials and `AWS_ENDPOINT_URL` come from the standard AWS configuration chain.

use anyhow::Context;
use axum::Router;
use facelens_api::layers;
use facelens_api::uploads::{self, UploadsState};
use facelens_aws::AlertRecords;
use facelens_aws::Aws;
use facelens_core::analysis::{AnalysisService, UploadPolicy, UploadService};
use facelens_core::clock::SystemClock;
use facelens_fetch::GuardedFetcher;
use facelens_lambda::{required, setting, token_checks};
use std::sync::Arc;

/// The largest photo `POST /api/analyses` takes here: Lambda refuses requests over 6 MB, and
/// API Gateway sends a binary body base64-encoded (4/3 larger). Larger photos go through a
/// presigned upload (`POST /api/uploads`), which this limit's 413 says.
pub const MAX_REQUEST_BYTES: u64 = 4 * 1024 * 1024;

/// The function's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The DynamoDB table of accounts and analyses.
    pub table_name: String,
    /// The photo bucket.
    pub bucket_name: String,
    /// Size limit and presigned URL lifetime.
    pub policy: UploadPolicy,
}

impl Config {
    /// Reads the environment.
    ///
    /// # Errors
    /// When a required setting is missing or `FACELENS_MAX_UPLOAD_MB` is not a number.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads the settings from `lookup`.
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut policy = UploadPolicy::default();
        if let Some(mb) = setting(lookup, "FACELENS_MAX_UPLOAD_MB") {
            let mb: u64 = mb
                .parse()
                .context("FACELENS_MAX_UPLOAD_MB must be a whole number of megabytes")?;
            policy.max_bytes = mb * 1024 * 1024;
        }
        Ok(Self {
            table_name: required(lookup, "FACELENS_TABLE_NAME")?,
            bucket_name: required(lookup, "FACELENS_BUCKET_NAME")?,
            policy,
        })
    }
}

/// Builds the adapters from `aws` and the router. Tokens are verified with the public keys
/// the auth function publishes in the table; this function holds no signing secret.
pub fn app(config: &Config, aws: &Aws) -> Router {
    let table = aws.dynamodb(config.table_name.as_str());
    let objects = Arc::new(aws.s3_objects(config.bucket_name.as_str()));
    let auth = token_checks(&table);
    let service = Arc::new(UploadService::new(
        objects.clone(),
        Arc::new(table.clone()),
        Arc::new(table.clone()),
        Arc::new(SystemClock),
        config.policy,
    ));
    // `POST /api/analyses` reads the result it waits for; it never raises alerts.
    let analyses = AnalysisService::new(
        objects,
        Arc::new(table.clone()),
        Arc::new(AlertRecords::new(table)),
    );
    let router = uploads::router(UploadsState {
        auth,
        uploads: service,
        fetcher: Arc::new(GuardedFetcher::default()),
        analyses: Arc::new(analyses),
        max_request_bytes: MAX_REQUEST_BYTES,
    })
    .fallback(layers::not_found);
    layers::observed(router)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(&|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn given_the_infra_environment_when_read_then_table_bucket_and_size() {
        let config = config(&[
            ("FACELENS_TABLE_NAME", "t"),
            ("FACELENS_BUCKET_NAME", "b"),
            ("FACELENS_MAX_UPLOAD_MB", "10"),
        ])
        .expect("valid");
        assert_eq!(
            (config.table_name.as_str(), config.bucket_name.as_str()),
            ("t", "b")
        );
        assert_eq!(config.policy.max_bytes, 10 * 1024 * 1024);
    }

    #[test]
    fn given_no_bucket_when_read_then_refused_by_name() {
        let err = config(&[("FACELENS_TABLE_NAME", "t")]).expect_err("refused");
        assert!(format!("{err:#}").contains("FACELENS_BUCKET_NAME"));
    }

    #[test]
    fn given_a_size_that_is_not_a_number_when_read_then_refused() {
        let err = config(&[
            ("FACELENS_TABLE_NAME", "t"),
            ("FACELENS_BUCKET_NAME", "b"),
            ("FACELENS_MAX_UPLOAD_MB", "ten"),
        ])
        .expect_err("refused");
        assert!(format!("{err:#}").contains("FACELENS_MAX_UPLOAD_MB"));
    }
}

//! The read API: configuration and router.
//!
//! Settings: `FACELENS_TABLE_NAME` and `FACELENS_BUCKET_NAME`. Tokens are verified with the
//! public keys the auth function publishes in the table; this function holds no signing secret.

use axum::Router;
use facelens_api::analyses::{self, AnalysesState};
use facelens_api::layers;
use facelens_aws::{AlertRecords, Aws};
use facelens_core::analysis::AnalysisService;
use facelens_lambda::{required, token_checks};
use std::sync::Arc;

/// The function's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The DynamoDB table of accounts, analyses and alerts.
    pub table_name: String,
    /// The photo bucket.
    pub bucket_name: String,
}

impl Config {
    /// Reads the environment.
    ///
    /// # Errors
    /// When a required setting is missing.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads the settings from `lookup`.
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        Ok(Self {
            table_name: required(lookup, "FACELENS_TABLE_NAME")?,
            bucket_name: required(lookup, "FACELENS_BUCKET_NAME")?,
        })
    }
}

/// Builds the adapters from `aws` and the router.
pub fn app(config: &Config, aws: &Aws) -> Router {
    let table = aws.dynamodb(config.table_name.as_str());
    let auth = token_checks(&table);
    // This function lists and erases alerts; it never raises one, so it has no SNS client.
    let alerts = AlertRecords::new(table.clone());
    let service = AnalysisService::new(
        Arc::new(aws.s3_objects(config.bucket_name.as_str())),
        Arc::new(table),
        Arc::new(alerts),
    );
    let router = analyses::router(AnalysesState {
        auth,
        analyses: Arc::new(service),
    })
    .fallback(layers::not_found);
    layers::observed(router)
}

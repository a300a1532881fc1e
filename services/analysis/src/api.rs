//! The read API and the live check's API: configuration and router.
//!
//! Settings: `FACELENS_TABLE_NAME`, `FACELENS_BUCKET_NAME`, and `FACELENS_ALERT_TOPIC_ARN` (the
//! live cameras' alerts; without it, alert rules are kept but nothing is published). Tokens are verified with the
//! public keys the auth function publishes in the table; this function holds no signing secret.

use axum::Router;
use facelens_api::analyses::{self, AnalysesState};
use facelens_api::layers;
use facelens_api::live::{self, LiveState};
use facelens_aws::{AlertRecords, Aws};
use facelens_core::analysis::AnalysisService;
use facelens_core::clock::SystemClock;
use facelens_core::live::LiveService;
use facelens_lambda::{required, token_checks};
use std::sync::Arc;

/// The function's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The DynamoDB table of accounts, analyses and alerts.
    pub table_name: String,
    /// The photo bucket (and live snapshots).
    pub bucket_name: String,
    /// The admins' SNS topic, for live cameras' alerts.
    pub alert_topic_arn: Option<String>,
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
            alert_topic_arn: lookup("FACELENS_ALERT_TOPIC_ARN").filter(|arn| !arn.is_empty()),
        })
    }
}

/// Builds the adapters from `aws` and the router.
pub fn app(config: &Config, aws: &Aws) -> Router {
    let table = aws.dynamodb(config.table_name.as_str());
    let auth = token_checks(&table);
    // This function lists and erases photos' alerts; it never raises one (only live cameras'
    // alerts, through their own sink).
    let alerts = AlertRecords::new(table.clone());
    let objects = Arc::new(aws.s3_objects(config.bucket_name.as_str()));
    let mut live = LiveService::new(
        Arc::new(table.clone()),
        objects.clone(),
        Arc::new(SystemClock),
    );
    if let Some(topic) = &config.alert_topic_arn {
        live = live.with_alerts(Arc::new(aws.sns_live_alerts(topic.as_str())));
    }
    let service = AnalysisService::new(objects, Arc::new(table), Arc::new(alerts));
    let router = analyses::router(AnalysesState {
        auth: Arc::clone(&auth),
        analyses: Arc::new(service),
    })
    .merge(live::router(LiveState {
        auth,
        live: Arc::new(live),
    }))
    .fallback(layers::not_found);
    layers::observed(router)
}

//! Live alerts published to the admins' SNS topic (the same topic as low-confidence alerts).
//! The live use case claims each alert in the camera's item before sending it, so a window
//! publishes once however many functions see its violations.

use async_trait::async_trait;
use aws_sdk_sns::error::DisplayErrorContext;
use facelens_core::live::ports::{LiveAlert, LiveAlertSink};
use facelens_core::ports::StoreError;

/// Publishes live alerts to one SNS topic.
#[derive(Debug, Clone)]
pub struct SnsLiveAlerts {
    sns: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsLiveAlerts {
    /// Alerts published to `topic_arn` through `sns`.
    pub(crate) fn new(sns: aws_sdk_sns::Client, topic_arn: String) -> Self {
        Self { sns, topic_arn }
    }

    /// As [`Aws::sns_live_alerts`](crate::Aws::sns_live_alerts), with the SNS client built
    /// from `sns` (tests give it a replaying HTTP client).
    pub fn with_sns_config(sns: aws_sdk_sns::config::Builder, topic_arn: String) -> Self {
        Self::new(crate::sns_retry::sns_client(sns), topic_arn)
    }
}

#[async_trait]
impl LiveAlertSink for SnsLiveAlerts {
    async fn notify(&self, alert: &LiveAlert) -> Result<(), StoreError> {
        self.sns
            .publish()
            .topic_arn(&self.topic_arn)
            // SNS subjects are ASCII only; the camera's name is in the text.
            .subject("Facelens: mask violations on a live camera")
            .message(alert.text())
            .send()
            .await
            .map_err(|err| {
                StoreError::Unavailable(format!("SNS Publish: {}", DisplayErrorContext(err)))
            })?;
        tracing::warn!(camera = %alert.camera, owner = %alert.owner, "live alert published");
        Ok(())
    }
}

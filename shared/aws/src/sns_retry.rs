//! SNS answers `KMSThrottling` (the KMS key of an encrypted topic is throttled) as a client
//! error that the SDK's standard retry strategy does not know: its code is not in the SDK's list
//! of throttling codes, and `Publish`'s modelled errors are not marked retryable. This
//! classifier makes it throttling, so it is retried with backoff like SNS's own `Throttling`.

use aws_sdk_sns::config::interceptors::InterceptorContext;
use aws_sdk_sns::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::operation::publish::PublishError;

/// The codes SNS gives a throttled KMS key (the API reference names the exception
/// `KMSThrottlingException`; its query protocol sends the code without the suffix).
const KMS_THROTTLING: [&str; 2] = ["KMSThrottling", "KMSThrottlingException"];

/// Classifies `KMSThrottling` answers to `Publish` as throttling.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KmsThrottlingIsThrottling;

impl ClassifyRetry for KmsThrottlingIsThrottling {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let code = error
            .as_operation_error()
            .and_then(|e| e.downcast_ref::<PublishError>())
            .and_then(ProvideErrorMetadata::code);
        if code.is_some_and(|code| KMS_THROTTLING.contains(&code)) {
            RetryAction::throttling_error()
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "SNS KMSThrottling is throttling"
    }
}

/// An SNS client on `config` with the alert publisher's timeouts and this classifier.
pub(crate) fn sns_client(config: aws_sdk_sns::config::Builder) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::from_conf(
        config
            .timeout_config(sns_timeouts())
            .retry_classifier(KmsThrottlingIsThrottling)
            .build(),
    )
}

/// Time limits of SNS calls: without them a stalled `Publish` waits until Lambda ends the
/// worker (only a connect timeout is set by default). 5 s per attempt, 20 s in all.
fn sns_timeouts() -> aws_sdk_sns::config::timeout::TimeoutConfig {
    aws_sdk_sns::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(std::time::Duration::from_secs(5))
        .operation_timeout(std::time::Duration::from_secs(20))
        .build()
}

//! What every Rekognition adapter shares: the retry policy of its client, the first retry's
//! wait, and the similarity from which two faces are the same person. Kept apart from the
//! photo analysis adapters (behind the `analysis` feature), so the functions that only enrol
//! and verify faces link no image decoder and no model runtime.

use aws_sdk_rekognition::Client;
use aws_sdk_rekognition::config::retry::RetryConfig;
use std::time::Duration;

/// The similarity (0..100) from which Rekognition's faces are deemed the same person.
pub const SAME_PERSON_SIMILARITY: f32 = 80.0;

/// The wait before the first retry of a throttled or failed Rekognition call; the SDK doubles
/// it for each further retry, with jitter.
pub const INITIAL_BACKOFF: Duration = Duration::from_secs(1);

/// A Rekognition client on `config` whose retry policy is replaced by the standard strategy
/// with `max_attempts` attempts, the first retry after `initial_backoff`.
pub(crate) fn client_with_retries(
    config: aws_sdk_rekognition::Config,
    max_attempts: u32,
    initial_backoff: Duration,
) -> Client {
    let retry = RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(initial_backoff);
    Client::from_conf(config.to_builder().retry_config(retry).build())
}

//! The AWS configuration of one process, loaded once, and the adapters built from it.

use crate::{DynamoDb, S3Objects, SesMailer, SnsAlerts, SnsLiveAlerts};
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls;
use facelens_core::ports::MailError;

/// The one HTTP(S) client of every AWS client of the process: rustls with *ring* (the SDK's
/// default would bring aws-lc as a second crypto library; see the workspace `Cargo.toml`).
fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// The AWS configuration (region, credentials, endpoint) shared by every client of a process.
/// Load it once per cold start and build the adapters from it; cloning is cheap.
#[derive(Clone, Debug)]
pub struct Aws {
    sdk: SdkConfig,
}

impl Aws {
    /// Loads the standard configuration chain: `AWS_REGION`, the credentials of the Lambda's
    /// role (or a profile, or the environment), and `AWS_ENDPOINT_URL` when set, which points
    /// every client at a local AWS-compatible server.
    pub async fn from_env() -> Self {
        Self {
            sdk: aws_config::defaults(BehaviorVersion::latest())
                .http_client(https_client())
                .load()
                .await,
        }
    }

    /// A configuration for a server at `endpoint` with fixed credentials, such as a local
    /// AWS-compatible server in tests.
    pub async fn for_endpoint(
        endpoint: &str,
        region: &str,
        access_key_id: &str,
        secret_access_key: &str,
    ) -> Self {
        let credentials = aws_sdk_dynamodb::config::Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "facelens-static",
        );
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new(region.to_owned()))
            .credentials_provider(credentials)
            .load()
            .await;
        Self { sdk }
    }

    /// The users, tokens and audit store on the DynamoDB table `table_name`.
    pub fn dynamodb(&self, table_name: impl Into<String>) -> DynamoDb {
        DynamoDb::new(aws_sdk_dynamodb::Client::new(&self.sdk), table_name.into())
    }

    /// The SESv2 mailer sending from `from` (`address` or `Name <address>`; the address must
    /// be a verified SES identity).
    ///
    /// # Errors
    /// [`MailError`] when `from` is not a plausible sender.
    pub fn ses_mailer(&self, from: &str) -> Result<SesMailer, MailError> {
        SesMailer::new(aws_sdk_sesv2::Client::new(&self.sdk), from)
    }

    /// The photo store on `bucket`. Path-style addresses are used when an endpoint is
    /// configured (a local S3-compatible server has no per-bucket host names).
    pub fn s3_objects(&self, bucket: impl Into<String>) -> S3Objects {
        let config = aws_sdk_s3::config::Builder::from(&self.sdk)
            .force_path_style(self.sdk.endpoint_url().is_some())
            .build();
        S3Objects::new(aws_sdk_s3::Client::from_conf(config), bucket.into())
    }

    /// Live alerts published to the SNS topic `topic_arn`.
    pub fn sns_live_alerts(&self, topic_arn: impl Into<String>) -> SnsLiveAlerts {
        SnsLiveAlerts::new(
            crate::sns_retry::sns_client(aws_sdk_sns::config::Builder::from(&self.sdk)),
            topic_arn.into(),
        )
    }

    /// Alerts recorded in `table` and published to the SNS topic `topic_arn` (`None` for a
    /// function that only lists them); `link`, the site's address, goes into each message
    /// when given.
    pub fn sns_alerts(
        &self,
        table: &DynamoDb,
        topic_arn: Option<String>,
        link: Option<String>,
    ) -> SnsAlerts {
        SnsAlerts::new(
            table.clone(),
            crate::sns_retry::sns_client(aws_sdk_sns::config::Builder::from(&self.sdk)),
            topic_arn,
            link,
        )
    }

    /// The loaded SDK configuration, for this crate's clients.
    pub(crate) fn sdk(&self) -> &SdkConfig {
        &self.sdk
    }

    /// The Rekognition face finder on the photos of `bucket`; a throttled call is tried up to
    /// [`MAX_ATTEMPTS`](crate::RekognitionFinder::MAX_ATTEMPTS) times, with backoff.
    #[cfg(feature = "analysis")]
    pub fn rekognition_finder(&self, bucket: impl Into<String>) -> crate::RekognitionFinder {
        crate::RekognitionFinder::from_config(
            aws_sdk_rekognition::Config::from(&self.sdk),
            bucket,
            crate::RekognitionFinder::INITIAL_BACKOFF,
        )
    }

    /// The Rekognition face collection `collection` as the vault of enrolled faces, with the
    /// record of whose face is which in `table` and the enrolment captures in `photos`.
    pub fn rekognition_vault(
        &self,
        collection: impl Into<String>,
        table: crate::DynamoDb,
        photos: S3Objects,
    ) -> crate::RekognitionVault {
        crate::RekognitionVault::from_config(
            aws_sdk_rekognition::Config::from(&self.sdk),
            collection,
            table,
            photos,
            crate::rekognition_client::INITIAL_BACKOFF,
        )
    }

    /// Rekognition `CompareFaces` on the photos of `bucket`, retried as the finder is.
    #[cfg(feature = "analysis")]
    pub fn rekognition_matcher(&self, bucket: impl Into<String>) -> crate::RekognitionMatcher {
        crate::RekognitionMatcher::from_config(
            aws_sdk_rekognition::Config::from(&self.sdk),
            bucket,
            crate::RekognitionFinder::INITIAL_BACKOFF,
        )
    }
}

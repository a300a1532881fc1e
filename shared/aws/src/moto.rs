//! A moto server (an AWS-compatible server) for tests, from `scripts/aws-test-setup.sh`.
//!
//! [`server`] starts one `moto_server` per test process on a free 127.0.0.1 port the first
//! time it is called; a small shell watchdog stops it when the test process ends. Tests stay
//! independent without resets: each makes its own table ([`Moto::table`]), secret name and
//! email addresses.

use crate::{Aws, DynamoDb, S3Objects};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    PointInTimeRecoverySpecification, Projection, ProjectionType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter,
    QueueConfiguration, S3KeyFilter,
};
use aws_sdk_sqs::types::QueueAttributeName;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The region the tests use.
pub const REGION: &str = "us-east-1";

/// A running moto server.
#[derive(Debug)]
pub struct Moto {
    endpoint: String,
}

/// An email moto recorded as sent through SES.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentEmail {
    /// `FromEmailAddress` as given.
    pub from: String,
    /// The `To` addresses.
    pub to: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Text body.
    pub body: String,
}

static SERVER: OnceLock<Moto> = OnceLock::new();

/// The moto server of this test process, started on first use.
///
/// # Panics
/// When `moto_server` is not installed (the message says to run `scripts/aws-test-setup.sh`)
/// or does not start.
pub fn server() -> &'static Moto {
    SERVER.get_or_init(|| start().unwrap_or_else(|problem| panic!("{problem}")))
}

impl Moto {
    /// `http://127.0.0.1:{port}`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// An AWS configuration pointed at this server with test credentials.
    pub async fn aws(&self) -> Aws {
        Aws::for_endpoint(&self.endpoint, REGION, "testing", "testing").await
    }

    /// A new, empty table with the keys, indexes and TTL of the one in `infra/`, and the
    /// adapter on it.
    ///
    /// # Panics
    /// When moto refuses to create it.
    pub async fn table(&self, aws: &Aws) -> DynamoDb {
        let name = format!("facelens-test-{}", uuid::Uuid::new_v4().simple());
        let store = aws.dynamodb(&name);
        let client = store.client();
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute definition")
        };
        let keys = |pk: &str, sk: &str| {
            [(pk, KeyType::Hash), (sk, KeyType::Range)].map(|(name, kind)| {
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(kind)
                    .build()
                    .expect("key schema")
            })
        };
        let index = |name: &str| {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .set_key_schema(Some(
                    keys(&format!("{name}pk"), &format!("{name}sk")).into(),
                ))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .expect("index")
        };
        client
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(
                ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"]
                    .map(attr)
                    .into(),
            ))
            .set_key_schema(Some(keys("pk", "sk").into()))
            .global_secondary_indexes(index("gsi1"))
            .global_secondary_indexes(index("gsi2"))
            .send()
            .await
            .expect("moto creates the table");
        client
            .update_time_to_live()
            .table_name(&name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name("ttl")
                    .enabled(true)
                    .build()
                    .expect("ttl specification"),
            )
            .send()
            .await
            .expect("moto enables TTL");
        store
    }

    /// Turns point-in-time recovery on for `table`, as the stack does, and restores it into a
    /// new table `{name}-restored`, as infra/README.md tells operators to; returns the store on
    /// the restored table. Moto copies the table as it is now, whatever time is asked for.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn restore_to_now(&self, table: &DynamoDb) -> DynamoDb {
        let client = table.client();
        client
            .update_continuous_backups()
            .table_name(table.table_name())
            .point_in_time_recovery_specification(
                PointInTimeRecoverySpecification::builder()
                    .point_in_time_recovery_enabled(true)
                    .build()
                    .expect("PITR specification"),
            )
            .send()
            .await
            .expect("moto turns PITR on");
        let restored = format!("{}-restored", table.table_name());
        client
            .restore_table_to_point_in_time()
            .source_table_name(table.table_name())
            .target_table_name(&restored)
            .use_latest_restorable_time(true)
            .send()
            .await
            .expect("moto restores the table");
        DynamoDb::new(client.clone(), restored)
    }

    /// A new bucket with a unique name, and the photo store on it.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn bucket(&self, aws: &Aws) -> S3Objects {
        let name = format!("facelens-test-{}", uuid::Uuid::new_v4().simple());
        let store = aws.s3_objects(&name);
        store
            .client()
            .create_bucket()
            .bucket(&name)
            .send()
            .await
            .expect("moto creates the bucket");
        store
    }

    /// A queue with a dead-letter queue after `max_receives` receives, subscribed to the
    /// bucket's `ObjectCreated` events under `uploads/`, as `infra/` sets them up.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn upload_queue(&self, aws: &Aws, bucket: &str, max_receives: u32) -> Queues {
        let sqs = aws_sdk_sqs::Client::new(aws.sdk());
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let dead_letters = sqs
            .create_queue()
            .queue_name(format!("facelens-dlq-{suffix}"))
            .send()
            .await
            .expect("moto creates the dead-letter queue")
            .queue_url
            .expect("a queue URL");
        let dead_letter_arn = queue_arn(&sqs, &dead_letters).await;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": dead_letter_arn,
            "maxReceiveCount": max_receives.to_string(),
        });
        let url = sqs
            .create_queue()
            .queue_name(format!("facelens-queue-{suffix}"))
            .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
            .send()
            .await
            .expect("moto creates the queue")
            .queue_url
            .expect("a queue URL");
        let arn = queue_arn(&sqs, &url).await;
        let rule = FilterRule::builder()
            .name(FilterRuleName::Prefix)
            .value("uploads/")
            .build();
        let queue = QueueConfiguration::builder()
            .queue_arn(arn)
            .events(Event::S3ObjectCreated)
            .filter(
                NotificationConfigurationFilter::builder()
                    .key(S3KeyFilter::builder().filter_rules(rule).build())
                    .build(),
            )
            .build()
            .expect("queue configuration");
        aws.s3_objects(bucket)
            .client()
            .put_bucket_notification_configuration()
            .bucket(bucket)
            .notification_configuration(
                NotificationConfiguration::builder()
                    .queue_configurations(queue)
                    .build(),
            )
            .send()
            .await
            .expect("moto sets the bucket notification");
        Queues {
            sqs,
            url,
            dead_letters,
        }
    }

    /// A new SNS topic; returns its ARN.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn topic(&self, aws: &Aws) -> String {
        aws_sdk_sns::Client::new(aws.sdk())
            .create_topic()
            .name(format!("facelens-alerts-{}", uuid::Uuid::new_v4().simple()))
            .send()
            .await
            .expect("moto creates the topic")
            .topic_arn
            .expect("a topic ARN")
    }

    /// The `(subject, message)` of every notification published to `topic_arn`, read back
    /// from moto's `/moto-api/data.json`.
    ///
    /// # Panics
    /// When moto does not answer.
    pub async fn published(&self, topic_arn: &str) -> Vec<(String, String)> {
        let data = self.data().await;
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        data["sns"]["Topic"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|topic| topic["arn"] == topic_arn)
            .flat_map(|topic| {
                topic["sent_notifications"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|n| (text(&n[2]), text(&n[1])))
            .collect()
    }

    /// Makes `address` a verified SES sending identity.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn verify_sender(&self, aws: &Aws, address: &str) {
        aws_sdk_sesv2::Client::new(aws.sdk())
            .create_email_identity()
            .email_identity(address)
            .send()
            .await
            .expect("moto creates the email identity");
    }

    /// Stores a secret with a text value and returns its ARN.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn create_secret(&self, aws: &Aws, name: &str, value: &str) -> String {
        let out = aws_sdk_secretsmanager::Client::new(aws.sdk())
            .create_secret()
            .name(name)
            .secret_string(value)
            .send()
            .await
            .expect("moto creates the secret");
        out.arn().expect("a secret ARN").to_owned()
    }

    /// moto's record of every side effect so far (`/moto-api/data.json`).
    async fn data(&self) -> serde_json::Value {
        reqwest::get(format!("{}/moto-api/data.json", self.endpoint))
            .await
            .expect("moto answers data.json")
            .json()
            .await
            .expect("data.json is JSON")
    }

    /// Every email sent through SES so far (all tests of the process), read back from moto's
    /// `/moto-api/data.json`.
    ///
    /// # Panics
    /// When moto does not answer.
    pub async fn sent_emails(&self) -> Vec<SentEmail> {
        let data = self.data().await;
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        data["ses"]["Message"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|m| SentEmail {
                from: text(&m["source"]),
                to: m["destinations"]["ToAddresses"]
                    .as_array()
                    .map(|to| to.iter().map(text).collect())
                    .unwrap_or_default(),
                subject: text(&m["subject"]),
                body: text(&m["body"]),
            })
            .collect()
    }

    /// The emails sent to `address`, oldest first.
    pub async fn emails_to(&self, address: &str) -> Vec<SentEmail> {
        let mut emails = self.sent_emails().await;
        emails.retain(|e| e.to.iter().any(|to| to == address));
        emails
    }
}

/// The analysis queue and its dead-letter queue.
#[derive(Debug)]
pub struct Queues {
    sqs: aws_sdk_sqs::Client,
    /// The queue S3 notifies.
    pub url: String,
    /// Where messages go after too many receives.
    pub dead_letters: String,
}

/// A received message: `(message id, receipt handle, body)`.
pub type Received = (String, String, String);

impl Queues {
    /// Receives up to ten messages from `queue_url`, waiting up to `wait_seconds`, hidden
    /// from other receivers for `visibility_seconds`.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn receive(
        &self,
        queue_url: &str,
        wait_seconds: i32,
        visibility_seconds: i32,
    ) -> Vec<Received> {
        self.sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_seconds)
            .visibility_timeout(visibility_seconds)
            .send()
            .await
            .expect("moto receives")
            .messages
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                (
                    m.message_id.unwrap_or_default(),
                    m.receipt_handle.unwrap_or_default(),
                    m.body.unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Deletes a received message, as Lambda does after a successful batch item.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn delete(&self, receipt_handle: &str) {
        self.sqs
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .expect("moto deletes the message");
    }

    /// Sends a raw message body to the queue.
    ///
    /// # Panics
    /// When moto refuses.
    pub async fn send(&self, body: &str) {
        self.sqs
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .expect("moto accepts the message");
    }
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("moto answers queue attributes")
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .expect("a queue ARN")
}

/// Where `moto_server` is: `$FACELENS_MOTO_SERVER`, the venv of `scripts/aws-test-setup.sh`
/// (its `moto_server_isolated` first: moto with one DynamoDB call at a time, since moto's own
/// transactions are not isolated from concurrent calls and lose writes, where DynamoDB's are),
/// or PATH.
fn moto_binary() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(path) = var("FACELENS_MOTO_SERVER") {
        return Some(PathBuf::from(path));
    }
    let venv = var("FACELENS_MOTO_VENV").map(PathBuf::from).or_else(|| {
        var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))
            .map(|cache| cache.join("facelens").join("moto-venv"))
    });
    let path = var("PATH").unwrap_or_else(OsString::new);
    venv.map(|venv| {
        let bin = venv.join("bin");
        [bin.join("moto_server_isolated"), bin.join("moto_server")]
    })
    .into_iter()
    .flatten()
    .chain(std::env::split_paths(&path).map(|dir| dir.join("moto_server")))
    .find(|candidate| candidate.is_file())
}

fn start() -> Result<Moto, String> {
    let binary = moto_binary().ok_or(
        "moto_server not found: run `bash scripts/aws-test-setup.sh` first \
         (or set FACELENS_MOTO_SERVER to a moto_server binary)",
    )?;
    let endpoint = crate::test_server::launch(&binary, "moto", |port| {
        vec![
            "-H".into(),
            "127.0.0.1".into(),
            "-p".into(),
            port.to_string(),
        ]
    })?;
    Ok(Moto { endpoint })
}

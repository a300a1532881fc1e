//! A moto server (an AWS-compatible server) for tests, from `scripts/aws-test-setup.sh`.
//!
//! [`server`] starts one `moto_server` per test process on a free 127.0.0.1 port the first
//! time it is called; a small shell watchdog stops it when the test process ends. Tests stay
//! independent without resets: each makes its own table ([`Moto::table`]), secret name and
//! email addresses.

use crate::{Aws, DynamoDb};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use std::ffi::OsString;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The region the tests use.
pub const REGION: &str = "us-east-1";

/// Runs moto (`$1`, port `$2`) until the test process (`$3`) or moto itself ends.
const WATCHDOG: &str = r#"
"$1" -H 127.0.0.1 -p "$2" &
m=$!
trap 'kill "$m" 2>/dev/null' EXIT INT TERM
while kill -0 "$3" 2>/dev/null && kill -0 "$m" 2>/dev/null; do sleep 0.5; done
"#;

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

    /// Every email sent through SES so far (all tests of the process), read back from moto's
    /// `/moto-api/data.json`.
    ///
    /// # Panics
    /// When moto does not answer.
    pub async fn sent_emails(&self) -> Vec<SentEmail> {
        let data: serde_json::Value = reqwest::get(format!("{}/moto-api/data.json", self.endpoint))
            .await
            .expect("moto answers data.json")
            .json()
            .await
            .expect("data.json is JSON");
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

/// Where `moto_server` is: `$FACELENS_MOTO_SERVER`, the venv of `scripts/aws-test-setup.sh`,
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
    venv.map(|venv| venv.join("bin").join("moto_server"))
        .into_iter()
        .chain(std::env::split_paths(&path).map(|dir| dir.join("moto_server")))
        .find(|candidate| candidate.is_file())
}

fn start() -> Result<Moto, String> {
    let binary = moto_binary().ok_or(
        "moto_server not found: run `bash scripts/aws-test-setup.sh` first \
         (or set FACELENS_MOTO_SERVER to a moto_server binary)",
    )?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))?
        .port();
    let log_path = std::env::temp_dir().join(format!("facelens-moto-{port}.log"));
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("creating {}: {e}", log_path.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg("facelens-moto")
        .arg(&binary)
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(Moto {
                endpoint: format!("http://127.0.0.1:{port}"),
            });
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{} exited ({status}) before listening; see {}",
                binary.display(),
                log_path.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "{} did not listen on port {port} within 60 s; see {}",
        binary.display(),
        log_path.display()
    ))
}

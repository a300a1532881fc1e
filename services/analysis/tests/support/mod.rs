//! A deployed stack in miniature on the moto server: the table, the photo bucket notifying
//! the analysis queue (with its dead-letter queue), the alert topic, and the auth, uploads
//! and analyses functions' routers built as their cold starts build them.

#![allow(dead_code)]

use aws_lambda_events::event::sqs::SqsEvent;
use axum::Router;
use axum::body::Body;
use facelens_aws::moto::{Moto, Queues, Received};
use facelens_aws::{Aws, DynamoDb, S3Objects};
use facelens_core::secret::Secret;
use facelens_lambda::JwtSecretSource;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The first admin.
pub const ADMIN: (&str, &str) = ("admin", "correct horse battery");
/// The secret the auth function derives its signing key from; the other functions verify with
/// the public key it publishes in the table.
const JWT: &[u8] = b"an on-moto test secret of 32+ bytes!";
/// Receives before a message moves to the dead-letter queue.
pub const MAX_RECEIVES: u32 = 2;

/// The stack.
pub struct Stack {
    /// The moto server.
    pub moto: &'static Moto,
    /// Clients' configuration.
    pub aws: Aws,
    /// The table.
    pub table: DynamoDb,
    /// The photo bucket.
    pub bucket: S3Objects,
    /// The analysis queue and its dead letters.
    pub queues: Queues,
    /// The alert topic's ARN.
    pub topic: String,
    /// The auth function.
    pub auth: Router,
    /// The uploads function.
    pub uploads: Router,
    /// The analyses function.
    pub analyses: Router,
}

fn jwt() -> JwtSecretSource {
    JwtSecretSource::Value(Secret::new(JWT.to_vec()))
}

/// A new stack on fresh resources.
pub async fn stack() -> Stack {
    // The worker's warnings say why a message failed; show them with the test's output.
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let moto = facelens_aws::moto::server();
    let aws = moto.aws().await;
    let table = moto.table(&aws).await;
    let bucket = moto.bucket(&aws).await;
    let queues = moto.upload_queue(&aws, bucket.bucket(), MAX_RECEIVES).await;
    let topic = moto.topic(&aws).await;
    let sender = format!("{}@example.com", table.table_name());
    moto.verify_sender(&aws, &sender).await;

    let auth_config = facelens_auth::Config {
        storage: facelens_auth::Storage::DynamoDb {
            table_name: table.table_name().to_owned(),
            bucket_name: bucket.bucket().to_owned(),
        },
        public_url: "https://facelens.example.com".into(),
        mail_from: sender,
        jwt_secret: jwt(),
        first_admin: Some((
            ADMIN.0.into(),
            "admin@example.com".into(),
            Secret::new(ADMIN.1.into()),
        )),
        face_collection: None,
        admin_face_sign_in: false,
        sign_up: facelens_core::auth::SignUpPolicy::InviteOnly,
    };
    let auth = facelens_auth::app_on(&auth_config, Some(&aws))
        .await
        .expect("auth builds");
    let uploads = facelens_uploads::app(
        &facelens_uploads::Config {
            table_name: table.table_name().to_owned(),
            bucket_name: bucket.bucket().to_owned(),
            policy: Default::default(),
        },
        &aws,
    );
    let analyses = facelens_analysis::api::app(
        &facelens_analysis::api::Config {
            table_name: table.table_name().to_owned(),
            bucket_name: bucket.bucket().to_owned(),
            alert_topic_arn: Some(topic.clone()),
        },
        &aws,
    );
    Stack {
        moto,
        aws,
        table,
        bucket,
        queues,
        topic,
        auth,
        uploads,
        analyses,
    }
}

impl Stack {
    /// The worker's configuration for this stack.
    pub fn worker_config(&self) -> facelens_analysis::worker::Config {
        facelens_analysis::worker::Config {
            table_name: self.table.table_name().to_owned(),
            bucket_name: self.bucket.bucket().to_owned(),
            alert_topic_arn: self.topic.clone(),
            alert_below: 50.0,
            max_megapixels: 40,
            public_url: Some("https://facelens.example.com".into()),
            face_finder: facelens_analysis::worker::FaceFinderKind::Rekognition,
        }
    }

    /// Signs in and returns the token.
    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let (status, body) = call(
            &self.auth,
            "POST",
            "/api/auth/login",
            None,
            Some(json!({ "username": username, "password": password })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().expect("a token").to_owned()
    }

    /// Creates a user (as the admin) who sets a password through the emailed link and signs
    /// in; returns their token. Names must be unique per moto server (emails are global).
    pub async fn user(&self, name: &str) -> String {
        let admin = self.sign_in(ADMIN.0, ADMIN.1).await;
        let email = format!("{name}-{}@example.com", self.table.table_name());
        let (status, body) = call(
            &self.auth,
            "POST",
            "/api/users",
            Some(&admin),
            Some(json!({ "username": name, "email": email })),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let sent = self.moto.emails_to(&email).await;
        // The newest: a name deleted and created again gets a second welcome email.
        let link_token = sent
            .last()
            .and_then(|mail| mail.body.split("#/reset?token=").nth(1))
            .and_then(|rest| rest.split(['&', ' ', '\n', '\r']).next())
            .expect("a reset link in the welcome email")
            .to_owned();
        let password = "plum orchard lantern 42";
        let (status, body) = call(
            &self.auth,
            "POST",
            "/api/auth/reset",
            None,
            Some(json!({ "token": link_token, "purpose": "welcome", "newPassword": password })),
        )
        .await;
        assert_eq!(status, 204, "{body}");
        self.sign_in(name, password).await
    }

    /// The queue's messages as one Lambda SQS event.
    pub async fn next_batch(&self, visibility_seconds: i32) -> (SqsEvent, Vec<Received>) {
        let received = self
            .queues
            .receive(&self.queues.url, 2, visibility_seconds)
            .await;
        (sqs_event(&received), received)
    }
}

/// A Lambda SQS event holding `messages`.
pub fn sqs_event(messages: &[Received]) -> SqsEvent {
    let records: Vec<Value> = messages
        .iter()
        .map(|(id, receipt, body)| {
            json!({
                "messageId": id,
                "receiptHandle": receipt,
                "body": body,
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:facelens-analysis",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).expect("an SQS event")
}

/// One request through a router; the JSON body (`Null` when empty or not JSON).
pub async fn call(
    router: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut builder = axum::http::Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(json) => {
            builder = builder.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    send(router, from_client(builder.body(body).expect("request"))).await
}

/// `request` with the client address the Lambda adapter takes from API Gateway's request
/// context.
pub fn from_client(mut request: axum::http::Request<Body>) -> axum::http::Request<Body> {
    request
        .extensions_mut()
        .insert(facelens_api::client::ClientAddress(
            std::net::Ipv4Addr::new(192, 0, 2, 1).into(),
        ));
    request
}

/// Sends a prepared request through a router.
pub async fn send(router: &Router, request: axum::http::Request<Body>) -> (u16, Value) {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("router answers");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A face matcher for tests whose photos have no reference: being asked is a failure.
pub struct NoComparisons;

#[async_trait::async_trait]
impl facelens_pipeline::FaceMatcher for NoComparisons {
    async fn compare(
        &self,
        _reference: facelens_pipeline::StoredImage<'_>,
        photo: facelens_pipeline::StoredImage<'_>,
        _faces: &[facelens_pipeline::FoundFace],
    ) -> Result<
        Vec<Option<facelens_core::analysis::Likeness>>,
        facelens_core::analysis::ports::AnalyzeError,
    > {
        panic!(
            "no photo of this test has a reference, yet {} was compared",
            photo.key
        )
    }
}

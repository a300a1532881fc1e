//! What the auth Lambda's tests share: the function's router on the embedded store or on
//! moto-backed AWS adapters, and a way to call it.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use facelens_auth::{Config, JwtSecretSource, Storage, app_on};
use facelens_core::secret::Secret;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The first admin every test router starts with.
pub const ADMIN: (&str, &str) = ("admin", "correct horse battery");

/// Which adapters the function runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    /// The embedded database and outbox in a temp dir.
    Embedded,
    /// DynamoDB, SESv2 and Secrets Manager on the moto server.
    Aws,
}

/// The function's router, plus what must outlive it.
pub struct Function {
    /// The router, as the Lambda serves it.
    pub router: Router,
    /// With [`Backend::Embedded`], the data dir.
    pub dir: Option<tempfile::TempDir>,
    /// With [`Backend::Aws`], the unique table name (also the sender's local part).
    pub table: Option<String>,
}

/// Builds the function as its cold start would, on `backend`.
pub async fn function(backend: Backend) -> Function {
    let first_admin = Some((
        ADMIN.0.into(),
        "admin@example.com".into(),
        Secret::new(ADMIN.1.into()),
    ));
    match backend {
        Backend::Embedded => {
            let dir = tempfile::tempdir().expect("temp dir");
            let config = Config {
                storage: Storage::Embedded {
                    data_dir: dir.path().to_path_buf(),
                },
                public_url: "https://facelens.example.com".into(),
                mail_from: "Facelens <no-reply@example.com>".into(),
                jwt_secret: JwtSecretSource::Value(Secret::new(
                    b"an event-test secret of 32+ bytes!".to_vec(),
                )),
                first_admin,
                face_collection: None,
                admin_face_sign_in: false,
                sign_up: facelens_core::auth::SignUpPolicy::Open,
            };
            let router = app_on(&config, None).await.expect("app builds");
            Function {
                router,
                dir: Some(dir),
                table: None,
            }
        }
        Backend::Aws => {
            let moto = facelens_aws::moto::server();
            let aws = moto.aws().await;
            let table = moto.table(&aws).await.table_name().to_owned();
            let sender = format!("{table}@example.com");
            moto.verify_sender(&aws, &sender).await;
            let secret_arn = moto
                .create_secret(&aws, &table, "an event-test secret of 32+ bytes!")
                .await;
            let config = Config {
                storage: Storage::DynamoDb {
                    table_name: table.clone(),
                    bucket_name: moto.bucket(&aws).await.bucket().to_owned(),
                },
                public_url: "https://facelens.example.com".into(),
                mail_from: format!("Facelens <{sender}>"),
                jwt_secret: JwtSecretSource::SecretsManager(secret_arn),
                first_admin,
                face_collection: None,
                admin_face_sign_in: false,
                sign_up: facelens_core::auth::SignUpPolicy::Open,
            };
            let router = app_on(&config, Some(&aws)).await.expect("app builds");
            Function {
                router,
                dir: None,
                table: Some(table),
            }
        }
    }
}

/// Sends one request through the router; the body is JSON (`Null` when empty or not JSON).
pub async fn answer(router: &Router, request: axum::http::Request<Body>) -> (u16, Value) {
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

/// A JSON request, with a bearer token when given.
pub fn request(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> axum::http::Request<Body> {
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
    let mut request = builder.body(body).expect("request");
    // What the Lambda adapter takes from the API Gateway request context.
    request
        .extensions_mut()
        .insert(facelens_api::client::ClientAddress(
            std::net::Ipv4Addr::new(192, 0, 2, 1).into(),
        ));
    request
}

//! The auth Lambda: configuration from the environment, the adapters it names (DynamoDB, SESv2
//! and Secrets Manager on AWS; the embedded store otherwise), then the auth router under
//! `lambda_http` (API Gateway HTTP API and load balancer events).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    facelens_lambda::init_logging();
    let config = facelens_auth::Config::from_env()?;
    let router = facelens_auth::app(&config).await?;
    facelens_lambda::run(router).await
}

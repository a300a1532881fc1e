//! The uploads Lambda: configuration from the environment, S3 and DynamoDB adapters built once
//! per cold start, then the uploads router under `lambda_http` (API Gateway HTTP API and load
//! balancer events).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    facelens_lambda::init_logging();
    let config = facelens_uploads::Config::from_env()?;
    let aws = facelens_aws::Aws::from_env().await;
    let router = facelens_uploads::app(&config, &aws);
    facelens_lambda::run(router).await
}

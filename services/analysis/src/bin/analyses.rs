//! The analyses Lambda: results, history, deletion and the admins' alert list, on DynamoDB and
//! S3, under `lambda_http` (API Gateway HTTP API and load balancer events).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    facelens_lambda::init_logging();
    let config = facelens_analysis::api::Config::from_env()?;
    let aws = facelens_aws::Aws::from_env().await;
    let router = facelens_analysis::api::app(&config, &aws);
    facelens_lambda::run(router).await
}

//! The analysis worker Lambda: SQS batches of S3 `ObjectCreated` events; each photo analysed
//! once (Rekognition finds the faces, our ONNX classifier judges the masks), failures reported
//! per message so one bad photo does not retry the others.

use lambda_runtime::{LambdaEvent, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    facelens_lambda::init_logging();
    let config = facelens_analysis::worker::Config::from_env()?;
    let aws = facelens_aws::Aws::from_env().await;
    let process = Arc::new(facelens_analysis::worker::process_service(&config, &aws)?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<_>| {
        let process = Arc::clone(&process);
        async move {
            Ok::<_, lambda_runtime::Error>(
                facelens_analysis::worker::handle_batch(&process, event.payload).await,
            )
        }
    }))
    .await
}

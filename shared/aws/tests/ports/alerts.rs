//! `SnsAlerts` on moto: an alert whose publication failed after it was recorded is published
//! by the retried delivery, once; a throttled KMS key (`KMSThrottling`) is retried by the SDK.

use facelens_aws::moto;
use facelens_core::analysis::AnalysisId;
use facelens_core::analysis::ports::{Alert, AlertSink};
use facelens_core::domain::Username;
use time::OffsetDateTime;

fn alert() -> Alert {
    Alert {
        analysis_id: AnalysisId::new(),
        username: Username::parse("ann").expect("valid name"),
        created_at: OffsetDateTime::now_utc(),
        confidences: vec![41.4],
        message: "A face was detected with low confidence.".into(),
    }
}

#[tokio::test]
async fn given_a_failed_publish_when_the_delivery_is_retried_then_the_alert_is_sent_once() {
    let moto = moto::server();
    let aws = moto.aws().await;
    let table = moto.table(&aws).await;
    let topic = moto.topic(&aws).await;
    let alert = alert();

    // SNS refuses (no such topic) after the alert was recorded: the delivery fails...
    let missing = format!("{topic}-missing");
    let failing = aws.sns_alerts(&table, Some(missing), None);
    failing.raise(&alert).await.expect_err("publish fails");
    assert_eq!(failing.recent(10).await.expect("listed").len(), 1);

    // ...and the retried delivery publishes it, once, however often it is delivered again.
    let working = aws.sns_alerts(&table, Some(topic.clone()), None);
    for _ in 0..3 {
        working.raise(&alert).await.expect("raised");
    }
    let sent = moto.published(&topic).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].1.contains(&alert.analysis_id.to_string()));
    assert_eq!(working.recent(10).await.expect("listed").len(), 1);
}

/// An SNS reply in the query protocol (XML), as SNS sends it.
fn sns_reply(status: u16, body: &str) -> http::Response<aws_smithy_types::body::SdkBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(aws_smithy_types::body::SdkBody::from(body))
        .expect("a response")
}

#[tokio::test]
async fn given_a_throttled_kms_key_when_publishing_then_the_sdk_retries_it_as_throttling() {
    use aws_sdk_sns::config::retry::RetryConfig;
    use aws_sdk_sns::config::{BehaviorVersion, Credentials, Region};
    use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};

    let moto = moto::server();
    let aws = moto.aws().await;
    let table = moto.table(&aws).await;
    // SNS's answer when the topic's KMS key is throttled (its documented
    // `KMSThrottlingException`, in the query protocol's error shape), then a success.
    let throttled = r#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>KMSThrottling</Code><Message>The request was denied due to request throttling. Rate exceeded.</Message></Error><RequestId>9f3c1a2b-4d5e-4f60-8a7b-1c2d3e4f5a6b</RequestId></ErrorResponse>"#;
    let published = r#"<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult><ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>"#;
    let request = || {
        http::Request::builder()
            .uri("https://sns.eu-west-1.amazonaws.com/")
            .body(aws_smithy_types::body::SdkBody::empty())
            .expect("a request")
    };
    let http = StaticReplayClient::new(vec![
        ReplayEvent::new(request(), sns_reply(400, throttled)),
        ReplayEvent::new(request(), sns_reply(200, published)),
    ]);
    let sns = aws_sdk_sns::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http.clone())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "test"))
        .retry_config(
            RetryConfig::standard().with_initial_backoff(std::time::Duration::from_millis(1)),
        );
    let alerts = facelens_aws::SnsAlerts::with_sns_config(
        table,
        sns,
        Some("arn:aws:sns:eu-west-1:123456789012:alerts".into()),
        None,
    );
    alerts
        .raise(&alert())
        .await
        .expect("published on the retry");
    assert_eq!(
        http.actual_requests().count(),
        2,
        "one throttled, one retry"
    );
}

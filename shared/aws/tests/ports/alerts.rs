//! `SnsAlerts` on moto: an alert whose publication failed after it was recorded is published
//! by the retried delivery, once.

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

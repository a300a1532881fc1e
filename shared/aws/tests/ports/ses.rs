//! `Mailer` on SESv2, read back from what moto recorded as sent.

use facelens_aws::moto;
use facelens_core::domain::Email;
use facelens_core::ports::{Mailer, OutgoingEmail};
use uuid::Uuid;

fn unique_address(label: &str) -> String {
    format!("{label}-{}@example.com", Uuid::new_v4().simple())
}

#[tokio::test]
async fn given_a_verified_sender_when_sending_then_ses_records_the_email() {
    let moto = moto::server();
    let aws = moto.aws().await;
    let sender = unique_address("no-reply");
    moto.verify_sender(&aws, &sender).await;
    let mailer = aws
        .ses_mailer(&format!("Facelens <{sender}>"))
        .expect("sender accepted");
    let to = unique_address("ivy");

    mailer
        .send(&OutgoingEmail {
            to: Email::parse(&to).expect("valid"),
            subject: "Your Facelens account".into(),
            text: "Hello ivy,\n\nOne-time password: x y z — é\n".into(),
        })
        .await
        .expect("sent");

    let sent = moto.emails_to(&to).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].from, format!("Facelens <{sender}>"));
    assert_eq!(sent[0].subject, "Your Facelens account");
    assert_eq!(sent[0].body, "Hello ivy,\n\nOne-time password: x y z — é\n");
}

#[tokio::test]
async fn given_an_unverified_sender_when_sending_then_a_mail_error_and_nothing_sent() {
    let moto = moto::server();
    let aws = moto.aws().await;
    let mailer = aws
        .ses_mailer(&unique_address("unverified"))
        .expect("sender accepted");
    let to = unique_address("jo");

    let err = mailer
        .send(&OutgoingEmail {
            to: Email::parse(&to).expect("valid"),
            subject: "Reset".into(),
            text: "link".into(),
        })
        .await
        .expect_err("refused");

    assert!(err.0.contains("SES SendEmail"), "{err}");
    assert!(
        !err.0.contains('@'),
        "the error is logged, so it names no address: {err}"
    );
    assert!(moto.emails_to(&to).await.is_empty());
}

#[tokio::test]
async fn given_a_sender_that_is_not_an_address_when_building_the_mailer_then_refused() {
    let aws = moto::server().aws().await;
    for bad in [
        "",
        "Facelens",
        "Facelens <nobody>",
        "a@b.com\r\nBcc: x@y.com",
    ] {
        assert!(aws.ses_mailer(bad).is_err(), "{bad:?} should be refused");
    }
}

//! Account emails through SESv2 `SendEmail`, as plain text.

use async_trait::async_trait;
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use facelens_core::ports::{MailError, Mailer, OutgoingEmail};

/// Sends emails from one verified SES identity.
#[derive(Clone, Debug)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
}

impl SesMailer {
    /// Checks the sender (`address` or `Name <address>`, one line).
    pub(crate) fn new(client: aws_sdk_sesv2::Client, from: &str) -> Result<Self, MailError> {
        let from = from.trim();
        let address = match from.rsplit_once('<') {
            Some((_, rest)) => rest.strip_suffix('>').unwrap_or_default(),
            None => from,
        };
        let plausible = address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains(['<', '>', '@'])
        });
        if !plausible || from.chars().any(char::is_control) {
            return Err(MailError(format!(
                "sender {from:?} is not an email address"
            )));
        }
        Ok(Self {
            client,
            from: from.to_owned(),
        })
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let utf8 = |text: &str| {
            Content::builder()
                .data(text)
                .charset("UTF-8")
                .build()
                .map_err(|e| MailError(e.to_string()))
        };
        let message = Message::builder()
            .subject(utf8(&email.subject)?)
            .body(Body::builder().text(utf8(&email.text)?).build())
            .build();
        let sent = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(email.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| MailError(format!("SES SendEmail: {}", DisplayErrorContext(e))))?;
        tracing::info!(message_id = sent.message_id(), "email handed to SES");
        Ok(())
    }
}

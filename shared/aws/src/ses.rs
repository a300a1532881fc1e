//! Account emails through SESv2 `SendEmail`, as plain text.

use async_trait::async_trait;
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata};
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
            .map_err(|e| {
                // SES's own code and message, not the raw answer the SDK's error carries.
                let text = match e.as_service_error() {
                    Some(refused) => format!(
                        "{}: {}",
                        refused.code().unwrap_or("unknown"),
                        refused.message().unwrap_or_default()
                    ),
                    None => DisplayErrorContext(&e).to_string(),
                };
                MailError(format!("SES SendEmail: {}", without_addresses(&text)))
            })?;
        tracing::info!(message_id = sent.message_id(), "email handed to SES");
        Ok(())
    }
}

/// `text` with each word that holds an `@` replaced by `<address>`. SES names the sender and
/// the recipients in its refusals ("... failed the check in region ...: jo@example.com"), and
/// a mail error is logged: logs never hold an email address.
fn without_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.contains('@') {
                "<address>"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::without_addresses;

    #[test]
    fn a_refusal_of_ses_loses_its_addresses_and_keeps_its_reason() {
        let sandbox = "MessageRejected: Email address is not verified. The following identities \
                       failed the check in region EU-WEST-1: jo@example.com, Facelens <no-reply@example.org>";
        let text = without_addresses(sandbox);
        assert!(!text.contains('@'), "{text}");
        assert!(
            text.starts_with("MessageRejected: Email address is not verified."),
            "{text}"
        );
        assert_eq!(
            without_addresses("Throttling: Maximum sending rate exceeded."),
            "Throttling: Maximum sending rate exceeded."
        );
    }
}

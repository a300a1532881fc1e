//! The email outbox: each message becomes an `.eml` file, which a person (or a test) opens.

use async_trait::async_trait;
use facelens_core::ports::{MailError, Mailer, OutgoingEmail};
use lettre::message::header::ContentTransferEncoding;
use lettre::message::header::ContentType;
use lettre::message::{Body, Mailbox};
use lettre::{FileTransport, Message, Transport};
use std::path::{Path, PathBuf};

/// Writes emails as `<id>.eml` files into a folder.
#[derive(Debug, Clone)]
pub struct FileOutbox {
    dir: PathBuf,
    from: Mailbox,
}

impl FileOutbox {
    /// Creates the folder if needed.
    ///
    /// # Errors
    /// [`MailError`] when the folder cannot be made or `from` is not a mailbox.
    pub fn new(dir: &Path, from: &str) -> Result<Self, MailError> {
        std::fs::create_dir_all(dir).map_err(|e| MailError(format!("outbox folder: {e}")))?;
        let from = from
            .parse()
            .map_err(|e| MailError(format!("sender address: {e}")))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            from,
        })
    }
}

#[async_trait]
impl Mailer for FileOutbox {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let to: Mailbox = email
            .to
            .as_str()
            .parse()
            .map_err(|e| MailError(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(readable_body(&email.text))
            .map_err(|e| MailError(e.to_string()))?;
        let transport = FileTransport::new(&self.dir);
        tokio::task::spawn_blocking(move || transport.send(&message).map(|_| ()))
            .await
            .map_err(|e| MailError(e.to_string()))?
            .map_err(|e| MailError(e.to_string()))
    }
}

/// Plain 7-bit text when the body allows it, so the `.eml` files read as written; otherwise
/// lettre's choice of encoding.
fn readable_body(text: &str) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    Body::new_with_encoding(crlf, ContentTransferEncoding::SevenBit).unwrap_or_else(Body::new)
}

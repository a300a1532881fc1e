//! Secrets from Secrets Manager, read once at cold start.

use crate::Aws;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use facelens_core::secret::Secret;

/// A secret could not be read. The text names the secret and the cause, never the value.
#[derive(Debug, thiserror::Error)]
#[error("secret not read: {0}")]
pub struct SecretError(pub String);

impl Aws {
    /// Reads the current value of the secret `id` (name or ARN): its text, or its binary value
    /// when it has no text.
    ///
    /// # Errors
    /// [`SecretError`] when the secret cannot be read or is empty.
    pub async fn read_secret(&self, id: &str) -> Result<Secret<Vec<u8>>, SecretError> {
        let client = aws_sdk_secretsmanager::Client::new(self.sdk());
        let out = client
            .get_secret_value()
            .secret_id(id)
            .send()
            .await
            .map_err(|e| SecretError(format!("{id}: {}", DisplayErrorContext(e))))?;
        let bytes = match (out.secret_string, out.secret_binary) {
            (Some(text), _) => text.into_bytes(),
            (None, Some(blob)) => blob.into_inner(),
            (None, None) => Vec::new(),
        };
        if bytes.is_empty() {
            return Err(SecretError(format!("{id}: the secret has no value")));
        }
        Ok(Secret::new(bytes))
    }
}

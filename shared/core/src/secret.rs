//! A wrapper for secrets that cannot be printed by accident.

use std::fmt;

/// Bytes or text that must never reach a log: `Debug` prints `[redacted]`.
#[derive(Clone)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// Reads the secret; call sites are easy to audit with a search for `expose`.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

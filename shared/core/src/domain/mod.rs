//! Domain types. Each newtype validates on construction, so an invalid value cannot reach a use
//! case or an adapter.

mod common_passwords;
mod email;
mod password;
mod role;
mod user;
mod username;

pub use email::Email;
pub use password::NewPassword;
pub use role::Role;
pub use user::{ApiToken, User, UserView};
pub use username::Username;

/// Why a value was refused; the message is safe to show to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValidationError(pub String);

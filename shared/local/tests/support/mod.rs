//! Fixtures the embedded store's tests share.

use facelens_core::domain::{Email, Role, User, Username};
use time::OffsetDateTime;

/// A user account named `name` with a placeholder hash (the stores never look inside it).
pub fn account(name: &str) -> User {
    User {
        api_tokens: Vec::new(),
        id: uuid::Uuid::new_v4(),
        username: Username::parse(name).expect("name"),
        email: Email::parse(&format!("{name}@example.com")).expect("email"),
        role: Role::User,
        password_hash: "placeholder".into(),
        token_version: 0,
        must_change_password: false,
        awaiting_confirmation: false,
        created_at: OffsetDateTime::now_utc(),
    }
}

//! Embedded adapters for running Facelens on a laptop with no AWS account: one redb database
//! file (ACID, single writer) holds what DynamoDB holds on AWS, with the same keys, and emails
//! land as `.eml` files in an outbox folder.

mod audit;
mod db;
mod outbox;
mod tokens;
mod users;

pub use db::LocalDb;
pub use outbox::FileOutbox;

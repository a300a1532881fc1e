//! The single DynamoDB table of `docs/architecture.md` ("Table design"): accounts, one-time
//! tokens, the sign-in audit, throttle counters, the public keys of access tokens, analysis
//! records, pending purges, which collection face is whose, and the live check's sessions. Every key is built in [`keys`]; items are plain attributes,
//! read back through [`item`], so the table reads well in the console.

mod analyses;
mod audit;
mod faces;
mod item;
pub mod keys;
mod live;
mod purges;
mod restore;
mod signing_keys;
mod throttle;
mod tokens;
mod transact;
mod users;

pub use faces::FaceRecord;
pub use restore::CopyReport;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use facelens_core::auth::AuthPorts;
use facelens_core::ports::{Mailer, PasswordHasher, StoreError};
use std::sync::Arc;

/// The users, tokens and audit store on one DynamoDB table. Cheap to clone: every clone shares
/// one SDK client.
#[derive(Clone, Debug)]
pub struct DynamoDb {
    pub(crate) client: Client,
    pub(crate) table: Arc<str>,
}

impl DynamoDb {
    /// An adapter on `table` through `client`.
    pub(crate) fn new(client: Client, table: String) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The table's name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// The auth ports with this table as users, tokens, audit and throttle store, and the
    /// system clock.
    pub fn auth_ports(
        &self,
        mailer: Arc<dyn Mailer>,
        hasher: Arc<dyn PasswordHasher>,
    ) -> AuthPorts {
        AuthPorts::on_store(Arc::new(self.clone()), mailer, hasher)
    }

    /// The SDK client, for the test harness (creating tables).
    #[cfg(feature = "test-support")]
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }
}

/// Maps an SDK or build error to [`StoreError::Unavailable`], keeping the whole cause chain
/// for the log.
pub(crate) fn unavailable<E: std::error::Error>(operation: &str, err: E) -> StoreError {
    StoreError::Unavailable(format!(
        "DynamoDB {operation}: {}",
        DisplayErrorContext(err)
    ))
}

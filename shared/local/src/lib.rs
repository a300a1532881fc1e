//! Embedded adapters for running Facelens on a laptop with no AWS account: one redb database
//! file (ACID, single writer) holds what DynamoDB holds on AWS, with the same keys, and emails
//! land as `.eml` files in an outbox folder.

mod alerts;
mod analyses;
mod audit;
mod check;
mod db;
mod durable;
mod faces;
mod live;
mod objects;
mod outbox;
mod purges;
mod queue;
mod snapshot;
mod throttle;
mod tokens;
mod users;
mod writer;

pub use check::DbCheck;
pub use db::LocalDb;
pub use faces::{FACE_KEY_LEN, SealedFaces};
pub use objects::{LocalObjects, PARTIAL_DIR, SignatureError, SignedAccess};
pub use outbox::FileOutbox;
pub use queue::{Claim, Job, MAX_ATTEMPTS, MAX_CRASHES};

use facelens_core::auth::AuthPorts;
use facelens_core::ports::{Mailer, PasswordHasher};
use std::sync::Arc;

impl LocalDb {
    /// The auth ports with this database as users, tokens, audit and throttle store, and the
    /// system clock.
    pub fn auth_ports(
        &self,
        mailer: Arc<dyn Mailer>,
        hasher: Arc<dyn PasswordHasher>,
    ) -> AuthPorts {
        AuthPorts::on_store(Arc::new(self.clone()), mailer, hasher)
    }
}

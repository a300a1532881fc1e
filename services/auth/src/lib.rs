//! The auth Lambda's wiring: configuration read once at cold start ([`Config`]), the adapters
//! it names, and the auth router ([`app`]).
//!
//! Two modes, chosen by the environment:
//!
//! - **AWS** (`FACELENS_TABLE_NAME` set, as `infra/` deploys it): accounts, one-time tokens
//!   and the sign-in audit in that DynamoDB table, emails through SESv2 from
//!   `FACELENS_MAIL_FROM`, links to `FACELENS_PUBLIC_URL`, the token signing secret read
//!   from Secrets Manager at `FACELENS_JWT_SECRET_ARN` (the Ed25519 signing key is derived
//!   from it; its public half is published in the table for the other functions), and the photos of deleted accounts erased from the
//!   bucket `FACELENS_BUCKET_NAME`. Region, credentials and `AWS_ENDPOINT_URL` come from
//!   the standard AWS configuration chain, so the same binary runs against a local
//!   AWS-compatible server.
//! - **Embedded** (no `FACELENS_TABLE_NAME`, builds with the `embedded` feature only): the
//!   embedded database and an `.eml` outbox under `FACELENS_DATA_DIR` (default
//!   `/tmp/facelens`), so `cargo lambda watch --features embedded` runs with no AWS account.
//!   On AWS that directory would be the sandbox's `/tmp` and would not persist; the deployed
//!   zip is built without it (redb and lettre would make it larger).
//!
//! In both modes `FACELENS_JWT_SECRET` (32 bytes or more) may give the secret directly instead of
//! `FACELENS_JWT_SECRET_ARN`, and `FACELENS_ADMIN_PASSWORD` (with `FACELENS_ADMIN_USERNAME`,
//! default `admin`, and `FACELENS_ADMIN_EMAIL`) creates the first admin at cold start when
//! there is no account. On AWS the `auth-admin` binary is the better way to do that, since
//! it keeps the password out of the function's configuration.

mod admin;
mod app;
mod config;

pub use admin::create_first_admin;
pub use app::{app, app_on};
pub use config::{Config, JwtSecretSource, Storage};

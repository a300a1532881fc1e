//! Facelens core: the domain (validated types), the ports that adapters implement, and the use
//! cases that drive them. Nothing in this crate does IO; adapters live in `facelens-local` and
//! `facelens-aws`, HTTP in `facelens-api`.

pub mod analysis;
pub mod auth;
pub mod clock;
pub mod domain;
pub mod faces;
pub mod live;
pub mod metrics;
pub mod ports;
pub mod secret;

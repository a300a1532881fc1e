//! The Facelens HTTP API. Each service has one `router(state)`; the Lambda mains run it under
//! `lambda_http`, and the local server nests all of them in one axum server, so the same code
//! answers API Gateway, the load balancer and localhost.

pub mod analyses;
pub mod auth;
pub mod client;
pub mod error;
pub mod extract;
pub mod hashing;
pub mod json;
pub mod layers;
pub mod live;
pub mod openapi;
pub mod uploads;

pub use error::{ApiError, ErrorBody};

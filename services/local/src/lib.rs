//! The local Facelens server: every service's router on one axum server, embedded adapters
//! under a data directory, and the web client.

pub mod analyze;
pub mod app;
pub mod check;
pub mod cli;
pub mod compare;
pub mod faces;
pub mod metrics;
pub mod models;
pub mod objects;
pub mod secrets;
pub mod serve;
pub mod web;
pub mod worker;

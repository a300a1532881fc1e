//! The local Facelens server: every service's router on one axum server, embedded adapters
//! under a data directory, and the web client.

pub mod analyze;
pub mod app;
pub mod backup;
pub mod backup_route;
pub mod check;
pub mod cli;
pub mod compare;
pub mod faces;
pub mod metrics;
pub mod models;
pub mod object_routes;
pub mod openapi;
pub mod operator;
pub mod secrets;
pub mod serve;
pub mod users;
pub mod web;
pub mod worker;

//! The client's address, for throttling and the sign-in audit.
//!
//! It is taken from what the server itself knows, never from a header the client can set:
//! locally the TCP peer (`ConnectInfo`); on AWS the Lambda adapter puts a [`ClientAddress`]
//! into the request from the API Gateway request context (`sourceIp`) or the address the load
//! balancer appended last to `X-Forwarded-For`.

use crate::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

/// The address the request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(address) = parts.extensions.get::<ClientAddress>() {
            return Ok(*address);
        }
        if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            return Ok(ClientAddress(peer.ip()));
        }
        // A deployment that does not say where requests come from cannot throttle them.
        Err(ApiError::internal(
            "no client address: serve with connect info or through the Lambda adapter",
        ))
    }
}

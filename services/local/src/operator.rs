//! Who may use the operator's routes (`/metrics`, `/api/admin/backup`): a process on this
//! machine (the server listens on 127.0.0.1 only), or an admin's token for a request that came
//! through a proxy (it carries `X-Forwarded-For` or `Forwarded`) or from elsewhere.

use axum::http::HeaderMap;
use facelens_api::ApiError;
use facelens_api::extract::SignedIn;
use facelens_core::domain::Role;
use std::net::IpAddr;

/// Lets the request through when it comes straight from this machine or from an admin.
///
/// # Errors
/// The token check's error, or 403 for a signed-in user who is not an admin.
pub fn require_operator(
    client: IpAddr,
    headers: &HeaderMap,
    caller: Result<SignedIn, ApiError>,
) -> Result<(), ApiError> {
    let proxied = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    if client.is_loopback() && !proxied {
        return Ok(());
    }
    let SignedIn(user) = caller?;
    if user.role != Role::Admin {
        return Err(facelens_core::auth::AuthError::Forbidden.into());
    }
    Ok(())
}

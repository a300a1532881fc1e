//! Layers every service shares: request ids, tracing spans, the JSON 404 and 405.

use crate::ApiError;
use axum::Router;
use axum::http::{HeaderName, StatusCode};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Adds request ids (kept from the caller or made up) and a tracing span per request, which
/// also names the signed-in account's id once the token is checked.
pub fn observed(router: Router) -> Router {
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                // `account` is filled in by the token check (`SignedIn`): the account id, never a
                // name, an email or the token.
                tracing::info_span!(
                    "request",
                    method = %req.method(),
                    path = %req.uri().path(),
                    request_id = %id,
                    account = tracing::field::Empty,
                )
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// The answer for paths no route serves.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

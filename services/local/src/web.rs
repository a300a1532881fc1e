//! The web client: static files from the built client, `index.html` for anything else that is
//! not an API path, and the security headers the browser should enforce.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The browser features the client may use: the camera (face enrolment and face sign-in) from
/// our own origin only; no microphone, location, payment, USB or sensors for anyone.
pub const PERMISSIONS_POLICY: &str = "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), \
     accelerometer=(), gyroscope=(), magnetometer=()";

/// The Content-Security-Policy: everything from our own origin; images also from blobs (the
/// preview of a picked file) and from signed object URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' blob: data: https:; \
     connect-src 'self' https:; style-src 'self'; script-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'";

/// Mounts the client (when built) behind the API routes and adds the security headers.
pub fn with_client(api: Router, web_dir: &Path) -> Router {
    let api_fallback = Router::new().fallback(facelens_api::layers::not_found);
    let router = api.nest("/api", api_fallback);
    let router = if web_dir.join("index.html").is_file() {
        router.fallback_service(
            ServeDir::new(web_dir).fallback(ServeFile::new(web_dir.join("index.html"))),
        )
    } else {
        router.fallback(facelens_api::layers::not_found)
    };
    let headers: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (
            HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

//! The web client: static files from the built client, `index.html` for anything else that is
//! not an API path, and the security headers the browser should enforce.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use std::path::Path;
use tower::ServiceBuilder;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The browser features the client may use: the camera (face enrolment and face sign-in) from
/// our own origin only; no microphone, location, payment, USB or sensors for anyone.
pub const PERMISSIONS_POLICY: &str = "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), \
     accelerometer=(), gyroscope=(), magnetometer=()";

/// The Content-Security-Policy: everything from our own origin; images also from blobs (the
/// preview of a picked file) and from signed object URLs; WebAssembly compiled from our own
/// files (`'wasm-unsafe-eval'`: the live check's ONNX runtime; no JavaScript `eval`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' blob: data: https:; \
     connect-src 'self' https:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Files under `/assets/` have a hash of their content in their name: cached for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Mounts the client (when built) behind the API routes and adds the security headers.
pub fn with_client(api: Router, web_dir: &Path) -> Router {
    let api_fallback = Router::new().fallback(facelens_api::layers::not_found);
    let router = api.nest("/api", api_fallback);
    let router = if web_dir.join("index.html").is_file() {
        let assets = ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(IMMUTABLE),
            ))
            .service(ServeDir::new(web_dir.join("assets")).precompressed_gzip());
        router.nest_service("/assets", assets).fallback_service(
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{HeaderMap, Request, StatusCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn client_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("index.html"), "<!doctype html>").expect("index");
        std::fs::create_dir(dir.path().join("assets")).expect("assets");
        std::fs::write(dir.path().join("assets/ort-1a2b.wasm"), b"\0asm raw").expect("wasm");
        std::fs::write(dir.path().join("assets/ort-1a2b.wasm.gz"), b"gzipped").expect("gz");
        dir
    }

    async fn get(router: Router, path: &str, gzip: bool) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut request = Request::get(path);
        if gzip {
            request = request.header(header::ACCEPT_ENCODING, "gzip, br");
        }
        let response = router
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("answer");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes().to_vec();
        (parts.status, parts.headers, bytes)
    }

    #[tokio::test]
    async fn hashed_assets_are_cached_for_good_and_the_runtime_goes_out_gzipped() {
        let dir = client_dir();
        let router = with_client(Router::new(), dir.path());
        let (status, headers, body) = get(router.clone(), "/assets/ort-1a2b.wasm", true).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, b"gzipped");
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(headers[header::CACHE_CONTROL], IMMUTABLE);
        assert!(
            headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .is_ok_and(|csp| csp.contains("script-src 'self' 'wasm-unsafe-eval';"))
        );

        let (_, headers, body) = get(router.clone(), "/assets/ort-1a2b.wasm", false).await;
        assert_eq!(
            (body.as_slice(), headers.get(header::CONTENT_ENCODING)),
            (&b"\0asm raw"[..], None)
        );

        // A missing asset is a 404, not the app's page; other paths still get the app.
        let (status, _, _) = get(router.clone(), "/assets/gone-9f9f.js", false).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, headers, body) = get(router, "/live", false).await;
        assert_eq!(
            (status, body.as_slice()),
            (StatusCode::OK, &b"<!doctype html>"[..])
        );
        assert!(headers.get(header::CACHE_CONTROL).is_none());
    }
}

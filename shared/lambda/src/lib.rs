//! Serving a Facelens router as an AWS Lambda. One binary answers API Gateway HTTP API (v2)
//! events and Application Load Balancer events; `lambda_http` turns both into `http::Request`s.
//! [`s3_event`] reads the S3 notifications the analysis worker receives through SQS.

#[cfg(feature = "aws")]
mod aws_api;
pub mod emf;
mod host_guard;
pub mod s3_event;

#[cfg(feature = "aws")]
pub use aws_api::{JwtSecretSource, required, token_checks};
pub use host_guard::{HostGuard, drop_unusable_host};

use axum::Router;
use facelens_api::client::ClientAddress;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use std::net::IpAddr;
use std::sync::OnceLock;
use tower::ServiceBuilder;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// JSON logs to stdout (CloudWatch), no ANSI colours, filtered by `RUST_LOG` as a list of
/// `target=level` or `level` directives (default `info`; an unreadable value also gives
/// `info`). A `Targets` filter rather than `EnvFilter`: the same directives minus span and
/// field matching, without linking a regex engine into every function.
pub fn init_logging() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(false)
                .with_ansi(false)
                .without_time()
                .with_filter(filter),
        )
        .init();
}

/// Takes an API Gateway stage out of the path. For a stage other than `$default` the path
/// `lambda_http` hands over starts with `/{stage}` (`/prod/api/me`); our routes know only
/// `/api/...`. Load balancer requests and the `$default` stage pass unchanged.
pub fn without_stage(mut request: Request) -> Request {
    let stage = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.stage.clone(),
        _ => None,
    };
    let Some(stage) = stage.filter(|stage| stage != "$default") else {
        return request;
    };
    let prefix = format!("/{stage}");
    let Some(rest) = request.uri().path().strip_prefix(&prefix) else {
        return request;
    };
    if !rest.starts_with('/') {
        return request;
    }
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };
    let mut parts = request.uri().clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = lambda_http::http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// The header CloudFront adds to every request it forwards to the API, carrying the value of
/// [`ORIGIN_SECRET_ENV`]: proof that the request came through the distribution.
pub const ORIGIN_SECRET_HEADER: &str = "x-facelens-origin";
/// The header CloudFront's viewer-request function sets to the viewer's address (replacing any
/// value the client sent).
pub const VIEWER_ADDRESS_HEADER: &str = "x-facelens-viewer";
/// The environment variable holding the value of [`ORIGIN_SECRET_HEADER`].
pub const ORIGIN_SECRET_ENV: &str = "FACELENS_ORIGIN_SECRET";

/// Puts the client's address into the request as a [`ClientAddress`] (see [`client_address`]),
/// trusting CloudFront's viewer address when [`ORIGIN_SECRET_ENV`] is set and the request
/// carries it.
pub fn with_client_address(mut request: Request) -> Request {
    static ORIGIN_SECRET: OnceLock<Option<String>> = OnceLock::new();
    let secret =
        ORIGIN_SECRET.get_or_init(|| setting(&|name| std::env::var(name).ok(), ORIGIN_SECRET_ENV));
    if let Some(address) = client_address(&request, secret.as_deref()) {
        request.extensions_mut().insert(ClientAddress(address));
    }
    request
}

/// A non-blank setting.
pub fn setting(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.trim().is_empty())
}

/// The client's address, from what the front door vouches for:
/// - through CloudFront (the browser's way in), every request reaches API Gateway from an
///   edge server, so `sourceIp` is CloudFront's; the viewer's address is then taken from
///   [`VIEWER_ADDRESS_HEADER`], but only when the request also carries `origin_secret` in
///   [`ORIGIN_SECRET_HEADER`], which CloudFront adds and a caller of the API's own URL cannot
///   know;
/// - otherwise API Gateway's `requestContext.http.sourceIp`;
/// - for the load balancer, the last address of `X-Forwarded-For` (the one the load balancer
///   itself appended; earlier ones were sent by the client and prove nothing).
///
/// `None` when there is none of these: the routes that need an address then answer 500 rather
/// than trust a header.
pub fn client_address(request: &Request, origin_secret: Option<&str>) -> Option<IpAddr> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            let through_cloudfront = origin_secret.is_some_and(|secret| {
                request
                    .headers()
                    .get(ORIGIN_SECRET_HEADER)
                    .is_some_and(|sent| same_secret(sent.as_bytes(), secret.as_bytes()))
            });
            let viewer = through_cloudfront
                .then(|| request.headers().get(VIEWER_ADDRESS_HEADER))
                .flatten()
                .and_then(|value| value.to_str().ok())
                .and_then(|ip| ip.trim().parse::<IpAddr>().ok());
            viewer.or_else(|| {
                context
                    .http
                    .source_ip
                    .as_deref()
                    .and_then(|ip| ip.parse::<IpAddr>().ok())
            })
        }
        Some(RequestContext::Alb(_)) => request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|value| value.to_str().ok())
            .and_then(|list| list.rsplit(',').next())
            .and_then(|ip| ip.trim().parse::<IpAddr>().ok()),
        _ => None,
    }
}

/// Compares two secrets in time that depends on their lengths only.
fn same_secret(sent: &[u8], expected: &[u8]) -> bool {
    sent.len() == expected.len()
        && sent
            .iter()
            .zip(expected)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Runs the router under the Lambda runtime until the sandbox is shut down.
///
/// # Errors
/// When the runtime API cannot be reached.
pub async fn run(router: Router) -> Result<(), lambda_http::Error> {
    let service = ServiceBuilder::new()
        .map_request(without_stage)
        .map_request(with_client_address)
        .service(router);
    // Not `lambda_http::run`: the guard must see each event before `lambda_http` converts it.
    lambda_http::lambda_runtime::run(HostGuard(lambda_http::Adapter::from(service))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_stage_is_taken_out_of_the_path() {
        let event = r#"{
            "version": "2.0", "routeKey": "$default", "rawPath": "/prod/api/me", "rawQueryString": "a=1",
            "headers": {"host": "x.execute-api.eu-west-1.amazonaws.com"},
            "requestContext": {"accountId": "1", "apiId": "x", "domainName": "x.execute-api.eu-west-1.amazonaws.com",
              "domainPrefix": "x", "http": {"method": "GET", "path": "/prod/api/me", "protocol": "HTTP/1.1",
              "sourceIp": "203.0.113.1", "userAgent": "t"}, "requestId": "r", "routeKey": "$default",
              "stage": "prod", "time": "22/Nov/2026:00:00:00 +0000", "timeEpoch": 1795305600000},
            "isBase64Encoded": false
        }"#;
        let request = lambda_http::request::from_str(event).expect("event parses");
        assert_eq!(
            request.uri().path(),
            "/prod/api/me",
            "the stage arrives in the path"
        );
        let request = without_stage(request);
        assert_eq!(request.uri().path(), "/api/me");
        assert_eq!(request.uri().query(), Some("a=1"));
    }

    fn client_of(event: &str) -> Option<ClientAddress> {
        let request = lambda_http::request::from_str(event).expect("event parses");
        with_client_address(request)
            .extensions()
            .get::<ClientAddress>()
            .copied()
    }

    #[test]
    fn api_gateway_gives_the_source_ip_of_its_context_not_a_header() {
        let event = r#"{
            "version": "2.0", "routeKey": "$default", "rawPath": "/api/auth/login", "rawQueryString": "",
            "headers": {"host": "x", "x-forwarded-for": "198.51.100.9"},
            "requestContext": {"accountId": "1", "apiId": "x", "domainName": "x", "domainPrefix": "x",
              "http": {"method": "POST", "path": "/api/auth/login", "protocol": "HTTP/1.1",
              "sourceIp": "203.0.113.1", "userAgent": "t"}, "requestId": "r", "routeKey": "$default",
              "stage": "$default", "time": "22/Nov/2026:00:00:00 +0000", "timeEpoch": 1795305600000},
            "isBase64Encoded": false
        }"#;
        assert_eq!(
            client_of(event),
            Some(ClientAddress("203.0.113.1".parse().expect("ip")))
        );
    }

    fn through_cloudfront(secret: &str, viewer: &str) -> Request {
        let event = format!(
            r#"{{
            "version": "2.0", "routeKey": "$default", "rawPath": "/api/auth/login", "rawQueryString": "",
            "headers": {{"host": "x", "x-facelens-origin": "{secret}", "x-facelens-viewer": "{viewer}"}},
            "requestContext": {{"accountId": "1", "apiId": "x", "domainName": "x", "domainPrefix": "x",
              "http": {{"method": "POST", "path": "/api/auth/login", "protocol": "HTTP/1.1",
              "sourceIp": "130.176.1.1", "userAgent": "t"}}, "requestId": "r", "routeKey": "$default",
              "stage": "$default", "time": "22/Nov/2026:00:00:00 +0000", "timeEpoch": 1795305600000}},
            "isBase64Encoded": false
        }}"#
        );
        lambda_http::request::from_str(&event).expect("event parses")
    }

    #[test]
    fn through_cloudfront_the_viewer_address_counts_only_with_the_origin_secret() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().expect("ip"));
        let secret = "a-long-random-origin-secret";
        let request = through_cloudfront(secret, "198.51.100.23");
        assert_eq!(client_address(&request, Some(secret)), ip("198.51.100.23"));
        // A caller of the API's own URL cannot name an address: without the right secret
        // (or with none configured) the edge's or caller's own source address counts.
        let forged = through_cloudfront("guessed", "198.51.100.23");
        assert_eq!(client_address(&forged, Some(secret)), ip("130.176.1.1"));
        assert_eq!(client_address(&request, None), ip("130.176.1.1"));
        let unreadable = through_cloudfront(secret, "not an address");
        assert_eq!(client_address(&unreadable, Some(secret)), ip("130.176.1.1"));
    }

    #[test]
    fn the_load_balancer_gives_the_address_it_appended_last() {
        let event = r#"{
            "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1"}},
            "httpMethod": "POST", "path": "/api/auth/login", "queryStringParameters": {},
            "headers": {"host": "x", "x-forwarded-for": "10.9.9.9, 198.51.100.20"},
            "body": "", "isBase64Encoded": false
        }"#;
        assert_eq!(
            client_of(event),
            Some(ClientAddress("198.51.100.20".parse().expect("ip")))
        );
    }
}

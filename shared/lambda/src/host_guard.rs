//! A guard in front of `lambda_http`'s conversion of events into requests. `lambda_http` 1.3
//! builds the request URI with `Url::parse(..).unwrap()` from the `Host` header, so a `Host`
//! that is not a URL authority (`example.com:99999`, `a%b`) panics in the conversion, before
//! our code runs; behind the load balancer the client chooses the `Host`, and the Lambdas are
//! built with `panic = "abort"`, so one such request would end the sandbox (found by the
//! `lambda_request` fuzz target; docs/reliability.md). The guard drops such a `Host` before the
//! conversion: no route of ours reads it, and without it `lambda_http` builds a relative URI.

use lambda_http::aws_lambda_events::http::HeaderMap;
use lambda_http::http::header::HOST;
use lambda_http::request::LambdaRequest;
use lambda_http::{LambdaEvent, Service};
use std::task::{Context, Poll};

/// Drops an unusable `Host` header from each event, then hands it to the inner service.
#[derive(Clone, Debug)]
pub struct HostGuard<S>(pub S);

impl<S> Service<LambdaEvent<LambdaRequest>> for HostGuard<S>
where
    S: Service<LambdaEvent<LambdaRequest>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut event: LambdaEvent<LambdaRequest>) -> Self::Future {
        match &mut event.payload {
            LambdaRequest::Alb(alb) => drop_unusable_host(&mut alb.headers, alb.path.as_deref()),
            LambdaRequest::ApiGatewayV2(api) => {
                drop_unusable_host(&mut api.headers, api.raw_path.as_deref());
            }
            #[allow(unreachable_patterns)]
            _ => {}
        }
        self.0.call(event)
    }
}

/// Removes `Host` when `lambda_http` could not make a URL of it, the path and the scheme it
/// would take from `X-Forwarded-Proto`, exactly as it joins them.
pub fn drop_unusable_host(headers: &mut HeaderMap, path: Option<&str>) {
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return;
    };
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|s| s.to_str().ok())
        .unwrap_or("https");
    let url = format!("{scheme}://{host}{}", path.unwrap_or_default());
    if url::Url::parse(&url).is_err() {
        headers.remove(HOST);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    fn headers(host: &str, proto: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_str(host).expect("a header value"));
        h.insert(
            "x-forwarded-proto",
            HeaderValue::from_str(proto).expect("a header value"),
        );
        h
    }

    #[test]
    fn a_host_that_is_no_url_authority_is_dropped_and_a_good_one_kept() {
        for bad in ["example.com:99999", "a%b", "exa mple.com", "[::1"] {
            let mut h = headers(bad, "https");
            drop_unusable_host(&mut h, Some("/api/auth/login"));
            assert!(h.get(HOST).is_none(), "{bad}");
        }
        let mut bad_scheme = headers("example.com", "ht tp");
        drop_unusable_host(&mut bad_scheme, Some("/api/me"));
        assert!(bad_scheme.get(HOST).is_none());
        for good in [
            "example.com",
            "example.com:443",
            "203.0.113.1",
            "[2001:db8::1]:8443",
        ] {
            let mut h = headers(good, "https");
            drop_unusable_host(&mut h, Some("/api/me"));
            assert_eq!(h.get(HOST).and_then(|v| v.to_str().ok()), Some(good));
        }
    }
}

#[cfg(test)]
mod through_the_adapter {
    use super::*;
    use lambda_http::{Adapter, Context as LambdaContext};

    /// The fuzz target's reproducer: behind the ALB, `Host: example.com:99999`.
    const BAD_HOST_EVENT: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/corpus/lambda_request/seed-known-panic-alb-port.json"
    ));

    #[tokio::test]
    async fn an_alb_event_with_a_bad_host_is_answered_instead_of_panicking() {
        let router = axum::Router::new().route(
            "/api/auth/login",
            axum::routing::post(|| async { "signed in" }),
        );
        let mut service = HostGuard(Adapter::from(router));
        let payload: LambdaRequest = serde_json::from_str(BAD_HOST_EVENT).expect("an ALB event");
        let response = service
            .call(LambdaEvent::new(payload, LambdaContext::default()))
            .await
            .expect("answered");
        let json = serde_json::to_value(&response).expect("a response event");
        assert_eq!(json["statusCode"], 200, "{json}");
        assert_eq!(json["body"], "signed in", "{json}");
    }
}

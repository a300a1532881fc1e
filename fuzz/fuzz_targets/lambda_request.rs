//! The HTTP functions' front door: an API Gateway HTTP API (v2) or load balancer event, as
//! arbitrary JSON, through `facelens_lambda::drop_unusable_host` (the `HostGuard` of
//! `facelens_lambda::run`), `lambda_http`'s conversion into a request, and then our
//! `facelens_lambda::without_stage` and `facelens_lambda::with_client_address`, as
//! `facelens_lambda::run` applies them before the router.
//!
//! Must hold: no panic; the query never changes; the path changes only by losing a leading
//! `/{stage}` of a named API Gateway stage and still starts with `/`; the client address is
//! API Gateway's `sourceIp` or the last `X-Forwarded-For` entry behind the load balancer, and
//! nothing else (no header of the client's is ever read for API Gateway).
//!
//! Skipped: one panic this fuzzer found inside `aws_lambda_events` (see docs/reliability.md,
//! "Fuzzing"): an event with `"isBase64Encoded": true` and a body that is not base64 (a
//! documented `expect` in `Body::from_maybe_encoded`; API Gateway and the load balancer encode
//! bodies themselves). The other one it found, a `Host` that does not make a URL (an `unwrap`
//! of `Url::parse` in `lambda_http`'s `build_request_uri`), is what the guard removes: it is no
//! longer skipped. Any other panic, in those crates or in ours, stops the fuzzer.

#![no_main]

use facelens_api::client::ClientAddress;
use facelens_lambda::{drop_unusable_host, with_client_address, without_stage};
use lambda_http::RequestExt;
use lambda_http::request::{LambdaRequest, RequestContext};
use libfuzzer_sys::fuzz_target;
use std::net::IpAddr;
use std::panic;
use std::sync::atomic::{AtomicBool, Ordering};

/// The event guarded and converted as `facelens_lambda::run` does, or `None` when the
/// conversion panicked in the known place named above (printed when `FACELENS_FUZZ_SHOW_KNOWN`
/// is set). Any other panic aborts, as libFuzzer's own panic hook does.
fn parse_event(text: &str) -> Option<Result<lambda_http::Request, serde_json::Error>> {
    static KNOWN: AtomicBool = AtomicBool::new(false);
    let fuzzer_hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let known = info.location().is_some_and(|at| {
            let file = at.file();
            file.contains("aws_lambda_events-") && file.ends_with("src/encodings/http.rs")
        });
        if !known {
            eprintln!("{info}");
            std::process::abort();
        }
        if std::env::var_os("FACELENS_FUZZ_SHOW_KNOWN").is_some() {
            eprintln!("known panic, skipped: {info}");
        }
        KNOWN.store(true, Ordering::SeqCst);
    }));
    KNOWN.store(false, Ordering::SeqCst);
    let parsed = panic::catch_unwind(|| {
        serde_json::from_str::<LambdaRequest>(text).map(|mut event| {
            match &mut event {
                LambdaRequest::Alb(alb) => drop_unusable_host(&mut alb.headers, alb.path.as_deref()),
                LambdaRequest::ApiGatewayV2(api) => {
                    drop_unusable_host(&mut api.headers, api.raw_path.as_deref());
                }
                #[allow(unreachable_patterns)]
                _ => {}
            }
            lambda_http::Request::from(event)
        })
    });
    panic::set_hook(fuzzer_hook);
    match parsed {
        Ok(parsed) => Some(parsed),
        Err(_) if KNOWN.load(Ordering::SeqCst) => None,
        Err(payload) => panic::resume_unwind(payload),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(Ok(request)) = parse_event(text) else {
        return;
    };

    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let (stage, expected_address) = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => (
            context.stage.clone(),
            context
                .http
                .source_ip
                .as_deref()
                .and_then(|ip| ip.parse::<IpAddr>().ok()),
        ),
        Some(RequestContext::Alb(_)) => (
            None,
            request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .last()
                .and_then(|value| value.to_str().ok())
                .and_then(|list| list.split(',').last())
                .and_then(|ip| ip.trim().parse::<IpAddr>().ok()),
        ),
        _ => (None, None),
    };

    let request = without_stage(request);
    let new_path = request.uri().path();
    assert_eq!(request.uri().query(), query.as_deref(), "the query changed");
    if new_path != path {
        let stage = stage.as_deref().expect("only a named stage is taken out");
        assert_ne!(stage, "$default");
        assert_eq!(format!("/{stage}{new_path}"), path);
        assert!(new_path.starts_with('/'), "{new_path:?}");
    }

    let request = with_client_address(request);
    let address = request.extensions().get::<ClientAddress>().map(|a| a.0);
    assert_eq!(address, expected_address);
});

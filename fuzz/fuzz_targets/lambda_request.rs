//! The HTTP functions' front door: an API Gateway HTTP API (v2) or load balancer event, as
//! arbitrary JSON, through `lambda_http::request::from_str` and then our
//! `facelens_lambda::without_stage` and `facelens_lambda::with_client_address`, as
//! `facelens_lambda::run` applies them before the router.
//!
//! Must hold: no panic; the query never changes; the path changes only by losing a leading
//! `/{stage}` of a named API Gateway stage and still starts with `/`; the client address is
//! API Gateway's `sourceIp` or the last `X-Forwarded-For` entry behind the load balancer, and
//! nothing else (no header of the client's is ever read for API Gateway).
//!
//! Skipped: the two panics this fuzzer found inside `lambda_http::request::from_str` itself
//! (see docs/reliability.md, "Fuzzing"): an event with `"isBase64Encoded": true` and a body
//! that is not base64 (a documented `expect` in `aws_lambda_events`'
//! `Body::from_maybe_encoded`), and a `Host` header (or path) that does not make a URL (an
//! `unwrap` of `Url::parse` in `lambda_http`'s `build_request_uri`). Any other panic, in
//! those crates or in ours, still stops the fuzzer.

#![no_main]

use facelens_api::client::ClientAddress;
use facelens_lambda::{with_client_address, without_stage};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use libfuzzer_sys::fuzz_target;
use std::net::IpAddr;
use std::panic;
use std::sync::atomic::{AtomicBool, Ordering};

/// `lambda_http::request::from_str`, or `None` when it panicked in one of the two known
/// places named above (printed when `FACELENS_FUZZ_SHOW_KNOWN` is set). Any other panic
/// aborts, as libFuzzer's own panic hook does.
fn parse_event(text: &str) -> Option<Result<lambda_http::Request, serde_json::Error>> {
    static KNOWN: AtomicBool = AtomicBool::new(false);
    let fuzzer_hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let known = info.location().is_some_and(|at| {
            let file = at.file();
            (file.contains("lambda_http-") && file.ends_with("src/request.rs"))
                || (file.contains("aws_lambda_events-") && file.ends_with("src/encodings/http.rs"))
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
    let parsed = panic::catch_unwind(|| lambda_http::request::from_str(text));
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

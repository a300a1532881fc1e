//! Every sample event under `events/auth/` pushed through the function's real router, as the
//! Lambda runtime would: `lambda_http` parses the event, the stage is taken out, the router
//! answers. Each runs twice: on the embedded store, and on DynamoDB, SESv2 and Secrets Manager
//! through the moto server (run `bash scripts/aws-test-setup.sh` once).

mod support;

use axum::body::Body;
use serde_json::Value;
use support::{Backend, answer, function};

async fn invoke(backend: Backend, event_file: &str) -> (u16, Value) {
    let function = function(backend).await;
    let path = format!(
        "{}/../../events/auth/{event_file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("event file");
    let request = lambda_http::request::from_str(&text).expect("event parses");
    let request = facelens_lambda::with_client_address(facelens_lambda::without_stage(request));
    let (parts, body) = request.into_parts();
    let request = axum::http::Request::from_parts(parts, Body::from(body.to_vec()));
    answer(&function.router, request).await
}

/// Runs each case (an `async fn(Backend)`) as `on_embedded_store` and `on_aws_through_moto`.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        $(
            mod $case {
                #[tokio::test]
                async fn on_embedded_store() {
                    super::$case(crate::support::Backend::Embedded).await;
                }

                #[tokio::test]
                async fn on_aws_through_moto() {
                    super::$case(crate::support::Backend::Aws).await;
                }
            }
        )*
    };
}

on_both_backends!(
    api_gateway_login_on_a_named_stage_with_a_base64_body_signs_in,
    api_gateway_health_answers,
    api_gateway_openapi_document_is_served,
    api_gateway_me_without_a_token_is_401,
    load_balancer_login_signs_in,
    load_balancer_multi_value_event_with_a_wrong_password_is_401,
);

async fn api_gateway_login_on_a_named_stage_with_a_base64_body_signs_in(backend: Backend) {
    let (status, body) = invoke(backend, "apigw-v2-login.json").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["username"], "admin");
    assert_eq!(
        body["token"].as_str().map(|t| t.split('.').count()),
        Some(3)
    );
}

async fn api_gateway_health_answers(backend: Backend) {
    let (status, body) = invoke(backend, "apigw-v2-health.json").await;
    assert_eq!((status, body), (200, serde_json::json!({ "status": "ok" })));
}

async fn api_gateway_openapi_document_is_served(backend: Backend) {
    let (status, body) = invoke(backend, "apigw-v2-openapi.json").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["openapi"], "3.1.0");
    // Every service's routes (the auth function answers for all), none of the local server's.
    for path in [
        "/api/auth/login",
        "/api/uploads",
        "/api/analyses/{id}",
        "/api/live/stats",
    ] {
        assert!(body["paths"][path].is_object(), "{path}");
    }
    assert!(body["paths"]["/api/admin/backup"].is_null());
}

async fn api_gateway_me_without_a_token_is_401(backend: Backend) {
    let (status, body) = invoke(backend, "apigw-v2-me-without-token.json").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
}

async fn load_balancer_login_signs_in(backend: Backend) {
    let (status, body) = invoke(backend, "alb-login.json").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["role"], "admin");
}

async fn load_balancer_multi_value_event_with_a_wrong_password_is_401(backend: Backend) {
    let (status, body) = invoke(backend, "alb-multi-value-login-wrong-password.json").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_credentials");
}

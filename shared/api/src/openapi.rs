//! The OpenAPI 3.1 document of the API, derived from the handlers' `#[utoipa::path]`
//! attributes and their body types, served at `GET /api/openapi.json` (by the auth function on
//! AWS; by the local server with its own routes added, see `facelens::openapi`).

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi as _};

/// The document's title, version and the bearer token scheme.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Facelens API",
        description = "Face analysis and mask detection. Sign in with `POST /api/auth/login` and \
                       send the token as `Authorization: Bearer ...`. Errors are always \
                       `{\"error\": {\"code\", \"message\"}}`.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerToken),
    components(schemas(crate::ErrorBody))
)]
struct Base;

/// Adds the `bearer` security scheme the secured operations name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// The document of every service's routes (auth, uploads, analyses, live).
pub fn document() -> OpenApi {
    let mut doc = Base::openapi();
    doc.merge(crate::auth::Api::openapi());
    doc.merge(crate::uploads::Api::openapi());
    doc.merge(crate::analyses::Api::openapi());
    doc.merge(crate::live::Api::openapi());
    doc
}

/// `GET /api/openapi.json`, answering the document `make` builds. It is built on the first
/// request, not at start: building it takes milliseconds a cold start should not pay.
pub fn router(make: fn() -> OpenApi) -> Router {
    let built: std::sync::Arc<std::sync::OnceLock<OpenApi>> = std::sync::Arc::default();
    Router::new().route(
        "/api/openapi.json",
        get(move || {
            let built = std::sync::Arc::clone(&built);
            async move { Json(built.get_or_init(make).clone()) }
        }),
    )
}

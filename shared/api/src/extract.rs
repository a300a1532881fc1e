//! The bearer-token extractors. `SignedIn` accepts any live token (the first-login password
//! change needs that); `ActiveUser` also refuses accounts that must change their password.

use crate::ApiError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use facelens_core::auth::{AuthError, AuthService};
use facelens_core::domain::User;
use std::sync::Arc;

/// A caller with a valid, unrevoked token.
#[derive(Debug, Clone)]
pub struct SignedIn(pub User);

/// A caller with a valid token whose account has no pending password change.
#[derive(Debug, Clone)]
pub struct ActiveUser(pub User);

impl<S> FromRequestParts<S> for SignedIn
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let service = Arc::<AuthService>::from_ref(state);
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("sign in first: the Authorization header is missing"))?;
        let value = header
            .to_str()
            .map_err(|_| unauthorized("the Authorization header is not text"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| unauthorized("use the Bearer scheme"))?;
        let user = service.authenticate(token.trim()).await?;
        tracing::Span::current().record("account", tracing::field::display(user.id));
        Ok(SignedIn(user))
    }
}

impl<S> FromRequestParts<S> for ActiveUser
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let SignedIn(user) = SignedIn::from_request_parts(parts, state).await?;
        if user.must_change_password {
            return Err(AuthError::PasswordChangeRequired.into());
        }
        Ok(ActiveUser(user))
    }
}

fn unauthorized(message: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

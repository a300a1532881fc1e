//! The bearer-token extractors. `SignedIn` accepts any live session token (the first-login
//! password change needs that); `ActiveUser` also refuses accounts that must change their
//! password; `Analyst` is `ActiveUser` that also takes a personal API token, for the routes
//! such a token may use: analysing photos and reading their results. Everywhere else an API
//! token gets 403 `api_token_not_allowed`.

use crate::ApiError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use facelens_core::auth::{AuthError, AuthService, Caller};
use facelens_core::domain::User;
use std::sync::Arc;

/// A caller with a valid, unrevoked session token.
#[derive(Debug, Clone)]
pub struct SignedIn(pub User);

/// A caller with a valid session token whose account has no pending password change.
#[derive(Debug, Clone)]
pub struct ActiveUser(pub User);

/// A caller allowed to analyse photos and read results: a session of an account with no
/// pending password change, or a personal API token of such an account.
#[derive(Debug, Clone)]
pub struct Analyst(pub User);

impl<S> FromRequestParts<S> for SignedIn
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = caller(parts, state).await?;
        if caller.by_api_token {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "api_token_not_allowed",
                "an API token may only analyse photos and read their results: sign in for this",
            ));
        }
        Ok(SignedIn(caller.user))
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
        Ok(ActiveUser(active(user)?))
    }
}

impl<S> FromRequestParts<S> for Analyst
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = caller(parts, state).await?;
        Ok(Analyst(active(caller.user)?))
    }
}

/// The account of the request's bearer token, and whether that was an API token.
async fn caller<S>(parts: &Parts, state: &S) -> Result<Caller, ApiError>
where
    Arc<AuthService>: FromRef<S>,
{
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
    let caller = service.authenticate_caller(token.trim()).await?;
    tracing::Span::current().record("account", tracing::field::display(caller.user.id));
    Ok(caller)
}

fn active(user: User) -> Result<User, ApiError> {
    if user.must_change_password {
        return Err(AuthError::PasswordChangeRequired.into());
    }
    Ok(user)
}

fn unauthorized(message: &'static str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

//! `ApiError`: every failure leaves as `{"error": {"code", "message"}}` with the right status.
//! Our own faults are logged with their cause and answered with an opaque 500.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use facelens_core::analysis::AnalysisError;
use facelens_core::auth::AuthError;
use facelens_core::live::LiveError;

/// An error as the caller sees it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    /// An error with a status, a stable machine-readable code and a message for people.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// A 500 whose cause is logged here and never sent.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; try again later",
        )
    }

    /// A 404 for a resource the caller may not see or that does not exist.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "nothing here")
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// What every error answers: `{"error": {"code", "message"}}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// A stable machine-readable code and a sentence for people.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// For programs: `invalid_input`, `not_found`, `rate_limited`, ...
    pub code: String,
    /// For people: what is wrong and, where it helps, what to do.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<AnalysisError> for ApiError {
    fn from(err: AnalysisError) -> Self {
        use StatusCode as S;
        let message = err.to_string();
        match err {
            AnalysisError::Invalid(_) => ApiError::new(S::BAD_REQUEST, "invalid_input", message),
            AnalysisError::UnsupportedType(_) => {
                ApiError::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type", message)
            }
            AnalysisError::TooLarge(_) => ApiError::new(S::PAYLOAD_TOO_LARGE, "too_large", message),
            AnalysisError::NotFound => ApiError::not_found(),
            AnalysisError::AccountGone => ApiError::new(S::UNAUTHORIZED, "unauthorized", message),
            AnalysisError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<LiveError> for ApiError {
    fn from(err: LiveError) -> Self {
        use StatusCode as S;
        let message = err.to_string();
        match err {
            LiveError::InvalidCamera(_) => ApiError::new(S::BAD_REQUEST, "invalid_camera", message),
            LiveError::InvalidEvents(_) => ApiError::new(S::BAD_REQUEST, "invalid_events", message),
            LiveError::InvalidQuery(_) => ApiError::new(S::BAD_REQUEST, "invalid_input", message),
            LiveError::SnapshotsOff => ApiError::new(S::BAD_REQUEST, "snapshots_off", message),
            LiveError::Replayed { .. } => ApiError::new(S::CONFLICT, "replayed", message),
            LiveError::Ended => ApiError::new(S::CONFLICT, "session_ended", message),
            LiveError::RateLimited { retry_after_secs } => ApiError {
                retry_after_secs: Some(retry_after_secs),
                ..ApiError::new(S::TOO_MANY_REQUESTS, "rate_limited", message)
            },
            LiveError::NotFound => ApiError::not_found(),
            LiveError::Forbidden => ApiError::new(S::FORBIDDEN, "forbidden", message),
            LiveError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        use StatusCode as S;
        let message = err.to_string();
        match err {
            AuthError::InvalidCredentials => {
                ApiError::new(S::UNAUTHORIZED, "invalid_credentials", message)
            }
            AuthError::FaceNotRecognised => {
                ApiError::new(S::UNAUTHORIZED, "face_not_recognised", message)
            }
            AuthError::Throttled { retry_after_secs } => ApiError {
                retry_after_secs: Some(retry_after_secs),
                ..ApiError::new(S::TOO_MANY_REQUESTS, "too_many_attempts", message)
            },
            AuthError::Busy { retry_after_secs } => ApiError {
                retry_after_secs: Some(retry_after_secs),
                ..ApiError::new(S::SERVICE_UNAVAILABLE, "busy", message)
            },
            AuthError::Unauthorized(_) => ApiError::new(S::UNAUTHORIZED, "unauthorized", message),
            AuthError::Forbidden => ApiError::new(S::FORBIDDEN, "forbidden", message),
            AuthError::PasswordChangeRequired => {
                ApiError::new(S::FORBIDDEN, "password_change_required", message)
            }
            AuthError::Invalid(_) => ApiError::new(S::BAD_REQUEST, "invalid_input", message),
            AuthError::WeakPassword(_) => ApiError::new(S::BAD_REQUEST, "weak_password", message),
            AuthError::EmailNotConfirmed => {
                ApiError::new(S::FORBIDDEN, "email_not_confirmed", message)
            }
            AuthError::SignUpClosed => ApiError::new(S::FORBIDDEN, "sign_up_closed", message),
            AuthError::UsernameTaken => ApiError::new(S::CONFLICT, "username_taken", message),
            AuthError::InvalidResetToken => ApiError::new(S::BAD_REQUEST, "invalid_token", message),
            AuthError::Conflict(_) => ApiError::new(S::CONFLICT, "conflict", message),
            AuthError::NotFound => ApiError::new(S::NOT_FOUND, "not_found", message),
            AuthError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

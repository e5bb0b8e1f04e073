//! One error type for every route, turned into a response in exactly one place.
//!
//! Kibana core routes answer in the Boom shape `{"statusCode","error","message"}`; Security
//! Solution routes (all leads routes) in the siem shape `{"message","status_code"}` (docs/headers-and-errors.md#error-bodies).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Which JSON shape a route's errors use. Leads routes insert [`ErrorShape::Siem`] into the
/// request extensions so extractors can answer in their shape too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorShape {
    #[default]
    Boom,
    Siem,
}

#[derive(Debug)]
pub enum AppError {
    /// Answered in the Boom shape whatever the route (authentication, Kibana privileges, headers).
    Boom { status: StatusCode, message: String },
    /// Answered in the siem shape.
    Siem { status: StatusCode, message: String },
    /// Answered in the Workplace Search shape `{"errors":[..]}` (the search routes).
    Errors {
        status: StatusCode,
        errors: Vec<String>,
    },
    /// Boom with a `Retry-After` header.
    RetryLater(RetryLater),
    /// A failure that is the server's fault: logged, answered as a generic Boom 500.
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// Come back later: 429 for too many failed password checks, 503 when every argon2 turn is taken
/// (RELIABILITY.md "Password hashing"). Kibana's routes answer it in Boom's shape, the console in
/// Elasticsearch's (`admin::AdminError`), both with `Retry-After`.
#[derive(Debug)]
pub struct RetryLater {
    pub status: StatusCode,
    pub message: String,
    pub retry_after_secs: u64,
}

impl RetryLater {
    /// The 429 of the failed-password-check limiter, with login's text.
    pub fn too_many_attempts(retry_after_secs: u64) -> Self {
        RetryLater {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: crate::platform::ratelimit::too_many_attempts_message(retry_after_secs),
            retry_after_secs,
        }
    }

    /// The 503 when every argon2 turn stayed taken.
    pub fn password_busy(retry_after_secs: u64) -> Self {
        RetryLater {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: crate::platform::password::busy_message(retry_after_secs),
            retry_after_secs,
        }
    }
}

impl AppError {
    pub fn boom(status: StatusCode, message: impl Into<String>) -> Self {
        AppError::Boom {
            status,
            message: message.into(),
        }
    }

    pub fn siem(status: StatusCode, message: impl Into<String>) -> Self {
        AppError::Siem {
            status,
            message: message.into(),
        }
    }

    /// An error in the shape the route uses.
    pub fn shaped(shape: ErrorShape, status: StatusCode, message: impl Into<String>) -> Self {
        match shape {
            ErrorShape::Boom => Self::boom(status, message),
            ErrorShape::Siem => Self::siem(status, message),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::boom(StatusCode::UNAUTHORIZED, "Unauthorized")
    }

    pub fn not_found() -> Self {
        Self::boom(StatusCode::NOT_FOUND, "Not Found")
    }

    /// The text the client reads (a generic one for internal errors).
    pub fn message(&self) -> String {
        match self {
            AppError::Boom { message, .. }
            | AppError::Siem { message, .. }
            | AppError::RetryLater(RetryLater { message, .. }) => message.clone(),
            AppError::Errors { errors, .. } => errors.join(" "),
            AppError::Internal(_) => "An internal server error occurred.".to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Boom { status, .. }
            | AppError::Siem { status, .. }
            | AppError::Errors { status, .. }
            | AppError::RetryLater(RetryLater { status, .. }) => *status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        AppError::Internal(error)
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(error: rusqlite::Error) -> Self {
        AppError::Internal(error.into())
    }
}

/// Boom's `error` field: the reason phrase of the status.
pub fn boom_error_name(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Unknown")
}

pub fn boom_body(status: StatusCode, message: &str) -> serde_json::Value {
    json!({ "statusCode": status.as_u16(), "error": boom_error_name(status), "message": message })
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Boom { status, message } => {
                (status, Json(boom_body(status, &message))).into_response()
            }
            AppError::Siem { status, message } => (
                status,
                Json(json!({ "message": message, "status_code": status.as_u16() })),
            )
                .into_response(),
            AppError::Errors { status, errors } => {
                (status, Json(json!({ "errors": errors }))).into_response()
            }
            AppError::RetryLater(RetryLater {
                status,
                message,
                retry_after_secs,
            }) => (
                status,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                Json(boom_body(status, &message)),
            )
                .into_response(),
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                let status = StatusCode::INTERNAL_SERVER_ERROR;
                (
                    status,
                    Json(boom_body(status, "An internal server error occurred.")),
                )
                    .into_response()
            }
        }
    }
}

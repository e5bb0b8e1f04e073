//! The administration error, answerable in Kibana's shape and in Elasticsearch's.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::authz::{self, SecurityAction, Subject};
use crate::platform::error::{boom_body, AppError, RetryLater};
use crate::platform::password::PasswordWorkError;

// ---------------------------------------------------------------------------------------------
// Errors, answerable in both shapes
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
pub enum AdminError {
    /// Missing cluster privilege: the `security_exception` reason.
    Denied(String),
    /// Kibana request validation (`[request body.x]: ...`): the Kibana text, and the reason an
    /// Elasticsearch `action_request_validation_exception` gives for the same fault.
    Invalid {
        kibana: String,
        es: String,
    },
    /// An Elasticsearch-side refusal answered 400 by both (`type`, `reason`).
    Es400 {
        kind: &'static str,
        reason: String,
    },
    NotFound(String),
    Conflict(String),
    /// 403 that is not a privilege question (a wrong current password).
    Forbidden(String),
    /// Come back later, with `Retry-After`.
    RetryLater(RetryLater),
    Internal(anyhow::Error),
}

pub type AdminResult<T> = Result<T, AdminError>;

impl From<anyhow::Error> for AdminError {
    fn from(e: anyhow::Error) -> Self {
        AdminError::Internal(e)
    }
}

impl From<PasswordWorkError> for AdminError {
    fn from(e: PasswordWorkError) -> Self {
        e.retry_later()
            .map_or_else(AdminError::Internal, AdminError::RetryLater)
    }
}

impl AdminError {
    /// The 429 of the failed-password-check limiter, with login's text.
    pub fn too_many_attempts(retry_after_secs: u64) -> Self {
        AdminError::RetryLater(RetryLater::too_many_attempts(retry_after_secs))
    }
}

impl From<rusqlite::Error> for AdminError {
    fn from(e: rusqlite::Error) -> Self {
        AdminError::Internal(e.into())
    }
}

/// `[type\n\tRoot causes:\n\t\ttype: R]: R`: how Kibana's routes pass on an Elasticsearch error.
pub fn kibana_wrapped(kind: &str, reason: &str) -> String {
    format!("[{kind}\n\tRoot causes:\n\t\t{kind}: {reason}]: {reason}")
}

pub(crate) fn validation_reason(message: &str) -> String {
    format!("Validation Failed: 1: {message};")
}

impl AdminError {
    pub fn invalid(kibana: impl Into<String>, es: impl Into<String>) -> Self {
        AdminError::Invalid {
            kibana: kibana.into(),
            es: es.into(),
        }
    }

    /// The same text on both surfaces.
    pub fn invalid_both(text: impl Into<String>) -> Self {
        let text = text.into();
        AdminError::Invalid {
            kibana: text.clone(),
            es: text,
        }
    }

    pub fn validation(message: &str) -> Self {
        AdminError::Es400 {
            kind: "action_request_validation_exception",
            reason: validation_reason(message),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AdminError::Denied(_) | AdminError::Forbidden(_) => StatusCode::FORBIDDEN,
            AdminError::Invalid { .. } | AdminError::Es400 { .. } => StatusCode::BAD_REQUEST,
            AdminError::NotFound(_) => StatusCode::NOT_FOUND,
            AdminError::Conflict(_) => StatusCode::CONFLICT,
            AdminError::RetryLater(retry) => retry.status,
            AdminError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message of the Boom answer Kibana's routes give.
    pub fn kibana_message(&self) -> String {
        match self {
            AdminError::Denied(reason) => kibana_wrapped("security_exception", reason),
            AdminError::Invalid { kibana, .. } => kibana.clone(),
            AdminError::Es400 { kind, reason } => kibana_wrapped(kind, reason),
            AdminError::NotFound(m)
            | AdminError::Conflict(m)
            | AdminError::Forbidden(m)
            | AdminError::RetryLater(RetryLater { message: m, .. }) => m.clone(),
            AdminError::Internal(_) => "An internal server error occurred.".into(),
        }
    }

    /// Elasticsearch's error body (`{"error":{"root_cause":[..],"type","reason"},"status"}`).
    pub fn es_body(&self) -> Value {
        let status = self.status();
        let (kind, reason) = match self {
            AdminError::Denied(r) | AdminError::Forbidden(r) => ("security_exception", r.clone()),
            AdminError::Invalid { es, .. } => ("action_request_validation_exception", es.clone()),
            AdminError::Es400 { kind, reason } => (*kind, reason.clone()),
            AdminError::NotFound(r) => ("resource_not_found_exception", r.clone()),
            AdminError::Conflict(r) => ("version_conflict_engine_exception", r.clone()),
            AdminError::RetryLater(RetryLater {
                message,
                retry_after_secs,
                ..
            }) => {
                // Elasticsearch lists an exception's response headers under `error.header`;
                // the console copies `Retry-After` onto its own answer.
                let kind = if status == StatusCode::TOO_MANY_REQUESTS {
                    "security_exception"
                } else {
                    "es_rejected_execution_exception"
                };
                return json!({
                    "error": {
                        "root_cause": [{ "type": kind, "reason": message }],
                        "type": kind,
                        "reason": message,
                        "header": { "Retry-After": [retry_after_secs.to_string()] },
                    },
                    "status": status.as_u16(),
                });
            }
            AdminError::Internal(_) => {
                return json!({ "error": boom_body(status, "internal error"), "status": 500 })
            }
        };
        json!({
            "error": {
                "root_cause": [{ "type": kind, "reason": reason }],
                "type": kind,
                "reason": reason,
            },
            "status": status.as_u16(),
        })
    }
}

/// Kibana's routes answer an administration error in Boom's shape.
impl From<AdminError> for AppError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Internal(e) => AppError::Internal(e),
            AdminError::RetryLater(retry) => AppError::RetryLater(retry),
            other => AppError::boom(other.status(), other.kibana_message()),
        }
    }
}

/// Refuses unless the subject holds a cluster privilege that grants `action`.
pub fn require(subject: &Subject, action: SecurityAction) -> AdminResult<()> {
    authz::check_security_action(subject, action).map_err(AdminError::Denied)
}

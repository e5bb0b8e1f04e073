//! One error type for every call the SPA makes, and the parser that turns any HTTP answer into it.
//!
//! Kibana answers errors in three JSON shapes (docs/headers-and-errors.md#error-bodies) and proxies answer with HTML or nothing;
//! all of them end up as an [`ApiError`] whose `message` is what the user reads.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::text::cut_with_ellipsis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The request never got an answer (offline, connection refused, CORS, dropped connection).
    Network,
    /// The request was aborted after the client's time limit.
    Timeout,
    /// The server answered with a non-2xx status.
    Http,
    /// A 2xx answer whose body is not what the contract promises.
    InvalidBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// HTTP status, 0 when there was no answer.
    pub status: u16,
    /// Human-readable, already stripped of markup: safe to show as text.
    pub message: String,
    /// Elasticsearch error type when the body named one (`security_exception`, …).
    pub es_type: Option<String>,
}

const MAX_MESSAGE_CHARS: usize = 500;

impl ApiError {
    pub fn network(detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let message = if detail.is_empty() {
            "Could not reach the server. Check your connection and try again.".to_string()
        } else {
            format!("Could not reach the server ({detail}). Check your connection and try again.")
        };
        Self {
            kind: ErrorKind::Network,
            status: 0,
            message,
            es_type: None,
        }
    }

    pub fn timeout(seconds: u32) -> Self {
        Self {
            kind: ErrorKind::Timeout,
            status: 0,
            message: format!("The server did not answer within {seconds} seconds. Try again."),
            es_type: None,
        }
    }

    pub fn invalid_body(status: u16, detail: impl std::fmt::Display) -> Self {
        Self {
            kind: ErrorKind::InvalidBody,
            status,
            message: format!("The server sent a response Gatehouse could not read: {detail}"),
            es_type: None,
        }
    }

    /// Builds the error for a non-2xx answer from its status, content type and raw body.
    pub fn from_response(status: u16, content_type: Option<&str>, body: &str) -> Self {
        let parsed = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|json| message_from_json(&json));
        let (message, es_type) = match parsed {
            Some(found) => found,
            None => (message_from_text(status, content_type, body), None),
        };
        let es_type = es_type.or_else(|| es_type_from_message(&message));
        Self {
            kind: ErrorKind::Http,
            status,
            message: cut_with_ellipsis(&message, MAX_MESSAGE_CHARS),
            es_type,
        }
    }

    /// The text Kibana's toasts show: `"<message> (<status>)"`.
    pub fn toast_text(&self) -> String {
        if self.status == 0 {
            self.message.clone()
        } else {
            format!("{} ({})", self.message, self.status)
        }
    }

    pub fn is_unauthenticated(&self) -> bool {
        self.kind == ErrorKind::Http && self.status == 401
    }

    /// A denial the user cannot fix by retrying: a 403, an ES `security_exception`, or Kibana's
    /// 400 `Access denied:` answer to a mode change.
    pub fn is_permission_denied(&self) -> bool {
        self.kind == ErrorKind::Http
            && (self.status == 403
                || self.es_type.as_deref() == Some("security_exception")
                || self.message.starts_with("Access denied:"))
    }

    pub fn is_index_not_found(&self) -> bool {
        self.es_type.as_deref() == Some("index_not_found_exception")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.toast_text())
    }
}

impl std::error::Error for ApiError {}

/// Boom `{statusCode,error,message}`, siem `{message,status_code}`, raw ES `{error:{type,reason},status}`.
fn message_from_json(json: &Value) -> Option<(String, Option<String>)> {
    if let Some(error) = json.get("error").filter(|e| e.is_object()) {
        let kind = error
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_string);
        let reason = error.get("reason").and_then(Value::as_str).or_else(|| {
            json.pointer("/error/root_cause/0/reason")
                .and_then(Value::as_str)
        });
        if let Some(reason) = reason {
            let message = match &kind {
                Some(kind) => format!("{kind}: {reason}"),
                None => reason.to_string(),
            };
            return Some((message, kind));
        }
    }
    if let Some(message) = json.get("message").and_then(Value::as_str) {
        return Some((message.to_string(), None));
    }
    if let Some(errors) = json.get("errors").and_then(Value::as_array) {
        let joined: Vec<&str> = errors.iter().filter_map(Value::as_str).collect();
        if !joined.is_empty() {
            return Some((joined.join("; "), None));
        }
    }
    if let Some(error) = json.get("error").and_then(Value::as_str) {
        return Some((error.to_string(), None));
    }
    None
}

/// `security_exception: action [...]` → `security_exception`.
fn es_type_from_message(message: &str) -> Option<String> {
    let head = message.split(':').next()?;
    let is_type =
        head.ends_with("_exception") && head.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    is_type.then(|| head.to_string())
}

fn message_from_text(status: u16, content_type: Option<&str>, body: &str) -> String {
    let is_html =
        content_type.is_some_and(|ct| ct.contains("html")) || body.trim_start().starts_with('<');
    let text = if is_html {
        html_to_text(body)
    } else {
        collapse_whitespace(body)
    };
    let reason = status_reason(status);
    if text.is_empty() {
        format!("{reason}: the server sent an empty response")
    } else if text.eq_ignore_ascii_case(reason) || text.starts_with(&status.to_string()) {
        text
    } else {
        format!("{reason}: {text}")
    }
}

/// Keeps the page's `<title>` (or its text) so a proxy's 502 page reads as one line, not markup.
fn html_to_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
        if start + 7 <= end {
            let title = collapse_whitespace(&html[start + 7..end]);
            if !title.is_empty() {
                return title;
            }
        }
    }
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    collapse_whitespace(&text)
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn status_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Request failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boom_body_gives_its_message() {
        let body = r#"{"statusCode":403,"error":"Forbidden","message":"API [GET /internal/entity_analytics/leads?page=1&perPage=20] is unauthorized for user, this action is granted by the Kibana privileges [securitySolution-entity-analytics]"}"#;
        let err = ApiError::from_response(403, Some("application/json"), body);
        assert!(err
            .message
            .starts_with("API [GET /internal/entity_analytics/leads"));
        assert!(err.is_permission_denied());
        assert_eq!(err.es_type, None);
    }

    #[test]
    fn siem_body_names_the_security_exception() {
        let body = r#"{"message":"security_exception: action [indices:data/read/search] is unauthorized for user [bob] with effective roles [leads_read_only] on indices [.entity_analytics.entity-leads-default], this action is granted by the index privileges [read,all]","status_code":403}"#;
        let err = ApiError::from_response(403, Some("application/json"), body);
        assert_eq!(err.es_type.as_deref(), Some("security_exception"));
        assert!(err.toast_text().ends_with("[read,all] (403)"));
    }

    #[test]
    fn raw_elasticsearch_body_joins_type_and_reason() {
        let body = r#"{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [x]"}],"type":"index_not_found_exception","reason":"no such index [x]"},"status":404}"#;
        let err = ApiError::from_response(404, Some("application/json"), body);
        assert_eq!(err.message, "index_not_found_exception: no such index [x]");
        assert!(err.is_index_not_found());
        assert!(!err.is_permission_denied());
    }

    #[test]
    fn html_proxy_page_becomes_its_title() {
        let body = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        let err = ApiError::from_response(502, Some("text/html"), body);
        assert_eq!(err.message, "502 Bad Gateway");
        assert_eq!(err.toast_text(), "502 Bad Gateway (502)");
    }

    #[test]
    fn html_without_title_is_stripped_of_tags() {
        let err = ApiError::from_response(500, None, "<p>Upstream <b>died</b></p>");
        assert_eq!(err.message, "Internal Server Error: Upstream died");
        assert!(!err.message.contains('<'));
    }

    #[test]
    fn empty_and_plain_text_bodies_say_what_happened() {
        let empty = ApiError::from_response(503, None, "");
        assert_eq!(
            empty.message,
            "Service Unavailable: the server sent an empty response"
        );
        let text = ApiError::from_response(500, Some("text/plain"), "  oops\n happened ");
        assert_eq!(text.message, "Internal Server Error: oops happened");
    }

    #[test]
    fn truncated_json_falls_back_to_text() {
        let err = ApiError::from_response(500, Some("application/json"), r#"{"message":"cut"#);
        assert!(err.message.contains(r#"{"message":"cut"#));
    }

    #[test]
    fn kibana_access_denied_counts_as_permission_error() {
        let err = ApiError::from_response(
            400,
            None,
            r#"{"statusCode":400,"error":"Bad Request","message":"Access denied: cannot change mode"}"#,
        );
        assert!(err.is_permission_denied());
    }

    #[test]
    fn workplace_search_errors_are_joined() {
        let err =
            ApiError::from_response(400, None, r#"{"errors":["Name is required","Too long"]}"#);
        assert_eq!(err.message, "Name is required; Too long");
    }

    #[test]
    fn huge_bodies_are_cut_to_a_readable_length() {
        let err = ApiError::from_response(500, Some("text/plain"), &"x".repeat(10_000));
        assert!(err.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn network_errors_have_no_status_in_the_toast() {
        let err = ApiError::network("");
        assert_eq!(err.status, 0);
        assert!(!err.toast_text().contains('('));
    }
}

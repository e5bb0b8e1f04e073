//! Test-only fault injection (SPA resilience: RELIABILITY.md, "Faults"): chosen routes answer the way a broken
//! server or proxy would, so the browser tests can prove the SPA survives it.
//!
//! Off unless [`crate::Config::faults`] is set, which the binary does only when started with
//! `GATEHOUSE_ENABLE_FAULTS=1`, and only on a loopback address. Off, the control route does not
//! exist (404) and no request is touched.
//!
//! Control route ([`FAULTS_PATH`], no session needed, Kibana's header rules apply: `kbn-xsrf` on
//! writes, `x-elastic-internal-origin`):
//! - `PUT` `{"rules":[{"path":"/api/dashboards","method":"GET","exact":true,"fault":"html_502"}]}`
//!   replaces the rules; `path` is a prefix of the bare path (after `/s/{space}`) unless `exact`,
//!   `method` is any method when absent, `stall_seconds` (stall only) defaults to 30;
//! - `DELETE` clears them; `GET` lists them with how many answers each fault kind has spoiled.
//!
//! The first matching rule applies. The control route itself is never faulted.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::platform::error::AppError;
use crate::platform::kibana::JsonBody;

/// The control route; it exists only when faults are enabled.
pub const FAULTS_PATH: &str = "/internal/gatehouse/_faults";
/// How long a `stall` holds a request before answering normally, unless the rule says otherwise.
pub const DEFAULT_STALL_SECONDS: u64 = 30;
/// Longest stall a rule may ask for.
pub const MAX_STALL_SECONDS: u64 = 120;

/// What a faulted route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The real answer (status and headers) with its body cut in half.
    TruncatedJson,
    /// The real answer with every JSON number, string and boolean turned into another type.
    WrongTypes,
    /// A proxy's `502 Bad Gateway` HTML page; the route is not called.
    #[serde(rename = "html_502")]
    Html502,
    /// The real status with an empty body.
    EmptyBody,
    /// Nothing for `stall_seconds` (default 30), then the real answer.
    Stall,
    /// The connection is closed without an answer; the route is not called.
    DropConnection,
}

impl FaultKind {
    pub const ALL: [FaultKind; 6] = [
        FaultKind::TruncatedJson,
        FaultKind::WrongTypes,
        FaultKind::Html502,
        FaultKind::EmptyBody,
        FaultKind::Stall,
        FaultKind::DropConnection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::TruncatedJson => "truncated_json",
            FaultKind::WrongTypes => "wrong_types",
            FaultKind::Html502 => "html_502",
            FaultKind::EmptyBody => "empty_body",
            FaultKind::Stall => "stall",
            FaultKind::DropConnection => "drop_connection",
        }
    }

    /// Whether the fault changes the real answer's body (which must then be plain JSON).
    fn spoils_the_body(self) -> bool {
        matches!(
            self,
            FaultKind::TruncatedJson | FaultKind::WrongTypes | FaultKind::EmptyBody
        )
    }
}

/// One rule of the control route's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Prefix of the bare request path (`/s/{space}` already stripped), or the whole path when
    /// `exact`. The query string is never compared.
    pub path: String,
    /// `GET`, `POST`, …; any method when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default)]
    pub exact: bool,
    pub fault: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall_seconds: Option<u64>,
}

impl FaultRule {
    pub fn new(path: &str, fault: FaultKind) -> Self {
        Self {
            path: path.to_string(),
            method: None,
            exact: false,
            fault,
            stall_seconds: None,
        }
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()));
        let path_ok = if self.exact {
            path == self.path
        } else {
            path.starts_with(&self.path)
        };
        method_ok && path_ok
    }

    fn validate(&self) -> Result<(), String> {
        if !self.path.starts_with('/') {
            return Err(format!("path [{}] must start with /", self.path));
        }
        if let Some(method) = &self.method {
            if Method::from_bytes(method.as_bytes()).is_err() {
                return Err(format!("method [{method}] is not an HTTP method"));
            }
        }
        match (self.fault, self.stall_seconds) {
            (FaultKind::Stall, Some(s)) if s > MAX_STALL_SECONDS => {
                Err(format!("stall_seconds must be at most {MAX_STALL_SECONDS}"))
            }
            (FaultKind::Stall, _) | (_, None) => Ok(()),
            (_, Some(_)) => Err("stall_seconds applies only to the stall fault".into()),
        }
    }
}

/// The body of `PUT` [`FAULTS_PATH`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRules {
    pub rules: Vec<FaultRule>,
}

impl FaultRules {
    /// The `PUT` body, for clients without serde_json of their own (the browser tests' harness).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"rules":[]}"#.to_string())
    }
}

/// What `GET`/`PUT`/`DELETE` [`FAULTS_PATH`] answer: the rules in force and how many answers each
/// fault kind has spoiled since the server started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultsReport {
    pub rules: Vec<FaultRule>,
    pub injected: BTreeMap<String, u64>,
}

impl FaultsReport {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Answers spoiled so far, all kinds together.
    pub fn total_injected(&self) -> u64 {
        self.injected.values().sum()
    }
}

/// The rules in force; shared by the control route and the middleware.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<FaultsReport>>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, FaultsReport> {
        // A poisoned lock only means a panic elsewhere; the rules themselves are still whole.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn report(&self) -> FaultsReport {
        self.lock().clone()
    }

    pub fn set(&self, rules: Vec<FaultRule>) {
        self.lock().rules = rules;
    }

    /// The first rule matching the request, counted as injected.
    fn take(&self, method: &Method, path: &str) -> Option<FaultRule> {
        let mut report = self.lock();
        let rule = report
            .rules
            .iter()
            .find(|rule| rule.matches(method, path))
            .cloned()?;
        *report
            .injected
            .entry(rule.fault.as_str().to_string())
            .or_insert(0) += 1;
        Some(rule)
    }
}

/// The control route plus the middleware that applies the rules, around `routes`.
pub fn wire(routes: Router) -> Router {
    let faults = Faults::default();
    tracing::warn!(
        control = FAULTS_PATH,
        "FAULT INJECTION IS ENABLED: test-only, never for real use"
    );
    routes
        .merge(control_router(faults.clone()))
        .layer(middleware::from_fn_with_state(faults, inject))
}

fn control_router(faults: Faults) -> Router {
    Router::new()
        .route(FAULTS_PATH, get(report).put(set).delete(clear))
        .with_state(faults)
}

async fn report(State(faults): State<Faults>) -> Json<FaultsReport> {
    Json(faults.report())
}

async fn set(
    State(faults): State<Faults>,
    JsonBody(body): JsonBody<FaultRules>,
) -> Result<Json<FaultsReport>, AppError> {
    for rule in &body.rules {
        rule.validate()
            .map_err(|message| AppError::boom(StatusCode::BAD_REQUEST, message))?;
    }
    tracing::warn!(rules = ?body.rules, "fault rules set");
    faults.set(body.rules);
    Ok(Json(faults.report()))
}

async fn clear(State(faults): State<Faults>) -> Json<FaultsReport> {
    faults.set(Vec::new());
    tracing::warn!("fault rules cleared");
    Json(faults.report())
}

/// Applies the first matching rule to a request.
async fn inject(State(faults): State<Faults>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path == FAULTS_PATH {
        return next.run(req).await;
    }
    let Some(rule) = faults.take(req.method(), &path) else {
        return next.run(req).await;
    };
    tracing::warn!(fault = rule.fault.as_str(), method = %req.method(), %path, "injecting a fault");
    if rule.fault.spoils_the_body() {
        // The fault spoils the JSON itself, so the route must answer JSON, not a gzip copy.
        req.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    match rule.fault {
        FaultKind::Html502 => bad_gateway_page(),
        FaultKind::DropConnection => dropped_connection(),
        FaultKind::Stall => {
            let seconds = rule.stall_seconds.unwrap_or(DEFAULT_STALL_SECONDS);
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            next.run(req).await
        }
        FaultKind::TruncatedJson => {
            rewrite_body(next.run(req).await, |body| body.slice(..body.len() / 2)).await
        }
        FaultKind::WrongTypes => {
            rewrite_body(next.run(req).await, |body| {
                match serde_json::from_slice::<Value>(&body) {
                    Ok(json) => Bytes::from(wrong_types(json).to_string()),
                    Err(_) => body,
                }
            })
            .await
        }
        FaultKind::EmptyBody => {
            let (mut parts, _) = next.run(req).await.into_parts();
            parts.headers.remove(header::CONTENT_TYPE);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::empty())
        }
    }
}

/// Reads the real answer and replaces its body (the status and headers stay, the length is
/// recomputed).
async fn rewrite_body(response: Response, change: impl FnOnce(Bytes) -> Bytes) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => Bytes::new(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(change(bytes)))
}

/// Numbers become strings, strings become numbers (their length), booleans become strings; the
/// shape (objects, arrays, keys) stays.
pub fn wrong_types(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, wrong_types(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(wrong_types).collect()),
        Value::String(text) => Value::from(text.len()),
        Value::Number(number) => Value::String(number.to_string()),
        Value::Bool(flag) => Value::String(flag.to_string()),
        Value::Null => Value::Null,
    }
}

/// What nginx answers when the upstream is down.
pub const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n\
<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

fn bad_gateway_page() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        BAD_GATEWAY_HTML,
    )
        .into_response()
}

/// A response whose body fails on its first read: hyper then closes the connection before the
/// buffered status line is flushed, so the client sees the connection drop with no answer.
fn dropped_connection() -> Response {
    Response::new(Body::new(BrokenBody))
}

struct BrokenBody;

impl http_body::Body for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault injection: connection dropped",
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_prefix_exact_and_method() {
        let prefix = FaultRule::new("/internal/entity_analytics/leads", FaultKind::Html502);
        assert!(prefix.matches(&Method::GET, "/internal/entity_analytics/leads"));
        assert!(prefix.matches(&Method::POST, "/internal/entity_analytics/leads/generate"));
        let exact = FaultRule {
            exact: true,
            method: Some("get".into()),
            ..prefix.clone()
        };
        assert!(exact.matches(&Method::GET, "/internal/entity_analytics/leads"));
        assert!(!exact.matches(&Method::GET, "/internal/entity_analytics/leads/status"));
        assert!(!exact.matches(&Method::POST, "/internal/entity_analytics/leads"));
    }

    #[test]
    fn wire_names_are_the_documented_ones() {
        for kind in FaultKind::ALL {
            let json = serde_json::to_value(kind).unwrap_or_default();
            assert_eq!(json, Value::String(kind.as_str().into()));
        }
    }

    #[test]
    fn wrong_types_keeps_the_shape_and_changes_every_scalar() {
        let changed = wrong_types(serde_json::json!({
            "total": 20, "title": "abc", "ok": true, "none": null, "list": [1, "x"]
        }));
        assert_eq!(
            changed,
            serde_json::json!({
                "total": "20", "title": 3, "ok": "true", "none": null, "list": ["1", 1]
            })
        );
    }

    #[test]
    fn validation_refuses_nonsense() {
        let mut rule = FaultRule::new("api", FaultKind::Stall);
        assert!(rule.validate().is_err());
        rule.path = "/api".into();
        assert!(rule.validate().is_ok());
        rule.stall_seconds = Some(MAX_STALL_SECONDS + 1);
        assert!(rule.validate().is_err());
        let mut other = FaultRule::new("/api", FaultKind::EmptyBody);
        other.stall_seconds = Some(1);
        assert!(other.validate().is_err());
        other.stall_seconds = None;
        other.method = Some("GE T".into());
        assert!(other.validate().is_err());
    }
}

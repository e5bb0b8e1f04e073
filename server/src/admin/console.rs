//! Kibana's Dev Tools console proxy (docs/console.md), `POST /api/console/proxy?path=&method=`, in
//! front of the Elasticsearch security API subset this server owns. It always answers 200; the
//! real status is in `x-console-proxy-status-code` / `-text`, the body is Elasticsearch's.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};
use gatehouse_api::admin::{
    RoleDescriptor, CONSOLE_PROXY_PATH, CONSOLE_STATUS_HEADER, CONSOLE_STATUS_TEXT_HEADER,
};
use serde_json::{json, Map, Value};
use tower::{Layer, ServiceExt};

use crate::admin::routes::{
    actor, op_all_roles, op_change_password, op_delete_role, op_delete_user, op_get_role,
    op_get_user, op_list_users, op_put_role, op_put_user, parse_user_body, PasswordChange,
};
use crate::admin::{self, roles, AdminError, AdminResult};
use crate::authz::{self, DevToolsConsole, Guarded, HasPrivilegesRequest};
use crate::platform::error::{AppError, AppResult};
use crate::platform::session::Principal;
use crate::AppState;

pub const METHODS: &[&str] = &["HEAD", "GET", "POST", "PUT", "DELETE", "PATCH"];

pub fn router() -> Router<AppState> {
    Router::new().route(CONSOLE_PROXY_PATH, post(proxy))
}

/// The answer of one proxied request: status and Elasticsearch body.
type EsAnswer = (StatusCode, Value);

fn es_error(e: AdminError) -> EsAnswer {
    if let AdminError::Internal(error) = &e {
        tracing::error!(error = format!("{error:#}"), "console proxy");
    }
    (e.status(), e.es_body())
}

/// Elasticsearch's answer to a delete: `found` says whether there was something to delete.
fn es_deleted(result: AdminResult<()>) -> EsAnswer {
    match result {
        Ok(()) => (StatusCode::OK, json!({ "found": true })),
        Err(AdminError::NotFound(_)) => (StatusCode::NOT_FOUND, json!({ "found": false })),
        Err(e) => es_error(e),
    }
}

fn es_simple_error(status: StatusCode, kind: &str, reason: String) -> EsAnswer {
    (
        status,
        json!({
            "error": { "root_cause": [{ "type": kind, "reason": reason }], "type": kind, "reason": reason },
            "status": status.as_u16(),
        }),
    )
}

fn es_user(user: &gatehouse_api::admin::User) -> Value {
    json!({
        "username": user.username,
        "roles": user.roles,
        "full_name": user.full_name,
        "email": user.email,
        "metadata": user.metadata,
        "enabled": user.enabled,
    })
}

fn es_role(role: &RoleDescriptor, name: &str) -> Value {
    let mut value = serde_json::to_value(role).unwrap_or_else(|_| json!({}));
    if roles::is_reserved(name) {
        value["metadata"]["_reserved"] = json!(true);
    }
    value["transient_metadata"] = json!({ "enabled": true });
    value
}

async fn proxy(
    Guarded {
        principal, space, ..
    }: Guarded<DevToolsConsole>,
    State(state): State<AppState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    RawQuery(query): RawQuery,
    request_headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let mut path = None;
    let mut method = None;
    for (k, v) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "path" => path = Some(v.into_owned()),
            "method" => method = Some(v.into_owned()),
            _ => {}
        }
    }
    let method_raw = method.unwrap_or_default();
    let method = method_raw.to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(AppError::boom(
            StatusCode::BAD_REQUEST,
            format!("Method must be one of, case insensitive ['HEAD', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH']. Received '{method_raw}'."),
        ));
    }
    let Some(path) = path else {
        return Err(AppError::boom(
            StatusCode::BAD_REQUEST,
            "[request query.path]: expected value of type [string] but got [undefined]",
        ));
    };
    let connect_info = connect_info.map(|Extension(info)| info);
    let mut retry_after = None;
    let (status, body) = match path.strip_prefix("kbn:") {
        Some(kibana_path) => {
            let caller = KibanaCaller {
                headers: &request_headers,
                connect_info,
                space: space.id(),
            };
            kibana_request(&state, caller, &method, kibana_path, body).await
        }
        None => {
            let caller = EsCaller {
                principal: &principal,
                space: space.id(),
                address: connect_info.map(|ConnectInfo(addr)| addr.ip()),
            };
            let (status, body) = dispatch(&state, caller, &method, &path, &body).await;
            retry_after = retry_after_header(&body);
            (status, body.to_string())
        }
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(CONSOLE_STATUS_HEADER, HeaderValue::from(status.as_u16()));
    headers.insert(
        CONSOLE_STATUS_TEXT_HEADER,
        HeaderValue::from_static(status.canonical_reason().unwrap_or("Unknown")),
    );
    if let Some(retry_after) = retry_after {
        headers.insert(header::RETRY_AFTER, retry_after);
    }
    Ok(response)
}

/// The `Retry-After` an Elasticsearch error body lists under `error.header` (a 429 from the
/// password-guess limiter, a 503 when every argon2 turn is taken), for the proxy's own answer.
fn retry_after_header(body: &Value) -> Option<HeaderValue> {
    body.pointer("/error/header/Retry-After/0")
        .and_then(Value::as_str)
        .and_then(|v| HeaderValue::from_str(v).ok())
}

/// Who sent a `kbn:` console request: their cookie goes along, so the Kibana route answers as
/// them, with every rule (session, headers, authorization) applied as for a direct call.
struct KibanaCaller<'a> {
    headers: &'a HeaderMap,
    connect_info: Option<ConnectInfo<SocketAddr>>,
    space: &'a str,
}

/// `kbn:<path>`: runs the request through this server's own Kibana routes (in the caller's space)
/// and answers their status and body unchanged, as Kibana's console does.
async fn kibana_request(
    state: &AppState,
    caller: KibanaCaller<'_>,
    method: &str,
    kibana_path: &str,
    body: Bytes,
) -> (StatusCode, String) {
    let bare = if kibana_path.starts_with('/') {
        kibana_path.to_string()
    } else {
        format!("/{kibana_path}")
    };
    let refuse = |reason: String| {
        let (status, body) = es_simple_error(
            StatusCode::BAD_REQUEST,
            "illegal_argument_exception",
            reason,
        );
        (status, body.to_string())
    };
    if bare.starts_with(CONSOLE_PROXY_PATH) || bare.starts_with("/s/") {
        return refuse(format!(
            "[kbn:{bare}]: the console cannot call itself or another space"
        ));
    }
    let uri = if caller.space == crate::platform::kibana::DEFAULT_SPACE {
        bare
    } else {
        format!("/s/{}{bare}", caller.space)
    };
    let Ok(method) = axum::http::Method::from_bytes(method.as_bytes()) else {
        return refuse(format!("[{method}]: not an HTTP method"));
    };
    let mut builder = axum::http::Request::builder().method(method).uri(&uri);
    if let Some(cookie) = caller.headers.get(header::COOKIE) {
        builder = builder.header(header::COOKIE, cookie);
    }
    // While viewing as another user the route answers as that user too (docs/view-as.md).
    if let Some(run_as) = caller.headers.get(gatehouse_api::run_as::RUN_AS_HEADER) {
        builder = builder.header(gatehouse_api::run_as::RUN_AS_HEADER, run_as);
    }
    builder = builder
        .header(gatehouse_api::headers::KBN_XSRF, "true")
        .header(
            gatehouse_api::headers::INTERNAL_ORIGIN,
            gatehouse_api::headers::INTERNAL_ORIGIN_VALUE,
        );
    if !body.iter().all(u8::is_ascii_whitespace) {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    let Ok(mut request) = builder.body(axum::body::Body::from(body)) else {
        return refuse(format!("[kbn:{uri}]: not a valid request path"));
    };
    if let Some(info) = caller.connect_info {
        request.extensions_mut().insert(info);
    }
    let app = axum::middleware::from_fn(crate::platform::kibana::request_rules)
        .layer(crate::router(state.clone()));
    let response = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status();
    match axum::body::to_bytes(
        response.into_body(),
        crate::platform::kibana::BODY_LIMIT * 16,
    )
    .await
    {
        Ok(bytes) => (status, String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => {
            tracing::error!(error = %e, "console kbn: answer");
            let (status, body) = es_simple_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "exception",
                "the Kibana route's answer could not be read".to_string(),
            );
            (status, body.to_string())
        }
    }
}

fn parse_body(raw: &[u8]) -> Result<Value, EsAnswer> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(raw).map_err(|e| {
        es_simple_error(
            StatusCode::BAD_REQUEST,
            "parse_exception",
            format!("request body is required to be valid JSON: {e}"),
        )
    })
}

/// Who sent an Elasticsearch console request: the session's principal, the space of the console
/// request, and the client address (the password-guess limiter counts per address).
pub struct EsCaller<'a> {
    pub principal: &'a Principal,
    pub space: &'a str,
    pub address: Option<IpAddr>,
}

/// `_security/user/[{u}/]_password`'s body: Elasticsearch's `password` (the new one) and, for your
/// own account, Gatehouse's `current_password` (docs/console.md#passwords).
fn parse_password_body(body: &Value, username: &str) -> AdminResult<PasswordChange> {
    let empty = Map::new();
    let map = match body {
        Value::Null => &empty,
        Value::Object(map) => map,
        _ => {
            return Err(AdminError::Es400 {
                kind: "parse_exception",
                reason: "failed to parse change password request. expected an object".into(),
            })
        }
    };
    if let Some(key) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "password" | "current_password"))
    {
        return Err(AdminError::Es400 {
            kind: "parse_exception",
            reason: format!("failed to parse change password request. unexpected field [{key}]"),
        });
    }
    let text = |key: &str| -> AdminResult<Option<String>> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(AdminError::Es400 {
                kind: "parse_exception",
                reason: format!(
                    "failed to parse change password request. expected field [{key}] to be of type string"
                ),
            }),
        }
    };
    let Some(new_password) = text("password")? else {
        return Err(AdminError::validation("password must be specified"));
    };
    Ok(PasswordChange {
        username: username.to_string(),
        new_password,
        new_password_field: "password",
        current_password: text("current_password")?,
    })
}

/// Routes one Elasticsearch request of the supported subset.
pub async fn dispatch(
    state: &AppState,
    caller: EsCaller<'_>,
    method: &str,
    raw_path: &str,
    raw_body: &[u8],
) -> EsAnswer {
    let EsCaller {
        principal,
        space,
        address,
    } = caller;
    let path = raw_path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .map(|s| {
            form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let body = match parse_body(raw_body) {
        Ok(b) => b,
        Err(answer) => return answer,
    };
    let subject = &principal.subject;
    let actor = || actor(principal, space);
    match (method, seg.as_slice()) {
        ("GET", ["_security", "_authenticate"]) => {
            // The user as `GET _security/user` shows it, plus how it signed in.
            let mut answer = es_user(&super::users::user_of(&principal.user));
            answer["authentication_realm"] = json!({ "name": "native", "type": "native" });
            answer["lookup_realm"] = json!({ "name": "native", "type": "native" });
            answer["authentication_type"] = json!("realm");
            (StatusCode::OK, answer)
        }
        ("GET" | "POST", ["_security", "user", "_has_privileges"]) => {
            let request: HasPrivilegesRequest =
                match serde_json::from_value(if body.is_null() { json!({}) } else { body }) {
                    Ok(r) => r,
                    Err(e) => {
                        return es_simple_error(
                            StatusCode::BAD_REQUEST,
                            "parse_exception",
                            format!("failed to parse privileges check: {e}"),
                        )
                    }
                };
            if let Err(reason) = request.check_size() {
                return es_simple_error(
                    StatusCode::BAD_REQUEST,
                    "action_request_validation_exception",
                    reason,
                );
            }
            let result = authz::has_privileges(subject, &request);
            let mut value = serde_json::to_value(&result).unwrap_or_else(|_| json!({}));
            value["username"] = json!(principal.user.username);
            (StatusCode::OK, value)
        }
        ("PUT" | "POST", ["_security", "role", name]) => {
            if let Err(e) = admin::validate_role_name(name) {
                return es_error(e);
            }
            let role = match admin::es_body_to_descriptor(&body) {
                Ok(r) => r,
                Err(e) => return es_error(e),
            };
            match op_put_role(state, subject, actor(), name, role, false).await {
                Ok(created) => (StatusCode::OK, json!({ "role": { "created": created } })),
                Err(e) => es_error(e),
            }
        }
        ("GET", ["_security", "role"]) => match op_all_roles(state, subject).await {
            Ok(roles) => {
                let map: Map<String, Value> = roles
                    .iter()
                    .map(|(n, r)| (n.clone(), es_role(r, n)))
                    .collect();
                (StatusCode::OK, Value::Object(map))
            }
            Err(e) => es_error(e),
        },
        ("GET", ["_security", "role", name]) => match op_get_role(state, subject, name).await {
            Ok(role) => (StatusCode::OK, json!({ *name: es_role(&role, name) })),
            Err(AdminError::NotFound(_)) => (StatusCode::NOT_FOUND, json!({})),
            Err(e) => es_error(e),
        },
        ("DELETE", ["_security", "role", name]) => {
            es_deleted(op_delete_role(state, subject, actor(), name).await)
        }
        ("PUT" | "POST", ["_security", "user", "_password"])
        | ("PUT" | "POST", ["_security", "user", _, "_password"]) => {
            let username = match seg.as_slice() {
                [_, _, username, "_password"] => *username,
                _ => principal.user.username.as_str(),
            };
            let change = match parse_password_body(&body, username) {
                Ok(change) => change,
                Err(e) => return es_error(e),
            };
            match op_change_password(state, principal, actor(), address, change).await {
                Ok(()) => (StatusCode::OK, json!({})),
                Err(e) => es_error(e),
            }
        }
        ("PUT" | "POST", ["_security", "user", username]) => {
            let body = if body.is_null() { json!({}) } else { body };
            if body.get("roles").is_none() {
                return es_error(AdminError::validation("roles are missing"));
            }
            let parsed = match parse_user_body(&body, false) {
                Ok(p) => p,
                Err(e) => return es_error(e),
            };
            match op_put_user(state, subject, actor(), username, parsed).await {
                Ok((_, created)) => (StatusCode::OK, json!({ "created": created })),
                Err(e) => es_error(e),
            }
        }
        ("GET", ["_security", "user"]) => match op_list_users(state, subject).await {
            Ok(users) => {
                let map: Map<String, Value> = users
                    .iter()
                    .map(|u| (u.username.clone(), es_user(u)))
                    .collect();
                (StatusCode::OK, Value::Object(map))
            }
            Err(e) => es_error(e),
        },
        ("GET", ["_security", "user", username]) => {
            match op_get_user(state, subject, username).await {
                Ok(user) => (StatusCode::OK, json!({ *username: es_user(&user) })),
                Err(AdminError::NotFound(_)) => (StatusCode::NOT_FOUND, json!({})),
                Err(e) => es_error(e),
            }
        }
        ("DELETE", ["_security", "user", username]) => {
            es_deleted(op_delete_user(state, subject, actor(), username).await)
        }
        _ => (
            StatusCode::BAD_REQUEST,
            json!({
                "error": format!("no handler found for uri [/{}] and method [{method}]", seg.join("/")),
                "status": 400,
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::password::PasswordWorkError;

    /// `err` as the console answers it: `status`, the error's `kind` and `reason`, and a
    /// Retry-After of `retry_after` seconds.
    fn assert_es_error(
        err: AdminError,
        status: StatusCode,
        kind: &str,
        reason: &str,
        retry_after: &'static str,
    ) {
        let (got, body) = es_error(err);
        assert_eq!(got, status);
        assert_eq!(body["status"], status.as_u16());
        assert_eq!(body["error"]["type"], kind);
        assert_eq!(body["error"]["reason"], reason);
        assert_eq!(
            retry_after_header(&body),
            Some(HeaderValue::from_static(retry_after))
        );
    }

    #[test]
    fn busy_and_locked_answers_carry_retry_after() {
        let busy = AdminError::from(PasswordWorkError::Busy {
            retry_after_secs: 1,
        });
        assert_es_error(
            busy,
            StatusCode::SERVICE_UNAVAILABLE,
            "es_rejected_execution_exception",
            "Too many password checks are running. Try again in 1 seconds.",
            "1",
        );

        assert_es_error(
            AdminError::too_many_attempts(840),
            StatusCode::TOO_MANY_REQUESTS,
            "security_exception",
            "Too many failed login attempts. Try again in 840 seconds.",
            "840",
        );

        let (_, denied) = es_error(AdminError::Denied("no".into()));
        assert_eq!(retry_after_header(&denied), None);
    }
}

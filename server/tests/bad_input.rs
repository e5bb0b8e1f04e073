//! Bad input on every write route: malformed JSON, a wrong content type, invalid UTF-8, wrong
//! types and oversized bodies each get a clear 4xx in the route's error shape (never a 5xx), the
//! static file service never leaves the dist directory, and SQL metacharacters in search terms
//! are literal.

mod common;

use common::{expect, raw_request, send_json, Session, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LEADS: &str = "/internal/entity_analytics/leads";

/// How a route reads its body.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Body {
    /// A JSON body the route validates.
    Json,
    /// No body: whatever is sent is ignored (as Kibana does), but never a 5xx, and oversized → 413.
    Ignored,
    /// The Dev Tools console proxy: always 200 with `x-console-proxy-status-code`; any body is
    /// forwarded as Elasticsearch would read it (content type not checked, as in Kibana).
    Console,
}

/// Which error body the route answers with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Boom,
    Siem,
    Es,
}

struct Route {
    method: Method,
    path: &'static str,
    body: Body,
    shape: Shape,
    /// A body whose JSON is well-formed but whose field types are wrong.
    wrong_types: Value,
}

fn routes() -> Vec<Route> {
    use Body::*;
    use Shape::*;
    let r = |method: Method, path: &'static str, body, shape, wrong_types| Route {
        method,
        path,
        body,
        shape,
        wrong_types,
    };
    vec![
        r(
            Method::POST,
            "/internal/security/login",
            Json,
            Boom,
            json!({"providerType": "basic", "providerName": "basic", "currentURL": "/",
                   "params": {"username": 5, "password": []}}),
        ),
        r(
            Method::POST,
            "/api/security/logout",
            Ignored,
            Boom,
            json!(1),
        ),
        r(
            Method::POST,
            "/api/core/capabilities",
            Json,
            Boom,
            json!({"applications": 5}),
        ),
        r(
            Method::POST,
            "/internal/entity_analytics/leads/generate",
            Json,
            Siem,
            json!({"connectorId": 5, "maxLeads": "ten"}),
        ),
        r(
            Method::POST,
            "/internal/entity_analytics/leads/enable",
            Json,
            Siem,
            json!({"connectorId": []}),
        ),
        r(
            Method::POST,
            "/internal/entity_analytics/leads/disable",
            Json,
            Siem,
            json!([1, 2]),
        ),
        r(
            Method::POST,
            "/internal/entity_analytics/leads/lead-1/_dismiss",
            Ignored,
            Siem,
            json!(1),
        ),
        r(
            Method::POST,
            "/internal/entity_analytics/leads/bulk_update",
            Json,
            Siem,
            json!({"ids": "all", "status": 1}),
        ),
        r(
            Method::POST,
            "/api/dashboards",
            Json,
            Boom,
            json!({"data": {"title": 5, "panels": "x"}}),
        ),
        r(
            Method::POST,
            "/api/dashboards/new-one",
            Json,
            Boom,
            json!({"data": {"title": []}}),
        ),
        r(
            Method::PUT,
            "/api/dashboards/phishing-triage",
            Json,
            Boom,
            json!({"data": {"title": {"a": 1}}, "version": 3}),
        ),
        r(
            Method::DELETE,
            "/api/dashboards/does-not-exist",
            Ignored,
            Boom,
            json!(1),
        ),
        r(
            Method::POST,
            "/api/dashboards/_bulk_update",
            Json,
            Boom,
            json!({"objects": {"id": 1}}),
        ),
        r(
            Method::POST,
            "/api/dashboards/_bulk_delete",
            Json,
            Boom,
            json!({"objects": [{"id": 7}]}),
        ),
        r(
            Method::POST,
            "/internal/access_control/change_access_mode",
            Json,
            Boom,
            json!({"objects": [{"type": "dashboard", "id": "soc-overview"}], "accessMode": 1}),
        ),
        r(
            Method::POST,
            "/internal/access_control/change_owner",
            Json,
            Boom,
            json!({"objects": "soc-overview", "newOwnerProfileUid": false}),
        ),
        r(
            Method::POST,
            "/internal/security/user_profile/_bulk_get",
            Json,
            Boom,
            json!({"uids": "u_bob_0"}),
        ),
        r(
            Method::POST,
            "/internal/security/user_profile/_suggest",
            Json,
            Boom,
            json!({"name": 1, "size": "big"}),
        ),
        r(
            Method::POST,
            "/internal/security/user_profile/_data",
            Json,
            Boom,
            json!(["gatehouse", {"lastSpace": "soc-emea"}]),
        ),
        r(
            Method::POST,
            "/internal/security/users/newbie",
            Json,
            Boom,
            json!({"username": "newbie", "password": 12345678, "roles": "viewer"}),
        ),
        r(
            Method::POST,
            "/internal/security/users/bob/password",
            Json,
            Boom,
            json!({"newPassword": 5}),
        ),
        r(
            Method::POST,
            "/internal/security/users/bob/_disable",
            Ignored,
            Boom,
            json!(1),
        ),
        r(
            Method::POST,
            "/internal/security/users/bob/_enable",
            Ignored,
            Boom,
            json!(1),
        ),
        r(
            Method::DELETE,
            "/internal/security/users/nobody",
            Ignored,
            Boom,
            json!(1),
        ),
        r(
            Method::PUT,
            "/api/security/role/new_role",
            Json,
            Boom,
            json!({"elasticsearch": {"cluster": "all", "indices": 5}, "kibana": "x"}),
        ),
        r(
            Method::DELETE,
            "/api/security/role/nothing_here",
            Ignored,
            Boom,
            json!(1),
        ),
        r(
            Method::POST,
            "/api/security/role/_query",
            Json,
            Boom,
            json!({"query": 5, "from": "x", "size": -1}),
        ),
        r(
            Method::POST,
            "/api/console/proxy?path=_security/role/new_role&method=PUT",
            Console,
            Es,
            json!({"cluster": "all", "indices": 5}),
        ),
    ]
}

/// One bad input.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bad {
    MalformedJson,
    WrongContentType,
    InvalidUtf8,
    WrongTypes,
    Oversized,
    OversizedChunked,
}

const ALL_BAD: [Bad; 6] = [
    Bad::MalformedJson,
    Bad::WrongContentType,
    Bad::InvalidUtf8,
    Bad::WrongTypes,
    Bad::Oversized,
    Bad::OversizedChunked,
];

fn oversized() -> Vec<u8> {
    let mut body = b"{\"x\":\"".to_vec();
    body.resize(1024 * 1024 + 64, b'a');
    body.extend_from_slice(b"\"}");
    body
}

/// Every header the SPA sends, with each route's own API version.
fn with_headers(
    t: &TestServer,
    session: &Session,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    let builder = t
        .http
        .request(method, t.url(path))
        .header("cookie", &session.cookie)
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana");
    if path.starts_with(LEADS) {
        builder.header("elastic-api-version", "1")
    } else if path.starts_with("/api/dashboards") {
        builder.header("elastic-api-version", "2023-10-31")
    } else {
        builder
    }
}

fn request(t: &TestServer, session: &Session, route: &Route, bad: Bad) -> reqwest::RequestBuilder {
    let builder = with_headers(t, session, route.method.clone(), route.path);
    match bad {
        Bad::MalformedJson => builder
            .header("content-type", "application/json")
            .body("{\"connectorId\": \"x\",,"),
        Bad::WrongContentType => builder
            .header("content-type", "text/plain")
            .body(route.wrong_types.to_string().replace("5", "\"5\"")),
        Bad::InvalidUtf8 => builder
            .header("content-type", "application/json")
            .body(b"{\"name\": \"\xff\xfe\xc3\x28\"}".to_vec()),
        Bad::WrongTypes => builder.json(&route.wrong_types),
        Bad::Oversized => builder
            .header("content-type", "application/json")
            .body(oversized()),
        Bad::OversizedChunked => unreachable!("sent over a raw connection"),
    }
}

/// Sends an oversized body with `Transfer-Encoding: chunked` (no Content-Length), so the limit
/// must hold while the stream is read. Returns (status, console status, body).
async fn send_chunked(
    t: &TestServer,
    session: &Session,
    route: &Route,
) -> (StatusCode, Option<u16>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = t.server.as_ref().unwrap().addr;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let version = if route.path.starts_with(LEADS) {
        "elastic-api-version: 1\r\n"
    } else {
        ""
    };
    let head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\ncookie: {}\r\nkbn-xsrf: true\r\n\
         x-elastic-internal-origin: Kibana\r\n{version}\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\
         connection: close\r\n\r\n",
        route.method, route.path, session.cookie
    );
    let mut out = head.into_bytes();
    for chunk in oversized().chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before reading everything: a failed write is expected.
    let _ = stream.write_all(&out).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut answer),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let console = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("x-console-proxy-status-code")
            .then(|| v.trim().parse().ok())
            .flatten()
    });
    (status, console, body.to_string())
}

fn message_of(shape: Shape, body: &Value) -> Option<String> {
    match shape {
        Shape::Boom => body["message"]
            .as_str()
            .filter(|_| body["statusCode"].is_u64()),
        Shape::Siem => body["message"]
            .as_str()
            .filter(|_| body["status_code"].is_u64()),
        Shape::Es => body["error"]["reason"].as_str(),
    }
    .map(str::to_string)
}

#[tokio::test]
async fn every_write_route_answers_bad_input_with_a_clear_4xx() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for route in routes() {
        for bad in ALL_BAD {
            // Logging out ends the session it is sent with: give it one of its own.
            let session = if route.path == "/api/security/logout" {
                t.login("elastic").await
            } else {
                elastic.clone()
            };
            let (status, console_status, text) = if bad == Bad::OversizedChunked {
                send_chunked(&t, &session, &route).await
            } else {
                let response = request(&t, &session, &route, bad)
                    .send()
                    .await
                    .expect("server answers");
                let status = response.status();
                let console_status = response
                    .headers()
                    .get("x-console-proxy-status-code")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u16>().ok());
                (
                    status,
                    console_status,
                    response.text().await.unwrap_or_default(),
                )
            };
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            checked += 1;
            if std::env::var_os("BAD_INPUT_TRACE").is_some() {
                println!(
                    "{} {} {bad:?} -> {status} {console_status:?} {}",
                    route.method,
                    route.path,
                    text.chars().take(110).collect::<String>()
                );
            }
            let label = format!("{} {} {bad:?}", route.method, route.path);
            let oversize = matches!(bad, Bad::Oversized | Bad::OversizedChunked);
            // What the route's error shape is for this answer (413s come before the route runs,
            // but still in the route's shape; the console's 413 is Kibana's Boom).
            let shape = if oversize && route.shape == Shape::Es {
                Shape::Boom
            } else {
                route.shape
            };
            if status.is_server_error() {
                failures.push(format!("{label}: {status} {text}"));
                continue;
            }
            if oversize {
                if status != StatusCode::PAYLOAD_TOO_LARGE || message_of(shape, &body).is_none() {
                    failures.push(format!(
                        "{label}: expected 413 with a message, got {status} {text}"
                    ));
                }
                continue;
            }
            match route.body {
                Body::Ignored => {
                    if !status.is_success() && message_of(shape, &body).is_none() {
                        failures.push(format!("{label}: {status} without a message: {text}"));
                    }
                }
                Body::Json => {
                    if !status.is_client_error() || message_of(shape, &body).is_none() {
                        failures.push(format!(
                            "{label}: expected 4xx with a message, got {status} {text}"
                        ));
                    }
                }
                Body::Console => {
                    if bad == Bad::WrongContentType {
                        // Forwarded as Elasticsearch reads it; the wrong field types still fail.
                        if console_status.is_none_or(|s| !(400..500).contains(&s)) {
                            failures
                                .push(format!("{label}: console status {console_status:?} {text}"));
                        }
                        continue;
                    }
                    let ok = status == StatusCode::OK
                        && console_status.is_some_and(|s| (400..500).contains(&s))
                        && message_of(shape, &body).is_some();
                    if !ok {
                        failures.push(format!(
                            "{label}: expected 200 with a 4xx console status, got {status} {console_status:?} {text}"
                        ));
                    }
                }
            }
        }
    }
    println!(
        "bad input: {checked} requests checked, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn static_files_never_leave_the_dist_directory() {
    let outside = tempfile::tempdir().unwrap();
    let dist = outside.path().join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>gatehouse</title>",
    )
    .unwrap();
    std::fs::write(dist.join("assets/app.js"), "console.log('app')").unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP-SECRET-OUTSIDE-DIST").unwrap();
    let dist_for_config = dist.clone();
    let t = TestServer::start_with(move |c| c.dist_dir = Some(dist_for_config)).await;
    let addr = t.server.as_ref().unwrap().addr;

    // A file inside dist is served.
    let inside = raw_request(
        addr,
        "GET /assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(inside.contains("console.log('app')"), "{inside}");

    let attempts = [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/assets\\..\\..\\secret.txt",
        "/%252e%252e/secret.txt",
        "/....//secret.txt",
        "//secret.txt",
        "/assets/..%00/secret.txt",
        "/s/default/../secret.txt",
        "/s/default/%2e%2e/secret.txt",
    ];
    for path in attempts {
        let answer = raw_request(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
        .await;
        assert!(!answer.contains("TOP-SECRET"), "{path} leaked: {answer}");
        let status_line = answer.lines().next().unwrap_or("");
        assert!(
            !status_line.contains(" 5"),
            "{path}: no server error: {status_line}"
        );
    }
    // Through an HTTP client too (which may normalise the path first).
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%5csecret.txt"] {
        let response = t.http.get(t.url(path)).send().await.unwrap();
        assert!(!response.status().is_server_error(), "{path}");
        assert!(
            !response.text().await.unwrap().contains("TOP-SECRET"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn sql_metacharacters_in_search_terms_are_literal() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let list = || with_headers(&t, &elastic, Method::GET, "/api/dashboards?perPage=100");
    let all = expect(send_json(list()).await, StatusCode::OK);
    let total = all["total"].as_u64().expect("total");
    assert!(total >= 5, "{all}");

    // A title made of metacharacters is stored and found as itself.
    let title = "x' OR '1'='1 -- %_\\ \"; DROP TABLE dashboards; --";
    expect(
        send_json(
            with_headers(&t, &elastic, Method::POST, "/api/dashboards")
                .json(&json!({"data": {"title": title}})),
        )
        .await,
        StatusCode::OK,
    );

    for term in [
        "' OR '1'='1",
        "%",
        "_",
        "\\",
        "\"; DROP TABLE dashboards; --",
        "*",
        "%' --",
    ] {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("search", term)
            .append_pair("perPage", "100")
            .finish();
        let (status, page) = t
            .get_json(&elastic, &format!("/api/dashboards?{query}"))
            .await;
        assert!(
            status.is_success() || status.is_client_error(),
            "{term}: {status} {page}"
        );
        if status.is_success() {
            let titles: Vec<&str> = page["dashboards"]
                .as_array()
                .or_else(|| page["items"].as_array())
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|d| d["data"]["title"].as_str().or(d["title"].as_str()))
                        .collect()
                })
                .unwrap_or_default();
            // Every hit literally contains the term (case-insensitively) — `%`/`_` are not
            // wildcards and `'` does not widen the match to every row.
            if term != "*" {
                for t in &titles {
                    assert!(
                        t.to_lowercase().contains(&term.to_lowercase()),
                        "{term:?} matched {t:?}"
                    );
                }
            }
            assert!(
                (titles.len() as u64) < total + 1 || term == "*",
                "{term:?} matched everything: {titles:?}"
            );
        }
    }
    // The table is still there and intact.
    let after = expect(send_json(list()).await, StatusCode::OK);
    assert_eq!(after["total"].as_u64(), Some(total + 1));

    // Leads search-like parameters with metacharacters are refused as values, not executed.
    let injected = format!("{LEADS}?sortField=priority%27%3B--&status=active");
    let body = expect(
        t.get_json(&elastic, &injected).await,
        StatusCode::BAD_REQUEST,
    );
    assert!(body["message"].is_string(), "{body}");
}

//! Starts the real server on 127.0.0.1:0 with a temporary database and talks to it over HTTP.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use gatehouse_api::security::LoginRequest;
use gatehouse_server::{Config, RunningServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub mod binary;
pub mod dashboards;
pub mod fuzz;
pub mod password_attacks;
pub mod search;
pub mod slow_clients;

/// One attack the attack suite counts (`tests/attacks.rs`), judged by its effect.
pub struct Attempt {
    pub what: String,
    pub blocked: bool,
    pub detail: String,
}

/// The run id a leads generate answers with, which the caller then waits for in `/status`.
pub fn execution_uuid(answer: &Value) -> String {
    answer["executionUuid"]
        .as_str()
        .expect("executionUuid")
        .to_string()
}

/// A request with the headers the SPA sends: `kbn-xsrf`, the internal origin, the session's
/// cookie if any, and `elastic-api-version` for the first of `versions` (path prefix, version)
/// whose prefix `path` has, since each suite names the versioned routes it sends to.
pub fn spa_request(
    t: &TestServer,
    session: Option<&Session>,
    method: Method,
    path: &str,
    versions: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let mut builder = t
        .http
        .request(method, t.url(path))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana");
    if let Some((_, version)) = versions.iter().find(|(prefix, _)| path.starts_with(prefix)) {
        builder = builder.header("elastic-api-version", *version);
    }
    if let Some(session) = session {
        builder = builder.header("cookie", &session.cookie);
    }
    builder
}

/// The names the write routes of [`write_routes`] act on: the attack suite aims at real objects,
/// the fuzzer at ones of its own, so each names them.
pub struct WriteTargets<'a> {
    pub dashboard_created: &'a str,
    pub dashboard_updated: &'a str,
    pub dashboard_deleted: &'a str,
    pub user_created: &'a str,
    pub user_changed: &'a str,
    pub user_deleted: &'a str,
    pub role_put: &'a str,
    pub role_deleted: &'a str,
}

/// The write routes whose paths name nothing a suite chooses.
const FIXED_WRITE_ROUTES: &[(&str, &str)] = &[
    ("POST", "/internal/security/login"),
    ("POST", "/api/security/logout"),
    ("POST", "/api/core/capabilities"),
    ("POST", "/internal/entity_analytics/leads/generate"),
    ("POST", "/internal/entity_analytics/leads/enable"),
    ("POST", "/internal/entity_analytics/leads/disable"),
    (
        "POST",
        "/internal/entity_analytics/leads/some-lead/_dismiss",
    ),
    ("POST", "/internal/entity_analytics/leads/bulk_update"),
    ("PUT", "/internal/entity_analytics/leads/connector"),
    ("POST", "/api/dashboards"),
    ("POST", "/api/dashboards/_bulk_update"),
    ("POST", "/api/dashboards/_bulk_delete"),
    ("POST", "/internal/access_control/change_access_mode"),
    ("POST", "/internal/access_control/change_owner"),
    ("POST", "/internal/security/user_profile/_bulk_get"),
    ("POST", "/internal/security/user_profile/_suggest"),
    ("POST", "/internal/security/user_profile/_data"),
    ("POST", "/api/security/role/_query"),
    ("POST", "/api/saved_objects/_import"),
    ("POST", "/api/saved_objects/_resolve_import_errors"),
    ("POST", "/api/saved_objects/_bulk_create"),
    ("PUT", "/api/saved_objects/_bulk_update"),
    ("POST", "/api/saved_objects/_bulk_delete"),
    ("PUT", "/api/saved_objects/dashboard/phishing-triage"),
];

/// Every write route (method and path), one list for the suites that must reach them all: the
/// fixed ones, then those on the objects `n` names.
pub fn write_routes(n: &WriteTargets) -> Vec<(&'static str, String)> {
    let users = "/internal/security/users";
    let named = [
        ("POST", format!("/api/dashboards/{}", n.dashboard_created)),
        ("PUT", format!("/api/dashboards/{}", n.dashboard_updated)),
        ("DELETE", format!("/api/dashboards/{}", n.dashboard_deleted)),
        ("POST", format!("{users}/{}", n.user_created)),
        ("POST", format!("{users}/{}/password", n.user_changed)),
        ("POST", format!("{users}/{}/_disable", n.user_changed)),
        ("POST", format!("{users}/{}/_enable", n.user_changed)),
        ("DELETE", format!("{users}/{}", n.user_deleted)),
        ("PUT", format!("/api/security/role/{}", n.role_put)),
        ("DELETE", format!("/api/security/role/{}", n.role_deleted)),
        (
            "POST",
            format!(
                "/api/console/proxy?path=_security/role/{}&method=PUT",
                n.role_put
            ),
        ),
    ];
    FIXED_WRITE_ROUTES
        .iter()
        .map(|&(method, path)| (method, path.to_string()))
        .chain(named)
        .collect()
}

pub const PASSWORD: &str = "changeme";

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub base: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// A fresh server and a session of `user` on it.
    pub async fn start_as(user: &str) -> (TestServer, Session) {
        let t = Self::start().await;
        let session = t.login(user).await;
        (t, session)
    }

    /// A fresh server with `count` synthetic leads in the default space (the same ones every
    /// time: a fixed seed), and a session of `elastic` on it.
    pub async fn start_with_leads(count: usize) -> (TestServer, Session) {
        let t = Self::start().await;
        let db = gatehouse_server::db::Db::open(&t.db_path()).expect("db");
        db.write(move |c| gatehouse_server::leads::insert_synthetic_leads(c, "default", count, 11))
            .await
            .expect("leads");
        let elastic = t.login("elastic").await;
        (t, elastic)
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            db_path: dir.path().join("gatehouse.db"),
            ..Config::default()
        };
        tweak(&mut config);
        let server = gatehouse_server::start(config)
            .await
            .expect("server starts");
        let base = server.url();
        TestServer {
            server: Some(server),
            dir,
            http: client(),
            base,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("gatehouse.db")
    }

    /// Disables `username` straight in the database, beneath the API (no audit row, no route's
    /// side effects), so a test sees what the server itself makes of a disabled user.
    pub async fn deactivate_user(&self, username: &str) {
        let db = gatehouse_server::db::Db::open(&self.db_path()).expect("db opens");
        let username = username.to_string();
        db.write(move |c| {
            Ok(c.execute(
                "UPDATE users SET enabled = 0 WHERE username = ?1",
                [username],
            )?)
        })
        .await
        .expect("user deactivated");
    }

    /// Stops the server and starts a new one on the same database.
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
        let server = gatehouse_server::start(Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            db_path: self.db_path(),
            ..Config::default()
        })
        .await
        .expect("server restarts");
        self.base = server.url();
        self.server = Some(server);
    }

    /// The first column of the first row `sql` selects, read straight from the database file.
    pub fn db_value<T: rusqlite::types::FromSql>(&self, sql: &str) -> T {
        let db = rusqlite::Connection::open(self.db_path()).expect("db");
        db.query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with every header the SPA sends (docs/headers-and-errors.md).
    pub fn kibana(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .header("kbn-xsrf", "true")
            .header("x-elastic-internal-origin", "Kibana")
            .header("elastic-api-version", "1")
    }

    /// A GET with the session cookie and none of the headers the SPA adds.
    pub fn bare_get(&self, session: &Session, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(self.url(path))
            .header("cookie", &session.cookie)
    }

    pub async fn login_response(&self, username: &str, password: &str) -> reqwest::Response {
        self.kibana(Method::POST, "/internal/security/login")
            .json(&LoginRequest::basic(username, password, "/login"))
            .send()
            .await
            .expect("login answers")
    }

    /// Logs in and returns the `sid=..` cookie pair.
    pub async fn login(&self, username: &str) -> Session {
        let response = self.login_response(username, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login as {username}");
        Session {
            cookie: sid_pair(&response).expect("login sets sid"),
        }
    }

    pub fn as_user(
        &self,
        session: &Session,
        method: Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.kibana(method, path).header("cookie", &session.cookie)
    }

    pub async fn get_json(&self, session: &Session, path: &str) -> (StatusCode, Value) {
        send_json(self.as_user(session, Method::GET, path)).await
    }

    pub async fn post_json(&self, s: &Session, path: &str, body: Value) -> (StatusCode, Value) {
        self.send_body(s, Method::POST, path, body).await
    }

    pub async fn put_json(&self, s: &Session, path: &str, body: Value) -> (StatusCode, Value) {
        self.send_body(s, Method::PUT, path, body).await
    }

    async fn send_body(
        &self,
        session: &Session,
        method: Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        send_json(self.as_user(session, method, path).json(&body)).await
    }

    pub async fn delete_json(&self, session: &Session, path: &str) -> (StatusCode, Value) {
        send_json(self.as_user(session, Method::DELETE, path)).await
    }

    /// Saves `role` as role `name` (as `admin`), makes a user `name` holding only it, and logs
    /// that user in: the setup every per-role test starts from.
    pub async fn user_with_role(&self, admin: &Session, name: &str, role: Value) -> Session {
        let (status, body) = self
            .put_json(admin, &format!("/api/security/role/{name}"), role)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let user = serde_json::json!({ "username": name, "password": PASSWORD, "roles": [name] });
        let (status, body) = self
            .post_json(admin, &format!("/internal/security/users/{name}"), user)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        self.login(name).await
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
}

/// The answer's content type, empty when it has none.
pub fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

pub fn set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

pub fn sid_pair(response: &reqwest::Response) -> Option<String> {
    set_cookie(response)
        .and_then(|c| c.split(';').next().map(str::to_string))
        .filter(|p| p.len() > 4)
}

pub async fn send_json(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("server answers");
    let status = response.status();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}

/// Sends raw bytes (for paths an HTTP client would normalise) and returns the raw answer.
pub async fn raw_request(addr: std::net::SocketAddr, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends a request, with a JSON body when there is one, and returns the status and the JSON.
pub async fn send_with(
    builder: reqwest::RequestBuilder,
    body: Option<Value>,
) -> (StatusCode, Value) {
    match body {
        Some(body) => send_json(builder.json(&body)).await,
        None => send_json(builder).await,
    }
}

/// Asserts an answer's status (showing its body when it differs) and hands back the body.
#[track_caller]
pub fn expect(answer: (StatusCode, Value), status: StatusCode) -> Value {
    assert_eq!(answer.0, status, "{}", answer.1);
    answer.1
}

/// Asserts an answer's status and the `message` of its body.
#[track_caller]
pub fn expect_message(answer: (StatusCode, Value), status: StatusCode, message: &str) {
    let body = expect(answer, status);
    assert_eq!(body["message"], message);
}

/// What the Dev Tools console proxy answered: its own HTTP status, and the proxied request's
/// status, status text and body (docs/console.md).
pub struct ConsoleAnswer {
    pub http: StatusCode,
    pub status: u16,
    pub text: String,
    pub body: Value,
    /// Bytes of the proxied body, as sent.
    pub bytes: usize,
}

/// Sends `method path` (with `body` as JSON, if any) through the console proxy as `s`.
pub async fn console(
    t: &TestServer,
    s: &Session,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> ConsoleAnswer {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("path", path)
        .append_pair("method", method);
    let mut req = t.as_user(
        s,
        Method::POST,
        &format!("/api/console/proxy?{}", query.finish()),
    );
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = req.send().await.expect("the console answers");
    let http = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let status = header("x-console-proxy-status-code")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let text = header("x-console-proxy-status-text").unwrap_or_default();
    let raw = response.text().await.unwrap_or_default();
    ConsoleAnswer {
        http,
        status,
        text,
        bytes: raw.len(),
        body: serde_json::from_str(&raw).unwrap_or(Value::String(raw)),
    }
}

//! What the dashboards tests share: the headers the SPA sends for each path, Kibana's error body,
//! the four demo users signed in, and the dashboard calls every test makes.

use gatehouse_api::dashboards::{Dashboard, DashboardAccessMode, DashboardList};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{send_with, Session, TestServer};

pub const OWNER_ALICE: &str = "u_alice_0";
pub const OWNER_BOB: &str = "u_bob_0";

/// A request with the headers the SPA sends for this path: `kbn-xsrf`, the internal origin on
/// `/internal/*`, `elastic-api-version: 2023-10-31` on `/api/dashboards`.
pub fn request(
    t: &TestServer,
    session: Option<&Session>,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    let bare = gatehouse_api::headers::strip_space_prefix(path.split('?').next().unwrap_or("")).0;
    let mut builder = t
        .http
        .request(method, t.url(path))
        .header("kbn-xsrf", "true");
    if bare.starts_with("/internal/") {
        builder = builder.header("x-elastic-internal-origin", "Kibana");
    }
    if bare.starts_with("/api/dashboards") {
        builder = builder.header("elastic-api-version", "2023-10-31");
    }
    if let Some(session) = session {
        builder = builder.header("cookie", &session.cookie);
    }
    builder
}

pub async fn get(t: &TestServer, s: &Session, path: &str) -> (StatusCode, Value) {
    send_with(request(t, Some(s), Method::GET, path), None).await
}

pub async fn post(t: &TestServer, s: &Session, path: &str, body: Value) -> (StatusCode, Value) {
    send_with(request(t, Some(s), Method::POST, path), Some(body)).await
}

pub async fn delete(t: &TestServer, s: &Session, path: &str) -> (StatusCode, Value) {
    send_with(request(t, Some(s), Method::DELETE, path), None).await
}

/// Kibana's error body.
pub fn boom(status: u16, message: &str) -> Value {
    let error = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        _ => "?",
    };
    json!({ "statusCode": status, "error": error, "message": message })
}

pub struct Users {
    pub alice: Session,
    pub bob: Session,
    pub elastic: Session,
    pub victor: Session,
}

pub async fn sign_in(t: &TestServer) -> Users {
    Users {
        alice: t.login("alice").await,
        bob: t.login("bob").await,
        elastic: t.login("elastic").await,
        victor: t.login("victor").await,
    }
}

impl Users {
    pub fn by_name(&self, name: &str) -> &Session {
        match name {
            "alice" => &self.alice,
            "bob" => &self.bob,
            "elastic" => &self.elastic,
            "victor" => &self.victor,
            other => panic!("no session for {other}"),
        }
    }
}

pub async fn create(
    t: &TestServer,
    session: &Session,
    title: &str,
    mode: DashboardAccessMode,
) -> Dashboard {
    let data = json!({
        "title": title,
        "description": "made by a test",
        "panels": [{"title": "Alerts", "type": "metric"}],
        "access_control": {"access_mode": mode.as_str()},
    });
    let (status, body) = post(t, session, "/api/dashboards", json!({ "data": data })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("dashboard")
}

pub async fn fetch(t: &TestServer, session: &Session, id: &str) -> (StatusCode, Value) {
    get(t, session, &format!("/api/dashboards/{id}")).await
}

pub async fn fetch_dashboard(t: &TestServer, session: &Session, id: &str) -> Dashboard {
    let (status, body) = fetch(t, session, id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("dashboard")
}

pub async fn list(t: &TestServer, session: &Session, query: &str) -> DashboardList {
    let (status, body) = get(t, session, &format!("/api/dashboards?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("list")
}

pub fn titles(list: &DashboardList) -> Vec<&str> {
    list.dashboards
        .iter()
        .map(|d| d.data.title.as_str())
        .collect()
}

pub async fn update(t: &TestServer, s: &Session, id: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/dashboards/{id}");
    send_with(request(t, Some(s), Method::PUT, &path), Some(body)).await
}

/// The `objects` of an access-control request: dashboards by id.
fn objects(ids: &[&str]) -> Vec<Value> {
    ids.iter()
        .map(|id| json!({"type": "dashboard", "id": id}))
        .collect()
}

pub async fn change_mode(
    t: &TestServer,
    session: &Session,
    ids: &[&str],
    mode: DashboardAccessMode,
) -> (StatusCode, Value) {
    let body = json!({"objects": objects(ids), "accessMode": mode.as_str()});
    post(
        t,
        session,
        "/internal/access_control/change_access_mode",
        body,
    )
    .await
}

pub async fn change_owner(
    t: &TestServer,
    session: &Session,
    ids: &[&str],
    new_owner: &str,
) -> (StatusCode, Value) {
    let body = json!({"objects": objects(ids), "newOwnerProfileUid": new_owner});
    post(t, session, "/internal/access_control/change_owner", body).await
}

pub fn flip(mode: DashboardAccessMode) -> DashboardAccessMode {
    match mode {
        DashboardAccessMode::Default => DashboardAccessMode::WriteRestricted,
        DashboardAccessMode::WriteRestricted => DashboardAccessMode::Default,
    }
}

pub const RESTRICTED: DashboardAccessMode = DashboardAccessMode::WriteRestricted;
pub const UNRESTRICTED: DashboardAccessMode = DashboardAccessMode::Default;

/// A create or update body that sets only the title.
pub fn titled(title: &str) -> Value {
    json!({"data": {"title": title}})
}

/// An update body that sets the title of the version the caller last read.
pub fn titled_at(title: &str, version: impl Into<Value>) -> Value {
    json!({"data": {"title": title}, "version": version.into()})
}

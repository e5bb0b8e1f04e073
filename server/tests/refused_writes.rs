//! Every write route of the server, sent the request a refused caller would send, with a field of
//! about 1 MB (inside the 1 MiB body limit): the answer is the refusal (401 without a session, 403
//! for a signed-in user without the privilege), not a parsing error (400/413), and nothing is
//! stored: no table but the audit log gains a row, and the database and audit.log grow by a
//! bounded amount (RELIABILITY.md, "Refused oversized writes"). Authorization comes before parsing,
//! hashing, writing or auditing (ARCHITECTURE.md).
//!
//! Prints `# refused oversized writes: N routes, bytes added to db X, to audit.log Y`.

mod common;

use std::collections::BTreeMap;

use common::{send_json, spa_request, TestServer};
use gatehouse_api::dashboards::{
    BULK_DELETE_PATH, BULK_UPDATE_PATH, CHANGE_ACCESS_MODE_PATH, CHANGE_OWNER_PATH, DASHBOARDS_PATH,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

mod search_paths {
    pub use super::common::search::{SEARCH, SOURCES};
}
use search_paths::{SEARCH, SOURCES};

const LEADS: &str = "/internal/entity_analytics/leads";
const USERS: &str = "/internal/security/users";
const ROLES: &str = "/api/security/role";
const SPACES: &str = "/api/spaces/space";
const CONSOLE: &str = "/api/console/proxy";

/// About 1 MB: the size of one field of every body, leaving room for the rest under 1 MiB.
const BIG: usize = 1_000_000;

/// Most the database may grow over the whole run: a few pages for the bounded audit rows of
/// refused access-control changes, nothing near one field's size.
const MAX_DB_GROWTH: u64 = 64 * 1024;
/// Most audit.log may grow over the whole run: a bounded line per audited refusal.
const MAX_AUDIT_GROWTH: u64 = 32 * 1024;
/// Tables a refused request may add rows to: the audit log (a refused access-control change is
/// audited, bounded) and the sessions table only through the logins this test makes first.
const MAY_GROW: &[&str] = &["audit_log"];

fn big() -> String {
    "x".repeat(BIG)
}

/// A profile uid of the right shape and the wrong size.
fn big_uid() -> String {
    format!("u_{}_0", "a".repeat(BIG))
}

struct Attempt {
    /// `METHOD path`, as the router names the route.
    route: String,
    user: Option<&'static str>,
    method: Method,
    path: String,
    body: Value,
}

fn attempt(
    user: Option<&'static str>,
    method: Method,
    path: impl Into<String>,
    body: Value,
) -> Attempt {
    let path = path.into();
    Attempt {
        route: format!("{method} {}", path.split('?').next().unwrap_or(&path)),
        user,
        method,
        path,
        body,
    }
}

/// Every write route, with the refused caller of the route and an oversized field in its body.
/// `source` is an existing search source.
fn attempts(source: &str) -> Vec<Attempt> {
    let victor = Some("victor");
    // kibana_admin: every Kibana feature, but no Elasticsearch privilege (leads index, security).
    let kibana_admin = Some("leads_no_access_user");
    let b = big;
    let dashboard = format!("{DASHBOARDS_PATH}/soc-overview");
    let identities = format!("{SOURCES}/{source}/external_identities");
    vec![
        // Dashboards: victor reads them only.
        attempt(
            victor,
            Method::POST,
            DASHBOARDS_PATH,
            json!({"data": {"title": b()}}),
        ),
        attempt(
            victor,
            Method::POST,
            format!("{dashboard}?overwrite=true"),
            json!({"data": {"title": b()}}),
        ),
        attempt(
            victor,
            Method::PUT,
            &dashboard,
            json!({"data": {"title": b(), "description": "x"}}),
        ),
        attempt(victor, Method::DELETE, &dashboard, json!({"padding": b()})),
        attempt(
            victor,
            Method::POST,
            BULK_UPDATE_PATH,
            json!({"objects": [{"id": "soc-overview", "data": {"title": b()}}]}),
        ),
        attempt(
            victor,
            Method::POST,
            BULK_DELETE_PATH,
            json!({"objects": [{"type": "dashboard", "id": b()}]}),
        ),
        attempt(
            victor,
            Method::POST,
            CHANGE_ACCESS_MODE_PATH,
            json!({"objects": [{"type": "dashboard", "id": b()}], "accessMode": "default"}),
        ),
        attempt(
            victor,
            Method::POST,
            CHANGE_OWNER_PATH,
            json!({"objects": [{"type": "dashboard", "id": "soc-overview"}], "newOwnerProfileUid": big_uid()}),
        ),
        // Search: victor has no Search privilege at all.
        attempt(victor, Method::POST, SOURCES, json!({"name": b()})),
        attempt(
            victor,
            Method::DELETE,
            format!("{SOURCES}/{source}"),
            json!({"padding": b()}),
        ),
        attempt(
            victor,
            Method::POST,
            format!("{SOURCES}/{source}/documents/bulk_create"),
            json!([{"id": "d1", "title": b()}]),
        ),
        attempt(
            victor,
            Method::POST,
            format!("{SOURCES}/{source}/documents/bulk_destroy"),
            json!([b()]),
        ),
        attempt(
            victor,
            Method::POST,
            &identities,
            json!({"external_user_id": b(), "permissions": ["x"]}),
        ),
        attempt(
            victor,
            Method::PUT,
            format!("{identities}/fuzz-id"),
            json!({"permissions": [b()]}),
        ),
        attempt(
            victor,
            Method::DELETE,
            format!("{identities}/fuzz-id"),
            json!({"padding": b()}),
        ),
        attempt(victor, Method::POST, SEARCH, json!({"query": b()})),
        // Leads: victor lacks the Security Solution API; kibana_admin lacks the index privileges.
        attempt(
            victor,
            Method::POST,
            format!("{LEADS}/generate"),
            json!({"connectorId": b()}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{LEADS}/enable"),
            json!({"connectorId": b()}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{LEADS}/disable"),
            json!({"padding": b()}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{LEADS}/some-lead/_dismiss"),
            json!({"padding": b()}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{LEADS}/bulk_update"),
            json!({"ids": [b()], "status": "dismissed"}),
        ),
        // Spaces: managing them needs `all` on every space.
        attempt(
            victor,
            Method::POST,
            SPACES,
            json!({"id": "flood", "name": b()}),
        ),
        attempt(
            victor,
            Method::PUT,
            format!("{SPACES}/default"),
            json!({"id": "default", "name": b()}),
        ),
        attempt(
            victor,
            Method::DELETE,
            format!("{SPACES}/soc-emea"),
            json!({"padding": b()}),
        ),
        // Security administration: kibana_admin holds no security cluster privilege.
        attempt(
            kibana_admin,
            Method::POST,
            format!("{USERS}/mallory"),
            json!({"password": b(), "roles": ["superuser"], "full_name": "Mallory"}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{USERS}/elastic/password"),
            json!({"newPassword": b()}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{USERS}/elastic/_disable"),
            json!({"padding": b()}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{USERS}/elastic/_enable"),
            json!({"padding": b()}),
        ),
        attempt(
            kibana_admin,
            Method::DELETE,
            format!("{USERS}/elastic"),
            json!({"padding": b()}),
        ),
        attempt(
            kibana_admin,
            Method::PUT,
            format!("{ROLES}/evil"),
            json!({"description": b(), "elasticsearch": {"cluster": ["all"]}}),
        ),
        attempt(
            kibana_admin,
            Method::DELETE,
            format!("{ROLES}/dashboard_viewer"),
            json!({"padding": b()}),
        ),
        // The Dev Tools console: victor has no console; kibana_admin has it but no security privilege.
        attempt(
            victor,
            Method::POST,
            format!("{CONSOLE}?path=_security/role/evil&method=PUT"),
            json!({"description": b()}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{CONSOLE}?path=_security/role/evil&method=PUT"),
            json!({"description": b(), "cluster": ["all"]}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{CONSOLE}?path=_security/user/mallory&method=PUT"),
            json!({"password": b(), "roles": ["superuser"]}),
        ),
        attempt(
            kibana_admin,
            Method::POST,
            format!("{CONSOLE}?path=_security/user/elastic&method=DELETE"),
            json!({"padding": b()}),
        ),
    ]
}

/// The API versions this suite sends, by path prefix: the leads' only, as it always has.
const VERSIONS: &[(&str, &str)] = &[(LEADS, "1")];

/// The status and JSON of an answer; for the console proxy, the proxied request's status, which
/// it sends in `x-console-proxy-status-code` (the proxy itself answers 200).
async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("server answers");
    let proxied = response
        .headers()
        .get("x-console-proxy-status-code")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u16>().ok())
        .and_then(|v| StatusCode::from_u16(v).ok());
    let status = proxied.unwrap_or(response.status());
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Rows per table, read straight from the database file.
fn row_counts(t: &TestServer) -> BTreeMap<String, i64> {
    let db = rusqlite::Connection::open(t.db_path()).expect("db");
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    tables
        .into_iter()
        .map(|table| {
            let count = db
                .query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
                    r.get(0)
                })
                .expect("count");
            (table, count)
        })
        .collect()
}

/// The database file and its write-ahead log, in bytes, once the log has been copied into the
/// file (so pages rewritten in place, such as a session's last-seen time, count once, and what
/// is left is what was stored).
fn db_bytes(t: &TestServer) -> u64 {
    let db = rusqlite::Connection::open(t.db_path()).expect("db");
    db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    drop(db);
    ["", "-wal"]
        .iter()
        .map(|suffix| {
            let mut path = t.db_path().into_os_string();
            path.push(suffix);
            std::fs::metadata(path).map_or(0, |m| m.len())
        })
        .sum()
}

fn audit_bytes(t: &TestServer) -> u64 {
    std::fs::metadata(t.dir.path().join("audit.log")).map_or(0, |m| m.len())
}

#[tokio::test]
async fn refused_oversized_writes_store_nothing() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let (status, source) = send_json(
        spa_request(&t, Some(&elastic), Method::POST, SOURCES, VERSIONS)
            .json(&json!({"name": "Refused"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{source}");
    let source = source["id"].as_str().expect("source id").to_string();
    let identities = format!("{SOURCES}/{source}/external_identities");
    let (status, body) = send_json(
        spa_request(&t, Some(&elastic), Method::POST, &identities, VERSIONS)
            .json(&json!({"external_user_id": "fuzz-id", "permissions": ["x"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut sessions = BTreeMap::new();
    for user in ["victor", "leads_no_access_user"] {
        sessions.insert(user, t.login(user).await);
    }
    let attempts = attempts(&source);
    for a in &attempts {
        let bytes = serde_json::to_vec(&a.body).expect("body").len();
        assert!(
            bytes > BIG && bytes < 1024 * 1024,
            "{}: {bytes} bytes",
            a.route
        );
    }

    let (rows_before, db_before, audit_before) = (row_counts(&t), db_bytes(&t), audit_bytes(&t));
    let mut failures = Vec::new();
    let mut routes = std::collections::BTreeSet::new();
    for a in &attempts {
        routes.insert(a.route.clone());
        // Without a session first (401), then as the refused user (403).
        let callers = [
            (None, StatusCode::UNAUTHORIZED),
            (a.user, StatusCode::FORBIDDEN),
        ];
        for (user, expected) in callers {
            let session = user.map(|u| &sessions[u]);
            let (status, answer) =
                send(spa_request(&t, session, a.method.clone(), &a.path, VERSIONS).json(&a.body))
                    .await;
            if status != expected {
                let shown: String = answer.to_string().chars().take(300).collect();
                failures.push(format!(
                    "{} as {}: {status}, expected {expected}: {shown}",
                    a.route,
                    user.unwrap_or("nobody")
                ));
            }
        }
    }
    let (rows_after, db_after, audit_after) = (row_counts(&t), db_bytes(&t), audit_bytes(&t));
    let db_added = db_after.saturating_sub(db_before);
    let audit_added = audit_after.saturating_sub(audit_before);
    println!(
        "# refused oversized writes: {} routes, bytes added to db {db_added}, to audit.log {audit_added}",
        routes.len()
    );
    assert!(
        failures.is_empty(),
        "{} refusals were not the refusal:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for (table, before) in &rows_before {
        let after = rows_after.get(table).copied().unwrap_or(0);
        if !MAY_GROW.contains(&table.as_str()) {
            assert_eq!(after, *before, "rows of {table}");
        }
    }
    assert!(
        db_added <= MAX_DB_GROWTH,
        "the database grew by {db_added} bytes"
    );
    assert!(
        audit_added <= MAX_AUDIT_GROWTH,
        "audit.log grew by {audit_added} bytes"
    );
}

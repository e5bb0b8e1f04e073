//! "View as" against the real server (docs/view-as.md): a caller with a `run_as` privilege gets
//! exactly the viewed user's answers, can change nothing while viewing, and everyone else gets
//! Elasticsearch's refusal; every refusal is audited, a granted view once.

mod common;

use common::{expect, send_json, write_routes, Session, TestServer, WriteTargets};
use gatehouse_api::run_as::{
    read_only_message, run_as_denied_reason, RUN_AS_ACTION, RUN_AS_HEADER,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn viewing(
    t: &TestServer,
    caller: &Session,
    name: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = request(t, caller, method, path).header(RUN_AS_HEADER, name);
    if let Some(body) = body {
        request = request.json(&body);
    }
    send_json(request).await
}

async fn own(
    t: &TestServer,
    caller: &Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = request(t, caller, method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    send_json(request).await
}

/// A request with the headers the SPA sends and the caller's cookie.
fn request(
    t: &TestServer,
    caller: &Session,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    t.http
        .request(method, t.url(path))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .header("elastic-api-version", version_of(path))
        .header("cookie", &caller.cookie)
}

/// The version header the SPA sends: the dashboards' public version, else the leads' one.
fn version_of(path: &str) -> &'static str {
    if path.contains("/api/dashboards") {
        "2023-10-31"
    } else {
        "1"
    }
}

fn denied_message(caller: &str, roles: &str, name: &str) -> String {
    let reason = run_as_denied_reason(RUN_AS_ACTION, caller, &[roles.to_string()], name);
    format!("[security_exception\n\tRoot causes:\n\t\tsecurity_exception: {reason}]: {reason}")
}

fn boom_403(message: &str) -> Value {
    json!({ "statusCode": 403, "error": "Forbidden", "message": message })
}

/// What elastic reads of the things the writes aim at.
async fn snapshot(t: &TestServer, elastic: &Session) -> Vec<(StatusCode, Value)> {
    let mut state = Vec::new();
    for path in [
        "/api/dashboards",
        "/internal/security/users",
        "/api/security/role",
        "/internal/entity_analytics/leads/status",
        "/api/spaces/space",
        "/api/ws/v1/sources",
    ] {
        state.push(own(t, elastic, Method::GET, path, None).await);
    }
    state
}

/// Refusals recorded one by one, plus those recorded as a count.
fn refusals_recorded(t: &TestServer, action: &str, effective: &str) -> i64 {
    t.db_value(&format!(
        "SELECT COALESCE(SUM(COALESCE(json_extract(details, '$.refusals_counted'), 1)), 0)
         FROM audit_log WHERE action = '{action}' AND effective_user = '{effective}'"
    ))
}

fn rows(t: &TestServer, action: &str, effective: &str) -> i64 {
    t.db_value(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND effective_user = '{effective}'"
    ))
}

#[tokio::test]
async fn viewing_as_victor_answers_exactly_what_victor_gets() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let victor = t.login("victor").await;
    let reads: Vec<(Method, &str, Option<Value>)> = vec![
        (
            Method::POST,
            "/api/core/capabilities",
            Some(json!({"applications": []})),
        ),
        (
            Method::POST,
            "/s/soc-emea/api/core/capabilities",
            Some(json!({"applications": []})),
        ),
        (
            Method::GET,
            "/internal/entity_analytics/leads/privileges",
            None,
        ),
        (
            Method::GET,
            "/internal/entity_analytics/leads?page=1&perPage=20",
            None,
        ),
        (Method::GET, "/api/dashboards", None),
        (Method::GET, "/s/soc-emea/api/dashboards", None),
        (Method::GET, "/api/dashboards/soc-overview", None),
        (Method::GET, "/api/spaces/space", None),
        (
            Method::POST,
            "/api/ws/v1/search",
            Some(json!({"query": "phishing"})),
        ),
        (Method::GET, "/internal/gatehouse/security/audit", None),
        (Method::GET, "/internal/security/users", None),
    ];
    for (method, path, body) in reads {
        let theirs = own(&t, &victor, method.clone(), path, body.clone()).await;
        let viewed = viewing(&t, &elastic, "victor", method.clone(), path, body).await;
        assert_eq!(viewed, theirs, "{method} {path}");
        let mine = own(&t, &elastic, method.clone(), path, None).await;
        if path.contains("capabilities") {
            assert_ne!(
                viewed.1, mine.1,
                "elastic's own capabilities differ from victor's"
            );
        }
    }

    // `me` is victor's, plus who is viewing.
    let (_, theirs) = t.get_json(&victor, "/internal/security/me").await;
    let (status, mut viewed) = viewing(
        &t,
        &elastic,
        "victor",
        Method::GET,
        "/internal/security/me",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        viewed["run_by"],
        json!({"username": "elastic", "full_name": null})
    );
    assert_eq!(
        viewed["authentication_realm"],
        json!({"name": "gatehouse", "type": "native"})
    );
    assert_eq!(viewed["lookup_realm"], viewed["authentication_realm"]);
    viewed.as_object_mut().map(|m| m.remove("run_by"));
    assert_eq!(viewed, theirs);
    assert!(
        theirs.get("run_by").is_none(),
        "no run_by on one's own session"
    );

    // Naming oneself is one's own request.
    let (_, self_view) = viewing(
        &t,
        &elastic,
        "elastic",
        Method::GET,
        "/internal/security/me",
        None,
    )
    .await;
    assert_eq!(self_view["username"], "elastic");
    assert!(self_view.get("run_by").is_none());
}

#[tokio::test]
async fn every_write_while_viewing_is_refused_and_changes_nothing() {
    let mut t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let before = snapshot(&t, &elastic).await;
    let targets = WriteTargets {
        dashboard_created: "viewed-new",
        dashboard_updated: "endpoint-health",
        dashboard_deleted: "endpoint-health",
        user_created: "viewed_new_user",
        user_changed: "bob",
        user_deleted: "bob",
        role_put: "viewed_role",
        role_deleted: "dashboard_viewer",
    };
    // Sign-in and sign-out need no session (and so no view); these POSTs only read.
    let sessionless = ["/internal/security/login", "/api/security/logout"];
    let reading = [
        "/api/core/capabilities",
        "/internal/security/user_profile/_bulk_get",
        "/internal/security/user_profile/_suggest",
        "/api/security/role/_query",
    ];
    let mut writes: Vec<(String, String)> = write_routes(&targets)
        .into_iter()
        .filter(|(_, path)| {
            !sessionless.contains(&path.as_str()) && !reading.contains(&path.as_str())
        })
        .map(|(method, path)| (method.to_string(), path))
        .collect();
    writes.extend([
        ("POST".to_string(), "/s/soc-emea/api/dashboards".to_string()),
        ("POST".to_string(), "/api/ws/v1/sources".to_string()),
        (
            "POST".to_string(),
            "/api/console/proxy?path=kbn:/api/dashboards&method=POST".to_string(),
        ),
        (
            "POST".to_string(),
            "/api/console/proxy?path=_security/user/bob/_disable&method=PUT".to_string(),
        ),
    ]);
    let message = read_only_message("victor", "elastic");
    let refused = boom_403(&message);
    // The search routes answer every refusal in their own shape (docs/search.md).
    let search_refused = json!({ "errors": [message] });
    for (method, path) in &writes {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let answer = viewing(
            &t,
            &elastic,
            "victor",
            method.clone(),
            path,
            Some(json!({})),
        )
        .await;
        let expected = if path.starts_with("/api/ws/") {
            search_refused.clone()
        } else {
            refused.clone()
        };
        assert_eq!(answer, (StatusCode::FORBIDDEN, expected), "{method} {path}");
    }
    assert_eq!(snapshot(&t, &elastic).await, before, "nothing changed");
    // The same requests of elastic's own still work: the refusal is the view's, not the route's.
    expect(
        own(
            &t,
            &elastic,
            Method::POST,
            "/api/dashboards",
            Some(json!({"data": {"title": "mine"}})),
        )
        .await,
        StatusCode::OK,
    );
    // Beyond the first refusals of a minute, the log counts them in one event, written when the
    // server stops at the latest (docs/audit-log.md, "Refusals in bulk").
    t.restart().await;
    let denied = refusals_recorded(&t, "run_as_denied", "victor");
    println!(
        "# run-as read-only: {} writes tried while viewing, all 403, state unchanged, {denied} run_as_denied recorded",
        writes.len()
    );
    assert_eq!(
        denied,
        writes.len() as i64,
        "each refused write is recorded, one by one or counted"
    );
}

#[tokio::test]
async fn only_a_run_as_privilege_over_an_enabled_user_opens_a_view() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let bob = t.login("bob").await;
    let path = "/api/dashboards";

    let bob_denied = denied_message("bob", "dashboard_editor", "victor");
    assert_eq!(
        viewing(&t, &bob, "victor", Method::GET, path, None).await,
        (StatusCode::FORBIDDEN, boom_403(&bob_denied))
    );
    // The leads routes answer in their own shape.
    assert_eq!(
        viewing(
            &t,
            &bob,
            "victor",
            Method::GET,
            "/internal/entity_analytics/leads/status",
            None
        )
        .await,
        (
            StatusCode::FORBIDDEN,
            json!({
                "message": format!(
                    "security_exception: {}",
                    run_as_denied_reason(RUN_AS_ACTION, "bob", &["dashboard_editor".into()], "victor")
                ),
                "status_code": 403
            })
        )
    );

    // Unknown and disabled users get the same answer as a user not covered.
    assert_eq!(
        viewing(&t, &elastic, "nobody", Method::GET, path, None).await,
        (
            StatusCode::FORBIDDEN,
            boom_403(&denied_message("elastic", "superuser", "nobody"))
        )
    );
    t.deactivate_user("alice").await;
    assert_eq!(
        viewing(&t, &elastic, "alice", Method::GET, path, None).await,
        (
            StatusCode::FORBIDDEN,
            boom_403(&denied_message("elastic", "superuser", "alice"))
        )
    );

    // A role's run_as pattern covers only what it names.
    let role = json!({
        "elasticsearch": { "cluster": [], "indices": [], "run_as": ["vic*"] },
        "kibana": []
    });
    let support = t.user_with_role(&elastic, "support_desk", role).await;
    expect(
        viewing(&t, &support, "victor", Method::GET, path, None).await,
        StatusCode::OK,
    );
    assert_eq!(
        viewing(&t, &support, "bob", Method::GET, path, None).await,
        (
            StatusCode::FORBIDDEN,
            boom_403(&denied_message("support_desk", "support_desk", "bob"))
        )
    );

    // Header values have a size.
    let (status, body) = viewing(&t, &elastic, &"v".repeat(1_025), Method::GET, path, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains(RUN_AS_HEADER),
        "{body}"
    );

    assert_eq!(rows(&t, "run_as_denied", "victor"), 2, "bob's two tries");
    assert_eq!(rows(&t, "run_as_denied", "nobody"), 1);
    assert_eq!(rows(&t, "run_as_denied", "alice"), 1);
    assert_eq!(rows(&t, "run_as_denied", "bob"), 1);
    let denied_by: String = t.db_value(
        "SELECT username FROM audit_log WHERE action = 'run_as_denied' AND effective_user = 'nobody'",
    );
    assert_eq!(denied_by, "elastic", "user.name is the caller");
}

#[tokio::test]
async fn a_view_is_recorded_once_not_per_request() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    for _ in 0..20 {
        expect(
            viewing(&t, &elastic, "victor", Method::GET, "/api/dashboards", None).await,
            StatusCode::OK,
        );
    }
    let granted = rows(&t, "run_as_granted", "victor");
    println!("# run-as audit: 20 reads in one view, {granted} run_as_granted row");
    assert_eq!(granted, 1, "twenty reads, one view");
    let caller: String = t.db_value(
        "SELECT username FROM audit_log WHERE action = 'run_as_granted' AND effective_user = 'victor'",
    );
    assert_eq!(caller, "elastic");

    // Another session starts another view; so does viewing someone else.
    let again = t.login("elastic").await;
    expect(
        viewing(&t, &again, "victor", Method::GET, "/api/dashboards", None).await,
        StatusCode::OK,
    );
    expect(
        viewing(&t, &again, "bob", Method::GET, "/api/dashboards", None).await,
        StatusCode::OK,
    );
    assert_eq!(rows(&t, "run_as_granted", "victor"), 2);
    assert_eq!(rows(&t, "run_as_granted", "bob"), 1);
}

#[tokio::test]
async fn a_view_follows_changes_to_the_viewed_users_roles() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let path = "/api/dashboards";
    expect(
        viewing(&t, &elastic, "victor", Method::GET, path, None).await,
        StatusCode::OK,
    );
    // Take victor's roles away: the view (cached) answers as the changed victor at once.
    expect(
        t.post_json(
            &elastic,
            "/internal/security/users/victor",
            json!({"username": "victor", "roles": [], "full_name": "Victor Viewer"}),
        )
        .await,
        StatusCode::OK,
    );
    let victor = t.login("victor").await;
    let theirs = own(&t, &victor, Method::GET, path, None).await;
    assert_eq!(
        viewing(&t, &elastic, "victor", Method::GET, path, None).await,
        theirs
    );
    assert_eq!(theirs.0, StatusCode::FORBIDDEN, "{theirs:?}");
}

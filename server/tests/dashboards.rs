//! Write-restricted dashboards (contract §4) over real HTTP: the permission matrix, bulk results,
//! all-or-nothing access-control changes, forged bodies, optimistic concurrency, audit events,
//! search and paging, and the user-profile lookups.

mod common;

use common::*;
use gatehouse_api::dashboards::{
    messages, AccessControlResult, BulkResult, Dashboard, DashboardAccessMode, DashboardList,
};
use gatehouse_api::security::{UserProfile, INVALID_PROFILE_UID};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const OWNER_ALICE: &str = "u_alice_0";
const OWNER_BOB: &str = "u_bob_0";

/// A request with the headers the SPA sends for this path: `kbn-xsrf`, the internal origin on
/// `/internal/*`, `elastic-api-version: 2023-10-31` on `/api/dashboards`.
fn request(
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

async fn call(
    t: &TestServer,
    session: &Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut builder = request(t, Some(session), method, path);
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    send_json(builder).await
}

fn boom(status: u16, message: &str) -> Value {
    let error = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        _ => "?",
    };
    json!({ "statusCode": status, "error": error, "message": message })
}

struct Users {
    alice: Session,
    bob: Session,
    elastic: Session,
    victor: Session,
}

async fn sign_in(t: &TestServer) -> Users {
    Users {
        alice: t.login("alice").await,
        bob: t.login("bob").await,
        elastic: t.login("elastic").await,
        victor: t.login("victor").await,
    }
}

impl Users {
    fn by_name(&self, name: &str) -> &Session {
        match name {
            "alice" => &self.alice,
            "bob" => &self.bob,
            "elastic" => &self.elastic,
            "victor" => &self.victor,
            other => panic!("no session for {other}"),
        }
    }
}

async fn create(
    t: &TestServer,
    session: &Session,
    title: &str,
    mode: DashboardAccessMode,
) -> Dashboard {
    let (status, body) = call(
        t,
        session,
        Method::POST,
        "/api/dashboards",
        Some(json!({
            "data": {
                "title": title,
                "description": "made by a test",
                "panels": [{"title": "Alerts", "type": "metric"}],
                "access_control": {"access_mode": mode.as_str()},
            }
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("dashboard")
}

async fn fetch(t: &TestServer, session: &Session, id: &str) -> (StatusCode, Value) {
    call(
        t,
        session,
        Method::GET,
        &format!("/api/dashboards/{id}"),
        None,
    )
    .await
}

async fn fetch_dashboard(t: &TestServer, session: &Session, id: &str) -> Dashboard {
    let (status, body) = fetch(t, session, id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("dashboard")
}

async fn list(t: &TestServer, session: &Session, query: &str) -> DashboardList {
    let (status, body) = call(
        t,
        session,
        Method::GET,
        &format!("/api/dashboards?{query}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("list")
}

fn titles(list: &DashboardList) -> Vec<&str> {
    list.dashboards
        .iter()
        .map(|d| d.data.title.as_str())
        .collect()
}

async fn update(t: &TestServer, session: &Session, id: &str, body: Value) -> (StatusCode, Value) {
    call(
        t,
        session,
        Method::PUT,
        &format!("/api/dashboards/{id}"),
        Some(body),
    )
    .await
}

async fn change_mode(
    t: &TestServer,
    session: &Session,
    ids: &[&str],
    mode: DashboardAccessMode,
) -> (StatusCode, Value) {
    let objects: Vec<Value> = ids
        .iter()
        .map(|id| json!({"type": "dashboard", "id": id}))
        .collect();
    call(
        t,
        session,
        Method::POST,
        "/internal/access_control/change_access_mode",
        Some(json!({"objects": objects, "accessMode": mode.as_str()})),
    )
    .await
}

async fn change_owner(
    t: &TestServer,
    session: &Session,
    ids: &[&str],
    new_owner: &str,
) -> (StatusCode, Value) {
    let objects: Vec<Value> = ids
        .iter()
        .map(|id| json!({"type": "dashboard", "id": id}))
        .collect();
    call(
        t,
        session,
        Method::POST,
        "/internal/access_control/change_owner",
        Some(json!({"objects": objects, "newOwnerProfileUid": new_owner})),
    )
    .await
}

fn flip(mode: DashboardAccessMode) -> DashboardAccessMode {
    match mode {
        DashboardAccessMode::Default => DashboardAccessMode::WriteRestricted,
        DashboardAccessMode::WriteRestricted => DashboardAccessMode::Default,
    }
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn seeded_dashboards_list_with_owners_modes_and_version_header() {
    let t = TestServer::start().await;
    let victor = t.login("victor").await;
    let response = request(&t, Some(&victor), Method::GET, "/api/dashboards")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("elastic-api-version").unwrap(),
        "2023-10-31"
    );
    let all: DashboardList = response.json().await.unwrap();
    assert_eq!(all.total, 5);
    assert_eq!((all.page, all.per_page), (1, 20));
    assert_eq!(
        titles(&all),
        vec![
            "Endpoint health",
            "Executive risk summary",
            "Network traffic (legacy import)",
            "Phishing triage",
            "SOC overview"
        ]
    );
    let by_id = |id: &str| all.dashboards.iter().find(|d| d.id == id).unwrap();
    let expect = [
        ("soc-overview", Some("u_alice_0"), true),
        ("phishing-triage", Some("u_bob_0"), false),
        ("executive-risk-summary", Some("u_elastic_0"), true),
        ("endpoint-health", Some("u_alice_0"), false),
        ("network-traffic-legacy", None, false),
    ];
    for (id, owner, restricted) in expect {
        let d = by_id(id);
        assert_eq!(d.owner(), owner, "{id}");
        assert_eq!(d.is_write_restricted(), restricted, "{id}");
        assert_eq!(d.version(), Some("1"));
        assert!((2..=4).contains(&d.data.panels.len()), "{id}");
    }
    // The raw shape: owner at meta.owner and data.access_control.owner.
    let (_, raw) = fetch(&t, &victor, "soc-overview").await;
    assert_eq!(raw["meta"]["owner"], "u_alice_0");
    assert_eq!(
        raw["data"]["access_control"],
        json!({"access_mode": "write_restricted", "owner": "u_alice_0"})
    );
    assert_eq!(raw["meta"]["created_by"], "u_alice_0");
    assert!(raw["data"].get("access_control").is_some());
    let (_, legacy) = fetch(&t, &victor, "network-traffic-legacy").await;
    assert!(legacy["data"].get("access_control").is_none());
    assert!(legacy["meta"].get("owner").is_none());

    // Public versioning: no header is fine, another version is not.
    let (status, _) = send_json(
        t.http
            .get(t.url("/api/dashboards"))
            .header("cookie", &victor.cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send_json(
        t.http
            .get(t.url("/api/dashboards"))
            .header("cookie", &victor.cookie)
            .header("elastic-api-version", "1"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        boom(
            400,
            "Invalid version. Received \"1\", expected one of [2023-10-31]"
        )
    );
    // No session → 401; an unknown id → Kibana's 404.
    let (status, _) = send_json(request(&t, None, Method::GET, "/api/dashboards")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = fetch(&t, &victor, "nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, boom(404, "Saved object [dashboard/nope] not found"));
}

#[tokio::test]
async fn dashboards_are_scoped_per_space() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let alice = t.login("alice").await;
    let made = create(&t, &elastic, "EMEA only", DashboardAccessMode::Default).await;
    let (status, body) = call(
        &t,
        &elastic,
        Method::POST,
        "/s/soc-emea/api/dashboards",
        Some(json!({"data": {"title": "EMEA board"}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let emea_id = body["id"].as_str().unwrap().to_string();
    let emea = list(&t, &elastic, "").await;
    assert!(!titles(&emea).contains(&"EMEA board"));
    assert!(titles(&emea).contains(&"EMEA only"));
    let (_, body) = call(
        &t,
        &elastic,
        Method::GET,
        "/s/soc-emea/api/dashboards",
        None,
    )
    .await;
    let in_emea: DashboardList = serde_json::from_value(body).unwrap();
    // The new board beside the two the EMEA space is seeded with, and none of default's.
    assert_eq!(
        titles(&in_emea),
        vec!["EMEA board", "EMEA incidents", "EMEA phishing reports"]
    );
    let (status, _) = fetch(&t, &elastic, &emea_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &t,
        &elastic,
        Method::GET,
        &format!("/s/soc-emea/api/dashboards/{}", made.id),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // alice's role covers the default space only.
    let (status, body) = call(&t, &alice, Method::GET, "/s/soc-emea/api/dashboards", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, boom(403, "Unable to find dashboard"));
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Update,
    Delete,
    ChangeMode,
    ChangeOwner,
}

/// `None` = allowed; otherwise the status and the start of the message.
fn expected(actor: &str, mode: DashboardAccessMode, op: Op) -> Option<(u16, &'static str)> {
    let restricted = mode == DashboardAccessMode::WriteRestricted;
    match op {
        Op::Update => match actor {
            "victor" => Some((403, messages::UNABLE_TO_UPDATE)),
            "bob" if restricted => Some((403, messages::UNABLE_TO_UPDATE)),
            _ => None,
        },
        Op::Delete => match actor {
            "victor" => Some((403, messages::UNABLE_TO_DELETE)),
            "bob" if restricted => Some((403, messages::UNABLE_TO_DELETE)),
            _ => None,
        },
        Op::ChangeMode | Op::ChangeOwner => match actor {
            "alice" | "elastic" => None,
            _ => Some((403, messages::ACCESS_DENIED_PREFIX)),
        },
    }
}

#[tokio::test]
async fn permission_matrix_for_single_operations() {
    let t = TestServer::start().await;
    let users = sign_in(&t).await;
    for mode in [
        DashboardAccessMode::Default,
        DashboardAccessMode::WriteRestricted,
    ] {
        for actor in ["alice", "bob", "elastic", "victor"] {
            for op in [Op::Update, Op::Delete, Op::ChangeMode, Op::ChangeOwner] {
                let case = format!("{actor} {op:?} on alice's {mode:?} dashboard");
                let d = create(&t, &users.alice, &case, mode).await;
                let session = users.by_name(actor);
                let new_owner = if actor == "bob" || actor == "victor" {
                    // An attacker tries to claim the dashboard.
                    format!("u_{actor}_0")
                } else {
                    OWNER_BOB.to_string()
                };
                let (status, body) = match op {
                    Op::Update => {
                        update(
                            &t,
                            session,
                            &d.id,
                            json!({"data": {"title": "changed"}, "version": d.version()}),
                        )
                        .await
                    }
                    Op::Delete => {
                        call(
                            &t,
                            session,
                            Method::DELETE,
                            &format!("/api/dashboards/{}", d.id),
                            None,
                        )
                        .await
                    }
                    Op::ChangeMode => change_mode(&t, session, &[&d.id], flip(mode)).await,
                    Op::ChangeOwner => change_owner(&t, session, &[&d.id], &new_owner).await,
                };
                let after = fetch(&t, &users.elastic, &d.id).await;
                match expected(actor, mode, op) {
                    None => {
                        assert_eq!(status, StatusCode::OK, "{case}: {body}");
                        match op {
                            Op::Update => {
                                assert_eq!(after.1["data"]["title"], "changed", "{case}");
                                assert_eq!(after.1["meta"]["version"], "2", "{case}");
                                assert_eq!(after.1["meta"]["owner"], OWNER_ALICE, "{case}");
                            }
                            Op::Delete => {
                                assert_eq!(body, json!({}), "{case}");
                                assert_eq!(after.0, StatusCode::NOT_FOUND, "{case}");
                            }
                            Op::ChangeMode => {
                                let result: AccessControlResult =
                                    serde_json::from_value(body).unwrap();
                                assert_eq!(result.errors().count(), 0);
                                assert_eq!(result.result.objects[0].id, d.id);
                                let now: Dashboard = serde_json::from_value(after.1).unwrap();
                                assert_eq!(now.access_mode(), flip(mode), "{case}");
                                assert_eq!(now.owner(), Some(OWNER_ALICE), "{case}");
                            }
                            Op::ChangeOwner => {
                                let now: Dashboard = serde_json::from_value(after.1).unwrap();
                                assert_eq!(now.owner(), Some(new_owner.as_str()), "{case}");
                                assert_eq!(now.access_mode(), mode, "{case}");
                            }
                        }
                    }
                    Some((code, message)) => {
                        assert_eq!(status.as_u16(), code, "{case}: {body}");
                        assert_eq!(body["statusCode"], code, "{case}");
                        assert_eq!(body["error"], "Forbidden", "{case}");
                        let text = body["message"].as_str().unwrap();
                        assert!(text.starts_with(message), "{case}: {text}");
                        // Nothing changed.
                        assert_eq!(after.0, StatusCode::OK, "{case}");
                        let now: Dashboard = serde_json::from_value(after.1).unwrap();
                        assert_eq!(now.version(), Some("1"), "{case}");
                        assert_eq!(now.owner(), Some(OWNER_ALICE), "{case}");
                        assert_eq!(now.access_mode(), mode, "{case}");
                        assert_eq!(now.data.title, case);
                    }
                }
            }
        }
    }
    // Kibana's exact single-op messages.
    let (status, body) = update(
        &t,
        &users.bob,
        "soc-overview",
        json!({"data": {"title": "mine now"}}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, boom(403, "Unable to update dashboard"));
    let (_, body) = call(
        &t,
        &users.bob,
        Method::DELETE,
        "/api/dashboards/soc-overview",
        None,
    )
    .await;
    assert_eq!(body, boom(403, "Unable to delete dashboard"));
    let (_, body) = change_mode(
        &t,
        &users.bob,
        &["soc-overview"],
        DashboardAccessMode::Default,
    )
    .await;
    assert_eq!(
        body["message"],
        "Access denied: only the owner or a user with the \"manage_access_control\" privilege can change the access mode of dashboard:soc-overview"
    );
    // A viewer cannot create.
    let (status, body) = call(
        &t,
        &users.victor,
        Method::POST,
        "/api/dashboards",
        Some(json!({"data": {"title": "x"}})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, boom(403, "Unable to create dashboard"));
}

#[tokio::test]
async fn bulk_operations_report_per_object_results() {
    let t = TestServer::start().await;
    let users = sign_in(&t).await;
    let restricted = create(
        &t,
        &users.alice,
        "A restricted",
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    let open = create(&t, &users.alice, "B open", DashboardAccessMode::Default).await;
    let bobs = create(
        &t,
        &users.bob,
        "C bob's",
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    let item = |id: &str, title: &str| json!({"id": id, "data": {"title": title}});

    let (status, body) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards/_bulk_update",
        Some(json!({"objects": [
            item(&restricted.id, "bob was here"),
            item(&open.id, "B by bob"),
            item(&bobs.id, "C by bob"),
            item("missing", "x"),
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["objects"][0],
        json!({"id": restricted.id, "type": "dashboard", "error": boom(403, messages::BULK_FORBIDDEN)})
    );
    assert_eq!(
        body["objects"][0]["error"]["message"],
        "Updating objects in \"write_restricted\" mode that are owned by another user requires the \"manage_access_control\" privilege."
    );
    assert_eq!(
        body["objects"][1],
        json!({"id": open.id, "type": "dashboard"})
    );
    assert_eq!(
        body["objects"][2],
        json!({"id": bobs.id, "type": "dashboard"})
    );
    assert_eq!(body["objects"][3]["error"]["statusCode"], 404);
    assert_eq!(
        fetch_dashboard(&t, &users.bob, &restricted.id)
            .await
            .data
            .title,
        "A restricted"
    );
    assert_eq!(
        fetch_dashboard(&t, &users.bob, &open.id).await.data.title,
        "B by bob"
    );

    // Every object blocked → the whole request is a 403 and nothing changes.
    let (status, body) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards/_bulk_update",
        Some(json!({"objects": [item(&restricted.id, "again")]})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, boom(403, messages::BULK_FORBIDDEN));
    let (status, _) = call(
        &t,
        &users.alice,
        Method::POST,
        "/api/dashboards/_bulk_delete",
        Some(json!({"objects": [{"type": "dashboard", "id": bobs.id}]})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Mixed delete: alice's restricted one stays, the open one goes.
    let (status, body) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards/_bulk_delete",
        Some(json!({"objects": [
            {"type": "dashboard", "id": restricted.id},
            {"type": "dashboard", "id": open.id},
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result: BulkResult = serde_json::from_value(body).unwrap();
    assert_eq!(result.objects[0].error.as_ref().unwrap().status_code, 403);
    assert!(result.objects[1].error.is_none());
    assert_eq!(
        fetch(&t, &users.bob, &open.id).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&t, &users.bob, &restricted.id).await.0,
        StatusCode::OK
    );

    // The owner and the admin pass; the viewer lacks the type privilege.
    let (status, _) = call(
        &t,
        &users.alice,
        Method::POST,
        "/api/dashboards/_bulk_update",
        Some(json!({"objects": [item(&restricted.id, "A by alice")]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(
        &t,
        &users.elastic,
        Method::POST,
        "/api/dashboards/_bulk_delete",
        Some(json!({"objects": [{"type": "dashboard", "id": restricted.id}, {"type": "dashboard", "id": bobs.id}]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        serde_json::from_value::<BulkResult>(body)
            .unwrap()
            .objects
            .iter()
            .filter(|o| o.error.is_some())
            .count(),
        0
    );
    let (status, body) = call(
        &t,
        &users.victor,
        Method::POST,
        "/api/dashboards/_bulk_update",
        Some(json!({"objects": [item("soc-overview", "x")]})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, boom(403, "Unable to bulk_update dashboard"));
    let (status, _) = call(
        &t,
        &users.alice,
        Method::POST,
        "/api/dashboards/_bulk_update",
        Some(json!({"objects": []})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A stale version in a bulk update is a per-object 409.
    let (status, body) = call(
        &t,
        &users.alice,
        Method::POST,
        "/api/dashboards/_bulk_update",
        Some(json!({"objects": [
            {"id": "endpoint-health", "data": {"title": "E"}, "version": "7"},
            {"id": "soc-overview", "data": {"title": "S"}, "version": "1"},
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["objects"][0]["error"]["statusCode"], 409);
    assert!(body["objects"][1].get("error").is_none());
}

#[tokio::test]
async fn access_control_changes_are_all_or_nothing() {
    let t = TestServer::start().await;
    let users = sign_in(&t).await;
    // bob owns phishing-triage but not soc-overview: neither changes.
    let (status, body) = change_mode(
        &t,
        &users.bob,
        &["phishing-triage", "soc-overview"],
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .ends_with("dashboard:soc-overview"));
    assert!(!fetch_dashboard(&t, &users.bob, "phishing-triage")
        .await
        .is_write_restricted());
    // An unknown object fails the whole request too.
    let (status, body) = change_mode(
        &t,
        &users.bob,
        &["phishing-triage", "ghost"],
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, boom(404, "Saved object [dashboard/ghost] not found"));
    assert!(!fetch_dashboard(&t, &users.bob, "phishing-triage")
        .await
        .is_write_restricted());
    // Only dashboards support access control here.
    let (status, _) = call(
        &t,
        &users.elastic,
        Method::POST,
        "/internal/access_control/change_access_mode",
        Some(json!({"objects": [{"type": "index-pattern", "id": "x"}], "accessMode": "default"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(
        &t,
        &users.elastic,
        Method::POST,
        "/internal/access_control/change_access_mode",
        Some(json!({"objects": [{"type": "dashboard", "id": "soc-overview"}], "accessMode": "private"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The admin changes both at once.
    let (status, body) = change_mode(
        &t,
        &users.elastic,
        &["phishing-triage", "soc-overview"],
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"result": {"objects": [
            {"id": "phishing-triage", "type": "dashboard"},
            {"id": "soc-overview", "type": "dashboard"}
        ]}})
    );
    let triage = fetch_dashboard(&t, &users.bob, "phishing-triage").await;
    assert!(triage.is_write_restricted());
    assert_eq!(
        triage.owner(),
        Some(OWNER_BOB),
        "the admin does not become owner"
    );
    assert_eq!(triage.version(), Some("2"));

    // An object without access control: the viewer cannot claim it, an editor can.
    let (status, _) = change_mode(
        &t,
        &users.victor,
        &["network-traffic-legacy"],
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = change_mode(
        &t,
        &users.bob,
        &["network-traffic-legacy"],
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let legacy = fetch_dashboard(&t, &users.alice, "network-traffic-legacy").await;
    assert_eq!(legacy.owner(), Some(OWNER_BOB));
    assert!(legacy.is_write_restricted());
    let (status, _) = update(
        &t,
        &users.alice,
        "network-traffic-legacy",
        json!({"data": {"title": "alice's now"}}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // global_access / is_enabled.
    for (session, admin) in [
        (&users.elastic, true),
        (&users.alice, false),
        (&users.bob, false),
        (&users.victor, false),
    ] {
        let (status, body) = call(
            &t,
            session,
            Method::GET,
            "/internal/access_control/global_access/dashboard",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({"isGloballyAuthorized": admin}));
        let (_, body) = call(
            &t,
            session,
            Method::GET,
            "/internal/access_control/is_enabled",
            None,
        )
        .await;
        assert_eq!(body, json!({"isAccessControlEnabled": true}));
    }
    // kibana_admin is `all` on every space: an admin too.
    let full = t.login("leads_full_user").await;
    let (_, body) = call(
        &t,
        &full,
        Method::GET,
        "/internal/access_control/global_access/dashboard",
        None,
    )
    .await;
    assert_eq!(body["isGloballyAuthorized"], true);
    // Internal routes keep Kibana's header rule.
    let (status, _) = send_json(
        t.http
            .get(t.url("/internal/access_control/is_enabled"))
            .header("cookie", &users.bob.cookie),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send_json(request(
        &t,
        None,
        Method::GET,
        "/internal/access_control/is_enabled",
    ))
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn ownership_transfer_and_its_attacks() {
    let t = TestServer::start().await;
    let users = sign_in(&t).await;
    for bad in [
        "alice",
        "u_alice",
        "u__0",
        "u_alice_0\n",
        "",
        "u_alice_0 OR 1=1",
    ] {
        let (status, body) = change_owner(&t, &users.alice, &["soc-overview"], bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(body, boom(400, INVALID_PROFILE_UID), "{bad:?}");
    }
    assert_eq!(
        INVALID_PROFILE_UID,
        "User profile ID is invalid: expected \"u_<principal>_<version>\""
    );
    let (status, body) = change_owner(&t, &users.alice, &["soc-overview"], "u_ghost_0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "Cannot transfer ownership: no user has the profile ID \"u_ghost_0\"."
    );
    // A deactivated user cannot receive a dashboard.
    let db = gatehouse_server::db::Db::open(&t.db_path()).unwrap();
    db.write(|c| {
        Ok(c.execute(
            "UPDATE users SET enabled = 0 WHERE username = 'leads_read_user'",
            [],
        )?)
    })
    .await
    .unwrap();
    let (status, body) =
        change_owner(&t, &users.alice, &["soc-overview"], "u_leads_read_user_0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "Cannot transfer ownership: user \"leads_read_user\" is deactivated."
    );
    // Nor can someone who cannot open dashboards in that space.
    let (status, body) = call(
        &t,
        &users.elastic,
        Method::POST,
        "/s/soc-emea/api/dashboards",
        Some(json!({"data": {"title": "EMEA", "access_control": {"access_mode": "write_restricted"}}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let emea = body["id"].as_str().unwrap().to_string();
    let (status, body) = call(
        &t,
        &users.elastic,
        Method::POST,
        "/s/soc-emea/internal/access_control/change_owner",
        Some(json!({"objects": [{"type": "dashboard", "id": emea}], "newOwnerProfileUid": OWNER_ALICE})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "Cannot transfer ownership: user \"alice\" cannot open dashboards in this space."
    );
    assert_eq!(
        fetch_dashboard(&t, &users.alice, "soc-overview")
            .await
            .owner(),
        Some(OWNER_ALICE)
    );

    // alice hands SOC overview to bob: bob may now edit it and alice may not, nor take it back.
    let (status, body) = change_owner(&t, &users.alice, &["soc-overview"], OWNER_BOB).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let soc = fetch_dashboard(&t, &users.bob, "soc-overview").await;
    assert_eq!(soc.owner(), Some(OWNER_BOB));
    assert!(soc.is_write_restricted());
    let (status, _) = update(
        &t,
        &users.bob,
        "soc-overview",
        json!({"data": {"title": "SOC overview (bob)"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = update(
        &t,
        &users.alice,
        "soc-overview",
        json!({"data": {"title": "mine again"}}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = change_owner(&t, &users.alice, &["soc-overview"], OWNER_ALICE).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The admin can give it back.
    let (status, _) = change_owner(&t, &users.elastic, &["soc-overview"], OWNER_ALICE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        fetch_dashboard(&t, &users.bob, "soc-overview")
            .await
            .owner(),
        Some(OWNER_ALICE)
    );
}

#[tokio::test]
async fn forged_owners_and_access_control_in_bodies_are_ignored() {
    let t = TestServer::start().await;
    let users = sign_in(&t).await;
    let forged_meta = json!({"owner": OWNER_ALICE, "created_by": OWNER_ALICE, "version": "99"});
    let forged_ac = json!({"owner": OWNER_ALICE, "accessMode": "default"});
    let (status, body) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards",
        Some(json!({
            "data": {"title": "Bob's", "access_control": {"access_mode": "write_restricted", "owner": OWNER_ALICE}},
            "accessControl": forged_ac,
            "meta": forged_meta,
            "owner": OWNER_ALICE,
        })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let made: Dashboard = serde_json::from_value(body).unwrap();
    assert_eq!(made.owner(), Some(OWNER_BOB));
    assert_eq!(made.meta.created_by.as_deref(), Some(OWNER_BOB));
    assert!(made.is_write_restricted());
    assert_eq!(made.version(), Some("1"));
    // alice cannot edit it: the forged owner did not stick.
    let (status, _) = update(&t, &users.alice, &made.id, json!({"data": {"title": "x"}})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An update cannot change owner or mode, whatever it carries.
    let (status, body) = update(
        &t,
        &users.bob,
        "endpoint-health",
        json!({
            "data": {"title": "Endpoint health (bob)", "access_control": {"access_mode": "write_restricted", "owner": OWNER_BOB}},
            "accessControl": {"owner": OWNER_BOB, "accessMode": "write_restricted"},
            "meta": {"owner": OWNER_BOB},
            "version": "1",
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let endpoint: Dashboard = serde_json::from_value(body).unwrap();
    assert_eq!(endpoint.data.title, "Endpoint health (bob)");
    assert_eq!(endpoint.owner(), Some(OWNER_ALICE));
    assert!(!endpoint.is_write_restricted());
    let (status, _) = change_mode(
        &t,
        &users.bob,
        &["endpoint-health"],
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Overwrite: a conflict without `overwrite`, an access-control denial for a non-owner, and
    // the owner keeps ownership and mode when she overwrites.
    let body =
        json!({"data": {"title": "Overwritten", "access_control": {"access_mode": "default"}}});
    let (status, answer) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards/soc-overview",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        answer,
        boom(409, "Saved object [dashboard/soc-overview] conflict")
    );
    let (status, answer) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards/soc-overview?overwrite=true",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer,
        boom(
            403,
            "Unable to create dashboard, access control restrictions for dashboard:soc-overview"
        )
    );
    let (status, answer) = call(
        &t,
        &users.alice,
        Method::POST,
        "/api/dashboards/soc-overview?overwrite=true",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let soc: Dashboard = serde_json::from_value(answer).unwrap();
    assert_eq!(soc.data.title, "Overwritten");
    assert!(soc.is_write_restricted());
    assert_eq!(soc.owner(), Some(OWNER_ALICE));
    assert_eq!(soc.version(), Some("2"));
    // A chosen id for a new dashboard: the caller owns it; bad ids are refused.
    let (status, answer) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards/bobs-board",
        Some(json!({"data": {"title": "Bob's board"}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["meta"]["owner"], OWNER_BOB);
    assert_eq!(answer["data"]["access_control"]["access_mode"], "default");
    let (status, _) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards/_evil",
        Some(json!({"data": {"title": "x"}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Empty titles and broken panels are refused with the field named.
    let (status, answer) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards",
        Some(json!({"data": {"title": "  "}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["message"],
        "[request body.data.title]: a dashboard needs a title"
    );
    let (status, _) = call(
        &t,
        &users.bob,
        Method::POST,
        "/api/dashboards",
        Some(json!({"data": {"title": "x", "panels": [{"title": "p", "type": "<img>"}]}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn stale_updates_get_409_and_nothing_is_lost() {
    let t = TestServer::start().await;
    let users = sign_in(&t).await;
    let alice_copy = fetch_dashboard(&t, &users.alice, "endpoint-health").await;
    let bob_copy = fetch_dashboard(&t, &users.bob, "endpoint-health").await;
    assert_eq!(alice_copy.version(), Some("1"));
    let (status, body) = update(
        &t,
        &users.bob,
        "endpoint-health",
        json!({"data": {"title": "Bob's edit", "panels": bob_copy.data.panels}, "version": bob_copy.version()}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["meta"]["version"], "2");
    assert_eq!(body["meta"]["updated_by"], OWNER_BOB);
    let (status, body) = update(
        &t,
        &users.alice,
        "endpoint-health",
        json!({"data": {"title": "Alice's edit"}, "version": alice_copy.version()}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, boom(409, messages::VERSION_CONFLICT));
    let now = fetch_dashboard(&t, &users.alice, "endpoint-health").await;
    assert_eq!(now.data.title, "Bob's edit");
    assert_eq!(now.data.panels.len(), 3);
    let (status, _) = update(
        &t,
        &users.alice,
        "endpoint-health",
        json!({"data": {"title": "Alice's edit"}, "version": "2"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // A mode change bumps the version too.
    let (status, _) = change_mode(
        &t,
        &users.alice,
        &["endpoint-health"],
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = update(
        &t,
        &users.alice,
        "endpoint-health",
        json!({"data": {"title": "late"}, "version": "3"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        fetch_dashboard(&t, &users.alice, "endpoint-health")
            .await
            .version(),
        Some("4")
    );
    let (status, body) = update(
        &t,
        &users.alice,
        "endpoint-health",
        json!({"data": {"title": "x"}, "version": "WzEsMV0="}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("[request body.version]"));
    let (status, _) = update(
        &t,
        &users.alice,
        "ghost",
        json!({"data": {"title": "x"}, "version": "1"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn owner_and_mode_changes_are_audited_in_the_table_and_the_file() {
    let mut audit_path = None;
    let t = TestServer::start_with(|config| {
        let path = config
            .db_path
            .parent()
            .unwrap()
            .join("logs/custom-audit.jsonl");
        audit_path = Some(path.clone());
        config.audit_log = Some(path);
    })
    .await;
    let audit_path = audit_path.unwrap();
    let users = sign_in(&t).await;
    let (s1, _) = change_mode(
        &t,
        &users.alice,
        &["endpoint-health"],
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    let (s2, _) = change_mode(
        &t,
        &users.bob,
        &["soc-overview", "phishing-triage"],
        DashboardAccessMode::Default,
    )
    .await;
    let (s3, _) = change_owner(&t, &users.alice, &["soc-overview"], "nobody").await;
    let (s4, _) = change_owner(&t, &users.alice, &["soc-overview"], OWNER_BOB).await;
    assert_eq!([s1, s2, s3, s4].map(|s| s.as_u16()), [200, 403, 400, 200]);
    let expected = [
        (
            "saved_object_update_objects_access_mode",
            "success",
            "alice",
            vec!["endpoint-health"],
        ),
        (
            "saved_object_update_objects_access_mode",
            "failure",
            "bob",
            vec!["soc-overview", "phishing-triage"],
        ),
        (
            "saved_object_update_objects_owner",
            "failure",
            "alice",
            vec!["soc-overview"],
        ),
        (
            "saved_object_update_objects_owner",
            "success",
            "alice",
            vec!["soc-overview"],
        ),
    ];

    let db = gatehouse_server::db::Db::open(&t.db_path()).unwrap();
    let rows: Vec<(String, String, String, String, String, String, i64)> = db
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT action, outcome, username, object_ids, details, message, ts_ms FROM audit_log ORDER BY id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
    for (row, (action, outcome, user, ids)) in rows.iter().zip(&expected) {
        assert_eq!(&row.0, action);
        assert_eq!(&row.1, outcome);
        assert_eq!(&row.2, user);
        assert_eq!(serde_json::from_str::<Vec<String>>(&row.3).unwrap(), *ids);
        assert!(row.6 > 1_600_000_000_000, "timestamp in ms");
    }
    let details: Value = serde_json::from_str(&rows[3].4).unwrap();
    assert_eq!(details["new_owner"], OWNER_BOB);
    assert_eq!(details["previous"][0]["owner"], OWNER_ALICE);
    assert!(rows[1].5.starts_with("Access denied:"), "{}", rows[1].5);
    assert_eq!(rows[2].5, INVALID_PROFILE_UID);

    let text = std::fs::read_to_string(&audit_path).expect("audit file written");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), expected.len());
    for (line, (action, outcome, user, ids)) in lines.iter().zip(&expected) {
        assert_eq!(line["event"]["action"], *action);
        assert_eq!(line["event"]["outcome"], *outcome);
        assert_eq!(line["user"]["name"], *user);
        assert_eq!(line["user"]["id"], format!("u_{user}_0"));
        assert_eq!(line["kibana"]["saved_object"]["type"], "dashboard");
        assert_eq!(line["kibana"]["saved_object"]["ids"], json!(ids));
        assert_eq!(line["kibana"]["space_id"], "default");
        assert!(line["@timestamp"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(
        lines[0]["kibana"]["details"]["access_mode"],
        "write_restricted"
    );
    // The failed change left nothing behind.
    assert!(
        fetch_dashboard(&t, &users.bob, "phishing-triage")
            .await
            .access_mode()
            == DashboardAccessMode::Default
    );
}

#[tokio::test]
async fn the_audit_file_defaults_to_the_database_directory() {
    let t = TestServer::start().await;
    let alice = t.login("alice").await;
    let (status, _) =
        change_mode(&t, &alice, &["soc-overview"], DashboardAccessMode::Default).await;
    assert_eq!(status, StatusCode::OK);
    let text = std::fs::read_to_string(t.dir.path().join("audit.log")).expect("audit.log");
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains("saved_object_update_objects_access_mode"));
}

#[tokio::test]
async fn search_takes_sql_and_like_characters_literally_and_pages() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let made = [
        "100% uptime",
        "100 percent",
        "a_b test",
        "axb test",
        "O'Brien's board",
        "Robert'); DROP TABLE dashboards;--",
        "back\\slash",
    ];
    for title in made {
        create(&t, &elastic, title, DashboardAccessMode::Default).await;
    }
    let search = |q: &str| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("search", q)
            .finish();
        query
    };
    let found = list(&t, &elastic, &search("%")).await;
    assert_eq!(titles(&found), vec!["100% uptime"]);
    let found = list(&t, &elastic, &search("_")).await;
    assert_eq!(titles(&found), vec!["a_b test"]);
    let found = list(&t, &elastic, &search("'")).await;
    assert_eq!(
        titles(&found),
        vec!["O'Brien's board", "Robert'); DROP TABLE dashboards;--"]
    );
    let found = list(&t, &elastic, &search("\\")).await;
    assert_eq!(titles(&found), vec!["back\\slash"]);
    let found = list(&t, &elastic, &search("drop table")).await;
    assert_eq!(found.total, 1);
    let found = list(&t, &elastic, &search("soc")).await;
    assert_eq!(titles(&found), vec!["SOC overview"]);
    let found = list(&t, &elastic, &search("no such thing")).await;
    assert_eq!((found.total, found.dashboards.len()), (0, 0));

    // 5 seeded + 7 made = 12, in pages of 5.
    let mut seen = Vec::new();
    for page in 1..=3 {
        let got = list(&t, &elastic, &format!("page={page}&perPage=5")).await;
        assert_eq!(got.total, 12);
        assert_eq!((got.page, got.per_page), (page, 5));
        assert_eq!(got.dashboards.len(), if page < 3 { 5 } else { 2 });
        seen.extend(got.dashboards.into_iter().map(|d| d.data.title));
    }
    let mut sorted = seen.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(seen, sorted, "ordered by title across pages");
    sorted.dedup();
    assert_eq!(sorted.len(), 12);
    let beyond = list(&t, &elastic, "page=9&perPage=5").await;
    assert_eq!((beyond.total, beyond.dashboards.len()), (12, 0));
    let filtered = list(
        &t,
        &elastic,
        &format!("{}&perPage=1&page=2", search("test")),
    )
    .await;
    assert_eq!(titles(&filtered), vec!["axb test"]);
    assert_eq!(filtered.total, 2);
    for bad in [
        "perPage=0",
        "perPage=101",
        "page=0",
        "page=x",
        "page=1&page=2",
    ] {
        let (status, body) = call(
            &t,
            &elastic,
            Method::GET,
            &format!("/api/dashboards?{bad}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["statusCode"], 400);
    }
}

#[tokio::test]
async fn profiles_resolve_within_the_space_and_suggest_by_name() {
    let t = TestServer::start().await;
    let bob = t.login("bob").await;
    let elastic = t.login("elastic").await;
    let (status, body) = call(
        &t,
        &bob,
        Method::POST,
        "/internal/security/user_profile/_bulk_get",
        Some(json!({"uids": [OWNER_ALICE, "u_elastic_0", "u_nobody_0", "garbage", OWNER_ALICE, OWNER_BOB], "dataPath": "avatar"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let profiles: Vec<UserProfile> = serde_json::from_value(body).unwrap();
    let names: Vec<&str> = profiles.iter().map(|p| p.user.username.as_str()).collect();
    assert_eq!(names, vec!["alice", "elastic", "bob"]);
    assert_eq!(profiles[0].user.full_name.as_deref(), Some("Alice Analyst"));
    assert!(
        profiles[0].user.roles.is_empty(),
        "others' roles stay private"
    );
    assert_eq!(profiles[2].user.roles, vec!["dashboard_editor"]);

    let suggest = |session: &Session, path: &str, body: Value| {
        let builder = request(&t, Some(session), Method::POST, path).json(&body);
        async move { send_json(builder).await }
    };
    let path = "/internal/security/user_profile/_suggest";
    let (status, body) = suggest(&bob, path, json!({"name": "ANA", "size": 10})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found: Vec<UserProfile> = serde_json::from_value(body).unwrap();
    assert_eq!(found[0].uid, OWNER_ALICE, "word prefix of Alice Analyst");
    let (_, body) = suggest(&bob, path, json!({"name": "vic"})).await;
    let found: Vec<UserProfile> = serde_json::from_value(body).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].user.full_name.as_deref(), Some("Victor Viewer"));
    let (_, body) = suggest(&bob, path, json!({"name": "", "size": 2})).await;
    assert_eq!(body.as_array().unwrap().len(), 2);
    let (_, body) = suggest(&bob, path, json!({"name": "%"})).await;
    assert_eq!(body, json!([]));
    let (status, _) = suggest(&bob, path, json!({"name": "a", "size": 0})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = suggest(&bob, path, json!({"name": "a", "size": 101})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // In another space only its members show up, and non-members are refused.
    let (status, body) =
        suggest(&elastic, &format!("/s/soc-emea{path}"), json!({"name": ""})).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<String> = serde_json::from_value::<Vec<UserProfile>>(body)
        .unwrap()
        .into_iter()
        .map(|p| p.user.username)
        .collect();
    assert!(names.contains(&"elastic".to_string()));
    for outsider in ["alice", "bob", "victor"] {
        assert!(!names.contains(&outsider.to_string()), "{names:?}");
    }
    let (status, body) = suggest(
        &bob,
        "/s/soc-emea/internal/security/user_profile/_bulk_get",
        json!({"uids": [OWNER_ALICE]}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["message"],
        "API [POST /internal/security/user_profile/_bulk_get] is unauthorized for user, this action is granted by the Kibana privileges [bulkGetUserProfiles]"
    );
    let (status, _) =
        send_json(request(&t, None, Method::POST, path).json(&json!({"name": "a"}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

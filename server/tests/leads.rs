//! Leads routes (docs/leads.md) for every demo user, over real HTTP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use gatehouse_api::leads::{LeadsPage, LeadsPrivileges, LeadsStatus};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const BASE: &str = "/internal/entity_analytics/leads";
const INDEX: &str = ".entity_analytics.entity-leads-default";
const TOP_TITLES: [&str; 3] = [
    "Critical risk user root with entity risk 100",
    "Critical risk host build-04 with entity risk 99",
    "Critical risk host vpn-04 with entity risk 99",
];

fn path(rest: &str) -> String {
    format!("{BASE}{rest}")
}

fn search_denied(user: &str, roles: &str, index: &str) -> Value {
    json!({
        "message": format!("security_exception: action [indices:data/read/search] is unauthorized for user [{user}] with effective roles [{roles}] on indices [{index}], this action is granted by the index privileges [read,all]"),
        "status_code": 403
    })
}

fn bulk_denied(user: &str, roles: &str, index: &str) -> String {
    format!("security_exception: action [indices:data/write/bulk] is unauthorized for user [{user}] with effective roles [{roles}] on indices [{index}], this action is granted by the index privileges [create_doc,create,index,write,all]")
}

fn update_denied(user: &str, roles: &str) -> Value {
    json!({
        "message": format!("security_exception: action [indices:data/write/update] is unauthorized for user [{user}] with effective roles [{roles}] on indices [{INDEX}], this action is granted by the index privileges [index,write,all]"),
        "status_code": 403
    })
}

/// Starts a generate run and waits until `/status` reports it finished.
/// Generates up to `max_leads` with the built-in connector and waits for the run to finish.
async fn generate_with_builtin(
    t: &TestServer,
    session: &Session,
    prefix: &str,
    max_leads: u32,
) -> (String, LeadsStatus) {
    let body = json!({ "connectorId": "gatehouse-default", "maxLeads": max_leads });
    generate(t, session, prefix, body).await
}

async fn generate(
    t: &TestServer,
    session: &Session,
    prefix: &str,
    body: Value,
) -> (String, LeadsStatus) {
    let (status, answer) = t
        .post_json(session, &format!("{prefix}{}", path("/generate")), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let uuid = common::execution_uuid(&answer);
    assert!(uuid::Uuid::parse_str(&uuid).is_ok(), "{uuid}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (code, body) = t
            .get_json(session, &format!("{prefix}{}", path("/status")))
            .await;
        if code == StatusCode::OK {
            let status: LeadsStatus = serde_json::from_value(body).unwrap();
            if status.last_execution_uuid.as_deref() == Some(uuid.as_str()) {
                return (uuid, status);
            }
        } else {
            // Callers without read cannot poll; give the run a moment instead.
            tokio::time::sleep(Duration::from_millis(300)).await;
            return (uuid, LeadsStatus::default());
        }
        assert!(Instant::now() < deadline, "generate {uuid} did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn find(t: &TestServer, session: &Session, query: &str) -> LeadsPage {
    let body = expect(
        t.get_json(session, &format!("{}?{query}", path(""))).await,
        StatusCode::OK,
    );
    serde_json::from_value(body).expect("page parses")
}

#[tokio::test]
async fn privileges_per_user_before_the_index_exists() {
    let t = TestServer::start().await;
    for (user, read, write) in [
        ("elastic", true, true),
        ("leads_full_user", true, true),
        ("leads_read_user", true, false),
        ("leads_no_access_user", false, false),
    ] {
        let session = t.login(user).await;
        let (status, body) = t.get_json(&session, &path("/privileges")).await;
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
        let privileges: LeadsPrivileges = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(
            (
                privileges.has_read_permissions,
                privileges.has_write_permissions
            ),
            (read, write),
            "{user}"
        );
        assert_eq!(privileges.has_all_required, read && write);
        assert_eq!(
            body["privileges"]["elasticsearch"]["index"][".entity_analytics.entity-leads-*"],
            json!({ "read": read, "write": write })
        );
    }
}

#[tokio::test]
async fn users_without_the_security_feature_get_kibanas_403_on_every_route() {
    let t = TestServer::start().await;
    for user in ["alice", "bob"] {
        let session = t.login(user).await;
        let (status, body) = t
            .get_json(&session, &format!("{}?page=1&perPage=20", path("")))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            body,
            json!({ "statusCode": 403, "error": "Forbidden", "message": "API [GET /internal/entity_analytics/leads?page=1&perPage=20] is unauthorized for user, this action is granted by the Kibana privileges [securitySolution-entity-analytics]" })
        );
        for (method, rest, body) in [
            (Method::GET, "/privileges", json!(null)),
            (Method::GET, "/status", json!(null)),
            (
                Method::POST,
                "/generate",
                json!({ "connectorId": "gatehouse-default" }),
            ),
            (
                Method::POST,
                "/enable",
                json!({ "connectorId": "gatehouse-default" }),
            ),
            (Method::POST, "/disable", json!({})),
            (Method::POST, "/abc/_dismiss", json!({})),
            (
                Method::POST,
                "/bulk_update",
                json!({ "ids": ["a"], "status": "dismissed" }),
            ),
        ] {
            let (status, answer) =
                send_json(t.as_user(&session, method.clone(), &path(rest)).json(&body)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {method} {rest}");
            assert_eq!(
                answer["message"],
                format!("API [{method} {BASE}{rest}] is unauthorized for user, this action is granted by the Kibana privileges [securitySolution-entity-analytics]")
            );
            assert_eq!(answer["error"], "Forbidden");
        }
    }
}

#[tokio::test]
async fn unauthenticated_leads_requests_are_401() {
    let t = TestServer::start().await;
    for rest in ["", "/privileges", "/status"] {
        let body = expect(
            send_json(t.kibana(Method::GET, &path(rest))).await,
            StatusCode::UNAUTHORIZED,
        );
        assert_eq!(body["statusCode"], 401);
    }
}

#[tokio::test]
async fn find_and_status_before_the_index_exists() {
    let t = TestServer::start().await;
    for user in ["elastic", "leads_full_user", "leads_read_user"] {
        let session = t.login(user).await;
        let body = expect(t.get_json(&session, &path("")).await, StatusCode::OK);
        assert_eq!(
            body,
            json!({ "leads": [], "total": 0, "page": 1, "perPage": 20 })
        );
        let (status, body) = t.get_json(&session, &path("/status")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["indexExists"], false);
        assert_eq!(body["isEnabled"], false);
        assert_eq!(body["totalLeads"], 0);
        assert_eq!(body["lastRun"], Value::Null);
        assert_eq!(body["lastError"], Value::Null);
    }
    let none = t.login("leads_no_access_user").await;
    for rest in ["", "/status"] {
        let body = expect(t.get_json(&none, &path(rest)).await, StatusCode::FORBIDDEN);
        assert_eq!(
            body,
            search_denied("leads_no_access_user", "kibana_admin", INDEX)
        );
    }
}

#[tokio::test]
async fn generate_without_write_fails_later_with_the_bulk_security_exception() {
    let (t, reader) = TestServer::start_as("leads_read_user").await;
    let (uuid, status) = generate(
        &t,
        &reader,
        "",
        json!({ "connectorId": "gatehouse-default" }),
    )
    .await;
    assert_eq!(status.last_execution_uuid.as_deref(), Some(uuid.as_str()));
    assert_eq!(
        status.last_error.as_deref(),
        Some(bulk_denied("leads_read_user", "kibana_admin,leads_read_only", INDEX).as_str())
    );
    assert!(!status.index_exists);
    assert_eq!(status.last_run, None);
    assert_eq!(find(&t, &reader, "").await.total, 0);

    // No read either: the answer still comes at once, and the failure is recorded for others to see.
    let none = t.login("leads_no_access_user").await;
    let (status, body) = t
        .post_json(
            &none,
            &path("/generate"),
            json!({ "connectorId": "gatehouse-default" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let uuid = common::execution_uuid(&body);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, status) = t.get_json(&reader, &path("/status")).await;
        if status["lastExecutionUuid"] == uuid.as_str() {
            assert_eq!(
                status["lastError"],
                bulk_denied("leads_no_access_user", "kibana_admin", INDEX)
            );
            break;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn generate_with_write_creates_deterministic_leads() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    let (uuid, status) =
        generate(&t, &full, "", json!({ "connectorId": "gatehouse-default" })).await;
    assert!(!uuid.is_empty(), "generate answers with an executionUuid");
    assert_eq!(status.last_error, None);
    assert!(status.index_exists);
    assert_eq!(status.total_leads, 10);
    assert_eq!(status.connector_id.as_deref(), Some("gatehouse-default"));
    let last_run = status.last_run.clone().expect("lastRun");
    assert!(
        time::OffsetDateTime::parse(&last_run, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{last_run}"
    );

    let page = find(
        &t,
        &full,
        "page=1&perPage=20&sortField=priority&sortOrder=desc&status=active",
    )
    .await;
    assert_eq!(page.total, 10);
    let titles: Vec<&str> = page.leads.0.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles[..3], TOP_TITLES);
    for lead in &page.leads.0 {
        assert_eq!(lead.execution_uuid, uuid);
        assert_eq!(lead.status, "active");
        assert_eq!(lead.staleness, "fresh");
        assert_eq!(lead.source_type, "adhoc");
        assert!((1..=10).contains(&lead.priority));
        assert!(!lead.observations.is_empty());
        let modules: Vec<&str> = lead
            .observations
            .iter()
            .map(|o| o.module_id.as_str())
            .collect();
        assert!(
            modules
                .iter()
                .all(|m| ["risk_analysis", "alerts", "asset_criticality"].contains(m)),
            "{modules:?}"
        );
    }
    // The raw JSON uses the newest lead shape.
    let (_, raw) = t.get_json(&full, &path("?perPage=1")).await;
    let lead = &raw["leads"][0];
    for key in [
        "id",
        "title",
        "byline",
        "description",
        "entity",
        "tags",
        "priority",
        "chatRecommendations",
        "timestamp",
        "staleness",
        "status",
        "observations",
        "executionUuid",
        "sourceType",
    ] {
        assert!(lead.get(key).is_some(), "lead has {key}: {lead}");
    }
    assert!(lead["observations"][0].get("moduleId").is_some());

    // The read user sees them too, and elastic can regenerate: the 10 found again are updated
    // in place (this run's execution id) and 15 more are created.
    let reader = t.login("leads_read_user").await;
    assert_eq!(find(&t, &reader, "").await.total, 10);
    let elastic = t.login("elastic").await;
    let (second, status) = generate_with_builtin(&t, &elastic, "", 25).await;
    assert_eq!(status.last_error, None);
    assert_eq!(status.total_leads, 25);
    let page = find(&t, &full, "perPage=100").await;
    assert_eq!(page.total, 25);
    assert!(page.leads.0.iter().all(|l| l.execution_uuid == second));
    assert_eq!(page.leads.0[0].title, TOP_TITLES[0]);
}

#[tokio::test]
async fn paging_sorting_and_filtering() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    generate_with_builtin(&t, &full, "", 50).await;

    let all = find(&t, &full, "perPage=100").await;
    assert_eq!(all.total, 50);
    assert!(
        all.leads
            .0
            .windows(2)
            .all(|w| w[0].priority >= w[1].priority),
        "default: priority desc"
    );

    let page3 = find(&t, &full, "page=3&perPage=20").await;
    assert_eq!(
        (page3.page, page3.per_page, page3.total, page3.leads.0.len()),
        (3, 20, 50, 10)
    );
    assert_eq!(page3.leads.0[0].id, all.leads.0[40].id);
    assert_eq!(find(&t, &full, "page=9&perPage=20").await.leads.0.len(), 0);

    let asc = find(&t, &full, "perPage=100&sortField=priority&sortOrder=asc").await;
    assert!(asc
        .leads
        .0
        .windows(2)
        .all(|w| w[0].priority <= w[1].priority));
    let newest = find(&t, &full, "perPage=100&sortField=timestamp&sortOrder=desc").await;
    assert!(newest
        .leads
        .0
        .windows(2)
        .all(|w| w[0].timestamp >= w[1].timestamp));
    let oldest = find(&t, &full, "perPage=100&sortField=timestamp&sortOrder=asc").await;
    assert!(oldest
        .leads
        .0
        .windows(2)
        .all(|w| w[0].timestamp <= w[1].timestamp));

    // Dismiss two: they leave the active list and show up under status=dismissed.
    let ids: Vec<String> = all.leads.0.iter().take(2).map(|l| l.id.clone()).collect();
    let (status, body) = t
        .post_json(&full, &path(&format!("/{}/_dismiss", ids[0])), json!({}))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    let (status, body) = t
        .post_json(
            &full,
            &path("/bulk_update"),
            json!({ "ids": [ids[1], ids[1], "missing"], "status": "dismissed" }),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "updated": 1 })));
    assert_eq!(find(&t, &full, "status=active").await.total, 48);
    let dismissed = find(&t, &full, "status=dismissed").await;
    assert_eq!(dismissed.total, 2);
    assert!(dismissed.leads.0.iter().all(|l| l.status == "dismissed"));
    assert_eq!(find(&t, &full, "status=expired").await.total, 0);
    assert_eq!(find(&t, &full, "").await.total, 50);

    // A run no longer wipes leads (docs/leads.md "Kept leads and ageing"): it finds the top 5
    // again (the two dismissed among them stay dismissed) and the 45 it does not find stay to age.
    generate_with_builtin(&t, &full, "", 5).await;
    assert_eq!(find(&t, &full, "status=active").await.total, 48);
    assert_eq!(find(&t, &full, "status=dismissed").await.total, 2);
    assert_eq!(find(&t, &full, "").await.total, 50);
}

#[tokio::test]
async fn write_routes_need_write() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    generate(&t, &full, "", json!({ "connectorId": "gatehouse-default" })).await;
    let id = find(&t, &full, "").await.leads.0[0].id.clone();

    let reader = t.login("leads_read_user").await;
    let roles = "kibana_admin,leads_read_only";
    let (status, body) = t
        .post_json(&reader, &path(&format!("/{id}/_dismiss")), json!({}))
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            update_denied("leads_read_user", roles)
        )
    );
    let (status, body) = t
        .post_json(
            &reader,
            &path("/bulk_update"),
            json!({ "ids": [id], "status": "dismissed" }),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            update_denied("leads_read_user", roles)
        )
    );
    for rest in ["/enable", "/disable"] {
        let (status, body) = t
            .post_json(
                &reader,
                &path(rest),
                json!({ "connectorId": "gatehouse-default" }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{rest}");
        assert_eq!(body["status_code"], 403);
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("security_exception: action [indices:data/write/index]"));
    }
    let none = t.login("leads_no_access_user").await;
    let (status, body) = t
        .post_json(&none, &path(&format!("/{id}/_dismiss")), json!({}))
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            update_denied("leads_no_access_user", "kibana_admin")
        )
    );
    assert_eq!(
        find(&t, &full, "status=active").await.total,
        10,
        "nothing changed"
    );

    let (status, body) = t
        .post_json(&full, &path("/no-such-lead/_dismiss"), json!({}))
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({ "message": "Lead no-such-lead not found", "status_code": 404 })
        )
    );
    let elastic = t.login("elastic").await;
    expect(
        t.post_json(&elastic, &path(&format!("/{id}/_dismiss")), json!({}))
            .await,
        StatusCode::OK,
    );
}

#[tokio::test]
async fn enable_creates_the_index_and_disable_turns_it_off() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    let (status, body) = t
        .post_json(
            &full,
            &path("/enable"),
            json!({ "connectorId": "gatehouse-default" }),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    let (_, body) = t.get_json(&full, &path("/status")).await;
    assert_eq!(body["isEnabled"], true);
    assert_eq!(body["indexExists"], true);
    assert_eq!(body["connectorId"], "gatehouse-default");
    assert_eq!(body["totalLeads"], 0);
    let (status, body) = send_json(t.as_user(&full, Method::POST, &path("/disable"))).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    let (_, body) = t.get_json(&full, &path("/status")).await;
    assert_eq!(body["isEnabled"], false);
    assert_eq!(body["indexExists"], true);
}

#[tokio::test]
async fn validation_errors_are_siem_400s() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    let bad = |message: &str| json!({ "message": message, "status_code": 400 });
    for (query, message) in [
        ("page=0", "[request query]: page: Number must be greater than or equal to 1"),
        ("perPage=0", "[request query]: perPage: Number must be greater than or equal to 1"),
        ("perPage=101", "[request query]: perPage: Number must be less than or equal to 100"),
        ("page=x", "[request query]: page: Expected number, received nan"),
        ("sortField=score", "[request query]: sortField: Invalid enum value. Expected 'priority' | 'timestamp', received 'score'"),
        ("sortOrder=up", "[request query]: sortOrder: Invalid enum value. Expected 'asc' | 'desc', received 'up'"),
        ("status=open", "[request query]: status: Invalid enum value. Expected 'active' | 'dismissed' | 'expired', received 'open'"),
    ] {
        let (status, body) = t.get_json(&full, &format!("{}?{query}", path(""))).await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, bad(message)), "{query}");
    }
    for (body, message) in [
        (
            json!({ "connectorId": "gatehouse-default", "maxLeads": 0 }),
            "[request body]: maxLeads: Number must be greater than or equal to 1",
        ),
        (
            json!({ "connectorId": "gatehouse-default", "maxLeads": 51 }),
            "[request body]: maxLeads: Number must be less than or equal to 50",
        ),
        (
            json!({ "connectorId": "" }),
            "[request body]: connectorId: String must contain at least 1 character(s)",
        ),
    ] {
        let (status, answer) = t.post_json(&full, &path("/generate"), body.clone()).await;
        assert_eq!(
            (status, answer),
            (StatusCode::BAD_REQUEST, bad(message)),
            "{body}"
        );
    }
    for body in [
        json!({}),
        json!({ "connectorId": 5 }),
        json!({ "connectorId": "gatehouse-default", "maxLeads": -1 }),
    ] {
        let (status, answer) = t.post_json(&full, &path("/generate"), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["status_code"], 400);
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .starts_with("[request body]: "),
            "{answer}"
        );
    }
    let answer = expect(
        send_json(
            t.as_user(&full, Method::POST, &path("/generate"))
                .header("content-type", "application/json")
                .body("{oops"),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(answer["status_code"], 400);
    let (status, answer) = send_json(
        t.as_user(&full, Method::POST, &path("/generate"))
            .header("content-type", "text/plain")
            .body(r#"{"connectorId":"gatehouse-default"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["status_code"], 400);

    let many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    for (body, message) in [
        (json!({ "ids": [], "status": "dismissed" }), "[request body]: ids: Array must contain at least 1 element(s)"),
        (json!({ "ids": many, "status": "dismissed" }), "[request body]: ids: Array must contain at most 100 element(s)"),
        (json!({ "ids": ["a"], "status": "gone" }), "[request body]: status: Invalid enum value. Expected 'active' | 'dismissed' | 'expired', received 'gone'"),
    ] {
        let (status, answer) = t.post_json(&full, &path("/bulk_update"), body).await;
        assert_eq!((status, answer), (StatusCode::BAD_REQUEST, bad(message)));
    }
    let answer = expect(
        t.post_json(&full, &path("/enable"), json!({})).await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(answer["status_code"], 400);
}

#[tokio::test]
async fn leads_header_rules() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    let missing_version =
        "Please specify a version via elastic-api-version header. Available versions: [1]";
    for (method, rest) in [
        (Method::GET, ""),
        (Method::GET, "/status"),
        (Method::POST, "/generate"),
    ] {
        let body = expect(
            send_json(
                t.http
                    .request(method.clone(), t.url(&path(rest)))
                    .header("kbn-xsrf", "true")
                    .header("x-elastic-internal-origin", "Kibana")
                    .header("cookie", &full.cookie)
                    .json(&json!({ "connectorId": "gatehouse-default" })),
            )
            .await,
            StatusCode::BAD_REQUEST,
        );
        assert_eq!(
            body,
            json!({ "statusCode": 400, "error": "Bad Request", "message": missing_version })
        );
    }
    let body = expect(
        send_json(
            t.http
                .get(t.url(&path("/status")))
                .header("x-elastic-internal-origin", "Kibana")
                .header("elastic-api-version", "2023-10-31")
                .header("cookie", &full.cookie),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(body["statusCode"], 400);
    let (status, body) = send_json(
        t.http
            .get(t.url(&path("/status")))
            .header("elastic-api-version", "1")
            .header("cookie", &full.cookie),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "uri [/internal/entity_analytics/leads/status] with method [get] exists but is not available with the current configuration"
    );
    expect_message(
        send_json(
            t.http
                .post(t.url(&path("/generate")))
                .header("elastic-api-version", "1")
                .header("x-elastic-internal-origin", "Kibana")
                .header("cookie", &full.cookie)
                .json(&json!({ "connectorId": "gatehouse-default" })),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Request must contain a kbn-xsrf header.",
    );
}

#[tokio::test]
async fn spaces_have_their_own_index() {
    let t = TestServer::start().await;
    // A fresh space of our own (the seeded SOC EMEA space starts with leads).
    let elastic = t.login("elastic").await;
    let (code, body) = send_json(
        t.as_user(&elastic, reqwest::Method::POST, "/api/spaces/space")
            .json(&json!({ "id": "lab", "name": "Lab" })),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let full = t.login("leads_full_user").await;
    let (_, status) = generate_with_builtin(&t, &full, "/s/lab", 3).await;
    assert_eq!(status.total_leads, 3);
    let (code, body) = t.get_json(&full, &format!("/s/lab{}", path(""))).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body["total"], 3);
    assert_eq!(
        find(&t, &full, "").await.total,
        0,
        "default space untouched"
    );

    let none = t.login("leads_no_access_user").await;
    let (code, body) = t
        .get_json(&none, &format!("/s/lab{}", path("/status")))
        .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        search_denied(
            "leads_no_access_user",
            "kibana_admin",
            ".entity_analytics.entity-leads-lab"
        )
    );

    let reader = t.login("leads_read_user").await;
    let (_, status) = generate(
        &t,
        &reader,
        "/s/lab",
        json!({ "connectorId": "gatehouse-default" }),
    )
    .await;
    assert_eq!(
        status.last_error.as_deref(),
        Some(
            bulk_denied(
                "leads_read_user",
                "kibana_admin,leads_read_only",
                ".entity_analytics.entity-leads-lab"
            )
            .as_str()
        )
    );
}

#[tokio::test]
async fn leads_survive_a_restart() {
    let mut t = TestServer::start().await;
    let full = t.login("leads_full_user").await;
    let (uuid, _) = generate(&t, &full, "", json!({ "connectorId": "gatehouse-default" })).await;
    let before = find(&t, &full, "").await;
    t.restart().await;
    let after = find(&t, &full, "").await;
    assert_eq!(
        before.leads.0.iter().map(|l| &l.id).collect::<Vec<_>>(),
        after.leads.0.iter().map(|l| &l.id).collect::<Vec<_>>()
    );
    let (_, status) = t.get_json(&full, &path("/status")).await;
    assert_eq!(status["lastExecutionUuid"], uuid.as_str());
}

#[tokio::test]
async fn large_indexes_page_correctly() {
    let t = TestServer::start().await;
    let db = gatehouse_server::db::Db::open(&t.db_path()).unwrap();
    db.write(|c| gatehouse_server::leads::insert_synthetic_leads(c, "default", 20_000, 7))
        .await
        .unwrap();
    let full = t.login("leads_full_user").await;
    // The deepest and the filtered pages. Speed is a benchmark's business (`cargo xtask bench`);
    // the query plans are pinned by a unit test in `leads.rs`.
    let deep = find(
        &t,
        &full,
        "page=200&perPage=100&sortField=timestamp&sortOrder=asc",
    )
    .await;
    let active = find(
        &t,
        &full,
        "perPage=100&status=active&sortField=priority&sortOrder=desc",
    )
    .await;
    assert_eq!(deep.total, 20_000);
    assert_eq!(deep.leads.0.len(), 100);
    assert_eq!(deep.page, 200);
    let stamps: Vec<&str> = deep.leads.0.iter().map(|l| l.timestamp.as_str()).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "ascending");
    // Page 200 of 100 is the last page: nothing newer than its last lead exists.
    let newest = find(&t, &full, "perPage=1&sortField=timestamp&sortOrder=desc").await;
    assert_eq!(newest.leads.0[0].id, deep.leads.0[99].id);
    assert!(
        active.total > 15_000 && active.total < 20_000,
        "{}",
        active.total
    );
    assert!(active
        .leads
        .0
        .iter()
        .all(|l| l.status == "active" && l.priority == 10));
}

/// The server keeps the answer of a find it has sent (`find_cache`): reading the same page again
/// must still show every change since, and must still be refused to whoever may no longer read.
#[tokio::test]
async fn a_page_read_again_shows_every_change_and_is_refused_once_read_is_revoked() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    let reader = t.login("leads_read_user").await;
    generate_with_builtin(&t, &full, "", 5).await;
    let first = find(&t, &reader, "").await;
    assert_eq!(find(&t, &reader, "").await, first, "nothing changed");

    let id = first.leads.0[0].id.clone();
    let (status, body) = t
        .post_json(&full, &path(&format!("/{id}/_dismiss")), json!({}))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    let after = find(&t, &reader, "").await;
    let dismissed = after
        .leads
        .0
        .iter()
        .find(|l| l.id == id)
        .expect("still listed");
    assert_eq!(dismissed.status, "dismissed");

    // Take the index privileges away from the reader's role: the same page, read a moment ago,
    // is now a 403.
    let elastic = t.login("elastic").await;
    let role_path = "/api/security/role/leads_read_only";
    let (status, mut role) = t.get_json(&elastic, role_path).await;
    assert_eq!(status, StatusCode::OK, "{role}");
    role["elasticsearch"]["indices"] = json!([]);
    let role = json!({ "elasticsearch": role["elasticsearch"], "kibana": role["kibana"] });
    expect(
        send_json(t.as_user(&elastic, Method::PUT, role_path).json(&role)).await,
        StatusCode::NO_CONTENT,
    );
    let (status, body) = t.get_json(&reader, &format!("{}?", path(""))).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            search_denied("leads_read_user", "kibana_admin,leads_read_only", INDEX)
        )
    );
}

/// A page read again goes to a browser gzip-compressed (100 leads are about 140 KB of JSON); a
/// client that does not ask for gzip still gets the JSON itself.
#[tokio::test]
async fn a_page_read_again_is_sent_compressed_to_a_client_that_accepts_gzip() {
    use std::io::Read;
    let (t, full) = TestServer::start_as("leads_full_user").await;
    generate_with_builtin(&t, &full, "", 5).await;
    let url = path("?perPage=100");
    let send = |encoding: Option<&'static str>| {
        let mut request = t.as_user(&full, Method::GET, &url);
        if let Some(e) = encoding {
            request = request.header("accept-encoding", e);
        }
        async move {
            let r = request.send().await.expect("find");
            assert_eq!(r.status(), StatusCode::OK);
            let encoding = r
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap_or_default().to_string());
            let vary = r
                .headers()
                .get("vary")
                .map(|v| v.to_str().unwrap_or_default().to_string());
            (encoding, vary, r.bytes().await.expect("body").to_vec())
        }
    };
    let browser = Some("gzip, deflate, br, zstd");
    let (encoding, vary, first) = send(browser).await;
    assert_eq!(encoding, None, "a first read is sent as it was read");
    assert_eq!(vary.as_deref(), Some("accept-encoding"));
    let page: LeadsPage = serde_json::from_slice(&first).expect("JSON");
    assert_eq!(page.leads.0.len(), 5);

    let (encoding, vary, gz) = send(browser).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(vary.as_deref(), Some("accept-encoding"));
    assert!(
        gz.len() < first.len() / 2,
        "{} of {} bytes",
        gz.len(),
        first.len()
    );
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut plain)
        .expect("valid gzip");
    assert_eq!(plain, first, "the same answer");

    let (encoding, _, identity) = send(None).await;
    assert_eq!(encoding, None, "no Accept-Encoding: JSON");
    assert_eq!(identity, first);
    let (encoding, _, refused) = send(Some("gzip;q=0, br")).await;
    assert_eq!(encoding, None, "gzip refused: JSON");
    assert_eq!(refused, first);
}

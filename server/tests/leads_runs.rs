//! Leads kept between runs, the changes feed and the connector choice (docs/leads.md "Kept leads
//! and ageing", "Changes", "Connector"), over real HTTP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use gatehouse_api::leads::{ChangeKind, LeadChanges, LeadMirror, LeadsPage, LeadsStatus};
use reqwest::StatusCode;
use serde_json::{json, Value};

const BASE: &str = "/internal/entity_analytics/leads";
const INDEX: &str = ".entity_analytics.entity-leads-default";
const PATTERN: &str = ".entity_analytics.entity-leads-*";
const BUILTIN: &str = "gatehouse-default";

fn path(rest: &str) -> String {
    format!("{BASE}{rest}")
}

/// Starts a generate run and waits until `/status` (read as `watcher`) reports it finished.
async fn generate(t: &TestServer, session: &Session, body: Value) -> LeadsStatus {
    let answer = expect(
        t.post_json(session, &path("/generate"), body).await,
        StatusCode::OK,
    );
    let uuid = execution_uuid(&answer);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status: LeadsStatus = serde_json::from_value(expect(
            t.get_json(session, &path("/status")).await,
            StatusCode::OK,
        ))
        .expect("status parses");
        if status.last_execution_uuid.as_deref() == Some(uuid.as_str()) {
            assert_eq!(status.last_error, None);
            return status;
        }
        assert!(Instant::now() < deadline, "generate {uuid} did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A run of at most `max_leads` with the built-in connector, waited for.
async fn generate_builtin(t: &TestServer, session: &Session, max_leads: u32) -> LeadsStatus {
    generate(
        t,
        session,
        json!({ "connectorId": BUILTIN, "maxLeads": max_leads }),
    )
    .await
}

async fn all_leads(t: &TestServer, s: &Session) -> LeadsPage {
    serde_json::from_value(expect(
        t.get_json(s, &path("?perPage=100")).await,
        StatusCode::OK,
    ))
    .expect("page parses")
}

/// One answer of the changes route (`since` left out when `None`).
async fn changes(t: &TestServer, s: &Session, since: Option<&str>, size: u32) -> LeadChanges {
    let query = match since {
        Some(cursor) => format!("?since={cursor}&size={size}"),
        None => format!("?size={size}"),
    };
    serde_json::from_value(expect(
        t.get_json(s, &path(&format!("/changes{query}"))).await,
        StatusCode::OK,
    ))
    .expect("changes parse")
}

/// Follows the feed from `cursor` until it has no more; returns the new cursor.
async fn catch_up(
    t: &TestServer,
    s: &Session,
    mut cursor: String,
    mirror: &mut LeadMirror,
) -> String {
    loop {
        let page = changes(t, s, Some(&cursor), 7).await;
        mirror.apply_all(&page);
        cursor = page.cursor;
        if !page.has_more {
            return cursor;
        }
    }
}

fn siem(status: StatusCode, message: &str) -> Value {
    json!({ "message": message, "status_code": status.as_u16() })
}

fn bulk_denied(user: &str, roles: &str) -> String {
    format!("security_exception: action [indices:data/write/bulk] is unauthorized for user [{user}] with effective roles [{roles}] on indices [{INDEX}], this action is granted by the index privileges [create_doc,create,index,write,all]")
}

fn search_denied(user: &str, roles: &str) -> String {
    format!("security_exception: action [indices:data/read/search] is unauthorized for user [{user}] with effective roles [{roles}] on indices [{INDEX}], this action is granted by the index privileges [read,all]")
}

#[tokio::test]
async fn two_runs_keep_the_ids_of_leads_found_twice_and_a_follower_sees_every_change_once() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let start = changes(&t, &elastic, None, 100).await;
    assert!(start.changes.is_empty() && !start.has_more);

    generate_builtin(&t, &elastic, 10).await;
    let first = all_leads(&t, &elastic).await;
    assert_eq!(first.total, 10);
    let mut mirror = LeadMirror::default();
    let cursor = catch_up(&t, &elastic, start.cursor.clone(), &mut mirror).await;
    assert_eq!(mirror.leads.len(), 10);

    // Dismiss one; the second run finds it again and it stays dismissed.
    let dismissed = first.leads.0[0].id.clone();
    expect(
        t.post_json(
            &elastic,
            &path(&format!("/{dismissed}/_dismiss")),
            json!({}),
        )
        .await,
        StatusCode::OK,
    );
    let status = generate_builtin(&t, &elastic, 15).await;
    let second = all_leads(&t, &elastic).await;
    assert_eq!(second.total, 15, "10 found again, 5 new");
    assert_eq!(status.total_leads, 14, "active: all but the dismissed one");
    for lead in &first.leads.0 {
        let again = second
            .leads
            .0
            .iter()
            .find(|l| l.id == lead.id)
            .unwrap_or_else(|| panic!("lead {} found twice keeps its id", lead.id));
        assert_eq!(
            again.execution_uuid,
            status.last_execution_uuid.clone().unwrap()
        );
        assert_eq!(again.first_seen.as_deref(), Some(lead.timestamp.as_str()));
        let expected = if lead.id == dismissed {
            "dismissed"
        } else {
            "active"
        };
        assert_eq!(again.status, expected);
    }

    // The follower: 5 created and 10 updated in this stretch, each once, and it ends with what
    // find answers.
    let mut seen = Vec::new();
    let mut cursor = cursor;
    loop {
        let page = changes(&t, &elastic, Some(&cursor), 4).await;
        seen.extend(page.changes.iter().map(|c| (c.id.clone(), c.kind)));
        mirror.apply_all(&page);
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    let created = seen
        .iter()
        .filter(|(_, k)| *k == ChangeKind::Created)
        .count();
    assert_eq!(created, 5, "{seen:?}");
    let mut ids: Vec<&String> = seen.iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        15,
        "each lead's changes come folded, once: {seen:?}"
    );
    let found: Vec<_> = second.leads.0.iter().map(|l| (&l.id, l)).collect();
    assert_eq!(mirror.leads.iter().collect::<Vec<_>>().len(), found.len());
    for (id, lead) in found {
        assert_eq!(mirror.leads.get(id), Some(lead), "{id}");
    }
    let after = changes(&t, &elastic, Some(&cursor), 100).await;
    assert!(after.changes.is_empty(), "nothing twice: {after:?}");
}

#[tokio::test]
async fn a_bad_or_too_old_cursor_is_a_400_that_says_what_to_do() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    for bad in ["nonsense", "5.00000000", "1", &"9".repeat(65)] {
        let (status, body) = t
            .get_json(&elastic, &path(&format!("/changes?since={bad}")))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["status_code"], 400);
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("[request query]: since: ")),
            "{body}"
        );
    }
    let (_, body) = t.get_json(&elastic, &path("/changes?since=nonsense")).await;
    assert_eq!(
        body,
        siem(StatusCode::BAD_REQUEST, "[request query]: since: 'nonsense' is not a cursor of this space's leads changes. Use the cursor a changes answer gave, or leave since out to follow from now.")
    );
    for size in ["0", "501", "ten"] {
        let (status, _) = t
            .get_json(&elastic, &path(&format!("/changes?size={size}")))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "size={size}");
    }
    let old = changes(&t, &elastic, None, 1).await.cursor;
    // More changes than the feed keeps (docs/leads.md "Changes").
    let db = gatehouse_server::db::Db::open(&t.db_path()).expect("db");
    db.write(|c| gatehouse_server::leads::insert_synthetic_leads(c, "default", 10_001, 5))
        .await
        .expect("leads");
    let (status, body) = t
        .get_json(&elastic, &path(&format!("/changes?since={old}")))
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            siem(StatusCode::BAD_REQUEST, "[request query]: since: The cursor is too old: only the last 10000 changes are kept. Leave since out to follow from now, and read the leads again.")
        )
    );
    // Following again from now works.
    let now = changes(&t, &elastic, None, 1).await.cursor;
    assert!(changes(&t, &elastic, Some(&now), 10)
        .await
        .changes
        .is_empty());
}

#[tokio::test]
async fn changes_are_checked_like_find_and_a_restricted_reader_gets_only_its_leads() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let hosts_role = json!({
        "elasticsearch": { "indices": [{ "names": [PATTERN], "privileges": ["read"],
            "query": r#"{"term":{"entity.type":"host"}}"#,
            "field_security": { "grant": ["*"], "except": ["byline"] } }] },
        "kibana": [{ "base": ["all"], "spaces": ["*"] }],
    });
    let hosts = t.user_with_role(&elastic, "hosts_reader", hosts_role).await;
    let start = changes(&t, &hosts, None, 10).await.cursor;
    generate_builtin(&t, &elastic, 30).await;
    let everything = all_leads(&t, &elastic).await;
    let host_ids: Vec<&String> = everything
        .leads
        .0
        .iter()
        .filter(|l| l.entity.as_ref().is_some_and(|e| e.entity_type == "host"))
        .map(|l| &l.id)
        .collect();
    assert!(!host_ids.is_empty() && host_ids.len() < 30);

    let (_, raw) = t
        .get_json(&hosts, &path(&format!("/changes?since={start}&size=500")))
        .await;
    let got = raw["changes"].as_array().expect("changes");
    assert_eq!(got.len(), host_ids.len(), "{raw}");
    for change in got {
        assert_eq!(change["kind"], "created");
        assert_eq!(change["lead"]["entity"]["type"], "host", "{change}");
        assert!(
            change["lead"].get("byline").is_none(),
            "field security: {change}"
        );
        assert!(change["lead"].get("title").is_some());
    }
    // A host lead dismissed by elastic is an update to the reader; its cursor moves on.
    let cursor = raw["cursor"].as_str().expect("cursor").to_string();
    expect(
        t.post_json(
            &elastic,
            &path(&format!("/{}/_dismiss", host_ids[0])),
            json!({}),
        )
        .await,
        StatusCode::OK,
    );
    let page = changes(&t, &hosts, Some(&cursor), 100).await;
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.changes[0].kind, ChangeKind::Updated);
    assert_eq!(&page.changes[0].id, host_ids[0]);
    // A change to a lead it cannot see is not told at all, but the cursor still moves.
    let other = everything
        .leads
        .0
        .iter()
        .find(|l| !host_ids.contains(&&l.id))
        .expect("a non-host lead");
    expect(
        t.post_json(
            &elastic,
            &path(&format!("/{}/_dismiss", other.id)),
            json!({}),
        )
        .await,
        StatusCode::OK,
    );
    let hidden = changes(&t, &hosts, Some(&page.cursor), 100).await;
    assert!(hidden.changes.is_empty(), "{hidden:?}");
    assert_ne!(hidden.cursor, page.cursor);

    // No index read: the find's 403, word for word.
    let none = t.login("leads_no_access_user").await;
    let (status, body) = t.get_json(&none, &path("/changes")).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            siem(
                StatusCode::FORBIDDEN,
                &search_denied("leads_no_access_user", "kibana_admin")
            )
        )
    );
}

#[tokio::test]
async fn choosing_a_connector_needs_write_is_audited_and_generate_falls_back_on_it() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    let reader = t.login("leads_read_user").await;
    let none = t.login("leads_no_access_user").await;
    let connector = path("/connector");

    // Connectors: what /status needs to read.
    let list = expect(
        t.get_json(&reader, "/api/actions/connectors").await,
        StatusCode::OK,
    );
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], BUILTIN);
    assert_eq!(list[0]["is_preconfigured"], true);
    assert_eq!(
        t.get_json(&none, "/api/actions/connectors").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        expect(t.get_json(&reader, &connector).await, StatusCode::OK),
        json!({ "connectorId": null })
    );
    let status = expect(t.get_json(&reader, &path("/status")).await, StatusCode::OK);
    assert_eq!(status["connectorId"], Value::Null);
    assert_eq!(t.get_json(&none, &connector).await.0, StatusCode::FORBIDDEN);

    // A read-only user may not choose: generate's bulk refusal, nothing written, audited.
    let (status, body) = t
        .put_json(&reader, &connector, json!({ "connectorId": BUILTIN }))
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            siem(
                StatusCode::FORBIDDEN,
                &bulk_denied("leads_read_user", "kibana_admin,leads_read_only")
            )
        )
    );
    assert_eq!(
        expect(t.get_json(&full, &connector).await, StatusCode::OK),
        json!({ "connectorId": null })
    );
    let refusals: i64 = t.db_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'entity_analytics_leads_connector_update' AND outcome = 'failure' AND username = 'leads_read_user'",
    );
    assert_eq!(refusals, 1);

    // Without a choice and without connectorId, generate keeps the body rule.
    let (status, body) = t.post_json(&full, &path("/generate"), json!({})).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            siem(
                StatusCode::BAD_REQUEST,
                "[request body]: connectorId: Required"
            )
        )
    );
    // Unknown connectors: 400 naming them, nothing chosen.
    let unknown = siem(
        StatusCode::BAD_REQUEST,
        "[request body]: connectorId: Connector 'gpt-4o' does not exist",
    );
    assert_eq!(
        t.put_json(&full, &connector, json!({ "connectorId": "gpt-4o" }))
            .await,
        (StatusCode::BAD_REQUEST, unknown.clone())
    );
    assert_eq!(
        t.post_json(
            &full,
            &path("/generate"),
            json!({ "connectorId": "gpt-4o" })
        )
        .await,
        (StatusCode::BAD_REQUEST, unknown)
    );

    // Chosen: kept for the space, said by /status, used by a generate without connectorId.
    assert_eq!(
        t.put_json(&full, &connector, json!({ "connectorId": BUILTIN }))
            .await,
        (StatusCode::OK, json!({ "connectorId": BUILTIN }))
    );
    assert_eq!(
        expect(t.get_json(&reader, &connector).await, StatusCode::OK),
        json!({ "connectorId": BUILTIN })
    );
    let done = generate(&t, &full, json!({ "maxLeads": 3 })).await;
    assert_eq!(done.connector_id.as_deref(), Some(BUILTIN));
    assert_eq!(done.total_leads, 3);
    let changes: i64 = t.db_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'entity_analytics_leads_connector_update' AND outcome = 'success' AND username = 'leads_full_user' AND object_ids LIKE '%gatehouse-default%'",
    );
    assert_eq!(changes, 1);

    // The choice is per space: another space has none, and its prefix reaches every route.
    let elastic = t.login("elastic").await;
    assert_eq!(
        expect(
            t.get_json(&elastic, &format!("/s/soc-emea{connector}"))
                .await,
            StatusCode::OK
        ),
        json!({ "connectorId": null })
    );
    let list = expect(
        t.get_json(&elastic, "/s/soc-emea/api/actions/connectors")
            .await,
        StatusCode::OK,
    );
    assert_eq!(list[0]["id"], BUILTIN);
    let feed = expect(
        t.get_json(&elastic, &format!("/s/soc-emea{}", path("/changes")))
            .await,
        StatusCode::OK,
    );
    let default_cursor = changes_cursor(&t, &elastic).await;
    let (status, body) = t
        .get_json(
            &elastic,
            &format!("/s/soc-emea{}?since={default_cursor}", path("/changes")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a cursor of another space: {body}"
    );
    assert!(feed["cursor"].is_string());
}

async fn changes_cursor(t: &TestServer, s: &Session) -> String {
    changes(t, s, None, 1).await.cursor
}

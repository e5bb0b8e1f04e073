//! Dashboard panels read real data with the viewer's privileges (docs/panels.md), over real HTTP:
//! the seeded dashboards' numbers are the leads find's, for `elastic` and for a reader limited
//! by document-level security; the expected counts are worked out here from the find's answers,
//! not written down.

mod common;

use std::collections::HashMap;

use common::dashboards::{fetch, get, post, request, update};
use common::*;
use gatehouse_api::dashboards::Dashboard;
use gatehouse_api::panels::{PanelAnswer, PanelQuery, PANELS_QUERY_PATH};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LEADS: &str = "/internal/entity_analytics/leads";
const PATTERN: &str = ".entity_analytics.entity-leads-*";

fn in_space(space: &str, path: &str) -> String {
    if space == "default" {
        path.to_string()
    } else {
        format!("/s/{space}{path}")
    }
}

async fn ask(t: &TestServer, s: &Session, space: &str, query: &Value) -> (StatusCode, Value) {
    post(t, s, &in_space(space, PANELS_QUERY_PATH), query.clone()).await
}

async fn answer(t: &TestServer, s: &Session, space: &str, query: &Value) -> PanelAnswer {
    let (status, body) = ask(t, s, space, query).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    serde_json::from_value(body).expect("a panel answer")
}

/// Every lead the find lists to `s` in `space`, page after page.
async fn found_leads(t: &TestServer, s: &Session, space: &str) -> Vec<Value> {
    let mut leads = Vec::new();
    for n in 1.. {
        let path = in_space(space, &format!("{LEADS}?perPage=100&page={n}"));
        let body = expect(t.get_json(s, &path).await, StatusCode::OK);
        let got = body["leads"].as_array().cloned().unwrap_or_default();
        if got.is_empty() {
            return leads;
        }
        leads.extend(got);
    }
    leads
}

/// The find's own `total` for a status.
async fn find_total(t: &TestServer, s: &Session, space: &str, status: &str) -> u64 {
    let path = in_space(space, &format!("{LEADS}?perPage=1&status={status}"));
    let body = expect(t.get_json(s, &path).await, StatusCode::OK);
    body["total"].as_u64().expect("total")
}

/// A lead's value of a panel field, as a bucket key.
fn lead_value(lead: &Value, field: &str) -> String {
    let value = match field {
        "status" => &lead["status"],
        "priority" => &lead["priority"],
        "entityType" => &lead["entity"]["type"],
        "entity" => &lead["entity"]["name"],
        other => panic!("no lead field {other}"),
    };
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Whether a lead passes a panel filter, read independently of the server's SQL.
fn passes(lead: &Value, filter: &Value) -> bool {
    let Some(filter) = filter.as_object() else {
        return true;
    };
    filter.iter().all(|(field, condition)| {
        let value = lead_value(lead, field);
        match condition {
            Value::Array(any) => any.iter().any(|v| scalar(v) == value),
            Value::Object(range) => {
                let n: i64 = value.parse().expect("a number");
                range
                    .get("gte")
                    .and_then(Value::as_i64)
                    .is_none_or(|g| n >= g)
                    && range
                        .get("lte")
                        .and_then(Value::as_i64)
                        .is_none_or(|l| n <= l)
            }
            one => scalar(one) == value,
        }
    })
}

fn scalar(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// What a leads query must answer over `leads` (the find's leads of one viewer): the total, and
/// its buckets checked against the counts per key.
fn check_against_leads(query: &Value, got: &PanelAnswer, leads: &[Value]) {
    let matching: Vec<&Value> = leads
        .iter()
        .filter(|l| passes(l, &query["filter"]))
        .collect();
    assert_eq!(got.total, matching.len() as u64, "{query}");
    let parsed: PanelQuery = serde_json::from_value(query.clone()).expect("query");
    let size = parsed.effective_size() as usize;
    let mut expected: HashMap<String, u64> = HashMap::new();
    if let Some(field) = query["groupBy"].as_str() {
        for lead in &matching {
            *expected.entry(lead_value(lead, field)).or_default() += 1;
        }
        assert_eq!(got.buckets.len(), expected.len().min(size), "{query}");
        let smallest_kept = got.buckets.iter().map(|b| b.count).min().unwrap_or(0);
        for bucket in &got.buckets {
            assert_eq!(
                expected.remove(&bucket.key),
                Some(bucket.count),
                "{query}: {}",
                bucket.key
            );
        }
        // What is left out is no larger than what is shown, and is counted as `other`.
        assert!(expected.values().all(|n| *n <= smallest_kept), "{query}");
        assert_eq!(got.other, expected.values().sum::<u64>(), "{query}");
    } else if query["interval"] == "day" {
        for lead in &matching {
            let day = format!(
                "{}T00:00:00Z",
                &lead["timestamp"].as_str().expect("ts")[..10]
            );
            *expected.entry(day).or_default() += 1;
        }
        for bucket in &got.buckets {
            assert_eq!(
                expected.get(&bucket.key).copied().unwrap_or(0),
                bucket.count
            );
        }
        let shown: u64 = got.buckets.iter().map(|b| b.count).sum();
        assert_eq!(shown + got.other, got.total, "{query}");
    } else {
        assert!(got.buckets.is_empty(), "{query}");
    }
}

/// The seeded dashboards of `space` (as `s` lists them) and their panels that have a query.
async fn seeded_queries(t: &TestServer, s: &Session, space: &str) -> Vec<(String, Value)> {
    let (status, body) = get(t, s, &in_space(space, "/api/dashboards?perPage=100")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut out = Vec::new();
    for dashboard in body["dashboards"].as_array().expect("dashboards") {
        let dashboard: Dashboard = serde_json::from_value(dashboard.clone()).expect("dashboard");
        for panel in dashboard.data.panels {
            if let Some(query) = panel.query {
                let title = format!("{} / {}", dashboard.data.title, panel.title);
                out.push((title, serde_json::to_value(query).expect("query")));
            }
        }
    }
    out
}

/// A user whose only leads grant is `grant`, with every Kibana feature.
async fn leads_user(t: &TestServer, elastic: &Session, name: &str, grant: Value) -> Session {
    let role = json!({
        "elasticsearch": { "indices": [grant] },
        "kibana": [{ "base": ["all"], "spaces": ["*"] }],
    });
    t.user_with_role(elastic, name, role).await
}

/// `hosts_reader`: may read the leads of hosts only (a document-level query).
async fn hosts_reader(t: &TestServer, elastic: &Session) -> Session {
    let grant = json!({ "names": [PATTERN], "privileges": ["read"], "query": r#"{"term":{"entity.type":"host"}}"# });
    leads_user(t, elastic, "hosts_reader", grant).await
}

#[tokio::test]
async fn the_seeded_leads_panels_count_what_the_leads_find_lists() {
    let (t, elastic) = TestServer::start_with_leads(300).await;
    let hosts = hosts_reader(&t, &elastic).await;
    let queries = seeded_queries(&t, &elastic, "default").await;
    let leads_queries: Vec<&(String, Value)> = queries
        .iter()
        .filter(|(_, q)| q["source"] == "leads")
        .collect();
    assert!(leads_queries.len() >= 6, "{leads_queries:?}");
    for (viewer, session) in [("elastic", &elastic), ("hosts_reader", &hosts)] {
        let leads = found_leads(&t, session, "default").await;
        assert!(!leads.is_empty(), "{viewer}");
        for (title, query) in &leads_queries {
            let got = answer(&t, session, "default", query).await;
            check_against_leads(query, &got, &leads);
            // The find's own total, where the find can filter the same way.
            if let Some(status) = query["filter"]
                .as_object()
                .filter(|f| f.len() == 1)
                .and_then(|f| f["status"].as_str())
            {
                assert_eq!(
                    got.total,
                    find_total(&t, session, "default", status).await,
                    "{viewer}: {title}"
                );
            }
        }
    }
    // The restricted reader counts fewer leads than there are: only its hosts.
    let all = answer(&t, &elastic, "default", &json!({"source": "leads"})).await;
    let theirs = answer(
        &t,
        &hosts,
        "default",
        &json!({"source": "leads", "groupBy": "entityType"}),
    )
    .await;
    assert!(theirs.total > 0 && theirs.total < all.total);
    assert_eq!(theirs.buckets.len(), 1);
    assert_eq!(theirs.buckets[0].key, "host");
}

#[tokio::test]
async fn a_field_the_viewer_may_not_see_is_not_grouped_or_filtered_on() {
    let (t, elastic) = TestServer::start_with_leads(50).await;
    let reader = leads_user(
        &t,
        &elastic,
        "no_priority",
        json!({ "names": [PATTERN], "privileges": ["read"], "field_security": {"grant": ["*"], "except": ["priority"]} }),
    )
    .await;
    for query in [
        json!({"source": "leads", "groupBy": "priority"}),
        json!({"source": "leads", "filter": {"priority": {"gte": 8}}}),
    ] {
        let (status, body) = ask(&t, &reader, "default", &query).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{query}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or("")
                .contains("[priority]"),
            "{body}"
        );
    }
    let by_status = answer(
        &t,
        &reader,
        "default",
        &json!({"source": "leads", "groupBy": "status"}),
    )
    .await;
    assert_eq!(by_status.total, 50);
}

#[tokio::test]
async fn a_viewer_without_leads_read_gets_the_finds_refusal_and_the_rest_still_answers() {
    let (t, elastic) = TestServer::start_with_leads(20).await;
    // Sign-ins are recorded (docs/audit-log.md); what is counted here is everything else.
    let audited = || {
        t.db_value::<i64>(
            "SELECT COUNT(*) FROM audit_log WHERE action NOT IN ('user_login', 'user_logout')",
        )
    };
    let audit_rows = audited();
    let active = json!({"source": "leads", "metric": "count", "filter": {"status": "active"}});
    // No read on the leads index: the find's siem 403, body for body.
    let no_read = t.login("leads_no_access_user").await;
    let find = t.get_json(&no_read, LEADS).await;
    assert_eq!(find.0, StatusCode::FORBIDDEN);
    assert_eq!(ask(&t, &no_read, "default", &active).await, find);
    // alice reads dashboards only: her leads panels are closed, her dashboards' are not.
    let alice = t.login("alice").await;
    let (status, body) = ask(&t, &alice, "default", &active).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (find_status, _) = t.get_json(&alice, LEADS).await;
    assert_eq!(find_status, StatusCode::FORBIDDEN);
    let mine = answer(
        &t,
        &alice,
        "default",
        &json!({"source": "dashboards", "groupBy": "accessMode"}),
    )
    .await;
    let theirs = answer(
        &t,
        &elastic,
        "default",
        &json!({"source": "dashboards", "groupBy": "accessMode"}),
    )
    .await;
    assert_eq!(
        mine, theirs,
        "every dashboard reader counts the same dashboards"
    );
    let (status, listed) = get(&t, &alice, "/api/dashboards?perPage=100").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine.total, listed["total"].as_u64().expect("total"));
    let spaces = answer(&t, &alice, "default", &json!({"source": "spaces"})).await;
    assert_eq!(spaces.total, 1, "alice enters the default space only");
    // Audit events and users are for those who may read users.
    for source in ["audit", "users"] {
        let (status, _) = ask(&t, &alice, "default", &json!({"source": source})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{source}");
    }
    let users = answer(
        &t,
        &elastic,
        "default",
        &json!({"source": "users", "filter": {"enabled": true}}),
    )
    .await;
    let (status, listed) = t.get_json(&elastic, "/internal/security/users").await;
    assert_eq!(status, StatusCode::OK);
    let enabled = listed
        .as_array()
        .expect("users")
        .iter()
        .filter(|u| u["enabled"] == true)
        .count();
    assert_eq!(users.total, enabled as u64);
    // Nothing was written and nothing audited by all this reading.
    assert_eq!(audited(), audit_rows);
}

#[tokio::test]
async fn the_emea_space_counts_the_emea_leads() {
    let t = TestServer::start().await;
    let emma = t.login("emea_analyst").await;
    let space = "soc-emea";
    let leads = found_leads(&t, &emma, space).await;
    assert!(!leads.is_empty());
    let queries = seeded_queries(&t, &emma, space).await;
    let leads_queries: Vec<&Value> = queries
        .iter()
        .map(|(_, q)| q)
        .filter(|q| q["source"] == "leads")
        .collect();
    assert!(!leads_queries.is_empty());
    for query in leads_queries {
        let got = answer(&t, &emma, space, query).await;
        check_against_leads(query, &got, &leads);
    }
    let active = json!({"source": "leads", "filter": {"status": "active"}});
    let emea = answer(&t, &emma, space, &active).await;
    assert_eq!(emea.total, find_total(&t, &emma, space, "active").await);
    assert!(emea.total > 0);
    // The default space holds no leads: the same query there counts none.
    let default = answer(&t, &emma, "default", &active).await;
    assert_eq!(default.total, 0);
}

#[tokio::test]
async fn search_panels_count_only_the_documents_the_viewer_sees() {
    let t = TestServer::start().await;
    let stored: i64 = t.db_value("SELECT COUNT(*) FROM ws_documents");
    let mut fewer = false;
    for user in ["elastic", "leads_read_user", "leads_full_user"] {
        let s = t.login(user).await;
        let (status, sources) = t.get_json(&s, "/api/ws/v1/sources").await;
        if status != StatusCode::OK {
            // No search read: the panel is refused as the search routes refuse.
            let (panel_status, _) = ask(&t, &s, "default", &json!({"source": "search"})).await;
            assert_eq!(panel_status, status, "{user}");
            continue;
        }
        let listed: HashMap<String, u64> = sources["results"]
            .as_array()
            .expect("sources")
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap_or("").to_string(),
                    s["document_count"].as_u64().unwrap_or(0),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        let got = answer(
            &t,
            &s,
            "default",
            &json!({"source": "search", "groupBy": "source", "size": 50}),
        )
        .await;
        let answered: HashMap<String, u64> = got
            .buckets
            .iter()
            .map(|b| (b.key.clone(), b.count))
            .collect();
        assert_eq!(answered, listed, "{user}");
        assert_eq!(got.total, listed.values().sum::<u64>(), "{user}");
        fewer |= got.total < stored as u64;
    }
    assert!(
        fewer,
        "some viewer sees fewer documents than the {stored} stored"
    );
}

#[tokio::test]
async fn an_invalid_panel_is_refused_on_save_and_nothing_is_written() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let (status, before) = fetch(&t, &elastic, "soc-overview").await;
    assert_eq!(status, StatusCode::OK);
    let version = before["version"].clone();
    let mut panels = before["data"]["panels"].as_array().expect("panels").clone();
    let bad_panels = [
        (
            json!({"title": "X", "type": "bar", "query": {"source": "alerts"}}),
            "[request body.data.panels.5.query]: unknown variant `alerts`",
        ),
        (
            json!({"title": "X", "type": "bar", "query": {"source": "leads", "groupBy": "severity"}}),
            "[request body.data.panels.5.query.groupBy]: leads cannot be grouped by [severity]",
        ),
        (
            json!({"title": "X", "type": "metric", "query": {"source": "leads", "groupBy": "status"}}),
            "[request body.data.panels.5.query.groupBy]",
        ),
        (
            json!({"title": "X", "type": "lens", "query": {"source": "leads"}}),
            "[request body.data.panels.5.query]",
        ),
        (
            json!({"title": "X", "type": "metric", "query": {"source": "leads", "filter": {"status": "open"}}}),
            "[request body.data.panels.5.query.filter.status]",
        ),
    ];
    for (bad, expected) in bad_panels {
        panels.push(bad.clone());
        let data = json!({"title": "SOC overview", "panels": panels});
        let (status, body) = update(
            &t,
            &elastic,
            "soc-overview",
            json!({"data": data, "version": version}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(
            body["message"].as_str().unwrap_or("").contains(expected),
            "{bad}: {body}"
        );
        let (status, body) = post(&t, &elastic, "/api/dashboards", json!({"data": data})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        let bulk = json!({"objects": [{"id": "soc-overview", "data": data}]});
        let (status, body) = post(&t, &elastic, "/api/dashboards/_bulk_update", bulk).await;
        let refused =
            status == StatusCode::BAD_REQUEST || body.to_string().contains("data.panels.5.");
        assert!(refused, "{bad}: {status} {body}");
        panels.pop();
    }
    let (_, after) = fetch(&t, &elastic, "soc-overview").await;
    assert_eq!(after, before, "the dashboard is unchanged");
    let (_, listed) = get(&t, &elastic, "/api/dashboards?perPage=100").await;
    assert_eq!(listed["total"], 5, "no dashboard was created");
}

#[tokio::test]
async fn bad_bodies_are_refused_with_a_reason_never_a_500() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let send = |body: Vec<u8>, content_type: &'static str| {
        request(&t, Some(&elastic), Method::POST, PANELS_QUERY_PATH)
            .header("content-type", content_type)
            .body(body)
    };
    let big = format!(
        r#"{{"source":"leads","groupBy":"{}"}}"#,
        "x".repeat(20 * 1024)
    );
    let cases: Vec<(Vec<u8>, &str, StatusCode)> = vec![
        (b"{".to_vec(), "application/json", StatusCode::BAD_REQUEST),
        (b"[]".to_vec(), "application/json", StatusCode::BAD_REQUEST),
        (
            br#"{"source":"leads","groupby":"status"}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            br#"{"source":"alerts"}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            br#"{"source":"leads","size":"ten"}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            br#"{"source":"leads","size":-1}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            br#"{"source":"leads","size":500}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            br#"{"source":"leads","interval":"minute"}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            br#"{"source":"leads","filter":{"priority":{"gte":1,"lt":3}}}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            br#"{"source":"leads"}"#.to_vec(),
            "text/plain",
            StatusCode::BAD_REQUEST,
        ),
        (
            vec![0xff, 0xfe],
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            big.into_bytes(),
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (body, content_type, expected) in cases {
        let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).to_string();
        let (status, answer) = send_with(send(body, content_type), None).await;
        assert_eq!(status, expected, "{shown}: {answer}");
        assert!(
            !answer["message"].as_str().unwrap_or("").is_empty(),
            "{shown}: {answer}"
        );
    }
    // A validation refusal names the field.
    let (status, body) = ask(
        &t,
        &elastic,
        "default",
        &json!({"source": "leads", "groupBy": "foo"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "[request body.groupBy]: leads cannot be grouped by [foo]; use one of status, priority, entityType, entity"
    );
    // Signed out: 401 before the body is looked at.
    let (status, _) = send_with(
        request(&t, None, Method::POST, PANELS_QUERY_PATH)
            .header("content-type", "application/json")
            .body("{"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The figure in RELIABILITY.md ("Panels: counts equal the find's, at 10,000 leads"): each panel
/// answer's total is the find's own total for the same viewer; the time per answer is printed,
/// not asserted.
#[tokio::test]
async fn panel_answers_at_ten_thousand_leads_equal_the_finds_totals() {
    const LEADS_STORED: usize = 10_000;
    const ROUNDS: u32 = 20;
    let (t, elastic) = TestServer::start_with_leads(LEADS_STORED).await;
    let hosts = hosts_reader(&t, &elastic).await;
    let cases = [
        (
            "active count",
            json!({"source": "leads", "filter": {"status": "active"}}),
        ),
        (
            "top 50 entities",
            json!({"source": "leads", "groupBy": "entity", "size": 50}),
        ),
        ("per day", json!({"source": "leads", "interval": "day"})),
    ];
    let mut lines = Vec::new();
    for (viewer, session) in [("elastic", &elastic), ("hosts-only DLS reader", &hosts)] {
        let every = {
            let body = expect(
                t.get_json(session, &format!("{LEADS}?perPage=1")).await,
                StatusCode::OK,
            );
            body["total"].as_u64().expect("total")
        };
        let active = find_total(&t, session, "default", "active").await;
        for (name, query) in &cases {
            let started = std::time::Instant::now();
            let mut got = PanelAnswer::default();
            for _ in 0..ROUNDS {
                got = answer(&t, session, "default", query).await;
            }
            let each = started.elapsed() / ROUNDS;
            let expected = if query["filter"]["status"] == "active" {
                active
            } else {
                every
            };
            assert_eq!(got.total, expected, "{viewer}: {name}");
            let shown: u64 = got.buckets.iter().map(|b| b.count).sum();
            assert!(
                got.buckets.is_empty() || shown + got.other == got.total,
                "{viewer}: {name}"
            );
            lines.push(format!(
                "{viewer} {name}: total {} = find's, {:.1} ms per answer",
                got.total,
                each.as_secs_f64() * 1000.0
            ));
        }
    }
    println!("# panels at {LEADS_STORED} leads (debug build, {ROUNDS} answers each):");
    for line in lines {
        println!("#   {line}");
    }
}

#[tokio::test]
async fn a_source_whose_feature_the_space_disables_is_not_there() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let space = json!({"id": "quiet", "name": "Quiet", "disabledFeatures": ["securitySolution"]});
    expect(
        t.post_json(&elastic, "/api/spaces/space", space).await,
        StatusCode::OK,
    );
    let (find, _) = t.get_json(&elastic, &in_space("quiet", LEADS)).await;
    assert_eq!(find, StatusCode::NOT_FOUND);
    let (status, _) = ask(&t, &elastic, "quiet", &json!({"source": "leads"})).await;
    assert_eq!(status, find, "the leads panel answers as the find does");
    let dashboards = answer(&t, &elastic, "quiet", &json!({"source": "dashboards"})).await;
    assert_eq!(dashboards.total, 0);
    // With dashboards disabled, the panels route goes with them.
    let space = json!({"id": "bare", "name": "Bare", "disabledFeatures": ["dashboard"]});
    expect(
        t.post_json(&elastic, "/api/spaces/space", space).await,
        StatusCode::OK,
    );
    let (status, _) = ask(&t, &elastic, "bare", &json!({"source": "spaces"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn audit_panels_count_the_spaces_audit_events() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    for mode in ["default", "write_restricted", "default"] {
        let body =
            json!({"objects": [{"type": "dashboard", "id": "soc-overview"}], "accessMode": mode});
        let (status, answer) = post(
            &t,
            &elastic,
            "/internal/access_control/change_access_mode",
            body,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let stored: i64 = t.db_value("SELECT COUNT(*) FROM audit_log WHERE space = 'default'");
    let failures: i64 = t
        .db_value("SELECT COUNT(*) FROM audit_log WHERE space = 'default' AND outcome = 'failure'");
    assert!(stored >= 3);
    let by_action = answer(
        &t,
        &elastic,
        "default",
        &json!({"source": "audit", "groupBy": "action"}),
    )
    .await;
    assert_eq!(by_action.total, stored as u64);
    let mode_changes = by_action
        .buckets
        .iter()
        .find(|b| b.key == "saved_object_update_objects_access_mode")
        .map(|b| b.count);
    assert!(mode_changes >= Some(3), "{by_action:?}");
    let failed = answer(
        &t,
        &elastic,
        "default",
        &json!({"source": "audit", "filter": {"outcome": "failure"}}),
    )
    .await;
    assert_eq!(failed.total, failures as u64);
    let per_hour = answer(
        &t,
        &elastic,
        "default",
        &json!({"source": "audit", "interval": "hour"}),
    )
    .await;
    let shown: u64 = per_hour.buckets.iter().map(|b| b.count).sum();
    assert_eq!(shown + per_hour.other, stored as u64);
}

//! The role editor's check of index rows before saving (docs/administration.md, "Checking index
//! rows before saving"), over real HTTP: the verdict per row is the role save's, and the leads
//! preview counts only leads the caller itself may read.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const CHECK: &str = "/internal/gatehouse/security/role/_check_indices";
const BASE: &str = "/internal/entity_analytics/leads";
const PATTERN: &str = ".entity_analytics.entity-leads-*";
const HOSTS: &str = r#"{"term":{"entity.type":"host"}}"#;
const USERS: &str = r#"{"term":{"entity.type":"user"}}"#;

/// A user `name` holding one role made of `cluster` privileges and index `grant`, with every
/// Kibana feature.
async fn user_with(
    t: &TestServer,
    elastic: &Session,
    name: &str,
    cluster: &[&str],
    grant: Value,
) -> Session {
    let role = json!({
        "elasticsearch": { "cluster": cluster, "indices": [grant] },
        "kibana": [{ "base": ["all"], "spaces": ["*"] }],
    });
    t.user_with_role(elastic, name, role).await
}

fn row(query: Option<&str>) -> Value {
    let mut row = json!({ "names": [PATTERN], "privileges": ["read"] });
    if let Some(query) = query {
        row["query"] = json!(query);
    }
    row
}

async fn check(t: &TestServer, s: &Session, rows: Value) -> Vec<Value> {
    let body = expect(
        t.post_json(s, CHECK, json!({ "indices": rows })).await,
        StatusCode::OK,
    );
    body["rows"].as_array().cloned().expect("rows")
}

/// How many of `leads` are host leads.
fn host_count(leads: &[Value]) -> usize {
    leads
        .iter()
        .filter(|l| l["entity"]["type"] == "host")
        .count()
}

/// Every lead of the default space as `s` reads it.
async fn every_lead(t: &TestServer, s: &Session) -> Vec<Value> {
    let mut leads = Vec::new();
    for n in 1.. {
        let body = expect(
            t.get_json(s, &format!("{BASE}?perPage=100&page={n}")).await,
            StatusCode::OK,
        );
        let got = body["leads"].as_array().cloned().unwrap_or_default();
        if got.is_empty() {
            return leads;
        }
        leads.extend(got);
    }
    leads
}

#[tokio::test]
async fn an_accepted_row_says_how_many_leads_its_query_lets_through_and_which_fields() {
    let (t, elastic) = TestServer::start_with_leads(200).await;
    let every = every_lead(&t, &elastic).await;
    let hosts = host_count(&every);
    assert!(hosts > 0 && hosts < every.len());

    let mut fields_row = row(None);
    fields_row["field_security"] =
        json!({ "grant": ["entity.*", "priority"], "except": ["entity.id"] });
    let other_index =
        json!({ "names": ["logs-*"], "privileges": ["read"], "query": r#"{"script":{}}"# });
    let rows = check(
        &t,
        &elastic,
        json!([row(Some(HOSTS)), fields_row, other_index]),
    )
    .await;

    assert_eq!(rows[0]["accepted"], true, "{}", rows[0]);
    let preview = &rows[0]["preview"];
    assert_eq!(preview["matching"], json!(hosts));
    assert_eq!(preview["readable"], json!(every.len()));
    assert_eq!(preview["index"], ".entity_analytics.entity-leads-default");
    assert_eq!(preview["allFields"], true);

    let preview = &rows[1]["preview"];
    assert_eq!(
        preview["matching"],
        json!(every.len()),
        "no query: every lead"
    );
    assert_eq!(preview["allFields"], false);
    assert_eq!(
        preview["visibleFields"],
        json!(["id", "entity.type", "entity.name", "priority"])
    );

    // An index the server does not hold: stored as given, so accepted, and nothing to preview.
    assert_eq!(rows[2]["accepted"], true, "{}", rows[2]);
    assert!(rows[2].get("preview").is_none());
}

#[tokio::test]
async fn a_refused_row_names_the_clause_with_the_text_the_save_gives() {
    let (t, elastic) = TestServer::start_with_leads(10).await;
    let bad = r#"{"bool":{"filter":[{"geo_shape":{"location":{}}}]}}"#;
    let rows = json!([row(Some(HOSTS)), row(Some(bad)), { "names": [], "privileges": ["read"] }]);
    let checked = check(&t, &elastic, rows.clone()).await;
    assert_eq!(checked[0]["accepted"], true);
    assert_eq!(checked[1]["accepted"], false);
    let message = checked[1]["message"].as_str().expect("a message");
    assert!(message.contains("geo_shape"), "{message}");
    assert!(checked[1].get("preview").is_none());

    // The save refuses the first bad row with the very same text.
    let only_query = json!([row(Some(HOSTS)), row(Some(bad))]);
    let role = json!({ "elasticsearch": { "indices": only_query } });
    let saved = expect(
        t.put_json(&elastic, "/api/security/role/geo", role).await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(saved["message"], message);

    // A row the save cannot even read (no index names) is refused with the save's text too.
    let unreadable = json!([row(None), row(None), { "names": [], "privileges": ["read"] }]);
    let role = json!({ "elasticsearch": { "indices": unreadable } });
    let saved = expect(
        t.put_json(&elastic, "/api/security/role/empty", role).await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(checked[2]["accepted"], false);
    assert_eq!(checked[2]["message"], saved["message"]);
    assert!(
        saved["message"]
            .as_str()
            .unwrap_or("")
            .contains("indices.2.names"),
        "{saved}"
    );
}

#[tokio::test]
async fn the_preview_never_counts_leads_hidden_from_the_caller() {
    let (t, elastic) = TestServer::start_with_leads(200).await;
    let every = every_lead(&t, &elastic).await;
    let hosts = host_count(&every);
    let admin = user_with(
        &t,
        &elastic,
        "hosts_admin",
        &["manage_security"],
        row(Some(HOSTS)),
    )
    .await;
    assert_eq!(every_lead(&t, &admin).await.len(), hosts);

    let rows = check(
        &t,
        &admin,
        json!([
            row(None),
            row(Some(r#"{"match_all":{}}"#)),
            row(Some(USERS))
        ]),
    )
    .await;
    for (i, expected) in [(0, hosts), (1, hosts), (2, 0)] {
        let preview = &rows[i]["preview"];
        assert_eq!(preview["matching"], json!(expected), "row {i}: {preview}");
        assert_eq!(preview["readable"], json!(hosts), "row {i}: {preview}");
    }
}

#[tokio::test]
async fn without_manage_security_the_check_is_refused_before_the_body_is_read() {
    let (t, elastic) = TestServer::start_with_leads(10).await;
    let reader = user_with(&t, &elastic, "reader", &[], row(None)).await;
    let well_formed = json!({ "indices": [row(Some(HOSTS))] });
    let (status, body) = t.post_json(&reader, CHECK, well_formed.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let garbage = "{\"indices\": [".to_string() + &"x".repeat(900 * 1024);
    for sent in [garbage.clone(), "not json".to_string()] {
        let (status, body) = send_json(
            t.as_user(&reader, Method::POST, CHECK)
                .header("content-type", "application/json")
                .body(sent),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    // The same garbage from an administrator is a bad request: it was read.
    let (status, _) = send_json(
        t.as_user(&elastic, Method::POST, CHECK)
            .header("content-type", "application/json")
            .body(garbage),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // No session: 401.
    let (status, _) = send_json(t.kibana(Method::POST, CHECK).json(&well_formed)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_body_that_is_not_rows_is_a_bad_request() {
    let (t, elastic) = TestServer::start_with_leads(1).await;
    for body in [
        json!([]),
        json!({}),
        json!({ "indices": {} }),
        json!({ "indices": [], "x": 1 }),
    ] {
        let (status, answer) = t.post_json(&elastic, CHECK, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
    }
    let many: Vec<Value> = (0..65).map(|_| row(None)).collect();
    let (status, answer) = t
        .post_json(&elastic, CHECK, json!({ "indices": many }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["message"].as_str().unwrap_or("").contains("[64]"),
        "{answer}"
    );
}

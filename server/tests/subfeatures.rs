//! Sub-feature privileges against the real server (docs/privileges.md#sub-feature-privileges):
//! the registry listing, the role API, and what `minimal_all` Search leaves out — managing
//! sources, documents and external identities — while `all` and `minimal_all` + `manage_sources`
//! keep it.

mod common;

use common::search::{SEARCH, SOURCES};
use common::{console, expect, send_json, Session, TestServer};
use gatehouse_api::search::{FEATURE_ID, MANAGE_API_TAG, MANAGE_PRIVILEGE_ID};
use gatehouse_server::search::RUNBOOKS_SOURCE;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Creates role `name` with `privileges` on the Search feature in the default space, and a user
/// of that name holding only it; returns the user's session.
async fn search_user(t: &TestServer, admin: &Session, name: &str, privileges: &[&str]) -> Session {
    let role = json!({"kibana": [{"base": [], "feature": {FEATURE_ID: privileges}, "spaces": ["default"]}]});
    t.user_with_role(admin, name, role).await
}

/// The three changes the issue names: add an external identity for oneself, overwrite a document
/// with `bulk_create`, delete a source. Each answer's status and body.
async fn manage_attempts(
    t: &TestServer,
    s: &Session,
    who: &str,
) -> Vec<(String, StatusCode, Value)> {
    let identities = format!("{SOURCES}/{RUNBOOKS_SOURCE}/external_identities");
    let bulk = format!("{SOURCES}/{RUNBOOKS_SOURCE}/documents/bulk_create");
    let source = format!("{SOURCES}/{RUNBOOKS_SOURCE}");
    let identity = json!({
        "external_user_id": format!("{who}-self"),
        "external_user_properties": [{"attribute_name": "_elasticsearch_username", "attribute_value": who}],
        "permissions": ["ir-team"]
    });
    let mut out = Vec::new();
    let (status, body) = t.post_json(s, &identities, identity).await;
    out.push((format!("POST {identities}"), status, body));
    let (status, body) = t
        .post_json(s, &bulk, json!([{"id": "rb-004", "title": "rewritten"}]))
        .await;
    out.push((format!("POST {bulk}"), status, body));
    let (status, body) = t.delete_json(s, &source).await;
    out.push((format!("DELETE {source}"), status, body));
    out
}

async fn manage_capability(t: &TestServer, s: &Session) -> Value {
    let (_, caps) = t
        .post_json(s, "/api/core/capabilities", json!({"applications": []}))
        .await;
    caps[FEATURE_ID]["manage"].clone()
}

#[tokio::test]
async fn minimal_all_searches_but_cannot_touch_document_permissions() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let minimal = search_user(&t, &admin, "minimal", &["minimal_all"]).await;
    expect(
        t.post_json(&minimal, SEARCH, json!({"query": "phishing"}))
            .await,
        StatusCode::OK,
    );
    expect(
        t.get_json(&minimal, &format!("{SOURCES}/{RUNBOOKS_SOURCE}"))
            .await,
        StatusCode::OK,
    );
    assert_eq!(manage_capability(&t, &minimal).await, false);
    for (request, status, body) in manage_attempts(&t, &minimal, "minimal").await {
        assert_eq!(status, StatusCode::FORBIDDEN, "{request}: {body}");
        assert_eq!(
            body["errors"][0],
            format!("API [{request}] is unauthorized for user, this action is granted by the Kibana privileges [{MANAGE_API_TAG}]")
        );
    }
    // Nothing changed: the document keeps its title, the source is there, no identity was added.
    let doc = expect(
        t.get_json(
            &admin,
            &format!("{SOURCES}/{RUNBOOKS_SOURCE}/documents/rb-004"),
        )
        .await,
        StatusCode::OK,
    );
    assert_ne!(doc["title"], "rewritten", "{doc}");
    expect(
        t.get_json(
            &admin,
            &format!("{SOURCES}/{RUNBOOKS_SOURCE}/external_identities/minimal-self"),
        )
        .await,
        StatusCode::NOT_FOUND,
    );
}

#[tokio::test]
async fn all_and_the_named_sub_feature_privilege_still_manage() {
    let (t, admin) = TestServer::start_as("elastic").await;
    for (name, privileges) in [
        ("everything", vec!["all"]),
        ("customized", vec!["minimal_all", MANAGE_PRIVILEGE_ID]),
        ("reader_manager", vec!["minimal_read", MANAGE_PRIVILEGE_ID]),
    ] {
        // A fresh server per user: each one deletes the source.
        let t2 = TestServer::start().await;
        let admin2 = t2.login("elastic").await;
        let s = search_user(&t2, &admin2, name, &privileges).await;
        assert_eq!(manage_capability(&t2, &s).await, true, "{name}");
        for (request, status, body) in manage_attempts(&t2, &s, name).await {
            assert!(status.is_success(), "{name}: {request}: {status} {body}");
        }
    }
    // `read` keeps reading only, as before.
    let reader = search_user(&t, &admin, "plain_reader", &["read"]).await;
    assert_eq!(manage_capability(&t, &reader).await, false);
}

#[tokio::test]
async fn the_features_listing_names_the_sub_feature() {
    let (t, viewer) = TestServer::start_as("alice").await;
    let features = expect(t.get_json(&viewer, "/api/features").await, StatusCode::OK);
    let search = features
        .as_array()
        .and_then(|list| list.iter().find(|f| f["id"] == FEATURE_ID))
        .expect("search is listed");
    // `all` itself lists only what `minimal_all` grants; the sub-feature adds the rest.
    assert_eq!(
        search["privileges"]["all"]["api"],
        json!(["workplaceSearch"])
    );
    let sub = &search["subFeatures"][0];
    assert_eq!(sub["name"], "Manage sources and document permissions");
    let group = &sub["privilegeGroups"][0];
    assert_eq!(group["groupType"], "independent");
    let privilege = &group["privileges"][0];
    assert_eq!(privilege["id"], MANAGE_PRIVILEGE_ID);
    assert_eq!(privilege["includeIn"], "all");
    assert_eq!(privilege["api"], json!([MANAGE_API_TAG]));
    assert_eq!(privilege["ui"], json!(["manage"]));
    assert_eq!(privilege["savedObject"], json!({"all": [], "read": []}));
    let dashboard = features
        .as_array()
        .and_then(|list| list.iter().find(|f| f["id"] == "dashboard"))
        .expect("dashboard is listed");
    assert_eq!(dashboard["subFeatures"], json!([]));
}

#[tokio::test]
async fn the_role_api_round_trips_minimal_and_sub_feature_privileges() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let kibana = json!([
        {"base": [], "feature": {FEATURE_ID: ["minimal_all", MANAGE_PRIVILEGE_ID], "dashboard": ["minimal_read"]}, "spaces": ["default"]}
    ]);
    expect(
        t.put_json(
            &admin,
            "/api/security/role/custom",
            json!({"kibana": kibana}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    let role = expect(
        t.get_json(&admin, "/api/security/role/custom").await,
        StatusCode::OK,
    );
    assert_eq!(role["kibana"], kibana);
    // Stored as Kibana stores them: one application privilege per feature privilege.
    let stored = console(&t, &admin, "GET", "/_security/role/custom", None).await;
    assert_eq!(stored.status, 200, "{:?}", stored.body);
    let mut privileges: Vec<String> = stored.body["custom"]["applications"][0]["privileges"]
        .as_array()
        .expect("privileges")
        .iter()
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    let mut expected = vec![
        "feature_dashboard.minimal_read".to_string(),
        format!("feature_{FEATURE_ID}.minimal_all"),
        format!("feature_{FEATURE_ID}.{MANAGE_PRIVILEGE_ID}"),
    ];
    privileges.sort();
    expected.sort();
    assert_eq!(privileges, expected);

    // Unknown ids are refused with Kibana's text, and the stored role is unchanged.
    let (status, body) = send_json(
        t.as_user(&admin, Method::PUT, "/api/security/role/custom").json(&json!({
            "kibana": [{"base": [], "feature": {FEATURE_ID: ["minimal_all", "manage_everything"], "dashboard": [MANAGE_PRIVILEGE_ID]}, "spaces": ["default"]}]
        })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["message"],
        format!("Role cannot be updated due to validation errors: [\"Feature [dashboard] does not support privilege [{MANAGE_PRIVILEGE_ID}].\",\"Feature [{FEATURE_ID}] does not support privilege [manage_everything].\"]")
    );
    let role = expect(
        t.get_json(&admin, "/api/security/role/custom").await,
        StatusCode::OK,
    );
    assert_eq!(role["kibana"], kibana);
}

//! Spaces (docs/spaces.md) over real HTTP: who sees which space, Kibana's texts and status codes,
//! 403 before 404, data scoped per space, `disabledFeatures` closing a feature even for a
//! superuser, and a deleted space taking everything stored in it along.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const SPACES: &str = "/api/spaces/space";
const EMEA: &str = "soc-emea";

async fn call(
    t: &TestServer,
    session: &Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let bare = gatehouse_api::spaces::split_space_path(path.split('?').next().unwrap_or("")).1;
    let version = if bare.starts_with("/api/") {
        "2023-10-31"
    } else {
        "1"
    };
    let mut builder = t
        .http
        .request(method, t.url(path))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .header("elastic-api-version", version)
        .header("cookie", &session.cookie);
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    send_json(builder).await
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn dashboard_ids(list: &Value) -> Vec<String> {
    list["dashboards"]
        .as_array()
        .or_else(|| list["data"].as_array())
        .or_else(|| list.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|d| d["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// elastic creates `nobody` (index privileges only: no Kibana space at all).
async fn user_without_spaces(t: &TestServer, elastic: &Session) -> Session {
    expect(
        call(
            t,
            elastic,
            Method::POST,
            "/internal/security/users/nobody",
            Some(json!({"username": "nobody", "password": PASSWORD, "roles": ["leads_read_only"]})),
        )
        .await,
        StatusCode::OK,
    );
    t.login("nobody").await
}

#[tokio::test]
async fn each_user_lists_the_spaces_they_may_enter() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let all = expect(
        call(&t, &elastic, Method::GET, SPACES, None).await,
        StatusCode::OK,
    );
    assert_eq!(
        ids(&all),
        vec!["default", EMEA],
        "sorted by name: Default, SOC EMEA"
    );
    assert_eq!(all[0]["_reserved"], true);
    assert_eq!(all[0]["description"], "This is your default space!");

    let alice = t.login("alice").await;
    let (_, mine) = call(&t, &alice, Method::GET, SPACES, None).await;
    assert_eq!(ids(&mine), vec!["default"]);
    let emea = t.login("emea_analyst").await;
    let (_, theirs) = call(&t, &emea, Method::GET, SPACES, None).await;
    assert_eq!(ids(&theirs), vec!["default", EMEA]);

    let nobody = user_without_spaces(&t, &elastic).await;
    expect(
        call(&t, &nobody, Method::GET, SPACES, None).await,
        StatusCode::FORBIDDEN,
    );
}

#[tokio::test]
async fn forbidden_is_answered_before_missing_so_ids_do_not_leak() {
    let (t, alice) = TestServer::start_as("alice").await;
    for id in [EMEA, "no-such-space"] {
        let (status, body) = call(&t, &alice, Method::GET, &format!("{SPACES}/{id}"), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{id}: {body}");
        assert_eq!(body["message"], format!("Unauthorized to get {id} space"));
    }
    let elastic = t.login("elastic").await;
    let (status, _) = call(
        &t,
        &elastic,
        Method::GET,
        &format!("{SPACES}/no-such-space"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only an all-spaces user learns it is missing"
    );
    let body = expect(
        call(
            &t,
            &elastic,
            Method::GET,
            &format!("/s/{EMEA}/internal/spaces/_active_space"),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(body["id"], EMEA);
}

#[tokio::test]
async fn creating_and_changing_spaces_needs_global_all_and_valid_bodies() {
    let (t, alice) = TestServer::start_as("alice").await;
    let space = json!({"id": "marketing", "name": "Marketing", "disabledFeatures": []});
    let (status, body) = call(&t, &alice, Method::POST, SPACES, Some(space.clone())).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::FORBIDDEN, Some("Unauthorized to create spaces"))
    );
    let (status, body) = call(
        &t,
        &alice,
        Method::PUT,
        &format!("{SPACES}/default"),
        Some(space.clone()),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::FORBIDDEN, Some("Unauthorized to update spaces"))
    );
    let (status, body) = call(
        &t,
        &alice,
        Method::DELETE,
        &format!("{SPACES}/{EMEA}"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::FORBIDDEN, Some("Unauthorized to delete spaces"))
    );

    // kibana_admin holds `all` on `*`: it may manage spaces.
    let admin = t.login("leads_no_access_user").await;
    let body = expect(
        call(&t, &admin, Method::POST, SPACES, Some(space.clone())).await,
        StatusCode::OK,
    );
    assert_eq!(body["id"], "marketing");
    let body = expect(
        call(&t, &admin, Method::POST, SPACES, Some(space)).await,
        StatusCode::CONFLICT,
    );
    assert_eq!(
        body["message"],
        "A space with the identifier marketing already exists."
    );

    for (bad, field, text) in [
        (
            json!({"id": "Bad Id", "name": "x"}),
            "id",
            "must be lower case, a-z, 0-9, '_', and '-' are allowed",
        ),
        (
            json!({"id": "ok", "name": "x", "color": "red"}),
            "color",
            "must be a 6 digit hex color, starting with a #",
        ),
        (
            json!({"id": "ok", "name": "x", "imageUrl": "http://x"}),
            "imageUrl",
            "must start with 'data:image'",
        ),
        (
            json!({"id": "ok", "name": "x", "initials": "ABC"}),
            "initials",
            "value has length [3] but it must have a maximum length of [2].",
        ),
        (
            json!({"id": "ok", "name": "x", "owner": "me"}),
            "owner",
            "definition for this key is missing",
        ),
    ] {
        let (status, body) = call(&t, &admin, Method::POST, SPACES, Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body}");
        assert_eq!(body["message"], format!("[request body.{field}]: {text}"));
    }
    // A forged `_reserved` does not make a space undeletable.
    expect(
        call(
            &t,
            &admin,
            Method::POST,
            SPACES,
            Some(json!({"id": "forged", "name": "F", "_reserved": true})),
        )
        .await,
        StatusCode::OK,
    );
    expect(
        call(
            &t,
            &admin,
            Method::DELETE,
            &format!("{SPACES}/forged"),
            None,
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    expect_message(
        call(
            &t,
            &admin,
            Method::DELETE,
            &format!("{SPACES}/default"),
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "The default space cannot be deleted because it is reserved.",
    );
}

#[tokio::test]
async fn dashboards_and_access_follow_the_space() {
    let (t, emea) = TestServer::start_as("emea_analyst").await;
    let list = expect(
        call(
            &t,
            &emea,
            Method::GET,
            &format!("/s/{EMEA}/api/dashboards"),
            None,
        )
        .await,
        StatusCode::OK,
    );
    let in_emea = dashboard_ids(&list);
    assert!(
        in_emea.contains(&"emea-incidents".to_string()),
        "{in_emea:?}"
    );
    assert!(
        !in_emea.contains(&"soc-overview".to_string()),
        "default's dashboards stay in default"
    );
    // Dashboards are granted to them only in soc-emea.
    expect(
        call(&t, &emea, Method::GET, "/api/dashboards", None).await,
        StatusCode::FORBIDDEN,
    );

    let alice = t.login("alice").await;
    let list = expect(
        call(&t, &alice, Method::GET, "/api/dashboards", None).await,
        StatusCode::OK,
    );
    assert!(!dashboard_ids(&list).contains(&"emea-incidents".to_string()));
    let (status, _) = call(
        &t,
        &alice,
        Method::GET,
        &format!("/s/{EMEA}/api/dashboards"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "alice cannot enter soc-emea");
    let caps = expect(
        call(
            &t,
            &alice,
            Method::POST,
            &format!("/s/{EMEA}/api/core/capabilities"),
            Some(json!({"applications": []})),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(caps["navLinks"]["dashboards"], false);

    let (status, body) = call(&t, &alice, Method::GET, "/s/atlantis/api/dashboards", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown space: {body}");
}

#[tokio::test]
async fn a_disabled_feature_is_closed_even_to_a_superuser() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let (_, space) = call(&t, &elastic, Method::GET, &format!("{SPACES}/{EMEA}"), None).await;
    let mut space = space;
    space["disabledFeatures"] = json!(["dev_tools", "dashboard"]);
    expect(
        call(
            &t,
            &elastic,
            Method::PUT,
            &format!("{SPACES}/{EMEA}"),
            Some(space),
        )
        .await,
        StatusCode::OK,
    );

    expect(
        call(
            &t,
            &elastic,
            Method::POST,
            &format!("/s/{EMEA}/api/console/proxy?path=/_security/_authenticate&method=GET"),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    );
    expect(
        call(
            &t,
            &elastic,
            Method::GET,
            &format!("/s/{EMEA}/api/dashboards"),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    );
    let (_, caps) = call(
        &t,
        &elastic,
        Method::POST,
        &format!("/s/{EMEA}/api/core/capabilities"),
        Some(json!({"applications": []})),
    )
    .await;
    assert_eq!(caps["navLinks"]["dev_tools"], false);
    assert_eq!(caps["dashboard"]["show"], false);
    assert_eq!(caps["navLinks"]["securitySolutionUI"], true);
    // The default space is untouched.
    expect(
        call(&t, &elastic, Method::GET, "/api/dashboards", None).await,
        StatusCode::OK,
    );
    let (_, caps) = call(
        &t,
        &elastic,
        Method::POST,
        "/api/core/capabilities",
        Some(json!({"applications": []})),
    )
    .await;
    assert_eq!(caps["navLinks"]["dev_tools"], true);
}

#[tokio::test]
async fn deleting_a_space_deletes_what_is_stored_in_it() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    expect(
        call(
            &t,
            &elastic,
            Method::POST,
            SPACES,
            Some(json!({"id": "temp", "name": "Temporary"})),
        )
        .await,
        StatusCode::OK,
    );
    expect(
        call(
            &t,
            &elastic,
            Method::POST,
            "/s/temp/api/dashboards",
            Some(json!({"data": {"title": "Scratch", "panels": []}})),
        )
        .await,
        StatusCode::OK,
    );
    let (status, _) = call(
        &t,
        &elastic,
        Method::POST,
        "/s/temp/internal/entity_analytics/leads/generate",
        Some(json!({"connectorId": "gatehouse-default"})),
    )
    .await;
    assert!(status.is_success(), "{status}");
    // Generation is asynchronous: let it store its leads, so the delete has something to remove.
    let mut stored = 0;
    for _ in 0..100 {
        let (_, body) = call(
            &t,
            &elastic,
            Method::GET,
            "/s/temp/internal/entity_analytics/leads/status",
            None,
        )
        .await;
        stored = body["totalLeads"].as_u64().unwrap_or(0);
        if stored > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        stored > 0,
        "the generated leads were stored before the delete"
    );

    expect(
        call(
            &t,
            &elastic,
            Method::DELETE,
            &format!("{SPACES}/temp"),
            None,
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    let (status, _) = call(&t, &elastic, Method::GET, "/s/temp/api/dashboards", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the space is gone");

    // Re-created under the same id, it starts empty.
    call(
        &t,
        &elastic,
        Method::POST,
        SPACES,
        Some(json!({"id": "temp", "name": "Temporary"})),
    )
    .await;
    let list = expect(
        call(&t, &elastic, Method::GET, "/s/temp/api/dashboards", None).await,
        StatusCode::OK,
    );
    assert!(dashboard_ids(&list).is_empty(), "{list}");
    let leads: i64 = t.db_value(
        "SELECT COUNT(*) FROM leads WHERE index_name = '.entity_analytics.entity-leads-temp'",
    );
    assert_eq!(leads, 0);
    let audited: i64 = t.db_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'space_delete' AND outcome = 'success'",
    );
    assert_eq!(audited, 1);
    // The default space still has its data.
    let (_, list) = call(&t, &elastic, Method::GET, "/api/dashboards", None).await;
    assert!(dashboard_ids(&list).contains(&"soc-overview".to_string()));
}

#[tokio::test]
async fn each_space_has_its_own_leads() {
    let (t, emea) = TestServer::start_as("emea_analyst").await;
    let page = expect(
        call(
            &t,
            &emea,
            Method::GET,
            &format!("/s/{EMEA}/internal/entity_analytics/leads?page=1&perPage=20"),
            None,
        )
        .await,
        StatusCode::OK,
    );
    assert!(
        page["total"].as_u64().unwrap_or(0) > 0,
        "the EMEA space is seeded with leads: {page}"
    );
    // Default has none of them.
    let (status, body) = call(
        &t,
        &emea,
        Method::GET,
        "/internal/entity_analytics/leads?page=1&perPage=20",
        None,
    )
    .await;
    assert!(
        status == StatusCode::NOT_FOUND || body["total"] == 0,
        "{status} {body}"
    );
}

/// The same routes under `/` and `/s/soc-emea` for a user with all spaces, one space, a different
/// grant per space, and none: each answers exactly as that space's privileges say.
#[tokio::test]
async fn route_matrix_per_space_and_user() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let nobody = user_without_spaces(&t, &elastic).await;
    let alice = t.login("alice").await;
    let emea = t.login("emea_analyst").await;
    let routes: [(&str, Method, &str); 3] = [
        (
            "leads",
            Method::GET,
            "/internal/entity_analytics/leads/privileges",
        ),
        ("dashboards", Method::GET, "/api/dashboards"),
        (
            "console",
            Method::POST,
            "/api/console/proxy?path=/_security/_authenticate&method=GET",
        ),
    ];
    let ok = StatusCode::OK;
    let no = StatusCode::FORBIDDEN;
    // (user, space prefix, [leads, dashboards, console])
    let expected = [
        ("elastic", &elastic, "", [ok, ok, ok]),
        ("elastic", &elastic, "/s/soc-emea", [ok, ok, ok]),
        ("alice", &alice, "", [no, ok, no]),
        ("alice", &alice, "/s/soc-emea", [no, no, no]),
        ("emea_analyst", &emea, "", [ok, no, no]),
        ("emea_analyst", &emea, "/s/soc-emea", [ok, ok, no]),
        ("nobody", &nobody, "", [no, no, no]),
        ("nobody", &nobody, "/s/soc-emea", [no, no, no]),
    ];
    let mut checked = 0;
    for (user, session, prefix, statuses) in expected {
        for ((name, method, path), want) in routes.iter().zip(statuses) {
            let (status, body) = call(
                &t,
                session,
                method.clone(),
                &format!("{prefix}{path}"),
                None,
            )
            .await;
            assert_eq!(status, want, "{user} {name} in '{prefix}': {body}");
            checked += 1;
        }
    }
    assert_eq!(checked, 24);
}

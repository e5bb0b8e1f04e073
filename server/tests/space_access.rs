//! Who can enter a space (`/internal/gatehouse/spaces/{id}/access`) and what a space holds
//! (`…/contents`) over real HTTP: the roles and users of the seeded spaces with their levels,
//! `read_security` needed (403 before 404), changes visible on the next request, and the counts
//! the delete confirmation shows being what the delete removes.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const EMEA: &str = "soc-emea";

fn access(id: &str) -> String {
    format!("/internal/gatehouse/spaces/{id}/access")
}

fn contents(id: &str) -> String {
    format!("/internal/gatehouse/spaces/{id}/contents")
}

fn role<'a>(report: &'a Value, name: &str) -> Option<&'a Value> {
    report["roles"]
        .as_array()?
        .iter()
        .find(|r| r["role"] == name)
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v[key].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn feature_level(entry: &Value, feature: &str) -> Value {
    entry["features"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == feature))
        .map(|f| f["level"].clone())
        .unwrap_or(Value::Null)
}

async fn put(t: &TestServer, s: &Session, path: &str, body: Value) -> (StatusCode, Value) {
    send_json(
        t.as_user(s, Method::PUT, path)
            .header("elastic-api-version", "2023-10-31")
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn the_emea_space_lists_its_roles_with_their_levels_and_users() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let report = expect(t.get_json(&elastic, &access(EMEA)).await, StatusCode::OK);
    assert_eq!(report["space"], EMEA);
    assert_eq!(report["name"], "SOC EMEA");

    let roles = names(&report["roles"], "role");
    for expected in [
        "editor",
        "kibana_admin",
        "soc_emea_analyst",
        "superuser",
        "viewer",
    ] {
        assert!(
            roles.contains(&expected.to_string()),
            "{expected}: {roles:?}"
        );
    }
    for absent in ["dashboard_editor", "dashboard_viewer", "leads_full_access"] {
        assert!(!roles.contains(&absent.to_string()), "{absent}: {roles:?}");
    }

    let analyst = role(&report, "soc_emea_analyst").expect("the analyst role");
    assert_eq!(analyst["level"], "customize");
    assert_eq!(analyst["this_space"], true);
    assert_eq!(analyst["all_spaces"], false);
    assert_eq!(analyst["manages_spaces"], false);
    assert_eq!(feature_level(analyst, "securitySolution"), "all");
    assert_eq!(feature_level(analyst, "dashboard"), "all");
    assert_eq!(feature_level(analyst, "dev_tools"), "none");
    assert_eq!(strings(&analyst["users"]), ["emea_analyst"]);

    let admin = role(&report, "kibana_admin").expect("kibana_admin");
    assert_eq!(admin["level"], "all");
    assert_eq!(admin["all_spaces"], true);
    assert_eq!(admin["reserved"], true);
    assert_eq!(admin["manages_spaces"], true);
    assert_eq!(
        strings(&admin["users"]),
        ["leads_full_user", "leads_no_access_user", "leads_read_user"]
    );
    let viewer = role(&report, "viewer").expect("viewer");
    assert_eq!(viewer["level"], "read");
    assert_eq!(viewer["manages_spaces"], false);
    assert_eq!(
        role(&report, "superuser").map(|r| r["level"].clone()),
        Some(json!("all"))
    );

    let users = names(&report["users"], "username");
    assert_eq!(
        users,
        [
            "elastic",
            "emea_analyst",
            "leads_full_user",
            "leads_no_access_user",
            "leads_read_user"
        ],
        "alice, bob and victor only enter default"
    );
    let emma = report["users"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["username"] == "emea_analyst"))
        .expect("emea_analyst");
    assert_eq!(emma["full_name"], "Emma EMEA Analyst");
    assert_eq!(emma["enabled"], true);
    assert_eq!(strings(&emma["roles"]), ["soc_emea_analyst"]);
}

#[tokio::test]
async fn in_default_the_same_role_reads_and_the_dashboard_roles_appear() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let report = expect(
        t.get_json(&elastic, &access("default")).await,
        StatusCode::OK,
    );
    let analyst = role(&report, "soc_emea_analyst").expect("read in default");
    assert_eq!(feature_level(analyst, "securitySolution"), "read");
    assert_eq!(feature_level(analyst, "dashboard"), "none");
    let editors = role(&report, "dashboard_editor").expect("dashboard_editor");
    assert_eq!(editors["level"], "customize");
    assert_eq!(feature_level(editors, "dashboard"), "all");
    assert_eq!(strings(&editors["users"]), ["alice", "bob"]);
    let viewers = role(&report, "dashboard_viewer").expect("dashboard_viewer");
    assert_eq!(feature_level(viewers, "dashboard"), "read");
    assert_eq!(strings(&viewers["users"]), ["victor"]);
    let users = names(&report["users"], "username");
    for user in ["alice", "bob", "victor", "emea_analyst", "elastic"] {
        assert!(users.contains(&user.to_string()), "{user}: {users:?}");
    }
}

#[tokio::test]
async fn the_access_report_needs_read_security_and_hides_whether_a_space_exists() {
    let t = TestServer::start().await;
    // kibana_admin manages spaces but cannot read users: Kibana privileges are not enough.
    for user in ["alice", "leads_full_user", "emea_analyst"] {
        let session = t.login(user).await;
        for id in [EMEA, "no-such-space"] {
            let (status, body) = t.get_json(&session, &access(id)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {id}: {body}");
            let message = body["message"].as_str().unwrap_or_default();
            assert!(
                message.contains("action [cluster:admin/xpack/security/user/get] is unauthorized")
                    && message.contains(&format!("for user [{user}]")),
                "{message}"
            );
        }
    }
    let elastic = t.login("elastic").await;
    expect_message(
        t.get_json(&elastic, &access("no-such-space")).await,
        StatusCode::NOT_FOUND,
        "Saved object [space/no-such-space] not found",
    );

    let (status, _) = send_json(t.kibana(Method::GET, &access(EMEA))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no session");
}

#[tokio::test]
async fn a_new_role_and_user_show_up_at_once_and_hidden_features_are_marked() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    expect(
        put(
            &t,
            &elastic,
            "/api/security/role/emea_readers",
            json!({"kibana": [{"base": ["read"], "feature": {}, "spaces": [EMEA]}]}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    expect(t
        .post_json(
            &elastic,
            "/internal/security/users/rita",
            json!({"username": "rita", "password": PASSWORD, "roles": ["emea_readers"], "full_name": "Rita Reader"}),
        )
        .await, StatusCode::OK);
    expect(
        put(
            &t,
            &elastic,
            &format!("/api/spaces/space/{EMEA}"),
            json!({"id": EMEA, "name": "SOC EMEA", "disabledFeatures": ["dev_tools"]}),
        )
        .await,
        StatusCode::OK,
    );

    let (_, report) = t.get_json(&elastic, &access(EMEA)).await;
    let readers = role(&report, "emea_readers").expect("the new role");
    assert_eq!(readers["level"], "read");
    assert_eq!(readers["this_space"], true);
    assert_eq!(strings(&readers["users"]), ["rita"]);
    let dev_tools = readers["features"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == "dev_tools"))
        .expect("dev_tools");
    assert_eq!(dev_tools["hidden"], true);
    assert_eq!(dev_tools["level"], "read", "the role still grants it");
    assert!(names(&report["users"], "username").contains(&"rita".to_string()));

    // Not in default: the role names only the EMEA space.
    let (_, default) = t.get_json(&elastic, &access("default")).await;
    assert!(role(&default, "emea_readers").is_none());
    assert!(!names(&default["users"], "username").contains(&"rita".to_string()));
}

#[tokio::test]
async fn contents_count_what_a_delete_removes_and_need_the_manage_privilege() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let emea = expect(t.get_json(&elastic, &contents(EMEA)).await, StatusCode::OK);
    assert_eq!(emea["leads"], 40, "seeded with 40 leads");
    let dashboards = emea["dashboards"].as_u64().unwrap_or(0);
    assert!(dashboards > 0, "{emea}");
    let (_, default) = t.get_json(&elastic, &contents("default")).await;
    assert_eq!(default, json!({"leads": 0, "dashboards": 5}));

    // kibana_admin may manage spaces, so it may count; alice and the EMEA analyst may not.
    let admin = t.login("leads_no_access_user").await;
    expect(t.get_json(&admin, &contents(EMEA)).await, StatusCode::OK);
    for user in ["alice", "emea_analyst"] {
        let session = t.login(user).await;
        for id in [EMEA, "no-such-space"] {
            let (status, body) = t.get_json(&session, &contents(id)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {id}: {body}");
            assert_eq!(
                body["message"],
                format!("Unauthorized to get the contents of the {id} space")
            );
        }
    }
    expect(
        t.get_json(&elastic, &contents("no-such-space")).await,
        StatusCode::NOT_FOUND,
    );

    // The delete removes exactly what was counted (its audit event records it).
    expect(
        send_json(
            t.as_user(
                &elastic,
                Method::DELETE,
                &format!("/api/spaces/space/{EMEA}"),
            )
            .header("elastic-api-version", "2023-10-31"),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    let details: String = t.db_value(
        "SELECT details FROM audit_log WHERE action = 'space_delete' AND outcome = 'success'",
    );
    let details: Value = serde_json::from_str(&details).expect("json details");
    assert_eq!(details["deleted"]["leads"], emea["leads"]);
    assert_eq!(details["deleted"]["dashboards"], emea["dashboards"]);
    let (status, _) = t.get_json(&elastic, &contents(EMEA)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "gone with the space");
}

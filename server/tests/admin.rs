//! Users, roles and features (docs/administration.md) over real HTTP, per caller: superuser, a user
//! with `manage_security`, a `kibana_admin` user and a `viewer`.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LEADS: &str = "/internal/entity_analytics/leads";

fn denied(action: &str, user: &str, roles: &str) -> String {
    let r = format!("action [{action}] is unauthorized for user [{user}] with effective roles [{roles}], this action is granted by the cluster privileges [manage_security,all]");
    format!("[security_exception\n\tRoot causes:\n\t\tsecurity_exception: {r}]: {r}")
}

/// elastic creates `sec_admin` (manage_security), `kadmin` (kibana_admin) and `watcher` (viewer).
async fn setup(t: &TestServer) -> Session {
    let elastic = t.login("elastic").await;
    expect(
        t.put_json(
            &elastic,
            "/api/security/role/security_admin",
            json!({"elasticsearch": {"cluster": ["manage_security"]}}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    for (user, roles) in [
        ("sec_admin", json!(["security_admin"])),
        ("kadmin", json!(["kibana_admin"])),
        ("watcher", json!(["viewer"])),
    ] {
        let body = expect(
            t.post_json(
                &elastic,
                &format!("/internal/security/users/{user}"),
                json!({"username": user, "password": PASSWORD, "roles": roles, "full_name": user}),
            )
            .await,
            StatusCode::OK,
        );
        assert!(
            body.get("password").is_none(),
            "never echoes the password: {body}"
        );
        assert_eq!(body["roles"], roles);
        assert_eq!(body["enabled"], true);
    }
    elastic
}

#[tokio::test]
async fn user_api_per_caller() {
    let t = TestServer::start().await;
    let elastic = setup(&t).await;
    let sec = t.login("sec_admin").await;
    let kadmin = t.login("kadmin").await;
    let watcher = t.login("watcher").await;

    for s in [&elastic, &sec] {
        let body = expect(
            t.get_json(s, "/internal/security/users").await,
            StatusCode::OK,
        );
        let names: Vec<&str> = body
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"elastic") && names.contains(&"watcher"),
            "{names:?}"
        );
        assert!(body
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("password").is_none() && u.get("password_hash").is_none()));
    }
    let body = expect(
        t.get_json(&kadmin, "/internal/security/users").await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        body["message"],
        denied(
            "cluster:admin/xpack/security/user/get",
            "kadmin",
            "kibana_admin"
        )
        .replace(
            "[manage_security,all]",
            "[read_security,manage_security,all]"
        )
    );
    let body = expect(
        t.post_json(
            &watcher,
            "/internal/security/users/x1",
            json!({"username": "x1", "password": "secret1", "roles": []}),
        )
        .await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        body,
        json!({"statusCode": 403, "error": "Forbidden", "message": denied("cluster:admin/xpack/security/user/put", "watcher", "viewer")})
    );
    let body = expect(
        t.delete_json(&kadmin, "/internal/security/users/watcher")
            .await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        body["message"],
        denied(
            "cluster:admin/xpack/security/user/delete",
            "kadmin",
            "kibana_admin"
        )
    );
    let body = expect(
        send_json(t.as_user(
            &kadmin,
            Method::POST,
            "/internal/security/users/watcher/_disable",
        ))
        .await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        body["message"],
        denied(
            "cluster:admin/xpack/security/user/set_enabled",
            "kadmin",
            "kibana_admin"
        )
    );

    // sec_admin manages users: create, get, update, delete.
    let body = expect(t.post_json(&sec, "/internal/security/users/newbie", json!({"username": "newbie", "password": "secret1", "roles": ["viewer"], "email": "n@example.com"})).await, StatusCode::OK);
    assert_eq!(
        body,
        json!({"username": "newbie", "roles": ["viewer"], "full_name": null, "email": "n@example.com", "metadata": {}, "enabled": true})
    );
    let (status, body) = t.get_json(&sec, "/internal/security/users/newbie").await;
    assert_eq!(
        (status, body["email"].clone()),
        (StatusCode::OK, json!("n@example.com"))
    );
    // Update without a password keeps it.
    let (status, _) = t
        .post_json(
            &sec,
            "/internal/security/users/newbie",
            json!({"username": "newbie", "roles": ["viewer", "editor"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        t.login_response("newbie", "secret1").await.status(),
        StatusCode::OK
    );
    expect(
        t.delete_json(&sec, "/internal/security/users/newbie").await,
        StatusCode::NO_CONTENT,
    );
    expect(
        t.get_json(&sec, "/internal/security/users/newbie").await,
        StatusCode::NOT_FOUND,
    );
    expect(
        t.delete_json(&sec, "/internal/security/users/newbie").await,
        StatusCode::NOT_FOUND,
    );

    // Validation texts.
    for (user, body, message) in [
        ("short", json!({"username": "short", "password": "12345", "roles": []}),
            "[request body.password]: value has length [5] but it must have a minimum length of [6]."),
        ("many", json!({"username": "many", "password": "secret1", "roles": (0..101).map(|i| format!("r{i}")).collect::<Vec<_>>()}),
            "[request body.roles]: array size is [101], but cannot be greater than [100]"),
        ("%20lead", json!({"username": " lead", "password": "secret1", "roles": []}),
            "[request params.username]: must not contain leading or trailing spaces"),
        ("forged", json!({"username": "forged", "password": "secret1", "roles": [], "password_hash": "x"}),
            "[request body.password_hash]: definition for this key is missing"),
    ] {
        let (status, answer) = t.post_json(&sec, &format!("/internal/security/users/{user}"), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{user}: {answer}");
        assert_eq!(answer["message"], message, "{user}");
    }
    let long = "a".repeat(508);
    expect(
        t.post_json(
            &sec,
            &format!("/internal/security/users/{long}"),
            json!({"password": "secret1", "roles": []}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    let (status, _) = t
        .post_json(
            &sec,
            "/internal/security/users/nopass",
            json!({"roles": []}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a new user needs a password"
    );

    // Every change is audited with actor, action, target and outcome.
    let db = gatehouse_server::db::Db::open(&t.db_path()).unwrap();
    let rows: Vec<(String, String, String, String)> = db.read(|c| {
        let mut stmt = c.prepare("SELECT username, action, object_ids, outcome FROM audit_log WHERE object_type = 'user' ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }).await.unwrap();
    for expected in [
        ("elastic", "user_create", "[\"watcher\"]", "success"),
        ("watcher", "user_create", "[\"x1\"]", "failure"),
        ("kadmin", "user_delete", "[\"watcher\"]", "failure"),
        ("sec_admin", "user_create", "[\"newbie\"]", "success"),
        ("sec_admin", "user_update", "[\"newbie\"]", "success"),
        ("sec_admin", "user_delete", "[\"newbie\"]", "success"),
    ] {
        let e = (
            expected.0.to_string(),
            expected.1.to_string(),
            expected.2.to_string(),
            expected.3.to_string(),
        );
        assert!(rows.contains(&e), "{expected:?} in {rows:?}");
    }
}

#[tokio::test]
async fn role_changes_take_effect_on_the_next_request() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let reader = t.login("leads_read_user").await;
    expect(t.get_json(&reader, LEADS).await, StatusCode::OK);
    // Remove every role: the very next leads find is refused.
    expect(
        t.post_json(
            &elastic,
            "/internal/security/users/leads_read_user",
            json!({"username": "leads_read_user", "roles": []}),
        )
        .await,
        StatusCode::OK,
    );
    expect(t.get_json(&reader, LEADS).await, StatusCode::FORBIDDEN);
    let (_, me) = t.get_json(&reader, "/internal/security/me").await;
    assert_eq!(me["roles"], json!([]));

    // Disable → the open session answers 401 and login is refused; enable → login works again.
    let full = t.login("leads_full_user").await;
    let (status, _) = send_json(t.as_user(
        &elastic,
        Method::POST,
        "/internal/security/users/leads_full_user/_disable",
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get_json(&full, "/internal/security/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(t.get_json(&full, LEADS).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.login_response("leads_full_user", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, user) = t
        .get_json(&elastic, "/internal/security/users/leads_full_user")
        .await;
    assert_eq!(user["enabled"], false);
    expect(
        send_json(t.as_user(
            &elastic,
            Method::POST,
            "/internal/security/users/leads_full_user/_enable",
        ))
        .await,
        StatusCode::NO_CONTENT,
    );
    t.login("leads_full_user").await;
    // Nobody disables their own account.
    expect(
        send_json(t.as_user(
            &elastic,
            Method::POST,
            "/internal/security/users/elastic/_disable",
        ))
        .await,
        StatusCode::BAD_REQUEST,
    );
}

#[tokio::test]
async fn password_changes() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let alice = t.login("alice").await;
    let alice_elsewhere = t.login("alice").await;
    // Own account: the current password is required.
    let path = "/internal/security/users/alice/password";
    expect(
        t.post_json(
            &alice,
            path,
            json!({"newPassword": "n3wpass", "password": "wrong!"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    );
    expect_message(t.post_json(
            &alice,
            path,
            json!({"newPassword": "short", "password": PASSWORD}),
        )
        .await, StatusCode::BAD_REQUEST, "[request body.newPassword]: value has length [5] but it must have a minimum length of [6].");
    let (status, _) = t
        .post_json(
            &alice,
            path,
            json!({"newPassword": "n3wpass", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // This session stays; the other one ends; the new password works.
    assert_eq!(
        t.get_json(&alice, "/internal/security/me").await.0,
        StatusCode::OK
    );
    assert_eq!(
        t.get_json(&alice_elsewhere, "/internal/security/me")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.login_response("alice", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.login_response("alice", "n3wpass").await.status(),
        StatusCode::OK
    );
    // Someone else's: needs manage_security, no current password; their sessions end.
    let body = expect(
        t.post_json(
            &alice,
            "/internal/security/users/bob/password",
            json!({"newPassword": "bobpass1"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    );
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("cluster:admin/xpack/security/user/change_password"));
    let (status, _) = t
        .post_json(&elastic, path, json!({"newPassword": "adm1nset"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get_json(&alice, "/internal/security/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        t.login_response("alice", "adm1nset").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn role_api_per_caller_and_texts() {
    let t = TestServer::start().await;
    let elastic = setup(&t).await;
    let sec = t.login("sec_admin").await;
    let kadmin = t.login("kadmin").await;
    let watcher = t.login("watcher").await;
    let body = json!({
        "description": "EMEA logs",
        "metadata": {"version": 1},
        "elasticsearch": {"cluster": ["monitor"], "run_as": [], "indices": [{"names": ["logs-*"], "privileges": ["read"],
            "field_security": {"grant": ["*"], "except": ["ssn"]}, "query": "{\"term\":{\"region\":\"emea\"}}", "allow_restricted_indices": false}]},
        "kibana": [{"base": ["read"], "feature": {}, "spaces": ["marketing"]},
                   {"base": [], "feature": {"dashboard": ["all"], "securitySolution": ["read"]}, "spaces": ["default"]}]
    });
    expect(
        t.put_json(
            &sec,
            "/api/security/role/emea?createOnly=true",
            body.clone(),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    expect_message(
        t.put_json(
            &sec,
            "/api/security/role/emea?createOnly=true",
            body.clone(),
        )
        .await,
        StatusCode::CONFLICT,
        "Role already exists and cannot be created: emea",
    );
    expect(
        t.put_json(&sec, "/api/security/role/emea", body.clone())
            .await,
        StatusCode::NO_CONTENT,
    );

    let role = expect(
        t.get_json(&elastic, "/api/security/role/emea").await,
        StatusCode::OK,
    );
    assert_eq!(role["name"], "emea");
    assert_eq!(role["transient_metadata"], json!({"enabled": true}));
    assert_eq!(role["_transform_error"], json!([]));
    assert_eq!(role["_unrecognized_applications"], json!([]));
    assert_eq!(role["kibana"], body["kibana"]);
    assert_eq!(
        role["elasticsearch"]["indices"][0]["field_security"],
        json!({"grant": ["*"], "except": ["ssn"]})
    );

    // Reads: manage_security or read_security; kibana_admin and viewer cannot.
    for s in [&kadmin, &watcher] {
        let answer = expect(
            t.get_json(s, "/api/security/role").await,
            StatusCode::FORBIDDEN,
        );
        assert!(answer["message"]
            .as_str()
            .unwrap()
            .contains("cluster:admin/xpack/security/role/get"));
        let answer = expect(
            t.put_json(s, "/api/security/role/x", json!({})).await,
            StatusCode::FORBIDDEN,
        );
        assert!(answer["message"]
            .as_str()
            .unwrap()
            .contains("cluster:admin/xpack/security/role/put"));
        expect(
            t.delete_json(s, "/api/security/role/emea").await,
            StatusCode::FORBIDDEN,
        );
    }
    let list = expect(t.get_json(&sec, "/api/security/role").await, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for reserved in ["editor", "kibana_admin", "superuser", "viewer"] {
        let r = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == reserved)
            .expect(reserved);
        assert_eq!(r["metadata"]["_reserved"], true, "{reserved}");
        let (status, _) = t
            .put_json(
                &elastic,
                &format!("/api/security/role/{reserved}"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{reserved} cannot change");
        let (status, _) = t
            .delete_json(&elastic, &format!("/api/security/role/{reserved}"))
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{reserved} cannot be deleted"
        );
    }
    assert!(!list
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "emea" && r["metadata"].get("_reserved").is_some()));

    // _query
    let answer = expect(t.post_json(&sec, "/api/security/role/_query", json!({"query": "EM", "from": 0, "size": 10, "sort": {"field": "name", "direction": "asc"}, "filters": {"showReservedRoles": false}})).await, StatusCode::OK);
    // `*EM*`, case-insensitive: this test's `emea` and the seeded `soc_emea_analyst`.
    assert_eq!(answer["total"], 2);
    assert_eq!(answer["count"], 2);
    assert_eq!(answer["roles"][0]["name"], "emea");
    assert_eq!(answer["roles"][1]["name"], "soc_emea_analyst");
    let (_, answer) = t
        .post_json(
            &sec,
            "/api/security/role/_query",
            json!({"query": "", "size": 2}),
        )
        .await;
    assert_eq!(answer["count"], 2);
    assert!(answer["total"].as_u64().unwrap() > 2);

    // Forged bodies and validation texts.
    for (name, body, message) in [
        ("a", json!({"metadata": {"_reserved": true}}), None),
        ("a", json!({"kibana": [{"feature": {"nope": ["all"]}, "spaces": ["*"]}]}),
            Some("Role cannot be updated due to validation errors: [\"Feature [nope] does not support privilege [all].\"]")),
        ("a", json!({"kibana": [{"base": ["all"], "spaces": ["s1", "s1"]}]}),
            Some("[request body.kibana]: more than one privilege is applied to the following spaces: [s1]")),
        ("a", json!({"kibana": [{"base": [], "spaces": ["*"]}]}),
            Some("[request body.kibana.0]: either [base] or [feature] is expected, but none of them specified")),
        ("a", json!({"kibana": [{"base": ["foo"], "spaces": ["*"]}]}),
            Some("[request body.kibana.0.base.0]: unknown global privilege \"foo\", must be one of [all,read]")),
        ("a", json!({"name": "a"}), Some("[request body.name]: definition for this key is missing")),
        (&"r".repeat(1025), json!({}), Some("[request params.name]: value has length [1025] but it must have a maximum length of [1024].")),
    ] {
        let (status, answer) = t.put_json(&elastic, &format!("/api/security/role/{name}"), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        if let Some(message) = message {
            assert_eq!(answer["message"], message, "{body}");
        }
    }
    expect(
        t.delete_json(&sec, "/api/security/role/emea").await,
        StatusCode::NO_CONTENT,
    );
    expect(
        t.get_json(&sec, "/api/security/role/emea").await,
        StatusCode::NOT_FOUND,
    );
}

#[tokio::test]
async fn features_list_the_registry() {
    let (t, viewer) = TestServer::start_as("victor").await;
    let features = expect(t.get_json(&viewer, "/api/features").await, StatusCode::OK);
    let ids: Vec<&str> = features
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for id in ["securitySolution", "dashboard", "dev_tools", "management"] {
        assert!(ids.contains(&id), "{id}");
    }
    let security = features
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "securitySolution")
        .unwrap();
    assert!(security["privileges"]["read"]["api"]
        .as_array()
        .unwrap()
        .contains(&json!("securitySolution-entity-analytics")));
    let dev = features
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "dev_tools")
        .unwrap();
    assert_eq!(dev["privileges"]["all"]["api"], json!(["console"]));
}

// ---------------------------------------------------------------------------------------------
// Effective access and "Why?"
// ---------------------------------------------------------------------------------------------

const EFFECTIVE: &str = "/internal/gatehouse/security/effective_access";
const EXPLAIN: &str = "/internal/gatehouse/security/_explain";

#[tokio::test]
async fn effective_access_names_the_granting_role_and_is_private() {
    let t = TestServer::start().await;
    setup(&t).await;
    let read_user = t.login("leads_read_user").await;

    // Your own access: leads read from leads_read_only, no write; every feature from kibana_admin.
    let body = expect(
        t.get_json(&read_user, &format!("{EFFECTIVE}/leads_read_user"))
            .await,
        StatusCode::OK,
    );
    let data = body["data"].as_array().cloned().unwrap_or_default();
    let check = |privilege: &str| {
        data.iter()
            .find(|d| d["privilege"] == privilege)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(check("read")["granted"], true);
    assert_eq!(check("read")["roles"], json!(["leads_read_only"]));
    assert_eq!(check("write")["granted"], false);
    let features = body["spaces"][0]["features"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let dashboard = features
        .iter()
        .find(|f| f["id"] == "dashboard")
        .cloned()
        .unwrap_or_default();
    assert_eq!(dashboard["level"], "all");
    assert_eq!(dashboard["roles"], json!(["kibana_admin"]));

    // Someone else's needs read_security: a kibana_admin user is refused with the cluster text.
    let body = expect(
        t.get_json(&read_user, &format!("{EFFECTIVE}/alice")).await,
        StatusCode::FORBIDDEN,
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("read_security"),
        "{body}"
    );

    // sec_admin (manage_security) may look at anyone; viewer roles show Read everywhere.
    let sec_admin = t.login("sec_admin").await;
    let body = expect(
        t.get_json(&sec_admin, &format!("{EFFECTIVE}/watcher"))
            .await,
        StatusCode::OK,
    );
    let levels: Vec<&str> = body["spaces"][0]["features"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["level"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        !levels.is_empty() && levels.iter().all(|l| *l == "read"),
        "{levels:?}"
    );
    expect(
        t.get_json(&sec_admin, &format!("{EFFECTIVE}/nobody_here"))
            .await,
        StatusCode::NOT_FOUND,
    );
}

#[tokio::test]
async fn explain_answers_for_the_caller_with_roles_that_would_grant() {
    let (t, read_user) = TestServer::start_as("leads_read_user").await;
    let requirement = json!({"kind": "index", "index": ".entity_analytics.entity-leads-default", "privileges": ["index", "write", "all"]});
    let body = expect(
        t.post_json(&read_user, EXPLAIN, requirement.clone()).await,
        StatusCode::OK,
    );
    assert_eq!(body["granted"], false);
    let yours: Vec<(String, bool)> = body["yourRoles"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|r| {
                    (
                        r["role"].as_str().unwrap_or("").to_string(),
                        r["grants"] == true,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        yours.contains(&("leads_read_only".to_string(), false)),
        "{yours:?}"
    );
    // Without `read_security` other roles are not named; the role body to ask for is.
    assert!(body.get("grantingRoles").is_none(), "{body}");
    assert!(!body.to_string().contains("superuser"), "{body}");
    assert!(body["fix"]["consoleRequest"]
        .as_str()
        .unwrap_or("")
        .starts_with("POST /_security/role/leads_full_access"));

    // An administrator asking the same question learns which existing roles would do.
    let elastic = t.login("elastic").await;
    let body = expect(
        t.post_json(&elastic, EXPLAIN, requirement.clone()).await,
        StatusCode::OK,
    );
    let granting: Vec<&str> = body["grantingRoles"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        granting.contains(&"leads_full_access") && granting.contains(&"superuser"),
        "{granting:?}"
    );
    assert!(!granting.contains(&"leads_read_only"));

    // The same question asked by a user who has it.
    let full = t.login("leads_full_user").await;
    let (_, body) = t.post_json(&full, EXPLAIN, requirement).await;
    assert_eq!(body["granted"], true);

    // A malformed requirement is a 400, not a 500.
    expect(
        t.post_json(&full, EXPLAIN, json!({"kind": "galaxy"})).await,
        StatusCode::BAD_REQUEST,
    );
}

/// Per granting role, what it covers: a DLS + FLS role and a second role with another query are
/// each described with their own documents and fields, and a `minimal_all` Search grant is "All"
/// without its sub-feature privilege. "Why?" gives the caller's own roles' coverage only.
#[tokio::test]
async fn effective_access_says_what_each_grant_covers() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let pattern = ".entity_analytics.entity-leads-*";
    for (name, grant) in [
        (
            "hosts_no_priority",
            json!({"names": [pattern], "privileges": ["read"],
                   "query": "{\"term\": {\"entity.type\": \"host\"}}",
                   "field_security": {"grant": ["*"], "except": ["priority"]}}),
        ),
        (
            "active_users",
            json!({"names": [pattern], "privileges": ["read"],
                   "query": json!({"bool": {"filter": [{"term": {"entity.type": "user"}}, {"term": {"status": "active"}}]}}).to_string()}),
        ),
    ] {
        let role = json!({
            "elasticsearch": {"indices": [grant]},
            "kibana": [{"base": [], "feature": {"workplaceSearch": ["minimal_all"], "securitySolution": ["read"]}, "spaces": ["*"]}],
        });
        expect(
            t.put_json(&elastic, &format!("/api/security/role/{name}"), role)
                .await,
            StatusCode::NO_CONTENT,
        );
    }
    let user = json!({"username": "hunter", "password": PASSWORD, "roles": ["hosts_no_priority", "active_users"]});
    let (status, body) = t
        .post_json(&elastic, "/internal/security/users/hunter", user)
        .await;
    assert!(status.is_success(), "{status} {body}");
    let hunter = t.login("hunter").await;

    let body = expect(
        t.get_json(&hunter, &format!("{EFFECTIVE}/hunter")).await,
        StatusCode::OK,
    );
    let read = body["data"]
        .as_array()
        .and_then(|d| d.iter().find(|c| c["privilege"] == "read"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(read["roles"], json!(["hosts_no_priority", "active_users"]));
    assert_eq!(
        read["coverage"][0],
        json!({"role": "hosts_no_priority",
               "documents": {"kind": "matching", "queries": [{"query": "{\"term\":{\"entity.type\":\"host\"}}", "summary": "entity.type is host"}]},
               "fields": {"kind": "only", "rules": [{"grant": ["*"], "except": ["priority"]}]}})
    );
    assert_eq!(
        read["coverage"][1]["documents"]["queries"][0]["summary"],
        "entity.type is user and status is active"
    );
    assert_eq!(read["coverage"][1]["fields"], json!({"kind": "all"}));
    // The index table lists each role's entry with its privileges and coverage.
    let grants = body["indices"][0]["grants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(grants.len(), 2, "{grants:?}");
    assert_eq!(grants[0]["privileges"], json!(["read"]));
    assert_eq!(grants[0]["fields"], read["coverage"][0]["fields"]);
    let search = body["spaces"][0]["features"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["id"] == "workplaceSearch"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(search["level"], "all");
    assert_eq!(
        search["subFeatures"],
        json!([{"id": "manage_sources", "name": "Manage sources and document permissions", "granted": false, "includedInLevel": true}])
    );

    // "Why?" for leads read: granted, each of the caller's roles with what it covers, and no
    // other role named.
    let requirement = json!({"kind": "index", "index": ".entity_analytics.entity-leads-default", "privileges": ["read"]});
    let body = expect(
        t.post_json(&hunter, EXPLAIN, requirement).await,
        StatusCode::OK,
    );
    assert_eq!(body["granted"], true);
    assert_eq!(
        body["yourRoles"][0]["covers"]["documents"]["queries"][0]["summary"],
        "entity.type is host"
    );
    assert_eq!(
        body["yourRoles"][0]["covers"]["fields"]["rules"][0]["except"],
        json!(["priority"])
    );
    assert!(body.get("grantingRoles").is_none(), "{body}");
}

/// A profile uid belongs to one username for good: a new user never inherits a deleted user's
/// uid (and with it their write-restricted dashboards), even when both names escape to the same
/// uid principal; re-creating the same username gets its profile back, as in Elasticsearch.
#[tokio::test]
async fn profile_uids_never_pass_to_another_user() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let create = |name: &'static str| json!({"username": name, "password": "a-long-password", "roles": ["dashboard_editor"], "full_name": name});
    let uid_of = |t: &TestServer, name: &str| -> String {
        t.db_value(&format!(
            "SELECT profile_uid FROM users WHERE username = '{name}'"
        ))
    };
    expect(
        t.post_json(&elastic, "/internal/security/users/a.b", create("a.b"))
            .await,
        StatusCode::OK,
    );
    let old_uid = uid_of(&t, "a.b");
    let server = &t;
    let sign_in = move |name: &'static str| async move {
        let response = server.login_response(name, "a-long-password").await;
        Session {
            cookie: sid_pair(&response).expect("signed in"),
        }
    };
    let a_b = sign_in("a.b").await;
    let made = expect(
        common::dashboards::post(
            &t,
            &a_b,
            "/api/dashboards",
            json!({"data": {"title": "a.b's", "access_control": {"access_mode": "write_restricted"}}}),
        )
        .await,
        StatusCode::OK,
    );
    let id = made["id"].as_str().unwrap_or_default().to_string();
    expect(
        t.delete_json(&elastic, "/internal/security/users/a.b")
            .await,
        StatusCode::NO_CONTENT,
    );

    // `x612e62` is `a.b`'s escaped principal: it gets a uid nobody ever had.
    expect(
        t.post_json(
            &elastic,
            "/internal/security/users/x612e62",
            create("x612e62"),
        )
        .await,
        StatusCode::OK,
    );
    assert_ne!(uid_of(&t, "x612e62"), old_uid);
    let newcomer = sign_in("x612e62").await;
    let (status, _) =
        common::dashboards::update(&t, &newcomer, &id, json!({"data": {"title": "taken over"}}))
            .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "not the owner of a.b's dashboard"
    );

    // The same username again is the same profile: its owner again.
    expect(
        t.post_json(&elastic, "/internal/security/users/a.b", create("a.b"))
            .await,
        StatusCode::OK,
    );
    assert_eq!(uid_of(&t, "a.b"), old_uid);
}

/// Authorize first (docs/administration.md#users): a caller without `manage_security` gets the
/// same 403 whatever their body (an invalid one is not even validated), nothing is stored, and
/// the refusal is still audited; a refused password change of someone else likewise.
#[tokio::test]
async fn refused_user_writes_are_refused_before_the_body_is_read_and_audited() {
    let t = TestServer::start().await;
    let _elastic = setup(&t).await;
    let watcher = t.login("watcher").await;
    for body in [
        json!({"username": "x2", "password": "123", "roles": []}),
        json!({"username": "x2", "password": "secret1", "roles": (0..500).map(|i| format!("r{i}")).collect::<Vec<_>>()}),
        json!({"username": "x2", "password": "secret1", "roles": ["superuser"]}),
    ] {
        let body = expect(
            t.post_json(&watcher, "/internal/security/users/x2", body)
                .await,
            StatusCode::FORBIDDEN,
        );
        assert_eq!(
            body["message"],
            denied("cluster:admin/xpack/security/user/put", "watcher", "viewer")
        );
    }
    let body = expect(
        t.post_json(
            &watcher,
            "/internal/security/users/elastic/password",
            json!({"newPassword": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    );
    assert!(body["message"]
        .as_str()
        .unwrap_or("")
        .contains("cluster:admin/xpack/security/user/change_password"));
    assert_eq!(
        t.login_response("x2", "secret1").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refusals: i64 = t.db_value(
        "SELECT COUNT(*) FROM audit_log WHERE username = 'watcher' AND outcome = 'failure' \
         AND ((action = 'user_create' AND object_ids = '[\"x2\"]') \
           OR (action = 'user_password_change' AND object_ids = '[\"elastic\"]'))",
    );
    assert_eq!(refusals, 4, "every refusal audited");
}

//! The Dev Tools console proxy (docs/console.md): the lead-generation test plan's commands (docs/privileges.md)
//! replayed as `elastic`, then each created user logging in and seeing the right leads privileges.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Signing in as `user` with `password` is answered `status`.
async fn assert_sign_in(t: &TestServer, user: &str, password: &str, status: StatusCode) {
    let answer = t.login_response(user, password).await.status();
    assert_eq!(answer, status, "{user} signing in");
}

/// `POST /_security/user/_password` through the console as `who`: their own password.
async fn own_password_change(t: &TestServer, who: &Session, body: Value) -> ConsoleAnswer {
    console(t, who, "POST", "/_security/user/_password", Some(body)).await
}

async fn leads_privileges(t: &TestServer, user: &str, password: &str) -> (bool, bool) {
    let response = t.login_response(user, password).await;
    assert_eq!(response.status(), StatusCode::OK, "{user} logs in");
    let session = Session {
        cookie: sid_pair(&response).unwrap(),
    };
    let body = expect(
        t.get_json(&session, "/internal/entity_analytics/leads/privileges")
            .await,
        StatusCode::OK,
    );
    (
        body["has_read_permissions"].as_bool().unwrap(),
        body["has_write_permissions"].as_bool().unwrap(),
    )
}

#[tokio::test]
async fn the_test_plan_runs_through_the_console() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    // Start from nothing: remove the seeded test-plan users and roles through the console too.
    for user in ["leads_full_user", "leads_read_user", "leads_no_access_user"] {
        let a = console(
            &t,
            &elastic,
            "DELETE",
            &format!("/_security/user/{user}"),
            None,
        )
        .await;
        assert_eq!(
            (a.http, a.status, a.body.clone()),
            (StatusCode::OK, 200, json!({"found": true})),
            "{user}"
        );
    }
    for role in ["leads_full_access", "leads_read_only"] {
        let a = console(
            &t,
            &elastic,
            "DELETE",
            &format!("/_security/role/{role}"),
            None,
        )
        .await;
        assert_eq!(a.body, json!({"found": true}));
    }
    let a = console(
        &t,
        &elastic,
        "DELETE",
        "/_security/role/leads_read_only",
        None,
    )
    .await;
    assert_eq!(
        (a.http, a.status, a.body),
        (StatusCode::OK, 404, json!({"found": false}))
    );

    // A user needs a password on creation, as in Elasticsearch.
    let a = console(
        &t,
        &elastic,
        "POST",
        "/_security/user/leads_full_user",
        Some(json!({"roles": ["kibana_admin"]})),
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.text, "Bad Request");
    assert_eq!(a.body["error"]["reason"], "Validation Failed: 1: password must be specified unless you are updating an existing user;");

    let pw = "plan-pass";
    let plan = [
        (
            "POST",
            "/_security/role/leads_full_access",
            json!({"indices":[{"names":[".entity_analytics.entity-leads-*"],"privileges":["read","write","create_index"]}]}),
            json!({"role": {"created": true}}),
        ),
        (
            "POST",
            "/_security/user/leads_full_user",
            json!({"password": pw, "roles":["kibana_admin","leads_full_access"]}),
            json!({"created": true}),
        ),
        (
            "POST",
            "/_security/role/leads_read_only",
            json!({"indices":[{"names":[".entity_analytics.entity-leads-*"],"privileges":["read"]}]}),
            json!({"role": {"created": true}}),
        ),
        (
            "POST",
            "/_security/user/leads_read_user",
            json!({"password": pw, "roles":["kibana_admin","leads_read_only"]}),
            json!({"created": true}),
        ),
        (
            "POST",
            "/_security/user/leads_no_access_user",
            json!({"password": pw, "roles":["kibana_admin"]}),
            json!({"created": true}),
        ),
    ];
    for (method, path, body, expected) in &plan {
        let a = console(&t, &elastic, method, path, Some(body.clone())).await;
        assert_eq!(
            (a.http, a.status, &a.body),
            (StatusCode::OK, 200, expected),
            "{path}"
        );
    }
    // Replaying is an update.
    let a = console(&t, &elastic, "POST", plan[0].1, Some(plan[0].2.clone())).await;
    assert_eq!(a.body, json!({"role": {"created": false}}));

    assert_eq!(
        leads_privileges(&t, "leads_full_user", pw).await,
        (true, true)
    );
    assert_eq!(
        leads_privileges(&t, "leads_read_user", pw).await,
        (true, false)
    );
    assert_eq!(
        leads_privileges(&t, "leads_no_access_user", pw).await,
        (false, false)
    );

    // Reads.
    let a = console(&t, &elastic, "GET", "/_security/role/leads_read_only", None).await;
    assert_eq!(
        a.body["leads_read_only"]["indices"][0]["privileges"],
        json!(["read"])
    );
    let a = console(&t, &elastic, "GET", "/_security/role/superuser", None).await;
    assert_eq!(a.body["superuser"]["metadata"]["_reserved"], true);
    let a = console(&t, &elastic, "GET", "/_security/role/missing", None).await;
    assert_eq!((a.status, a.body), (404, json!({})));
    let a = console(&t, &elastic, "GET", "/_security/role", None).await;
    assert!(a.body.get("leads_full_access").is_some() && a.body.get("viewer").is_some());
    let a = console(&t, &elastic, "GET", "/_security/user/leads_read_user", None).await;
    assert_eq!(
        a.body["leads_read_user"]["roles"],
        json!(["kibana_admin", "leads_read_only"])
    );
    assert!(a.body["leads_read_user"].get("password").is_none());
    let a = console(&t, &elastic, "GET", "/_security/user", None).await;
    assert!(a.body.get("elastic").is_some());
}

#[tokio::test]
async fn denials_authenticate_and_has_privileges() {
    let (t, reader) = TestServer::start_as("leads_read_user").await;
    let a = console(&t, &reader, "PUT", "/_security/role/x", Some(json!({}))).await;
    assert_eq!(
        (a.http, a.status, a.text.as_str()),
        (StatusCode::OK, 403, "Forbidden")
    );
    let reason = "action [cluster:admin/xpack/security/role/put] is unauthorized for user [leads_read_user] with effective roles [kibana_admin,leads_read_only], this action is granted by the cluster privileges [manage_security,all]";
    assert_eq!(
        a.body,
        json!({"error": {"root_cause": [{"type": "security_exception", "reason": reason}], "type": "security_exception", "reason": reason}, "status": 403})
    );
    let a = console(
        &t,
        &reader,
        "PUT",
        "/_security/user/x",
        Some(json!({"password": "secret1", "roles": []})),
    )
    .await;
    assert_eq!(a.status, 403);
    assert!(a.body["error"]["reason"]
        .as_str()
        .unwrap()
        .contains("cluster:admin/xpack/security/user/put"));
    let a = console(&t, &reader, "DELETE", "/_security/user/elastic", None).await;
    assert_eq!(a.status, 403);

    let a = console(&t, &reader, "GET", "/_security/_authenticate", None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["username"], "leads_read_user");
    assert_eq!(a.body["roles"], json!(["kibana_admin", "leads_read_only"]));

    let a = console(&t, &reader, "POST", "/_security/user/_has_privileges", Some(json!({
        "cluster": ["manage_security"],
        "index": [{"names": [".entity_analytics.entity-leads-*"], "privileges": ["read", "write"]}],
        "application": [{"application": "kibana-.kibana", "resources": ["space:default"], "privileges": ["login:"]}]
    }))).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body,
        json!({
            "username": "leads_read_user", "has_all_requested": false,
            "cluster": {"manage_security": false},
            "index": {".entity_analytics.entity-leads-*": {"read": true, "write": false}},
            "application": {"kibana-.kibana": {"space:default": {"login:": true}}}
        })
    );

    // Bad method: a real 400 in Boom shape.
    let response = t
        .as_user(
            &reader,
            Method::POST,
            "/api/console/proxy?path=%2F_security%2F_authenticate&method=X",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["message"], "Method must be one of, case insensitive ['HEAD', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH']. Received 'X'.");
    // Lower-case methods are fine; malformed JSON is Elasticsearch's parse error.
    let a = console(&t, &reader, "get", "/_security/_authenticate", None).await;
    assert_eq!(a.status, 200);
    let response = t
        .as_user(
            &reader,
            Method::POST,
            "/api/console/proxy?path=%2F_security%2Fuser%2F_has_privileges&method=POST",
        )
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-console-proxy-status-code"], "400");
    let a = console(&t, &reader, "GET", "/_cat/indices", None).await;
    assert_eq!(a.status, 400);

    // Without the console API privilege (a dashboards-only role): Boom 403 from the route guard.
    let alice = t.login("alice").await;
    let response = t
        .as_user(
            &alice,
            Method::POST,
            "/api/console/proxy?path=%2F_security%2F_authenticate&method=GET",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// `kbn:` paths go to Kibana's own routes, as the caller, with their statuses and bodies: the
/// role fixes the "Why?" dialog offers (`PUT kbn:/api/security/role/...`) run as written.
#[tokio::test]
async fn kbn_paths_reach_our_kibana_routes_as_the_caller() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let role =
        json!({"kibana": [{"base": [], "feature": {"dashboard": ["all"]}, "spaces": ["default"]}]});
    let put = console(
        &t,
        &elastic,
        "PUT",
        "kbn:/api/security/role/dashboard_all",
        Some(role.clone()),
    )
    .await;
    assert_eq!(
        (put.http, put.status),
        (StatusCode::OK, 204),
        "{:?}",
        put.body
    );
    let get = console(
        &t,
        &elastic,
        "GET",
        "kbn:/api/security/role/dashboard_all",
        None,
    )
    .await;
    assert_eq!(get.status, 200);
    assert_eq!(
        get.body["kibana"][0]["feature"]["dashboard"],
        json!(["all"])
    );
    assert_eq!(get.body["name"], "dashboard_all");

    // A kibana_admin user reaches the console but not role management: Kibana's 403, passed through.
    let read_user = t.login("leads_read_user").await;
    let denied = console(
        &t,
        &read_user,
        "PUT",
        "kbn:/api/security/role/sneaky",
        Some(role),
    )
    .await;
    assert_eq!(denied.status, 403, "{:?}", denied.body);
    assert_eq!(denied.text, "Forbidden");
    assert!(
        denied.body["message"]
            .as_str()
            .unwrap_or("")
            .contains("manage_security"),
        "{:?}",
        denied.body
    );
    let missing = console(&t, &read_user, "GET", "kbn:/api/security/role/sneaky", None).await;
    assert_ne!(missing.status, 200, "the refused role was not stored");

    // Kibana's own rules still apply: a bad body is Kibana's 400; the console cannot call itself.
    let bad = console(
        &t,
        &elastic,
        "PUT",
        "kbn:/api/security/role/x",
        Some(json!({"kibana": [{"spaces": ["default"]}]})),
    )
    .await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    let looped = console(
        &t,
        &elastic,
        "POST",
        "kbn:/api/console/proxy?path=/&method=GET",
        None,
    )
    .await;
    assert_eq!(looped.status, 400);
}

/// `_security/user/_password` (your own, with Gatehouse's `current_password`) and
/// `_security/user/{u}/_password` (someone else's, `manage_security`): the same operation as
/// Kibana's password route (docs/console.md#passwords).
#[tokio::test]
async fn password_changes_through_the_console() {
    let (t, elastic) = TestServer::start_as("elastic").await;
    let reader = t.login("leads_read_user").await;
    // Someone else's, without manage_security: 403, the password unchanged.
    let a = console(
        &t,
        &reader,
        "POST",
        "/_security/user/bob/_password",
        Some(json!({"password": "taken-over"})),
    )
    .await;
    assert_eq!(a.status, 403, "{:?}", a.body);
    assert!(a.body["error"]["reason"]
        .as_str()
        .unwrap_or("")
        .contains("cluster:admin/xpack/security/user/change_password"));
    assert_sign_in(&t, "bob", "taken-over", StatusCode::UNAUTHORIZED).await;
    // Your own: the current password is required.
    let a = own_password_change(&t, &reader, json!({"password": "n3w-secret"})).await;
    assert_eq!(
        (a.status, a.body["error"]["reason"].as_str()),
        (403, Some("Invalid password."))
    );
    let a = own_password_change(
        &t,
        &reader,
        json!({"password": "n3w", "current_password": PASSWORD}),
    )
    .await;
    assert_eq!(a.status, 400, "{:?}", a.body);
    assert_eq!(
        a.body["error"]["reason"],
        "Validation Failed: 1: passwords must be at least [6] characters long;"
    );
    let a = own_password_change(
        &t,
        &reader,
        json!({"password": "n3w-secret", "current_password": PASSWORD, "extra": 1}),
    )
    .await;
    assert_eq!(
        (a.status, a.body["error"]["type"].as_str()),
        (400, Some("parse_exception"))
    );
    let a = console(
        &t,
        &reader,
        "PUT",
        "/_security/user/leads_read_user/_password",
        Some(json!({"password": "n3w-secret", "current_password": PASSWORD})),
    )
    .await;
    assert_eq!((a.status, &a.body), (200, &json!({})));
    assert_sign_in(&t, "leads_read_user", "n3w-secret", StatusCode::OK).await;
    // Someone else's as elastic: no current password needed; their sessions end.
    let a = console(
        &t,
        &elastic,
        "POST",
        "/_security/user/leads_read_user/_password",
        Some(json!({"password": "adm1n-set"})),
    )
    .await;
    assert_eq!((a.status, &a.body), (200, &json!({})));
    assert_eq!(
        t.get_json(&reader, "/internal/security/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_sign_in(&t, "leads_read_user", "adm1n-set", StatusCode::OK).await;
    let a = console(
        &t,
        &elastic,
        "POST",
        "/_security/user/nobody/_password",
        Some(json!({"password": "adm1n-set"})),
    )
    .await;
    assert_eq!(a.status, 404);
}

/// Authorize first: a caller without `manage_security` is refused before their body is looked at,
/// so a bad body gets the same 403 as a good one (and nothing is hashed or stored).
#[tokio::test]
async fn refused_user_writes_are_refused_before_the_body_is_read() {
    let (t, reader) = TestServer::start_as("leads_read_user").await;
    for body in [
        json!({"password": "short", "roles": []}),
        json!({"password": "secret1", "roles": (0..500).map(|i| format!("r{i}")).collect::<Vec<_>>()}),
        json!({"password": "secret1", "roles": ["superuser"], "metadata": {"_reserved": true}}),
    ] {
        let a = console(&t, &reader, "PUT", "/_security/user/intruder", Some(body)).await;
        assert_eq!(a.status, 403, "{:?}", a.body);
    }
    let a = console(&t, &reader, "GET", "/_security/_authenticate", None).await;
    assert_eq!(a.status, 200);
    assert_sign_in(&t, "intruder", "secret1", StatusCode::UNAUTHORIZED).await;
}

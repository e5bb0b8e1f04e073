//! Write-restricted dashboards over real HTTP: ownership transfer, forged bodies, optimistic
//! concurrency and the audit events of owner and mode changes.

mod common;

use common::dashboards::*;
use common::*;
use gatehouse_api::dashboards::{messages, Dashboard};
use gatehouse_api::security::INVALID_PROFILE_UID;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn ownership_transfer_and_its_attacks() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    for bad in [
        "alice",
        "u_alice",
        "u__0",
        "u_alice_0\n",
        "",
        "u_alice_0 OR 1=1",
    ] {
        let (status, body) = change_owner(&t, &u.alice, &["soc-overview"], bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(body, boom(400, INVALID_PROFILE_UID), "{bad:?}");
    }
    assert_eq!(
        INVALID_PROFILE_UID,
        "User profile ID is invalid: expected \"u_<principal>_<version>\""
    );
    expect_message(
        change_owner(&t, &u.alice, &["soc-overview"], "u_ghost_0").await,
        StatusCode::BAD_REQUEST,
        "Cannot transfer ownership: no user has the profile ID \"u_ghost_0\".",
    );
    // A deactivated user cannot receive a dashboard.
    t.deactivate_user("leads_read_user").await;
    expect_message(
        change_owner(&t, &u.alice, &["soc-overview"], "u_leads_read_user_0").await,
        StatusCode::BAD_REQUEST,
        "Cannot transfer ownership: user \"leads_read_user\" is deactivated.",
    );
    // Nor can someone who cannot open dashboards in that space.
    let body = expect(post(
        &t,
        &u.elastic,
        "/s/soc-emea/api/dashboards",
        json!({"data": {"title": "EMEA", "access_control": {"access_mode": "write_restricted"}}}),
    )
    .await, StatusCode::OK);
    let emea = body["id"].as_str().unwrap().to_string();
    expect_message(post(
        &t,
        &u.elastic,
        "/s/soc-emea/internal/access_control/change_owner",
        json!({"objects": [{"type": "dashboard", "id": emea}], "newOwnerProfileUid": OWNER_ALICE}),
    )
    .await, StatusCode::BAD_REQUEST, "Cannot transfer ownership: user \"alice\" cannot open dashboards in this space.");
    assert_eq!(
        fetch_dashboard(&t, &u.alice, "soc-overview").await.owner(),
        Some(OWNER_ALICE)
    );

    // alice hands SOC overview to bob: bob may now edit it and alice may not, nor take it back.
    expect(
        change_owner(&t, &u.alice, &["soc-overview"], OWNER_BOB).await,
        StatusCode::OK,
    );
    let soc = fetch_dashboard(&t, &u.bob, "soc-overview").await;
    assert_eq!(soc.owner(), Some(OWNER_BOB));
    assert!(soc.is_write_restricted());
    expect(
        update(&t, &u.bob, "soc-overview", titled("SOC overview (bob)")).await,
        StatusCode::OK,
    );
    expect(
        update(&t, &u.alice, "soc-overview", titled("mine again")).await,
        StatusCode::FORBIDDEN,
    );
    expect(
        change_owner(&t, &u.alice, &["soc-overview"], OWNER_ALICE).await,
        StatusCode::FORBIDDEN,
    );
    // The admin can give it back.
    expect(
        change_owner(&t, &u.elastic, &["soc-overview"], OWNER_ALICE).await,
        StatusCode::OK,
    );
    assert_eq!(
        fetch_dashboard(&t, &u.bob, "soc-overview").await.owner(),
        Some(OWNER_ALICE)
    );
}

#[tokio::test]
async fn forged_owners_and_access_control_in_bodies_are_ignored() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let forged_meta = json!({"owner": OWNER_ALICE, "created_by": OWNER_ALICE, "version": "99"});
    let forged_ac = json!({"owner": OWNER_ALICE, "accessMode": "default"});
    let body = expect(post(&t, &u.bob, "/api/dashboards", json!({
            "data": {"title": "Bob's", "access_control": {"access_mode": "write_restricted", "owner": OWNER_ALICE}},
            "accessControl": forged_ac,
            "meta": forged_meta,
            "owner": OWNER_ALICE,
        }))
    .await, StatusCode::OK);
    let made: Dashboard = serde_json::from_value(body).unwrap();
    assert_eq!(made.owner(), Some(OWNER_BOB));
    assert_eq!(made.meta.created_by.as_deref(), Some(OWNER_BOB));
    assert!(made.is_write_restricted());
    assert_eq!(made.version(), Some("1"));
    // alice cannot edit it: the forged owner did not stick.
    expect(
        update(&t, &u.alice, &made.id, titled("x")).await,
        StatusCode::FORBIDDEN,
    );

    // An update cannot change owner or mode, whatever it carries.
    let body = expect(update(
        &t,
        &u.bob,
        "endpoint-health",
        json!({
            "data": {"title": "Endpoint health (bob)", "access_control": {"access_mode": "write_restricted", "owner": OWNER_BOB}},
            "accessControl": {"owner": OWNER_BOB, "accessMode": "write_restricted"},
            "meta": {"owner": OWNER_BOB},
            "version": "1",
        }),
    )
    .await, StatusCode::OK);
    let endpoint: Dashboard = serde_json::from_value(body).unwrap();
    assert_eq!(endpoint.data.title, "Endpoint health (bob)");
    assert_eq!(endpoint.owner(), Some(OWNER_ALICE));
    assert!(!endpoint.is_write_restricted());
    expect(
        change_mode(&t, &u.bob, &["endpoint-health"], RESTRICTED).await,
        StatusCode::FORBIDDEN,
    );

    // Overwrite: a conflict without `overwrite`, an access-control denial for a non-owner, and
    // the owner keeps ownership and mode when she overwrites.
    let body =
        json!({"data": {"title": "Overwritten", "access_control": {"access_mode": "default"}}});
    let answer = expect(
        post(&t, &u.bob, "/api/dashboards/soc-overview", body.clone()).await,
        StatusCode::CONFLICT,
    );
    assert_eq!(
        answer,
        boom(409, "Saved object [dashboard/soc-overview] conflict")
    );
    let answer = expect(
        post(
            &t,
            &u.bob,
            "/api/dashboards/soc-overview?overwrite=true",
            body.clone(),
        )
        .await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        answer,
        boom(
            403,
            "Unable to create dashboard, access control restrictions for dashboard:soc-overview. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user."
        )
    );
    let answer = expect(
        post(
            &t,
            &u.alice,
            "/api/dashboards/soc-overview?overwrite=true",
            body.clone(),
        )
        .await,
        StatusCode::OK,
    );
    let soc: Dashboard = serde_json::from_value(answer).unwrap();
    assert_eq!(soc.data.title, "Overwritten");
    assert!(soc.is_write_restricted());
    assert_eq!(soc.owner(), Some(OWNER_ALICE));
    assert_eq!(soc.version(), Some("2"));
    // A chosen id for a new dashboard: the caller owns it; bad ids are refused.
    let answer = expect(
        post(
            &t,
            &u.bob,
            "/api/dashboards/bobs-board",
            titled("Bob's board"),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(answer["meta"]["owner"], OWNER_BOB);
    assert_eq!(answer["data"]["access_control"]["access_mode"], "default");
    // `_<name>` is a route name, never an id: one this server does not have is Kibana's 404
    // for an unknown route, and nothing is created (docs/saved-objects.md).
    for route in ["_evil", "_bulk_create"] {
        let answer = expect(
            post(&t, &u.bob, &format!("/api/dashboards/{route}"), titled("x")).await,
            StatusCode::NOT_FOUND,
        );
        assert_eq!(answer, boom(404, "Not Found"));
    }
    assert_eq!(
        fetch(&t, &u.bob, "_bulk_create").await.0,
        StatusCode::NOT_FOUND
    );
    // Empty titles and broken panels are refused with the field named.
    expect_message(
        post(&t, &u.bob, "/api/dashboards", titled("  ")).await,
        StatusCode::BAD_REQUEST,
        "[request body.data.title]: a dashboard needs a title",
    );
    expect(
        post(
            &t,
            &u.bob,
            "/api/dashboards",
            json!({"data": {"title": "x", "panels": [{"title": "p", "type": "<img>"}]}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
}

#[tokio::test]
async fn stale_updates_get_409_and_nothing_is_lost() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let alice_copy = fetch_dashboard(&t, &u.alice, "endpoint-health").await;
    let bob_copy = fetch_dashboard(&t, &u.bob, "endpoint-health").await;
    assert_eq!(alice_copy.version(), Some("1"));
    let body = expect(update(
        &t,
        &u.bob,
        "endpoint-health",
        json!({"data": {"title": "Bob's edit", "panels": bob_copy.data.panels}, "version": bob_copy.version()}),
    )
    .await, StatusCode::OK);
    assert_eq!(body["meta"]["version"], "2");
    assert_eq!(body["meta"]["updated_by"], OWNER_BOB);
    let body = expect(
        update(
            &t,
            &u.alice,
            "endpoint-health",
            titled_at("Alice's edit", alice_copy.version()),
        )
        .await,
        StatusCode::CONFLICT,
    );
    assert_eq!(body, boom(409, messages::VERSION_CONFLICT));
    let now = fetch_dashboard(&t, &u.alice, "endpoint-health").await;
    assert_eq!(now.data.title, "Bob's edit");
    assert_eq!(now.data.panels.len(), 3);
    expect(
        update(
            &t,
            &u.alice,
            "endpoint-health",
            titled_at("Alice's edit", "2"),
        )
        .await,
        StatusCode::OK,
    );
    // A mode change bumps the version too.
    expect(
        change_mode(&t, &u.alice, &["endpoint-health"], RESTRICTED).await,
        StatusCode::OK,
    );
    expect(
        update(&t, &u.alice, "endpoint-health", titled_at("late", "3")).await,
        StatusCode::CONFLICT,
    );
    assert_eq!(
        fetch_dashboard(&t, &u.alice, "endpoint-health")
            .await
            .version(),
        Some("4")
    );
    let body = expect(
        update(&t, &u.alice, "endpoint-health", titled_at("x", "WzEsMV0=")).await,
        StatusCode::BAD_REQUEST,
    );
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("[request body.version]"));
    expect(
        update(&t, &u.alice, "ghost", titled_at("x", "1")).await,
        StatusCode::NOT_FOUND,
    );
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
    let u = sign_in(&t).await;
    let (s1, _) = change_mode(&t, &u.alice, &["endpoint-health"], RESTRICTED).await;
    let (s2, _) = change_mode(
        &t,
        &u.bob,
        &["soc-overview", "phishing-triage"],
        UNRESTRICTED,
    )
    .await;
    let (s3, _) = change_owner(&t, &u.alice, &["soc-overview"], "nobody").await;
    let (s4, _) = change_owner(&t, &u.alice, &["soc-overview"], OWNER_BOB).await;
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
                "SELECT action, outcome, username, object_ids, details, message, ts_ms FROM audit_log
                 WHERE action NOT IN ('user_login', 'user_logout') ORDER BY id",
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
        // Sign-ins are recorded too (docs/audit-log.md).
        .filter(|line: &Value| line["event"]["action"] != "user_login")
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
        fetch_dashboard(&t, &u.bob, "phishing-triage")
            .await
            .access_mode()
            == UNRESTRICTED
    );
}

#[tokio::test]
async fn the_audit_file_defaults_to_the_database_directory() {
    let (t, alice) = TestServer::start_as("alice").await;
    expect(
        change_mode(&t, &alice, &["soc-overview"], UNRESTRICTED).await,
        StatusCode::OK,
    );
    let text = std::fs::read_to_string(t.dir.path().join("audit.log")).expect("audit.log");
    // alice's sign-in, then her change (docs/audit-log.md).
    assert_eq!(text.lines().count(), 2);
    assert!(text.contains("user_login"));
    assert!(text.contains("saved_object_update_objects_access_mode"));
}

#[tokio::test]
async fn who_may_receive_a_dashboard_is_told_only_to_who_may_give_it() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    t.deactivate_user("leads_read_user").await;
    // victor manages no dashboard, bob does not manage alice's: neither learns whether a uid
    // exists or its user is deactivated, whatever uid they send.
    for uid in ["u_ghost_0", "u_leads_read_user_0", OWNER_BOB, "not a uid"] {
        let (status, body) = change_owner(&t, &u.victor, &["soc-overview"], uid).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "victor, {uid}: {body}");
        assert!(!body.to_string().contains("Cannot transfer"), "{body}");
    }
    for uid in ["u_ghost_0", "u_leads_read_user_0", OWNER_BOB] {
        let (status, body) = change_owner(&t, &u.bob, &["soc-overview"], uid).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "bob, {uid}: {body}");
        assert!(!body.to_string().contains("Cannot transfer"), "{body}");
    }
    // The owner is told.
    expect_message(
        change_owner(&t, &u.alice, &["soc-overview"], "u_ghost_0").await,
        StatusCode::BAD_REQUEST,
        "Cannot transfer ownership: no user has the profile ID \"u_ghost_0\".",
    );
    // An id or a uid longer than any is refused with the field, not echoed back.
    let long_id = "a".repeat(129);
    let (status, body) = change_owner(&t, &u.alice, &[long_id.as_str()], OWNER_BOB).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "[request body.objects.0.id]: String must contain at most 128 character(s)"
    );
    let long_uid = format!("u_{}_0", "a".repeat(2_000));
    let (status, body) = change_owner(&t, &u.alice, &["soc-overview"], &long_uid).await;
    assert_eq!(body, boom(400, INVALID_PROFILE_UID), "{status}");
    assert_eq!(
        fetch_dashboard(&t, &u.alice, "soc-overview").await.owner(),
        Some(OWNER_ALICE)
    );
}

//! Write-restricted dashboards over real HTTP: the permission matrix, bulk results and
//! all-or-nothing access-mode changes.

mod common;

use common::dashboards::*;
use common::*;
use gatehouse_api::dashboards::{
    messages, AccessControlResult, BulkResult, Dashboard, DashboardAccessMode,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy)]
enum Op {
    Update,
    Delete,
    ChangeMode,
    ChangeOwner,
}

/// `None` = allowed; otherwise the status and the start of the message.
fn expected(actor: &str, mode: DashboardAccessMode, op: Op) -> Option<(u16, &'static str)> {
    let restricted = mode == DashboardAccessMode::WriteRestricted;
    match op {
        Op::Update => match actor {
            "victor" => Some((403, messages::UNABLE_TO_UPDATE)),
            "bob" if restricted => Some((403, messages::UNABLE_TO_UPDATE)),
            _ => None,
        },
        Op::Delete => match actor {
            "victor" => Some((403, messages::UNABLE_TO_DELETE)),
            "bob" if restricted => Some((403, messages::UNABLE_TO_DELETE)),
            _ => None,
        },
        Op::ChangeMode | Op::ChangeOwner => match actor {
            "alice" | "elastic" => None,
            _ => Some((403, messages::ACCESS_DENIED_PREFIX)),
        },
    }
}

#[tokio::test]
async fn permission_matrix_for_single_operations() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    for mode in [
        DashboardAccessMode::Default,
        DashboardAccessMode::WriteRestricted,
    ] {
        for actor in ["alice", "bob", "elastic", "victor"] {
            for op in [Op::Update, Op::Delete, Op::ChangeMode, Op::ChangeOwner] {
                let case = format!("{actor} {op:?} on alice's {mode:?} dashboard");
                let d = create(&t, &u.alice, &case, mode).await;
                let session = u.by_name(actor);
                let new_owner = if actor == "bob" || actor == "victor" {
                    // An attacker tries to claim the dashboard.
                    format!("u_{actor}_0")
                } else {
                    OWNER_BOB.to_string()
                };
                let (status, body) = match op {
                    Op::Update => {
                        update(&t, session, &d.id, titled_at("changed", d.version())).await
                    }
                    Op::Delete => delete(&t, session, &format!("/api/dashboards/{}", d.id)).await,
                    Op::ChangeMode => change_mode(&t, session, &[&d.id], flip(mode)).await,
                    Op::ChangeOwner => change_owner(&t, session, &[&d.id], &new_owner).await,
                };
                let after = fetch(&t, &u.elastic, &d.id).await;
                match expected(actor, mode, op) {
                    None => {
                        assert_eq!(status, StatusCode::OK, "{case}: {body}");
                        match op {
                            Op::Update => {
                                assert_eq!(after.1["data"]["title"], "changed", "{case}");
                                assert_eq!(after.1["meta"]["version"], "2", "{case}");
                                assert_eq!(after.1["meta"]["owner"], OWNER_ALICE, "{case}");
                            }
                            Op::Delete => {
                                assert_eq!(body, json!({}), "{case}");
                                assert_eq!(after.0, StatusCode::NOT_FOUND, "{case}");
                            }
                            Op::ChangeMode => {
                                let result: AccessControlResult =
                                    serde_json::from_value(body).unwrap();
                                assert_eq!(result.errors().count(), 0);
                                assert_eq!(result.result.objects[0].id, d.id);
                                let now: Dashboard = serde_json::from_value(after.1).unwrap();
                                assert_eq!(now.access_mode(), flip(mode), "{case}");
                                assert_eq!(now.owner(), Some(OWNER_ALICE), "{case}");
                            }
                            Op::ChangeOwner => {
                                let now: Dashboard = serde_json::from_value(after.1).unwrap();
                                assert_eq!(now.owner(), Some(new_owner.as_str()), "{case}");
                                assert_eq!(now.access_mode(), mode, "{case}");
                            }
                        }
                    }
                    Some((code, message)) => {
                        assert_eq!(status.as_u16(), code, "{case}: {body}");
                        assert_eq!(body["statusCode"], code, "{case}");
                        assert_eq!(body["error"], "Forbidden", "{case}");
                        let text = body["message"].as_str().unwrap();
                        assert!(text.starts_with(message), "{case}: {text}");
                        // Nothing changed.
                        assert_eq!(after.0, StatusCode::OK, "{case}");
                        let now: Dashboard = serde_json::from_value(after.1).unwrap();
                        assert_eq!(now.version(), Some("1"), "{case}");
                        assert_eq!(now.owner(), Some(OWNER_ALICE), "{case}");
                        assert_eq!(now.access_mode(), mode, "{case}");
                        assert_eq!(now.data.title, case);
                    }
                }
            }
        }
    }
    // Kibana 9.4's single-op messages: an access-control denial names the object and the
    // privilege it needs.
    let body = expect(
        update(&t, &u.bob, "soc-overview", titled("mine now")).await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        body,
        boom(
            403,
            "Unable to update dashboard, access control restrictions for dashboard:soc-overview. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user."
        )
    );
    let (_, body) = delete(&t, &u.bob, "/api/dashboards/soc-overview").await;
    assert_eq!(
        body,
        boom(
            403,
            "Unable to delete dashboard, access control restrictions for dashboard:soc-overview. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user."
        )
    );
    let (_, body) = change_mode(&t, &u.bob, &["soc-overview"], UNRESTRICTED).await;
    assert_eq!(
        body["message"],
        "Access denied: Unable to manage access control for objects dashboard:soc-overview. Only their owner or a user with the \"manage_access_control\" privilege can change their access mode."
    );
    // A viewer cannot create.
    let body = expect(
        post(&t, &u.victor, "/api/dashboards", titled("x")).await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(body, boom(403, "Unable to create dashboard"));
}

/// A bulk update of `objects` (each `{"id", "data", "version"?}`) as `s`.
async fn bulk_update(t: &TestServer, s: &Session, objects: Value) -> (StatusCode, Value) {
    post(
        t,
        s,
        "/api/dashboards/_bulk_update",
        json!({ "objects": objects }),
    )
    .await
}

/// A bulk delete of the dashboards `ids` as `s`.
async fn bulk_delete(t: &TestServer, s: &Session, ids: &[&str]) -> (StatusCode, Value) {
    let objects: Vec<Value> = ids
        .iter()
        .map(|id| json!({"type": "dashboard", "id": id}))
        .collect();
    post(
        t,
        s,
        "/api/dashboards/_bulk_delete",
        json!({ "objects": objects }),
    )
    .await
}

#[tokio::test]
async fn bulk_operations_report_per_object_results() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let restricted = create(&t, &u.alice, "A restricted", RESTRICTED).await;
    let open = create(&t, &u.alice, "B open", UNRESTRICTED).await;
    let bobs = create(&t, &u.bob, "C bob's", RESTRICTED).await;
    let item = |id: &str, title: &str| json!({"id": id, "data": {"title": title}});

    let body = expect(
        bulk_update(
            &t,
            &u.bob,
            json!([
                item(&restricted.id, "bob was here"),
                item(&open.id, "B by bob"),
                item(&bobs.id, "C by bob"),
                item("missing", "x"),
            ]),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(
        body["objects"][0],
        json!({"id": restricted.id, "type": "dashboard", "error": boom(403, messages::BULK_FORBIDDEN)})
    );
    assert_eq!(
        body["objects"][0]["error"]["message"],
        "Updating objects in \"write_restricted\" mode that are owned by another user requires the \"manage_access_control\" privilege."
    );
    assert_eq!(
        body["objects"][1],
        json!({"id": open.id, "type": "dashboard"})
    );
    assert_eq!(
        body["objects"][2],
        json!({"id": bobs.id, "type": "dashboard"})
    );
    assert_eq!(body["objects"][3]["error"]["statusCode"], 404);
    assert_eq!(
        fetch_dashboard(&t, &u.bob, &restricted.id).await.data.title,
        "A restricted"
    );
    assert_eq!(
        fetch_dashboard(&t, &u.bob, &open.id).await.data.title,
        "B by bob"
    );

    // Every object blocked → the whole request is a 403 listing them, and nothing changes.
    let body = expect(
        bulk_update(&t, &u.bob, json!([item(&restricted.id, "again")])).await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        body,
        boom(
            403,
            &format!("Unable to bulk_update dashboard. Access control restrictions for objects: dashboard:{}. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user.", restricted.id)
        )
    );
    let body = expect(
        bulk_delete(&t, &u.alice, &[&bobs.id]).await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        body["message"],
        format!("Unable to bulk_delete dashboard. Access control restrictions for objects: dashboard:{}. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user.", bobs.id)
    );

    // Mixed delete: alice's restricted one stays, the open one goes.
    let body = expect(
        bulk_delete(&t, &u.bob, &[&restricted.id, &open.id]).await,
        StatusCode::OK,
    );
    let result: BulkResult = serde_json::from_value(body).unwrap();
    assert_eq!(
        result.objects[0].error.as_ref().unwrap().message,
        "Deleting objects in \"write_restricted\" mode that are owned by another user requires the \"manage_access_control\" privilege."
    );
    assert_eq!(result.objects[0].error.as_ref().unwrap().status_code, 403);
    assert!(result.objects[1].error.is_none());
    assert_eq!(fetch(&t, &u.bob, &open.id).await.0, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&t, &u.bob, &restricted.id).await.0, StatusCode::OK);

    // The owner and the admin pass; the viewer lacks the type privilege.
    expect(
        bulk_update(&t, &u.alice, json!([item(&restricted.id, "A by alice")])).await,
        StatusCode::OK,
    );
    let body = expect(
        bulk_delete(&t, &u.elastic, &[&restricted.id, &bobs.id]).await,
        StatusCode::OK,
    );
    assert_eq!(
        serde_json::from_value::<BulkResult>(body)
            .unwrap()
            .objects
            .iter()
            .filter(|o| o.error.is_some())
            .count(),
        0
    );
    let body = expect(
        bulk_update(&t, &u.victor, json!([item("soc-overview", "x")])).await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(body, boom(403, "Unable to bulk_update dashboard"));
    expect(
        bulk_update(&t, &u.alice, json!([])).await,
        StatusCode::BAD_REQUEST,
    );
    // A stale version in a bulk update is a per-object 409.
    let body = expect(
        bulk_update(
            &t,
            &u.alice,
            json!([
                {"id": "endpoint-health", "data": {"title": "E"}, "version": "7"},
                {"id": "soc-overview", "data": {"title": "S"}, "version": "1"},
            ]),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(body["objects"][0]["error"]["statusCode"], 409);
    assert!(body["objects"][1].get("error").is_none());
}

#[tokio::test]
async fn access_control_changes_are_all_or_nothing() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    // bob owns phishing-triage but not soc-overview: neither changes.
    let (status, body) =
        change_mode(&t, &u.bob, &["phishing-triage", "soc-overview"], RESTRICTED).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().starts_with(
        "Access denied: Unable to manage access control for objects dashboard:soc-overview."
    ));
    assert!(!fetch_dashboard(&t, &u.bob, "phishing-triage")
        .await
        .is_write_restricted());
    // An unknown object fails the whole request too.
    let body = expect(
        change_mode(&t, &u.bob, &["phishing-triage", "ghost"], RESTRICTED).await,
        StatusCode::NOT_FOUND,
    );
    assert_eq!(body, boom(404, "Saved object [dashboard/ghost] not found"));
    assert!(!fetch_dashboard(&t, &u.bob, "phishing-triage")
        .await
        .is_write_restricted());
    // Only dashboards support access control here.
    expect(
        post(
            &t,
            &u.elastic,
            "/internal/access_control/change_access_mode",
            json!({"objects": [{"type": "index-pattern", "id": "x"}], "accessMode": "default"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    expect(post(
        &t,
        &u.elastic,
        "/internal/access_control/change_access_mode",
        json!({"objects": [{"type": "dashboard", "id": "soc-overview"}], "accessMode": "private"}),
    )
    .await, StatusCode::BAD_REQUEST);

    // The admin changes both at once.
    let body = expect(
        change_mode(
            &t,
            &u.elastic,
            &["phishing-triage", "soc-overview"],
            RESTRICTED,
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(
        body,
        json!({"result": {"objects": [
            {"id": "phishing-triage", "type": "dashboard"},
            {"id": "soc-overview", "type": "dashboard"}
        ]}})
    );
    let triage = fetch_dashboard(&t, &u.bob, "phishing-triage").await;
    assert!(triage.is_write_restricted());
    assert_eq!(
        triage.owner(),
        Some(OWNER_BOB),
        "the admin does not become owner"
    );
    assert_eq!(triage.version(), Some("2"));

    // An object without access control: the viewer cannot claim it, an editor can.
    expect(
        change_mode(&t, &u.victor, &["network-traffic-legacy"], RESTRICTED).await,
        StatusCode::FORBIDDEN,
    );
    expect(
        change_mode(&t, &u.bob, &["network-traffic-legacy"], RESTRICTED).await,
        StatusCode::OK,
    );
    let legacy = fetch_dashboard(&t, &u.alice, "network-traffic-legacy").await;
    assert_eq!(legacy.owner(), Some(OWNER_BOB));
    assert!(legacy.is_write_restricted());
    expect(
        update(
            &t,
            &u.alice,
            "network-traffic-legacy",
            titled("alice's now"),
        )
        .await,
        StatusCode::FORBIDDEN,
    );

    // global_access / is_enabled.
    for (session, admin) in [
        (&u.elastic, true),
        (&u.alice, false),
        (&u.bob, false),
        (&u.victor, false),
    ] {
        let body = expect(
            get(
                &t,
                session,
                "/internal/access_control/global_access/dashboard",
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(body, json!({"isGloballyAuthorized": admin}));
        let (_, body) = get(&t, session, "/internal/access_control/is_enabled").await;
        assert_eq!(body, json!({"isAccessControlEnabled": true}));
    }
    // kibana_admin is `all` on every space: an admin too.
    let full = t.login("leads_full_user").await;
    let (_, body) = get(
        &t,
        &full,
        "/internal/access_control/global_access/dashboard",
    )
    .await;
    assert_eq!(body["isGloballyAuthorized"], true);
    // Internal routes keep Kibana's header rule.
    expect(
        send_json(
            t.http
                .get(t.url("/internal/access_control/is_enabled"))
                .header("cookie", &u.bob.cookie),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    expect(
        send_json(request(
            &t,
            None,
            Method::GET,
            "/internal/access_control/is_enabled",
        ))
        .await,
        StatusCode::UNAUTHORIZED,
    );
}

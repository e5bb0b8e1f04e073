//! The saved-objects API for dashboards over real HTTP (docs/saved-objects.md): export and import
//! between spaces with the owner and mode each case gives, new copies, overwrites that access
//! control allows and refuses (re-reading every refused object), keeping access control, bad
//! files, retries, the bulk routes, find and upsert, and one audit row per object.

mod common;

use common::dashboards::{boom, fetch_dashboard, sign_in, OWNER_ALICE, OWNER_BOB};
use common::*;
use gatehouse_api::dashboards::{Dashboard, DashboardAccessMode};
use gatehouse_api::saved_objects::{
    messages, multipart_body, multipart_content_type, ImportResponse, ResetReason, MAX_IMPORT_BYTES,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const EMEA: &str = "soc-emea";
const BOUNDARY: &str = "gatehouse-test-boundary";

/// A request with the headers a Kibana client sends to `/api/saved_objects/*`.
fn so_request(t: &TestServer, s: &Session, method: Method, path: &str) -> reqwest::RequestBuilder {
    t.http
        .request(method, t.url(path))
        .header("kbn-xsrf", "true")
        .header("cookie", &s.cookie)
}

async fn json_answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let text = response.text().await.expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn export(t: &TestServer, s: &Session, prefix: &str, body: Value) -> (StatusCode, String) {
    let response = so_request(
        t,
        s,
        Method::POST,
        &format!("{prefix}/api/saved_objects/_export"),
    )
    .json(&body)
    .send()
    .await
    .expect("export answers");
    let status = response.status();
    if status == StatusCode::OK {
        assert_eq!(content_type(&response), "application/x-ndjson");
    }
    (status, response.text().await.expect("a body"))
}

/// `_import` of `file` at `path` (with its query).
async fn import(t: &TestServer, s: &Session, path: &str, file: &[u8]) -> (StatusCode, Value) {
    json_answer(
        so_request(t, s, Method::POST, path)
            .header("content-type", multipart_content_type(BOUNDARY))
            .body(multipart_body(BOUNDARY, file, None)),
    )
    .await
}

async fn resolve(t: &TestServer, s: &Session, file: &[u8], retries: Value) -> (StatusCode, Value) {
    json_answer(
        so_request(
            t,
            s,
            Method::POST,
            "/api/saved_objects/_resolve_import_errors",
        )
        .header("content-type", multipart_content_type(BOUNDARY))
        .body(multipart_body(BOUNDARY, file, Some(&retries.to_string()))),
    )
    .await
}

fn import_answer(answer: (StatusCode, Value)) -> ImportResponse {
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    serde_json::from_value(answer.1).expect("an import response")
}

/// The dashboard `id` of `space` as `s` reads it, if it is there.
async fn dashboard_in(t: &TestServer, s: &Session, space: &str, id: &str) -> Option<Dashboard> {
    let prefix = if space == "default" {
        String::new()
    } else {
        format!("/s/{space}")
    };
    let (status, body) =
        common::dashboards::get(t, s, &format!("{prefix}/api/dashboards/{id}")).await;
    match status {
        StatusCode::OK => Some(serde_json::from_value(body).expect("a dashboard")),
        StatusCode::NOT_FOUND => None,
        other => panic!("reading {space}/{id}: {other} {body}"),
    }
}

fn dashboard_count(t: &TestServer) -> i64 {
    t.db_value("SELECT COUNT(*) FROM dashboards")
}

/// Audit rows of `action` with `outcome` naming `id`.
fn audit_rows(t: &TestServer, action: &str, outcome: &str, id: &str) -> i64 {
    t.db_value(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND outcome = '{outcome}'
         AND EXISTS (SELECT 1 FROM json_each(object_ids) WHERE value = '{id}')"
    ))
}

/// One exported line.
fn line(id: &str, title: &str, access: Option<(&str, &str)>) -> Value {
    let mut line = json!({
        "id": id, "type": "dashboard",
        "attributes": {"title": title, "description": "", "panelsJSON": "[]"},
        "references": []
    });
    if let Some((owner, mode)) = access {
        line["accessControl"] = json!({"owner": owner, "accessMode": mode});
    }
    line
}

fn ndjson(lines: &[Value]) -> Vec<u8> {
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    text.join("\n").into_bytes()
}

/// carol: dashboards `all` in both spaces, not an admin of either.
async fn carol(t: &TestServer, elastic: &Session) -> (Session, String) {
    let role = json!({"kibana": [{"base": [], "feature": {"dashboard": ["all"]}, "spaces": ["default", EMEA]}]});
    let carol = t.user_with_role(elastic, "carol", role).await;
    let (status, profile) = t.get_json(&carol, "/internal/security/user_profile").await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    let uid = profile["uid"].as_str().expect("a uid").to_string();
    (carol, uid)
}

fn owner_and_mode(d: &Dashboard) -> (Option<&str>, DashboardAccessMode) {
    (d.owner(), d.access_mode())
}

#[tokio::test]
async fn export_then_import_into_another_space_gives_the_owner_and_mode_each_case_says() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let (carol, carol_uid) = carol(&t, &u.elastic).await;
    let objects = json!({"objects": [{"type": "dashboard", "id": "soc-overview"}, {"type": "dashboard", "id": "phishing-triage"}]});
    let (status, file) = export(&t, &u.elastic, "", objects).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    let lines: Vec<Value> = file
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0]["accessControl"],
        json!({"owner": OWNER_ALICE, "accessMode": "write_restricted"})
    );
    assert_eq!(
        lines[1]["accessControl"],
        json!({"owner": OWNER_BOB, "accessMode": "default"})
    );
    assert_eq!(lines[2]["exportedCount"], 2);
    assert_eq!(lines[2]["missingRefCount"], 0);

    // carol may write dashboards in soc-emea, but does not manage access control there: the
    // imports are hers, mode `default`, and the answer says which lost what, and why.
    let answer = import_answer(
        import(
            &t,
            &carol,
            &format!("/s/{EMEA}/api/saved_objects/_import"),
            file.as_bytes(),
        )
        .await,
    );
    assert!(answer.success);
    assert_eq!(answer.success_count, 2);
    for id in ["soc-overview", "phishing-triage"] {
        let here = dashboard_in(&t, &carol, EMEA, id).await.expect("imported");
        assert_eq!(
            owner_and_mode(&here),
            (Some(carol_uid.as_str()), DashboardAccessMode::Default),
            "{id}"
        );
        assert_eq!(
            audit_rows(&t, "saved_object_create", "success", id),
            1,
            "{id}"
        );
    }
    let soc = answer
        .access_control_reset
        .iter()
        .find(|r| r.id == "soc-overview")
        .expect("named");
    assert_eq!(
        (soc.previous_owner.as_str(), soc.reason),
        (OWNER_ALICE, ResetReason::ImporterOwnsImports)
    );
    assert!(soc.lost_protection());
    assert_eq!(soc.message, ResetReason::ImporterOwnsImports.sentence());
    // The originals in the default space are as they were.
    let original = fetch_dashboard(&t, &u.alice, "soc-overview").await;
    assert_eq!(
        owner_and_mode(&original),
        (Some(OWNER_ALICE), DashboardAccessMode::WriteRestricted)
    );

    // Asking to keep owner and mode without the privilege is ignored, and said so.
    let answer = import_answer(
        import(
            &t,
            &carol,
            &format!("/s/{EMEA}/api/saved_objects/_import?overwrite=true&keepAccessControl=true"),
            file.as_bytes(),
        )
        .await,
    );
    assert!(answer
        .access_control_reset
        .iter()
        .all(|r| r.reason == ResetReason::KeepNotPermitted
            || r.reason == ResetReason::DestinationKept));

    // An admin keeps them: the dashboard opens in soc-emea as alice's, write-restricted.
    let answer = import_answer(
        import(
            &t,
            &u.elastic,
            &format!("/s/{EMEA}/api/saved_objects/_import?overwrite=true&keepAccessControl=true"),
            file.as_bytes(),
        )
        .await,
    );
    assert!(
        answer.success && answer.access_control_reset.is_empty(),
        "{answer:?}"
    );
    let kept = dashboard_in(&t, &u.elastic, EMEA, "soc-overview")
        .await
        .expect("there");
    assert_eq!(
        owner_and_mode(&kept),
        (Some(OWNER_ALICE), DashboardAccessMode::WriteRestricted)
    );
    // Now carol may no longer overwrite it: the refusal leaves it as it is.
    let (status, body) = import(
        &t,
        &carol,
        &format!("/s/{EMEA}/api/saved_objects/_import?overwrite=true"),
        &ndjson(&[line("soc-overview", "carol's now", None)]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let after = dashboard_in(&t, &u.elastic, EMEA, "soc-overview")
        .await
        .expect("there");
    assert_eq!(after, kept);
}

#[tokio::test]
async fn new_copies_get_new_ids_and_belong_to_the_importer() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let before = fetch_dashboard(&t, &u.alice, "soc-overview").await;
    let (_, file) = export(
        &t,
        &u.bob,
        "",
        json!({"objects": [{"type": "dashboard", "id": "soc-overview"}]}),
    )
    .await;
    let answer = import_answer(
        import(
            &t,
            &u.bob,
            "/api/saved_objects/_import?createNewCopies=true",
            file.as_bytes(),
        )
        .await,
    );
    assert!(answer.success);
    let copy = &answer.success_results[0];
    assert_eq!(copy.id, "soc-overview");
    assert_eq!(copy.create_new_copy, Some(true));
    let new_id = copy.destination_id.clone().expect("a new id");
    assert_ne!(new_id, "soc-overview");
    let written = fetch_dashboard(&t, &u.bob, &new_id).await;
    assert_eq!(
        owner_and_mode(&written),
        (Some(OWNER_BOB), DashboardAccessMode::Default)
    );
    assert_eq!(written.data.title, before.data.title);
    assert_eq!(answer.access_control_reset[0].reason, ResetReason::NewCopy);
    assert_eq!(answer.access_control_reset[0].id, new_id);
    assert_eq!(fetch_dashboard(&t, &u.alice, "soc-overview").await, before);
    // overwrite and createNewCopies together are refused.
    let (status, body) = import(
        &t,
        &u.bob,
        "/api/saved_objects/_import?createNewCopies=true&overwrite=true",
        file.as_bytes(),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            boom(400, messages::NEW_COPIES_AND_OVERWRITE)
        )
    );
}

#[tokio::test]
async fn overwrite_is_per_object_and_a_refused_one_stays_untouched() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let alices = fetch_dashboard(&t, &u.alice, "soc-overview").await;
    let file = ndjson(&[
        line(
            "phishing-triage",
            "Phishing, re-imported",
            Some((OWNER_ALICE, "write_restricted")),
        ),
        line("soc-overview", "bob was here", Some((OWNER_BOB, "default"))),
    ]);
    // Without overwrite both are conflicts, and nothing is written.
    let answer = import_answer(import(&t, &u.bob, "/api/saved_objects/_import", &file).await);
    assert!(!answer.success && answer.success_count == 0);
    assert!(answer.errors.iter().all(|e| e.error.is_conflict()));
    // With overwrite, bob's own is overwritten (it stays his, as it was); alice's write-restricted
    // one is refused for that object only.
    let answer = import_answer(
        import(
            &t,
            &u.bob,
            "/api/saved_objects/_import?overwrite=true",
            &file,
        )
        .await,
    );
    assert!(!answer.success);
    assert_eq!(answer.success_results[0].id, "phishing-triage");
    assert_eq!(answer.success_results[0].overwrite, Some(true));
    let mine = fetch_dashboard(&t, &u.bob, "phishing-triage").await;
    assert_eq!(mine.data.title, "Phishing, re-imported");
    assert_eq!(
        owner_and_mode(&mine),
        (Some(OWNER_BOB), DashboardAccessMode::Default)
    );
    assert_eq!(
        answer.access_control_reset[0].reason,
        ResetReason::DestinationKept
    );
    let refused = &answer.errors[0];
    assert_eq!(refused.id, "soc-overview");
    assert!(refused.error.is_access_control_denial());
    assert_eq!(
        refused.error.describe(),
        messages::CREATING_OBJECTS_FORBIDDEN
    );
    assert_eq!(fetch_dashboard(&t, &u.alice, "soc-overview").await, alices);
    assert_eq!(
        audit_rows(&t, "saved_object_create", "failure", "soc-overview"),
        1
    );
    // An admin may overwrite it; it keeps alice as owner and its mode.
    let answer = import_answer(
        import(
            &t,
            &u.elastic,
            "/api/saved_objects/_import?overwrite=true",
            &file,
        )
        .await,
    );
    assert!(answer.success);
    let now = fetch_dashboard(&t, &u.alice, "soc-overview").await;
    assert_eq!(now.data.title, "bob was here");
    assert_eq!(
        owner_and_mode(&now),
        (Some(OWNER_ALICE), DashboardAccessMode::WriteRestricted)
    );
}

#[tokio::test]
async fn an_import_blocked_for_every_object_is_a_403_listing_them_and_writes_nothing() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let second = common::dashboards::create(
        &t,
        &u.alice,
        "Alice's second",
        DashboardAccessMode::WriteRestricted,
    )
    .await;
    let before = [
        fetch_dashboard(&t, &u.alice, "soc-overview").await,
        fetch_dashboard(&t, &u.alice, &second.id).await,
    ];
    let file = ndjson(&[line("soc-overview", "x", None), line(&second.id, "y", None)]);
    let (status, body) = import(
        &t,
        &u.bob,
        "/api/saved_objects/_import?overwrite=true",
        &file,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        boom(403, &format!("Unable to bulk_create dashboard. Access control restrictions for objects: dashboard:soc-overview, dashboard:{}. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user.", second.id))
    );
    assert_eq!(
        fetch_dashboard(&t, &u.alice, "soc-overview").await,
        before[0]
    );
    assert_eq!(fetch_dashboard(&t, &u.alice, &second.id).await, before[1]);
    assert_eq!(
        audit_rows(&t, "saved_object_create", "failure", &second.id),
        1
    );
    assert_eq!(
        audit_rows(&t, "saved_object_create", "success", &second.id),
        0
    );
}

#[tokio::test]
async fn an_admin_keeps_owner_and_mode_but_never_for_an_owner_nobody_here_has() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let file = ndjson(&[
        line(
            "kept-board",
            "Kept",
            Some((OWNER_ALICE, "write_restricted")),
        ),
        line(
            "stranger-board",
            "Stranger's",
            Some(("u_stranger_0", "write_restricted")),
        ),
    ]);
    let answer = import_answer(
        import(
            &t,
            &u.elastic,
            "/api/saved_objects/_import?keepAccessControl=true",
            &file,
        )
        .await,
    );
    assert!(!answer.success);
    let kept = fetch_dashboard(&t, &u.alice, "kept-board").await;
    assert_eq!(
        owner_and_mode(&kept),
        (Some(OWNER_ALICE), DashboardAccessMode::WriteRestricted)
    );
    assert_eq!(answer.errors.len(), 1);
    let error = serde_json::to_value(&answer.errors[0].error).expect("serializes");
    assert_eq!(error["type"], "unknown_owner");
    assert_eq!(error["owner"], "u_stranger_0");
    assert!(error["message"]
        .as_str()
        .unwrap_or_default()
        .contains("u_stranger_0"));
    assert!(dashboard_in(&t, &u.elastic, "default", "stranger-board")
        .await
        .is_none());
    assert_eq!(
        audit_rows(&t, "saved_object_create", "failure", "stranger-board"),
        1
    );
}

#[tokio::test]
async fn bad_files_are_clear_errors_and_write_nothing() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let count = dashboard_count(&t);
    let good = line("fresh-board", "Fresh", None).to_string();
    let cut = &good[..good.len() / 2];
    let path = "/api/saved_objects/_import";
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("not ndjson", b"<html><body>a web page</body></html>".to_vec(), messages::NOT_NDJSON.to_string()),
        ("truncated", format!("{good}\n{cut}").into_bytes(), "Line 2 ends before its object does: the file looks truncated. Export the objects again.".into()),
        ("duplicates", format!("{good}\n{good}").into_bytes(), "Non-unique import objects detected: [dashboard:fresh-board] is on lines 1, 2.".into()),
        ("empty", b"\n".to_vec(), messages::EMPTY_FILE.into()),
    ];
    for (case, file, message) in cases {
        let (status, body) = import(&t, &u.bob, path, &file).await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, boom(400, &message)),
            "{case}"
        );
        assert_eq!(dashboard_count(&t), count, "{case}");
    }
    // Not multipart at all.
    let (status, body) =
        json_answer(so_request(&t, &u.bob, Method::POST, path).json(&json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("multipart/form-data"),
        "{body}"
    );
    // 50 MB: refused before it is read.
    let huge = vec![b'x'; 50 * 1024 * 1024];
    let (status, body) = import(&t, &u.bob, path, &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        body["message"],
        format!("Payload content length greater than maximum allowed: {MAX_IMPORT_BYTES}")
    );
    assert_eq!(dashboard_count(&t), count);

    // An unknown type and a missing reference are errors of those objects; the others import.
    let mut referencing = line("refers-board", "Refers", None);
    referencing["references"] = json!([{"name": "panel_0", "type": "dashboard", "id": "ghost"}]);
    let mut foreign = line("map-1", "A map", None);
    foreign["type"] = json!("map");
    let mut foreign_with_access = line("vis-1", "A vis", Some((OWNER_BOB, "default")));
    foreign_with_access["type"] = json!("visualization");
    let file = ndjson(&[
        referencing.clone(),
        foreign,
        foreign_with_access,
        line("fresh-board", "Fresh", None),
    ]);
    let answer = import_answer(import(&t, &u.bob, path, &file).await);
    assert_eq!(answer.success_count, 1);
    let kinds: Vec<Value> = answer
        .errors
        .iter()
        .map(|e| serde_json::to_value(&e.error).expect("json"))
        .collect();
    assert_eq!(
        kinds[0],
        json!({"type": "missing_references", "references": [{"type": "dashboard", "id": "ghost"}]})
    );
    assert_eq!(kinds[1], json!({"type": "unsupported_type"}));
    assert_eq!(
        kinds[2],
        json!({"type": "unexpected_access_control_metadata"})
    );
    assert!(dashboard_in(&t, &u.bob, "default", "refers-board")
        .await
        .is_none());
    assert!(dashboard_in(&t, &u.bob, "default", "fresh-board")
        .await
        .is_some());

    // A reference to an object of the same file is not missing, and follows it to a new copy.
    let answer = import_answer(
        import(
            &t,
            &u.bob,
            &format!("{path}?createNewCopies=true"),
            &ndjson(&[referencing.clone(), line("ghost", "Ghost", None)]),
        )
        .await,
    );
    assert!(answer.success, "{answer:?}");
    let ghost_copy = answer.success_results[1]
        .destination_id
        .clone()
        .expect("new id");
    let refers_copy = answer.success_results[0]
        .destination_id
        .clone()
        .expect("new id");
    let (status, object) = t
        .get_json(
            &u.bob,
            &format!("/api/saved_objects/dashboard/{refers_copy}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{object}");
    assert_eq!(object["references"][0]["id"], ghost_copy);
}

#[tokio::test]
async fn a_viewer_is_refused_before_the_file_is_read() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let (status, body) = import(
        &t,
        &u.victor,
        "/api/saved_objects/_import",
        b"not even a file",
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            boom(403, "Unable to bulk_create dashboard")
        )
    );
    let (status, body) = json_answer(
        so_request(
            &t,
            &u.victor,
            Method::POST,
            "/api/saved_objects/_bulk_delete",
        )
        .body("]["),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            boom(403, "Unable to bulk_delete dashboard")
        )
    );
    // Reading is allowed.
    let (status, file) = export(&t, &u.victor, "", json!({"type": "dashboard"})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(file.lines().count() > 1);
}

#[tokio::test]
async fn retries_overwrite_rename_and_ignore_missing_references() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let mut referencing = line("refers-board", "Refers", None);
    referencing["references"] = json!([{"name": "panel_0", "type": "dashboard", "id": "ghost"}]);
    let file = ndjson(&[line("phishing-triage", "Phishing v2", None), referencing]);
    let answer = import_answer(import(&t, &u.bob, "/api/saved_objects/_import", &file).await);
    assert_eq!(answer.errors.len(), 2);
    let retries = json!([
        {"type": "dashboard", "id": "phishing-triage", "overwrite": true},
        {"type": "dashboard", "id": "refers-board", "ignoreMissingReferences": true}
    ]);
    let answer = import_answer(resolve(&t, &u.bob, &file, retries).await);
    assert!(answer.success, "{answer:?}");
    assert_eq!(
        fetch_dashboard(&t, &u.bob, "phishing-triage")
            .await
            .data
            .title,
        "Phishing v2"
    );
    assert!(dashboard_in(&t, &u.bob, "default", "refers-board")
        .await
        .is_some());
    // A new destination id writes a copy and leaves the original alone.
    let retries =
        json!([{"type": "dashboard", "id": "phishing-triage", "destinationId": "phishing-copy"}]);
    let answer = import_answer(resolve(&t, &u.bob, &file, retries).await);
    assert_eq!(
        answer.success_results[0].destination_id.as_deref(),
        Some("phishing-copy")
    );
    assert_eq!(
        fetch_dashboard(&t, &u.bob, "phishing-copy").await.owner(),
        Some(OWNER_BOB)
    );
    // Retries need their field.
    let (status, _) = import(
        &t,
        &u.bob,
        "/api/saved_objects/_resolve_import_errors",
        &file,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bulk_routes_apply_access_control_per_object() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let before = fetch_dashboard(&t, &u.alice, "soc-overview").await;
    let create = json!([
        {"type": "dashboard", "id": "soc-overview", "attributes": {"title": "mine"}},
        {"type": "dashboard", "id": "bobs-new", "attributes": {"title": "Bob's new"}, "accessControl": {"accessMode": "write_restricted"}}
    ]);
    let (status, body) = t
        .post_json(
            &u.bob,
            "/api/saved_objects/_bulk_create?overwrite=true",
            create,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["saved_objects"][0]["error"],
        boom(403, messages::CREATING_OBJECTS_FORBIDDEN)
    );
    assert_eq!(
        body["saved_objects"][1]["accessControl"],
        json!({"owner": OWNER_BOB, "accessMode": "write_restricted"})
    );
    assert_eq!(fetch_dashboard(&t, &u.alice, "soc-overview").await, before);
    assert_eq!(
        audit_rows(&t, "saved_object_create", "success", "bobs-new"),
        1
    );
    // Without overwrite an existing id is a conflict.
    let (_, body) = t
        .post_json(
            &u.bob,
            "/api/saved_objects/_bulk_create",
            json!([{"type": "dashboard", "id": "bobs-new", "attributes": {"title": "again"}}]),
        )
        .await;
    assert_eq!(
        body["saved_objects"][0]["error"],
        boom(409, "Saved object [dashboard/bobs-new] conflict")
    );

    let (_, body) = t
        .post_json(
            &u.victor,
            "/api/saved_objects/_bulk_get",
            json!([{"type": "dashboard", "id": "bobs-new"}, {"type": "dashboard", "id": "ghost"}]),
        )
        .await;
    assert_eq!(body["saved_objects"][0]["attributes"]["title"], "Bob's new");
    assert_eq!(
        body["saved_objects"][1]["error"],
        boom(404, "Saved object [dashboard/ghost] not found")
    );

    let update = json!([
        {"type": "dashboard", "id": "soc-overview", "attributes": {"title": "bob's"}},
        {"type": "dashboard", "id": "phishing-triage", "attributes": {"description": "updated in bulk"}}
    ]);
    let (status, body) = t
        .put_json(&u.bob, "/api/saved_objects/_bulk_update", update)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["saved_objects"][0]["error"],
        boom(403, messages::UPDATING_OBJECTS_FORBIDDEN)
    );
    assert_eq!(
        body["saved_objects"][1]["attributes"]["description"],
        "updated in bulk"
    );
    assert_eq!(
        body["saved_objects"][1]["attributes"]["title"],
        "Phishing triage"
    );
    assert_eq!(fetch_dashboard(&t, &u.alice, "soc-overview").await, before);

    let (status, body) = t.post_json(&u.alice, "/api/saved_objects/_bulk_delete", json!([{"type": "dashboard", "id": "bobs-new"}, {"type": "dashboard", "id": "endpoint-health"}])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["statuses"][0]["error"],
        boom(403, messages::DELETING_OBJECTS_FORBIDDEN)
    );
    assert_eq!(
        body["statuses"][1],
        json!({"id": "endpoint-health", "type": "dashboard", "success": true})
    );
    assert!(dashboard_in(&t, &u.bob, "default", "bobs-new")
        .await
        .is_some());
    assert_eq!(
        audit_rows(&t, "saved_object_delete", "success", "endpoint-health"),
        1
    );
    let (status, body) = t
        .post_json(
            &u.alice,
            "/api/saved_objects/_bulk_delete",
            json!([{"type": "dashboard", "id": "bobs-new"}]),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Unable to bulk_delete dashboard. Access control restrictions for objects: dashboard:bobs-new. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user.");
    assert!(dashboard_in(&t, &u.bob, "default", "bobs-new")
        .await
        .is_some());
}

#[tokio::test]
async fn find_upsert_and_single_reads() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let (status, body) = t
        .get_json(
            &u.victor,
            "/api/saved_objects/_find?type=dashboard&search=soc*&perPage=5",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["saved_objects"][0]["id"], "soc-overview");
    assert_eq!(
        body["saved_objects"][0]["accessControl"]["accessMode"],
        "write_restricted"
    );
    assert_eq!(
        (body["page"].clone(), body["per_page"].clone()),
        (json!(1), json!(5))
    );
    let (status, _) = t.get_json(&u.victor, "/api/saved_objects/_find").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Upsert creates a missing object as the caller's, mode default; without it, 404.
    let (status, body) = t
        .put_json(
            &u.bob,
            "/api/saved_objects/dashboard/upserted",
            json!({"attributes": {}, "upsert": {"title": "Upserted"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["accessControl"],
        json!({"owner": OWNER_BOB, "accessMode": "default"})
    );
    let (status, _) = t
        .put_json(
            &u.bob,
            "/api/saved_objects/dashboard/nowhere",
            json!({"attributes": {"title": "x"}}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = t
        .put_json(
            &u.bob,
            "/api/saved_objects/dashboard/upserted",
            json!({"attributes": {"title": "Renamed"}, "upsert": {"title": "ignored"}}),
        )
        .await;
    assert_eq!(
        (status, body["attributes"]["title"].clone()),
        (StatusCode::OK, json!("Renamed"))
    );
    // Another owner's write-restricted one: the single update denial, nothing changed.
    let before = fetch_dashboard(&t, &u.alice, "soc-overview").await;
    let (status, body) = t
        .put_json(
            &u.bob,
            "/api/saved_objects/dashboard/soc-overview",
            json!({"attributes": {"title": "x"}, "upsert": {"title": "x"}}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Unable to update dashboard, access control restrictions for dashboard:soc-overview. The \"manage_access_control\" privilege is required to affect write restricted objects owned by another user.");
    assert_eq!(fetch_dashboard(&t, &u.alice, "soc-overview").await, before);
    let (status, _) = t
        .put_json(
            &u.victor,
            "/api/saved_objects/dashboard/upserted",
            json!({"attributes": {"title": "v"}}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn export_follows_references_deep_and_names_the_missing_ones() {
    let t = TestServer::start().await;
    let u = sign_in(&t).await;
    let mut top = line("top-board", "Top", None);
    top["references"] = json!([{"name": "link", "type": "dashboard", "id": "endpoint-health"}, {"name": "vis", "type": "visualization", "id": "v1"}]);
    let answer =
        import_answer(import(&t, &u.bob, "/api/saved_objects/_import", &ndjson(&[top])).await);
    assert_eq!(answer.errors.len(), 1, "the visualization is not here");
    let retries =
        json!([{"type": "dashboard", "id": "top-board", "ignoreMissingReferences": true}]);
    let mut top = line("top-board", "Top", None);
    top["references"] = json!([{"name": "link", "type": "dashboard", "id": "endpoint-health"}, {"name": "vis", "type": "visualization", "id": "v1"}]);
    import_answer(resolve(&t, &u.bob, &ndjson(&[top]), retries).await);
    let (status, file) = export(&t, &u.bob, "", json!({"objects": [{"type": "dashboard", "id": "top-board"}], "includeReferencesDeep": true})).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    let lines: Vec<Value> = file
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines[0]["id"], "top-board");
    assert_eq!(lines[1]["id"], "endpoint-health");
    assert_eq!(lines[2]["exportedCount"], 2);
    assert_eq!(
        lines[2]["missingReferences"],
        json!([{"type": "visualization", "id": "v1"}])
    );
    let (status, body) = export(
        &t,
        &u.bob,
        "",
        json!({"objects": [{"type": "dashboard", "id": "ghost"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = export(&t, &u.bob, "", json!({"type": "map"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The import of 1,000 dashboards in one file, each write-restricted, with a panel and (but the
/// first) a reference to the previous one: every object written with its audit row. Prints
/// `# saved objects import 1000: … ms` (RELIABILITY.md, BENCHMARKS.md "Saved objects import";
/// run it with `--release` for the figure of the release server).
#[tokio::test]
async fn an_import_of_1000_dashboards_writes_each_with_its_audit_row() {
    let t = TestServer::start().await;
    let elastic = t.login("elastic").await;
    let lines: Vec<Value> = (0..1000)
        .map(|i| {
            let mut object = line(
                &format!("bulk-{i}"),
                &format!("Imported dashboard {i}"),
                Some((OWNER_ALICE, "write_restricted")),
            );
            object["attributes"]["panelsJSON"] =
                json!(r#"[{"id":"notes","title":"Notes","type":"markdown","description":"Imported."}]"#);
            if i > 0 {
                object["references"] =
                    json!([{"name": "previous", "type": "dashboard", "id": format!("bulk-{}", i - 1)}]);
            }
            object
        })
        .collect();
    let file = ndjson(&lines);
    let before = dashboard_count(&t);
    let started = std::time::Instant::now();
    let answer = import_answer(
        import(
            &t,
            &elastic,
            &format!("/s/{EMEA}/api/saved_objects/_import?keepAccessControl=true"),
            &file,
        )
        .await,
    );
    let elapsed = started.elapsed();
    println!(
        "# saved objects import 1000: {} ms ({} bytes, one transaction, {} audit rows)",
        elapsed.as_millis(),
        file.len(),
        answer.success_count
    );
    assert!(
        answer.success && answer.success_count == 1000,
        "{:?}",
        answer.errors.first()
    );
    assert_eq!(dashboard_count(&t), before + 1000);
    let audited: i64 = t.db_value(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'saved_object_create' AND outcome = 'success'",
    );
    assert_eq!(audited, 1000);
    let last = dashboard_in(&t, &elastic, EMEA, "bulk-999")
        .await
        .expect("written");
    assert_eq!(
        owner_and_mode(&last),
        (Some(OWNER_ALICE), DashboardAccessMode::WriteRestricted)
    );
}

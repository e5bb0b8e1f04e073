//! Every change to document permissions and external identities leaves an audit row: who, which
//! source, which document or identity, and the permissions before → after (docs/search.md#audit).

mod common;

use common::search::{create_source, SOURCES};
use common::{expect, send_json, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The search audit rows, oldest first: (action, username, object ids, details).
fn search_audit_rows(t: &TestServer) -> Vec<(String, String, Value, Value)> {
    let db = rusqlite::Connection::open(t.db_path()).expect("db");
    let mut stmt = db
        .prepare(
            "SELECT action, username, object_ids, details FROM audit_log
             WHERE action LIKE 'ws\\_%' ESCAPE '\\' AND outcome = 'success' ORDER BY id",
        )
        .expect("audit query");
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .expect("audit rows");
    rows.map(|row| {
        let (action, username, ids, details) = row.expect("audit row");
        (
            action,
            username,
            serde_json::from_str(&ids).expect("ids are JSON"),
            serde_json::from_str(&details).expect("details are JSON"),
        )
    })
    .collect()
}

#[tokio::test]
async fn permission_changes_are_audited_with_before_and_after() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let (source, _) = create_source(&t, &admin, "Audited").await;
    let documents = format!("{SOURCES}/{source}/documents");
    let identities = format!("{SOURCES}/{source}/external_identities");
    let seeded = search_audit_rows(&t).len();

    // A new document, and an open one.
    expect(
        t.post_json(
            &admin,
            &format!("{documents}/bulk_create"),
            json!([
                {"id": "a", "title": "A", "_allow_permissions": ["ir-team"]},
                {"id": "b", "title": "B"},
                {"id": 3},
            ]),
        )
        .await,
        StatusCode::OK,
    );
    // The same id again: its permissions change.
    expect(
        t.post_json(
            &admin,
            &format!("{documents}/bulk_create"),
            json!([{"id": "a", "title": "A", "_allow_permissions": ["ir-team", "soc"],
                    "_deny_permissions": ["contractors"]}]),
        )
        .await,
        StatusCode::OK,
    );
    // One removed, one that never existed.
    expect(
        t.post_json(
            &admin,
            &format!("{documents}/bulk_destroy"),
            json!(["b", "missing"]),
        )
        .await,
        StatusCode::OK,
    );
    let identity = json!({
        "external_user_id": "ir-lead",
        "external_user_properties": [{"attribute_name": "_elasticsearch_username", "attribute_value": "alice"}],
        "permissions": ["ir-team"],
    });
    expect(
        t.post_json(&admin, &identities, identity).await,
        StatusCode::OK,
    );
    expect(
        send_json(
            t.as_user(&admin, Method::PUT, &format!("{identities}/ir-lead"))
                .json(&json!({"permissions": ["soc", "ir-team", "soc"]})),
        )
        .await,
        StatusCode::OK,
    );
    expect(
        t.delete_json(&admin, &format!("{identities}/ir-lead"))
            .await,
        StatusCode::OK,
    );

    let rows: Vec<_> = search_audit_rows(&t).into_iter().skip(seeded).collect();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "ws_documents_bulk_create",
            "ws_documents_bulk_create",
            "ws_documents_bulk_destroy",
            "ws_identity_create",
            "ws_identity_update",
            "ws_identity_delete",
        ]
    );
    assert!(rows.iter().all(|r| r.1 == "elastic"), "the actor: {rows:?}");
    assert!(rows.iter().all(|r| r.3["source"] == source.as_str()));

    let (_, _, ids, details) = &rows[0];
    assert_eq!(
        ids,
        &json!(["a", "b"]),
        "the invalid document changed nothing"
    );
    assert_eq!(
        details["permissions"],
        json!([
            {"id": "a", "before": null, "after": {"allow": ["ir-team"], "deny": []}},
            {"id": "b", "before": null, "after": {"allow": [], "deny": []}},
        ])
    );
    assert_eq!(
        rows[1].3["permissions"],
        json!([{"id": "a",
                "before": {"allow": ["ir-team"], "deny": []},
                "after": {"allow": ["ir-team", "soc"], "deny": ["contractors"]}}])
    );
    assert_eq!(rows[2].2, json!(["b"]));
    assert_eq!(
        rows[2].3["permissions"],
        json!([{"id": "b", "before": {"allow": [], "deny": []}, "after": null}])
    );

    let (_, _, ids, details) = &rows[3];
    assert_eq!(ids, &json!(["ir-lead"]));
    assert_eq!(details["before"], Value::Null);
    assert_eq!(details["after"]["permissions"], json!(["ir-team"]));
    assert_eq!(
        details["after"]["external_user_properties"][0]["attribute_value"],
        "alice"
    );
    assert_eq!(rows[4].3["before"]["permissions"], json!(["ir-team"]));
    assert_eq!(
        rows[4].3["after"]["permissions"],
        json!(["ir-team", "soc"]),
        "stored sorted, without duplicates"
    );
    assert_eq!(
        rows[5].3["before"]["permissions"],
        json!(["ir-team", "soc"])
    );
    assert_eq!(rows[5].3["after"], Value::Null);
}

#[tokio::test]
async fn a_change_that_changes_nothing_leaves_no_row() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let (source, _) = create_source(&t, &admin, "Quiet").await;
    let seeded = search_audit_rows(&t).len();
    let answer = expect(
        t.post_json(
            &admin,
            &format!("{SOURCES}/{source}/documents/bulk_destroy"),
            json!(["nothing-here"]),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(answer["results"][0]["success"], false);
    let (status, _) = t
        .put_json(
            &admin,
            &format!("{SOURCES}/{source}/external_identities/nobody"),
            json!({"permissions": ["soc"]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(search_audit_rows(&t).len(), seeded);
}

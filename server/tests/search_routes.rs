//! Sources, documents and search over real HTTP against the seeded Runbooks source for every
//! demo user: what each one finds, permission changes, bulk errors, guards and paging.

mod common;

use std::collections::BTreeSet;

use common::search::*;
use common::{expect, send_json, Session, TestServer};
use gatehouse_api::search::{permissions_of, HIGHLIGHT_END, HIGHLIGHT_START};
use gatehouse_server::search::{runbook_documents, runbook_identities, RUNBOOKS_SOURCE};
use gatehouse_server::seed::DEMO_USERS;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn doc_path(source: &str, id: &str) -> String {
    format!("{SOURCES}/{source}/documents/{id}")
}

fn result_ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|d| d["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn search(t: &TestServer, s: &Session, body: Value) -> (StatusCode, Value) {
    t.post_json(s, SEARCH, body).await
}

/// Every result of a query, paging with a small page size; and the total each page reported.
async fn search_all(t: &TestServer, s: &Session, query: &str) -> (BTreeSet<String>, u64) {
    let mut seen = BTreeSet::new();
    let mut total = None;
    for current in 1..=100 {
        let body = expect(
            search(
                t,
                s,
                json!({"query": query, "page": {"current": current, "size": 7}}),
            )
            .await,
            StatusCode::OK,
        );
        let page_total = body["meta"]["page"]["total_results"].as_u64().unwrap();
        assert_eq!(*total.get_or_insert(page_total), page_total, "stable total");
        let ids = result_ids(&body);
        if ids.is_empty() {
            break;
        }
        seen.extend(ids);
    }
    (seen, total.unwrap_or(0))
}

/// What the seeded data lets `user` see of the Runbooks source, from the rule alone.
fn expected_runbooks(user: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let identities = runbook_identities();
    let perms = permissions_of(&identities, user);
    let mut shown = BTreeSet::new();
    let mut hidden = BTreeSet::new();
    for doc in runbook_documents() {
        let list = |k: &str| -> Vec<String> {
            doc[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        let id = doc["id"].as_str().unwrap().to_string();
        if reference(
            &perms,
            &list("_allow_permissions"),
            &list("_deny_permissions"),
        ) {
            shown.insert(id);
        } else {
            hidden.insert(id);
        }
    }
    (shown, hidden)
}

/// What the app shows `s`: the capabilities the SPA asks for at start.
async fn capabilities(t: &TestServer, s: &Session) -> (StatusCode, Value) {
    t.post_json(s, "/api/core/capabilities", json!({"applications": []}))
        .await
}

/// An external identity that maps `leads_read_user` to one permission.
fn reader_identity(id: &str, permission: &str) -> Value {
    json!({
        "external_user_id": id,
        "external_user_properties": [{"attribute_name": "_elasticsearch_username", "attribute_value": "leads_read_user"}],
        "permissions": [permission]
    })
}

fn not_found_body(id: &str) -> Value {
    json!({ "errors": [format!("Could not find a document with id {id}")] })
}

#[tokio::test]
async fn hidden_documents_never_appear_for_any_demo_user() {
    let t = TestServer::start().await;
    // The seeded rule gives these counts (32 runbooks: 9 for ir-team, 1 for vip-care, 1 denied to
    // contractors); the oracle below must agree with them.
    for (user, count) in [
        ("elastic", 32),
        ("leads_full_user", 32),
        ("leads_read_user", 22),
        ("leads_no_access_user", 21),
        ("bob", 21),
        ("alice", 22),
    ] {
        assert_eq!(expected_runbooks(user).0.len(), count, "{user}");
    }
    let mut searchers = Vec::new();
    for demo in DEMO_USERS {
        let user = demo.username;
        let s = t.login(user).await;
        let (shown, hidden) = expected_runbooks(user);
        let (status, body) = search(&t, &s, json!({"query": ""})).await;
        if status == StatusCode::FORBIDDEN {
            // No search privilege: no route answers anything about documents.
            let message = body["errors"][0].as_str().unwrap_or_default().to_string();
            assert!(message.contains("[workplaceSearch]"), "{user}: {message}");
            for path in [
                SOURCES.to_string(),
                format!("{SOURCES}/{RUNBOOKS_SOURCE}"),
                doc_path(RUNBOOKS_SOURCE, "rb-001"),
                format!("{SOURCES}/{RUNBOOKS_SOURCE}/documents"),
            ] {
                let (status, body) = t.get_json(&s, &path).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}: {body}");
                assert_eq!(
                    body,
                    json!({"errors": [format!("API [GET {path}] is unauthorized for user, this action is granted by the Kibana privileges [workplaceSearch]")]}),
                    "{user}: nothing but the denial"
                );
            }
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
        searchers.push(user);

        // Everything they may see, nothing else, and totals that match.
        let (all, total) = search_all(&t, &s, "").await;
        assert_eq!(all, shown, "{user}");
        assert_eq!(total, shown.len() as u64, "{user}");
        for query in ["ransomware", "credentials", "host", "laptop", "contain"] {
            let (found, total) = search_all(&t, &s, query).await;
            assert_eq!(total, found.len() as u64, "{user} {query}");
            assert!(found.is_subset(&shown), "{user} {query}: {found:?}");
            assert!(found.is_disjoint(&hidden), "{user} {query}");
            let (_, body) = search(&t, &s, json!({"query": query, "page": {"size": 100}})).await;
            let counted: u64 = body["meta"]["sources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["count"].as_u64().unwrap())
                .sum();
            assert_eq!(counted, total, "{user} {query}: per-source counts");
        }

        // Source counts.
        let body = expect(t.get_json(&s, SOURCES).await, StatusCode::OK);
        let runbooks = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == RUNBOOKS_SOURCE)
            .cloned()
            .unwrap();
        assert_eq!(runbooks["name"], "Runbooks");
        assert_eq!(runbooks["document_count"], shown.len(), "{user}");
        let (_, one) = t
            .get_json(&s, &format!("{SOURCES}/{RUNBOOKS_SOURCE}"))
            .await;
        assert_eq!(one["document_count"], shown.len(), "{user}");

        // The document list pages over visible documents only.
        let (_, list) = t
            .get_json(
                &s,
                &format!("{SOURCES}/{RUNBOOKS_SOURCE}/documents?page[current]=1&page[size]=100"),
            )
            .await;
        assert_eq!(list["meta"]["page"]["total_results"], shown.len(), "{user}");
        let listed: BTreeSet<String> = result_ids(&list).into_iter().collect();
        assert_eq!(listed, shown, "{user}");

        // By id: a hidden document answers exactly as a missing one.
        for id in &hidden {
            let (status, body) = t.get_json(&s, &doc_path(RUNBOOKS_SOURCE, id)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user} {id}");
            assert_eq!(body, not_found_body(id), "{user} {id}");
        }
        let (status, body) = t.get_json(&s, &doc_path(RUNBOOKS_SOURCE, "rb-999")).await;
        assert_eq!(
            (status, body),
            (StatusCode::NOT_FOUND, not_found_body("rb-999"))
        );
        for id in shown.iter().take(3) {
            let (status, body) = t.get_json(&s, &doc_path(RUNBOOKS_SOURCE, id)).await;
            assert_eq!(status, StatusCode::OK, "{user} {id}");
            assert_eq!(body["id"], id.as_str());
        }
    }
    for user in [
        "elastic",
        "leads_full_user",
        "leads_no_access_user",
        "leads_read_user",
    ] {
        assert!(searchers.contains(&user), "{user} can search");
    }
    for user in ["alice", "bob", "victor"] {
        assert!(!searchers.contains(&user), "{user} has no search privilege");
    }
}

#[tokio::test]
async fn two_users_get_different_results_for_the_same_query() {
    let (t, full) = TestServer::start_as("leads_full_user").await;
    let read = t.login("leads_read_user").await;
    let (_, a) = search(&t, &full, json!({"query": "ransomware"})).await;
    let (_, b) = search(&t, &read, json!({"query": "ransomware"})).await;
    let a_ids = result_ids(&a);
    let b_ids = result_ids(&b);
    assert!(a_ids.contains(&"rb-002".to_string()), "{a}");
    assert!(!b_ids.contains(&"rb-002".to_string()), "{b}");
    assert!(b_ids.contains(&"rb-001".to_string()), "{b}");
    assert_eq!(
        a["meta"]["page"]["total_results"].as_u64().unwrap(),
        b["meta"]["page"]["total_results"].as_u64().unwrap() + 1
    );
    // Ranked: the runbook with the word in its title first, scores descending.
    assert_eq!(a_ids[0], "rb-002");
    let scores: Vec<f64> = a["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["_meta"]["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // Snippets mark the matched words; sources are named.
    let first = &a["results"][0];
    let snippet = first["snippet"].as_str().unwrap();
    assert!(
        snippet.contains(&format!("{HIGHLIGHT_START}Ransomware{HIGHLIGHT_END}")),
        "{snippet:?}"
    );
    assert_eq!(first["_meta"]["source"], RUNBOOKS_SOURCE);
    assert_eq!(first["_meta"]["source_name"], "Runbooks");
    assert!(first["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("critical-risk")));
    // Prefixes and stems match: "phish" finds "Phishing".
    let (_, body) = search(&t, &read, json!({"query": "phish"})).await;
    assert!(result_ids(&body).contains(&"rb-007".to_string()), "{body}");
    // FTS syntax is not interpreted.
    expect(
        search(&t, &read, json!({"query": "host\" OR NEAR(*"})).await,
        StatusCode::OK,
    );
}

#[tokio::test]
async fn a_permission_change_applies_to_the_next_search() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let user = t.login("leads_read_user").await;
    let sees = |body: &Value, id: &str| result_ids(body).contains(&id.to_string());

    let (_, before) = search(&t, &user, json!({"query": "ransomware"})).await;
    assert!(!sees(&before, "rb-002"));
    let identities = format!("{SOURCES}/{RUNBOOKS_SOURCE}/external_identities");
    let created = expect(
        t.post_json(&admin, &identities, reader_identity("tier1", "ir-team"))
            .await,
        StatusCode::OK,
    );
    assert_eq!(created["content_source_id"], RUNBOOKS_SOURCE);
    let (_, after) = search(&t, &user, json!({"query": "ransomware"})).await;
    assert!(sees(&after, "rb-002"), "{after}");
    expect(
        t.get_json(&user, &doc_path(RUNBOOKS_SOURCE, "rb-002"))
            .await,
        StatusCode::OK,
    );

    // A second identity adds contractors: the one denied runbook disappears, ir-team stays.
    expect(
        t.post_json(
            &admin,
            &identities,
            reader_identity("tier1-contract", "contractors"),
        )
        .await,
        StatusCode::OK,
    );
    let (_, body) = search(&t, &user, json!({"query": "privileged account"})).await;
    assert!(!sees(&body, "rb-004"), "{body}");
    let (_, body) = search(&t, &user, json!({"query": "ransomware"})).await;
    assert!(sees(&body, "rb-002"));

    // Removing ir-team with a PUT hides the IR runbook again; deleting the contractor identity
    // brings rb-004 back.
    let updated = expect(
        send_json(
            t.as_user(&admin, Method::PUT, &format!("{identities}/tier1"))
                .json(&json!({"permissions": []})),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(
        updated["external_user_properties"][0]["attribute_value"], "leads_read_user",
        "omitted fields stay"
    );
    let (_, body) = search(&t, &user, json!({"query": "ransomware"})).await;
    assert!(!sees(&body, "rb-002"));
    let (status, body) = send_json(t.as_user(
        &admin,
        Method::DELETE,
        &format!("{identities}/tier1-contract"),
    ))
    .await;
    assert_eq!((status, body), (StatusCode::OK, json!("ok")));
    let (_, body) = search(&t, &user, json!({"query": "privileged account"})).await;
    assert!(sees(&body, "rb-004"), "{body}");

    // Each change is in the audit file, by elastic, with what it replaced.
    let text = std::fs::read_to_string(t.dir.path().join("audit.log")).expect("audit.log");
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|e: &Value| {
            e["event"]["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("ws_identity"))
        })
        .collect();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["event"]["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        actions,
        [
            "ws_identity_create",
            "ws_identity_create",
            "ws_identity_update",
            "ws_identity_delete"
        ]
    );
    assert!(events.iter().all(|e| e["user"]["name"] == "elastic"));
    let update = &events[2]["kibana"];
    assert_eq!(update["saved_object"]["ids"], json!(["tier1"]));
    assert_eq!(
        update["details"]["before"]["permissions"],
        json!(["ir-team"])
    );
    assert_eq!(update["details"]["after"]["permissions"], json!([]));
    assert_eq!(
        events[3]["kibana"]["details"]["before"]["permissions"],
        json!(["contractors"])
    );
}

#[tokio::test]
async fn every_malformed_document_gets_its_own_errors_and_the_rest_are_stored() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let (id, source) = create_source(&t, &admin, "Case notes").await;
    assert_eq!(source["document_count"], 0);
    let bulk = format!("{SOURCES}/{id}/documents/bulk_create");
    let inputs = json!([
        {"id": "good-1", "title": "Laptop seized", "body": "VIP laptop notes"},
        {"title": "no id"},
        {"id": 42, "title": "numeric id"},
        {"id": "bad-allow", "_allow_permissions": "ir-team"},
        {"id": "bad-deny", "_deny_permissions": ["ok", 7]},
        {"id": "too-big", "body": "x".repeat(100_001)},
        "not a document",
        {"id": "good-2", "title": "Second", "_allow_permissions": ["ir-team"], "tags": ["host"]},
        {"id": "bad-tags", "tags": "host"},
        {"id": "", "title": "empty id"},
    ]);
    let body = expect(
        t.post_json(&admin, &bulk, inputs.clone()).await,
        StatusCode::OK,
    );
    let results = body["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        inputs.as_array().unwrap().len(),
        "one per input"
    );
    let errors = |i: usize| -> Vec<String> {
        results[i]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    };
    assert!(errors(0).is_empty() && errors(7).is_empty());
    assert_eq!(results[0]["id"], "good-1");
    assert_eq!(errors(1), ["Missing required key 'id'"]);
    assert_eq!(results[1]["id"], Value::Null);
    assert_eq!(errors(2), ["'id' must be a string, not a number"]);
    assert_eq!(
        errors(3),
        ["'_allow_permissions' must be an array of strings, not a string"]
    );
    assert_eq!(results[3]["id"], "bad-allow");
    assert_eq!(
        errors(4),
        ["'_deny_permissions' must be an array of strings, but contains a number"]
    );
    assert!(
        errors(5)[0].starts_with("'body' is too large"),
        "{:?}",
        errors(5)
    );
    assert_eq!(errors(6), ["Document must be a JSON object, not a string"]);
    assert_eq!(
        errors(8),
        ["'tags' must be an array of strings, not a string"]
    );
    assert_eq!(errors(9), ["'id' must not be empty"]);

    // The good ones are stored; the bad ones are not.
    let doc = expect(
        t.get_json(&admin, &doc_path(&id, "good-1")).await,
        StatusCode::OK,
    );
    assert_eq!(doc["title"], "Laptop seized");
    for bad in ["bad-allow", "bad-deny", "too-big", "bad-tags"] {
        let (status, _) = t.get_json(&admin, &doc_path(&id, bad)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
    // good-2 is restricted to ir-team, which elastic holds in Runbooks only: here it is hidden
    // from elastic too, and the count says 1.
    let (_, source) = t.get_json(&admin, &format!("{SOURCES}/{id}")).await;
    assert_eq!(source["document_count"], 1);
    let (_, found) = search(
        &t,
        &admin,
        json!({"query": "laptop", "filters": {"source": [id]}}),
    )
    .await;
    assert_eq!(result_ids(&found), ["good-1"]);

    // More than 100 → the whole request is refused; not an array → refused.
    let many: Vec<Value> = (0..101).map(|i| json!({"id": format!("m{i}")})).collect();
    let body = expect(
        t.post_json(&admin, &bulk, json!(many)).await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(
        body["errors"][0],
        "Too many documents: 101 (the limit is 100 per request)"
    );
    let body = expect(
        t.post_json(&admin, &bulk, json!({"id": "x"})).await,
        StatusCode::BAD_REQUEST,
    );
    assert!(body["errors"].is_array());

    // bulk_destroy: a hidden document answers as a missing one.
    let body = expect(
        t.post_json(
            &admin,
            &format!("{SOURCES}/{id}/documents/bulk_destroy"),
            json!(["good-1", "good-2", "nope"]),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(
        body,
        json!({"results": [
            {"id": "good-1", "success": true},
            {"id": "good-2", "success": false},
            {"id": "nope", "success": false}
        ]})
    );
    expect(
        t.get_json(&admin, &doc_path(&id, "good-1")).await,
        StatusCode::NOT_FOUND,
    );

    // Deleting the source removes its documents from the index: a new source's document that
    // reuses row ids does not match the old words.
    let (status, _) =
        send_json(t.as_user(&admin, Method::DELETE, &format!("{SOURCES}/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    expect(
        t.get_json(&admin, &format!("{SOURCES}/{id}")).await,
        StatusCode::NOT_FOUND,
    );
    let (_, other) = t.post_json(&admin, SOURCES, json!({"name": "Other"})).await;
    let other = other["id"].as_str().unwrap().to_string();
    let (_, body) = t
        .post_json(
            &admin,
            &format!("{SOURCES}/{other}/documents/bulk_create"),
            json!([{"id": "n1", "title": "Printer", "body": "toner"}, {"id": "n2", "title": "Fax"}]),
        )
        .await;
    assert!(body["results"][0]["errors"].as_array().unwrap().is_empty());
    let (_, found) = search(&t, &admin, json!({"query": "laptop"})).await;
    assert!(
        !result_ids(&found).iter().any(|i| i.starts_with('n')),
        "{found}"
    );
    let (_, found) = search(&t, &admin, json!({"query": "toner"})).await;
    assert_eq!(result_ids(&found), ["n1"]);
}

#[tokio::test]
async fn the_feature_privilege_guards_every_route() {
    let (t, admin) = TestServer::start_as("elastic").await;
    // A reader: the seeded search_user role only.
    expect(
        t.post_json(
            &admin,
            "/internal/security/users/reader",
            json!({"username": "reader", "password": "changeme", "roles": ["search_user"]}),
        )
        .await,
        StatusCode::OK,
    );
    let reader = t.login("reader").await;
    expect(
        search(&t, &reader, json!({"query": "phishing"})).await,
        StatusCode::OK,
    );
    let doc = expect(
        t.get_json(&reader, &doc_path(RUNBOOKS_SOURCE, "rb-004"))
            .await,
        StatusCode::OK,
    );
    assert!(
        doc.get("_deny_permissions").is_none(),
        "readers do not see permission lists: {doc}"
    );
    let (_, doc) = t
        .get_json(&admin, &doc_path(RUNBOOKS_SOURCE, "rb-004"))
        .await;
    assert_eq!(doc["_deny_permissions"], json!(["contractors"]));

    let identities = format!("{SOURCES}/{RUNBOOKS_SOURCE}/external_identities");
    let manage: Vec<(Method, String, Option<Value>)> = vec![
        (Method::POST, SOURCES.into(), Some(json!({"name": "x"}))),
        (Method::DELETE, format!("{SOURCES}/{RUNBOOKS_SOURCE}"), None),
        (
            Method::POST,
            format!("{SOURCES}/{RUNBOOKS_SOURCE}/documents/bulk_create"),
            Some(json!([{"id": "x"}])),
        ),
        (
            Method::POST,
            format!("{SOURCES}/{RUNBOOKS_SOURCE}/documents/bulk_destroy"),
            Some(json!(["rb-001"])),
        ),
        (Method::GET, identities.clone(), None),
        (
            Method::POST,
            identities.clone(),
            Some(json!({"external_user_id": "me", "permissions": ["ir-team"]})),
        ),
        (Method::GET, format!("{identities}/ir-lead"), None),
        (
            Method::PUT,
            format!("{identities}/ir-lead"),
            Some(json!({"permissions": []})),
        ),
        (Method::DELETE, format!("{identities}/ir-lead"), None),
    ];
    for (method, path, body) in &manage {
        let mut request = t.as_user(&reader, method.clone(), path);
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, answer) = send_json(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
        assert_eq!(
            answer["errors"][0],
            format!("API [{method} {path}] is unauthorized for user, this action is granted by the Kibana privileges [workplaceSearch-manage]")
        );
    }
    // Nothing changed.
    let (_, doc) = t
        .get_json(&admin, &doc_path(RUNBOOKS_SOURCE, "rb-001"))
        .await;
    assert_eq!(doc["id"], "rb-001");

    // No session → 401 in the same shape.
    let body = expect(
        send_json(t.kibana(Method::POST, SEARCH).json(&json!({}))).await,
        StatusCode::UNAUTHORIZED,
    );
    assert!(body["errors"].is_array(), "{body}");

    // Granting bob the role lets his next search run, with his contractor identity applied.
    let bob = t.login("bob").await;
    expect(
        search(&t, &bob, json!({"query": "privileged"})).await,
        StatusCode::FORBIDDEN,
    );
    expect(t
        .post_json(
            &admin,
            "/internal/security/users/bob",
            json!({"username": "bob", "full_name": "Bob Responder", "roles": ["dashboard_editor", "search_user"]}),
        )
        .await, StatusCode::OK);
    let body = expect(
        search(&t, &bob, json!({"query": "privileged account"})).await,
        StatusCode::OK,
    );
    assert!(!result_ids(&body).contains(&"rb-004".to_string()), "{body}");
    let (_, body) = search(&t, &reader, json!({"query": "privileged account"})).await;
    assert!(result_ids(&body).contains(&"rb-004".to_string()), "{body}");

    // Capabilities show the app and whether it can be managed.
    let (_, caps) = capabilities(&t, &reader).await;
    assert_eq!(caps["navLinks"]["workplaceSearch"], true);
    assert_eq!(caps["workplaceSearch"]["manage"], false);
    let (_, caps) = capabilities(&t, &admin).await;
    assert_eq!(caps["workplaceSearch"]["manage"], true);
}

#[tokio::test]
async fn identities_are_listed_in_pages_and_validated() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let identities = format!("{SOURCES}/{RUNBOOKS_SOURCE}/external_identities");
    let second_page = format!("{identities}?page[current]=2&page[size]=2");
    let body = expect(t.get_json(&admin, &second_page).await, StatusCode::OK);
    let seeded = runbook_identities().len() as u64;
    assert_eq!(
        body["meta"]["page"],
        json!({"current": 2, "total_pages": seeded.div_ceil(2), "total_results": seeded, "size": 2})
    );
    assert_eq!(body["results"].as_array().unwrap().len(), 2);

    let body = expect(
        t.get_json(&admin, &format!("{identities}/vip-desk")).await,
        StatusCode::OK,
    );
    assert_eq!(body["permissions"], json!(["vip-care"]));
    assert_eq!(
        body["external_user_properties"].as_array().unwrap().len(),
        2
    );

    for (bad, message) in [
        (
            json!({"external_user_id": "x", "external_user_properties": [{"attribute_name": "email", "attribute_value": "a@b"}]}),
            "Invalid attribute_name 'email': only _elasticsearch_username is allowed",
        ),
        (
            json!({"external_user_id": " "}),
            "external_user_id can't be blank",
        ),
        (
            json!({"external_user_id": "ir-lead"}),
            "An external identity with id ir-lead already exists",
        ),
        (
            json!({"external_user_id": "y", "permissions": [""]}),
            "'permissions' must not contain empty strings",
        ),
    ] {
        let (status, body) = t.post_json(&admin, &identities, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["errors"][0], message, "{bad}");
    }
    let body = expect(
        t.post_json(&admin, &identities, json!({"permissions": 3}))
            .await,
        StatusCode::BAD_REQUEST,
    );
    assert_invalid_body(&body);
    expect(
        t.get_json(&admin, &format!("{identities}/nobody")).await,
        StatusCode::NOT_FOUND,
    );
    expect(
        t.get_json(&admin, &format!("{identities}?page[size]=1000"))
            .await,
        StatusCode::BAD_REQUEST,
    );
    let body = expect(
        t.get_json(&admin, &format!("{SOURCES}/nope/external_identities"))
            .await,
        StatusCode::NOT_FOUND,
    );
    assert_eq!(body["errors"][0], "Could not find a source with id nope");
}

#[tokio::test]
async fn access_panel_and_preview_as_follow_the_same_rule() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let access = expect(
        t.get_json(
            &admin,
            &format!("{}/_access", doc_path(RUNBOOKS_SOURCE, "rb-004")),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(access["deny"], json!(["contractors"]));
    let user = |name: &str| -> Value {
        access["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} listed"))
    };
    assert_eq!(
        user("leads_no_access_user")["visibility"],
        json!({"kind": "denied", "permission": "contractors"})
    );
    assert_eq!(user("leads_no_access_user")["can_search"], true);
    assert_eq!(user("bob")["can_search"], false);
    assert_eq!(
        user("leads_read_user")["visibility"],
        json!({"kind": "open"})
    );

    let (_, access) = t
        .get_json(
            &admin,
            &format!("{}/_access", doc_path(RUNBOOKS_SOURCE, "rb-014")),
        )
        .await;
    let users = access["users"].as_array().unwrap();
    let seeing: BTreeSet<&str> = users
        .iter()
        .filter(|u| u["visibility"]["kind"] == "allowed" && u["can_search"] == true)
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(seeing, BTreeSet::from(["elastic", "leads_full_user"]));

    // Preview as: exactly the user's own results.
    let reader = t.login("leads_read_user").await;
    for query in ["", "ransomware", "credentials"] {
        let (_, own) = search(&t, &reader, json!({"query": query, "page": {"size": 100}})).await;
        let preview = expect(
            search(
                &t,
                &admin,
                json!({"query": query, "page": {"size": 100}, "as_user": "leads_read_user"}),
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(preview["meta"]["as_user"], "leads_read_user");
        assert_eq!(result_ids(&preview), result_ids(&own), "{query:?}");
        assert_eq!(preview["meta"]["page"], own["meta"]["page"]);
    }
    let body = expect(
        search(&t, &admin, json!({"as_user": "alice"})).await,
        StatusCode::BAD_REQUEST,
    );
    assert!(body["errors"][0]
        .as_str()
        .unwrap()
        .starts_with("alice cannot use the Search app"));
    expect(
        search(&t, &admin, json!({"as_user": "ghost"})).await,
        StatusCode::BAD_REQUEST,
    );

    // kibana_admin manages search but cannot read users: no panel, no preview.
    let full = t.login("leads_full_user").await;
    expect(
        t.get_json(
            &full,
            &format!("{}/_access", doc_path(RUNBOOKS_SOURCE, "rb-004")),
        )
        .await,
        StatusCode::FORBIDDEN,
    );
    expect(
        search(&t, &full, json!({"as_user": "leads_read_user"})).await,
        StatusCode::FORBIDDEN,
    );
    // A hidden document has no panel either (as if missing), even for an admin.
    expect(
        t.post_json(
            &admin,
            &format!("{SOURCES}/{RUNBOOKS_SOURCE}/documents/bulk_create"),
            json!([{"id": "secret", "title": "s", "_allow_permissions": ["nobody-has-this"]}]),
        )
        .await,
        StatusCode::OK,
    );
    let (status, body) = t
        .get_json(
            &admin,
            &format!("{}/_access", doc_path(RUNBOOKS_SOURCE, "secret")),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, not_found_body("secret"))
    );
}

#[tokio::test]
async fn related_runbooks_match_lead_tags_and_search_validates_its_input() {
    let (t, read) = TestServer::start_as("leads_read_user").await;
    let full = t.login("leads_full_user").await;
    let lead_tags = json!(["host", "critical-risk", "alerts", "extreme_impact"]);
    let body = json!({"query": "", "page": {"size": 5}, "filters": {"tags": lead_tags}});
    let (_, a) = search(&t, &full, body.clone()).await;
    let (_, b) = search(&t, &read, body).await;
    // The most shared tags first: the ransomware runbook shares all four.
    assert_eq!(result_ids(&a)[0], "rb-002", "{a}");
    assert!(!result_ids(&b).contains(&"rb-002".to_string()), "{b}");
    for r in b["results"].as_array().unwrap() {
        let tags = r["tags"].as_array().unwrap();
        assert!(
            tags.iter()
                .any(|t| lead_tags.as_array().unwrap().contains(t)),
            "{r}"
        );
    }

    for (bad, message) in [
        (
            json!({"page": {"size": 0}}),
            "page.size must be an integer from 1 to 100",
        ),
        (
            json!({"page": {"size": 101}}),
            "page.size must be an integer from 1 to 100",
        ),
        (
            json!({"page": {"current": 0}}),
            "page.current must be an integer from 1 to 10000",
        ),
        (
            json!({"query": "x".repeat(1025)}),
            "query is too long (the limit is 1024 characters)",
        ),
    ] {
        let (status, body) = search(&t, &read, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["errors"][0], message);
    }
    let body = expect(
        send_json(
            t.as_user(&read, Method::POST, SEARCH)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await,
        StatusCode::BAD_REQUEST,
    );
    assert_invalid_body(&body);
    // Pages past the end are empty, with the same total.
    let (_, body) = search(
        &t,
        &read,
        json!({"query": "", "page": {"current": 50, "size": 10}}),
    )
    .await;
    assert_eq!(result_ids(&body).len(), 0);
    assert_eq!(body["meta"]["page"]["total_results"], 22);
    assert_eq!(body["meta"]["page"]["total_pages"], 3);
}

#[tokio::test]
async fn ids_longer_than_any_are_refused_by_size_not_looked_up() {
    let (t, admin) = TestServer::start_as("elastic").await;
    let long = "s".repeat(513);
    let too_long = "The source id is too long (the limit is 512 characters)";
    for (status, body) in [
        t.delete_json(&admin, &format!("{SOURCES}/{long}")).await,
        t.get_json(&admin, &format!("{SOURCES}/{long}/documents"))
            .await,
    ] {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body, json!({ "errors": [too_long] }));
    }
    let (status, body) = t
        .delete_json(
            &admin,
            &format!("{SOURCES}/{RUNBOOKS_SOURCE}/external_identities/{long}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["errors"][0],
        "The external identity id is too long (the limit is 512 characters)"
    );
    // An id of the largest size is looked up as usual.
    let (status, _) = t
        .delete_json(&admin, &format!("{SOURCES}/{}", "s".repeat(512)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The 400 a body that is not the route's JSON gets: its first error names the body.
fn assert_invalid_body(body: &Value) {
    assert!(
        body["errors"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("Invalid request body")),
        "{body}"
    );
}

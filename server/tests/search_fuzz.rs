//! Arbitrary JSON against every write route of the search API: never a server error.

mod common;

use common::fuzz::{config, json_leaf, json_tree};
use common::search::{SEARCH, SOURCES};
use common::{send_json, TestServer};
use gatehouse_server::search::RUNBOOKS_SOURCE;
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Fuzz: arbitrary JSON against every write route of the search API
// ---------------------------------------------------------------------------------------------

/// JSON bodies per route.
const FUZZ_CASES: u32 = 150;

/// Field names the routes read, so generated objects reach past the first type error.
const FUZZ_KEYS: &[&str] = &[
    "id",
    "title",
    "body",
    "url",
    "tags",
    "type",
    "created_at",
    "_allow_permissions",
    "_deny_permissions",
    "external_user_id",
    "external_user_properties",
    "attribute_name",
    "attribute_value",
    "permissions",
    "name",
    "query",
    "page",
    "current",
    "size",
    "filters",
    "source",
    "as_user",
];

/// Values the routes give meaning to, so generated bodies sometimes hit a real case.
const WORDS: &[&str] = &[
    "ir-team",
    "_elasticsearch_username",
    "runbooks",
    "leads_read_user",
    "\u{E000}",
    "<script>alert(1)</script>",
    "\" OR NEAR(",
    "*",
];

#[test]
fn arbitrary_json_never_gets_a_server_error() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let _runtime = rt.enter();
    let t = rt.block_on(TestServer::start());
    let admin = rt.block_on(t.login("elastic"));
    let (_, source) = rt.block_on(t.post_json(&admin, SOURCES, json!({"name": "Fuzz"})));
    let fuzz = source["id"].as_str().expect("source id").to_string();
    let identities = format!("{SOURCES}/{fuzz}/external_identities");
    rt.block_on(t.post_json(
        &admin,
        &identities,
        json!({"external_user_id": "fuzz-id", "permissions": ["x"]}),
    ));
    let routes: Vec<(Method, String)> = vec![
        (Method::POST, SOURCES.to_string()),
        (
            Method::POST,
            format!("{SOURCES}/{fuzz}/documents/bulk_create"),
        ),
        (
            Method::POST,
            format!("{SOURCES}/{fuzz}/documents/bulk_destroy"),
        ),
        (Method::POST, identities.clone()),
        (Method::PUT, format!("{identities}/fuzz-id")),
        (Method::POST, SEARCH.to_string()),
    ];
    let requests = std::cell::Cell::new(0usize);
    let mut runner = proptest::test_runner::TestRunner::new(config(FUZZ_CASES));
    runner
        .run(&json_tree(json_leaf(WORDS, false), FUZZ_KEYS), |body| {
            // Each body as is, and wrapped as a one-document bulk.
            let wrapped = json!([body.clone()]);
            let bulk = format!("{SOURCES}/{fuzz}/documents/bulk_create");
            let cases = routes
                .iter()
                .map(|(m, p)| (m.clone(), p.clone(), body.clone()))
                .chain(std::iter::once((Method::POST, bulk.clone(), wrapped)));
            for (method, path, body) in cases {
                let (status, answer) = rt.block_on(send_json(
                    t.as_user(&admin, method.clone(), &path).json(&body),
                ));
                requests.set(requests.get() + 1);
                prop_assert!(
                    !status.is_server_error(),
                    "{method} {path}: {status} {answer} for {body}"
                );
                if status.is_client_error() {
                    prop_assert!(
                        answer["errors"]
                            .as_array()
                            .is_some_and(|e| !e.is_empty() && e.iter().all(Value::is_string)),
                        "{method} {path}: {status} {answer}"
                    );
                }
                if status.is_success() && path == bulk {
                    // One result per input, in order.
                    prop_assert_eq!(
                        answer["results"].as_array().map(Vec::len),
                        body.as_array().map(Vec::len),
                        "{}",
                        answer
                    );
                }
            }
            Ok(())
        })
        .expect("no server errors");
    // Still serving, and still filtering: the seeded counts hold for a reader.
    let reader = rt.block_on(t.login("leads_read_user"));
    let (status, body) = rt.block_on(t.get_json(&reader, &format!("{SOURCES}/{RUNBOOKS_SOURCE}")));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["document_count"], 22);
    println!(
        "search fuzz: {FUZZ_CASES} bodies, {} requests, 0 server errors",
        requests.get()
    );
}

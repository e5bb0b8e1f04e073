//! Property tests (bounded case counts): index-pattern coverage in authz, the profile-id validator,
//! and a fuzz of arbitrary JSON bodies against every write route (never a 5xx).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::fuzz::{config, json_leaf, json_tree};
use common::{Session, TestServer};
use gatehouse_api::security::is_valid_profile_uid;
use gatehouse_server::authz::{pattern_covers, wildcard_match};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use reqwest::Method;
use serde_json::Value;

/// Pattern and name cases per property.
const PATTERN_CASES: u32 = 2_000;
/// JSON bodies in the fuzz; each goes to every write route.
const FUZZ_CASES: u32 = 200;

/// Patterns over a small alphabet so that coverage relations actually occur.
fn pattern() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(&["a", "b", ".", "-", "*", "?"][..]),
        0..7,
    )
    .prop_map(|parts| parts.concat())
}

/// Literal index names over the same alphabet.
fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(&["a", "b", ".", "-"][..]), 0..7)
        .prop_map(|p| p.concat())
}

/// Every literal name over the alphabet up to `max_len` characters (brute force).
fn all_names(max_len: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut frontier = vec![String::new()];
    for _ in 0..max_len {
        let mut next = Vec::new();
        for prefix in &frontier {
            for c in ['a', 'b', '.', '-'] {
                next.push(format!("{prefix}{c}"));
            }
        }
        out.extend(next.iter().cloned());
        frontier = next;
    }
    out
}

proptest! {
    #![proptest_config(config(PATTERN_CASES))]

    #[test]
    fn a_pattern_covers_itself(p in pattern()) {
        prop_assert!(pattern_covers(&p, &p), "{p:?}");
    }

    #[test]
    fn star_covers_every_pattern(p in pattern()) {
        prop_assert!(pattern_covers("*", &p), "{p:?}");
        prop_assert!(pattern_covers("**", &p), "{p:?}");
    }

    #[test]
    fn coverage_is_transitive(a in pattern(), b in pattern(), c in pattern()) {
        if pattern_covers(&a, &b) && pattern_covers(&b, &c) {
            prop_assert!(pattern_covers(&a, &c), "{a:?} ⊇ {b:?} ⊇ {c:?}");
        }
    }

    #[test]
    fn coverage_of_a_literal_name_is_matching(p in pattern(), n in name()) {
        prop_assert_eq!(pattern_covers(&p, &n), wildcard_match(&p, &n), "{:?} vs {:?}", p, n);
    }

    #[test]
    fn a_literal_role_pattern_covers_only_itself(n in name(), q in pattern()) {
        prop_assert_eq!(pattern_covers(&n, &q), n == q, "{:?} vs {:?}", n, q);
    }

    #[test]
    fn profile_ids_with_a_newline_are_never_valid(
        before in "[a-zA-Z0-9_\\-]{0,8}",
        after in "[a-zA-Z0-9_\\-]{0,8}",
        newline in proptest::sample::select(&["\n", "\r", "\r\n"][..]),
    ) {
        for uid in [
            format!("u_{before}{newline}{after}_0"),
            format!("u_{before}_{after}{newline}"),
            format!("{newline}u_{before}_{after}"),
        ] {
            prop_assert!(!is_valid_profile_uid(&uid), "{uid:?}");
        }
    }

    #[test]
    fn every_u_alnum_alnum_is_a_valid_profile_id(
        principal in "[a-zA-Z0-9]{1,24}",
        version in "[a-zA-Z0-9]{1,8}",
    ) {
        let uid = format!("u_{principal}_{version}");
        prop_assert!(is_valid_profile_uid(&uid), "{uid:?}");
    }

    #[test]
    fn profile_ids_must_start_with_u_underscore(s in "\\PC{0,24}") {
        if !s.starts_with("u_") {
            prop_assert!(!is_valid_profile_uid(&s), "{s:?}");
        }
    }
}

/// Soundness against brute force: when `a` covers `b`, every name up to 5 characters that `b`
/// matches is matched by `a` too (never grants more than the role pattern names).
#[test]
fn coverage_agrees_with_brute_force_matching() {
    let names = all_names(5);
    let mut runner = TestRunner::new(config(500));
    let held = AtomicUsize::new(0);
    runner
        .run(&(pattern(), pattern()), |(a, b)| {
            if pattern_covers(&a, &b) {
                held.fetch_add(1, Ordering::Relaxed);
                for n in names.iter().filter(|n| wildcard_match(&b, n)) {
                    prop_assert!(
                        wildcard_match(&a, n),
                        "{a:?} covers {b:?} but not the name {n:?}"
                    );
                }
            }
            Ok(())
        })
        .unwrap();
    println!(
        "pattern coverage: 500 pairs, {} covering pairs checked against {} names",
        held.load(Ordering::Relaxed),
        names.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Fuzz: arbitrary JSON bodies against every write route
// ---------------------------------------------------------------------------------------------

/// Field names the routes read, so generated objects reach past the first serde error.
const KEYS: &[&str] = &[
    "providerType",
    "providerName",
    "currentURL",
    "params",
    "username",
    "password",
    "applications",
    "connectorId",
    "maxLeads",
    "ids",
    "status",
    "data",
    "title",
    "description",
    "panels",
    "accessControl",
    "accessMode",
    "owner",
    "version",
    "objects",
    "type",
    "id",
    "newOwnerProfileUid",
    "uids",
    "dataPath",
    "name",
    "size",
    "from",
    "query",
    "roles",
    "full_name",
    "email",
    "newPassword",
    "enabled",
    "metadata",
    "elasticsearch",
    "kibana",
    "cluster",
    "indices",
    "names",
    "privileges",
    "base",
    "feature",
    "spaces",
    "run_as",
    "sort",
    "direction",
    "filters",
    "showReservedRoles",
];

/// Values the routes give meaning to, so generated bodies sometimes hit a real case.
const WORDS: &[&str] = &[
    "dashboard",
    "write_restricted",
    "default",
    "dismissed",
    "soc-overview",
    "u_alice_0",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "*",
    "all",
];

/// Every write route, aimed at objects of the fuzzer's own or none, and the console's
/// `_has_privileges`.
fn write_routes() -> Vec<(&'static str, String)> {
    let mut routes = common::write_routes(&common::WriteTargets {
        dashboard_created: "fuzzed",
        dashboard_updated: "phishing-triage",
        dashboard_deleted: "no-such-dashboard",
        user_created: "fuzzed_user",
        user_changed: "victor",
        user_deleted: "no_such_user",
        role_put: "fuzzed_role",
        role_deleted: "no_such_role",
    });
    routes.push((
        "POST",
        "/api/console/proxy?path=_security/user/_has_privileges&method=POST".to_string(),
    ));
    routes
}

fn send(
    t: &TestServer,
    session: Option<&Session>,
    method: &str,
    path: &str,
    body: &Value,
) -> reqwest::RequestBuilder {
    let mut builder = t
        .http
        .request(Method::from_bytes(method.as_bytes()).unwrap(), t.url(path))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(body);
    if let Some(session) = session {
        builder = builder.header("cookie", &session.cookie);
    }
    if path.starts_with("/internal/entity_analytics/leads") {
        builder = builder.header("elastic-api-version", "1");
    } else if path.starts_with("/api/dashboards") {
        builder = builder.header("elastic-api-version", "2023-10-31");
    }
    builder
}

#[test]
fn arbitrary_json_bodies_never_get_a_server_error() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _runtime = rt.enter();
    let t = rt.block_on(TestServer::start());
    let elastic = rt.block_on(t.login("elastic"));
    let requests = AtomicUsize::new(0);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let statuses_cell = std::sync::Mutex::new(&mut statuses);
    let routes = write_routes();
    let mut runner = TestRunner::new(config(FUZZ_CASES));
    runner
        .run(&json_tree(json_leaf(WORDS, true), KEYS), |body| {
            for (method, path) in &routes {
                // Logout would end the session the other routes use: it goes without one.
                let session = (*path != "/api/security/logout").then_some(&elastic);
                let response = rt
                    .block_on(send(&t, session, method, path, &body).send())
                    .map_err(|e| {
                        TestCaseError::fail(format!("{method} {path}: no answer ({e}) for {body}"))
                    })?;
                requests.fetch_add(1, Ordering::Relaxed);
                let status = response.status();
                *statuses_cell
                    .lock()
                    .unwrap()
                    .entry(status.as_u16())
                    .or_default() += 1;
                let text = rt.block_on(response.text()).unwrap_or_default();
                prop_assert!(
                    !status.is_server_error(),
                    "{} {}: {} {} for body {}",
                    method,
                    path,
                    status,
                    text,
                    body
                );
                if status.is_client_error() {
                    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    prop_assert!(
                        json["message"].is_string(),
                        "{} {}: {} {}",
                        method,
                        path,
                        status,
                        text
                    );
                }
            }
            Ok(())
        })
        .unwrap();
    // The server is still healthy afterwards.
    let (status, _) = rt.block_on(t.get_json(&elastic, "/internal/security/me"));
    assert!(status.is_success());
    println!(
        "fuzz: {FUZZ_CASES} bodies x {} write routes = {} requests, 0 server errors; statuses {:?}",
        routes.len(),
        requests.load(Ordering::Relaxed),
        statuses
    );
}

//! Search non-interference (docs/search.md#non-interference): for any user, adding, changing or
//! removing documents hidden from that user — and changing identities that do not name them —
//! changes nothing in any answer that user gets: search results, order, scores, snippets,
//! totals, per-source counts, the source list, document fetches and lists.
//!
//! Most cases run the store's search (the function the routes call) on a database reused across
//! cases; a smaller number run the same property through the HTTP routes of a real server.

mod common;

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::time::Instant;

use common::fuzz::config;
use common::search::{SEARCH, SOURCES};
use common::{expect, send_json, TestServer};
use gatehouse_api::search::{
    ExternalIdentity, PageRequest, SearchFilters, SearchRequest, UserProperty, USERNAME_ATTRIBUTE,
};
use gatehouse_server::db::Db;
use gatehouse_server::search::{self as store, Viewer};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Random worlds checked through the store's search.
const STORE_CASES: u32 = 10_000;
/// Random worlds checked through the routes of a real server.
const ROUTE_CASES: u32 = 100;

const PERMS: &[&str] = &["ir-team", "contractors", "soc", "emea"];
/// A permission no identity ever grants: a document allowing only it is hidden from everyone.
const NOBODY: &str = "vault";
const USERS: &[&str] = &["alice", "bob", "carol"];
const SOURCES_IDS: &[&str] = &["s0", "s1"];
const TAGS: &[&str] = &["host", "user", "ir"];
/// Words with shared stems and prefixes, so prefix and stemmed matches meet hidden documents.
const WORDS: &[&str] = &[
    "ransomware",
    "ransom",
    "contain",
    "containment",
    "contained",
    "host",
    "lateral",
    "movement",
    "password",
    "reset",
    "phishing",
    "account",
    "accounts",
    "beacon",
    "beaconing",
    "credential",
    "dump",
    "exfiltration",
    "isolate",
    "isolation",
    "kerberos",
    "malware",
    "persistence",
    "privilege",
];

#[derive(Debug, Clone)]
struct Doc {
    source: usize,
    title: String,
    body: String,
    tags: Vec<String>,
    allow: Vec<String>,
    deny: Vec<String>,
}

#[derive(Debug, Clone)]
struct Identity {
    source: usize,
    users: Vec<String>,
    permissions: Vec<String>,
}

/// What changes on the hidden side between the two answers.
#[derive(Debug, Clone)]
enum HiddenChange {
    /// A new document; made hidden from the user if it would not be.
    Add(Doc),
    /// The n-th document (modulo), if hidden: new text and permissions, still hidden.
    Change(usize, Doc),
    /// The n-th document (modulo), if hidden.
    Remove(usize),
    /// An identity naming only other users.
    OtherIdentity(Identity),
}

#[derive(Debug, Clone)]
struct World {
    documents: Vec<Doc>,
    identities: Vec<Identity>,
    user: String,
    queries: Vec<SearchRequest>,
    changes: Vec<HiddenChange>,
}

fn words(range: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(WORDS), range).prop_map(|w| w.join(" "))
}

fn perm_list(range: std::ops::Range<usize>) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set(
        proptest::sample::select(PERMS).prop_map(str::to_string),
        range,
    )
    .prop_map(|s| s.into_iter().collect())
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        0..SOURCES_IDS.len(),
        words(0..4),
        words(0..12),
        proptest::collection::btree_set(proptest::sample::select(TAGS), 0..3),
        // Mostly open documents, so searches find something to score.
        prop_oneof![2 => Just(Vec::new()), 1 => perm_list(1..3)],
        prop_oneof![3 => Just(Vec::new()), 1 => perm_list(1..2)],
    )
        .prop_map(|(source, title, body, tags, allow, deny)| Doc {
            source,
            title,
            body,
            tags: tags.into_iter().map(str::to_string).collect(),
            allow,
            deny,
        })
}

fn identity(users: impl Strategy<Value = Vec<String>>) -> impl Strategy<Value = Identity> {
    (0..SOURCES_IDS.len(), users, perm_list(0..3)).prop_map(|(source, users, permissions)| {
        Identity {
            source,
            users,
            permissions,
        }
    })
}

fn any_users() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        proptest::sample::select(USERS).prop_map(str::to_string),
        0..3,
    )
}

fn query() -> impl Strategy<Value = SearchRequest> {
    (
        prop_oneof![
            1 => Just(String::new()),
            4 => words(1..2),
            1 => words(2..3),
            // A word cut short: a prefix match.
            2 => (proptest::sample::select(WORDS), 2..5usize)
                .prop_map(|(w, n)| w.chars().take(n).collect()),
            1 => words(1..3).prop_map(|w| format!("{w} ")),
            1 => Just("?!".to_string()),
        ],
        prop_oneof![3 => Just(1u32), 1 => 2u32..4],
        1u32..6,
        proptest::collection::btree_set(proptest::sample::select(SOURCES_IDS), 0..2),
        proptest::collection::btree_set(proptest::sample::select(TAGS), 0..2),
    )
        .prop_map(|(query, current, size, sources, tags)| SearchRequest {
            query,
            page: PageRequest { current, size },
            filters: SearchFilters {
                source: sources.into_iter().map(str::to_string).collect(),
                tags: tags.into_iter().map(str::to_string).collect(),
            },
            as_user: None,
        })
}

fn world() -> impl Strategy<Value = World> {
    (
        proptest::collection::vec(doc(), 0..16),
        proptest::collection::vec(identity(any_users()), 0..5),
        proptest::sample::select(USERS).prop_map(str::to_string),
        proptest::collection::vec(query(), 1..4),
        proptest::collection::vec(
            prop_oneof![
                3 => doc().prop_map(HiddenChange::Add),
                2 => (any::<usize>(), doc()).prop_map(|(n, d)| HiddenChange::Change(n, d)),
                2 => any::<usize>().prop_map(HiddenChange::Remove),
                1 => identity(any_users()).prop_map(HiddenChange::OtherIdentity),
            ],
            1..5,
        ),
    )
        .prop_map(|(documents, identities, user, queries, changes)| World {
            documents,
            identities,
            user,
            queries,
            changes,
        })
}

/// The document as the routes take it.
fn doc_json(id: &str, doc: &Doc) -> Value {
    json!({
        "id": id,
        "title": doc.title,
        "body": doc.body,
        "tags": doc.tags,
        "_allow_permissions": doc.allow,
        "_deny_permissions": doc.deny,
    })
}

fn identity_of(id: &str, identity: &Identity) -> ExternalIdentity {
    ExternalIdentity {
        content_source_id: SOURCES_IDS[identity.source].to_string(),
        external_user_id: id.to_string(),
        external_user_properties: identity
            .users
            .iter()
            .map(|u| UserProperty {
                attribute_name: USERNAME_ATTRIBUTE.into(),
                attribute_value: u.clone(),
            })
            .collect(),
        permissions: identity.permissions.clone(),
    }
}

/// The permissions `user` holds per source, from the world's identities.
fn user_permissions(identities: &[Identity], user: &str, source: usize) -> BTreeSet<String> {
    identities
        .iter()
        .filter(|i| i.source == source && i.users.iter().any(|u| u == user))
        .flat_map(|i| i.permissions.iter().cloned())
        .collect()
}

fn hidden_from(identities: &[Identity], user: &str, doc: &Doc) -> bool {
    let perms = user_permissions(identities, user, doc.source);
    !common::search::reference(&perms, &doc.allow, &doc.deny)
}

/// `doc`, hidden from `user`: allowed only to a permission nobody holds, if it was visible.
fn make_hidden(identities: &[Identity], user: &str, mut doc: Doc) -> Doc {
    if !hidden_from(identities, user, &doc) {
        doc.allow = vec![NOBODY.to_string()];
    }
    doc
}

/// The hidden-side changes as concrete edits: documents to store (id, document), ids to remove,
/// identities to add. Documents visible to the user are never touched.
struct Edits {
    store: Vec<(String, Doc)>,
    remove: Vec<(usize, String)>,
    identities: Vec<(String, Identity)>,
}

fn edits(world: &World) -> Edits {
    let mut out = Edits {
        store: Vec::new(),
        remove: Vec::new(),
        identities: Vec::new(),
    };
    let user = world.user.as_str();
    let ids = &world.identities;
    let hidden: Vec<usize> = (0..world.documents.len())
        .filter(|&i| hidden_from(ids, user, &world.documents[i]))
        .collect();
    let mut removed = BTreeSet::new();
    for (k, change) in world.changes.iter().enumerate() {
        match change {
            HiddenChange::Add(doc) => out
                .store
                .push((format!("h{k}"), make_hidden(ids, user, doc.clone()))),
            HiddenChange::Change(n, doc) if !hidden.is_empty() => {
                let i = hidden[n % hidden.len()];
                if removed.contains(&i) {
                    continue;
                }
                // Same id, so same source.
                let mut doc = doc.clone();
                doc.source = world.documents[i].source;
                out.store
                    .push((format!("d{i}"), make_hidden(ids, user, doc)));
            }
            HiddenChange::Remove(n) if !hidden.is_empty() => {
                let i = hidden[n % hidden.len()];
                if removed.insert(i) {
                    out.remove
                        .push((world.documents[i].source, format!("d{i}")));
                }
            }
            HiddenChange::OtherIdentity(identity) => {
                let mut identity = identity.clone();
                identity.users.retain(|u| u != user);
                out.identities.push((format!("o{k}"), identity));
            }
            _ => {}
        }
    }
    // A change after a removal of the same id would re-create it; keep removals last and drop
    // the stores they cancel.
    out.store
        .retain(|(id, _)| !out.remove.iter().any(|(_, removed)| removed == id));
    out
}

// ---------------------------------------------------------------------------------------------
// Through the store's search, on one database reused across cases
// ---------------------------------------------------------------------------------------------

fn reset(db: &Db, world: &World) -> anyhow::Result<()> {
    db.write_blocking(|conn| {
        let tx = conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM ws_documents; DELETE FROM ws_identities; DELETE FROM ws_sources;",
        )?;
        for (s, id) in SOURCES_IDS.iter().enumerate() {
            store::insert_source(&tx, id, &format!("Source {s}"))?;
        }
        for (i, doc) in world.documents.iter().enumerate() {
            upsert(&tx, &format!("d{i}"), doc)?;
        }
        for (i, identity) in world.identities.iter().enumerate() {
            store::put_identity(&tx, &identity_of(&format!("i{i}"), identity))?;
        }
        tx.commit()?;
        Ok(())
    })
}

fn upsert(conn: &rusqlite::Connection, id: &str, doc: &Doc) -> anyhow::Result<()> {
    let valid = store::validate_document(&doc_json(id, doc))
        .map_err(|e| anyhow::anyhow!("{:?}", e.errors))?;
    store::upsert_document(conn, SOURCES_IDS[doc.source], &valid)
}

fn apply(db: &Db, edits: &Edits) -> anyhow::Result<()> {
    db.write_blocking(|conn| {
        let tx = conn.transaction()?;
        for (id, doc) in &edits.store {
            upsert(&tx, id, doc)?;
        }
        for (source, id) in &edits.remove {
            tx.execute(
                "DELETE FROM ws_documents WHERE source_id = ?1 AND doc_id = ?2",
                [SOURCES_IDS[*source], id.as_str()],
            )?;
        }
        for (id, identity) in &edits.identities {
            store::put_identity(&tx, &identity_of(id, identity))?;
        }
        tx.commit()?;
        Ok(())
    })
}

/// Everything the user can learn through the store, as one string per answer.
/// How much a run compared, so a vacuous run would show.
#[derive(Default)]
struct Tally {
    searches: u64,
    /// Searches whose answer held at least one scored result.
    scored: u64,
    /// Cases whose hidden side stored or removed at least one document.
    documents_changed: u64,
}

fn answers(db: &Db, world: &World, tally: &mut Tally) -> anyhow::Result<Vec<String>> {
    db.write_blocking(|conn| {
        let viewer = Viewer::load(conn, &world.user)?;
        let mut out = Vec::new();
        for request in &world.queries {
            let response = store::search(conn, &viewer, request)?;
            tally.searches += 1;
            if response.results.iter().any(|r| r.meta.score > 0.0) {
                tally.scored += 1;
            }
            out.push(serde_json::to_string(&response)?);
        }
        out.push(serde_json::to_string(&store::list_sources(conn, &viewer)?)?);
        for source in SOURCES_IDS {
            let (documents, total) = store::list_documents(conn, &viewer, source, 1, 100)?;
            out.push(format!("{total} {}", serde_json::to_string(&documents)?));
            for (i, doc) in world.documents.iter().enumerate() {
                let id = format!("d{i}");
                if SOURCES_IDS[doc.source] == *source {
                    let found = store::get_document(conn, &viewer, source, &id)?;
                    out.push(serde_json::to_string(&found)?);
                }
            }
            // The ids the hidden side adds: missing before, hidden after, the same answer.
            for k in 0..world.changes.len() {
                let found = store::get_document(conn, &viewer, source, &format!("h{k}"))?;
                out.push(serde_json::to_string(&found)?);
            }
        }
        Ok(out)
    })
}

fn check_store_case(db: &Db, world: &World, tally: &mut Tally) -> Result<(), TestCaseError> {
    let fail = |e: anyhow::Error| TestCaseError::fail(format!("{e:#}"));
    reset(db, world).map_err(fail)?;
    let before = answers(db, world, tally).map_err(fail)?;
    let edits = edits(world);
    if !edits.store.is_empty() || !edits.remove.is_empty() {
        tally.documents_changed += 1;
    }
    apply(db, &edits).map_err(fail)?;
    // The second pass is not tallied again.
    let after = answers(db, world, &mut Tally::default()).map_err(fail)?;
    for (b, a) in before.iter().zip(&after) {
        prop_assert_eq!(b, a);
    }
    Ok(())
}

#[test]
fn hidden_documents_change_nothing_the_user_sees_through_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(&dir.path().join("ni.db")).expect("db opens");
    let started = Instant::now();
    let mut runner = TestRunner::new(config(STORE_CASES));
    let tally = RefCell::new(Tally::default());
    runner
        .run(&world(), |world| {
            check_store_case(&db, &world, &mut tally.borrow_mut())
        })
        .expect("non-interference holds");
    let tally = tally.into_inner();
    assert!(
        tally.scored > 0 && tally.documents_changed > 0,
        "the cases exercise scores and hidden changes"
    );
    println!(
        "# search non-interference: {STORE_CASES} cases through the store's search ({} with hidden documents stored or removed), {} searches ({} with scored results) compared before/after, all identical, in {:.1} s",
        tally.documents_changed,
        tally.searches,
        tally.scored,
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// Through the routes of a real server
// ---------------------------------------------------------------------------------------------

/// The route cases search as `leads_read_user` (a `kibana_admin`: Search `all`, so documents come
/// with their permission lists, and those must not change either); `elastic` writes.
const ROUTE_USER: &str = "leads_read_user";

#[test]
fn hidden_documents_change_nothing_the_user_sees_through_the_routes() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (t, admin, user) = rt.block_on(async {
        let (t, admin) = TestServer::start_as("elastic").await;
        let user = t.login(ROUTE_USER).await;
        (t, admin, user)
    });
    let started = Instant::now();
    let mut runner = TestRunner::new(config(ROUTE_CASES));
    let case = Cell::new(0u32);
    runner
        .run(&world(), |mut world| {
            case.set(case.get() + 1);
            // The generated user becomes the signed-in one; the other names stay as they are.
            for identity in &mut world.identities {
                for u in &mut identity.users {
                    if *u == world.user {
                        *u = ROUTE_USER.to_string();
                    }
                }
            }
            world.user = ROUTE_USER.to_string();
            rt.block_on(check_route_case(&t, &admin, &user, &world, case.get()))
        })
        .expect("non-interference holds through the routes");
    println!(
        "# search non-interference (routes): {ROUTE_CASES} cases through POST /api/ws/v1/search and the source and document routes, all identical, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

async fn check_route_case(
    t: &TestServer,
    admin: &common::Session,
    user: &common::Session,
    world: &World,
    case: u32,
) -> Result<(), TestCaseError> {
    // Fresh sources per case (names are unique), mapped onto the world's source indices.
    let mut sources = Vec::new();
    for s in 0..SOURCES_IDS.len() {
        let created = expect(
            t.post_json(admin, SOURCES, json!({"name": format!("ni-{case}-{s}")}))
                .await,
            StatusCode::OK,
        );
        sources.push(created["id"].as_str().unwrap_or_default().to_string());
    }
    for (i, identity) in world.identities.iter().enumerate() {
        post_identity(t, admin, &sources, &format!("i{i}"), identity).await;
    }
    let docs: Vec<(String, Doc)> = world
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (format!("d{i}"), d.clone()))
        .collect();
    bulk_create(t, admin, &sources, &docs).await;

    let before = route_answers(t, user, &sources, world).await;
    let edits = edits(world);
    bulk_create(t, admin, &sources, &edits.store).await;
    for (source, id) in &edits.remove {
        let path = format!("{SOURCES}/{}/documents/bulk_destroy", sources[*source]);
        expect(t.post_json(admin, &path, json!([id])).await, StatusCode::OK);
    }
    for (id, identity) in &edits.identities {
        post_identity(t, admin, &sources, id, identity).await;
    }
    let after = route_answers(t, user, &sources, world).await;

    // Other cases' sources are in the source list too: clean up before the next case.
    for source in &sources {
        expect(
            t.delete_json(admin, &format!("{SOURCES}/{source}")).await,
            StatusCode::OK,
        );
    }
    for (b, a) in before.iter().zip(&after) {
        prop_assert_eq!(b, a);
    }
    Ok(())
}

async fn post_identity(
    t: &TestServer,
    admin: &common::Session,
    sources: &[String],
    id: &str,
    identity: &Identity,
) {
    let body = json!({
        "external_user_id": id,
        "external_user_properties": identity.users.iter().map(|u| json!({
            "attribute_name": USERNAME_ATTRIBUTE, "attribute_value": u
        })).collect::<Vec<_>>(),
        "permissions": identity.permissions,
    });
    let path = format!("{SOURCES}/{}/external_identities", sources[identity.source]);
    expect(t.post_json(admin, &path, body).await, StatusCode::OK);
}

async fn bulk_create(
    t: &TestServer,
    admin: &common::Session,
    sources: &[String],
    docs: &[(String, Doc)],
) {
    for (s, source) in sources.iter().enumerate() {
        let batch: Vec<Value> = docs
            .iter()
            .filter(|(_, d)| d.source == s)
            .map(|(id, d)| doc_json(id, d))
            .collect();
        if batch.is_empty() {
            continue;
        }
        let path = format!("{SOURCES}/{source}/documents/bulk_create");
        let answer = expect(
            t.post_json(admin, &path, Value::Array(batch)).await,
            StatusCode::OK,
        );
        assert!(
            answer["results"]
                .as_array()
                .is_some_and(|r| r.iter().all(|r| r["errors"] == json!([]))),
            "{answer}"
        );
    }
}

/// Every answer the user gets: status and body, byte for byte.
async fn route_answers(
    t: &TestServer,
    user: &common::Session,
    sources: &[String],
    world: &World,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut record = |(status, body): (StatusCode, Value)| {
        out.push(format!("{status} {body}"));
    };
    for request in &world.queries {
        let mut request = request.clone();
        request.filters.source = request
            .filters
            .source
            .iter()
            .filter_map(|s| SOURCES_IDS.iter().position(|x| x == s))
            .map(|i| sources[i].clone())
            .collect();
        let body = serde_json::to_value(&request).unwrap_or_default();
        record(send_json(t.as_user(user, Method::POST, SEARCH).json(&body)).await);
    }
    record(t.get_json(user, SOURCES).await);
    for (s, source) in sources.iter().enumerate() {
        record(t.get_json(user, &format!("{SOURCES}/{source}")).await);
        record(
            t.get_json(
                user,
                &format!("{SOURCES}/{source}/documents?page[size]=100"),
            )
            .await,
        );
        for (i, doc) in world.documents.iter().enumerate() {
            if doc.source == s {
                record(
                    t.get_json(user, &format!("{SOURCES}/{source}/documents/d{i}"))
                        .await,
                );
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// What ranking from visible documents costs (a figure for RELIABILITY.md, not a target)
// ---------------------------------------------------------------------------------------------

/// Searches timed per query.
const TIMED_SEARCHES: u32 = 200;
const TIMED_QUERIES: &[&str] = &["ransomware", "lateral movement", "host", "pass", "contain"];

/// Mean microseconds of the store's search as `user` (who sees some runbooks, not all), and of
/// FTS5's own bm25 query over the same index, for comparison.
fn time_searches(db: &Db, user: &str) -> (f64, f64) {
    db.write_blocking(|conn| {
        let viewer = Viewer::load(conn, user)?;
        let started = Instant::now();
        let mut found = 0;
        for _ in 0..TIMED_SEARCHES {
            for query in TIMED_QUERIES {
                let request = SearchRequest {
                    query: query.to_string(),
                    page: PageRequest {
                        current: 1,
                        size: 10,
                    },
                    ..SearchRequest::default()
                };
                found += store::search(conn, &viewer, &request)?.results.len();
            }
        }
        assert!(found > 0, "the timed searches find runbooks");
        let ours = started.elapsed().as_secs_f64();
        let mut stmt = conn.prepare(
            "SELECT d.doc_id, bm25(ws_documents_fts, 10.0, 1.0, 4.0) AS r
             FROM ws_documents_fts JOIN ws_documents d ON d.id = ws_documents_fts.rowid
             WHERE ws_documents_fts MATCH ?1 ORDER BY r LIMIT 10",
        )?;
        let started = Instant::now();
        for _ in 0..TIMED_SEARCHES {
            for query in TIMED_QUERIES {
                let fts = store::fts_query(query).unwrap_or_default();
                let rows: Vec<String> = stmt
                    .query_map([fts], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                std::hint::black_box(rows);
            }
        }
        let fts5 = started.elapsed().as_secs_f64();
        let n = f64::from(TIMED_SEARCHES) * TIMED_QUERIES.len() as f64;
        Ok((ours / n * 1e6, fts5 / n * 1e6))
    })
    .expect("timed searches")
}

#[test]
fn ranking_cost_on_the_seeded_runbooks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(&dir.path().join("timing.db")).expect("db opens");
    let seeded = db
        .write_blocking(|conn| {
            let tx = conn.transaction()?;
            store::insert_source(&tx, "runbooks", "Runbooks")?;
            let documents = store::runbook_documents();
            for document in &documents {
                let valid = store::validate_document(document)
                    .map_err(|e| anyhow::anyhow!("{:?}", e.errors))?;
                store::upsert_document(&tx, "runbooks", &valid)?;
            }
            for identity in store::runbook_identities() {
                store::put_identity(&tx, &identity)?;
            }
            tx.commit()?;
            Ok(documents.len())
        })
        .expect("runbooks load");
    let (ours, fts5) = time_searches(&db, "leads_read_user");
    println!(
        "# search ranking: {seeded} seeded runbooks, {} searches as leads_read_user: {ours:.0} µs each with visible-only BM25 (FTS5's bm25 query alone: {fts5:.0} µs)",
        TIMED_SEARCHES as usize * TIMED_QUERIES.len()
    );
}

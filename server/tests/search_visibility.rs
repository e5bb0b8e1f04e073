//! Document-level permissions as properties: the visibility rule against an independent oracle,
//! and the store's search on random corpora against the same rule.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::fuzz::config;
use common::search::*;
use gatehouse_api::search::{
    permissions_of, visibility, visible, ExternalIdentity, PageRequest, SearchFilters,
    SearchRequest, UserProperty, Visibility, USERNAME_ATTRIBUTE,
};
use gatehouse_server::db::Db;
use gatehouse_server::search::{self as store, Viewer};
use proptest::prelude::*;
use serde_json::json;

/// Cases per pure visibility property.
const VISIBILITY_CASES: u32 = 2_000;
/// Random corpora (documents + identities) searched through the store, per property.
const STORE_CASES: u32 = 48;

const PERMS: &[&str] = &["ir-team", "contractors", "vip-care", "soc", "emea"];
const USERS: &[&str] = &["alice", "bob", "carol"];

fn perm_set() -> impl Strategy<Value = BTreeSet<String>> {
    proptest::collection::btree_set(
        proptest::sample::select(PERMS).prop_map(str::to_string),
        0..4,
    )
}

fn perm_list() -> impl Strategy<Value = Vec<String>> {
    perm_set().prop_map(|s| s.into_iter().collect())
}

fn identity() -> impl Strategy<Value = ExternalIdentity> {
    (
        proptest::collection::vec(proptest::sample::select(USERS), 0..3),
        perm_list(),
    )
        .prop_map(|(users, permissions)| ExternalIdentity {
            content_source_id: "s".into(),
            external_user_id: String::new(),
            external_user_properties: users
                .into_iter()
                .map(|u| UserProperty {
                    attribute_name: USERNAME_ATTRIBUTE.into(),
                    attribute_value: u.into(),
                })
                .collect(),
            permissions,
        })
}

proptest! {
    #![proptest_config(config(VISIBILITY_CASES))]

    #[test]
    fn visibility_is_the_contract_formula(perms in perm_set(), allow in perm_list(), deny in perm_list()) {
        prop_assert_eq!(visible(&perms, &allow, &deny), reference(&perms, &allow, &deny));
    }

    #[test]
    fn deny_wins_over_any_allow(perms in perm_set(), allow in perm_list(), deny in perm_list()) {
        if let Some(denied) = perms.iter().find(|p| deny.contains(p)) {
            // Even when the same permission is also allowed.
            let mut allow = allow.clone();
            allow.push(denied.clone());
            prop_assert!(!visible(&perms, &allow, &deny));
            prop_assert!(matches!(visibility(&perms, &allow, &deny), Visibility::Denied(_)));
        }
    }

    #[test]
    fn empty_lists_mean_everyone(perms in perm_set()) {
        prop_assert_eq!(visibility(&perms, &[], &[]), Visibility::Open);
    }

    #[test]
    fn an_allow_list_needs_a_shared_permission(perms in perm_set(), allow in perm_list()) {
        prop_assume!(!allow.is_empty());
        let shares = perms.iter().any(|p| allow.contains(p));
        prop_assert_eq!(visible(&perms, &allow, &[]), shares);
    }

    #[test]
    fn identities_add_up(first in proptest::collection::vec(identity(), 0..4),
                         second in proptest::collection::vec(identity(), 0..4),
                         user in proptest::sample::select(USERS)) {
        let both: Vec<ExternalIdentity> = first.iter().chain(&second).cloned().collect();
        let union: BTreeSet<String> = permissions_of(&first, user)
            .union(&permissions_of(&second, user))
            .cloned()
            .collect();
        prop_assert_eq!(permissions_of(&both, user), union);
    }

    #[test]
    fn more_identities_only_add_allowed_and_only_remove_denied(
        first in proptest::collection::vec(identity(), 0..4),
        extra in identity(),
        user in proptest::sample::select(USERS),
        list in perm_list(),
    ) {
        let before = permissions_of(&first, user);
        let after = permissions_of(first.iter().chain(std::iter::once(&extra)), user);
        // With only an allow list, another identity can reveal but never hide.
        prop_assert!(!visible(&before, &list, &[]) || visible(&after, &list, &[]));
        // With only a deny list, another identity can hide but never reveal.
        prop_assert!(visible(&before, &[], &list) || !visible(&after, &[], &list));
    }
}

// ---------------------------------------------------------------------------------------------
// The store's search against the rule, on random corpora
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Corpus {
    /// (source, allow, deny) per document.
    documents: Vec<(usize, Vec<String>, Vec<String>)>,
    identities: Vec<(usize, ExternalIdentity)>,
}

fn corpus() -> impl Strategy<Value = Corpus> {
    (
        proptest::collection::vec((0..2usize, perm_list(), perm_list()), 0..25),
        proptest::collection::vec((0..2usize, identity()), 0..6),
    )
        .prop_map(|(documents, identities)| Corpus {
            documents,
            identities,
        })
}

fn load(corpus: &Corpus) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(&dir.path().join("p.db")).expect("db opens");
    db.write_blocking(|conn| {
        let tx = conn.transaction()?;
        for s in 0..2 {
            store::insert_source(&tx, &format!("s{s}"), &format!("Source {s}"))?;
        }
        for (i, (source, allow, deny)) in corpus.documents.iter().enumerate() {
            let doc = store::validate_document(&json!({
                "id": format!("d{i}"),
                "title": format!("Runbook {i}"),
                "body": "containment steps for the incident",
                "_allow_permissions": allow,
                "_deny_permissions": deny,
            }))
            .map_err(|e| anyhow::anyhow!("{:?}", e.errors))?;
            store::upsert_document(&tx, &format!("s{source}"), &doc)?;
        }
        for (i, (source, identity)) in corpus.identities.iter().enumerate() {
            let mut identity = identity.clone();
            identity.content_source_id = format!("s{source}");
            identity.external_user_id = format!("i{i}");
            store::put_identity(&tx, &identity)?;
        }
        tx.commit()?;
        Ok(())
    })
    .expect("corpus loads");
    (dir, db)
}

/// Expected visible document ids per source for `user`, from the rule alone.
fn oracle(corpus: &Corpus, user: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, (source, allow, deny)) in corpus.documents.iter().enumerate() {
        let identities: Vec<&ExternalIdentity> = corpus
            .identities
            .iter()
            .filter(|(s, _)| s == source)
            .map(|(_, identity)| identity)
            .collect();
        let perms = permissions_of(identities, user);
        if reference(&perms, allow, deny) {
            out.entry(format!("s{source}"))
                .or_default()
                .insert(format!("d{i}"));
        }
    }
    out
}

proptest! {
    #![proptest_config(config(STORE_CASES))]

    #[test]
    fn the_store_never_reveals_or_counts_hidden_documents(corpus in corpus(), user in proptest::sample::select(USERS), size in 1u32..6) {
        let (_dir, db) = load(&corpus);
        let expected = oracle(&corpus, user);
        let expected_all: BTreeSet<String> = expected.values().flatten().cloned().collect();
        db.write_blocking(|conn| {
            let viewer = Viewer::load(conn, user)?;
            for query in ["", "containment", "runbook"] {
                let mut seen = BTreeSet::new();
                let mut current = 1;
                loop {
                    let request = SearchRequest {
                        query: query.into(),
                        page: PageRequest { current, size },
                        ..SearchRequest::default()
                    };
                    let response = store::search(conn, &viewer, &request)?;
                    assert_eq!(response.meta.page.total_results, expected_all.len() as u64, "{query:?}");
                    let counted: u64 = response.meta.sources.iter().map(|s| s.count).sum();
                    assert_eq!(counted, expected_all.len() as u64);
                    if response.results.is_empty() {
                        break;
                    }
                    for r in response.results {
                        assert!(seen.insert(r.id.clone()), "{} twice", r.id);
                    }
                    current += 1;
                }
                assert_eq!(seen, expected_all, "{query:?}");
            }
            // Source filter, counts and fetch by id.
            for s in ["s0", "s1"] {
                let want = expected.get(s).cloned().unwrap_or_default();
                let request = SearchRequest {
                    page: PageRequest { current: 1, size: 100 },
                    filters: SearchFilters { source: vec![s.into()], tags: vec![] },
                    ..SearchRequest::default()
                };
                let got: BTreeSet<String> = store::search(conn, &viewer, &request)?
                    .results.into_iter().map(|r| r.id).collect();
                assert_eq!(got, want);
                let source = store::get_source(conn, &viewer, s)?.expect("source");
                assert_eq!(source.document_count, want.len() as u64);
                for (i, (ds, _, _)) in corpus.documents.iter().enumerate() {
                    if format!("s{ds}") != s {
                        continue;
                    }
                    let id = format!("d{i}");
                    let fetched = store::get_document(conn, &viewer, s, &id)?;
                    assert_eq!(fetched.is_some(), want.contains(&id), "{id}");
                }
                let (listed, total) = store::list_documents(conn, &viewer, s, 1, 100)?;
                assert_eq!(total, want.len() as u64);
                assert_eq!(listed.len(), want.len());
            }
            Ok(())
        }).expect("store answers");
    }
}

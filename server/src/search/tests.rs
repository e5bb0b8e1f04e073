//! Document validation and the search, checked natively.

use gatehouse_api::search::ALLOW_PERMISSIONS;
use serde_json::{json, Value};

use super::*;
use crate::seed::runbooks::*;

fn errors(value: Value) -> Vec<String> {
    validate_document(&value).unwrap_err().errors
}

#[test]
fn every_problem_of_a_document_is_reported() {
    assert_eq!(errors(json!({"title": "x"})), ["Missing required key 'id'"]);
    assert_eq!(
        errors(json!({"id": 7})),
        ["'id' must be a string, not a number"]
    );
    assert_eq!(
        errors(json!("doc")),
        ["Document must be a JSON object, not a string"]
    );
    let many = errors(json!({
        "id": "a",
        "_allow_permissions": "ir-team",
        "_deny_permissions": ["ok", 3],
        "title": ["not", "text"],
        "Bad Name": 1,
        "_score": 2,
        "body": "x".repeat(MAX_FIELD_BYTES + 1),
    }));
    assert_eq!(many.len(), 6, "{many:?}");
    assert!(many
        .contains(&"'_allow_permissions' must be an array of strings, not a string".to_string()));
    assert!(many
        .iter()
        .any(|e| e.starts_with("'body' is too large: 100003 bytes")));
    let bad = validate_document(&json!({"id": "a", "tags": [1]})).unwrap_err();
    assert_eq!(bad.id.as_deref(), Some("a"));
}

#[test]
fn valid_documents_keep_their_fields_and_normalise_permissions() {
    let doc = validate_document(&json!({
        "id": "a", "title": "T\u{E000}x", "body": "B", "tags": ["host"],
        "_allow_permissions": ["b", "a", "a"], "severity": 3
    }))
    .unwrap();
    assert_eq!(doc.allow, ["a", "b"]);
    assert!(doc.deny.is_empty());
    assert_eq!(doc.title, "Tx", "markers never reach the index");
    assert_eq!(doc.fields["severity"], 3);
    assert_eq!(doc.fields["title"], "T\u{E000}x");
    assert!(!public_fields(doc.fields.clone(), false).contains_key(ALLOW_PERMISSIONS));
    assert!(public_fields(doc.fields, true).contains_key(ALLOW_PERMISSIONS));
}

#[test]
fn queries_become_quoted_words() {
    assert_eq!(fts_query("ransom").as_deref(), Some("\"ransom\"*"));
    assert_eq!(
        fts_query("Lateral \"movement\" OR x* ").as_deref(),
        Some("\"lateral\" \"movement\" \"or\" \"x\"")
    );
    assert_eq!(fts_query("  ?!  "), None);
    assert_eq!(fts_query(""), None);
}

#[test]
fn demo_runbooks_are_valid_and_tagged_like_leads() {
    let docs = runbook_documents();
    assert!(docs.len() >= 30);
    for d in &docs {
        assert!(validate_document(d).is_ok(), "{d}");
    }
    let restricted = RUNBOOKS.iter().filter(|r| r.allow == IR).count();
    assert!(restricted >= 5);
    assert_eq!(
        RUNBOOKS
            .iter()
            .filter(|r| r.deny.contains(&"contractors"))
            .count(),
        1
    );
    for kind in ["host", "user", "service"] {
        assert!(RUNBOOKS.iter().any(|r| r.tags.contains(&kind)));
    }
}

#[test]
fn plain_snippets_cut_at_words() {
    assert_eq!(plain_snippet("a  b\nc"), "a b c");
    let long = "word ".repeat(100);
    let s = plain_snippet(&long);
    assert!(s.ends_with("word…") && s.chars().count() <= PLAIN_SNIPPET_CHARS + 1);
}

/// The runbooks in one source, all open (no permission lists) when `open`.
fn runbooks_db(open: bool) -> (tempfile::TempDir, crate::platform::db::Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = crate::platform::db::Db::open(&dir.path().join("rank.db")).expect("db opens");
    db.write_blocking(|conn| {
        insert_source(conn, "s", "S")?;
        for mut document in runbook_documents() {
            if open {
                if let Some(fields) = document.as_object_mut() {
                    fields.retain(|k, _| !k.starts_with('_'));
                }
            }
            let valid =
                validate_document(&document).map_err(|e| anyhow::anyhow!("{:?}", e.errors))?;
            upsert_document(conn, "s", &valid)?;
        }
        Ok(())
    })
    .expect("runbooks load");
    (dir, db)
}

fn scores(conn: &rusqlite::Connection, viewer: &Viewer, query: &str) -> Vec<(String, f64)> {
    let request = gatehouse_api::search::SearchRequest {
        query: query.into(),
        page: gatehouse_api::search::PageRequest {
            current: 1,
            size: 100,
        },
        ..Default::default()
    };
    search(conn, viewer, &request)
        .expect("search")
        .results
        .into_iter()
        .map(|r| (r.id, r.meta.score))
        .collect()
}

const RANKED_QUERIES: &[&str] = &["ransomware", "lateral movement", "host", "contain", "pass"];

#[test]
fn with_nothing_hidden_scores_are_fts5_bm25() {
    let (_dir, db) = runbooks_db(true);
    db.write_blocking(|conn| {
        let viewer = Viewer::default();
        for query in RANKED_QUERIES {
            let ours = scores(conn, &viewer, query);
            assert!(!ours.is_empty(), "{query}");
            let fts5: std::collections::HashMap<String, f64> = conn
                .prepare(
                    "SELECT d.doc_id, -bm25(ws_documents_fts, 10.0, 1.0, 4.0)
                     FROM ws_documents_fts JOIN ws_documents d ON d.id = ws_documents_fts.rowid
                     WHERE ws_documents_fts MATCH ?1",
                )?
                .query_map([fts_query(query)], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            assert_eq!(ours.len(), fts5.len(), "{query}");
            for (id, score) in &ours {
                let expected = fts5[id];
                assert!(
                    (score - expected).abs() < 1.1e-3,
                    "{query} {id}: {score} vs {expected}"
                );
            }
            // Best first.
            assert!(
                ours.windows(2).all(|w| w[0].1 >= w[1].1),
                "{query}: {ours:?}"
            );
        }
        Ok(())
    })
    .expect("scores compare");
}

#[test]
fn a_hidden_document_moves_no_visible_score() {
    let (_dir, db) = runbooks_db(false);
    db.write_blocking(|conn| {
        let viewer = Viewer::default();
        let before: Vec<_> = RANKED_QUERIES
            .iter()
            .map(|q| scores(conn, &viewer, q))
            .collect();
        // Many hidden documents full of the query words: FTS5's own bm25 would lower every
        // visible score for these words.
        for i in 0..20 {
            let hidden = validate_document(&serde_json::json!({
                "id": format!("hidden-{i}"),
                "title": "ransomware host lateral movement",
                "body": "ransomware contain password host ".repeat(i + 1),
                "tags": ["host"],
                "_allow_permissions": ["nobody-holds-this"],
            }))
            .map_err(|e| anyhow::anyhow!("{:?}", e.errors))?;
            upsert_document(conn, "s", &hidden)?;
        }
        let after: Vec<_> = RANKED_QUERIES
            .iter()
            .map(|q| scores(conn, &viewer, q))
            .collect();
        assert_eq!(before, after);
        Ok(())
    })
    .expect("scores compare");
}

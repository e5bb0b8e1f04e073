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

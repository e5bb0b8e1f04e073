//! What the search tests share: the routes, and the visibility rule written independently of the
//! implementation, as the oracle the properties and the seeded counts are checked against.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{expect, Session, TestServer};

pub const SOURCES: &str = "/api/ws/v1/sources";
pub const SEARCH: &str = "/api/ws/v1/search";

/// Creates a content source named `name` as `admin`, which must succeed; its id and the answer.
pub async fn create_source(t: &TestServer, admin: &Session, name: &str) -> (String, Value) {
    let source = expect(
        t.post_json(admin, SOURCES, json!({ "name": name })).await,
        StatusCode::OK,
    );
    let id = source["id"].as_str().expect("source id").to_string();
    (id, source)
}

/// The visibility formula: no permission of the user is denied, and either nothing is allowed
/// explicitly or the user shares a permission with the allow list.
pub fn reference(perms: &BTreeSet<String>, allow: &[String], deny: &[String]) -> bool {
    perms.iter().all(|p| !deny.contains(p))
        && (allow.is_empty() || perms.iter().any(|p| allow.contains(p)))
}

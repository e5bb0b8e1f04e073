//! What the search tests share: the routes, and the visibility rule written independently of the
//! implementation, as the oracle the properties and the seeded counts are checked against.

use std::collections::BTreeSet;

pub const SOURCES: &str = "/api/ws/v1/sources";
pub const SEARCH: &str = "/api/ws/v1/search";

/// The visibility formula: no permission of the user is denied, and either nothing is allowed
/// explicitly or the user shares a permission with the allow list.
pub fn reference(perms: &BTreeSet<String>, allow: &[String], deny: &[String]) -> bool {
    perms.iter().all(|p| !deny.contains(p))
        && (allow.is_empty() || perms.iter().any(|p| allow.contains(p)))
}

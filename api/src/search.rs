//! Searchable sources with document-level permissions (docs/search.md, the Workplace Search shape):
//! wire types, paths, the one visibility rule, and the highlight markers of search snippets.
//!
//! Visibility ([`visibility`]) is pure and shared: the server filters every result, count and
//! document fetch with it, and the SPA's Access panel explains it with the same words.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::admin::encode_path_segment;

/// The Kibana feature of the search app: `read` searches, `all` also manages sources,
/// documents and identities.
pub const FEATURE_ID: &str = "workplaceSearch";
/// The app id (`navLinks.workplaceSearch`).
pub const APP_ID: &str = "workplaceSearch";
/// API tag of `read` (and `all`): search, list sources, read documents.
pub const SEARCH_API_TAG: &str = "workplaceSearch";
/// API tag of the search feature's sub-feature privilege [`MANAGE_PRIVILEGE_ID`] (included in
/// `all`, not in `minimal_all`): create and delete sources, documents and identities.
pub const MANAGE_API_TAG: &str = "workplaceSearch-manage";
/// The sub-feature privilege "Manage sources and document permissions" (docs/privileges.md).
pub const MANAGE_PRIVILEGE_ID: &str = "manage_sources";
/// UI capability `workplaceSearch.manage` (the SPA shows management with it).
pub const MANAGE_CAPABILITY: &str = "manage";

pub const WS_BASE: &str = "/api/ws/v1";
pub const SOURCES_PATH: &str = "/api/ws/v1/sources";
pub const SEARCH_PATH: &str = "/api/ws/v1/search";

/// Documents per `bulk_create` / ids per `bulk_destroy`.
pub const MAX_BULK_DOCUMENTS: usize = 100;
pub const DEFAULT_SEARCH_PAGE_SIZE: u32 = 10;
pub const DEFAULT_LIST_PAGE_SIZE: u32 = 25;
pub const MAX_PAGE_SIZE: u32 = 100;

pub const ALLOW_PERMISSIONS: &str = "_allow_permissions";
pub const DENY_PERMISSIONS: &str = "_deny_permissions";
/// The only `attribute_name` an external identity may carry: it names a Gatehouse user.
pub const USERNAME_ATTRIBUTE: &str = "_elasticsearch_username";

/// Snippets mark each highlighted run as `HIGHLIGHT_START` text `HIGHLIGHT_END`. Both are
/// private-use characters the server strips from indexed text, so they only ever come from it.
pub const HIGHLIGHT_START: char = '\u{E000}';
pub const HIGHLIGHT_END: char = '\u{E001}';

pub fn source_path(source_id: &str) -> String {
    format!("{SOURCES_PATH}/{}", encode_path_segment(source_id))
}

pub fn bulk_create_path(source_id: &str) -> String {
    format!("{}/documents/bulk_create", source_path(source_id))
}

pub fn bulk_destroy_path(source_id: &str) -> String {
    format!("{}/documents/bulk_destroy", source_path(source_id))
}

pub fn documents_path(source_id: &str) -> String {
    format!("{}/documents", source_path(source_id))
}

pub fn document_path(source_id: &str, document_id: &str) -> String {
    format!(
        "{}/documents/{}",
        source_path(source_id),
        encode_path_segment(document_id)
    )
}

/// **ext**: who can and cannot see one document, with the reason (search managers who may read
/// users).
pub fn document_access_path(source_id: &str, document_id: &str) -> String {
    format!("{}/_access", document_path(source_id, document_id))
}

pub fn identities_path(source_id: &str) -> String {
    format!("{}/external_identities", source_path(source_id))
}

pub fn identity_path(source_id: &str, external_user_id: &str) -> String {
    format!(
        "{}/{}",
        identities_path(source_id),
        encode_path_segment(external_user_id)
    )
}

// ---------------------------------------------------------------------------------------------
// Visibility
// ---------------------------------------------------------------------------------------------

/// Why a user can or cannot see a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "permission", rename_all = "snake_case")]
pub enum Visibility {
    /// The allow list is empty and nothing denies: everyone sees it.
    Open,
    /// One of the user's permissions is in the allow list (the first one, in sorted order).
    Allowed(String),
    /// One of the user's permissions is in the deny list (deny wins over any allow).
    Denied(String),
    /// The allow list is not empty and the user holds none of it.
    NotAllowed,
}

impl Visibility {
    pub fn is_visible(&self) -> bool {
        matches!(self, Visibility::Open | Visibility::Allowed(_))
    }

    /// The reason, as the Access panel shows it.
    pub fn reason(&self) -> String {
        match self {
            Visibility::Open => "No allow list: visible to everyone not denied".to_string(),
            Visibility::Allowed(p) => format!("Allowed by {p}"),
            Visibility::Denied(p) => format!("Denied by {p}"),
            Visibility::NotAllowed => "No allowed permission".to_string(),
        }
    }
}

/// The one visibility rule (docs/search.md):
/// `perms ∩ deny = ∅ ∧ (allow = ∅ ∨ perms ∩ allow ≠ ∅)` — deny wins over allow.
pub fn visibility(permissions: &BTreeSet<String>, allow: &[String], deny: &[String]) -> Visibility {
    if let Some(denied) = permissions.iter().find(|p| deny.contains(p)) {
        return Visibility::Denied(denied.clone());
    }
    if allow.is_empty() {
        return Visibility::Open;
    }
    match permissions.iter().find(|p| allow.contains(p)) {
        Some(allowed) => Visibility::Allowed(allowed.clone()),
        None => Visibility::NotAllowed,
    }
}

/// `visibility(..).is_visible()`.
pub fn visible(permissions: &BTreeSet<String>, allow: &[String], deny: &[String]) -> bool {
    visibility(permissions, allow, deny).is_visible()
}

/// Every permission the identities of one source give `username`: the identities whose
/// `_elasticsearch_username` properties name the user, their permissions added up.
pub fn permissions_of<'a>(
    identities: impl IntoIterator<Item = &'a ExternalIdentity>,
    username: &str,
) -> BTreeSet<String> {
    identities
        .into_iter()
        .filter(|identity| identity.names_user(username))
        .flat_map(|identity| identity.permissions.iter().cloned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    pub name: String,
    /// Documents of the source the caller may see.
    pub document_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSource {
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMeta {
    pub current: u32,
    pub total_pages: u32,
    pub total_results: u64,
    pub size: u32,
}

impl PageMeta {
    pub fn new(current: u32, size: u32, total_results: u64) -> Self {
        let size = size.max(1);
        let total_pages = total_results.div_ceil(u64::from(size));
        Self {
            current,
            total_pages: u32::try_from(total_pages).unwrap_or(u32::MAX),
            total_results,
            size,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub page: PageMeta,
}

/// `{"meta":{"page":{..}},"results":[..]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub meta: Meta,
    pub results: Vec<T>,
}

/// A stored document: its fields as sent (`id`, `title`, `body`, `url`, `tags`, … and, for those
/// who manage the source, `_allow_permissions` / `_deny_permissions`).
pub type Document = Map<String, Value>;

/// One entry per input document of `bulk_create`, in order. `id` is `null` when the input had
/// no string id; an empty `errors` means the document was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkCreateResult {
    pub id: Option<String>,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkCreateResponse {
    pub results: Vec<BulkCreateResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDestroyResult {
    pub id: String,
    pub success: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDestroyResponse {
    pub results: Vec<BulkDestroyResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProperty {
    pub attribute_name: String,
    pub attribute_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalIdentity {
    pub content_source_id: String,
    pub external_user_id: String,
    #[serde(default)]
    pub external_user_properties: Vec<UserProperty>,
    #[serde(default)]
    pub permissions: Vec<String>,
}

impl ExternalIdentity {
    /// Does one of its `_elasticsearch_username` properties name `username`?
    pub fn names_user(&self, username: &str) -> bool {
        self.external_user_properties
            .iter()
            .any(|p| p.attribute_name == USERNAME_ATTRIBUTE && p.attribute_value == username)
    }

    /// The user names it maps to.
    pub fn usernames(&self) -> impl Iterator<Item = &str> {
        self.external_user_properties
            .iter()
            .filter(|p| p.attribute_name == USERNAME_ATTRIBUTE)
            .map(|p| p.attribute_value.as_str())
    }
}

/// `POST …/external_identities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIdentity {
    pub external_user_id: String,
    #[serde(default)]
    pub external_user_properties: Vec<UserProperty>,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// `PUT …/external_identities/{id}`: the given fields replace, omitted ones stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_properties: Option<Vec<UserProperty>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    #[serde(default = "first_page")]
    pub current: u32,
    #[serde(default = "default_search_size")]
    pub size: u32,
}

fn first_page() -> u32 {
    1
}

fn default_search_size() -> u32 {
    DEFAULT_SEARCH_PAGE_SIZE
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            current: 1,
            size: DEFAULT_SEARCH_PAGE_SIZE,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchFilters {
    /// Source ids; empty = every source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
    /// **ext**: documents carrying at least one of these tags; empty = no tag filter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// `POST /api/ws/v1/search`. An empty `query` lists every visible document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub page: PageRequest,
    #[serde(default)]
    pub filters: SearchFilters,
    /// **ext**: "Preview as": the results exactly as this user would see them (for search
    /// managers who may also manage security).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultMeta {
    pub source: String,
    /// **ext**: the source's name, for display.
    #[serde(default)]
    pub source_name: String,
    /// BM25 over the documents the asker may see (docs/search.md#non-interference), rounded to
    /// 3 decimals; higher is better. For the blank query: 0, or with a tag filter the number of
    /// tags shared with it.
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(rename = "_meta")]
    pub meta: ResultMeta,
    /// Text of the best-matching fragment, highlights between [`HIGHLIGHT_START`] and
    /// [`HIGHLIGHT_END`]; split it with [`snippet_parts`].
    #[serde(default)]
    pub snippet: String,
}

/// **ext**: visible matches per source (the source filter's counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCount {
    pub id: String,
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchMeta {
    pub page: PageMeta,
    #[serde(default)]
    pub sources: Vec<SourceCount>,
    /// **ext**: whose view this is (the caller, or the "Preview as" user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub meta: SearchMeta,
    pub results: Vec<SearchResult>,
}

/// **ext**: one user's view of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccess {
    pub username: String,
    #[serde(default)]
    pub full_name: Option<String>,
    /// Whether the user may use the search app at all (the feature privilege).
    pub can_search: bool,
    /// The permissions the source's identities give the user.
    pub permissions: Vec<String>,
    pub visibility: Visibility,
}

impl UserAccess {
    pub fn sees_it(&self) -> bool {
        self.can_search && self.visibility.is_visible()
    }

    /// The visibility reason; without the search app, that first (and the rule's verdict too,
    /// when the document would be hidden anyway).
    pub fn reason(&self) -> String {
        match (self.can_search, self.visibility.is_visible()) {
            (true, _) => self.visibility.reason(),
            (false, true) => "No access to the Search app".to_string(),
            (false, false) => {
                let rule = self.visibility.reason();
                let mut chars = rule.chars();
                let lowered = chars
                    .next()
                    .map(|c| c.to_lowercase().chain(chars).collect::<String>())
                    .unwrap_or_default();
                format!("No access to the Search app; also {lowered}")
            }
        }
    }
}

/// **ext**: `GET …/documents/{id}/_access`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentAccess {
    pub source: String,
    pub id: String,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    pub users: Vec<UserAccess>,
}

/// Splits a snippet into `(text, highlighted)` runs at the highlight markers. Unbalanced markers
/// are tolerated: text after a stray start is highlighted, a stray end is dropped.
pub fn snippet_parts(snippet: &str) -> Vec<(String, bool)> {
    let mut parts: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut highlighted = false;
    for c in snippet.chars() {
        let switch_to = match c {
            HIGHLIGHT_START => Some(true),
            HIGHLIGHT_END => Some(false),
            _ => None,
        };
        match switch_to {
            Some(next) => {
                if !current.is_empty() {
                    parts.push((std::mem::take(&mut current), highlighted));
                }
                highlighted = next;
            }
            None => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push((current, highlighted));
    }
    parts
}

/// A string field of a document (`title`, `body`, `url`, …), if it is one.
pub fn document_text<'a>(document: &'a Document, field: &str) -> Option<&'a str> {
    document.get(field).and_then(Value::as_str)
}

/// A document's `tags`, when they are an array of strings (other values are skipped).
pub fn document_tags(document: &Document) -> Vec<String> {
    document
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn deny_wins_and_empty_allow_means_everyone() {
        let ir = set(&["ir-team"]);
        let contractor = set(&["contractors", "ir-team"]);
        assert_eq!(visibility(&set(&[]), &[], &[]), Visibility::Open);
        assert_eq!(
            visibility(&ir, &list(&["ir-team"]), &[]),
            Visibility::Allowed("ir-team".into())
        );
        assert_eq!(
            visibility(&set(&[]), &list(&["ir-team"]), &[]),
            Visibility::NotAllowed
        );
        assert_eq!(
            visibility(&contractor, &list(&["ir-team"]), &list(&["contractors"])),
            Visibility::Denied("contractors".into())
        );
        assert!(visible(&ir, &[], &list(&["contractors"])));
        assert!(!visible(&contractor, &[], &list(&["contractors"])));
        assert_eq!(
            Visibility::Denied("contractors".into()).reason(),
            "Denied by contractors"
        );
        assert_eq!(Visibility::NotAllowed.reason(), "No allowed permission");
    }

    #[test]
    fn identities_add_up_for_their_user_only() {
        let identity = |id: &str, user: &str, perms: &[&str]| ExternalIdentity {
            content_source_id: "s".into(),
            external_user_id: id.into(),
            external_user_properties: vec![UserProperty {
                attribute_name: USERNAME_ATTRIBUTE.into(),
                attribute_value: user.into(),
            }],
            permissions: list(perms),
        };
        let all = [
            identity("a", "alice", &["ir-team"]),
            identity("b", "alice", &["vip"]),
            identity("c", "bob", &["contractors"]),
        ];
        assert_eq!(permissions_of(&all, "alice"), set(&["ir-team", "vip"]));
        assert_eq!(permissions_of(&all, "bob"), set(&["contractors"]));
        assert!(permissions_of(&all, "carol").is_empty());
    }

    #[test]
    fn access_reasons_name_the_app_and_the_rule() {
        let access = |can_search, visibility| UserAccess {
            username: "bob".into(),
            full_name: None,
            can_search,
            permissions: vec![],
            visibility,
        };
        let denied = access(false, Visibility::Denied("contractors".into()));
        assert!(!denied.sees_it());
        assert_eq!(
            denied.reason(),
            "No access to the Search app; also denied by contractors"
        );
        assert_eq!(
            access(false, Visibility::Open).reason(),
            "No access to the Search app"
        );
        let allowed = access(true, Visibility::Allowed("ir-team".into()));
        assert!(allowed.sees_it());
        assert_eq!(allowed.reason(), "Allowed by ir-team");
    }

    #[test]
    fn snippets_split_at_markers() {
        let s = format!("a {HIGHLIGHT_START}b{HIGHLIGHT_END} c {HIGHLIGHT_START}d");
        assert_eq!(
            snippet_parts(&s),
            vec![
                ("a ".to_string(), false),
                ("b".to_string(), true),
                (" c ".to_string(), false),
                ("d".to_string(), true)
            ]
        );
        assert_eq!(snippet_parts(""), vec![]);
        assert_eq!(
            snippet_parts(&format!("<b>{HIGHLIGHT_END}x")),
            vec![("<b>".to_string(), false), ("x".to_string(), false)]
        );
    }

    #[test]
    fn paths_encode_segments_and_pages_round_up() {
        assert_eq!(
            document_path("runbooks", "a/b"),
            "/api/ws/v1/sources/runbooks/documents/a%2Fb"
        );
        assert_eq!(PageMeta::new(1, 10, 21).total_pages, 3);
        assert_eq!(PageMeta::new(1, 10, 0).total_pages, 0);
    }
}

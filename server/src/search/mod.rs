//! Searchable sources with document-level permissions (docs/search.md): document validation, SQLite
//! storage with an FTS5 index, external identities, and the search that filters hidden documents
//! before it counts, pages or snippets anything.
//!
//! Who sees a document is decided by one pure function, `gatehouse_api::search::visibility`,
//! applied to the permissions a user's identities in the document's source add up to
//! ([`Viewer`]). Everything that reveals documents — results, totals, per-source counts, fetch by
//! id, destroy — goes through [`Viewer::sees`]; identities are read on every request, so a
//! permission change applies to the next one.

mod documents;
mod query;
mod ranking;
pub(crate) mod routes;
mod store;
#[cfg(test)]
mod tests;

pub(crate) use documents::*;
pub(crate) use query::*;
pub(crate) use store::*;

/// What the store's property tests call directly.
pub use crate::seed::runbooks::{runbook_documents, runbook_identities};
pub use documents::validate_document;
pub use query::{fts_query, search};
pub use store::{
    get_document, get_source, insert_source, list_documents, list_sources, put_identity,
    upsert_document, Viewer,
};

/// Largest JSON size of one document field.
pub const MAX_FIELD_BYTES: usize = 100_000;
pub const MAX_ID_CHARS: usize = 512;
pub const MAX_FIELD_NAME_CHARS: usize = 64;
pub const MAX_PERMISSION_CHARS: usize = 256;
pub const MAX_PERMISSIONS: usize = 1_000;
pub const MAX_QUERY_CHARS: usize = 1_024;
pub const MAX_NAME_CHARS: usize = 256;
/// Tokens of a query beyond this are ignored.
pub const MAX_QUERY_TOKENS: usize = 32;
/// Tokens in a snippet (FTS5's `snippet()` limit is 64).
const SNIPPET_TOKENS: i64 = 24;
const PLAIN_SNIPPET_CHARS: usize = 180;

/// The demo source seeded on first start.
pub const RUNBOOKS_SOURCE: &str = "runbooks";
pub const RUNBOOKS_NAME: &str = "Runbooks";
/// A role granting the search app's `read` privilege in the default space, seeded for admins to
/// hand out.
pub const SEARCH_USER_ROLE: &str = "search_user";

/// String fields with a fixed meaning; they must be strings (or null) when present.
const TEXT_FIELDS: &[&str] = &["title", "body", "url", "type", "created_at"];

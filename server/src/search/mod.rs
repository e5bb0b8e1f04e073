//! Searchable sources with document-level permissions (contract §9): document validation, SQLite
//! storage with an FTS5 index, external identities, and the search that filters hidden documents
//! before it counts, pages or snippets anything.
//!
//! Who sees a document is decided by one pure function, `gatehouse_api::search::visibility`,
//! applied to the permissions a user's identities in the document's source add up to
//! ([`Viewer`]). Everything that reveals documents — results, totals, per-source counts, fetch by
//! id, destroy — goes through [`Viewer::sees`]; identities are read on every request, so a
//! permission change applies to the next one.

pub(crate) mod routes;

use std::collections::{BTreeSet, HashMap};

use gatehouse_api::admin::RoleDescriptor;
use gatehouse_api::search::{
    permissions_of, BulkCreateResult, Document, DocumentAccess, ExternalIdentity, PageMeta,
    SearchMeta, SearchRequest, SearchResponse, SearchResult, Source, SourceCount, UserAccess,
    UserProperty, ALLOW_PERMISSIONS, DENY_PERMISSIONS, HIGHLIGHT_END, HIGHLIGHT_START,
    SEARCH_API_TAG, USERNAME_ATTRIBUTE,
};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::admin::roles;
use crate::admin::user_store as users;
use crate::authz::{self, Subject};
use crate::platform::db::{self, Db};

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

// ---------------------------------------------------------------------------------------------
// Documents: validation
// ---------------------------------------------------------------------------------------------

/// A document that passed validation, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDocument {
    pub id: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    /// Every field as sent (including `id` and the permission lists, normalised).
    pub fields: Document,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string_list(name: &str, value: &Value, errors: &mut Vec<String>) -> Vec<String> {
    let Some(items) = value.as_array() else {
        errors.push(format!(
            "'{name}' must be an array of strings, not {}",
            json_kind(value)
        ));
        return Vec::new();
    };
    let mut out = BTreeSet::new();
    for item in items {
        match item.as_str() {
            Some(s) if s.trim().is_empty() => {
                errors.push(format!("'{name}' must not contain empty strings"));
                return Vec::new();
            }
            Some(s) if s.chars().count() > MAX_PERMISSION_CHARS => {
                errors.push(format!(
                    "'{name}' entries must be at most {MAX_PERMISSION_CHARS} characters"
                ));
                return Vec::new();
            }
            Some(s) => {
                out.insert(s.to_string());
            }
            None => {
                errors.push(format!(
                    "'{name}' must be an array of strings, but contains {}",
                    json_kind(item)
                ));
                return Vec::new();
            }
        }
    }
    if out.len() > MAX_PERMISSIONS {
        errors.push(format!(
            "'{name}' must have at most {MAX_PERMISSIONS} entries"
        ));
        return Vec::new();
    }
    out.into_iter().collect()
}

fn valid_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_FIELD_NAME_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Removes the highlight markers from text that goes into the index, so a snippet's markers can
/// only come from the server.
pub fn index_text(text: &str) -> String {
    text.chars()
        .filter(|c| *c != HIGHLIGHT_START && *c != HIGHLIGHT_END)
        .collect()
}

/// Checks one `bulk_create` input. On failure, the result entry with every error found.
pub fn validate_document(value: &Value) -> Result<ValidDocument, BulkCreateResult> {
    let Some(object) = value.as_object() else {
        return Err(BulkCreateResult {
            id: None,
            errors: vec![format!(
                "Document must be a JSON object, not {}",
                json_kind(value)
            )],
        });
    };
    let mut errors = Vec::new();
    let id = match object.get("id") {
        None | Some(Value::Null) => {
            errors.push("Missing required key 'id'".to_string());
            None
        }
        Some(Value::String(id)) => {
            if id.trim().is_empty() {
                errors.push("'id' must not be empty".to_string());
            } else if id.chars().count() > MAX_ID_CHARS {
                errors.push(format!("'id' must be at most {MAX_ID_CHARS} characters"));
            }
            Some(id.clone())
        }
        Some(other) => {
            errors.push(format!("'id' must be a string, not {}", json_kind(other)));
            None
        }
    };
    let mut allow = Vec::new();
    let mut deny = Vec::new();
    let mut tags = Vec::new();
    for (name, field) in object {
        if name == ALLOW_PERMISSIONS {
            allow = string_list(name, field, &mut errors);
            continue;
        }
        if name == DENY_PERMISSIONS {
            deny = string_list(name, field, &mut errors);
            continue;
        }
        if !valid_field_name(name) {
            errors.push(format!(
                "Invalid field name '{}': use 1 to {MAX_FIELD_NAME_CHARS} lower-case letters, digits and underscores",
                name.chars().take(80).collect::<String>()
            ));
            continue;
        }
        if name.starts_with('_') {
            errors.push(format!("'{name}' is a reserved field name"));
            continue;
        }
        let size = serde_json::to_string(field).map(|s| s.len()).unwrap_or(0);
        if size > MAX_FIELD_BYTES {
            errors.push(format!(
                "'{name}' is too large: {size} bytes (the limit is {MAX_FIELD_BYTES})"
            ));
            continue;
        }
        if TEXT_FIELDS.contains(&name.as_str()) && !matches!(field, Value::String(_) | Value::Null)
        {
            errors.push(format!(
                "'{name}' must be a string, not {}",
                json_kind(field)
            ));
        }
        if name == "tags" {
            tags = string_list(name, field, &mut errors);
        }
    }
    if !errors.is_empty() {
        return Err(BulkCreateResult { id, errors });
    }
    let id = id.unwrap_or_default();
    let mut fields = object.clone();
    fields.insert(ALLOW_PERMISSIONS.into(), json!(allow));
    fields.insert(DENY_PERMISSIONS.into(), json!(deny));
    let text = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .map(index_text)
            .unwrap_or_default()
    };
    Ok(ValidDocument {
        title: text("title"),
        body: text("body"),
        id,
        tags,
        fields,
        allow,
        deny,
    })
}

/// The document as the caller may read it: without the permission lists unless they manage the
/// source.
pub fn public_fields(mut fields: Document, manager: bool) -> Document {
    if !manager {
        fields.remove(ALLOW_PERMISSIONS);
        fields.remove(DENY_PERMISSIONS);
    }
    fields
}

// ---------------------------------------------------------------------------------------------
// Viewers: the permissions a user holds per source
// ---------------------------------------------------------------------------------------------

/// Whose eyes a request looks through: the permissions the identities of each source give one
/// user, read fresh for each request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Viewer {
    pub username: String,
    pub permissions: HashMap<String, BTreeSet<String>>,
}

impl Viewer {
    pub fn load(conn: &Connection, username: &str) -> anyhow::Result<Viewer> {
        let mut by_source: HashMap<String, Vec<ExternalIdentity>> = HashMap::new();
        for identity in all_identities(conn, None)? {
            by_source
                .entry(identity.content_source_id.clone())
                .or_default()
                .push(identity);
        }
        let permissions = by_source
            .into_iter()
            .map(|(source, identities)| (source, permissions_of(&identities, username)))
            .filter(|(_, permissions)| !permissions.is_empty())
            .collect();
        Ok(Viewer {
            username: username.to_string(),
            permissions,
        })
    }

    pub fn permissions_in(&self, source: &str) -> BTreeSet<String> {
        self.permissions.get(source).cloned().unwrap_or_default()
    }

    /// The visibility rule for a document of `source`.
    pub fn sees(&self, source: &str, allow: &[String], deny: &[String]) -> bool {
        static NONE: BTreeSet<String> = BTreeSet::new();
        let permissions = self.permissions.get(source).unwrap_or(&NONE);
        gatehouse_api::search::visible(permissions, allow, deny)
    }
}

fn parse_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

pub fn new_source_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..24].to_string()
}

pub fn source_name(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT name FROM ws_sources WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

pub fn source_name_taken(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM ws_sources WHERE name = ?1 COLLATE NOCASE)",
        [name],
        |r| r.get(0),
    )
}

pub fn insert_source(conn: &Connection, id: &str, name: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO ws_sources (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![id, name, db::now_secs()],
    )?;
    Ok(())
}

/// Deletes a source with its documents and identities. Whether it existed.
pub fn delete_source(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM ws_sources WHERE id = ?1", [id])? > 0)
}

/// Documents of each source the viewer sees. Open documents (no lists) are counted in SQL; only
/// restricted ones are checked one by one.
pub fn visible_counts(conn: &Connection, viewer: &Viewer) -> anyhow::Result<HashMap<String, u64>> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut open = conn.prepare_cached(
        "SELECT source_id, COUNT(*) FROM ws_documents
         WHERE allow_perms = '[]' AND deny_perms = '[]' GROUP BY source_id",
    )?;
    for row in open.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (source, count) = row?;
        *counts.entry(source).or_default() += u64::try_from(count).unwrap_or(0);
    }
    let mut restricted = conn.prepare_cached(
        "SELECT source_id, allow_perms, deny_perms FROM ws_documents
         WHERE allow_perms != '[]' OR deny_perms != '[]'",
    )?;
    let rows = restricted.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (source, allow, deny) = row?;
        if viewer.sees(&source, &parse_list(&allow), &parse_list(&deny)) {
            *counts.entry(source).or_default() += 1;
        }
    }
    Ok(counts)
}

/// Every source by name, with the viewer's document counts.
pub fn list_sources(conn: &Connection, viewer: &Viewer) -> anyhow::Result<Vec<Source>> {
    let counts = visible_counts(conn, viewer)?;
    let mut stmt =
        conn.prepare_cached("SELECT id, name FROM ws_sources ORDER BY name COLLATE NOCASE, id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name) = row?;
        let document_count = counts.get(&id).copied().unwrap_or(0);
        out.push(Source {
            id,
            name,
            document_count,
        });
    }
    Ok(out)
}

pub fn get_source(conn: &Connection, viewer: &Viewer, id: &str) -> anyhow::Result<Option<Source>> {
    let Some(name) = source_name(conn, id)? else {
        return Ok(None);
    };
    let counts = visible_counts(conn, viewer)?;
    Ok(Some(Source {
        id: id.to_string(),
        name,
        document_count: counts.get(id).copied().unwrap_or(0),
    }))
}

// ---------------------------------------------------------------------------------------------
// Documents: storage
// ---------------------------------------------------------------------------------------------

/// Inserts or replaces a document (by source and id).
pub fn upsert_document(
    conn: &Connection,
    source: &str,
    document: &ValidDocument,
) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO ws_documents (source_id, doc_id, title, body, tags, fields, allow_perms, deny_perms, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (source_id, doc_id) DO UPDATE SET
            title = excluded.title, body = excluded.body, tags = excluded.tags,
            fields = excluded.fields, allow_perms = excluded.allow_perms,
            deny_perms = excluded.deny_perms, updated_at = excluded.updated_at",
    )?
    .execute(params![
        source,
        document.id,
        document.title,
        document.body,
        serde_json::to_string(
            &document
                .tags
                .iter()
                .map(|t| index_text(t))
                .collect::<Vec<_>>()
        )?,
        serde_json::to_string(&document.fields)?,
        serde_json::to_string(&document.allow)?,
        serde_json::to_string(&document.deny)?,
        db::now_millis(),
    ])?;
    Ok(())
}

struct StoredDocument {
    rowid: i64,
    fields: Document,
    allow: Vec<String>,
    deny: Vec<String>,
}

fn stored_document(
    conn: &Connection,
    source: &str,
    doc_id: &str,
) -> anyhow::Result<Option<StoredDocument>> {
    let row = conn
        .prepare_cached(
            "SELECT id, fields, allow_perms, deny_perms FROM ws_documents
             WHERE source_id = ?1 AND doc_id = ?2",
        )?
        .query_row([source, doc_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    Ok(row.map(|(rowid, fields, allow, deny)| StoredDocument {
        rowid,
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        allow: parse_list(&allow),
        deny: parse_list(&deny),
    }))
}

/// The document, when it exists and the viewer sees it; a hidden one is `None`, as a missing one.
pub fn get_document(
    conn: &Connection,
    viewer: &Viewer,
    source: &str,
    doc_id: &str,
) -> anyhow::Result<Option<Document>> {
    Ok(stored_document(conn, source, doc_id)?
        .filter(|d| viewer.sees(source, &d.allow, &d.deny))
        .map(|d| d.fields))
}

/// Deletes a document the viewer sees; a hidden one answers `false`, as a missing one.
pub fn destroy_document(
    conn: &Connection,
    viewer: &Viewer,
    source: &str,
    doc_id: &str,
) -> anyhow::Result<bool> {
    match stored_document(conn, source, doc_id)? {
        Some(d) if viewer.sees(source, &d.allow, &d.deny) => {
            conn.execute("DELETE FROM ws_documents WHERE id = ?1", [d.rowid])?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// One page of the viewer's documents of a source, by id, and how many they see in all.
pub fn list_documents(
    conn: &Connection,
    viewer: &Viewer,
    source: &str,
    current: u32,
    size: u32,
) -> anyhow::Result<(Vec<Document>, u64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT fields, allow_perms, deny_perms FROM ws_documents WHERE source_id = ?1 ORDER BY doc_id",
    )?;
    let rows = stmt.query_map([source], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let skip = (u64::from(current.max(1)) - 1) * u64::from(size);
    let mut total = 0u64;
    let mut page = Vec::new();
    for row in rows {
        let (fields, allow, deny) = row?;
        if !viewer.sees(source, &parse_list(&allow), &parse_list(&deny)) {
            continue;
        }
        if total >= skip && page.len() < size as usize {
            page.push(serde_json::from_str(&fields).unwrap_or_default());
        }
        total += 1;
    }
    Ok((page, total))
}

// ---------------------------------------------------------------------------------------------
// External identities
// ---------------------------------------------------------------------------------------------

fn row_to_identity(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExternalIdentity> {
    let properties: String = r.get(2)?;
    let permissions: String = r.get(3)?;
    Ok(ExternalIdentity {
        content_source_id: r.get(0)?,
        external_user_id: r.get(1)?,
        external_user_properties: serde_json::from_str(&properties).unwrap_or_default(),
        permissions: parse_list(&permissions),
    })
}

/// Identities of one source (or all), by source and external user id.
pub fn all_identities(
    conn: &Connection,
    source: Option<&str>,
) -> anyhow::Result<Vec<ExternalIdentity>> {
    let mut stmt = conn.prepare_cached(
        "SELECT source_id, external_user_id, properties, permissions FROM ws_identities
         WHERE ?1 IS NULL OR source_id = ?1 ORDER BY source_id, external_user_id",
    )?;
    let rows = stmt.query_map([source], row_to_identity)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get_identity(
    conn: &Connection,
    source: &str,
    external_user_id: &str,
) -> anyhow::Result<Option<ExternalIdentity>> {
    Ok(conn
        .prepare_cached(
            "SELECT source_id, external_user_id, properties, permissions FROM ws_identities
             WHERE source_id = ?1 AND external_user_id = ?2",
        )?
        .query_row([source, external_user_id], row_to_identity)
        .optional()?)
}

/// Inserts or replaces an identity.
pub fn put_identity(conn: &Connection, identity: &ExternalIdentity) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO ws_identities (source_id, external_user_id, properties, permissions, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (source_id, external_user_id) DO UPDATE SET
            properties = excluded.properties, permissions = excluded.permissions",
    )?
    .execute(params![
        identity.content_source_id,
        identity.external_user_id,
        serde_json::to_string(&identity.external_user_properties)?,
        serde_json::to_string(&identity.permissions)?,
        db::now_secs(),
    ])?;
    Ok(())
}

pub fn delete_identity(
    conn: &Connection,
    source: &str,
    external_user_id: &str,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM ws_identities WHERE source_id = ?1 AND external_user_id = ?2",
        [source, external_user_id],
    )? > 0)
}

/// Checks an identity's user properties and permissions; the errors, if any.
pub fn identity_errors(properties: &[UserProperty], permissions: &[String]) -> Vec<String> {
    let mut errors = Vec::new();
    for property in properties {
        if property.attribute_name != USERNAME_ATTRIBUTE {
            errors.push(format!(
                "Invalid attribute_name '{}': only {USERNAME_ATTRIBUTE} is allowed",
                property.attribute_name.chars().take(80).collect::<String>()
            ));
        } else if property.attribute_value.trim().is_empty() {
            errors.push(format!("{USERNAME_ATTRIBUTE} must not be empty"));
        }
    }
    if permissions.len() > MAX_PERMISSIONS {
        errors.push(format!(
            "'permissions' must have at most {MAX_PERMISSIONS} entries"
        ));
    }
    if permissions.iter().any(|p| p.trim().is_empty()) {
        errors.push("'permissions' must not contain empty strings".to_string());
    }
    if permissions
        .iter()
        .any(|p| p.chars().count() > MAX_PERMISSION_CHARS)
    {
        errors.push(format!(
            "'permissions' entries must be at most {MAX_PERMISSION_CHARS} characters"
        ));
    }
    errors
}

/// Sorted, without duplicates.
pub fn normalise_permissions(permissions: Vec<String>) -> Vec<String> {
    permissions
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/// The FTS5 query for what a user typed: its words (letters and digits), each quoted so no FTS
/// syntax gets through, all required; the last one also matches as a prefix unless the user
/// finished it with a space. `None` when there are no words.
pub fn fts_query(text: &str) -> Option<String> {
    let tokens: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_QUERY_TOKENS)
        .map(str::to_lowercase)
        .collect();
    let last = tokens.len().checked_sub(1)?;
    let open_end = !text.ends_with(char::is_whitespace);
    Some(
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i == last && open_end {
                    format!("\"{t}\"*")
                } else {
                    format!("\"{t}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

struct Candidate {
    rowid: i64,
    source: String,
    score: f64,
}

/// Searches as `viewer`: hidden documents are dropped first, then the rest is counted, paged and
/// snippeted. Sources and pages are validated by the caller.
pub fn search(
    conn: &Connection,
    viewer: &Viewer,
    request: &SearchRequest,
) -> anyhow::Result<SearchResponse> {
    let names: HashMap<String, String> = conn
        .prepare_cached("SELECT id, name FROM ws_sources")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let query = fts_query(&request.query);
    let blank = request.query.trim().is_empty();
    let tag_filter: BTreeSet<&str> = request.filters.tags.iter().map(String::as_str).collect();

    // Every visible match, best first.
    let mut matches: Vec<Candidate> = Vec::new();
    {
        let mut consider =
            |rowid: i64, source: String, allow: String, deny: String, tags: String, score: f64| {
                if !viewer.sees(&source, &parse_list(&allow), &parse_list(&deny)) {
                    return;
                }
                let mut score = score;
                if !tag_filter.is_empty() {
                    let overlap = parse_list(&tags)
                        .iter()
                        .filter(|t| tag_filter.contains(t.as_str()))
                        .count();
                    if overlap == 0 {
                        return;
                    }
                    if blank {
                        score = overlap as f64;
                    }
                }
                matches.push(Candidate {
                    rowid,
                    source,
                    score,
                });
            };
        match (&query, blank) {
            (Some(q), _) => {
                let mut stmt = conn.prepare_cached(
                    "SELECT d.id, d.source_id, d.allow_perms, d.deny_perms, d.tags,
                            bm25(ws_documents_fts, 10.0, 1.0, 4.0) AS r
                     FROM ws_documents_fts JOIN ws_documents d ON d.id = ws_documents_fts.rowid
                     WHERE ws_documents_fts MATCH ?1
                     ORDER BY r, d.id",
                )?;
                let rows = stmt.query_map([q], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get::<_, f64>(5)?,
                    ))
                })?;
                for row in rows {
                    let (rowid, source, allow, deny, tags, rank) = row?;
                    // bm25 is lower for better matches; scores are higher for better ones.
                    consider(rowid, source, allow, deny, tags, -rank);
                }
            }
            (None, true) => {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, source_id, allow_perms, deny_perms, tags FROM ws_documents
                     ORDER BY title COLLATE NOCASE, id",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?;
                for row in rows {
                    let (rowid, source, allow, deny, tags) = row?;
                    consider(rowid, source, allow, deny, tags, 0.0);
                }
            }
            // Punctuation only: nothing to look for.
            (None, false) => {}
        }
    }
    if blank && !tag_filter.is_empty() {
        // Related documents: the most shared tags first (stable, so title order breaks ties).
        matches.sort_by(|a, b| b.score.total_cmp(&a.score));
    }

    // Per-source counts ignore the source filter (they are that filter's choices).
    let mut per_source: HashMap<&str, u64> = HashMap::new();
    for m in &matches {
        *per_source.entry(m.source.as_str()).or_default() += 1;
    }
    let mut sources: Vec<SourceCount> = per_source
        .into_iter()
        .map(|(id, count)| SourceCount {
            id: id.to_string(),
            name: names.get(id).cloned().unwrap_or_default(),
            count,
        })
        .collect();
    sources.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });

    let source_filter: BTreeSet<&str> = request.filters.source.iter().map(String::as_str).collect();
    let filtered: Vec<&Candidate> = matches
        .iter()
        .filter(|m| source_filter.is_empty() || source_filter.contains(m.source.as_str()))
        .collect();
    let page = request.page;
    let total = filtered.len() as u64;
    let skip = (page.current.max(1) as usize - 1).saturating_mul(page.size as usize);
    let shown: Vec<&Candidate> = filtered
        .into_iter()
        .skip(skip)
        .take(page.size as usize)
        .collect();

    let rowids: Vec<i64> = shown.iter().map(|c| c.rowid).collect();
    let rowids_json = serde_json::to_string(&rowids)?;
    let snippets: HashMap<i64, String> = match &query {
        Some(q) if !rowids.is_empty() => {
            let mut stmt = conn.prepare_cached(
                "SELECT rowid, snippet(ws_documents_fts, 1, ?2, ?3, '…', ?4) FROM ws_documents_fts
                 WHERE ws_documents_fts MATCH ?1 AND rowid IN (SELECT value FROM json_each(?5))",
            )?;
            let rows = stmt.query_map(
                params![
                    q,
                    HIGHLIGHT_START.to_string(),
                    HIGHLIGHT_END.to_string(),
                    SNIPPET_TOKENS,
                    rowids_json
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            rows.collect::<rusqlite::Result<_>>()?
        }
        _ => HashMap::new(),
    };
    let mut documents: HashMap<i64, (String, String, String)> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, doc_id, fields, body FROM ws_documents
             WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([&rowids_json], |r| {
            Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        for row in rows {
            let (rowid, doc_id, fields, body) = row?;
            documents.insert(rowid, (doc_id, fields, body));
        }
    }
    let mut results = Vec::with_capacity(shown.len());
    for candidate in shown {
        let Some((doc_id, fields, body)) = documents.remove(&candidate.rowid) else {
            continue;
        };
        let fields: Document = serde_json::from_str(&fields).unwrap_or_default();
        let snippet = snippets
            .get(&candidate.rowid)
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| plain_snippet(&body));
        results.push(SearchResult {
            id: doc_id,
            title: gatehouse_api::search::document_text(&fields, "title")
                .unwrap_or_default()
                .to_string(),
            url: gatehouse_api::search::document_text(&fields, "url").map(str::to_string),
            tags: gatehouse_api::search::document_tags(&fields),
            meta: gatehouse_api::search::ResultMeta {
                source_name: names.get(&candidate.source).cloned().unwrap_or_default(),
                source: candidate.source.clone(),
                score: (candidate.score * 1000.0).round() / 1000.0,
            },
            snippet,
        });
    }
    Ok(SearchResponse {
        meta: SearchMeta {
            page: PageMeta::new(page.current, page.size, total),
            sources,
            as_user: None,
        },
        results,
    })
}

/// The start of a body, cut at a word boundary, for results without a query match to show.
pub fn plain_snippet(body: &str) -> String {
    let collapsed = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= PLAIN_SNIPPET_CHARS {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(PLAIN_SNIPPET_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > PLAIN_SNIPPET_CHARS / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

// ---------------------------------------------------------------------------------------------
// Access panel (ext)
// ---------------------------------------------------------------------------------------------

/// May `subject` use the search app in `space` (the feature's `read` API tag)?
pub fn can_search(subject: &Subject, space: &str) -> bool {
    let action = authz::api_action(SEARCH_API_TAG);
    authz::check_kibana_actions(subject, space, &[action.as_str()]).allowed()
}

/// Every enabled user's view of one document the caller sees (`None` when missing or hidden from
/// the caller).
pub fn document_access(
    conn: &Connection,
    caller: &Viewer,
    space: &str,
    source: &str,
    doc_id: &str,
) -> anyhow::Result<Option<DocumentAccess>> {
    let Some(document) = stored_document(conn, source, doc_id)? else {
        return Ok(None);
    };
    if !caller.sees(source, &document.allow, &document.deny) {
        return Ok(None);
    }
    let identities = all_identities(conn, Some(source))?;
    let mut users_access = Vec::new();
    for user in users::all_users(conn)?.into_iter().filter(|u| u.enabled) {
        let subject = users::subject_of(conn, &user)?;
        let permissions = permissions_of(&identities, &user.username);
        let visibility =
            gatehouse_api::search::visibility(&permissions, &document.allow, &document.deny);
        users_access.push(UserAccess {
            can_search: can_search(&subject, space),
            username: user.username,
            full_name: user.full_name,
            permissions: permissions.into_iter().collect(),
            visibility,
        });
    }
    Ok(Some(DocumentAccess {
        source: source.to_string(),
        id: doc_id.to_string(),
        allow: document.allow,
        deny: document.deny,
        users: users_access,
    }))
}

// ---------------------------------------------------------------------------------------------
// Demo data
// ---------------------------------------------------------------------------------------------

struct Runbook {
    id: &'static str,
    title: &'static str,
    tags: &'static [&'static str],
    allow: &'static [&'static str],
    deny: &'static [&'static str],
    body: &'static str,
}

const IR: &[&str] = &["ir-team"];
const OPEN: &[&str] = &[];

/// Incident-response runbooks, tagged with the lead generator's tags (entity type, `<level>-risk`,
/// `alerts`, asset criticality) so leads can find them.
const RUNBOOKS: &[Runbook] = &[
    Runbook {
        id: "rb-001",
        title: "Isolate a compromised host",
        tags: &["host", "critical-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "When a host shows signs of compromise (ransomware notes, beaconing, credential dumping), isolate it from the network with the endpoint agent before anything else. Keep the machine powered on so memory can be captured. Record the isolation time, the analyst and the lead that triggered it, then notify the asset owner.",
    },
    Runbook {
        id: "rb-002",
        title: "Ransomware containment and recovery",
        tags: &["host", "critical-risk", "extreme_impact", "alerts"],
        allow: IR,
        deny: OPEN,
        body: "Ransomware playbook for the IR team. Disable the affected accounts, block the encryption process hashes fleet-wide, isolate every host that contacted the same command-and-control address and snapshot file shares. Do not pay or contact the actors; legal and the CISO decide on disclosure. Restore from the offline backups only after the initial access vector is closed.",
    },
    Runbook {
        id: "rb-003",
        title: "Triage a high-risk user account",
        tags: &["user", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Review the user's sign-in history, MFA prompts and recent privilege changes. Compare the source addresses with the user's usual locations. If any sign-in is unexplained, revoke the user's sessions and ask them to confirm the activity through a known channel.",
    },
    Runbook {
        id: "rb-004",
        title: "Reset credentials of a privileged account",
        tags: &["user", "critical-risk", "high_impact"],
        allow: OPEN,
        deny: &["contractors"],
        body: "Step-by-step credential reset for domain administrators and service owners: rotate the password and the Kerberos keys twice, revoke refresh tokens, re-enrol MFA, and review delegated permissions. Uses the break-glass vault procedure, which is not shared with contractors.",
    },
    Runbook {
        id: "rb-005",
        title: "Suspicious service account activity",
        tags: &["service", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Service accounts should sign in from a fixed set of hosts at predictable times. Alert on interactive logons, new source hosts and access to systems outside the service's scope. Confirm with the service owner, then rotate the account's credentials and restrict where it may log on.",
    },
    Runbook {
        id: "rb-006",
        title: "Lateral movement investigation",
        tags: &["host", "user", "high-risk", "alerts"],
        allow: IR,
        deny: OPEN,
        body: "Trace remote logons, SMB and WinRM sessions and remote service creation from the first compromised host. Build a timeline of every account used and every host reached. Contain hosts in the order the attacker reached them and hunt for persistence on each.",
    },
    Runbook {
        id: "rb-007",
        title: "Phishing triage: reported emails",
        tags: &["user", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "For each reported email, extract the sender, links and attachments. Detonate attachments in the sandbox, search mailboxes for the same message and purge it. If anyone clicked, reset the user's password and check for new inbox rules and OAuth grants.",
    },
    Runbook {
        id: "rb-008",
        title: "Business email compromise response",
        tags: &["user", "critical-risk", "high_impact"],
        allow: IR,
        deny: OPEN,
        body: "When a mailbox is used to redirect payments: freeze pending wire transfers with finance, remove forwarding rules, revoke sessions and app passwords, and preserve the mailbox audit log. Coordinate with the bank's fraud team within the first hours.",
    },
    Runbook {
        id: "rb-009",
        title: "Malware on a workstation: the first hour",
        tags: &["host", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Confirm the detection, collect the process tree and the file hash, and look the hash up in threat intelligence. Quarantine the file, run a full scan and check whether the same hash appears on other hosts. Escalate to the IR team when the malware has network capability.",
    },
    Runbook {
        id: "rb-010",
        title: "Exposed cloud service credentials",
        tags: &["service", "critical-risk", "extreme_impact"],
        allow: IR,
        deny: OPEN,
        body: "Leaked cloud access keys: deactivate the key at once, list every API call made with it since the leak, and look for new users, keys, roles and compute instances. Rotate secrets the service could read and review the storage buckets it had access to for exfiltration.",
    },
    Runbook {
        id: "rb-011",
        title: "Brute-force attempts against the VPN gateway",
        tags: &["service", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Many failed logons from few addresses: block the sources at the edge, check for any successful logon from them and make sure lockout thresholds are enforced. Password spraying across many users looks different: low counts per user from many addresses.",
    },
    Runbook {
        id: "rb-012",
        title: "Data exfiltration: evidence collection",
        tags: &["host", "user", "critical-risk", "extreme_impact"],
        allow: IR,
        deny: OPEN,
        body: "Collect proxy and firewall logs for large outbound transfers, cloud storage uploads and DNS anomalies. Image the hosts involved, hash every image and record the chain of custody. Estimate what data left and inform legal before anyone contacts the user.",
    },
    Runbook {
        id: "rb-013",
        title: "Insider threat: coordinating with HR",
        tags: &["user", "high-risk", "high_impact"],
        allow: IR,
        deny: OPEN,
        body: "Investigations of an employee run quietly: no account changes that would alert them until HR and legal agree. Monitor file access and mail forwarding, preserve evidence and keep the circle of people who know to a minimum.",
    },
    Runbook {
        id: "rb-014",
        title: "VIP laptop: handling the CFO's device",
        tags: &["host", "user", "extreme_impact"],
        allow: &["vip-care"],
        deny: OPEN,
        body: "The CFO's laptop is handled by two named responders only. Collect it in person, image it in the secure room, and never attach it to the shared forensic network. Notes about the device stay in this source.",
    },
    Runbook {
        id: "rb-015",
        title: "Impossible travel sign-ins",
        tags: &["user", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Two sign-ins too far apart for the time between them. Rule out VPN egress points and mobile carriers first, then ask the user. If the second sign-in is not theirs, revoke sessions and reset the password.",
    },
    Runbook {
        id: "rb-016",
        title: "Web shell on an internet-facing server",
        tags: &["host", "service", "critical-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "A script in the web root that runs commands: take the server out of the load balancer, copy the web root and logs, and find the upload request in the access log. Patch the vulnerable application before rebuilding the server from a clean image.",
    },
    Runbook {
        id: "rb-017",
        title: "Kerberoasting follow-up",
        tags: &["user", "service", "high-risk"],
        allow: OPEN,
        deny: OPEN,
        body: "Many service ticket requests with RC4 encryption from one user: find which service accounts were targeted, give them long random passwords, and check whether the requesting account was compromised.",
    },
    Runbook {
        id: "rb-018",
        title: "Domain controller compromise",
        tags: &["host", "critical-risk", "extreme_impact"],
        allow: IR,
        deny: OPEN,
        body: "Assume the whole domain is compromised. Reset the KRBTGT account twice, rebuild trust from a clean domain controller, and hunt for golden tickets, new administrators and modified group policies. This runbook names the out-of-band communication channels.",
    },
    Runbook {
        id: "rb-019",
        title: "Low-risk alert hygiene: closing the noise",
        tags: &["host", "low-risk", "alerts", "low_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "Low-risk hosts with many low-severity alerts: group the alerts by rule, tune the rules that fire on known-good behaviour and document each exception with an owner and an expiry date.",
    },
    Runbook {
        id: "rb-020",
        title: "Moderate-risk host review checklist",
        tags: &["host", "moderate-risk", "medium_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "Check patch level, local administrators, autoruns and recent software installs. Confirm the endpoint agent is healthy and reporting. Close the lead with a note when nothing stands out.",
    },
    Runbook {
        id: "rb-021",
        title: "Unusual process on a database server",
        tags: &["host", "service", "high-risk", "high_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "A shell or scripting engine spawned by the database service often means SQL injection or a stolen database account. Capture the command line, the parent process and the database audit log, and check for new database users.",
    },
    Runbook {
        id: "rb-022",
        title: "Suspicious PowerShell execution",
        tags: &["host", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Encoded commands, download cradles and AMSI bypasses: decode the script block log, extract every address and file it touched, and search for the same script on other hosts.",
    },
    Runbook {
        id: "rb-023",
        title: "MFA fatigue attack",
        tags: &["user", "high-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Many push prompts in a short time means someone has the password. Reset it, revoke sessions, switch the user to number matching, and check whether any prompt was approved.",
    },
    Runbook {
        id: "rb-024",
        title: "API key committed to source code",
        tags: &["service", "high-risk", "medium_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "Revoke the key, issue a new one through the secrets manager and rewrite the repository history only after revocation. Review the provider's logs for use of the key since the commit.",
    },
    Runbook {
        id: "rb-025",
        title: "DNS tunnelling investigation",
        tags: &["host", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Long, random-looking subdomains and high query volumes to one domain: identify the process making the queries, block the domain and check when the traffic started.",
    },
    Runbook {
        id: "rb-026",
        title: "Evidence preservation and chain of custody",
        tags: &["host", "user", "service", "critical-risk"],
        allow: IR,
        deny: OPEN,
        body: "Every image, log export and memory capture gets a hash, a label and a custody record naming who held it and when. Store evidence in the sealed evidence share; never analyse originals.",
    },
    Runbook {
        id: "rb-027",
        title: "Contacting law enforcement",
        tags: &["critical-risk", "extreme_impact"],
        allow: IR,
        deny: OPEN,
        body: "Only the IR lead, with legal, contacts law enforcement. This runbook lists the contacts, what to hand over and what must stay confidential.",
    },
    Runbook {
        id: "rb-028",
        title: "Escalation matrix and on-call rota",
        tags: &["alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Who to call for which severity: critical leads page the on-call responder at once, high leads within the hour, moderate and low leads are reviewed on the next business day.",
    },
    Runbook {
        id: "rb-029",
        title: "Outage or attack? Telling them apart",
        tags: &["service", "moderate-risk", "medium_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "A service that stops answering may be failing or under attack. Check deployments and capacity first, then look for traffic floods, configuration changes by unexpected accounts and deleted resources.",
    },
    Runbook {
        id: "rb-030",
        title: "Unmanaged device on the network",
        tags: &["host", "low-risk", "low_impact"],
        allow: OPEN,
        deny: OPEN,
        body: "A host without the endpoint agent: find its switch port or access point, identify the owner, and either enrol the device or move it to the guest network.",
    },
    Runbook {
        id: "rb-031",
        title: "Account takeover of a low-risk user",
        tags: &["user", "low-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Even a low-risk user's account can be a foothold: reset the password, revoke sessions and look for mailbox rules, new MFA devices and shared file links created by the attacker.",
    },
    Runbook {
        id: "rb-032",
        title: "Crypto-mining on a build server",
        tags: &["host", "service", "moderate-risk", "alerts"],
        allow: OPEN,
        deny: OPEN,
        body: "Sustained CPU use by an unknown process and connections to mining pools: kill the process, find how it started (often a poisoned dependency or an exposed CI runner) and rotate the secrets the build server holds.",
    },
];

/// Demo identities of the Runbooks source: `(external_user_id, users, permissions)`.
/// `leads_full_user` holds two, which add up to `ir-team` + `vip-care`.
const RUNBOOK_IDENTITIES: &[(&str, &[&str], &[&str])] = &[
    ("ir-lead", &["leads_full_user"], &["ir-team"]),
    ("soc-admin", &["elastic"], &["ir-team"]),
    ("vip-desk", &["leads_full_user", "elastic"], &["vip-care"]),
    ("contractor-bob", &["bob"], &["contractors"]),
    (
        "contractor-night-shift",
        &["leads_no_access_user"],
        &["contractors"],
    ),
];

pub fn runbook_documents() -> Vec<Value> {
    RUNBOOKS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "id": r.id,
                "title": r.title,
                "body": r.body,
                "url": format!("https://runbooks.gatehouse.example/{}", r.id),
                "type": "runbook",
                "created_at": format!("2025-01-{:02}T09:00:00Z", 1 + i % 28),
                "tags": r.tags,
                ALLOW_PERMISSIONS: r.allow,
                DENY_PERMISSIONS: r.deny,
            })
        })
        .collect()
}

pub fn runbook_identities() -> Vec<ExternalIdentity> {
    RUNBOOK_IDENTITIES
        .iter()
        .map(|(id, users, permissions)| ExternalIdentity {
            content_source_id: RUNBOOKS_SOURCE.into(),
            external_user_id: id.to_string(),
            external_user_properties: users
                .iter()
                .map(|u| UserProperty {
                    attribute_name: USERNAME_ATTRIBUTE.into(),
                    attribute_value: u.to_string(),
                })
                .collect(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
        })
        .collect()
}

const SEEDED_KEY: &str = "runbooks_seeded";

/// Seeds the `Runbooks` source, its identities and the `search_user` role, once per database
/// (a deleted source stays deleted). Returns whether it seeded.
pub fn seed_runbooks(db: &Db) -> anyhow::Result<bool> {
    db.write_blocking(|conn| {
        let tx = conn.transaction()?;
        let seeded: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM ws_meta WHERE key = ?1)",
            [SEEDED_KEY],
            |r| r.get(0),
        )?;
        if seeded {
            return Ok(false);
        }
        if source_name(&tx, RUNBOOKS_SOURCE)?.is_none() {
            insert_source(&tx, RUNBOOKS_SOURCE, RUNBOOKS_NAME)?;
        }
        for document in runbook_documents() {
            let valid = validate_document(&document)
                .map_err(|e| anyhow::anyhow!("demo runbook is invalid: {:?}", e.errors))?;
            upsert_document(&tx, RUNBOOKS_SOURCE, &valid)?;
        }
        for identity in runbook_identities() {
            put_identity(&tx, &identity)?;
        }
        if roles::get_role(&tx, SEARCH_USER_ROLE)?.is_none() {
            let role = RoleDescriptor {
                applications: vec![authz::app_grant(
                    gatehouse_api::security::KIBANA_APPLICATION,
                    &[&format!(
                        "feature_{}.read",
                        gatehouse_api::search::FEATURE_ID
                    )],
                    &["space:default"],
                )],
                metadata: json!({}),
                description: Some("Searches the sources of the Search app.".into()),
                ..Default::default()
            };
            roles::store_role(&tx, SEARCH_USER_ROLE, &role)?;
        }
        tx.execute(
            "INSERT INTO ws_meta (key, value) VALUES (?1, ?2)",
            params![SEEDED_KEY, db::now_secs().to_string()],
        )?;
        tx.commit()?;
        tracing::info!(
            documents = RUNBOOKS.len(),
            "seeded the Runbooks search source"
        );
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(many.contains(
            &"'_allow_permissions' must be an array of strings, not a string".to_string()
        ));
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
}

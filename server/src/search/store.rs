//! Sources, documents and external identities in SQLite, and the viewers they are read for.

use std::collections::{BTreeSet, HashMap};

use gatehouse_api::search::{
    permissions_of, Document, ExternalIdentity, Source, UserProperty, USERNAME_ATTRIBUTE,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::platform::db::{self};

use super::*;

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

pub(crate) fn parse_list(text: &str) -> Vec<String> {
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

pub(crate) struct StoredDocument {
    pub(crate) rowid: i64,
    pub(crate) fields: Document,
    pub(crate) allow: Vec<String>,
    pub(crate) deny: Vec<String>,
}

pub(crate) fn stored_document(
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

/// Deletes a document the viewer sees, answering what it was; a hidden one answers `None`, as a
/// missing one.
pub(crate) fn destroy_document(
    conn: &Connection,
    viewer: &Viewer,
    source: &str,
    doc_id: &str,
) -> anyhow::Result<Option<StoredDocument>> {
    match stored_document(conn, source, doc_id)? {
        Some(d) if viewer.sees(source, &d.allow, &d.deny) => {
            conn.execute("DELETE FROM ws_documents WHERE id = ?1", [d.rowid])?;
            Ok(Some(d))
        }
        _ => Ok(None),
    }
}

/// A document's permissions as the audit records them (docs/search.md#audit).
pub(crate) fn permissions_json(allow: &[String], deny: &[String]) -> serde_json::Value {
    serde_json::json!({ "allow": allow, "deny": deny })
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

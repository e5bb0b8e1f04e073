//! Leads under document- and field-level security (docs/privileges.md, "Document- and
//! field-level security"): find, counts and status changes that see only the leads a caller's
//! grants let through, with only the fields they grant.
//!
//! A role's query may name any wire field of a lead, `staleness` included (computed from the
//! timestamp at read time), so the filter runs in Rust on each lead's wire JSON after it is
//! read, not in SQL. That read of every lead is done once per view and database generation, for
//! every status at once (`find_cache::VisibleLeads`, kept until the next write, or until a lead
//! changes staleness when a query tests it; requests that miss together share one read); a find
//! then walks the index's rowids in order and reads only its page's bodies. The unrestricted path (`store::find_leads_json`) is not touched.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rusqlite::{params, Connection};
use serde_json::Value;

use gatehouse_api::leads::{FindLeadsQuery, SortField};

use super::find_cache::{FindCache, VisibleLeads};
use super::store::{find_sql, push_wire_lead, staleness_and_next_change, wire_lead, WirePage};
use crate::authz::{top_level_fields, DocumentAccess, DocumentFilter};
use crate::platform::db;
use gatehouse_api::doc_query::LEAD_FIELDS;

/// The leads of `index` that `access` lets through, by rowid, whatever their status: one read of
/// every lead, each filtered as its reader would get it.
pub fn visible_leads(
    conn: &Connection,
    index: &str,
    access: &DocumentAccess,
    now_ms: i64,
) -> anyhow::Result<VisibleLeads> {
    let mut stmt =
        conn.prepare_cached("SELECT rowid, body, status FROM leads WHERE index_name = ?1")?;
    let mut rows = stmt.query(params![index])?;
    let mut rowids = HashSet::new();
    let mut by_status: HashMap<String, usize> = HashMap::new();
    let mut count = |status: &str| match by_status.get_mut(status) {
        Some(n) => *n += 1,
        None => {
            by_status.insert(status.to_string(), 1);
        }
    };
    let mut valid_until_ms = i64::MAX;
    let by_age = access.changes_with_time();
    let every_lead = access.documents == DocumentFilter::All;
    // Only the fields the queries test are read out of each body; the rest is skipped unparsed.
    let mut wanted = access.fields_tested(LEAD_FIELDS);
    if by_age {
        wanted.push("timestamp");
    }
    while let Some(r) = rows.next()? {
        if every_lead {
            rowids.insert(r.get(0)?);
            count(r.get_ref(2)?.as_str()?);
            continue;
        }
        let mut doc = serde_json::Map::new();
        for (key, text) in top_level_fields(r.get_ref(1)?.as_str()?)? {
            if wanted.contains(&key.as_str()) {
                doc.insert(key.as_str().to_string(), serde_json::from_str(text.get())?);
            }
        }
        if wanted.contains(&"status") {
            doc.insert("status".into(), Value::from(r.get_ref(2)?.as_str()?));
        }
        if wanted.contains(&"staleness") || by_age {
            let timestamp = doc.get("timestamp").and_then(Value::as_str).unwrap_or("");
            let (staleness, changes_at) = staleness_and_next_change(timestamp, now_ms);
            valid_until_ms = valid_until_ms.min(changes_at);
            doc.insert("staleness".into(), Value::from(staleness));
        }
        if access.sees(&Value::Object(doc)) {
            rowids.insert(r.get(0)?);
            count(r.get_ref(2)?.as_str()?);
        }
    }
    Ok(VisibleLeads {
        rowids,
        by_status,
        valid_until_ms,
    })
}

/// [`visible_leads`], kept in `cache` for the database's `generation` and reused while exact.
/// Callers that miss together wait for the first one's read rather than each reading every lead.
pub fn visible_leads_kept(
    conn: &Connection,
    cache: &FindCache,
    index: &str,
    access: &DocumentAccess,
    generation: u64,
) -> anyhow::Result<Arc<VisibleLeads>> {
    let view = access.key.as_deref().unwrap_or_default();
    if let Some(kept) = cache.visible(index, view, generation, db::now_millis()) {
        return Ok(kept);
    }
    let reading = cache.reading_lock(index, view);
    // A panic in another reader left nothing half-kept: reading again is safe.
    let _reading = reading
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let now = db::now_millis();
    if let Some(kept) = cache.visible(index, view, generation, now) {
        return Ok(kept);
    }
    let leads = Arc::new(visible_leads(conn, index, access, now)?);
    cache.keep_visible(index, view, generation, leads.clone());
    Ok(leads)
}

/// A role row's preview (docs/administration.md, "Checking index rows before saving"): how many
/// of the leads of `index` that `reader` may read `row` also lets through, and how many `reader`
/// may read. The row's own set is read with the same filter a restricted find uses, but not kept
/// in `cache`: a preview is asked once, and must not push out the sets readers use.
pub fn preview_counts(
    conn: &Connection,
    cache: &FindCache,
    index: &str,
    reader: &DocumentAccess,
    row: &DocumentAccess,
    generation: u64,
) -> anyhow::Result<(u64, u64)> {
    let readable = visible_leads_kept(conn, cache, index, reader, generation)?;
    let total = readable.rowids.len() as u64;
    if row.documents == DocumentFilter::All || readable.rowids.is_empty() {
        let matching = if readable.rowids.is_empty() { 0 } else { total };
        return Ok((matching, total));
    }
    let through = visible_leads(conn, index, row, db::now_millis())?;
    let matching = readable
        .rowids
        .iter()
        .filter(|rowid| through.rowids.contains(rowid))
        .count() as u64;
    Ok((matching, total))
}

/// The field a restricted find sorts by: the one asked for, unless field security hides it from
/// the caller, whose page order would then tell what it hides (leads "by priority" to someone
/// who may not see priorities); then the other sort field, if that one is visible.
pub fn visible_sort_field(asked: SortField, access: &DocumentAccess) -> SortField {
    let other = match asked {
        SortField::Priority => SortField::Timestamp,
        SortField::Timestamp => SortField::Priority,
    };
    if !access.sees_field(asked.wire_name()) && access.sees_field(other.wire_name()) {
        other
    } else {
        asked
    }
}

/// A page of a restricted find as read from the database: the stored leads (body and status)
/// in order, not yet filtered by field; [`visible_page_json`] turns it into the answer without
/// holding a connection.
pub struct VisiblePage {
    rows: Vec<(String, String)>,
    total: usize,
    valid_until_ms: i64,
}

/// The page `query` asks for of the `visible` leads. It walks the rowids of the index in the
/// query's order (an index-only scan) and reads the bodies of the page's leads alone.
pub fn read_visible_page(
    conn: &Connection,
    index: &str,
    query: &FindLeadsQuery,
    access: &DocumentAccess,
    visible: &VisibleLeads,
) -> anyhow::Result<VisiblePage> {
    let limit = usize::try_from(query.per_page)?;
    let first = usize::try_from(query.page.saturating_sub(1))?.saturating_mul(limit);
    let total = visible.total(query.status.as_deref());
    let mut page = Vec::with_capacity(limit);
    if first < total {
        let sort_field = visible_sort_field(query.sort_field, access);
        let sql = find_sql(query.status.is_some(), sort_field, query.sort_order).replacen(
            "SELECT body, status",
            "SELECT rowid",
            1,
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = match &query.status {
            Some(status) => stmt.query(params![index, status, -1, 0])?,
            None => stmt.query(params![index, -1, 0])?,
        };
        let mut seen = 0usize;
        while let Some(r) = rows.next()? {
            let rowid: i64 = r.get(0)?;
            if !visible.rowids.contains(&rowid) {
                continue;
            }
            if seen >= first {
                page.push(rowid);
                if page.len() == limit {
                    break;
                }
            }
            seen += 1;
        }
    }
    let mut body = conn.prepare_cached("SELECT body, status FROM leads WHERE rowid = ?1")?;
    let rows = page
        .iter()
        .map(|rowid| body.query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?))))
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    Ok(VisiblePage {
        rows,
        total,
        valid_until_ms: visible.valid_until_ms,
    })
}

/// The find answer (`LeadsPage` as JSON) of a [`VisiblePage`], with the fields `access` grants;
/// `total` counts only the visible leads.
pub fn visible_page_json(
    page: VisiblePage,
    query: &FindLeadsQuery,
    access: &DocumentAccess,
) -> anyhow::Result<WirePage> {
    let now = db::now_millis();
    let mut out = String::with_capacity(64 + page.rows.len() * 1536);
    out.push_str("{\"leads\":[");
    let mut valid_until_ms = page.valid_until_ms;
    // One lead as its reader with every field would get it, before field security.
    let mut wire = String::new();
    for (n, (text, status)) in page.rows.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        if access.sees_every_field() {
            let changes_at = push_wire_lead(&mut out, text, status, now)?;
            valid_until_ms = valid_until_ms.min(changes_at);
        } else {
            wire.clear();
            let changes_at = push_wire_lead(&mut wire, text, status, now)?;
            valid_until_ms = valid_until_ms.min(changes_at);
            access.project_json(&wire, &mut out)?;
        }
    }
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "],\"total\":{},\"page\":{},\"perPage\":{}}}",
        page.total, query.page, query.per_page
    );
    Ok(WirePage {
        body: out,
        valid_until_ms,
    })
}

/// Whether a caller's write may reach a lead (its wire JSON): see `routes::write_targets`.
pub type MayChange = Box<dyn Fn(&Value) -> bool + Send + Sync>;

/// Sets the status of those of `ids` that exist in `index` and that `may_change` lets through
/// (as they are before the change); returns how many (duplicates once). The others are left
/// alone and not counted, as if they did not exist.
pub fn set_visible_status(
    conn: &mut Connection,
    index: &str,
    ids: &[String],
    status: &str,
    may_change: MayChange,
) -> anyhow::Result<u64> {
    let now = db::now_millis();
    let tx = conn.transaction()?;
    let mut updated = 0u64;
    {
        let mut read =
            tx.prepare_cached("SELECT body, status FROM leads WHERE index_name = ?1 AND id = ?2")?;
        let mut write =
            tx.prepare_cached("UPDATE leads SET status = ?1 WHERE index_name = ?2 AND id = ?3")?;
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            if !seen.insert(id.as_str()) {
                continue;
            }
            let mut rows = read.query(params![index, id])?;
            let Some(row) = rows.next()? else { continue };
            let lead = wire_lead(row.get_ref(0)?.as_str()?, row.get_ref(1)?.as_str()?, now)?;
            drop(rows);
            if may_change(&lead) {
                updated += write.execute(params![status, index, id])? as u64;
            }
        }
    }
    tx.commit()?;
    Ok(updated)
}

/// For tests: the access to `index` of a subject whose one role grants `read` on every index
/// through `grant` (its `query` and `field_security`).
#[cfg(test)]
pub(crate) fn read_access_through(
    grant: gatehouse_api::admin::IndexPrivileges,
    index: &str,
) -> DocumentAccess {
    use gatehouse_api::admin::{IndexPrivileges, RoleDescriptor};
    let subject = crate::authz::Subject {
        username: "u".into(),
        role_names: vec!["r".into()],
        roles: vec![RoleDescriptor {
            indices: vec![IndexPrivileges {
                names: vec!["*".into()],
                privileges: vec!["read".into()],
                ..grant
            }],
            ..RoleDescriptor::default()
        }],
    };
    crate::authz::document_access(
        &subject,
        index,
        crate::authz::IndexAction::Search,
        gatehouse_api::doc_query::LEAD_FIELDS,
    )
}

#[cfg(test)]
mod tests {
    use gatehouse_api::admin::IndexPrivileges;

    use super::*;

    use crate::platform::db::migrated_in_memory as migrated;

    fn access_of(grant: IndexPrivileges) -> DocumentAccess {
        read_access_through(grant, "i")
    }

    fn access(query: &str) -> DocumentAccess {
        access_of(IndexPrivileges {
            query: Some(query.into()),
            ..IndexPrivileges::default()
        })
    }

    fn access_without(fields: &[&str]) -> DocumentAccess {
        access_of(IndexPrivileges {
            field_security: Some(gatehouse_api::admin::FieldSecurity {
                grant: Some(vec!["*".into()]),
                except: Some(fields.iter().map(|f| f.to_string()).collect()),
            }),
            ..IndexPrivileges::default()
        })
    }

    /// A page sorted by a field the caller may not see would tell its order: the other one is used.
    #[test]
    fn a_find_is_not_sorted_by_a_field_the_caller_cannot_see() {
        use SortField::{Priority, Timestamp};
        let everything = access(r#"{"match_all":{}}"#);
        assert_eq!(visible_sort_field(Priority, &everything), Priority);
        assert_eq!(visible_sort_field(Timestamp, &everything), Timestamp);
        let no_priority = access_without(&["priority"]);
        assert_eq!(visible_sort_field(Priority, &no_priority), Timestamp);
        assert_eq!(visible_sort_field(Timestamp, &no_priority), Timestamp);
        let no_time = access_without(&["timestamp"]);
        assert_eq!(visible_sort_field(Timestamp, &no_time), Priority);
        // Neither visible: nothing better to fall back on.
        let neither = access_without(&["priority", "timestamp"]);
        assert_eq!(visible_sort_field(Priority, &neither), Priority);
    }

    /// Reading only the tested fields decides exactly as the whole wire lead does, `status`
    /// (the column) and `staleness` (from the timestamp, now) included.
    #[test]
    fn the_visible_set_is_what_the_whole_wire_lead_decides() {
        let mut conn = migrated();
        crate::leads::insert_synthetic_leads(&mut conn, "s", 400, 9).expect("leads");
        let index = gatehouse_api::leads::leads_index("s");
        for query in [
            r#"{"term":{"entity.type":"host"}}"#,
            r#"{"bool":{"must":{"term":{"status":"active"}},"must_not":{"term":{"staleness":"expired"}}}}"#,
            r#"{"range":{"observations.score":{"gte":60}}}"#,
            r#"{"bool":{"should":[{"prefix":{"entity.name":"a"}},{"range":{"priority":{"gte":8}}}]}}"#,
            r#"{"match":{"title":"critical"}}"#,
        ] {
            let access = access(query);
            let now = db::now_millis();
            let kept = visible_leads(&conn, &index, &access, now).expect("set");
            let mut whole = HashSet::new();
            let mut stmt = conn
                .prepare("SELECT rowid, body, status FROM leads WHERE index_name = ?1")
                .expect("sql");
            let mut rows = stmt.query([&index]).expect("rows");
            while let Some(r) = rows.next().expect("row") {
                let body: String = r.get(1).expect("body");
                let status: String = r.get(2).expect("status");
                if access.sees(&wire_lead(&body, &status, now).expect("lead")) {
                    whole.insert(r.get::<_, i64>(0).expect("rowid"));
                }
            }
            assert_eq!(kept.rowids, whole, "{query}");
            assert!(
                !whole.is_empty() && whole.len() < 400,
                "{query}: {}",
                whole.len()
            );
        }
    }
}

//! Leads under document- and field-level security (docs/privileges.md, "Document- and
//! field-level security"): find, counts and status changes that see only the leads a caller's
//! grants let through, with only the fields they grant.
//!
//! A role's query may name any wire field of a lead, `staleness` included (computed from the
//! timestamp at read time), so the filter runs in Rust on each lead's wire JSON after it is
//! read, not in SQL. The unrestricted path (`store::find_leads_json`) is not touched: it does no
//! per-lead work beyond splicing the stored text.

use rusqlite::{params, Connection};
use serde_json::Value;

use gatehouse_api::leads::FindLeadsQuery;

use super::store::{find_sql, push_wire_lead, WirePage};
use crate::authz::DocumentAccess;
use crate::platform::db;

/// One stored lead as its reader would get it: the wire text, the same parsed, and the first
/// millisecond at which its staleness (and so possibly its visibility) changes.
struct WireLead {
    text: String,
    doc: Value,
    changes_at: i64,
}

fn wire_lead(body: &str, status: &str, now_ms: i64) -> anyhow::Result<WireLead> {
    let mut text = String::with_capacity(body.len() + 16);
    let changes_at = push_wire_lead(&mut text, body, status, now_ms)?;
    let doc = serde_json::from_str(&text)?;
    Ok(WireLead {
        text,
        doc,
        changes_at,
    })
}

/// Every lead of `index` (with `status` when given) in `query`'s order, handed to `each` as its
/// reader would get it.
fn for_each_lead(
    conn: &Connection,
    index: &str,
    query: &FindLeadsQuery,
    now_ms: i64,
    mut each: impl FnMut(WireLead) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let sql = find_sql(query.status.is_some(), query.sort_field, query.sort_order);
    let mut stmt = conn.prepare_cached(sql)?;
    // LIMIT -1: every row, in the page query's order.
    let mut rows = match &query.status {
        Some(status) => stmt.query(params![index, status, -1, 0])?,
        None => stmt.query(params![index, -1, 0])?,
    };
    while let Some(r) = rows.next()? {
        each(wire_lead(
            r.get_ref(0)?.as_str()?,
            r.get_ref(1)?.as_str()?,
            now_ms,
        )?)?;
    }
    Ok(())
}

/// The find answer (`LeadsPage` as JSON) of the leads `access` lets through, with their visible
/// fields; `total` counts only those leads. It stays exact until the next write or until any
/// lead of the index changes staleness (which a query may test).
pub fn find_visible_json(
    conn: &Connection,
    index: &str,
    query: &FindLeadsQuery,
    access: &DocumentAccess,
) -> anyhow::Result<WirePage> {
    let now = db::now_millis();
    let limit = u64::from(query.per_page);
    let first = u64::from(query.page.saturating_sub(1)).saturating_mul(limit);
    let mut out = String::with_capacity(64 + query.per_page as usize * 1536);
    out.push_str("{\"leads\":[");
    let (mut total, mut valid_until_ms) = (0u64, i64::MAX);
    for_each_lead(conn, index, query, now, |mut lead| {
        valid_until_ms = valid_until_ms.min(lead.changes_at);
        if !access.sees(&lead.doc) {
            return Ok(());
        }
        if (first..first + limit).contains(&total) {
            if total > first {
                out.push(',');
            }
            if access.sees_every_field() {
                out.push_str(&lead.text);
            } else {
                access.project(&mut lead.doc);
                out.push_str(&serde_json::to_string(&lead.doc)?);
            }
        }
        total += 1;
        Ok(())
    })?;
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "],\"total\":{total},\"page\":{},\"perPage\":{}}}",
        query.page, query.per_page
    );
    Ok(WirePage {
        body: out,
        valid_until_ms,
    })
}

/// How many leads of `index` with `status` `access` lets through.
pub fn count_visible(
    conn: &Connection,
    index: &str,
    status: Option<&str>,
    access: &DocumentAccess,
) -> anyhow::Result<u64> {
    let query = FindLeadsQuery {
        status: status.map(str::to_string),
        ..super::unfiltered_find()
    };
    let mut total = 0;
    for_each_lead(conn, index, &query, db::now_millis(), |lead| {
        total += u64::from(access.sees(&lead.doc));
        Ok(())
    })?;
    Ok(total)
}

/// Sets the status of those of `ids` that exist in `index` and that `may_change` lets through
/// (as they are before the change); returns how many (duplicates once). The others are left
/// alone and not counted, as if they did not exist.
pub fn set_visible_status(
    conn: &mut Connection,
    index: &str,
    ids: &[String],
    status: &str,
    may_change: impl Fn(&Value) -> bool,
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
            if may_change(&lead.doc) {
                updated += write.execute(params![status, index, id])? as u64;
            }
        }
    }
    tx.commit()?;
    Ok(updated)
}

//! Leads in SQLite: their indices, the find query answered as JSON spliced from stored
//! bodies, and the per-space status.

use gatehouse_api::leads::{FindLeadsQuery, Lead, LeadsStatus, SortField, SortOrder};
use rusqlite::{params, Connection, OptionalExtension};

use crate::platform::db;

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

pub fn index_exists(conn: &Connection, index: &str) -> rusqlite::Result<bool> {
    let mut stmt =
        conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM lead_indices WHERE index_name = ?1)")?;
    stmt.query_row([index], |r| r.get(0))
}

/// Creates the index (as the internal user) when it does not exist yet.
pub fn ensure_index(conn: &Connection, index: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO lead_indices (index_name, created_at) VALUES (?1, ?2)",
        params![index, db::now_secs()],
    )?;
    Ok(())
}

fn timestamp_millis(iso: &str) -> i64 {
    time::OffsetDateTime::parse(iso, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or(0)
}

pub fn insert_leads(conn: &Connection, index: &str, leads: &[Lead]) -> anyhow::Result<()> {
    // An upsert rather than INSERT OR REPLACE: REPLACE deletes the old row without firing the
    // delete trigger that keeps `lead_counts` (migration 6); an upsert's update fires it.
    let mut stmt = conn.prepare_cached(
        "INSERT INTO leads (id, index_name, priority, ts_ms, status, execution_uuid, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET index_name = excluded.index_name,
             priority = excluded.priority, ts_ms = excluded.ts_ms, status = excluded.status,
             execution_uuid = excluded.execution_uuid, body = excluded.body",
    )?;
    for lead in leads {
        stmt.execute(params![
            lead.id,
            index,
            lead.priority,
            timestamp_millis(&lead.timestamp),
            lead.status,
            lead.execution_uuid,
            serde_json::to_string(lead)?
        ])?;
    }
    Ok(())
}

/// A find with no status filter: where a `_find` query string starts (the SPA's default asks
/// for active leads explicitly).
pub(crate) fn unfiltered_find() -> FindLeadsQuery {
    FindLeadsQuery {
        status: None,
        ..FindLeadsQuery::default()
    }
}

/// One SQL text per (filter, field, order), so each is a cached prepared statement that walks
/// one of the `leads_*` indexes.
pub(crate) fn find_sql(filtered: bool, field: SortField, order: SortOrder) -> &'static str {
    use SortField::*;
    use SortOrder::*;
    match (filtered, field, order) {
        (true, Priority, Desc) => "SELECT body, status FROM leads WHERE index_name = ?1 AND status = ?2 ORDER BY priority DESC, ts_ms DESC, id DESC LIMIT ?3 OFFSET ?4",
        (true, Priority, Asc) => "SELECT body, status FROM leads WHERE index_name = ?1 AND status = ?2 ORDER BY priority ASC, ts_ms ASC, id ASC LIMIT ?3 OFFSET ?4",
        (true, Timestamp, Desc) => "SELECT body, status FROM leads WHERE index_name = ?1 AND status = ?2 ORDER BY ts_ms DESC, id DESC LIMIT ?3 OFFSET ?4",
        (true, Timestamp, Asc) => "SELECT body, status FROM leads WHERE index_name = ?1 AND status = ?2 ORDER BY ts_ms ASC, id ASC LIMIT ?3 OFFSET ?4",
        (false, Priority, Desc) => "SELECT body, status FROM leads WHERE index_name = ?1 ORDER BY priority DESC, ts_ms DESC, id DESC LIMIT ?2 OFFSET ?3",
        (false, Priority, Asc) => "SELECT body, status FROM leads WHERE index_name = ?1 ORDER BY priority ASC, ts_ms ASC, id ASC LIMIT ?2 OFFSET ?3",
        (false, Timestamp, Desc) => "SELECT body, status FROM leads WHERE index_name = ?1 ORDER BY ts_ms DESC, id DESC LIMIT ?2 OFFSET ?3",
        (false, Timestamp, Asc) => "SELECT body, status FROM leads WHERE index_name = ?1 ORDER BY ts_ms ASC, id ASC LIMIT ?2 OFFSET ?3",
    }
}

/// Staleness from age: fresh for a day, stale for a week, expired after.
pub fn staleness_at(ts_iso: &str, now_ms: i64) -> &'static str {
    staleness_and_next_change(ts_iso, now_ms).0
}

/// The staleness at `now_ms` and the first millisecond at which it is another one (`i64::MAX`
/// once expired, which it stays).
pub(crate) fn staleness_and_next_change(ts_iso: &str, now_ms: i64) -> (&'static str, i64) {
    const DAY: i64 = 24 * 60 * 60 * 1000;
    let born = timestamp_millis(ts_iso);
    let age = now_ms - born;
    if age < DAY {
        ("fresh", born.saturating_add(DAY))
    } else if age < 7 * DAY {
        ("stale", born.saturating_add(7 * DAY))
    } else {
        ("expired", i64::MAX)
    }
}

pub(crate) fn lead_from_row(body: &str, status: String, now_ms: i64) -> anyhow::Result<Lead> {
    let mut lead: Lead = serde_json::from_str(body)?;
    lead.status = status;
    lead.staleness = staleness_at(&lead.timestamp, now_ms).to_string();
    Ok(lead)
}

/// Leads in `index` (only those with `status` when given), from the `lead_counts` table the
/// triggers of migration 6 keep: one row lookup, where `COUNT(*)` walked the whole index.
pub fn count_leads(conn: &Connection, index: &str, status: Option<&str>) -> rusqlite::Result<u64> {
    let n: i64 = match status {
        Some(status) => conn
            .prepare_cached(
                "SELECT COALESCE(SUM(n), 0) FROM lead_counts WHERE index_name = ?1 AND status = ?2",
            )?
            .query_row(params![index, status], |r| r.get(0))?,
        None => conn
            .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM lead_counts WHERE index_name = ?1")?
            .query_row([index], |r| r.get(0))?,
    };
    Ok(n.max(0) as u64)
}

/// Runs the page query of `query` and hands each row's stored body and status to `row`.
fn for_each_row(
    conn: &Connection,
    index: &str,
    query: &FindLeadsQuery,
    mut row: impl FnMut(&str, &str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let limit = i64::from(query.per_page);
    let offset = i64::from(query.page.saturating_sub(1)).saturating_mul(limit);
    let sql = find_sql(query.status.is_some(), query.sort_field, query.sort_order);
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = match &query.status {
        Some(status) => stmt.query(params![index, status, limit, offset])?,
        None => stmt.query(params![index, limit, offset])?,
    };
    while let Some(r) = rows.next()? {
        row(r.get_ref(0)?.as_str()?, r.get_ref(1)?.as_str()?)?;
    }
    Ok(())
}

/// A page of leads and the total matching the filter.
#[cfg(test)]
pub fn find_leads(
    conn: &Connection,
    index: &str,
    query: &FindLeadsQuery,
) -> anyhow::Result<(Vec<Lead>, u64)> {
    let now = db::now_millis();
    let mut leads = Vec::with_capacity(query.per_page as usize);
    for_each_row(conn, index, query, |body, status| {
        leads.push(lead_from_row(body, status.to_string(), now)?);
        Ok(())
    })?;
    Ok((leads, count_leads(conn, index, query.status.as_deref())?))
}

/// Where the stored body of a lead keeps the fields a read rewrites: the byte ranges of the
/// `timestamp` string's contents and of the `staleness` and `status` values (quotes included).
pub(crate) struct Splice {
    timestamp: std::ops::Range<usize>,
    staleness_and_status: std::ops::Range<usize>,
}

/// The index of the `"` closing the JSON string whose contents start at `from`.
fn string_end(s: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Finds `,"timestamp":"…","staleness":"…","status":"…","observations":` in a stored body.
///
/// A stored body is `serde_json::to_string(&Lead)` (see [`insert_leads`]): the fields in
/// declaration order, the timestamp, staleness and status strings adjacent in that order. A `"`
/// inside a JSON string is always escaped, so `,"timestamp":"` can only be a key, and the first
/// one is the lead's own (only `observations[].metadata`, after it, holds free-form objects).
/// `None` for any other shape, which the caller answers through the typed path.
pub(crate) fn locate(body: &str) -> Option<Splice> {
    const TS: &str = ",\"timestamp\":\"";
    const STALENESS: &[u8] = b",\"staleness\":\"";
    const STATUS: &[u8] = b",\"status\":\"";
    const NEXT: &[u8] = b",\"observations\":";
    let b = body.as_bytes();
    if !body.starts_with("{\"id\":\"") || !body.ends_with('}') {
        return None;
    }
    let ts_start = body.find(TS)? + TS.len();
    let ts_end = string_end(b, ts_start)?;
    let staleness_key = ts_end + 1;
    b.get(staleness_key..)?
        .starts_with(STALENESS)
        .then_some(())?;
    let staleness_end = string_end(b, staleness_key + STALENESS.len())?;
    let status_start = staleness_end + 1;
    b.get(status_start..)?.starts_with(STATUS).then_some(())?;
    let status_end = string_end(b, status_start + STATUS.len())?;
    b.get(status_end + 1..)?.starts_with(NEXT).then_some(())?;
    let timestamp = ts_start..ts_end;
    // An escaped timestamp would need unescaping before it is parsed: leave it to serde.
    if body[timestamp.clone()].contains('\\') {
        return None;
    }
    Some(Splice {
        timestamp,
        staleness_and_status: staleness_key + STALENESS.len() - 1..status_end + 1,
    })
}

fn push_json_string(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::Value::from(s).to_string());
    }
}

/// Appends the wire form of one stored lead to `out`: byte for byte what serializing
/// [`lead_from_row`]'s `Lead` gives, without parsing and re-serializing the body. The stored
/// text already is that serialization except for `staleness` (from the timestamp and now) and
/// `status` (the column, which dismissals change), so those two values are spliced in.
///
/// Returns the first millisecond at which this lead's staleness, and so its wire form, changes.
pub fn push_wire_lead(
    out: &mut String,
    body: &str,
    status: &str,
    now_ms: i64,
) -> anyhow::Result<i64> {
    match locate(body) {
        Some(at) => {
            let (staleness, changes_at) = staleness_and_next_change(&body[at.timestamp], now_ms);
            out.push_str(&body[..at.staleness_and_status.start]);
            push_json_string(out, staleness);
            out.push_str(",\"status\":");
            push_json_string(out, status);
            out.push_str(&body[at.staleness_and_status.end..]);
            Ok(changes_at)
        }
        None => {
            let lead = lead_from_row(body, status.to_string(), now_ms)?;
            out.push_str(&serde_json::to_string(&lead)?);
            Ok(staleness_and_next_change(&lead.timestamp, now_ms).1)
        }
    }
}

/// One stored lead as its reader would get it (its wire JSON), parsed: what document-level
/// security's queries are tested against.
pub(crate) fn wire_lead(
    body: &str,
    status: &str,
    now_ms: i64,
) -> anyhow::Result<serde_json::Value> {
    let mut text = String::with_capacity(body.len() + 16);
    push_wire_lead(&mut text, body, status, now_ms)?;
    Ok(serde_json::from_str(&text)?)
}

/// A find answer as the route sends it, and how long it stays exact.
pub struct WirePage {
    /// `LeadsPage` as JSON.
    pub body: String,
    /// The first millisecond at which a lead on the page has another staleness (`i64::MAX` when
    /// none will): until then, and until the next write, the same query gives the same bytes.
    pub valid_until_ms: i64,
}

/// The find route's whole response body, `LeadsPage` as JSON (`{"leads":[…],"total":…,"page":…,
/// "perPage":…}`), built from the stored lead texts (see [`push_wire_lead`]).
pub fn find_leads_json(
    conn: &Connection,
    index: &str,
    query: &FindLeadsQuery,
) -> anyhow::Result<WirePage> {
    let now = db::now_millis();
    let mut out = String::with_capacity(64 + query.per_page as usize * 1536);
    out.push_str("{\"leads\":[");
    let mut first = true;
    let mut valid_until_ms = i64::MAX;
    for_each_row(conn, index, query, |body, status| {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        valid_until_ms = valid_until_ms.min(push_wire_lead(&mut out, body, status, now)?);
        Ok(())
    })?;
    let total = count_leads(conn, index, query.status.as_deref())?;
    page_json_tail(&mut out, total, query.page, query.per_page);
    Ok(WirePage {
        body: out,
        valid_until_ms,
    })
}

/// An empty page, as the find route answers before the index exists.
pub fn empty_page_json(page: u32, per_page: u32) -> String {
    let mut out = String::from("{\"leads\":[");
    page_json_tail(&mut out, 0, page, per_page);
    out
}

fn page_json_tail(out: &mut String, total: u64, page: u32, per_page: u32) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "],\"total\":{total},\"page\":{page},\"perPage\":{per_page}}}"
    );
}

pub fn get_status(conn: &Connection, space: &str, index: &str) -> anyhow::Result<LeadsStatus> {
    let exists = index_exists(conn, index)?;
    let total = count_leads(conn, index, Some("active"))?;
    let row = conn
        .prepare_cached(
            "SELECT is_enabled, connector_id, last_run, last_execution_uuid, last_error FROM lead_status WHERE space = ?1",
        )?
        .query_row([space], |r| {
            Ok((
                r.get::<_, bool>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?;
    let (is_enabled, connector_id, last_run, last_execution_uuid, last_error) =
        row.unwrap_or((false, None, None, None, None));
    Ok(LeadsStatus {
        is_enabled,
        index_exists: exists,
        total_leads: total,
        last_run,
        connector_id,
        last_execution_uuid,
        last_error,
    })
}

fn ensure_status_row(conn: &Connection, space: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO lead_status (space) VALUES (?1)",
        [space],
    )?;
    Ok(())
}

/// Records the end of a generate run: success sets `lastRun` and clears `lastError`; failure
/// keeps `lastRun` and sets `lastError`. Both set `lastExecutionUuid`.
pub fn record_run(
    conn: &Connection,
    space: &str,
    connector_id: &str,
    execution_uuid: &str,
    outcome: Result<i64, &str>,
) -> rusqlite::Result<()> {
    ensure_status_row(conn, space)?;
    match outcome {
        Ok(finished_ms) => conn.execute(
            "UPDATE lead_status SET last_run = ?2, last_execution_uuid = ?3, last_error = NULL,
             connector_id = ?4 WHERE space = ?1",
            params![
                space,
                db::iso_millis(finished_ms),
                execution_uuid,
                connector_id
            ],
        )?,
        Err(message) => conn.execute(
            "UPDATE lead_status SET last_execution_uuid = ?2, last_error = ?3 WHERE space = ?1",
            params![space, execution_uuid, message],
        )?,
    };
    Ok(())
}

pub fn set_enabled(
    conn: &Connection,
    space: &str,
    enabled: bool,
    connector_id: Option<&str>,
) -> rusqlite::Result<()> {
    ensure_status_row(conn, space)?;
    conn.execute(
        "UPDATE lead_status SET is_enabled = ?2, connector_id = COALESCE(?3, connector_id) WHERE space = ?1",
        params![space, enabled, connector_id],
    )?;
    Ok(())
}

/// Sets the status of the given leads of `index`; returns how many exist (duplicates once).
pub fn set_status(
    conn: &mut Connection,
    index: &str,
    ids: &[String],
    status: &str,
) -> rusqlite::Result<u64> {
    let tx = conn.transaction()?;
    let mut updated = 0u64;
    {
        let mut stmt =
            tx.prepare_cached("UPDATE leads SET status = ?1 WHERE index_name = ?2 AND id = ?3")?;
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            if seen.insert(id.as_str()) {
                updated += stmt.execute(params![status, index, id])? as u64;
            }
        }
    }
    tx.commit()?;
    Ok(updated)
}

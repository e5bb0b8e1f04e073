//! The leads changes feed (docs/leads.md "Changes"): what the triggers of migration 8 logged
//! since a cursor, each change answered with the lead as it is now, as its reader may see it.
//!
//! A cursor is the index's sequence number of the last change a client has, tagged with the
//! index it belongs to, so a cursor of one space is refused in another rather than read as a
//! position in the wrong log. Opaque to clients: `<seq>.<tag>`.

use std::collections::HashMap;

use gatehouse_api::leads::changes::{DEFAULT_CHANGES_SIZE, MAX_CHANGES_SIZE};
use gatehouse_api::leads::ChangeKind;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::store::{push_wire_lead, wire_lead};
use crate::authz::{DocumentAccess, DocumentFilter};
use crate::platform::error::ErrorShape;
use crate::platform::kibana::{parse_query_number, unique_query_pairs};

/// Changes the log keeps per index (the triggers of migration 8 say it as a literal): a cursor
/// further behind than this is too old.
pub const KEPT_CHANGES: u64 = 10_000;
/// Longest `since` taken: our cursors are far shorter; a longer one is refused unread.
pub const MAX_CURSOR_CHARS: usize = 64;

/// The changes query: the cursor's text (checked against the index once the caller may read
/// it) and how many logged changes to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangesParams {
    pub since: Option<String>,
    pub size: u32,
}

/// Validates `since` (its size) and `size` (1..[`MAX_CHANGES_SIZE`]); unknown parameters are
/// ignored, as on find.
pub fn parse_changes_query(
    raw: Option<&str>,
) -> Result<ChangesParams, crate::platform::error::AppError> {
    let mut params = ChangesParams {
        since: None,
        size: DEFAULT_CHANGES_SIZE,
    };
    for (key, value) in unique_query_pairs(raw, ErrorShape::Siem)? {
        match key.as_str() {
            "size" => {
                params.size =
                    parse_query_number(ErrorShape::Siem, "size", &value, 1, MAX_CHANGES_SIZE)?
            }
            "since" => {
                if value.chars().count() > MAX_CURSOR_CHARS {
                    return Err(crate::platform::error::AppError::siem(
                        axum::http::StatusCode::BAD_REQUEST,
                        format!("[request query]: since: String must contain at most {MAX_CURSOR_CHARS} character(s)"),
                    ));
                }
                params.since = Some(value);
            }
            _ => {}
        }
    }
    Ok(params)
}

/// Why a cursor cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorProblem {
    /// Not a cursor this space's feed gave.
    Unknown(String),
    /// The changes after it are no longer all kept.
    TooOld,
}

impl CursorProblem {
    pub fn message(&self) -> String {
        match self {
            CursorProblem::Unknown(cursor) => format!(
                "[request query]: since: '{cursor}' is not a cursor of this space's leads changes. Use the cursor a changes answer gave, or leave since out to follow from now."
            ),
            CursorProblem::TooOld => format!(
                "[request query]: since: The cursor is too old: only the last {KEPT_CHANGES} changes are kept. Leave since out to follow from now, and read the leads again."
            ),
        }
    }
}

fn index_tag(index: &str) -> String {
    let digest = Sha256::digest(index.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

pub fn encode_cursor(index: &str, seq: u64) -> String {
    format!("{seq}.{}", index_tag(index))
}

/// The sequence number of a cursor of `index`'s feed.
pub fn decode_cursor(index: &str, cursor: &str) -> Result<u64, CursorProblem> {
    let unknown = || CursorProblem::Unknown(cursor.to_string());
    let (seq, tag) = cursor.split_once('.').ok_or_else(unknown)?;
    if tag != index_tag(index) || seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return Err(unknown());
    }
    seq.parse().map_err(|_| unknown())
}

/// One change as the route answers it: [`gatehouse_api::leads::LeadChange`] with the lead as
/// JSON, since field-level security may leave any field but `id` out of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireChange {
    pub kind: ChangeKind,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_priority: Option<u8>,
}

/// [`gatehouse_api::leads::LeadChanges`] as the route answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireChanges {
    pub cursor: String,
    pub has_more: bool,
    pub changes: Vec<WireChange>,
}

/// One logged change, as read from `lead_changes`.
struct Logged {
    seq: u64,
    id: String,
    kind: String,
    old: Option<(u8, String, String)>,
}

/// What a run of logged changes of one lead means to a reader: whether it could see the lead
/// before the first of them, and whether it sees the lead now. Pure, so the property tests can
/// state it: a reader told `created` did not have the lead, told `removed` had it, and is told
/// nothing about a lead it never saw.
pub fn change_for_reader(was_visible: bool, now_visible: bool) -> Option<ChangeKind> {
    match (was_visible, now_visible) {
        (false, true) => Some(ChangeKind::Created),
        (true, true) => Some(ChangeKind::Updated),
        (true, false) => Some(ChangeKind::Removed),
        (false, false) => None,
    }
}

/// Reads up to `size` logged changes of `index` after `since` (all in one read transaction) and
/// answers them for a reader with `access`: one change per lead (its changes in this answer
/// folded into one, placed at its last), with the lead as it is now. Without `since`: no
/// changes and the cursor of now.
pub fn read_changes(
    conn: &Connection,
    index: &str,
    since: Option<u64>,
    size: u32,
    access: &DocumentAccess,
    now_ms: i64,
) -> anyhow::Result<Result<WireChanges, CursorProblem>> {
    let tx = conn.unchecked_transaction()?;
    let (last_seq, pruned_through) = tx
        .prepare_cached("SELECT last_seq, pruned_through FROM lead_feeds WHERE index_name = ?1")?
        .query_row([index], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .optional()?
        .map(|(last, pruned)| (last.max(0) as u64, pruned.max(0) as u64))
        .unwrap_or((0, 0));
    let Some(since) = since else {
        return Ok(Ok(WireChanges {
            cursor: encode_cursor(index, last_seq),
            has_more: false,
            changes: Vec::new(),
        }));
    };
    if since > last_seq {
        return Ok(Err(CursorProblem::Unknown(encode_cursor(index, since))));
    }
    if since < pruned_through {
        return Ok(Err(CursorProblem::TooOld));
    }
    let mut logged = Vec::with_capacity(size as usize + 1);
    {
        let mut stmt = tx.prepare_cached(
            "SELECT seq, lead_id, kind, old_priority, old_status, old_body FROM lead_changes
             WHERE index_name = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![index, since as i64, i64::from(size) + 1])?;
        while let Some(r) = rows.next()? {
            let old = match (
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ) {
                (Some(priority), Some(status), Some(body)) => {
                    Some((priority.clamp(0, 255) as u8, status, body))
                }
                _ => None,
            };
            logged.push(Logged {
                seq: r.get::<_, i64>(0)?.max(0) as u64,
                id: r.get(1)?,
                kind: r.get(2)?,
                old,
            });
        }
    }
    let has_more = logged.len() > size as usize;
    logged.truncate(size as usize);
    let cursor = encode_cursor(index, logged.last().map_or(since, |l| l.seq));
    // Each lead's first change in this answer (what the reader had before) and its last seq.
    let mut first: HashMap<&str, (&Logged, u64)> = HashMap::new();
    for entry in &logged {
        first
            .entry(entry.id.as_str())
            .and_modify(|(_, last)| *last = entry.seq)
            .or_insert((entry, entry.seq));
    }
    let mut leads: Vec<(&str, &Logged, u64)> = first
        .into_iter()
        .map(|(id, (entry, last))| (id, entry, last))
        .collect();
    leads.sort_by_key(|(_, _, last)| *last);
    let every_document = access.documents == DocumentFilter::All;
    let mut current =
        tx.prepare_cached("SELECT body, status FROM leads WHERE index_name = ?1 AND id = ?2")?;
    let mut changes = Vec::with_capacity(leads.len());
    for (id, entry, _) in leads {
        let was_visible = match (&entry.old, entry.kind.as_str()) {
            (_, "created") | (None, _) => false,
            (Some(_), _) if every_document => true,
            (Some((_, status, body)), _) => access.sees(&wire_lead(body, status, now_ms)?),
        };
        let now = current
            .query_row(params![index, id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        let mut wire = String::new();
        let now_visible = match &now {
            None => false,
            Some((body, status)) => {
                push_wire_lead(&mut wire, body, status, now_ms)?;
                every_document || access.sees(&serde_json::from_str(&wire)?)
            }
        };
        let Some(kind) = change_for_reader(was_visible, now_visible) else {
            continue;
        };
        let lead = if now_visible {
            let mut projected = String::with_capacity(wire.len());
            access.project_json(&wire, &mut projected)?;
            Some(serde_json::from_str::<Value>(&projected)?)
        } else {
            None
        };
        let shown_priority = lead
            .as_ref()
            .and_then(|l| l.get("priority"))
            .and_then(Value::as_u64);
        let previous_priority = match (&kind, &entry.old, shown_priority) {
            (ChangeKind::Updated, Some((old, _, _)), Some(new)) if u64::from(*old) != new => {
                Some(*old)
            }
            _ => None,
        };
        changes.push(WireChange {
            kind,
            id: id.to_string(),
            lead,
            previous_priority,
        });
    }
    Ok(Ok(WireChanges {
        cursor,
        has_more,
        changes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_read_back_only_in_its_own_space() {
        let a = ".entity_analytics.entity-leads-default";
        let b = ".entity_analytics.entity-leads-soc";
        let cursor = encode_cursor(a, 42);
        assert_eq!(decode_cursor(a, &cursor), Ok(42));
        assert!(matches!(
            decode_cursor(b, &cursor),
            Err(CursorProblem::Unknown(_))
        ));
        for bad in [
            "",
            "42",
            "x.y",
            &format!("-1.{}", index_tag(a)),
            &format!("4 2.{}", index_tag(a)),
        ] {
            assert!(decode_cursor(a, bad).is_err(), "{bad}");
        }
        assert!(decode_cursor(a, &format!("99999999999999999999999.{}", index_tag(a))).is_err());
    }

    #[test]
    fn a_reader_hears_of_a_lead_only_while_it_could_see_it() {
        assert_eq!(change_for_reader(false, true), Some(ChangeKind::Created));
        assert_eq!(change_for_reader(true, true), Some(ChangeKind::Updated));
        assert_eq!(change_for_reader(true, false), Some(ChangeKind::Removed));
        assert_eq!(change_for_reader(false, false), None);
    }

    #[test]
    fn the_query_has_sizes() {
        assert_eq!(
            parse_changes_query(None).ok(),
            Some(ChangesParams {
                since: None,
                size: DEFAULT_CHANGES_SIZE
            })
        );
        let parsed = parse_changes_query(Some("since=3.ab&size=500&x=1")).ok();
        assert_eq!(
            parsed.map(|p| (p.since, p.size)),
            Some((Some("3.ab".into()), 500))
        );
        assert!(parse_changes_query(Some("size=0")).is_err());
        assert!(parse_changes_query(Some("size=501")).is_err());
        assert!(parse_changes_query(Some(&format!("since={}", "1".repeat(65)))).is_err());
        assert!(parse_changes_query(Some("since=1&since=2")).is_err());
    }
}

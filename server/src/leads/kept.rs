//! Leads kept between runs (docs/leads.md "Kept leads and ageing"): a run updates the leads it
//! finds again in place, under ids that depend only on the space, the entity and the reason;
//! a dismissed lead stays dismissed; a lead no run finds again keeps its timestamp, ages
//! (fresh → stale → expired, `store::staleness_at`) and is removed once [`REMOVE_AFTER_MS`]
//! old. Every write here goes through the `leads` table, whose triggers keep `lead_counts` and
//! the changes feed (migrations 6 and 8); the caller's `Db::write` moves the generation the
//! find cache and the visible sets are keyed by.

use gatehouse_api::leads::{Lead, PriorityChange, MAX_PRIORITY_HISTORY};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::store::{ensure_index, insert_leads, lead_from_row, wire_lead};
use super::MayChange;
use crate::platform::db;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// A lead no run has found for this long is removed by the next run in its space: three weeks
/// after it expired (expired is 7 days, `store::staleness_and_next_change`).
pub const REMOVE_AFTER_MS: i64 = 28 * DAY_MS;
/// Why our generator raises a lead: the entity's combined risk (docs/leads.md "What a card
/// says"). Part of a lead's id, so another kind of lead about the same entity would be another
/// lead.
pub const ENTITY_RISK_REASON: &str = "entity-risk";

/// The id of the lead about `entity_id` for `reason` in `index`: the same on every run, and
/// different in another space (lead ids are unique across indices). UUID-shaped (version 8,
/// RFC 9562's custom layout) like the random ids of seeded leads and Kibana's.
pub fn stable_lead_id(index: &str, entity_id: &str, reason: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [index, entity_id, reason] {
        hasher.update(part.len().to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

/// Gives each lead a run built its stable id (from its entity; [`ENTITY_RISK_REASON`]).
pub fn with_stable_ids(index: &str, leads: &mut [Lead]) {
    for lead in leads {
        let entity = lead
            .entity
            .as_ref()
            .map(|e| {
                e.id.clone()
                    .unwrap_or_else(|| format!("{}:{}", e.entity_type, e.name))
            })
            .unwrap_or_default();
        lead.id = stable_lead_id(index, &entity, ENTITY_RISK_REASON);
    }
}

/// The lead a run stores when it finds `previous` again as `found`: the run's contents, with
/// the previous lead's id, first sighting and priority history (a changed priority appended,
/// at `now_iso`), and its status unless that was `expired` (found again, it is active again).
/// A dismissed lead stays dismissed.
pub fn refound(previous: &Lead, mut found: Lead, now_iso: &str) -> Lead {
    found.id.clone_from(&previous.id);
    let first_seen = previous
        .first_seen
        .clone()
        .unwrap_or_else(|| previous.timestamp.clone());
    found.priority_history = previous.priority_history.clone();
    if previous.priority != found.priority {
        if found.priority_history.is_empty() {
            found.priority_history.push(PriorityChange {
                priority: previous.priority,
                at: first_seen.clone(),
            });
        }
        found.priority_history.push(PriorityChange {
            priority: found.priority,
            at: now_iso.to_string(),
        });
        let excess = found
            .priority_history
            .len()
            .saturating_sub(MAX_PRIORITY_HISTORY);
        found.priority_history.drain(..excess);
    }
    found.first_seen = Some(first_seen);
    found.status = match previous.status.as_str() {
        "dismissed" => "dismissed".into(),
        _ => "active".into(),
    };
    found
}

/// What one run did to the space's leads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    pub created: usize,
    pub updated: usize,
    /// Leads removed for age ([`REMOVE_AFTER_MS`]).
    pub removed: usize,
}

/// Stores a run's leads (ids from [`with_stable_ids`]) in `index`, in one transaction: new ones
/// are created, ones found again are updated in place ([`refound`]), the others are left to age,
/// and those older than [`REMOVE_AFTER_MS`] are removed. With `may_change` (a writer under
/// document-level security, `routes::write_targets`), a stored lead it may not change is left as
/// it is.
pub fn keep_run_leads(
    conn: &mut Connection,
    index: &str,
    found: Vec<Lead>,
    may_change: Option<MayChange>,
    now_ms: i64,
) -> anyhow::Result<RunOutcome> {
    let now_iso = db::iso_millis(now_ms);
    let tx = conn.transaction()?;
    ensure_index(&tx, index)?;
    let mut outcome = RunOutcome::default();
    let mut store = Vec::with_capacity(found.len());
    {
        let mut stored =
            tx.prepare_cached("SELECT body, status FROM leads WHERE index_name = ?1 AND id = ?2")?;
        for mut lead in found {
            let previous = stored
                .query_row(params![index, lead.id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?;
            match previous {
                None => {
                    lead.first_seen = Some(lead.timestamp.clone());
                    outcome.created += 1;
                    store.push(lead);
                }
                Some((body, status)) => {
                    if let Some(may_change) = &may_change {
                        if !may_change(&wire_lead(&body, &status, now_ms)?) {
                            continue;
                        }
                    }
                    let previous = lead_from_row(&body, status, now_ms)?;
                    outcome.updated += 1;
                    store.push(refound(&previous, lead, &now_iso));
                }
            }
        }
    }
    insert_leads(&tx, index, &store)?;
    let removable_before = now_ms.saturating_sub(REMOVE_AFTER_MS);
    outcome.removed = match &may_change {
        None => tx.execute(
            "DELETE FROM leads WHERE index_name = ?1 AND ts_ms < ?2",
            params![index, removable_before],
        )?,
        // A restricted writer's run removes only old leads it may change: the others are not
        // its to touch, and stay for a run that may.
        Some(may_change) => {
            let mut old = Vec::new();
            {
                let mut stmt = tx.prepare_cached(
                    "SELECT rowid, body, status FROM leads WHERE index_name = ?1 AND ts_ms < ?2",
                )?;
                let mut rows = stmt.query(params![index, removable_before])?;
                while let Some(r) = rows.next()? {
                    let lead = wire_lead(r.get_ref(1)?.as_str()?, r.get_ref(2)?.as_str()?, now_ms)?;
                    if may_change(&lead) {
                        old.push(r.get::<_, i64>(0)?);
                    }
                }
            }
            let mut delete = tx.prepare_cached("DELETE FROM leads WHERE rowid = ?1")?;
            let mut removed = 0;
            for rowid in old {
                removed += delete.execute([rowid])?;
            }
            removed
        }
    };
    tx.commit()?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(priority: u8, status: &str) -> Lead {
        serde_json::from_value(serde_json::json!({
            "id": "new", "title": "T", "priority": priority, "status": status,
            "timestamp": "2026-01-02T00:00:00.000Z"
        }))
        .expect("a lead")
    }

    #[test]
    fn ids_depend_on_space_entity_and_reason_only() {
        let id = stable_lead_id("idx-a", "host:web-01", ENTITY_RISK_REASON);
        assert_eq!(
            id,
            stable_lead_id("idx-a", "host:web-01", ENTITY_RISK_REASON)
        );
        assert_ne!(
            id,
            stable_lead_id("idx-b", "host:web-01", ENTITY_RISK_REASON)
        );
        assert_ne!(
            id,
            stable_lead_id("idx-a", "host:web-02", ENTITY_RISK_REASON)
        );
        assert_ne!(id, stable_lead_id("idx-a", "host:web-01", "other"));
        // No concatenation collides: the parts are length-prefixed.
        assert_ne!(
            stable_lead_id("a", "bc", "d"),
            stable_lead_id("ab", "c", "d")
        );
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    }

    #[test]
    fn a_refound_lead_keeps_its_id_first_sighting_and_dismissal_and_records_priority_changes() {
        let mut previous = lead(4, "dismissed");
        previous.id = "kept".into();
        previous.timestamp = "2026-01-01T00:00:00.000Z".into();
        let next = refound(&previous, lead(8, "active"), "2026-01-03T00:00:00.000Z");
        assert_eq!(next.id, "kept");
        assert_eq!(next.status, "dismissed");
        assert_eq!(next.first_seen.as_deref(), Some("2026-01-01T00:00:00.000Z"));
        assert_eq!(
            next.priority_history,
            [
                PriorityChange {
                    priority: 4,
                    at: "2026-01-01T00:00:00.000Z".into()
                },
                PriorityChange {
                    priority: 8,
                    at: "2026-01-03T00:00:00.000Z".into()
                }
            ]
        );
        // Same priority: no history entry; an expired lead found again is active again.
        let mut expired = next.clone();
        expired.status = "expired".into();
        let again = refound(&expired, lead(8, "active"), "2026-01-04T00:00:00.000Z");
        assert_eq!(again.priority_history.len(), 2);
        assert_eq!(again.status, "active");
        // The history keeps its newest entries only.
        let mut flapping = again;
        for n in 0..(MAX_PRIORITY_HISTORY as u8 + 5) {
            flapping = refound(&flapping, lead(1 + n % 2, "active"), &format!("t{n}"));
        }
        assert_eq!(flapping.priority_history.len(), MAX_PRIORITY_HISTORY);
        assert_eq!(
            flapping.priority_history.last().map(|c| c.at.as_str()),
            Some(format!("t{}", MAX_PRIORITY_HISTORY as u8 + 4).as_str())
        );
    }
}

//! The leads changes feed: `GET …/leads/changes?since=<cursor>&size=<n>` (docs/leads.md
//! "Changes"), and the pure client side of following it: a mirror of the leads a client has
//! seen, and what changed in words ("What changed" since a user's last visit).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Lead;

/// Changes per answer when `size` is not given.
pub const DEFAULT_CHANGES_SIZE: u32 = 100;
/// The most changes one answer holds (`size` above it is 400).
pub const MAX_CHANGES_SIZE: u32 = 500;

/// What happened to a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// First found by a run (or, for a reader with document-level security, newly in its view).
    Created,
    /// Re-found by a run, dismissed, or aged: the lead is still there with new contents.
    Updated,
    /// Gone: expired and purged, or left the reader's view. `lead` is absent.
    Removed,
}

/// One change: the lead as it is now (`created`/`updated`), or only its id (`removed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadChange {
    pub kind: ChangeKind,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<Lead>,
    /// The priority before an `updated` that changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_priority: Option<u8>,
}

/// One answer of the changes route. `cursor` is opaque: send it back as `since` to get what
/// changed after this answer. `hasMore` says more changes are waiting right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadChanges {
    pub cursor: String,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub changes: Vec<LeadChange>,
}

/// A changes answer from either server: ours ([`LeadChanges`]) or Kibana 9.5's
/// `{"changed":[Lead],"cursor":"…"|null,"hasMore":bool}` (the leads changed since the cursor, each
/// as it is now; docs/leads.md "Changes" says how the two differ). Read as one shape so a client
/// following the feed works against both.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnyLeadChanges {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub changes: Option<Vec<LeadChange>>,
    /// Kibana's list: every lead in it is created or updated (Kibana does not say which, nor
    /// tell removals: its leads age out instead).
    #[serde(default)]
    pub changed: Option<Vec<Lead>>,
}

impl AnyLeadChanges {
    /// As our server's answer. Kibana's `null` cursor (no lead changed yet) becomes an empty one:
    /// the client then asks again without a cursor.
    pub fn into_changes(self) -> LeadChanges {
        let mut changes = self.changes.unwrap_or_default();
        changes.extend(
            self.changed
                .unwrap_or_default()
                .into_iter()
                .map(|lead| LeadChange {
                    kind: ChangeKind::Updated,
                    id: lead.id.clone(),
                    lead: Some(lead),
                    previous_priority: None,
                }),
        );
        LeadChanges {
            cursor: self.cursor.unwrap_or_default(),
            has_more: self.has_more,
            changes,
        }
    }
}

/// The query of the changes route. Without `since` the answer has no changes and the current
/// cursor ("follow from now").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangesQuery {
    pub since: Option<String>,
    pub size: Option<u32>,
}

impl ChangesQuery {
    pub fn since(cursor: &str) -> Self {
        Self {
            since: Some(cursor.to_string()),
            size: None,
        }
    }

    /// `since=<cursor>&size=<n>`, each only when set, the cursor percent-encoded.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(since) = &self.since {
            parts.push(format!("since={}", encode_component(since)));
        }
        if let Some(size) = self.size {
            parts.push(format!("size={}", size.clamp(1, MAX_CHANGES_SIZE)));
        }
        parts.join("&")
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so any cursor survives the
/// query string.
fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The leads a client following the feed knows, by id: what it gets by applying every change in
/// order. Following from before the first run, it ends with the same leads a find answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeadMirror {
    pub leads: BTreeMap<String, Lead>,
}

impl LeadMirror {
    pub fn apply(&mut self, change: &LeadChange) {
        match (&change.kind, &change.lead) {
            (ChangeKind::Removed, _) => {
                self.leads.remove(&change.id);
            }
            (_, Some(lead)) => {
                self.leads.insert(change.id.clone(), lead.clone());
            }
            // A created or updated change always carries its lead; one without is ignored
            // rather than forgetting what the client knew.
            (_, None) => {}
        }
    }

    pub fn apply_all(&mut self, changes: &LeadChanges) {
        changes.changes.iter().for_each(|change| self.apply(change));
    }
}

/// "What changed" since a user's last visit, counted the way the view groups it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangesDigest {
    /// Leads first seen.
    pub new: u32,
    /// Leads whose priority moved.
    pub reprioritised: u32,
    /// Leads dismissed, expired or gone.
    pub resolved: u32,
}

impl ChangesDigest {
    pub fn add(&mut self, change: &LeadChange) {
        match change.kind {
            ChangeKind::Created => self.new += 1,
            ChangeKind::Removed => self.resolved += 1,
            ChangeKind::Updated => {
                let status = change.lead.as_ref().map(|lead| lead.status.as_str());
                if matches!(status, Some("dismissed") | Some("expired")) {
                    self.resolved += 1;
                } else if change.previous_priority.is_some() {
                    self.reprioritised += 1;
                }
            }
        }
    }

    pub fn of(changes: &[LeadChange]) -> Self {
        let mut digest = Self::default();
        changes.iter().for_each(|change| digest.add(change));
        digest
    }

    /// The nav entry's badge: how many things the user has not seen (0 shows no badge).
    pub fn total(&self) -> u32 {
        self.new + self.reprioritised + self.resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(id: &str, priority: u8, status: &str) -> Lead {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": "T", "priority": priority, "status": status
        }))
        .expect("a lead")
    }

    #[test]
    fn the_changes_answer_has_the_documented_shape() {
        let body = r#"{"cursor":"c2","hasMore":false,"changes":[
            {"kind":"created","id":"a","lead":{"id":"a","title":"T","priority":7}},
            {"kind":"updated","id":"b","lead":{"id":"b","priority":9},"previousPriority":6},
            {"kind":"removed","id":"c"}]}"#;
        let answer: LeadChanges = serde_json::from_str(body).expect("parses");
        assert_eq!(answer.changes[1].previous_priority, Some(6));
        assert_eq!(answer.changes[2].kind, ChangeKind::Removed);
        let out = serde_json::to_value(&answer).expect("serializes");
        assert!(out["changes"][2].get("lead").is_none());
        assert!(out["changes"][0].get("previousPriority").is_none());
        assert_eq!(out["hasMore"], false);
    }

    #[test]
    fn both_servers_changes_answers_read_as_one() {
        let ours = r#"{"cursor":"3.ab","hasMore":true,"changes":[{"kind":"removed","id":"x"}]}"#;
        let read = serde_json::from_str::<AnyLeadChanges>(ours)
            .expect("ours parses")
            .into_changes();
        assert_eq!((read.cursor.as_str(), read.has_more), ("3.ab", true));
        assert_eq!(read.changes[0].kind, ChangeKind::Removed);
        let kibana = r#"{"changed":[{"id":"a","title":"T","priority":7,"status":"dismissed",
            "changedAt":"2026-01-01T00:00:00.000Z"}],"cursor":"eyJ2IjoxfQ","hasMore":false}"#;
        let read = serde_json::from_str::<AnyLeadChanges>(kibana)
            .expect("Kibana's parses")
            .into_changes();
        assert_eq!(read.cursor, "eyJ2IjoxfQ");
        assert_eq!(read.changes[0].id, "a");
        assert_eq!(read.changes[0].kind, ChangeKind::Updated);
        let mut mirror = LeadMirror::default();
        mirror.apply_all(&read);
        assert_eq!(mirror.leads["a"].status, "dismissed");
        let empty = serde_json::from_str::<AnyLeadChanges>(
            r#"{"changed":[],"cursor":null,"hasMore":false}"#,
        )
        .expect("Kibana's empty answer parses")
        .into_changes();
        assert_eq!((empty.cursor.as_str(), empty.changes.len()), ("", 0));
    }

    #[test]
    fn a_mirror_ends_with_what_the_changes_leave() {
        let mut mirror = LeadMirror::default();
        let change = |kind, id: &str, lead: Option<Lead>| LeadChange {
            kind,
            id: id.into(),
            lead,
            previous_priority: None,
        };
        mirror.apply(&change(
            ChangeKind::Created,
            "a",
            Some(lead("a", 3, "active")),
        ));
        mirror.apply(&change(
            ChangeKind::Created,
            "b",
            Some(lead("b", 5, "active")),
        ));
        mirror.apply(&change(
            ChangeKind::Updated,
            "a",
            Some(lead("a", 8, "active")),
        ));
        mirror.apply(&change(ChangeKind::Removed, "b", None));
        // An update without its lead keeps what was known.
        mirror.apply(&change(ChangeKind::Updated, "a", None));
        assert_eq!(mirror.leads.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(mirror.leads["a"].priority, 8);
    }

    #[test]
    fn the_digest_counts_new_reprioritised_and_resolved() {
        let changes = [
            LeadChange {
                kind: ChangeKind::Created,
                id: "a".into(),
                lead: Some(lead("a", 3, "active")),
                previous_priority: None,
            },
            LeadChange {
                kind: ChangeKind::Updated,
                id: "b".into(),
                lead: Some(lead("b", 9, "active")),
                previous_priority: Some(4),
            },
            LeadChange {
                kind: ChangeKind::Updated,
                id: "c".into(),
                lead: Some(lead("c", 4, "dismissed")),
                previous_priority: None,
            },
            LeadChange {
                kind: ChangeKind::Removed,
                id: "d".into(),
                lead: None,
                previous_priority: None,
            },
            // Re-found with the same priority: nothing the user needs to look at.
            LeadChange {
                kind: ChangeKind::Updated,
                id: "e".into(),
                lead: Some(lead("e", 4, "active")),
                previous_priority: None,
            },
        ];
        let digest = ChangesDigest::of(&changes);
        assert_eq!(
            digest,
            ChangesDigest {
                new: 1,
                reprioritised: 1,
                resolved: 2
            }
        );
        assert_eq!(digest.total(), 4);
    }

    #[test]
    fn the_query_string_encodes_the_cursor_and_clamps_the_size() {
        assert_eq!(ChangesQuery::default().to_query_string(), "");
        let query = ChangesQuery {
            since: Some("a b/+=".into()),
            size: Some(9_000),
        };
        assert_eq!(query.to_query_string(), "since=a%20b%2F%2B%3D&size=500");
        assert_eq!(ChangesQuery::since("v1.7").to_query_string(), "since=v1.7");
    }
}

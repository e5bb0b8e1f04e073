//! "What changed" since the user's last visit (docs/leads.md "What changed"): the changes feed
//! folded into one entry per lead, so a lead created and then re-prioritised during the same
//! absence reads as new, and one that came and went reads as nothing.

use crate::leads::{ChangeKind, ChangesDigest, Lead, LeadChange};

/// How many changes one request asks for.
pub const CHANGES_PAGE_SIZE: u32 = 100;
/// How many pages one visit follows before it stops and says there is more: a user back after a
/// long absence gets the first thousand changes, not a page that never finishes loading.
pub const MAX_CHANGE_PAGES: u32 = 10;
/// The localStorage keys of the cursors start with this (all of them go at sign-out).
pub const CURSOR_KEY_PREFIX: &str = "gatehouse:leads-cursor:";

/// Where the cursor of one user, in one space, on one server is kept: each of them follows the
/// feed on their own, and one server's cursor means nothing to another.
pub fn cursor_storage_key(server: &str, user: &str, space: &str) -> String {
    // A JSON array: no user or space name can make two keys the same.
    let parts = serde_json::json!([server, user, space]);
    format!("{CURSOR_KEY_PREFIX}{parts}")
}

/// What happened to one lead while the user was away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    New,
    /// Its priority moved from `from` to the lead's priority now.
    Reprioritised {
        from: u8,
    },
    /// Dismissed, expired or gone.
    Resolved,
}

/// One lead in the "What changed" list.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedLead {
    pub id: String,
    pub change: Change,
    /// The lead as it is now; `None` for a removed lead this client never saw.
    pub lead: Option<Lead>,
}

/// Every lead that changed since the visit's cursor, in the order they first changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WhatChanged {
    pub leads: Vec<ChangedLead>,
    /// More changes were waiting than one visit follows ([`MAX_CHANGE_PAGES`]).
    pub truncated: bool,
}

fn is_resolved(lead: &Lead) -> bool {
    matches!(lead.status.as_str(), "dismissed" | "expired")
}

impl WhatChanged {
    pub fn apply_all(&mut self, changes: &[LeadChange]) {
        changes.iter().for_each(|change| self.apply(change));
    }

    pub fn apply(&mut self, change: &LeadChange) {
        let at = self.leads.iter().position(|seen| seen.id == change.id);
        let known = at.map(|at| self.leads[at].change.clone());
        let next = match (change.kind, &change.lead) {
            (ChangeKind::Removed, _) => match known {
                Some(Change::New) => None,
                _ => Some(Change::Resolved),
            },
            (ChangeKind::Created, _) => Some(Change::New),
            (ChangeKind::Updated, Some(lead)) if is_resolved(lead) => match known {
                Some(Change::New) => None,
                _ => Some(Change::Resolved),
            },
            (ChangeKind::Updated, lead) => {
                let now = lead.as_ref().map(|lead| lead.priority);
                match (known, change.previous_priority) {
                    (Some(Change::New), _) => Some(Change::New),
                    (Some(Change::Reprioritised { from }), _) if Some(from) == now => None,
                    (Some(Change::Reprioritised { from }), _) => {
                        Some(Change::Reprioritised { from })
                    }
                    (_, Some(from)) if Some(from) != now => Some(Change::Reprioritised { from }),
                    // Re-found as it was, or back from resolved at the same priority.
                    (_, _) => None,
                }
            }
        };
        let lead = change
            .lead
            .clone()
            .or_else(|| at.and_then(|at| self.leads[at].lead.clone()));
        match (at, next) {
            (Some(at), None) => {
                self.leads.remove(at);
            }
            (Some(at), Some(change)) => {
                self.leads[at].change = change;
                self.leads[at].lead = lead;
            }
            (None, Some(next)) => self.leads.push(ChangedLead {
                id: change.id.clone(),
                change: next,
                lead,
            }),
            (None, None) => {}
        }
    }

    /// The counts the summary and the nav badge show.
    pub fn digest(&self) -> ChangesDigest {
        let mut digest = ChangesDigest::default();
        for seen in &self.leads {
            match seen.change {
                Change::New => digest.new += 1,
                Change::Reprioritised { .. } => digest.reprioritised += 1,
                Change::Resolved => digest.resolved += 1,
            }
        }
        digest
    }

    /// "2 new · 1 re-prioritised · 1 resolved", leaving out what is zero.
    pub fn summary_text(&self) -> String {
        let digest = self.digest();
        let parts: Vec<String> = [
            (digest.new, "new"),
            (digest.reprioritised, "re-prioritised"),
            (digest.resolved, "resolved"),
        ]
        .into_iter()
        .filter(|&(count, _)| count > 0)
        .map(|(count, what)| format!("{count} {what}"))
        .collect();
        let mut text = parts.join(" · ");
        if self.truncated {
            text.push_str(" and more");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(id: &str, priority: u8, status: &str) -> Lead {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": format!("Lead {id}"), "priority": priority, "status": status
        }))
        .expect("a lead")
    }

    fn created(id: &str, priority: u8) -> LeadChange {
        LeadChange {
            kind: ChangeKind::Created,
            id: id.into(),
            lead: Some(lead(id, priority, "active")),
            previous_priority: None,
        }
    }

    fn updated(id: &str, priority: u8, status: &str, previous: Option<u8>) -> LeadChange {
        LeadChange {
            kind: ChangeKind::Updated,
            id: id.into(),
            lead: Some(lead(id, priority, status)),
            previous_priority: previous,
        }
    }

    fn removed(id: &str) -> LeadChange {
        LeadChange {
            kind: ChangeKind::Removed,
            id: id.into(),
            lead: None,
            previous_priority: None,
        }
    }

    fn changes(of: &[LeadChange]) -> Vec<(String, Change)> {
        let mut seen = WhatChanged::default();
        seen.apply_all(of);
        seen.leads.into_iter().map(|l| (l.id, l.change)).collect()
    }

    #[test]
    fn each_kind_reads_as_the_view_groups_it() {
        let mut seen = WhatChanged::default();
        seen.apply_all(&[
            created("a", 7),
            updated("b", 9, "active", Some(4)),
            updated("c", 4, "dismissed", None),
            removed("d"),
            // Re-found as it was: nothing to look at.
            updated("e", 4, "active", None),
        ]);
        assert_eq!(
            seen.leads
                .iter()
                .map(|l| (&*l.id, &l.change))
                .collect::<Vec<_>>(),
            [
                ("a", &Change::New),
                ("b", &Change::Reprioritised { from: 4 }),
                ("c", &Change::Resolved),
                ("d", &Change::Resolved),
            ]
        );
        assert_eq!(seen.summary_text(), "1 new · 1 re-prioritised · 2 resolved");
        assert_eq!(seen.digest().total(), 4);
        assert_eq!(seen.leads[1].lead.as_ref().map(|l| l.priority), Some(9));
    }

    #[test]
    fn one_entry_per_lead_however_often_it_changed() {
        // New, then re-prioritised: still new, at its latest priority.
        let mut seen = WhatChanged::default();
        seen.apply_all(&[created("a", 3), updated("a", 8, "active", Some(3))]);
        assert_eq!(seen.leads.len(), 1);
        assert_eq!(seen.leads[0].change, Change::New);
        assert_eq!(seen.leads[0].lead.as_ref().map(|l| l.priority), Some(8));
        // Came and went while the user was away: nothing.
        assert!(changes(&[created("a", 3), removed("a")]).is_empty());
        assert!(changes(&[created("a", 3), updated("a", 3, "expired", None)]).is_empty());
        // Moved twice: from the first priority to the last; moved back: nothing.
        assert_eq!(
            changes(&[
                updated("b", 6, "active", Some(4)),
                updated("b", 9, "active", Some(6))
            ]),
            [("b".to_string(), Change::Reprioritised { from: 4 })]
        );
        assert!(changes(&[
            updated("b", 6, "active", Some(4)),
            updated("b", 4, "active", Some(6))
        ])
        .is_empty());
        // Re-prioritised, then gone: resolved, and what it was is kept for the list.
        let mut seen = WhatChanged::default();
        seen.apply_all(&[updated("c", 6, "active", Some(4)), removed("c")]);
        assert_eq!(seen.leads[0].change, Change::Resolved);
        assert_eq!(seen.leads[0].lead.as_ref().map(|l| l.priority), Some(6));
    }

    #[test]
    fn a_truncated_list_says_there_is_more() {
        let mut seen = WhatChanged::default();
        seen.apply(&created("a", 3));
        seen.truncated = true;
        assert_eq!(seen.summary_text(), "1 new and more");
    }

    #[test]
    fn cursors_are_kept_per_server_user_and_space() {
        let key = cursor_storage_key("https://a:1", "ann", "default");
        assert!(key.starts_with(CURSOR_KEY_PREFIX));
        assert_ne!(key, cursor_storage_key("https://b:1", "ann", "default"));
        assert_ne!(key, cursor_storage_key("https://a:1", "bob", "default"));
        assert_ne!(key, cursor_storage_key("https://a:1", "ann", "soc"));
        // Separators inside names cannot make two keys the same.
        assert_ne!(
            cursor_storage_key("s", "a\",\"b", "c"),
            cursor_storage_key("s", "a", "b\",\"c")
        );
    }
}

//! Who the soak signs in as, what each of them must be answered, and the counts kept of what
//! they were answered.

#![cfg(feature = "bench")]

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

/// Seeded dashboards (ARCHITECTURE.md) that the soak reads but never changes.
pub const SEEDED: [&str; 5] = [
    "soc-overview",
    "phishing-triage",
    "executive-risk-summary",
    "endpoint-health",
    "network-traffic-legacy",
];

/// What a user may do with leads, as the seeded roles grant it.
#[derive(Clone, Copy, PartialEq)]
pub enum Leads {
    /// Index `write`: generate really writes.
    Write,
    /// Index `read` only.
    Read,
    /// The route (kibana_admin or superuser) but no index privilege: find is refused.
    NoIndex,
    /// No siem feature: the privileges route answers 403.
    NoRoute,
}

#[derive(Clone, Copy)]
pub struct User {
    pub name: &'static str,
    leads: Leads,
    /// May create (and so own, edit and restrict) dashboards.
    pub dashboards_write: bool,
    /// A write the server must refuse with 403: (seeded dashboard id) this user may not edit.
    pub forbidden_edit: Option<&'static str>,
}

impl User {
    const fn new(
        name: &'static str,
        leads: Leads,
        dashboards_write: bool,
        forbidden_edit: Option<&'static str>,
    ) -> User {
        User {
            name,
            leads,
            dashboards_write,
            forbidden_edit,
        }
    }

    /// Leads privileges route: 200 (kibana_admin or superuser) or 403 (no siem feature).
    pub fn leads_route(&self) -> bool {
        self.leads != Leads::NoRoute
    }

    /// Leads find: index `read`.
    pub fn leads_read(&self) -> bool {
        matches!(self.leads, Leads::Write | Leads::Read)
    }

    /// Generate really writes (index `write`); everyone else is not sent generate.
    pub fn generate(&self) -> bool {
        self.leads == Leads::Write
    }
}

/// The demo users, taken in turn by the sessions. Dashboards: every one but victor may create
/// them; alice may not edit elastic's `executive-risk-summary` (write_restricted), bob not
/// alice's `soc-overview` (write_restricted), victor not bob's `phishing-triage` (open to
/// editors, but victor only reads dashboards).
pub const USERS: [User; 7] = [
    User::new("elastic", Leads::Write, true, None),
    User::new("leads_full_user", Leads::Write, true, None),
    User::new("leads_read_user", Leads::Read, true, None),
    User::new(
        "alice",
        Leads::NoRoute,
        true,
        Some("executive-risk-summary"),
    ),
    User::new("bob", Leads::NoRoute, true, Some("soc-overview")),
    User::new("victor", Leads::NoRoute, false, Some("phishing-triage")),
    User::new("leads_no_access_user", Leads::NoIndex, true, None),
];

#[derive(Default)]
pub struct Stats {
    pub by_status: BTreeMap<u16, u64>,
    pub by_op: BTreeMap<&'static str, u64>,
    /// An answer other than the one this user must get (5xx are also counted here).
    pub unexpected: u64,
    pub transport_errors: u64,
    /// An acknowledged write whose content a later read did not return.
    pub lost_updates: u64,
    pub acked_writes: u64,
    pub verified_reads: u64,
    /// Stale-version writes refused with 409 and shown to have changed nothing.
    pub stale_refused: u64,
    pub mode_changes: u64,
    pub examples: Vec<String>,
}

impl Stats {
    pub fn example(&mut self, s: String) {
        if self.examples.len() < 12 {
            self.examples.push(s);
        }
    }

    pub fn merge(&mut self, o: Stats) {
        for (k, v) in o.by_status {
            *self.by_status.entry(k).or_default() += v;
        }
        for (k, v) in o.by_op {
            *self.by_op.entry(k).or_default() += v;
        }
        self.unexpected += o.unexpected;
        self.transport_errors += o.transport_errors;
        self.lost_updates += o.lost_updates;
        self.acked_writes += o.acked_writes;
        self.verified_reads += o.verified_reads;
        self.stale_refused += o.stale_refused;
        self.mode_changes += o.mode_changes;
        for e in o.examples {
            self.example(e);
        }
    }

    pub fn requests(&self) -> u64 {
        self.by_status.values().sum::<u64>() + self.transport_errors
    }

    pub fn server_errors(&self) -> u64 {
        self.by_status
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum()
    }
}

/// Totals the progress lines read while the load runs.
#[derive(Default)]
pub struct Live {
    pub requests: AtomicU64,
    pub server_errors: AtomicU64,
}

//! Leads kept between runs and the changes feed, checked natively (docs/leads.md "Kept leads and
//! ageing", "Changes"): a client that follows the feed from before the first run ends with the
//! leads a find answers, whatever the runs, dismissals, ageing and page sizes in between.

use std::collections::BTreeMap;

use gatehouse_api::admin::IndexPrivileges;
use gatehouse_api::leads::{FindLeadsQuery, Lead, LeadChanges, LeadMirror};
use proptest::prelude::*;
use rusqlite::Connection;

use super::changes::{read_changes, CursorProblem, WireChanges};
use super::*;
use crate::authz::DocumentAccess;
use crate::platform::db;
use crate::seed::entities::{demo_entities, ENTITY_SEED};

const INDEX: &str = ".entity_analytics.entity-leads-default";
const DAY: i64 = 24 * 60 * 60 * 1000;
const POOL: usize = 40;

/// A reader whose one role reads every index, narrowed by `query` when given.
fn reader(query: Option<&str>) -> DocumentAccess {
    let grant = IndexPrivileges {
        query: query.map(str::to_string),
        ..IndexPrivileges::default()
    };
    read_access_through(grant, INDEX)
}

const HOSTS: &str = r#"{"term":{"entity.type":"host"}}"#;

/// Every lead a find answers (all statuses), by id.
fn found(conn: &Connection) -> BTreeMap<String, Lead> {
    let query = FindLeadsQuery {
        per_page: 100,
        ..unfiltered_find()
    };
    let (leads, total) = find_leads(conn, INDEX, &query).expect("find");
    assert!(total <= 100);
    leads.into_iter().map(|l| (l.id.clone(), l)).collect()
}

/// A client following the feed: its cursor and what it knows.
struct Follower {
    access: DocumentAccess,
    cursor: String,
    mirror: LeadMirror,
}

impl Follower {
    fn start(conn: &Connection, access: DocumentAccess) -> Self {
        let now = read_changes(conn, INDEX, None, 100, &access, db::now_millis())
            .expect("read")
            .expect("no cursor to check");
        assert!(now.changes.is_empty(), "follow from now: no changes");
        Self {
            access,
            cursor: now.cursor,
            mirror: LeadMirror::default(),
        }
    }

    /// Reads pages of `size` until there are no more; each page holds a lead at most once.
    /// Returns how many changes it was told.
    fn catch_up(&mut self, conn: &Connection, size: u32) -> usize {
        let mut told = 0;
        loop {
            let since = changes::decode_cursor(INDEX, &self.cursor).expect("our cursor");
            let page: WireChanges = read_changes(
                conn,
                INDEX,
                Some(since),
                size,
                &self.access,
                db::now_millis(),
            )
            .expect("read")
            .expect("a cursor the feed gave");
            let mut ids: Vec<&str> = page.changes.iter().map(|c| c.id.as_str()).collect();
            ids.sort_unstable();
            let before = ids.len();
            ids.dedup();
            assert_eq!(before, ids.len(), "a lead twice in one answer");
            assert!(page.changes.len() <= size as usize);
            let page: LeadChanges =
                serde_json::from_value(serde_json::to_value(&page).expect("serializes"))
                    .expect("the api's LeadChanges parses the route's answer");
            told += page.changes.len();
            self.mirror.apply_all(&page);
            self.cursor = page.cursor;
            if !page.has_more {
                return told;
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Run {
    /// Which entities of the pool this run sees.
    present: Vec<bool>,
    /// Risk added to some entities, so priorities move between runs.
    risk_shift: Vec<i8>,
    max_leads: usize,
    /// Days since the previous run: 0, or enough to age leads out (stale, expired, removed).
    days_later: i64,
    /// Positions (modulo the active leads) of leads dismissed after the run.
    dismiss: Vec<usize>,
    page_size: u32,
}

fn run_strategy() -> impl Strategy<Value = Run> {
    (
        prop::collection::vec(any::<bool>(), POOL),
        prop::collection::vec(-30i8..30, POOL),
        1usize..=30,
        prop::sample::select(vec![0i64, 2, 10, 40]),
        prop::collection::vec(0usize..100, 0..4),
        1u32..=20,
    )
        .prop_map(
            |(present, risk_shift, max_leads, days_later, dismiss, page_size)| Run {
                present,
                risk_shift,
                max_leads,
                days_later,
                dismiss,
                page_size,
            },
        )
}

/// Runs `runs` (the last one at now, earlier ones `days_later` apart before it), with the
/// followers catching up after each run and each dismissal. Returns how many changes the two
/// followers were told, and how many leads the space ends with.
fn play(runs: &[Run]) -> (usize, usize) {
    let mut told = 0;
    let mut conn = db::migrated_in_memory();
    let pool = demo_entities(7, POOL);
    let total_days: i64 = runs.iter().skip(1).map(|r| r.days_later).sum();
    let mut at = db::now_millis() - total_days * DAY - 1_000;
    let mut everyone = Follower::start(&conn, reader(None));
    let mut hosts = Follower::start(&conn, reader(Some(HOSTS)));
    for (n, run) in runs.iter().enumerate() {
        if n > 0 {
            at += run.days_later * DAY;
        }
        let entities: Vec<_> = pool
            .iter()
            .zip(&run.present)
            .zip(&run.risk_shift)
            .filter(|((_, present), _)| **present)
            .map(|((e, _), shift)| {
                let mut e = e.clone();
                e.risk_score = (e.risk_score + f64::from(*shift)).clamp(0.0, 100.0);
                e
            })
            .collect();
        let mut leads = build_leads(&entities, run.max_leads, at, &format!("run-{n}"));
        with_stable_ids(INDEX, &mut leads);
        keep_run_leads(&mut conn, INDEX, leads, None, at).expect("run");
        told += everyone.catch_up(&conn, run.page_size);
        let active: Vec<String> = found(&conn)
            .into_values()
            .filter(|l| l.status == "active")
            .map(|l| l.id)
            .collect();
        if !active.is_empty() && !run.dismiss.is_empty() {
            let ids: Vec<String> = run
                .dismiss
                .iter()
                .map(|i| active[i % active.len()].clone())
                .collect();
            set_status(&mut conn, INDEX, &ids, "dismissed").expect("dismiss");
        }
        told += everyone.catch_up(&conn, run.page_size);
        told += hosts.catch_up(&conn, run.page_size.div_ceil(2));
    }
    let all = found(&conn);
    let leads = all.len();
    assert_eq!(
        everyone.mirror.leads, all,
        "the follower has exactly what find answers"
    );
    let host_leads: BTreeMap<String, Lead> = all
        .into_iter()
        .filter(|(_, l)| l.entity.as_ref().is_some_and(|e| e.entity_type == "host"))
        .collect();
    assert_eq!(
        hosts.mirror.leads, host_leads,
        "a restricted follower has its leads only"
    );
    // Caught up: nothing is delivered again.
    for follower in [&everyone, &hosts] {
        let since = changes::decode_cursor(INDEX, &follower.cursor).expect("cursor");
        let again = read_changes(
            &conn,
            INDEX,
            Some(since),
            500,
            &follower.access,
            db::now_millis(),
        )
        .expect("read")
        .expect("cursor");
        assert!(again.changes.is_empty() && !again.has_more, "{again:?}");
    }
    (told, leads)
}

/// RELIABILITY.md "Leads changes feed": `cargo test -p gatehouse-server --lib runs_tests --
/// --nocapture`.
#[test]
fn a_follower_misses_nothing_and_sees_nothing_twice() {
    const CASES: u32 = 300;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(CASES));
    let totals = std::cell::Cell::new((0usize, 0usize, 0usize));
    runner
        .run(&prop::collection::vec(run_strategy(), 1..=3), |runs| {
            let (told, leads) = play(&runs);
            let (r, t, l) = totals.get();
            totals.set((r + runs.len(), t + told, l + leads));
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    let (runs, told, leads) = totals.get();
    println!(
        "# leads changes feed: {CASES} cases, {runs} runs with dismissals and ageing, {told} changes followed by an unrestricted and a host-only reader in pages of 1-20: each ended with exactly the leads find answers it may see ({leads} leads over all cases), none told twice"
    );
}

#[test]
fn two_runs_keep_the_ids_of_leads_found_twice_and_dismissed_stays_dismissed() {
    let mut conn = db::migrated_in_memory();
    let entities = demo_entities(7, POOL);
    let now = db::now_millis();
    let mut first = build_leads(&entities, 10, now - 1_000, "one");
    with_stable_ids(INDEX, &mut first);
    keep_run_leads(&mut conn, INDEX, first.clone(), None, now - 1_000).expect("run");
    set_status(&mut conn, INDEX, &[first[0].id.clone()], "dismissed").expect("dismiss");
    let mut second = build_leads(&entities[..POOL / 2], 10, now, "two");
    with_stable_ids(INDEX, &mut second);
    keep_run_leads(&mut conn, INDEX, second.clone(), None, now).expect("run");
    let stored = found(&conn);
    for lead in first.iter().filter(|l| second.iter().any(|s| s.id == l.id)) {
        assert_eq!(stored[&lead.id].execution_uuid, "two");
    }
    if second.iter().any(|s| s.id == first[0].id) {
        assert_eq!(stored[&first[0].id].status, "dismissed");
    }
    // Not found again: still there, with the first run's contents.
    for lead in first
        .iter()
        .filter(|l| !second.iter().any(|s| s.id == l.id))
    {
        assert_eq!(stored[&lead.id].execution_uuid, "one");
    }
}

#[test]
fn a_run_in_a_seeded_space_updates_the_seeded_leads_instead_of_adding_others() {
    let mut conn = db::migrated_in_memory();
    let seeded = 40;
    crate::seed::entities::insert_synthetic_leads(&mut conn, "default", seeded, 7).expect("seed");
    let before = found(&conn);
    let mut run = build_leads(
        &demo_entities(ENTITY_SEED, seeded),
        seeded,
        db::now_millis(),
        "run",
    );
    with_stable_ids(INDEX, &mut run);
    keep_run_leads(&mut conn, INDEX, run, None, db::now_millis()).expect("run");
    let after = found(&conn);
    assert_eq!(
        after.len(),
        before.len(),
        "one lead per entity, before and after"
    );
    let mut entities: Vec<_> = after
        .values()
        .filter_map(|l| l.entity.clone())
        .map(|e| e.id)
        .collect();
    entities.sort();
    entities.dedup();
    assert_eq!(entities.len(), after.len(), "no entity has two leads");
    assert!(after.values().all(|l| l.execution_uuid == "run"));
}

#[test]
fn a_cursor_behind_the_kept_changes_is_too_old_and_one_ahead_is_unknown() {
    let mut conn = db::migrated_in_memory();
    let everyone = reader(None);
    let start = read_changes(&conn, INDEX, None, 10, &everyone, 0)
        .expect("read")
        .expect("now");
    assert_eq!(changes::decode_cursor(INDEX, &start.cursor), Ok(0));
    assert!(matches!(
        read_changes(&conn, INDEX, Some(1), 10, &everyone, 0).expect("read"),
        Err(CursorProblem::Unknown(_))
    ));
    // More changes than are kept: the cursor from before them is too old.
    let kept = changes::KEPT_CHANGES as usize;
    insert_synthetic_leads_at(&mut conn, kept + 5);
    assert_eq!(
        read_changes(&conn, INDEX, Some(0), 10, &everyone, 0).expect("read"),
        Err(CursorProblem::TooOld)
    );
    let oldest_kept = 6;
    let page = read_changes(&conn, INDEX, Some(oldest_kept - 1), 10, &everyone, 0)
        .expect("read")
        .expect("still kept");
    assert_eq!(page.changes.len(), 10);
    assert!(page.has_more);
    let kept_rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM lead_changes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(kept_rows as usize, kept, "the log is bounded");
    println!(
        "# leads change log: {} leads written, {kept_rows} changes kept; a cursor from before them is 400 (too old)",
        kept + 5
    );
}

fn insert_synthetic_leads_at(conn: &mut Connection, count: usize) {
    crate::seed::entities::insert_synthetic_leads(conn, "default", count, 3).expect("seed");
}

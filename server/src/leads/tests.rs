//! Lead building and storage, checked natively.

use gatehouse_api::leads::{FindLeadsQuery, Lead, SortField, SortOrder};
use rusqlite::{params, Connection};

use crate::platform::db;

use super::*;
use crate::seed::entities::*;

#[test]
fn prng_and_entities_are_deterministic() {
    let mut a = SplitMix64::new(1);
    let mut b = SplitMix64::new(1);
    assert_eq!(
        (0..5).map(|_| a.next_u64()).collect::<Vec<_>>(),
        (0..5).map(|_| b.next_u64()).collect::<Vec<_>>()
    );
    let one = demo_entities(ENTITY_SEED, ENTITY_COUNT);
    assert_eq!(one, demo_entities(ENTITY_SEED, ENTITY_COUNT));
    assert_eq!(one.len(), ENTITY_COUNT);
    let mut ids: Vec<&str> = one.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), ENTITY_COUNT, "entity ids are unique");
    for kind in ["host", "user", "service"] {
        assert!(one.iter().any(|e| e.entity_type == kind));
    }
    assert!(one.iter().all(|e| (0.0..=100.0).contains(&e.risk_score)));
}

#[test]
fn leads_are_ranked_and_well_formed() {
    let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
    let leads = build_leads(&entities, 10, 1_700_000_000_000, "exec-1");
    assert_eq!(leads.len(), 10);
    assert!(leads.windows(2).all(|w| w[0].priority >= w[1].priority));
    for lead in &leads {
        assert!((1..=10).contains(&lead.priority));
        assert_eq!(lead.status, "active");
        assert_eq!(lead.staleness, "fresh");
        assert_eq!(lead.source_type, "adhoc");
        assert_eq!(lead.execution_uuid, "exec-1");
        assert!(lead
            .observations
            .iter()
            .any(|o| o.module_id == "risk_analysis"));
        assert!(!lead.chat_recommendations.is_empty());
        assert!(lead.entity.is_some());
    }
    let titles = |l: &[Lead]| l.iter().map(|l| l.title.clone()).collect::<Vec<_>>();
    assert_eq!(
        titles(&leads),
        titles(&build_leads(&entities, 10, 0, "other")),
        "titles are deterministic"
    );
    assert_eq!(build_leads(&entities, 50, 0, "x").len(), 50);
    assert_eq!(
        titles(&leads)[..3],
        [
            "Critical risk user root with entity risk 100",
            "Critical risk host build-04 with entity risk 99",
            "Critical risk host vpn-04 with entity risk 99",
        ]
    );
}

use crate::platform::db::migrated_in_memory as migrated;

/// `lead_counts` against a real COUNT, for every (index, status) and per index.
fn assert_counts_exact(conn: &Connection) {
    let mut stmt = conn
        .prepare(
            "SELECT i.index_name, s.status FROM (SELECT 'a' AS index_name UNION SELECT 'b') i,
             (SELECT 'active' AS status UNION SELECT 'dismissed' UNION SELECT 'expired') s",
        )
        .unwrap();
    let pairs: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (index, status) in pairs {
        let real: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM leads WHERE index_name = ?1 AND status = ?2",
                params![index, status],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            count_leads(conn, &index, Some(&status)).unwrap(),
            real as u64,
            "{index} {status}"
        );
        let all: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM leads WHERE index_name = ?1",
                [&index],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(count_leads(conn, &index, None).unwrap(), all as u64);
    }
}

#[test]
fn lead_counts_follow_every_write() {
    let mut conn = migrated();
    let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
    const T: i64 = 1_700_000_000_000;
    let mut leads = build_leads(&entities, 30, T, "e1");
    with_stable_ids("a", &mut leads);
    keep_run_leads(&mut conn, "a", leads.clone(), None, T).unwrap();
    assert_counts_exact(&conn);
    assert_eq!(count_leads(&conn, "a", None).unwrap(), 30);
    let ids: Vec<String> = leads.iter().take(5).map(|l| l.id.clone()).collect();
    assert_eq!(set_status(&mut conn, "a", &ids, "dismissed").unwrap(), 5);
    assert_eq!(
        set_status(&mut conn, "a", &ids[..2], "dismissed").unwrap(),
        2
    );
    assert_counts_exact(&conn);
    assert_eq!(count_leads(&conn, "a", Some("dismissed")).unwrap(), 5);
    // A second run updates the leads it finds again in place (dismissed ones stay dismissed)
    // and leaves the others to age.
    let mut again = build_leads(&entities, 10, T + 1_000, "e2");
    with_stable_ids("a", &mut again);
    let outcome = keep_run_leads(&mut conn, "a", again, None, T + 1_000).unwrap();
    assert_eq!(
        outcome,
        RunOutcome {
            created: 0,
            updated: 10,
            removed: 0
        }
    );
    assert_counts_exact(&conn);
    assert_eq!(count_leads(&conn, "a", None).unwrap(), 30);
    assert_eq!(count_leads(&conn, "a", Some("dismissed")).unwrap(), 5);
    // Four weeks on, a run that finds nothing removes them all.
    let later = T + 1_000 + REMOVE_AFTER_MS + 1;
    let outcome = keep_run_leads(&mut conn, "a", Vec::new(), None, later).unwrap();
    assert_eq!(outcome.removed, 30);
    assert_counts_exact(&conn);
    let mut leads = build_leads(&entities, 30, T, "e1");
    with_stable_ids("a", &mut leads);
    keep_run_leads(&mut conn, "a", leads.clone(), None, T).unwrap();
    // Writing a lead whose id exists (same index, then another index) replaces it.
    ensure_index(&conn, "b").unwrap();
    let mut again = leads[0].clone();
    again.status = "expired".into();
    insert_leads(&conn, "a", std::slice::from_ref(&again)).unwrap();
    assert_counts_exact(&conn);
    insert_leads(&conn, "b", std::slice::from_ref(&again)).unwrap();
    assert_counts_exact(&conn);
    assert_eq!(count_leads(&conn, "b", None).unwrap(), 1);
    insert_synthetic_leads(&mut conn, "x", 500, 3).unwrap();
    let x = gatehouse_api::leads::leads_index("x");
    assert_eq!(count_leads(&conn, &x, None).unwrap(), 500);
    // Deleting an index cascades to its leads, as deleting a space does.
    conn.execute("DELETE FROM lead_indices WHERE index_name = ?1", [&x])
        .unwrap();
    assert_eq!(count_leads(&conn, &x, None).unwrap(), 0);
    conn.execute("DELETE FROM leads WHERE index_name = 'a'", [])
        .unwrap();
    assert_counts_exact(&conn);
    assert_eq!(count_leads(&conn, "a", None).unwrap(), 0);
    assert_eq!(count_leads(&conn, "nowhere", Some("active")).unwrap(), 0);
}

#[test]
fn migration_6_counts_the_leads_already_stored() {
    let conn = Connection::open_in_memory().unwrap();
    for (version, sql) in crate::platform::db::MIGRATIONS {
        if *version == 6 {
            ensure_index(&conn, "a").unwrap();
            let leads = build_leads(&demo_entities(ENTITY_SEED, ENTITY_COUNT), 12, 0, "e");
            insert_leads(&conn, "a", &leads).unwrap();
            conn.execute(
                "UPDATE leads SET status = 'dismissed' WHERE rowid % 3 = 0",
                [],
            )
            .unwrap();
        }
        conn.execute_batch(sql).unwrap();
    }
    assert_counts_exact(&conn);
    assert_eq!(count_leads(&conn, "a", None).unwrap(), 12);
}

/// What the find route answered before it spliced stored texts: parse, override, serialize.
fn typed_wire(body: &str, status: &str, now: i64) -> String {
    serde_json::to_string(&lead_from_row(body, status.to_string(), now).unwrap()).unwrap()
}

fn spliced(body: &str, status: &str, now: i64) -> String {
    let mut out = String::new();
    push_wire_lead(&mut out, body, status, now).unwrap();
    out
}

#[test]
fn spliced_leads_are_byte_for_byte_the_typed_serialization() {
    const DAY: i64 = 24 * 60 * 60 * 1000;
    let now = 1_700_000_000_000;
    let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
    let mut leads = build_leads(&entities, 50, now, "e");
    let mut rng = SplitMix64::new(9);
    for (i, e) in entities.iter().enumerate() {
        let mut lead = build_lead(e, i, now - rng.below(30 * DAY as u64) as i64, "x\"y");
        lead.status = ["active", "dismissed", "expired"][i % 3].into();
        lead.staleness = ["fresh", "stale", "expired", "whatever"][i % 4].into();
        leads.push(lead);
    }
    // Strings that look like the spliced keys, escapes, unicode, no entity, odd metadata.
    let mut odd = leads[0].clone();
    odd.title = r#"x","timestamp":"1970-01-01T00:00:00.000Z","staleness":"fresh" \" \\"#.into();
    odd.description = "ünïcødé \u{1F600} \n\t \u{0001} </script>".into();
    odd.entity = None;
    odd.tags = vec![r#"","status":"active"#.into()];
    odd.observations[0].metadata = serde_json::json!({
        "timestamp": "2000-01-01T00:00:00.000Z", "staleness": "x", "status": "y",
        "nested": { "a": [1, 2.5, -3e-7, null, true] }
    });
    leads.push(odd);
    let mut no_observations = leads[1].clone();
    no_observations.observations.clear();
    leads.push(no_observations);
    for (i, lead) in leads.iter().enumerate() {
        let body = serde_json::to_string(lead).unwrap();
        assert!(locate(&body).is_some(), "a stored lead is spliced: {body}");
        for status in ["active", "dismissed", "expired", "we\"ird\\"] {
            for at in [now, now + DAY / 2, now + 3 * DAY, now + 40 * DAY] {
                assert_eq!(
                    spliced(&body, status, at),
                    typed_wire(&body, status, at),
                    "lead {i}"
                );
            }
        }
    }
}

#[test]
fn bodies_of_another_shape_take_the_typed_path() {
    let now = 1_700_000_000_000;
    for body in [
        // Older Kibana's `entities`, fields in another order, missing fields, escapes in the
        // timestamp, no observations key.
        r#"{"id":"a","title":"T","entities":[{"type":"host","name":"w"}],"priority":3,"timestamp":"2023-11-14T22:13:20.000Z"}"#,
        r#"{"title":"T","id":"a","priority":3,"timestamp":"2023-11-14T22:13:20.000Z","staleness":"fresh","status":"active","observations":[]}"#,
        r#"{"id":"a","title":"T","entity":null,"priority":3,"timestamp":"2023-11-14T22:13:20\u002e000Z","staleness":"fresh","status":"active","observations":[]}"#,
        r#"{"id":"a","title":"T","entity":null,"priority":3,"timestamp":"2023-11-14T22:13:20.000Z","staleness":"fresh","status":"active"}"#,
    ] {
        assert_eq!(
            spliced(body, "dismissed", now),
            typed_wire(body, "dismissed", now)
        );
    }
    let mut out = String::new();
    assert!(push_wire_lead(&mut out, "{\"id\":\"a\"", "active", now).is_err());
}

#[test]
fn the_find_body_is_the_serialized_page() {
    let mut conn = migrated();
    insert_synthetic_leads(&mut conn, "s", 700, 5).unwrap();
    let index = gatehouse_api::leads::leads_index("s");
    for status in [None, Some("active"), Some("dismissed")] {
        for (page, per_page) in [(1, 100), (2, 100), (7, 100), (8, 100), (3, 20), (99, 10)] {
            for field in [SortField::Priority, SortField::Timestamp] {
                let query = FindLeadsQuery {
                    page,
                    per_page,
                    sort_field: field,
                    sort_order: SortOrder::Desc,
                    status: status.map(str::to_string),
                };
                let body = find_leads_json(&conn, &index, &query).unwrap().body;
                let (leads, total) = find_leads(&conn, &index, &query).unwrap();
                let typed = serde_json::to_string(&gatehouse_api::leads::LeadsPage {
                    leads: gatehouse_api::leads::LeadList(leads),
                    total,
                    page,
                    per_page,
                })
                .unwrap();
                assert_eq!(body, typed, "{query:?}");
            }
        }
    }
    let empty = serde_json::to_string(&gatehouse_api::leads::LeadsPage {
        leads: gatehouse_api::leads::LeadList(Vec::new()),
        total: 0,
        page: 4,
        per_page: 20,
    })
    .unwrap();
    assert_eq!(empty_page_json(4, 20), empty);
}

#[test]
fn every_find_query_walks_an_index_without_sorting() {
    let conn = migrated();
    for filtered in [true, false] {
        for field in [SortField::Priority, SortField::Timestamp] {
            for order in [SortOrder::Asc, SortOrder::Desc] {
                let sql = find_sql(filtered, field, order);
                let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
                let plan: Vec<String> = stmt
                    .query_map(
                        params!["i", "active", 20, 0][..if filtered { 4 } else { 3 }].as_ref(),
                        |r| r.get(3),
                    )
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                let plan = plan.join(" / ");
                assert!(
                    plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"),
                    "{sql}: {plan}"
                );
                assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
            }
        }
    }
}

#[test]
fn staleness_follows_age() {
    let now = 10 * 24 * 60 * 60 * 1000;
    assert_eq!(staleness_at(&db::iso_millis(now - 1000), now), "fresh");
    assert_eq!(
        staleness_at(&db::iso_millis(now - 2 * 24 * 60 * 60 * 1000), now),
        "stale"
    );
    assert_eq!(staleness_at(&db::iso_millis(0), now), "expired");
}

#[test]
fn a_find_answer_holds_until_a_lead_on_it_changes_staleness() {
    const DAY: i64 = 24 * 60 * 60 * 1000;
    let conn = migrated();
    let now = db::now_millis();
    let entities = demo_entities(ENTITY_SEED, ENTITY_COUNT);
    // Fresh for another hour, stale for another day, long expired.
    let born = [now - DAY + 3_600_000, now - 6 * DAY, now - 30 * DAY];
    let leads: Vec<Lead> = born
        .iter()
        .enumerate()
        .map(|(i, &ts)| build_lead(&entities[i], i, ts, "e"))
        .collect();
    ensure_index(&conn, "a").unwrap();
    insert_leads(&conn, "a", &leads).unwrap();
    let all = unfiltered_find();
    let page = find_leads_json(&conn, "a", &all).unwrap();
    assert_eq!(page.valid_until_ms, born[0] + DAY);
    let expired_only = FindLeadsQuery {
        page: 3,
        per_page: 1,
        sort_field: SortField::Timestamp,
        sort_order: SortOrder::Desc,
        status: None,
    };
    let page = find_leads_json(&conn, "a", &expired_only).unwrap();
    assert!(
        page.body.contains("\"staleness\":\"expired\""),
        "{}",
        page.body
    );
    assert_eq!(page.valid_until_ms, i64::MAX);
}

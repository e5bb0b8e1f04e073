//! Refusals in bulk against the real server (docs/audit-log.md, "Refusals in bulk"): a client
//! refused again and again gets the same answers as before, while the audit log records the
//! first refusals of each window one by one and the rest as one event with their count, in the
//! table and in the file alike, also when the server stops before the window closes.

mod common;

use std::time::{Duration, Instant};

use common::{expect, Session, TestServer};
use gatehouse_api::audit::{actions, AUDIT_PATH};
use gatehouse_server::audit_refusals::RefusalLimits;
use reqwest::StatusCode;
use serde_json::{json, Value};

const REFUSALS: usize = 40;

fn limits(recorded_per_window: u32, window: Duration) -> RefusalLimits {
    RefusalLimits {
        recorded_per_window,
        window,
        ..RefusalLimits::default()
    }
}

/// victor may manage no dashboard: every access-mode change is refused before its body is read,
/// and audited.
async fn refuse_victor(t: &TestServer, victor: &Session, times: usize) {
    let body = json!({"objects": [{"type": "dashboard", "id": "soc-overview"}], "accessMode": "write_restricted"});
    let mut messages = std::collections::BTreeSet::new();
    for _ in 0..times {
        let (status, answer) = t
            .post_json(
                victor,
                "/internal/access_control/change_access_mode",
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        messages.insert(answer["message"].as_str().unwrap_or("").to_string());
    }
    assert_eq!(
        messages.len(),
        1,
        "every refusal answered alike: {messages:?}"
    );
}

fn victors_rows(t: &TestServer) -> i64 {
    t.db_value(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE username = 'victor' AND action = '{}'",
        actions::UPDATE_OBJECTS_ACCESS_MODE
    ))
}

fn victors_lines(t: &TestServer) -> Vec<Value> {
    let file = std::fs::read_to_string(t.dir.path().join("audit.log")).unwrap_or_default();
    file.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| {
            line["user"]["name"] == "victor"
                && line["event"]["action"] == actions::UPDATE_OBJECTS_ACCESS_MODE
        })
        .collect()
}

/// The events the audit API lists for victor's refusals, newest first.
async fn victors_events(t: &TestServer, elastic: &Session) -> Vec<Value> {
    let path = format!(
        "{AUDIT_PATH}?user=victor&action={}&perPage=100",
        actions::UPDATE_OBJECTS_ACCESS_MODE
    );
    let page = expect(t.get_json(elastic, &path).await, StatusCode::OK);
    page["events"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_flood_of_refusals_is_recorded_in_part_and_counted_in_one_event() {
    let window = Duration::from_millis(1_500);
    let t = TestServer::start_with(|c| c.refusal_limits = limits(5, window)).await;
    let victor = t.login("victor").await;
    let started = Instant::now();
    refuse_victor(&t, &victor, REFUSALS).await;
    if started.elapsed() < window {
        assert_eq!(victors_rows(&t), 5, "only the first five, one by one");
    }

    let deadline = Instant::now() + window * 4;
    while victors_rows(&t) < 6 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elastic = t.login("elastic").await;
    let events = victors_events(&t, &elastic).await;
    let counted: u64 = events
        .iter()
        .filter_map(|e| e["kibana"]["details"]["refusals_counted"].as_u64())
        .sum();
    let one_by_one = events
        .iter()
        .filter(|e| e["kibana"]["details"]["refusals_counted"].is_null())
        .count();
    println!(
        "# refusals in bulk: {REFUSALS} refused, {one_by_one} recorded one by one, {counted} counted in {} event(s)",
        events.len() - one_by_one
    );
    assert_eq!(
        one_by_one as u64 + counted,
        REFUSALS as u64,
        "every refusal is in the log, one by one or counted: {events:#?}"
    );
    assert!(
        events.len() <= 2 * 6,
        "at most five one by one and one count per window: {} events",
        events.len()
    );
    let count = events
        .iter()
        .find(|e| e["kibana"]["details"]["refusals_counted"].is_u64())
        .expect("a count event");
    assert_eq!(count["event"]["outcome"], "failure");
    assert!(
        count["message"]
            .as_str()
            .unwrap_or("")
            .contains("were counted, not recorded one by one"),
        "{count}"
    );
    assert_eq!(
        victors_lines(&t).len(),
        events.len(),
        "the file has the same events as the table"
    );
}

#[tokio::test]
async fn the_counts_still_open_are_written_when_the_server_stops() {
    let mut t =
        TestServer::start_with(|c| c.refusal_limits = limits(2, Duration::from_secs(3_600))).await;
    let victor = t.login("victor").await;
    refuse_victor(&t, &victor, 10).await;
    assert_eq!(victors_rows(&t), 2);
    t.restart().await;
    assert_eq!(victors_rows(&t), 3, "two one by one, then the count");
    let counted: i64 = t.db_value(&format!(
        "SELECT json_extract(details, '$.refusals_counted') FROM audit_log
         WHERE username = 'victor' AND action = '{}' ORDER BY id DESC LIMIT 1",
        actions::UPDATE_OBJECTS_ACCESS_MODE
    ));
    assert_eq!(counted, 8);
    assert_eq!(victors_lines(&t).len(), 3);
}

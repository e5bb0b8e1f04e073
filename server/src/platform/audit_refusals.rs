//! Refusals in bulk (docs/audit-log.md, "Refusals in bulk"). Every refused request is audited,
//! and a refusal costs the client almost nothing: one signed-in Python client was refused 1,466
//! times a second, which wrote 1,466 rows and ~600 KB of audit.log a second. Left alone, that
//! fills the disk in hours and buries the events an administrator needs under noise.
//!
//! So refusals are recorded one by one up to a number per window for each user, action and
//! space; the rest of that window's refusals are counted, and the count is recorded as one
//! event when the window closes (at the next refusal after it, by the server's periodic check,
//! or at shutdown). Successful changes are always recorded one by one. The counts live in memory
//! and are bounded: when the table is full, the window that started first is closed early.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use gatehouse_api::audit::REFUSALS_COUNTED;
use gatehouse_api::text::thousands;
use serde_json::json;

use crate::platform::audit::{bound_text, AuditEvent, Outcome};
use crate::platform::db::iso_millis;

/// How many refusals are recorded one by one, and for how long a count runs.
#[derive(Debug, Clone)]
pub struct RefusalLimits {
    /// Refusals recorded one by one within a window, per user, action and space.
    pub recorded_per_window: u32,
    /// How long a window runs from its first refusal.
    pub window: Duration,
    /// Users × actions × spaces counted at once.
    pub capacity: usize,
}

impl Default for RefusalLimits {
    fn default() -> Self {
        Self {
            recorded_per_window: 20,
            window: Duration::from_secs(60),
            capacity: 4_096,
        }
    }
}

/// Object ids a count keeps as examples, and characters of each (and of the last message), the
/// mark of a cut included.
const SAMPLE_IDS: usize = 5;
const SAMPLE_CHARS: usize = 256;
const LAST_MESSAGE_CHARS: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    username: String,
    action: &'static str,
    space: String,
}

impl Key {
    fn of(event: &AuditEvent) -> Key {
        Key {
            username: cut(&event.username, SAMPLE_CHARS),
            action: event.action,
            space: cut(&event.space, SAMPLE_CHARS),
        }
    }
}

/// `text` cut as every audit value is, with the mark that says so. Only the characters that can
/// be kept are copied: a flood's values may be a megabyte each, and this runs for every refusal.
fn cut(text: &str, max_chars: usize) -> String {
    let mut text: String = text.chars().take(max_chars.saturating_add(1)).collect();
    bound_text(&mut text, max_chars);
    text
}

/// One user's refusals of one action in one space since `started_ms`.
#[derive(Debug)]
struct Window {
    started_ms: i64,
    recorded: u32,
    counted: u64,
    first_counted_ms: i64,
    last_counted_ms: i64,
    profile_uid: Option<String>,
    effective_user: Option<String>,
    object_type: String,
    sample_ids: Vec<String>,
    last_message: String,
}

impl Window {
    fn opened_by(event: &AuditEvent) -> Window {
        Window {
            started_ms: event.ts_ms,
            recorded: 1,
            counted: 0,
            first_counted_ms: 0,
            last_counted_ms: 0,
            profile_uid: None,
            effective_user: None,
            object_type: String::new(),
            sample_ids: Vec::new(),
            last_message: String::new(),
        }
    }

    fn count(&mut self, event: &AuditEvent) {
        // Who and what kind of object are read from the first refusal counted: the same user's
        // refusals of one action share them, and a flood need not copy them each time.
        if self.counted == 0 {
            self.first_counted_ms = event.ts_ms;
            self.profile_uid = event.profile_uid.as_deref().map(|u| cut(u, SAMPLE_CHARS));
            self.effective_user = event
                .effective_user
                .as_deref()
                .map(|u| cut(u, SAMPLE_CHARS));
            self.object_type = cut(&event.object_type, SAMPLE_CHARS);
        }
        self.counted += 1;
        self.last_counted_ms = event.ts_ms;
        for id in &event.object_ids {
            if self.sample_ids.len() >= SAMPLE_IDS {
                break;
            }
            let id = cut(id, SAMPLE_CHARS);
            if !self.sample_ids.contains(&id) {
                self.sample_ids.push(id);
            }
        }
        self.last_message = cut(&event.message, LAST_MESSAGE_CHARS);
    }

    /// The one event that records what this window counted; `None` when it counted nothing.
    fn summary(self, key: Key, window: Duration) -> Option<AuditEvent> {
        if self.counted == 0 {
            return None;
        }
        let seconds = window.as_secs().max(1);
        Some(AuditEvent {
            ts_ms: self.last_counted_ms,
            action: key.action,
            outcome: Outcome::Failure,
            username: key.username,
            effective_user: self.effective_user,
            profile_uid: self.profile_uid,
            space: key.space,
            object_type: self.object_type,
            object_ids: self.sample_ids,
            details: json!({
                (REFUSALS_COUNTED): self.counted,
                "recorded_one_by_one": self.recorded,
                "first_counted": iso_millis(self.first_counted_ms),
                "last_counted": iso_millis(self.last_counted_ms),
                "window_seconds": seconds,
            }),
            message: format!(
                "{} more refusals of this action for this user in this space were counted, not recorded one by one: the first {} within {seconds} s were. The last one: {}",
                thousands(self.counted),
                self.recorded,
                self.last_message
            ),
        })
    }
}

/// The windows of every user, action and space refused lately.
#[derive(Debug)]
pub struct Refusals {
    limits: RefusalLimits,
    windows: Mutex<HashMap<Key, Window>>,
}

impl Refusals {
    pub fn new(limits: RefusalLimits) -> Self {
        Self {
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn window_ms(&self) -> i64 {
        i64::try_from(self.limits.window.as_millis()).unwrap_or(i64::MAX)
    }

    /// Events to write for `events` (a change's events or one refusal), in order: successes
    /// as they are; each refusal, unless its window has recorded its share, in which case it is
    /// counted; and before a refusal, the count of any window it closes.
    pub fn admit(&self, events: Vec<AuditEvent>) -> Vec<AuditEvent> {
        // A change that succeeded, the common case, passes without the lock.
        if events.iter().all(|event| event.outcome == Outcome::Success) {
            return events;
        }
        let mut to_write = Vec::with_capacity(events.len());
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        for event in events {
            if event.outcome == Outcome::Success {
                to_write.push(event);
                continue;
            }
            let key = Key::of(&event);
            let window_ms = self.window_ms();
            if let Some(window) = windows.get_mut(&key) {
                if event.ts_ms < window.started_ms.saturating_add(window_ms) {
                    if window.recorded < self.limits.recorded_per_window {
                        window.recorded += 1;
                        to_write.push(event);
                    } else {
                        window.count(&event);
                    }
                    continue;
                }
                if let Some(ended) = windows.remove(&key) {
                    to_write.extend(ended.summary(key.clone(), self.limits.window));
                }
            }
            if windows.len() >= self.limits.capacity.max(1) {
                to_write.extend(self.make_room(&mut windows, event.ts_ms));
            }
            windows.insert(key, Window::opened_by(&event));
            to_write.push(event);
        }
        to_write
    }

    /// Closes the windows that have ended by `now_ms`, and if none has, the one that started
    /// first: their counts.
    fn make_room(&self, windows: &mut HashMap<Key, Window>, now_ms: i64) -> Vec<AuditEvent> {
        let mut closed = self.close(windows, |window| {
            window.started_ms.saturating_add(self.window_ms()) <= now_ms
        });
        if windows.len() >= self.limits.capacity.max(1) {
            let oldest = windows
                .iter()
                .min_by_key(|(_, window)| window.started_ms)
                .map(|(key, _)| key.clone());
            if let Some((key, window)) = oldest.and_then(|key| windows.remove_entry(&key)) {
                closed.extend(window.summary(key, self.limits.window));
            }
        }
        closed
    }

    fn close(
        &self,
        windows: &mut HashMap<Key, Window>,
        ended: impl Fn(&Window) -> bool,
    ) -> Vec<AuditEvent> {
        let keys: Vec<Key> = windows
            .iter()
            .filter(|(_, window)| ended(window))
            .map(|(key, _)| key.clone())
            .collect();
        let mut closed: Vec<AuditEvent> = keys
            .into_iter()
            .filter_map(|key| {
                let window = windows.remove(&key)?;
                window.summary(key, self.limits.window)
            })
            .collect();
        closed.sort_by_key(|event| event.ts_ms);
        closed
    }

    /// The counts of every window that has ended by `now_ms`; those windows are forgotten.
    pub fn closed_by(&self, now_ms: i64) -> Vec<AuditEvent> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        self.close(&mut windows, |window| {
            window.started_ms.saturating_add(self.window_ms()) <= now_ms
        })
    }

    /// The counts of every window, ended or not: when the server stops.
    pub fn close_all(&self) -> Vec<AuditEvent> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        self.close(&mut windows, |_| true)
    }

    /// How often the server looks for windows that have closed: often enough that a count is
    /// written soon after its window ends.
    pub fn check_interval(&self) -> Duration {
        (self.limits.window / 4).clamp(Duration::from_millis(50), Duration::from_secs(15))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::audit::TRUNCATED_MARK;
    use gatehouse_api::audit::actions;

    const WINDOW_MS: i64 = 60_000;

    fn refusals(recorded_per_window: u32, capacity: usize) -> Refusals {
        Refusals::new(RefusalLimits {
            recorded_per_window,
            window: Duration::from_millis(WINDOW_MS as u64),
            capacity,
        })
    }

    fn refusal(user: &str, ts_ms: i64, id: &str) -> AuditEvent {
        AuditEvent {
            ts_ms,
            action: actions::UPDATE_OBJECTS_ACCESS_MODE,
            outcome: Outcome::Failure,
            username: user.into(),
            effective_user: None,
            profile_uid: Some(format!("u_{user}")),
            space: "default".into(),
            object_type: "dashboard".into(),
            object_ids: vec![id.into()],
            details: json!({}),
            message: format!("Unable to change {id}"),
        }
    }

    fn written(refusals: &Refusals, event: AuditEvent) -> Vec<AuditEvent> {
        refusals.admit(vec![event])
    }

    #[test]
    fn the_first_refusals_of_a_window_are_recorded_and_the_rest_counted_once() {
        let r = refusals(3, 100);
        let mut rows = Vec::new();
        for i in 0..50 {
            rows.extend(written(&r, refusal("victor", 1_000 + i, &format!("d{i}"))));
        }
        assert_eq!(rows.len(), 3, "three recorded one by one");
        assert!(rows.iter().all(|e| e.details["refusals_counted"].is_null()));
        assert!(r.closed_by(1_000 + WINDOW_MS - 1).is_empty(), "still open");
        let closed = r.closed_by(1_000 + WINDOW_MS);
        assert_eq!(closed.len(), 1);
        let summary = &closed[0];
        assert_eq!(summary.details["refusals_counted"], 47);
        assert_eq!(summary.details["recorded_one_by_one"], 3);
        assert_eq!(summary.username, "victor");
        assert_eq!(summary.action, actions::UPDATE_OBJECTS_ACCESS_MODE);
        assert_eq!(summary.outcome, Outcome::Failure);
        assert_eq!(summary.object_ids, ["d3", "d4", "d5", "d6", "d7"]);
        assert_eq!(summary.ts_ms, 1_049);
        assert!(summary.message.starts_with("47 more refusals"));
        assert!(summary.message.ends_with("Unable to change d49"));
        assert!(r.closed_by(10 * WINDOW_MS).is_empty(), "written once");
    }

    #[test]
    fn a_refusal_after_the_window_writes_the_count_before_itself() {
        let r = refusals(1, 100);
        written(&r, refusal("victor", 0, "a"));
        assert!(written(&r, refusal("victor", 10, "b")).is_empty());
        let rows = written(&r, refusal("victor", WINDOW_MS + 5, "c"));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].details["refusals_counted"], 1);
        assert_eq!(
            rows[1].object_ids,
            ["c"],
            "then the refusal, in a new window"
        );
    }

    #[test]
    fn users_actions_and_spaces_are_counted_apart_and_successes_never() {
        let r = refusals(1, 100);
        assert_eq!(written(&r, refusal("victor", 0, "a")).len(), 1);
        assert_eq!(written(&r, refusal("bob", 1, "a")).len(), 1);
        let elsewhere = AuditEvent {
            space: "soc-emea".into(),
            ..refusal("victor", 2, "a")
        };
        assert_eq!(written(&r, elsewhere).len(), 1);
        let other_action = AuditEvent {
            action: actions::UPDATE_OBJECTS_OWNER,
            ..refusal("victor", 3, "a")
        };
        assert_eq!(written(&r, other_action).len(), 1);
        for ts in 4..40 {
            let success = AuditEvent {
                outcome: Outcome::Success,
                ..refusal("victor", ts, "a")
            };
            assert_eq!(written(&r, success).len(), 1);
        }
        assert!(written(&r, refusal("victor", 50, "a")).is_empty());
    }

    #[test]
    fn a_full_table_closes_the_window_that_started_first() {
        let r = refusals(1, 2);
        written(&r, refusal("a", 0, "x"));
        written(&r, refusal("a", 1, "y"));
        written(&r, refusal("b", 2, "x"));
        let rows = written(&r, refusal("c", 3, "x"));
        assert_eq!(rows.len(), 2, "a's count, then c's refusal");
        assert_eq!(rows[0].username, "a");
        assert_eq!(rows[0].details["refusals_counted"], 1);
        assert_eq!(rows[1].username, "c");
        let rest = r.close_all();
        assert!(rest.is_empty(), "b and c counted nothing: {rest:?}");
    }

    #[test]
    fn what_a_count_keeps_is_bounded() {
        let r = refusals(1, 10);
        let huge = "x".repeat(100_000);
        let mut first = refusal(&huge, 0, &huge);
        first.object_ids = (0..1_000).map(|i| format!("{i}{huge}")).collect();
        written(&r, first.clone());
        first.ts_ms = 1;
        first.message = huge.clone();
        written(&r, first);
        let summary = r.close_all().remove(0);
        assert_eq!(summary.object_ids.len(), SAMPLE_IDS);
        assert!(summary
            .object_ids
            .iter()
            .all(|id| id.chars().count() == SAMPLE_CHARS && id.ends_with(TRUNCATED_MARK)));
        assert_eq!(summary.username.chars().count(), SAMPLE_CHARS);
        assert!(summary.message.len() < LAST_MESSAGE_CHARS + 200);
    }
}

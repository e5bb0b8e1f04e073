//! Audit events for changes of access control (owner, access mode), kept twice: a row in the
//! `audit_log` table, written in the same transaction as the change it records, and a JSON line
//! (ECS-like, as Kibana's audit log) appended to the audit log file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use gatehouse_api::audit::actions;
use rusqlite::{params, Connection, Transaction};
use serde_json::{json, Value};

use crate::platform::audit_refusals::{RefusalLimits, Refusals};
use crate::platform::error::AppError;

pub const UPDATE_OBJECTS_OWNER: &str = actions::UPDATE_OBJECTS_OWNER;
pub const UPDATE_OBJECTS_ACCESS_MODE: &str = actions::UPDATE_OBJECTS_ACCESS_MODE;
/// One object written by the saved-objects routes (docs/saved-objects.md, "Audit"): Kibana's names.
pub const SAVED_OBJECT_CREATE: &str = actions::SAVED_OBJECT_CREATE;
pub const SAVED_OBJECT_UPDATE: &str = actions::SAVED_OBJECT_UPDATE;
pub const SAVED_OBJECT_DELETE: &str = actions::SAVED_OBJECT_DELETE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

/// One event. `A` is the action's type: a name from [`gatehouse_api::audit::actions`] when the
/// server records it, the stored text when the audit API reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent<A = &'static str> {
    pub ts_ms: i64,
    pub action: A,
    pub outcome: Outcome,
    /// Who sent the request (for a failed login: the name tried).
    pub username: String,
    /// The user the request ran as, when the caller was viewing as another user (docs/view-as.md).
    pub effective_user: Option<String>,
    pub profile_uid: Option<String>,
    pub space: String,
    pub object_type: String,
    pub object_ids: Vec<String>,
    /// What was asked (`access_mode`, `new_owner`) and, on success, what it replaced.
    pub details: Value,
    /// Why it failed; empty on success.
    pub message: String,
}

impl Outcome {
    /// The stored text back (`None` for anything else: the table's CHECK allows only these).
    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            "success" => Some(Outcome::Success),
            "failure" => Some(Outcome::Failure),
            _ => None,
        }
    }
}

/// ECS's `event.category` and `event.type` of an action: signing in and out and running as
/// another user are authentication, everything else a change to stored data.
pub fn event_kind(action: &str) -> (&'static str, &'static str) {
    use gatehouse_api::audit::actions;
    match action {
        actions::USER_LOGIN => ("authentication", "start"),
        actions::USER_LOGOUT => ("authentication", "end"),
        actions::RUN_AS_GRANTED | actions::RUN_AS_DENIED => ("authentication", "access"),
        _ => ("database", "change"),
    }
}

impl<A: AsRef<str>> AuditEvent<A> {
    /// The event as JSON: one line of the audit log file, one event of the audit API
    /// (docs/audit-log.md). `id` is the row's id.
    pub fn to_json(&self, id: Option<i64>) -> Value {
        let action = self.action.as_ref();
        let (category, kind) = event_kind(action);
        let mut event = json!({
            "action": action,
            "category": [category],
            "type": [kind],
            "outcome": self.outcome.as_str(),
        });
        if let Some(id) = id {
            event["id"] = json!(id.to_string());
        }
        let mut user = json!({ "name": self.username, "id": self.profile_uid });
        if let Some(effective) = &self.effective_user {
            user["effective"] = json!({ "name": effective });
        }
        json!({
            "@timestamp": crate::platform::db::iso_millis(self.ts_ms),
            "event": event,
            "user": user,
            "kibana": {
                "space_id": self.space,
                "saved_object": { "type": self.object_type, "ids": self.object_ids },
                "details": self.details,
            },
            "message": self.message,
        })
    }
}

/// How much of an event is kept. Refused requests are audited too, and their fields come from
/// whoever sent them, so every value has a size before it reaches the table or the file
/// (RELIABILITY.md, "Refused oversized writes"); what is cut is said in the row itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditBounds {
    /// Characters of one text value: the user, uid, space, type, each object id and each string
    /// inside the details. Longer than any valid username (507), profile uid, space id or id.
    pub text_chars: usize,
    /// Object ids kept, and items kept of any list inside the details.
    pub list_items: usize,
    /// Bytes of the details as JSON; beyond that only their size is kept.
    pub details_bytes: usize,
    /// Characters of the message.
    pub message_chars: usize,
}

impl AuditBounds {
    /// A change that happened records what it did: it was validated, so these are wide.
    pub const SUCCESS: AuditBounds = AuditBounds {
        text_chars: 1_100,
        list_items: 1_000,
        details_bytes: 256 * 1024,
        message_chars: 2_048,
    };
    /// A refused request records who tried what, not all of what they sent.
    pub const FAILURE: AuditBounds = AuditBounds {
        text_chars: 1_100,
        list_items: 20,
        details_bytes: 4 * 1024,
        message_chars: 2_048,
    };

    pub fn for_outcome(outcome: Outcome) -> AuditBounds {
        match outcome {
            Outcome::Success => AuditBounds::SUCCESS,
            Outcome::Failure => AuditBounds::FAILURE,
        }
    }
}

/// Marks a cut value, so a reader of the log knows it is not what was sent.
pub const TRUNCATED_MARK: &str = "…[truncated]";

/// Cuts `text` to at most `max_chars` characters, the mark included, so that bounding twice
/// changes nothing.
pub(crate) fn bound_text(text: &mut String, max_chars: usize) {
    if text.chars().count() <= max_chars {
        return;
    }
    let keep = max_chars.saturating_sub(TRUNCATED_MARK.chars().count());
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    text.truncate(cut);
    text.push_str(TRUNCATED_MARK);
}

/// How many of `len` items to keep so that, with the marker that counts the rest, a list has at
/// most `max` entries.
fn kept_items(len: usize, max: usize) -> usize {
    if len <= max {
        len
    } else {
        max.saturating_sub(1)
    }
}

fn bound_value(value: &mut Value, bounds: &AuditBounds) {
    match value {
        Value::String(text) => bound_text(text, bounds.text_chars),
        Value::Array(items) => {
            let kept = kept_items(items.len(), bounds.list_items);
            let omitted = items.len() - kept;
            items.truncate(kept);
            items.iter_mut().for_each(|item| bound_value(item, bounds));
            if omitted > 0 {
                items.push(json!({ "omitted_items": omitted }));
            }
        }
        Value::Object(fields) => {
            let keep = kept_items(fields.len(), bounds.list_items);
            let omitted = fields.len() - keep;
            let kept: serde_json::Map<String, Value> = std::mem::take(fields)
                .into_iter()
                .take(keep)
                .map(|(mut key, mut item)| {
                    bound_text(&mut key, bounds.text_chars);
                    bound_value(&mut item, bounds);
                    (key, item)
                })
                .collect();
            *fields = kept;
            if omitted > 0 {
                fields.insert("omitted_fields".to_string(), json!(omitted));
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The event as it may be written: every text value cut to `bounds`, lists shortened (with the
/// number left out), and details larger than `details_bytes` replaced by their size.
pub fn bounded(mut event: AuditEvent, bounds: &AuditBounds) -> AuditEvent {
    bound_text(&mut event.username, bounds.text_chars);
    if let Some(effective) = event.effective_user.as_mut() {
        bound_text(effective, bounds.text_chars);
    }
    if let Some(uid) = event.profile_uid.as_mut() {
        bound_text(uid, bounds.text_chars);
    }
    bound_text(&mut event.space, bounds.text_chars);
    bound_text(&mut event.object_type, bounds.text_chars);
    let omitted_ids = event.object_ids.len().saturating_sub(bounds.list_items);
    event.object_ids.truncate(bounds.list_items);
    for id in &mut event.object_ids {
        bound_text(id, bounds.text_chars);
    }
    if omitted_ids > 0 {
        let details = std::mem::take(&mut event.details);
        event.details = match details {
            Value::Object(mut fields) => {
                fields.insert("omitted_object_ids".to_string(), json!(omitted_ids));
                Value::Object(fields)
            }
            other => json!({ "value": other, "omitted_object_ids": omitted_ids }),
        };
    }
    bound_value(&mut event.details, bounds);
    let details_bytes = event.details.to_string().len();
    if details_bytes > bounds.details_bytes {
        event.details = json!({ "omitted_bytes": details_bytes });
    }
    bound_text(&mut event.message, bounds.message_chars);
    event
}

/// Writes one row, bounded for its outcome first (as the file's line is: bounding is idempotent,
/// so row and line agree). Returns the row's id, which the file's line carries too.
pub fn insert(conn: &Connection, event: &AuditEvent) -> anyhow::Result<i64> {
    let bounded = bounded(event.clone(), &AuditBounds::for_outcome(event.outcome));
    let event = &bounded;
    conn.execute(
        "INSERT INTO audit_log (ts_ms, action, outcome, username, profile_uid, space, object_type,
         object_ids, details, message, effective_user)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            event.ts_ms,
            event.action,
            event.outcome.as_str(),
            event.username,
            event.profile_uid,
            event.space,
            event.object_type,
            serde_json::to_string(&event.object_ids)?,
            event.details.to_string(),
            event.message,
            event.effective_user,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The audit log file, opened on first use and appended to one line per event, and the counts
/// of refusals in bulk that decide which refusals reach it and the table.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<Option<File>>,
    refusals: Refusals,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> Self {
        Self::with_refusal_limits(path, RefusalLimits::default())
    }

    pub fn with_refusal_limits(path: PathBuf, limits: RefusalLimits) -> Self {
        Self {
            path,
            file: Mutex::new(None),
            refusals: Refusals::new(limits),
        }
    }

    pub fn refusals(&self) -> &Refusals {
        &self.refusals
    }

    /// Appends one event. A failure is logged, not returned: the change it records has already
    /// been committed together with its `audit_log` row.
    pub fn append(&self, event: &AuditEvent, id: i64) {
        if let Err(error) = self.try_append(event, id) {
            tracing::error!(
                path = %self.path.display(),
                error = format!("{error:#}"),
                action = event.action,
                "could not write the audit log file"
            );
        }
    }

    fn try_append(&self, event: &AuditEvent, id: i64) -> anyhow::Result<()> {
        let event = bounded(event.clone(), &AuditBounds::for_outcome(event.outcome));
        let mut line = serde_json::to_vec(&event.to_json(Some(id)))?;
        line.push(b'\n');
        let mut guard = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            *guard = Some(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&self.path)?,
            );
        }
        if let Some(file) = guard.as_mut() {
            // One write per line, so concurrent writers (other processes) never interleave lines.
            file.write_all(&line)?;
            file.flush()?;
        }
        Ok(())
    }
}

/// How [`audited`] records a change's error.
pub trait AuditedError: From<anyhow::Error> {
    /// The message of the failure event, or `None` when the failure is not recorded: the
    /// server's own failures (answered 500), and refusals of features that audit only changes.
    fn failure_message(&self) -> Option<String>;
}

impl AuditedError for AppError {
    fn failure_message(&self) -> Option<String> {
        match self {
            AppError::Internal(_) => None,
            other => Some(other.message()),
        }
    }
}

/// The one audited write: runs `change` in an immediate transaction and audits its outcome. On
/// success the event's row commits with the change; on a recorded failure the change rolls back
/// and a failure event (with the error's message) is written instead. Either way the event is
/// appended to the file afterwards. `change` may fill in the event's details.
pub fn audited<T, E: AuditedError>(
    conn: &mut Connection,
    log: &AuditLog,
    event: AuditEvent,
    change: impl FnOnce(&Transaction<'_>, &mut AuditEvent) -> Result<T, E>,
) -> Result<T, E> {
    audited_when_changed(conn, log, event, |tx, event| {
        change(tx, event).map(|value| (value, Changed::Yes))
    })
}

/// Whether a change that succeeded changed anything, and so is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Yes,
    /// Nothing was written (a bulk request whose every item was refused): no event.
    No,
}

/// [`audited`] for a change that may turn out to change nothing: `change` says so with
/// [`Changed::No`], and then the transaction commits without an event.
pub fn audited_when_changed<T, E: AuditedError>(
    conn: &mut Connection,
    log: &AuditLog,
    event: AuditEvent,
    change: impl FnOnce(&Transaction<'_>, &mut AuditEvent) -> Result<(T, Changed), E>,
) -> Result<T, E> {
    in_audited_transaction(conn, log, event, |tx, event| {
        let (value, changed) = change(tx, event)?;
        let recorded = match changed {
            Changed::No => Vec::new(),
            Changed::Yes => vec![AuditEvent {
                outcome: Outcome::Success,
                ..event.clone()
            }],
        };
        Ok((value, recorded))
    })
}

/// [`audited`] for a change of many objects, each recorded by its own event: `change` returns,
/// with its value, the events of what it did and refused, which commit with it (a refused
/// object's event has outcome failure). On a recorded failure of the whole change it rolls back
/// and only `event`, as the failure, is written: nothing of the change is recorded as done.
pub fn audited_objects<T, E: AuditedError>(
    conn: &mut Connection,
    log: &AuditLog,
    event: AuditEvent,
    change: impl FnOnce(&Transaction<'_>) -> Result<(T, Vec<AuditEvent>), E>,
) -> Result<T, E> {
    in_audited_transaction(conn, log, event, |tx, _| change(tx))
}

/// The one audited write: `change` runs in an immediate transaction and returns the events that
/// record it, which commit with it and are appended to the file after the commit. On an error
/// with a failure message the change rolls back and `event` (as `change` left it, with its
/// details) is written as the failure instead.
fn in_audited_transaction<T, E: AuditedError>(
    conn: &mut Connection,
    log: &AuditLog,
    mut event: AuditEvent,
    change: impl FnOnce(&Transaction<'_>, &mut AuditEvent) -> Result<(T, Vec<AuditEvent>), E>,
) -> Result<T, E> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(anyhow::Error::from)?;
    match change(&tx, &mut event) {
        Ok((value, recorded)) => {
            let recorded = log.refusals.admit(recorded);
            let ids = insert_all(&tx, &recorded)?;
            tx.commit().map_err(anyhow::Error::from)?;
            append_all(log, &recorded, ids);
            Ok(value)
        }
        Err(error) => {
            drop(tx);
            if let Some(message) = error.failure_message() {
                event.outcome = Outcome::Failure;
                event.message = message;
                write_as_they_are(conn, log, log.refusals.admit(vec![event]))?;
            }
            Err(error)
        }
    }
}

/// Events that record no change of their own (a sign-in, a run-as, a refusal before any change
/// was tried) go through the same door as changes: an immediate transaction that writes their
/// rows, then the file's lines.
pub fn record(
    conn: &mut Connection,
    log: &AuditLog,
    events: Vec<AuditEvent>,
) -> anyhow::Result<()> {
    let Some(first) = events.first().cloned() else {
        return Ok(());
    };
    in_audited_transaction(conn, log, first, move |_, _| {
        Ok::<_, AppError>(((), events))
    })
    .map_err(|error| match error {
        AppError::Internal(error) => error,
        other => anyhow::anyhow!(other.message()),
    })
}

/// Writes `events` in one transaction and then to the file, as they are: the counts of
/// refusals in bulk, and a refusal already admitted.
pub(crate) fn write_as_they_are(
    conn: &mut Connection,
    log: &AuditLog,
    events: Vec<AuditEvent>,
) -> anyhow::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let ids = insert_all(&tx, &events)?;
    tx.commit()?;
    append_all(log, &events, ids);
    Ok(())
}

fn insert_all(tx: &Transaction<'_>, events: &[AuditEvent]) -> anyhow::Result<Vec<i64>> {
    events.iter().map(|each| insert(tx, each)).collect()
}

/// The file's lines of rows just committed.
fn append_all(log: &AuditLog, events: &[AuditEvent], ids: Vec<i64>) {
    for (each, id) in events.iter().zip(ids) {
        log.append(each, id);
    }
}

impl crate::AppState {
    /// [`record`] on the database's single writer.
    pub(crate) async fn write_audit_events(&self, events: Vec<AuditEvent>) -> anyhow::Result<()> {
        let log = self.audit.clone();
        self.db.write(move |conn| record(conn, &log, events)).await
    }

    /// [`audited`] on the database's single writer: how a route runs a change and its audit row.
    pub(crate) async fn write_audited<T, E>(
        &self,
        event: AuditEvent,
        change: impl FnOnce(&Transaction<'_>, &mut AuditEvent) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: AuditedError + Send + 'static,
    {
        self.write_audited_when_changed(event, move |tx, event| {
            change(tx, event).map(|value| (value, Changed::Yes))
        })
        .await
    }

    /// [`audited_objects`] on the database's single writer.
    pub(crate) async fn write_audited_objects<T, E>(
        &self,
        event: AuditEvent,
        change: impl FnOnce(&Transaction<'_>) -> Result<(T, Vec<AuditEvent>), E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: AuditedError + Send + 'static,
    {
        let log = self.audit.clone();
        self.db
            .write(move |conn| Ok(audited_objects(conn, &log, event, change)))
            .await?
    }

    /// [`audited_when_changed`] on the database's single writer.
    pub(crate) async fn write_audited_when_changed<T, E>(
        &self,
        event: AuditEvent,
        change: impl FnOnce(&Transaction<'_>, &mut AuditEvent) -> Result<(T, Changed), E>
            + Send
            + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: AuditedError + Send + 'static,
    {
        let log = self.audit.clone();
        self.db
            .write(move |conn| Ok(audited_when_changed(conn, &log, event, change)))
            .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(outcome: Outcome) -> AuditEvent {
        AuditEvent {
            ts_ms: 1_700_000_000_000,
            action: UPDATE_OBJECTS_OWNER,
            outcome,
            username: "victor".into(),
            effective_user: None,
            profile_uid: Some("u_victor_0".into()),
            space: "default".into(),
            object_type: "dashboard".into(),
            object_ids: vec!["soc-overview".into()],
            details: json!({ "new_owner": "u_bob_0" }),
            message: "Access denied".into(),
        }
    }

    fn line_bytes(event: &AuditEvent) -> usize {
        event.to_json(None).to_string().len()
    }

    #[test]
    fn a_valid_event_is_kept_as_it_is() {
        for outcome in [Outcome::Success, Outcome::Failure] {
            let original = event(outcome);
            assert_eq!(
                bounded(original.clone(), &AuditBounds::for_outcome(outcome)),
                original
            );
        }
    }

    #[test]
    fn a_refused_flood_is_cut_to_a_few_kilobytes() {
        let mut flood = event(Outcome::Failure);
        let huge = "x".repeat(1_000_000);
        flood.details = json!({ "new_owner": huge });
        flood.object_ids = (0..50_000).map(|i| format!("id-{i}")).collect();
        flood.message = format!("no user has the profile ID \"{huge}\"");
        assert!(line_bytes(&flood) > 1_000_000);
        let cut = bounded(flood, &AuditBounds::FAILURE);
        assert!(line_bytes(&cut) < 8 * 1024, "{} bytes", line_bytes(&cut));
        assert_eq!(cut.object_ids.len(), AuditBounds::FAILURE.list_items);
        assert_eq!(cut.details["omitted_object_ids"], 50_000 - 20);
        let owner = cut.details["new_owner"].as_str().unwrap();
        assert!(owner.ends_with(TRUNCATED_MARK));
        assert_eq!(owner.chars().count(), AuditBounds::FAILURE.text_chars);
        assert!(cut.message.ends_with(TRUNCATED_MARK));
        assert_eq!(cut.username, "victor", "who tried is kept");
    }

    #[test]
    fn details_too_large_are_replaced_by_their_size() {
        let mut many = event(Outcome::Failure);
        many.details =
            json!({ "previous": (0..19).map(|_| "y".repeat(1_000)).collect::<Vec<_>>() });
        let cut = bounded(many, &AuditBounds::FAILURE);
        let size = cut.details["omitted_bytes"].as_u64().unwrap();
        assert!(size > 4 * 1024, "{size}");
        assert_eq!(cut.details.as_object().unwrap().len(), 1);
    }

    #[test]
    fn lists_and_objects_say_how_much_was_left_out() {
        let bounds = AuditBounds {
            list_items: 3,
            ..AuditBounds::SUCCESS
        };
        let mut value = json!({ "list": [1, 2, 3, 4, 5], "a": 1, "b": 2 });
        bound_value(&mut value, &bounds);
        assert_eq!(value["list"], json!([1, 2, { "omitted_items": 3 }]));
        let mut wide = json!({ "a": 1, "b": 2, "c": 3, "d": 4 });
        bound_value(&mut wide, &bounds);
        assert_eq!(wide, json!({ "a": 1, "b": 2, "omitted_fields": 2 }));
    }

    #[test]
    fn bounding_twice_changes_nothing() {
        let mut flood = event(Outcome::Failure);
        flood.details = json!({
            "new_owner": "é".repeat(5_000),
            "list": (0..100).collect::<Vec<_>>(),
            "wide": (0..100).map(|i| (format!("k{i}"), json!(i))).collect::<serde_json::Map<_, _>>(),
        });
        flood.object_ids = vec!["z".repeat(3_000); 40];
        for bounds in [AuditBounds::FAILURE, AuditBounds::SUCCESS] {
            let once = bounded(flood.clone(), &bounds);
            assert_eq!(bounded(once.clone(), &bounds), once);
        }
    }
}

//! Audit events for changes of access control (owner, access mode), kept twice: a row in the
//! `audit_log` table, written in the same transaction as the change it records, and a JSON line
//! (ECS-like, as Kibana's audit log) appended to the audit log file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{params, Connection, Transaction};
use serde_json::{json, Value};

use crate::platform::error::AppError;

pub const UPDATE_OBJECTS_OWNER: &str = "saved_object_update_objects_owner";
pub const UPDATE_OBJECTS_ACCESS_MODE: &str = "saved_object_update_objects_access_mode";

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

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub ts_ms: i64,
    pub action: &'static str,
    pub outcome: Outcome,
    pub username: String,
    pub profile_uid: Option<String>,
    pub space: String,
    pub object_type: String,
    pub object_ids: Vec<String>,
    /// What was asked (`access_mode`, `new_owner`) and, on success, what it replaced.
    pub details: Value,
    /// Why it failed; empty on success.
    pub message: String,
}

impl AuditEvent {
    /// One line of the audit log file.
    pub fn to_json(&self) -> Value {
        json!({
            "@timestamp": crate::platform::db::iso_millis(self.ts_ms),
            "event": {
                "action": self.action,
                "category": ["database"],
                "type": ["change"],
                "outcome": self.outcome.as_str(),
            },
            "user": { "name": self.username, "id": self.profile_uid },
            "kibana": {
                "space_id": self.space,
                "saved_object": { "type": self.object_type, "ids": self.object_ids },
                "details": self.details,
            },
            "message": self.message,
        })
    }
}

pub fn insert(conn: &Connection, event: &AuditEvent) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO audit_log (ts_ms, action, outcome, username, profile_uid, space, object_type,
         object_ids, details, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
        ],
    )?;
    Ok(())
}

/// The audit log file, opened on first use and appended to one line per event.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<Option<File>>,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            file: Mutex::new(None),
        }
    }

    /// Appends one event. A failure is logged, not returned: the change it records has already
    /// been committed together with its `audit_log` row.
    pub fn append(&self, event: &AuditEvent) {
        if let Err(error) = self.try_append(event) {
            tracing::error!(
                path = %self.path.display(),
                error = format!("{error:#}"),
                action = event.action,
                "could not write the audit log file"
            );
        }
    }

    fn try_append(&self, event: &AuditEvent) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(&event.to_json())?;
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
    mut event: AuditEvent,
    change: impl FnOnce(&Transaction<'_>, &mut AuditEvent) -> Result<(T, Changed), E>,
) -> Result<T, E> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(anyhow::Error::from)?;
    match change(&tx, &mut event) {
        Ok((value, Changed::No)) => {
            tx.commit().map_err(anyhow::Error::from)?;
            Ok(value)
        }
        Ok((value, Changed::Yes)) => {
            event.outcome = Outcome::Success;
            insert(&tx, &event)?;
            tx.commit().map_err(anyhow::Error::from)?;
            log.append(&event);
            Ok(value)
        }
        Err(error) => {
            drop(tx);
            if let Some(message) = error.failure_message() {
                event.outcome = Outcome::Failure;
                event.message = message;
                insert(conn, &event)?;
                log.append(&event);
            }
            Err(error)
        }
    }
}

impl crate::AppState {
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

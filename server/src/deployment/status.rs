//! `GET /api/status`: whether this server can serve, for a load balancer or a monitor, in Kibana's
//! shape (docs/status.md). Anyone may ask; only a signed-in caller sees the name, the version and
//! the database's detail.
//!
//! The answer rests on one read of the database. However many callers poll, at most one read is
//! in flight and a result is reused for [`FRESH_FOR`], so the endpoint cannot be used to load the
//! database; a read that has not answered within [`DEADLINE`] makes the server `degraded`, and is
//! not started again while it is still running.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::platform::session;
use crate::AppState;

pub const STATUS_PATH: &str = "/api/status";

/// How long one database check answers every caller.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// How long the database has to answer the check's read.
pub const DEADLINE: Duration = Duration::from_secs(2);

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(STATUS_PATH, get(status))
}

/// What the last database check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbCheck {
    /// The read answered: the schema version the database is at, and how long it took.
    Answered { schema_version: i64, millis: u64 },
    /// The read had not answered within the deadline.
    TooSlow { within: Duration },
    /// The read failed.
    Failed { error: String },
}

/// Kibana's status levels that Gatehouse reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Available,
    Degraded,
    Unavailable,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Available => "available",
            Level::Degraded => "degraded",
            Level::Unavailable => "unavailable",
        }
    }

    /// 503 for anything but `available`: a load balancer then sends users to a server that can
    /// serve them. (Kibana answers 200 for `degraded`; its `degraded` means some plugin is unwell
    /// while pages still work. Ours means the database, which every page needs, is not answering
    /// in time.)
    pub fn http_status(self) -> StatusCode {
        match self {
            Level::Available => StatusCode::OK,
            Level::Degraded | Level::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl DbCheck {
    pub fn level(&self) -> Level {
        match self {
            DbCheck::Answered { .. } => Level::Available,
            DbCheck::TooSlow { .. } => Level::Degraded,
            DbCheck::Failed { .. } => Level::Unavailable,
        }
    }

    /// The overall summary: shown to anyone, so it names no path and no error text.
    pub fn overall_summary(&self) -> &'static str {
        match self {
            DbCheck::Answered { .. } => "All services are available",
            DbCheck::TooSlow { .. } => "The database is slow to answer",
            DbCheck::Failed { .. } => "The database is unavailable",
        }
    }

    /// The database's own summary, for signed-in callers.
    fn database_summary(&self) -> String {
        match self {
            DbCheck::Answered { .. } => "The database is available".to_string(),
            DbCheck::TooSlow { within } => format!(
                "The database did not answer a read within {} ms",
                within.as_millis()
            ),
            DbCheck::Failed { error } => format!("The database read failed: {error}"),
        }
    }
}

/// What only a signed-in caller is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    /// The host's name (Kibana's `server.name` defaults to it).
    pub name: String,
    /// This process's id: a new one at every start, so a monitor can tell a restart.
    pub uuid: String,
}

/// The answer's body: the level and summary for anyone, the rest with `details`.
pub fn body(check: &DbCheck, details: Option<&Details>) -> Value {
    let overall = json!({
        "level": check.level().as_str(),
        "summary": check.overall_summary(),
    });
    let Some(details) = details else {
        return json!({ "status": { "overall": overall } });
    };
    let mut database_meta = json!({});
    if let DbCheck::Answered {
        schema_version,
        millis,
    } = check
    {
        database_meta = json!({ "schemaVersion": schema_version, "responseTimeMs": millis });
    }
    json!({
        "name": details.name,
        "uuid": details.uuid,
        "version": {
            "number": env!("CARGO_PKG_VERSION"),
            "build_profile": if cfg!(debug_assertions) { "debug" } else { "release" },
            "schema_version": crate::platform::db::latest_version(),
        },
        "status": {
            "overall": overall,
            "core": {
                "database": {
                    "level": check.level().as_str(),
                    "summary": check.database_summary(),
                    "meta": database_meta,
                },
            },
        },
    })
}

/// The last check and the read still running, if any.
#[derive(Default)]
struct ProbeState {
    last: Option<(Instant, DbCheck)>,
    running: Option<JoinHandle<anyhow::Result<i64>>>,
}

/// The database check shared by every status request (one per server).
pub struct Probe {
    fresh_for: Duration,
    deadline: Duration,
    state: tokio::sync::Mutex<ProbeState>,
    details: Details,
}

impl Default for Probe {
    fn default() -> Self {
        Self::new(FRESH_FOR, DEADLINE)
    }
}

impl Probe {
    pub fn new(fresh_for: Duration, deadline: Duration) -> Self {
        Self {
            fresh_for,
            deadline,
            state: tokio::sync::Mutex::default(),
            details: Details {
                name: host_name(),
                uuid: uuid::Uuid::new_v4().to_string(),
            },
        }
    }

    /// The last check if it is fresh; otherwise waits (at most the deadline) for the read started
    /// by `start_read`, or for the one still running from an earlier check. Callers arriving
    /// meanwhile wait for this check rather than start their own.
    pub async fn check(
        &self,
        start_read: impl FnOnce() -> JoinHandle<anyhow::Result<i64>>,
    ) -> DbCheck {
        let mut state = self.state.lock().await;
        if let Some((at, check)) = &state.last {
            if at.elapsed() < self.fresh_for {
                return check.clone();
            }
        }
        let started = Instant::now();
        let mut read = state.running.take().unwrap_or_else(start_read);
        let check = match tokio::time::timeout(self.deadline, &mut read).await {
            Ok(Ok(Ok(schema_version))) => DbCheck::Answered {
                schema_version,
                millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            },
            Ok(Ok(Err(error))) => DbCheck::Failed {
                error: format!("{error:#}"),
            },
            Ok(Err(join)) => DbCheck::Failed {
                error: join.to_string(),
            },
            Err(_) => {
                state.running = Some(read);
                DbCheck::TooSlow {
                    within: self.deadline,
                }
            }
        };
        state.last = Some((Instant::now(), check.clone()));
        check
    }
}

fn host_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: gethostname writes at most `buffer.len()` bytes into the buffer we own for the call.
    let written = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
    if written != 0 {
        return "gatehouse".to_string();
    }
    let end = buffer.iter().position(|b| *b == 0).unwrap_or(buffer.len());
    match std::str::from_utf8(&buffer[..end]) {
        Ok(name) if !name.is_empty() => name.to_string(),
        _ => "gatehouse".to_string(),
    }
}

async fn status(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let db = state.db.clone();
    let check = state
        .status
        .check(move || {
            tokio::spawn(async move {
                db.read(|conn| {
                    Ok(conn.query_row(
                        "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                        [],
                        |row| row.get(0),
                    )?)
                })
                .await
            })
        })
        .await;
    let signed_in = match session::session_token(&headers) {
        Some(token) => session::is_signed_in(&state, &token).await,
        None => false,
    };
    let details = signed_in.then_some(&state.status.details);
    (check.level().http_status(), Json(body(&check, details))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn details() -> Details {
        Details {
            name: "host".into(),
            uuid: "id".into(),
        }
    }

    #[test]
    fn anonymous_callers_get_the_level_and_summary_only() {
        let check = DbCheck::Answered {
            schema_version: 7,
            millis: 1,
        };
        let anonymous = body(&check, None);
        assert_eq!(
            anonymous,
            json!({"status": {"overall": {"level": "available", "summary": "All services are available"}}})
        );
        let signed_in = body(&check, Some(&details()));
        assert_eq!(signed_in["version"]["number"], env!("CARGO_PKG_VERSION"));
        assert_eq!(
            signed_in["status"]["core"]["database"]["meta"]["schemaVersion"],
            7
        );
        assert_eq!(signed_in["name"], "host");
    }

    #[test]
    fn a_failing_database_is_unavailable_and_its_error_is_not_shown_to_anyone() {
        let check = DbCheck::Failed {
            error: "disk I/O error at /srv/secret/gatehouse.db".into(),
        };
        assert_eq!(check.level().http_status(), StatusCode::SERVICE_UNAVAILABLE);
        let anonymous = body(&check, None).to_string();
        assert!(anonymous.contains("\"unavailable\""), "{anonymous}");
        assert!(!anonymous.contains("/srv/secret"), "{anonymous}");
        let signed_in = body(&check, Some(&details())).to_string();
        assert!(signed_in.contains("/srv/secret"), "{signed_in}");
    }

    #[test]
    fn levels_and_their_http_codes() {
        let slow = DbCheck::TooSlow {
            within: Duration::from_secs(2),
        };
        assert_eq!(slow.level(), Level::Degraded);
        assert_eq!(slow.level().http_status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(Level::Available.http_status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_fresh_check_is_reused_and_a_stuck_read_is_never_started_twice() {
        let reads = Arc::new(AtomicUsize::new(0));
        let answering = |reads: Arc<AtomicUsize>| {
            move || {
                reads.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async { Ok(7) })
            }
        };
        let probe = Probe::new(Duration::from_secs(60), Duration::from_secs(5));
        for _ in 0..5 {
            let check = probe.check(answering(reads.clone())).await;
            assert_eq!(check.level(), Level::Available);
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1, "one read for five checks");

        let reads = Arc::new(AtomicUsize::new(0));
        let stuck = |reads: Arc<AtomicUsize>| {
            move || {
                reads.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(std::future::pending::<anyhow::Result<i64>>())
            }
        };
        let probe = Probe::new(Duration::ZERO, Duration::from_millis(20));
        for _ in 0..3 {
            let check = probe.check(stuck(reads.clone())).await;
            assert_eq!(check.level(), Level::Degraded);
        }
        assert_eq!(
            reads.load(Ordering::SeqCst),
            1,
            "a read still running is waited for again, not started anew"
        );
    }

    #[tokio::test]
    async fn a_failed_read_is_unavailable() {
        let probe = Probe::new(Duration::ZERO, Duration::from_secs(5));
        let check = probe
            .check(|| tokio::spawn(async { Err(anyhow::anyhow!("no such table")) }))
            .await;
        assert_eq!(check.level(), Level::Unavailable);
    }
}

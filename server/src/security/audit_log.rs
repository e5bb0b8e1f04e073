//! The audit log read back (docs/audit-log.md): `GET /internal/gatehouse/security/audit` (a page
//! of events, newest first, with the filters' total) and `…/audit/_export` (the filtered events
//! as ndjson, streamed, at most `MAX_EXPORT_EVENTS`). Both need `read_security`, checked before
//! the query is read.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gatehouse_api::audit::{
    AuditFilter, AuditQuery, AuditQueryError, AUDIT_EXPORT_PATH, AUDIT_PATH, EXPORT_CONTENT_TYPE,
    EXPORT_FILE_NAME, MAX_EXPORT_EVENTS, TRUNCATED_HEADER,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::authz::SecurityAction;
use crate::platform::audit::{AuditEvent, Outcome};
use crate::platform::error::{AppError, AppResult};
use crate::platform::session::Principal;
use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(AUDIT_PATH, get(list))
        .route(AUDIT_EXPORT_PATH, get(export))
}

/// Events read per database read while exporting: the memory an export holds at once.
const EXPORT_CHUNK: usize = 200;

/// Refuses a caller without `read_security` (or `manage_security`, `all`) with Kibana's 403.
fn require_read(principal: &Principal) -> AppResult<()> {
    crate::admin::require(&principal.subject, SecurityAction::AuditRead).map_err(AppError::from)
}

fn bad_query(error: AuditQueryError) -> AppError {
    AppError::boom(StatusCode::BAD_REQUEST, error.message())
}

async fn list(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<Value>> {
    require_read(&principal)?;
    let query = AuditQuery::parse(raw.as_deref().unwrap_or(""), true).map_err(bad_query)?;
    let (total, events) = {
        let query = query.clone();
        state
            .db
            .read(move |conn| {
                let total = count(conn, &query.filter)?;
                let events = page(
                    conn,
                    &query.filter,
                    None,
                    query.per_page as usize,
                    query.offset(),
                )?;
                Ok((total, events))
            })
            .await?
    };
    Ok(Json(json!({
        "page": query.page,
        "perPage": query.per_page,
        "total": total,
        "events": events,
    })))
}

async fn export(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    require_read(&principal)?;
    let filter = AuditQuery::parse(raw.as_deref().unwrap_or(""), false)
        .map_err(bad_query)?
        .filter;
    let total = {
        let filter = filter.clone();
        state.db.read(move |conn| count(conn, &filter)).await?
    };
    let truncated = total > MAX_EXPORT_EVENTS as u64;
    let (sender, receiver) = mpsc::channel::<Bytes>(4);
    tokio::spawn(stream_export(state.clone(), filter, sender));
    let mut response = Body::new(ChannelBody { receiver }).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(EXPORT_CONTENT_TYPE),
    );
    if let Ok(disposition) =
        HeaderValue::from_str(&format!("attachment; filename=\"{EXPORT_FILE_NAME}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    if truncated {
        headers.insert(TRUNCATED_HEADER, HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// Sends the export's lines, newest first, a chunk per database read, until the cap; stops
/// early when the client goes away (the channel closes).
async fn stream_export(state: AppState, filter: AuditFilter, sender: mpsc::Sender<Bytes>) {
    let mut sent = 0usize;
    let mut after: Option<(i64, i64)> = None;
    while sent < MAX_EXPORT_EVENTS {
        let size = EXPORT_CHUNK.min(MAX_EXPORT_EVENTS - sent);
        let chunk = {
            let filter = filter.clone();
            state
                .db
                .read(move |conn| page_with_keys(conn, &filter, after, size, 0))
                .await
        };
        let rows = match chunk {
            Ok(rows) => rows,
            Err(error) => {
                // The headers are gone already: the download ends short, and the log says why.
                tracing::error!(error = format!("{error:#}"), "audit export");
                return;
            }
        };
        let Some(&(last_ts, last_id, _)) = rows.last() else {
            return;
        };
        let done = rows.len() < size;
        sent += rows.len();
        let mut lines = Vec::new();
        for (_, _, event) in &rows {
            if serde_json::to_writer(&mut lines, event).is_err() {
                return;
            }
            lines.push(b'\n');
        }
        if sender.send(Bytes::from(lines)).await.is_err() || done {
            return;
        }
        after = Some((last_ts, last_id));
    }
}

/// A response body fed by a channel: the export's producer waits while the client is slow.
struct ChannelBody {
    receiver: mpsc::Receiver<Bytes>,
}

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.receiver
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok(http_body::Frame::data(bytes))))
    }
}

/// The filter as SQL conditions with their bound parameters (no value is ever spliced in).
fn conditions(filter: &AuditFilter) -> (String, Vec<SqlValue>) {
    let mut sql = Vec::new();
    let mut values = Vec::new();
    let mut equal = |column: &str, value: &Option<String>| {
        if let Some(value) = value {
            sql.push(format!("{column} = ?"));
            values.push(SqlValue::Text(value.clone()));
        }
    };
    equal("username", &filter.user);
    equal("effective_user", &filter.effective_user);
    equal("action", &filter.action);
    equal("object_type", &filter.object_type);
    equal("space", &filter.space);
    if let Some(outcome) = filter.outcome {
        sql.push("outcome = ?".to_string());
        values.push(SqlValue::Text(outcome.as_str().to_string()));
    }
    if let Some(id) = &filter.object_id {
        sql.push(
            "EXISTS (SELECT 1 FROM json_each(audit_log.object_ids) WHERE json_each.value = ?)"
                .to_string(),
        );
        values.push(SqlValue::Text(id.clone()));
    }
    if let Some(from) = filter.from_ms {
        sql.push("ts_ms >= ?".to_string());
        values.push(SqlValue::Integer(from));
    }
    if let Some(to) = filter.to_ms {
        sql.push("ts_ms <= ?".to_string());
        values.push(SqlValue::Integer(to));
    }
    let sql = if sql.is_empty() {
        "1".to_string()
    } else {
        sql.join(" AND ")
    };
    (sql, values)
}

fn count(conn: &Connection, filter: &AuditFilter) -> anyhow::Result<u64> {
    let (condition, values) = conditions(filter);
    let mut stmt = conn.prepare(&format!("SELECT COUNT(*) FROM audit_log WHERE {condition}"))?;
    let total: i64 = stmt.query_row(params_from_iter(values), |row| row.get(0))?;
    Ok(u64::try_from(total).unwrap_or(0))
}

fn page(
    conn: &Connection,
    filter: &AuditFilter,
    after: Option<(i64, i64)>,
    limit: usize,
    offset: u64,
) -> anyhow::Result<Vec<Value>> {
    Ok(page_with_keys(conn, filter, after, limit, offset)?
        .into_iter()
        .map(|(_, _, event)| event)
        .collect())
}

/// Events newest first (time, then row id), each with its `(ts_ms, id)` key; `after` starts
/// below a key (the export's next chunk).
fn page_with_keys(
    conn: &Connection,
    filter: &AuditFilter,
    after: Option<(i64, i64)>,
    limit: usize,
    offset: u64,
) -> anyhow::Result<Vec<(i64, i64, Value)>> {
    let (mut condition, mut values) = conditions(filter);
    if let Some((ts, id)) = after {
        condition.push_str(" AND (ts_ms < ? OR (ts_ms = ? AND id < ?))");
        values.extend([
            SqlValue::Integer(ts),
            SqlValue::Integer(ts),
            SqlValue::Integer(id),
        ]);
    }
    values.push(SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    values.push(SqlValue::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare(&format!(
        "SELECT id, ts_ms, action, outcome, username, effective_user, profile_uid, space,
                object_type, object_ids, details, message
         FROM audit_log WHERE {condition} ORDER BY ts_ms DESC, id DESC LIMIT ? OFFSET ?"
    ))?;
    let rows = stmt.query_map(params_from_iter(values), |row| {
        let id: i64 = row.get(0)?;
        let outcome: String = row.get(3)?;
        let object_ids: String = row.get(9)?;
        let details: String = row.get(10)?;
        let event = AuditEvent::<String> {
            ts_ms: row.get(1)?,
            action: row.get(2)?,
            outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Failure),
            username: row.get(4)?,
            effective_user: row.get(5)?,
            profile_uid: row.get(6)?,
            space: row.get(7)?,
            object_type: row.get(8)?,
            object_ids: serde_json::from_str(&object_ids).unwrap_or_default(),
            details: serde_json::from_str(&details).unwrap_or(Value::Null),
            message: row.get(11)?,
        };
        Ok((event.ts_ms, id, event.to_json(Some(id))))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_is_a_bound_parameter() {
        let filter = AuditFilter {
            user: Some("x' OR 1=1 --".into()),
            effective_user: Some("victor".into()),
            action: Some("run_as_granted".into()),
            outcome: Some(gatehouse_api::audit::AuditOutcome::Success),
            object_type: Some("user".into()),
            object_id: Some("victor".into()),
            space: Some("default".into()),
            from_ms: Some(1),
            to_ms: Some(2),
        };
        let (sql, values) = conditions(&filter);
        assert_eq!(values.len(), 9);
        assert_eq!(sql.matches('?').count(), 9);
        assert!(!sql.contains("OR 1=1"), "{sql}");
        assert_eq!(
            conditions(&AuditFilter::default()),
            ("1".to_string(), vec![])
        );
    }
}

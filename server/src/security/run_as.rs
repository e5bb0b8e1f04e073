//! "View as" (docs/view-as.md): a request carrying `es-security-runas-user: NAME` from a caller
//! whose roles' `run_as` patterns cover NAME is answered as NAME, read-only. The session
//! middleware (`platform/session.rs`) only calls [`effective_principal`]; everything else is here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, Method, StatusCode};
use gatehouse_api::audit::actions;
use gatehouse_api::run_as::{
    is_read_only, read_only_message, run_as_denied_reason, run_as_name, RUN_AS_ACTION,
    RUN_AS_HEADER,
};
use serde_json::json;

use crate::admin::kibana_wrapped;
use crate::admin::user_store as users;
use crate::platform::audit::{AuditEvent, Outcome};
use crate::platform::error::{AppError, ErrorShape};
use crate::platform::session::Principal;
use crate::{authz, AppState};

/// A view's `run_as_granted` events are at most this far apart: one when a session starts
/// viewing as a user, then one per this much continued viewing (docs/view-as.md).
pub const GRANTED_EVERY_MS: i64 = 10 * 60 * 1_000;
/// Past this many views the map starts again empty rather than grow (a view then records its
/// next request once more: more rows, never fewer).
const TRACKED_VIEWS: usize = 10_000;

/// When each view (session, viewed user) last recorded `run_as_granted`. In memory: after a
/// restart each open view records its next request once more.
#[derive(Debug, Default)]
pub struct RunAsViews {
    last_granted_ms: Mutex<HashMap<(String, String), i64>>,
}

/// Whether a granted request at `now_ms` records an event, given when its view last did (a
/// clock that went back counts as due).
pub fn granted_is_due(last_ms: Option<i64>, now_ms: i64) -> bool {
    last_ms.is_none_or(|last| now_ms < last || now_ms - last >= GRANTED_EVERY_MS)
}

impl RunAsViews {
    /// Whether this request of the view records `run_as_granted`; if so, notes that it did.
    fn take_due(&self, session_hash: &str, name: &str, now_ms: i64) -> bool {
        let mut views = self
            .last_granted_ms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (session_hash.to_string(), name.to_string());
        if !granted_is_due(views.get(&key).copied(), now_ms) {
            return false;
        }
        if views.len() >= TRACKED_VIEWS && !views.contains_key(&key) {
            views.clear();
        }
        views.insert(key, now_ms);
        true
    }
}

/// The request a run-as event records.
pub struct RunAsRequest<'a> {
    pub method: &'a Method,
    /// As routed: without the `/s/{space}` prefix, with the query.
    pub path_and_query: &'a str,
    pub headers: &'a HeaderMap,
    pub space: &'a str,
}

/// The principal a request is answered as: the caller's own (no header, or the caller's own
/// name), or the viewed user's, whose `run_by` is the caller. A refused run-as and a write while
/// viewing are recorded each time; a granted view once per [`GRANTED_EVERY_MS`].
pub async fn effective_principal(
    state: &AppState,
    caller: Arc<Principal>,
    request: RunAsRequest<'_>,
) -> Result<Arc<Principal>, AppError> {
    let mut values = request.headers.get_all(RUN_AS_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(caller);
    };
    if values.next().is_some() {
        return Err(AppError::boom(
            StatusCode::BAD_REQUEST,
            format!("[{RUN_AS_HEADER}]: may be given only once"),
        ));
    }
    let name = run_as_name(value.as_bytes())
        .map_err(|refusal| AppError::boom(StatusCode::BAD_REQUEST, refusal.message()))?;
    if name == caller.username() {
        return Ok(caller);
    }
    let viewed = if authz::may_run_as(&caller.subject, name) {
        viewed_principal(state, &caller, name).await?
    } else {
        None
    };
    let Some(viewed) = viewed else {
        // The same answer whether NAME is not covered, unknown or disabled (docs/view-as.md).
        let reason = run_as_denied_reason(
            RUN_AS_ACTION,
            caller.username(),
            &[caller.subject.effective_roles()],
            name,
        );
        record(state, &caller, name, &request, Outcome::Failure, &reason).await;
        return Err(denial(request.path_and_query, &reason));
    };
    if !is_read_only(request.method.as_str(), request.path_and_query) {
        let message = read_only_message(name, caller.username());
        record(state, &caller, name, &request, Outcome::Failure, &message).await;
        return Err(AppError::boom(StatusCode::FORBIDDEN, message));
    }
    let now_ms = crate::platform::db::now_millis();
    if state
        .run_as_views
        .take_due(&caller.session_hash, name, now_ms)
    {
        record(state, &caller, name, &request, Outcome::Success, "").await;
    }
    Ok(viewed)
}

/// Elasticsearch's refusal in the route's shape: Kibana's wrapping of an Elasticsearch error on
/// its own routes, `type: reason` on the Security Solution (leads) routes.
fn denial(path_and_query: &str, reason: &str) -> AppError {
    let path = path_and_query.split('?').next().unwrap_or("");
    match ErrorShape::for_path(path) {
        ErrorShape::Siem => AppError::siem(
            StatusCode::FORBIDDEN,
            format!("security_exception: {reason}"),
        ),
        ErrorShape::Boom => AppError::boom(
            StatusCode::FORBIDDEN,
            kibana_wrapped("security_exception", reason),
        ),
    }
}

/// NAME's principal, viewed by `caller`: `None` when NAME does not exist or is disabled. Kept in
/// the principal cache (by session and NAME) while nothing is written to the database.
async fn viewed_principal(
    state: &AppState,
    caller: &Arc<Principal>,
    name: &str,
) -> Result<Option<Arc<Principal>>, AppError> {
    let generation = state.db.generation();
    if let Some(viewed) = state
        .principals
        .viewed(&caller.session_hash, name, generation)
    {
        return Ok(Some(viewed));
    }
    let loaded = {
        let name = name.to_string();
        state
            .db
            .read(move |conn| {
                let Some(user) = users::get_user(conn, &name)?.filter(|u| u.enabled) else {
                    return Ok(None);
                };
                let subject = users::subject_of(conn, &user)?;
                Ok(Some((user, subject)))
            })
            .await?
    };
    let Some((user, subject)) = loaded else {
        return Ok(None);
    };
    let viewed = Arc::new(Principal {
        user,
        subject,
        session_hash: caller.session_hash.clone(),
        run_by: Some(caller.clone()),
    });
    state
        .principals
        .put_viewed(&caller.session_hash, name, generation, viewed.clone());
    Ok(Some(viewed))
}

/// Writes one run-as event: `run_as_granted` on success, `run_as_denied` with its reason on a
/// refusal. The request is answered either way; a failed write is logged.
async fn record(
    state: &AppState,
    caller: &Principal,
    name: &str,
    request: &RunAsRequest<'_>,
    outcome: Outcome,
    message: &str,
) {
    let action = match outcome {
        Outcome::Success => actions::RUN_AS_GRANTED,
        Outcome::Failure => actions::RUN_AS_DENIED,
    };
    let event = AuditEvent {
        ts_ms: crate::platform::db::now_millis(),
        action,
        outcome,
        username: caller.username().to_string(),
        effective_user: Some(name.to_string()),
        profile_uid: Some(caller.user.profile_uid.clone()),
        space: request.space.to_string(),
        object_type: "user".into(),
        object_ids: vec![name.to_string()],
        details: json!({
            "method": request.method.as_str(),
            "path": request.path_and_query,
        }),
        message: message.to_string(),
    };
    if let Err(error) = state.write_audit_events(vec![event]).await {
        tracing::error!(
            error = format!("{error:#}"),
            action,
            "could not record a run-as event"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_records_once_then_once_per_interval() {
        assert!(granted_is_due(None, 1_000));
        assert!(!granted_is_due(Some(1_000), 1_000 + GRANTED_EVERY_MS - 1));
        assert!(granted_is_due(Some(1_000), 1_000 + GRANTED_EVERY_MS));
        assert!(granted_is_due(Some(5_000), 1_000), "the clock went back");
    }

    #[test]
    fn views_are_kept_apart_by_session_and_name() {
        let views = RunAsViews::default();
        assert!(views.take_due("s1", "victor", 0));
        assert!(!views.take_due("s1", "victor", 1));
        assert!(views.take_due("s1", "bob", 1));
        assert!(views.take_due("s2", "victor", 1));
        assert!(views.take_due("s1", "victor", GRANTED_EVERY_MS));
    }

    #[test]
    fn denials_take_the_route_shape() {
        let boom = denial("/api/dashboards?x=1", "R");
        assert_eq!(
            boom.message(),
            "[security_exception\n\tRoot causes:\n\t\tsecurity_exception: R]: R"
        );
        assert_eq!(boom.status(), StatusCode::FORBIDDEN);
        let siem = denial("/internal/entity_analytics/leads?page=1", "R");
        assert!(matches!(siem, AppError::Siem { .. }));
        assert_eq!(siem.message(), "security_exception: R");
    }
}

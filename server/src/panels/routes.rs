//! `POST /internal/gatehouse/panels/_query` (docs/panels.md): a panel's data, read with the
//! caller's own privileges in the request's space. The caller is checked as the data's own
//! routes check it before anything is read: the leads find's guard and index check (and its
//! document- and field-level security), the search routes' guard and document visibility, the
//! dashboards' `find`, the users API's `read_security`, the spaces a caller may enter. It never
//! writes and records no audit event.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use gatehouse_api::dashboards::DASHBOARD_TYPE;
use gatehouse_api::leads::leads_index;
use gatehouse_api::panels::{
    catalogue, validate, PanelAnswer, PanelQuery, PanelSource, PANELS_QUERY_PATH,
};

use super::logic;
use crate::authz::{
    self, Guarded, IndexAction, LeadsApi, ObjectActor, RequiredPrivilege, SavedObjectOp,
    SecurityAction,
};
use crate::platform::error::{AppError, AppResult, ErrorShape};
use crate::platform::kibana;
use crate::search::routes::SearchRead;
use crate::AppState;

/// Largest body taken: a panel query is a few hundred bytes (docs/panels.md).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(PANELS_QUERY_PATH, post(query))
}

/// A signed-in caller: each source then asks for what its own routes ask.
pub struct SignedIn;

impl RequiredPrivilege for SignedIn {
    const GUARDS: &'static [authz::RouteGuard] = &[];
}

fn bad_request(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::BAD_REQUEST, message)
}

fn forbidden(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::FORBIDDEN, message)
}

/// `[request body.groupBy]: …` from the shared rules' `groupBy: …`.
fn body_error(message: &str) -> AppError {
    match message.split_once(": ") {
        Some((field, rest)) => bad_request(format!("[request body.{field}]: {rest}")),
        None => bad_request(format!("[request body]: {message}")),
    }
}

/// The body, at most [`MAX_BODY_BYTES`] (else 413), parsed as a [`PanelQuery`] (else 400).
async fn read_query(headers: &HeaderMap, body: Body) -> AppResult<PanelQuery> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            AppError::boom(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Payload content length greater than maximum allowed: {MAX_BODY_BYTES}"),
            )
        })?;
    kibana::parse(headers, &bytes, ErrorShape::Boom)
}

async fn query(
    caller: Guarded<SignedIn>,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<PanelAnswer>> {
    let query = read_query(&headers, body).await?;
    let subject = caller.principal.subject.clone();
    let space = caller.space.id().to_string();
    // A source whose feature the space disables is not there, as its own routes are not
    // (docs/spaces.md, disabled features).
    let disabled = source_feature(query.source).is_some_and(|feature| {
        state
            .spaces
            .get(&space)
            .is_some_and(|s| s.is_feature_disabled(feature))
    });
    if disabled {
        return Err(AppError::not_found());
    }
    match query.source {
        // The leads find's guard and its index check, with the same 403s.
        PanelSource::Leads => {
            caller.require::<LeadsApi>()?;
            authz::check_index_action(&subject, &leads_index(&space), IndexAction::Search)
                .map_err(|message| AppError::siem(StatusCode::FORBIDDEN, message))?;
        }
        // The search routes' guard, refused in their own shape.
        PanelSource::Search => caller.require::<SearchRead>()?,
        PanelSource::Dashboards => {
            let actor = ObjectActor::new(
                &subject,
                &space,
                DASHBOARD_TYPE,
                &caller.principal.user.profile_uid,
            );
            actor.require(SavedObjectOp::Find).map_err(forbidden)?;
        }
        // The audit log and the users are what `GET /internal/security/users` guards:
        // `read_security` or `manage_security`.
        PanelSource::Audit | PanelSource::Users => {
            authz::check_security_action(&subject, SecurityAction::UserGet).map_err(forbidden)?
        }
        // Every signed-in caller may count the spaces it may enter.
        PanelSource::Spaces => {}
    }
    validate(&query).map_err(|m| body_error(&m))?;
    let answer = match query.source {
        PanelSource::Leads => leads(&caller, &state, query).await?,
        PanelSource::Spaces => {
            let counts = crate::spaces::store::enterable(&subject, &state.spaces)
                .into_iter()
                .map(|s| (s.id, 1))
                .collect();
            logic::count_known(counts, &query, "id")
        }
        PanelSource::Search => {
            let username = caller.principal.username().to_string();
            state
                .db
                .read(move |conn| {
                    let viewer = crate::search::Viewer::load(conn, &username)?;
                    let sources = crate::search::list_sources(conn, &viewer)?;
                    let counts = sources
                        .iter()
                        .map(|s| (s.id.clone(), s.document_count))
                        .collect();
                    let mut answer = logic::count_known(counts, &query, "source");
                    for bucket in &mut answer.buckets {
                        bucket.label = sources
                            .iter()
                            .find(|s| s.id == bucket.key)
                            .map(|s| s.name.clone());
                    }
                    Ok(answer)
                })
                .await?
        }
        PanelSource::Dashboards => {
            state
                .db
                .read(move |conn| {
                    let mut answer = logic::count_sql(conn, &query, &space, None)?;
                    if query.group_by.as_deref() == Some("owner") {
                        let names = logic::usernames_by_uid(conn)?;
                        for bucket in &mut answer.buckets {
                            bucket.label = match bucket.key.as_str() {
                                "none" => Some("No owner".to_string()),
                                uid => names.get(uid).cloned(),
                            };
                        }
                    }
                    Ok(answer)
                })
                .await?
        }
        PanelSource::Audit | PanelSource::Users => {
            state
                .db
                .read(move |conn| logic::count_sql(conn, &query, &space, None))
                .await?
        }
    };
    Ok(Json(answer))
}

/// The feature whose routes serve a source's data, as `spaces::feature_of_path` names them.
fn source_feature(source: PanelSource) -> Option<&'static str> {
    match source {
        PanelSource::Leads => Some("securitySolution"),
        PanelSource::Search => Some(gatehouse_api::search::FEATURE_ID),
        PanelSource::Audit | PanelSource::Users => Some("management"),
        PanelSource::Dashboards | PanelSource::Spaces => None,
    }
}

/// Leads, past the find's checks: field-level security first — a field the caller may not see
/// is not filtered, grouped or bucketed on (the counts would tell what it hides); then
/// document-level security counts only the leads the caller's find would list.
async fn leads(
    caller: &Guarded<SignedIn>,
    state: &AppState,
    query: PanelQuery,
) -> AppResult<PanelAnswer> {
    let index = leads_index(caller.space.id());
    let access = crate::leads::routes::read_access(&caller.principal.subject, &index);
    let source = catalogue(PanelSource::Leads);
    let mut used: Vec<&str> = query.filter.keys().map(String::as_str).collect();
    used.extend(query.group_by.as_deref());
    for name in used {
        if let Some(field) = source.field(name) {
            if !access.sees_field(field.document_field) {
                return Err(hidden_field(field.label, field.document_field));
            }
        }
    }
    if query.interval.is_some() {
        if let Some(time) = source.time_field {
            if !access.sees_field(time.document_field) {
                return Err(hidden_field(time.label, time.document_field));
            }
        }
    }
    let (cache, generation) = (state.find_cache.clone(), state.db.generation());
    Ok(state
        .db
        .read(move |conn| {
            if !crate::leads::index_exists(conn, &index)? {
                return Ok(PanelAnswer::default());
            }
            if access.documents == authz::DocumentFilter::All {
                return logic::count_sql(conn, &query, &index, None);
            }
            let visible =
                crate::leads::visible_leads_kept(conn, &cache, &index, &access, generation)?;
            logic::count_sql(conn, &query, &index, Some(&visible.rowids))
        })
        .await?)
}

fn hidden_field(label: &str, document_field: &str) -> AppError {
    AppError::siem(
        StatusCode::FORBIDDEN,
        format!(
            "Your role's field-level security hides [{document_field}] ({label}) of these leads, so a panel cannot filter, group or count over it"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rules_message_becomes_a_located_bad_request() {
        let error = body_error("groupBy: leads cannot be grouped by [x]; use one of status");
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            error.message(),
            "[request body.groupBy]: leads cannot be grouped by [x]; use one of status"
        );
        assert_eq!(
            body_error("no field here").message(),
            "[request body]: no field here"
        );
    }
}

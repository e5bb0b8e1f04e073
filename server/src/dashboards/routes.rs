//! Dashboards with access control (docs/dashboards-access-control.md): `/api/dashboards` (version `2023-10-31`), the
//! bulk routes and `/internal/access_control/*`.
//!
//! Every route needs a session. The type privileges (`saved_object:dashboard/<op>`) come from the
//! Kibana feature privileges through [`authz::ObjectActor`], which also holds the ownership rule:
//! a `write_restricted` dashboard is updated, overwritten or deleted only by its owner or an admin
//! (`manage_access_control`), and mode and owner change only by them. Each change runs in one
//! write transaction that re-reads the object, so a check and the write it guards cannot be
//! separated by another request. Owner and mode changes (`super::access_control`) are audited
//! ([`crate::platform::audit`]).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use gatehouse_api::dashboards::{
    messages, AccessControl, BulkDeleteRequest, BulkResult, BulkUpdateRequest, CreateDashboard,
    Dashboard, DashboardList, ObjectError, ObjectResult, UpdateDashboard, BULK_DELETE_PATH,
    BULK_UPDATE_PATH, CHANGE_ACCESS_MODE_PATH, CHANGE_OWNER_PATH, DASHBOARDS_PATH, DASHBOARD_TYPE,
    DEFAULT_PER_PAGE, GLOBAL_ACCESS_PATH, IS_ENABLED_PATH, MAX_PER_PAGE,
};
use gatehouse_api::saved_objects::{all_blocked_denial, messages as so_messages, single_denial};
use rusqlite::{Connection, Transaction};
use serde_json::{json, Value};

use crate::authz::{ObjectActor, SavedObjectOp};
use crate::dashboards::store::{self as store, Content, StoredDashboard};
use crate::platform::error::{boom_error_name, AppError, AppResult, ErrorShape};
use crate::platform::kibana::{parse_query_number, unique_query_pairs, Space, UnparsedJson};
use crate::platform::session::Principal;
use crate::AppState;

use super::access_control;

/// Most objects one bulk or access-control request may name.
pub const MAX_OBJECTS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(DASHBOARDS_PATH, get(list).post(create))
        .route(BULK_UPDATE_PATH, post(bulk_update))
        .route(BULK_DELETE_PATH, post(bulk_delete))
        .route(
            &format!("{DASHBOARDS_PATH}/{{id}}"),
            get(get_one)
                .put(update)
                .delete(delete_one)
                .post(create_with_id),
        )
        .route(
            CHANGE_ACCESS_MODE_PATH,
            post(access_control::change_access_mode),
        )
        .route(CHANGE_OWNER_PATH, post(access_control::change_owner))
        .route(GLOBAL_ACCESS_PATH, get(access_control::global_access))
        .route(IS_ENABLED_PATH, get(access_control::is_enabled))
}

pub(crate) fn actor(principal: &Principal, space: &Space) -> ObjectActor {
    ObjectActor::new(
        &principal.subject,
        space.id(),
        DASHBOARD_TYPE,
        &principal.user.profile_uid,
    )
}

pub(super) fn forbidden(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::FORBIDDEN, message)
}

pub(super) fn bad_request(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::BAD_REQUEST, message)
}

fn require(actor: &ObjectActor, op: SavedObjectOp) -> AppResult<()> {
    actor.require(op).map_err(forbidden)
}

fn not_found_message(id: &str) -> String {
    format!("Saved object [{DASHBOARD_TYPE}/{id}] not found")
}

pub(crate) fn not_found(id: &str) -> AppError {
    AppError::boom(StatusCode::NOT_FOUND, not_found_message(id))
}

pub(crate) fn conflict() -> AppError {
    AppError::boom(StatusCode::CONFLICT, messages::VERSION_CONFLICT)
}

/// `[request body.data.title]: …` from `data.title: …`; `prefix` locates the item in a bulk body
/// (`objects.2.`).
pub(crate) fn field_error(prefix: &str, message: &str) -> String {
    match message.split_once(": ") {
        Some((field, rest)) => format!("[request body.{prefix}{field}]: {rest}"),
        None => format!("[request body]: {message}"),
    }
}

fn content(data: gatehouse_api::dashboards::DashboardData) -> AppResult<Content> {
    store::validate_content(data).map_err(|m| bad_request(field_error("", &m)))
}

/// A body holding dashboard content, parsed; a panel query that does not read as one (an
/// unknown source, key or value) is refused naming the panel (docs/panels.md), where the JSON
/// parser's own message would only give a line and column.
fn parse_content_body<T: serde::de::DeserializeOwned>(body: UnparsedJson<T>) -> AppResult<T> {
    let bytes = body.bytes().clone();
    body.parse().map_err(|error| {
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|value| unreadable_panel_query(&value))
            .map_or(error, bad_request)
    })
}

/// `[request body.data.panels.2.query]: …` for the first panel query of a create, update or
/// bulk update body that is not a panel query.
fn unreadable_panel_query(body: &Value) -> Option<String> {
    let mut contents = vec![(String::new(), &body["data"])];
    if let Some(objects) = body["objects"].as_array() {
        contents.extend(
            objects
                .iter()
                .enumerate()
                .map(|(i, o)| (format!("objects.{i}."), &o["data"])),
        );
    }
    contents.into_iter().find_map(|(prefix, data)| {
        data["panels"]
            .as_array()?
            .iter()
            .enumerate()
            .find_map(|(i, panel)| {
                let query = panel.get("query").filter(|q| !q.is_null())?;
                serde_json::from_value::<gatehouse_api::panels::PanelQuery>(query.clone())
                    .err()
                    .map(|e| format!("[request body.{prefix}data.panels.{i}.query]: {e}"))
            })
    })
}

/// Runs `f` in an immediate transaction that commits only when `f` succeeds.
pub(crate) fn write_tx<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> anyhow::Result<AppResult<T>>,
) -> anyhow::Result<AppResult<T>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let outcome = f(&tx)?;
    if outcome.is_ok() {
        tx.commit()?;
    }
    Ok(outcome)
}

/// `meta.version` as sent back: our versions are integers.
pub(crate) fn parse_version(version: Option<&str>) -> Result<Option<i64>, String> {
    match version.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("version: [{v}] is not a version this server issued")),
    }
}

pub(super) fn load(conn: &Connection, space: &str, id: &str) -> AppResult<StoredDashboard> {
    store::get(conn, space, id)?.ok_or_else(|| not_found(id))
}

// ---------------------------------------------------------------------------------------------
// GET /api/dashboards, GET /api/dashboards/{id}
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub search: String,
    pub page: u32,
    pub per_page: u32,
}

/// `search` (≤ 256 characters), `page` ≥ 1, `perPage` 1..100; other parameters are ignored.
pub fn parse_list_query(raw: Option<&str>) -> AppResult<ListQuery> {
    let mut query = ListQuery {
        search: String::new(),
        page: 1,
        per_page: DEFAULT_PER_PAGE,
    };
    for (key, value) in unique_query_pairs(raw, ErrorShape::Boom)? {
        match key.as_str() {
            "search" => {
                if value.chars().count() > store::MAX_SEARCH_CHARS {
                    return Err(bad_request(format!(
                        "[request query]: search: String must contain at most {} character(s)",
                        store::MAX_SEARCH_CHARS
                    )));
                }
                query.search = value;
            }
            "page" => {
                query.page = parse_query_number(ErrorShape::Boom, "page", &value, 1, 10_000_000)?
            }
            "perPage" => {
                query.per_page =
                    parse_query_number(ErrorShape::Boom, "perPage", &value, 1, MAX_PER_PAGE)?
            }
            _ => {}
        }
    }
    Ok(query)
}

async fn list(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<DashboardList>> {
    let query = parse_list_query(raw.as_deref())?;
    require(&actor(&principal, &space), SavedObjectOp::Find)?;
    let ListQuery {
        search,
        page,
        per_page,
    } = query;
    let (rows, total) = state
        .db
        .read(move |conn| Ok(store::find(conn, space.id(), &search, page, per_page)?))
        .await?;
    Ok(Json(DashboardList {
        dashboards: rows.iter().map(StoredDashboard::to_api).collect(),
        total,
        page,
        per_page,
    }))
}

async fn get_one(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(id): Path<String>,
) -> AppResult<Json<Dashboard>> {
    reject_route_name(&id)?;
    require(&actor(&principal, &space), SavedObjectOp::Get)?;
    let found = state
        .db
        .read(move |conn| Ok(store::get(conn, space.id(), &id)?.ok_or(id)))
        .await?;
    match found {
        Ok(dashboard) => Ok(Json(dashboard.to_api())),
        Err(id) => Err(not_found(&id)),
    }
}

// ---------------------------------------------------------------------------------------------
// POST /api/dashboards[/{id}?overwrite=true]
// ---------------------------------------------------------------------------------------------

async fn create(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    body: UnparsedJson<CreateDashboard>,
) -> AppResult<Json<Dashboard>> {
    create_dashboard(state, &principal, space, None, body).await
}

async fn create_with_id(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    body: UnparsedJson<CreateDashboard>,
) -> AppResult<Json<Dashboard>> {
    reject_route_name(&id)?;
    create_dashboard(state, &principal, space, Some((id, raw)), body).await
}

/// `?overwrite=true|false` of a create with an id.
fn parse_overwrite(raw: Option<&str>) -> AppResult<bool> {
    let mut overwrite = false;
    for (key, value) in unique_query_pairs(raw, ErrorShape::Boom)? {
        if key == "overwrite" {
            overwrite = match value.as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(bad_request(format!(
                        "[request query]: overwrite: Expected boolean, received '{value}'"
                    )))
                }
            };
        }
    }
    Ok(overwrite)
}

/// `/api/dashboards/_<name>` names a route, never a dashboard (ids do not start with `_`,
/// [`store::valid_id`]): one this server does not have gets Kibana's 404 for an unknown route,
/// whoever asks, before anything else is looked at.
fn reject_route_name(id: &str) -> AppResult<()> {
    if id.starts_with('_') {
        Err(AppError::not_found())
    } else {
        Ok(())
    }
}

pub(crate) fn check_id(id: &str) -> AppResult<()> {
    if store::valid_id(id) {
        Ok(())
    } else {
        Err(bad_request(format!(
            "[request params.id]: an id is 1..{} characters of A-Z, a-z, 0-9, '.', '_', ':' and '-', not starting with '_'",
            store::MAX_ID_CHARS
        )))
    }
}

/// Creates a dashboard owned by the caller, with `id_and_query` when the client names the id
/// (and may ask to overwrite). The only part of `access_control` a client decides is the initial
/// mode; an `owner` anywhere in the body is ignored. Overwriting an existing id keeps its owner
/// and mode and needs the same right as an update. The type privilege is checked before the id,
/// the query or the body are looked at.
async fn create_dashboard(
    state: AppState,
    principal: &Principal,
    space: Space,
    id_and_query: Option<(String, Option<String>)>,
    body: UnparsedJson<CreateDashboard>,
) -> AppResult<Json<Dashboard>> {
    let actor = actor(principal, &space);
    require(&actor, SavedObjectOp::Create)?;
    let (id, overwrite) = match id_and_query {
        Some((id, raw)) => {
            let overwrite = parse_overwrite(raw.as_deref())?;
            check_id(&id)?;
            (Some(id), overwrite)
        }
        None => (None, false),
    };
    let body = parse_content_body(body)?;
    let requested = body.data.access_control.clone().unwrap_or_default();
    if requested.owner.is_some() {
        tracing::info!(
            user = actor.username,
            "ignored a client-supplied owner when creating a dashboard"
        );
    }
    let mode = requested.access_mode.unwrap_or_default();
    let content = content(body.data)?;
    let id = id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let result = state
        .db
        .write(move |conn| {
            write_tx(conn, |tx| {
                let space = space.id();
                if store::get(tx, space, &id)?.is_some() {
                    if !overwrite {
                        return Ok(Err(AppError::boom(
                            StatusCode::CONFLICT,
                            format!("Saved object [{DASHBOARD_TYPE}/{id}] conflict"),
                        )));
                    }
                    let denied = single_denial("create", DASHBOARD_TYPE, &id);
                    if let Err(refusal) = update_one(tx, &actor, space, &id, None, &content)? {
                        return Ok(Err(refusal.into_error(&id, denied)));
                    }
                } else {
                    let access = Some(AccessControl {
                        owner: actor.profile_uid.clone(),
                        access_mode: mode,
                    });
                    let creator = Some(actor.profile_uid.as_str());
                    let dashboard =
                        StoredDashboard::created_now(space, &id, content, access, creator);
                    store::insert(tx, &dashboard)?;
                }
                Ok(load(tx, space, &id))
            })
        })
        .await??;
    Ok(Json(result.to_api()))
}

// ---------------------------------------------------------------------------------------------
// PUT /api/dashboards/{id}, DELETE /api/dashboards/{id}
// ---------------------------------------------------------------------------------------------

/// Why one object of a write was refused.
pub(crate) enum WriteRefusal {
    NotFound,
    AccessControl,
    Conflict,
}

impl WriteRefusal {
    /// The Boom error, with `access_denied` as the message of an access-control refusal.
    pub(crate) fn into_error(self, id: &str, access_denied: impl Into<String>) -> AppError {
        match self {
            WriteRefusal::NotFound => not_found(id),
            WriteRefusal::AccessControl => forbidden(access_denied),
            WriteRefusal::Conflict => conflict(),
        }
    }
}

/// The checks and the write of one update, inside the caller's transaction.
pub(crate) fn update_one(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    id: &str,
    version: Option<i64>,
    content: &Content,
) -> anyhow::Result<Result<(), WriteRefusal>> {
    let Some(existing) = store::get(tx, space, id)? else {
        return Ok(Err(WriteRefusal::NotFound));
    };
    if !actor.may_write(existing.owner(), existing.mode()) {
        return Ok(Err(WriteRefusal::AccessControl));
    }
    let expected = version.unwrap_or(existing.version);
    if expected != existing.version
        || !store::replace_content(tx, space, id, expected, content, &actor.profile_uid)?
    {
        return Ok(Err(WriteRefusal::Conflict));
    }
    Ok(Ok(()))
}

pub(crate) fn delete_one_in(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    id: &str,
) -> anyhow::Result<Result<(), WriteRefusal>> {
    let Some(existing) = store::get(tx, space, id)? else {
        return Ok(Err(WriteRefusal::NotFound));
    };
    if !actor.may_write(existing.owner(), existing.mode()) {
        return Ok(Err(WriteRefusal::AccessControl));
    }
    store::delete(tx, space, id)?;
    Ok(Ok(()))
}

/// Replaces title, description and panels. Owner and mode are not changed here, whatever the
/// body says: that is what the access-control routes are for. With `version`, a dashboard
/// changed since that version is left alone and the answer is 409.
async fn update(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(id): Path<String>,
    body: UnparsedJson<UpdateDashboard>,
) -> AppResult<Json<Dashboard>> {
    reject_route_name(&id)?;
    let actor = actor(&principal, &space);
    require(&actor, SavedObjectOp::Update)?;
    check_id_size("params.id", &id)?;
    let body = parse_content_body(body)?;
    let version =
        parse_version(body.version.as_deref()).map_err(|m| bad_request(field_error("", &m)))?;
    let content = content(body.data)?;
    let result = state
        .db
        .write(move |conn| {
            write_tx(conn, |tx| {
                Ok(update_one(tx, &actor, space.id(), &id, version, &content)?
                    .map_err(|refusal| {
                        refusal.into_error(&id, single_denial("update", DASHBOARD_TYPE, &id))
                    })
                    .and_then(|()| load(tx, space.id(), &id)))
            })
        })
        .await??;
    Ok(Json(result.to_api()))
}

async fn delete_one(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    reject_route_name(&id)?;
    let actor = actor(&principal, &space);
    require(&actor, SavedObjectOp::Delete)?;
    check_id_size("params.id", &id)?;
    state
        .db
        .write(move |conn| {
            write_tx(conn, |tx| {
                Ok(
                    delete_one_in(tx, &actor, space.id(), &id)?.map_err(|refusal| {
                        refusal.into_error(&id, single_denial("delete", DASHBOARD_TYPE, &id))
                    }),
                )
            })
        })
        .await??;
    Ok(Json(json!({})))
}

// ---------------------------------------------------------------------------------------------
// POST /api/dashboards/_bulk_update, /_bulk_delete
// ---------------------------------------------------------------------------------------------

pub(crate) fn object_error(status: StatusCode, message: impl Into<String>) -> ObjectError {
    ObjectError {
        status_code: status.as_u16(),
        error: boom_error_name(status).to_string(),
        message: message.into(),
    }
}

pub(super) fn object_result(
    id: &str,
    object_type: &str,
    error: Option<ObjectError>,
) -> ObjectResult {
    ObjectResult {
        id: id.to_string(),
        object_type: object_type.to_string(),
        error,
    }
}

/// A bulk item's refusal, as the Boom body a single request would have answered; an
/// access-control refusal says what was refused (`Updating objects …`, `Deleting objects …`).
pub(crate) fn refusal_error(id: &str, refusal: WriteRefusal, access_denied: &str) -> ObjectError {
    let error = refusal.into_error(id, access_denied);
    object_error(error.status(), error.message())
}

/// An id longer than any dashboard's names nothing: refused before it is looked up, echoed in an
/// answer or audited. `field` locates it (`params.id`, `objects.3.id`).
fn check_id_size(field: &str, id: &str) -> AppResult<()> {
    if id.chars().count() > store::MAX_ID_CHARS {
        return Err(bad_request(format!(
            "[request {field}]: String must contain at most {} character(s)",
            store::MAX_ID_CHARS
        )));
    }
    Ok(())
}

/// The objects of a bulk or access-control request: 1 to [`MAX_OBJECTS`], each id of a size an
/// id can have.
pub(crate) fn check_objects<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> AppResult<()> {
    check_object_count(ids.len())?;
    ids.enumerate()
        .try_for_each(|(i, id)| check_id_size(&format!("body.objects.{i}.id"), id))
}

fn check_object_count(len: usize) -> AppResult<()> {
    if len == 0 {
        return Err(bad_request(
            "[request body.objects]: Array must contain at least 1 element(s)",
        ));
    }
    if len > MAX_OBJECTS {
        return Err(bad_request(format!(
            "[request body.objects]: Array must contain at most {MAX_OBJECTS} element(s)"
        )));
    }
    Ok(())
}

/// Per-object results, in order; when access control blocks every object the whole request is a
/// 403 listing them (`Unable to bulk_<op> dashboard. Access control restrictions for objects: …`),
/// and nothing was written.
fn bulk_outcome(results: Vec<ObjectResult>, op: &str) -> AppResult<BulkResult> {
    let all_blocked = results
        .iter()
        .all(|r| r.error.as_ref().is_some_and(|e| e.status_code == 403));
    if all_blocked {
        Err(forbidden(all_blocked_denial(
            op,
            DASHBOARD_TYPE,
            results.iter().map(|r| r.id.as_str()),
        )))
    } else {
        Ok(BulkResult { objects: results })
    }
}

/// One change per object (`each` gets its place in the request), all in one transaction: the
/// per-object results, or the 403 when every object was refused for want of privileges.
async fn bulk_write<O, F>(
    state: &AppState,
    op: &'static str,
    objects: Vec<O>,
    mut each: F,
) -> AppResult<Json<BulkResult>>
where
    O: Send + 'static,
    F: FnMut(&Transaction<'_>, usize, O) -> anyhow::Result<ObjectResult> + Send + 'static,
{
    let result = state
        .db
        .write(move |conn| {
            write_tx(conn, |tx| {
                let mut results = Vec::with_capacity(objects.len());
                for (i, object) in objects.into_iter().enumerate() {
                    results.push(each(tx, i, object)?);
                }
                Ok(bulk_outcome(results, op))
            })
        })
        .await??;
    Ok(Json(result))
}

async fn bulk_update(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    body: UnparsedJson<BulkUpdateRequest>,
) -> AppResult<Json<BulkResult>> {
    let actor = actor(&principal, &space);
    require(&actor, SavedObjectOp::BulkUpdate)?;
    let body = parse_content_body(body)?;
    check_objects(body.objects.iter().map(|o| o.id.as_str()))?;
    bulk_write(&state, "update", body.objects, move |tx, i, item| {
        let checked = parse_version(item.version.as_deref())
            .and_then(|v| store::validate_content(item.data).map(|c| (v, c)))
            .map_err(|m| {
                object_error(
                    StatusCode::BAD_REQUEST,
                    field_error(&format!("objects.{i}."), &m),
                )
            });
        let error = match checked {
            Err(error) => Some(error),
            Ok((version, content)) => {
                update_one(tx, &actor, space.id(), &item.id, version, &content)?
                    .err()
                    .map(|refusal| {
                        refusal_error(&item.id, refusal, so_messages::UPDATING_OBJECTS_FORBIDDEN)
                    })
            }
        };
        Ok(object_result(&item.id, DASHBOARD_TYPE, error))
    })
    .await
}

async fn bulk_delete(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    body: UnparsedJson<BulkDeleteRequest>,
) -> AppResult<Json<BulkResult>> {
    let actor = actor(&principal, &space);
    require(&actor, SavedObjectOp::BulkDelete)?;
    let body = body.parse()?;
    check_objects(body.objects.iter().map(|o| o.id.as_str()))?;
    bulk_write(&state, "delete", body.objects, move |tx, _, object| {
        let error = if object.object_type != DASHBOARD_TYPE {
            Some(object_error(
                StatusCode::BAD_REQUEST,
                unsupported_type(&object.object_type),
            ))
        } else {
            delete_one_in(tx, &actor, space.id(), &object.id)?
                .err()
                .map(|refusal| {
                    refusal_error(&object.id, refusal, so_messages::DELETING_OBJECTS_FORBIDDEN)
                })
        };
        Ok(object_result(&object.id, &object.object_type, error))
    })
    .await
}

pub(crate) fn unsupported_type(object_type: &str) -> String {
    format!("Saved object type [{object_type}] is not supported here: only [{DASHBOARD_TYPE}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_panel_query_is_named_by_its_place() {
        let located = |body: Value| unreadable_panel_query(&body);
        let panels = json!([{"type": "markdown"}, {"type": "bar", "query": {"source": "alerts"}}]);
        let message = located(json!({"data": {"title": "T", "panels": panels}})).expect("found");
        assert!(
            message.starts_with("[request body.data.panels.1.query]: unknown variant `alerts`"),
            "{message}"
        );
        let bulk = json!({"objects": [{"id": "a", "data": {"panels": []}}, {"id": "b", "data": {"panels": panels}}]});
        assert!(located(bulk)
            .expect("found")
            .starts_with("[request body.objects.1.data.panels.1.query]"));
        let fine = json!({"data": {"panels": [{"type": "metric", "query": {"source": "leads"}}, {"type": "lens", "query": null}]}});
        assert_eq!(located(fine), None);
    }

    fn message(e: AppError) -> String {
        e.message()
    }

    #[test]
    fn list_query_validation() {
        assert_eq!(
            parse_list_query(Some("search=50%25+off&page=2&perPage=5&x=1")).unwrap(),
            ListQuery {
                search: "50% off".into(),
                page: 2,
                per_page: 5
            }
        );
        assert_eq!(parse_list_query(None).unwrap().per_page, DEFAULT_PER_PAGE);
        assert_eq!(
            message(parse_list_query(Some("perPage=101")).unwrap_err()),
            "[request query]: perPage: Number must be less than or equal to 100"
        );
        assert!(parse_list_query(Some("page=0")).is_err());
        assert!(parse_list_query(Some("search=a&search=b")).is_err());
        assert!(parse_list_query(Some(&format!("search={}", "a".repeat(257)))).is_err());
    }

    #[test]
    fn object_lists_and_ids_have_sizes() {
        let long = "a".repeat(store::MAX_ID_CHARS + 1);
        let fits = "a".repeat(store::MAX_ID_CHARS);
        assert!(check_objects(["soc-overview", fits.as_str()].into_iter()).is_ok());
        assert_eq!(
            message(check_objects(["ok", long.as_str()].into_iter()).unwrap_err()),
            "[request body.objects.1.id]: String must contain at most 128 character(s)"
        );
        assert!(check_objects(std::iter::empty()).is_err());
        let many = vec!["a"; MAX_OBJECTS + 1];
        assert!(check_objects(many.into_iter()).is_err());
        assert!(check_id_size("params.id", &long).is_err());
    }

    #[test]
    fn versions_and_field_errors() {
        assert_eq!(parse_version(None), Ok(None));
        assert_eq!(parse_version(Some("3")), Ok(Some(3)));
        assert!(parse_version(Some("WzEsMV0=")).is_err());
        assert_eq!(
            field_error("", "data.title: a dashboard needs a title"),
            "[request body.data.title]: a dashboard needs a title"
        );
        assert_eq!(
            field_error("objects.2.", "version: bad"),
            "[request body.objects.2.version]: bad"
        );
    }
}

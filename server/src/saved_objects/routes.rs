//! `/api/saved_objects/*` for dashboards (docs/saved-objects.md), in every space. Each handler
//! takes the one guard first (a signed-in caller), checks the type privilege the route needs
//! (`saved_object:dashboard/<op>`, Kibana's `Unable to <op> dashboard`), and only then reads
//! its query, body or file; the work is in the sibling modules.

use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_api::dashboards::SavedObjectRef;
use gatehouse_api::saved_objects::ndjson::{
    parse_import_file, problems_message, write_export, ImportFile,
};
use gatehouse_api::saved_objects::{
    messages, query, BulkCreateObject, BulkDeleteResponse, BulkObjects, BulkUpdateObject,
    ExportRequest, FindResponse, ImportOptions, ImportResponse, SavedObject, UpdateObjectBody,
    BULK_CREATE_PATH, BULK_DELETE_PATH, BULK_GET_PATH, BULK_UPDATE_PATH, DASHBOARD_TYPE,
    EXPORT_FILE_NAME, EXPORT_PATH, FIND_PATH, IMPORT_PATH, MAX_BULK_OBJECTS, MAX_IMPORT_BYTES,
    MAX_IMPORT_EXPORT_OBJECTS, NDJSON_CONTENT_TYPE, OBJECT_ROUTE, RESOLVE_IMPORT_ERRORS_PATH,
};

use super::import::{self, ImportScope};
use super::objects::{bad_request, forbidden, load_object, request_event};
use super::upload::{parse_retries, read_upload};
use super::{bulk, export};
use crate::authz::{Guarded, ObjectActor, RequiredPrivilege, SavedObjectOp};
use crate::dashboards::routes::{actor, not_found, unsupported_type};
use crate::dashboards::store;
use crate::platform::audit::{self, AuditEvent};
use crate::platform::error::{AppResult, ErrorShape};
use crate::platform::kibana::{unique_query_pairs, UnparsedJson};
use crate::AppState;
use rusqlite::Transaction;

/// A signed-in caller: what else a saved-objects route needs is a type privilege, which the
/// handler checks through [`ObjectActor`] before it reads anything the client sent.
pub struct SavedObjectsApi;

impl RequiredPrivilege for SavedObjectsApi {
    const GUARDS: &'static [crate::authz::RouteGuard] = &[];
}

type Caller = Guarded<SavedObjectsApi>;

pub fn router() -> Router<AppState> {
    // The request rules cap these bodies at MAX_IMPORT_BYTES already; axum's multipart reader
    // needs to be told, or it stops at its own 2 MB default.
    let upload_limit = DefaultBodyLimit::max(MAX_IMPORT_BYTES);
    Router::new()
        .route(EXPORT_PATH, post(export_route))
        .route(IMPORT_PATH, post(import_route).layer(upload_limit))
        .route(
            RESOLVE_IMPORT_ERRORS_PATH,
            post(resolve_route).layer(upload_limit),
        )
        .route(BULK_CREATE_PATH, post(bulk_create_route))
        .route(BULK_GET_PATH, post(bulk_get_route))
        .route(
            BULK_UPDATE_PATH,
            post(bulk_update_route).put(bulk_update_route),
        )
        .route(BULK_DELETE_PATH, post(bulk_delete_route))
        .route(FIND_PATH, get(find_route))
        .route(OBJECT_ROUTE, get(get_route).put(update_route))
}

/// The caller on dashboards in the request's space, holding `op` on them.
fn authorized(caller: &Caller, op: SavedObjectOp) -> AppResult<ObjectActor> {
    let actor = actor(&caller.principal, &caller.space);
    actor.require(op).map_err(forbidden)?;
    Ok(actor)
}

fn space(caller: &Caller) -> String {
    caller.space.id().to_string()
}

/// A boolean query flag: `true` or `false`.
fn flag(key: &str, value: &str) -> AppResult<bool> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad_request(format!(
            "[request query.{key}]: expected value of type [boolean] but got [{value}]"
        ))),
    }
}

/// `overwrite`, `createNewCopies`, `keepAccessControl` (others, such as `compatibilityMode`,
/// are ignored). `overwrite` only where `allow_overwrite`.
fn parse_import_options(raw: Option<&str>, allow_overwrite: bool) -> AppResult<ImportOptions> {
    let mut options = ImportOptions::default();
    for (key, value) in unique_query_pairs(raw, ErrorShape::Boom)? {
        match key.as_str() {
            query::OVERWRITE if allow_overwrite => options.overwrite = flag(&key, &value)?,
            query::CREATE_NEW_COPIES => options.create_new_copies = flag(&key, &value)?,
            query::KEEP_ACCESS_CONTROL => options.keep_access_control = flag(&key, &value)?,
            _ => {}
        }
    }
    if options.overwrite && options.create_new_copies {
        return Err(bad_request(messages::NEW_COPIES_AND_OVERWRITE));
    }
    Ok(options)
}

/// The file, read; any problem of the file as a whole refuses the import (nothing is written).
fn read_file(bytes: &[u8]) -> AppResult<ImportFile> {
    parse_import_file(bytes, MAX_IMPORT_EXPORT_OBJECTS)
        .map_err(|problems| bad_request(problems_message(&problems)))
}

async fn run(
    state: &AppState,
    actor: ObjectActor,
    space: String,
    file: ImportFile,
    scope: ImportScope,
) -> AppResult<Json<ImportResponse>> {
    let event = import::import_event(&actor, &space, &file);
    let response = state
        .write_audited_objects(event, move |tx| {
            import::run_import(tx, &actor, &space, &file, &scope)
        })
        .await?;
    Ok(Json(response))
}

async fn import_route(
    caller: Caller,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<ImportResponse>> {
    let actor = authorized(&caller, SavedObjectOp::BulkCreate)?;
    let options = parse_import_options(raw.as_deref(), true)?;
    let upload = read_upload(multipart).await?;
    let file = read_file(&upload.file)?;
    run(
        &state,
        actor,
        space(&caller),
        file,
        ImportScope::Import(options),
    )
    .await
}

async fn resolve_route(
    caller: Caller,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<ImportResponse>> {
    let actor = authorized(&caller, SavedObjectOp::BulkCreate)?;
    let options = parse_import_options(raw.as_deref(), false)?;
    let upload = read_upload(multipart).await?;
    let retries = parse_retries(upload.retries.as_ref())?;
    let file = read_file(&upload.file)?;
    let scope = ImportScope::Resolve {
        create_new_copies: options.create_new_copies,
        keep_access_control: options.keep_access_control,
        retries,
    };
    run(&state, actor, space(&caller), file, scope).await
}

async fn export_route(
    caller: Caller,
    State(state): State<AppState>,
    body: UnparsedJson<ExportRequest>,
) -> AppResult<Response> {
    authorized(&caller, SavedObjectOp::BulkGet)?;
    let request = body.parse()?;
    if request
        .search
        .as_deref()
        .is_some_and(|s| s.chars().count() > store::MAX_SEARCH_CHARS)
    {
        return Err(bad_request(format!(
            "[request body.search]: must be at most {} characters",
            store::MAX_SEARCH_CHARS
        )));
    }
    let space = space(&caller);
    let (objects, summary) = state
        .db
        .read(move |conn| {
            Ok(export::export(conn, &space, &request)
                .map(|found| (found, request.exclude_export_details)))
        })
        .await?
        .map(|((objects, summary), exclude)| (objects, (!exclude).then_some(summary)))?;
    let text = write_export(&objects, summary.as_ref());
    let mut response = Body::from(text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(NDJSON_CONTENT_TYPE),
    );
    if let Ok(disposition) =
        HeaderValue::from_str(&format!("attachment; filename=\"{EXPORT_FILE_NAME}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

async fn find_route(
    caller: Caller,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<FindResponse>> {
    authorized(&caller, SavedObjectOp::Find)?;
    let query = export::parse_find_query(raw.as_deref())?;
    let space = space(&caller);
    let found = state
        .db
        .read(move |conn| export::find(conn, &space, &query))
        .await?;
    Ok(Json(found))
}

/// A bulk body: 1 to [`MAX_BULK_OBJECTS`] objects.
fn check_count(len: usize) -> AppResult<()> {
    if len == 0 {
        return Err(bad_request(
            "[request body]: Array must contain at least 1 element(s)",
        ));
    }
    if len > MAX_BULK_OBJECTS {
        return Err(bad_request(format!(
            "[request body]: Array must contain at most {MAX_BULK_OBJECTS} element(s)"
        )));
    }
    Ok(())
}

fn check_id_sizes<'a>(ids: impl Iterator<Item = &'a str>) -> AppResult<()> {
    for (i, id) in ids.enumerate() {
        if id.chars().count() > store::MAX_ID_CHARS {
            return Err(bad_request(format!(
                "[request body.{i}.id]: String must contain at most {} character(s)",
                store::MAX_ID_CHARS
            )));
        }
    }
    Ok(())
}

/// What every bulk write does once the caller holds the type privilege and the body is read:
/// 1 to [`MAX_BULK_OBJECTS`] objects with ids of an id's size, one request event naming them,
/// then `change` in one transaction with an audit row per object.
async fn bulk_write<O, R>(
    state: &AppState,
    actor: ObjectActor,
    space: String,
    action: &'static str,
    objects: Vec<O>,
    id_of: fn(&O) -> Option<&str>,
    change: impl FnOnce(&Transaction<'_>, &ObjectActor, &str, Vec<O>) -> AppResult<(R, Vec<AuditEvent>)>
        + Send
        + 'static,
) -> AppResult<Json<R>>
where
    O: Send + 'static,
    R: Send + 'static,
{
    check_count(objects.len())?;
    check_id_sizes(objects.iter().filter_map(id_of))?;
    let event = request_event(&actor, &space, action, objects.iter().filter_map(id_of));
    let result = state
        .write_audited_objects(event, move |tx| change(tx, &actor, &space, objects))
        .await?;
    Ok(Json(result))
}

async fn bulk_create_route(
    caller: Caller,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    body: UnparsedJson<Vec<BulkCreateObject>>,
) -> AppResult<Json<BulkObjects>> {
    let actor = authorized(&caller, SavedObjectOp::BulkCreate)?;
    let overwrite = parse_import_options(raw.as_deref(), true)?.overwrite;
    let objects = body.parse()?;
    bulk_write(
        &state,
        actor,
        space(&caller),
        audit::SAVED_OBJECT_CREATE,
        objects,
        |object: &BulkCreateObject| object.id.as_deref(),
        move |tx, actor, space, objects| bulk::bulk_create(tx, actor, space, objects, overwrite),
    )
    .await
}

async fn bulk_get_route(
    caller: Caller,
    State(state): State<AppState>,
    body: UnparsedJson<Vec<SavedObjectRef>>,
) -> AppResult<Json<BulkObjects>> {
    authorized(&caller, SavedObjectOp::BulkGet)?;
    let refs = body.parse()?;
    check_count(refs.len())?;
    check_id_sizes(refs.iter().map(|r| r.id.as_str()))?;
    let space = space(&caller);
    let found = state
        .db
        .read(move |conn| bulk::bulk_get(conn, &space, &refs))
        .await?;
    Ok(Json(found))
}

async fn bulk_update_route(
    caller: Caller,
    State(state): State<AppState>,
    body: UnparsedJson<Vec<BulkUpdateObject>>,
) -> AppResult<Json<BulkObjects>> {
    let actor = authorized(&caller, SavedObjectOp::BulkUpdate)?;
    let objects = body.parse()?;
    bulk_write(
        &state,
        actor,
        space(&caller),
        audit::SAVED_OBJECT_UPDATE,
        objects,
        |object: &BulkUpdateObject| Some(object.id.as_str()),
        bulk::bulk_update,
    )
    .await
}

async fn bulk_delete_route(
    caller: Caller,
    State(state): State<AppState>,
    body: UnparsedJson<Vec<SavedObjectRef>>,
) -> AppResult<Json<BulkDeleteResponse>> {
    let actor = authorized(&caller, SavedObjectOp::BulkDelete)?;
    let refs = body.parse()?;
    bulk_write(
        &state,
        actor,
        space(&caller),
        audit::SAVED_OBJECT_DELETE,
        refs,
        |reference: &SavedObjectRef| Some(reference.id.as_str()),
        bulk::bulk_delete,
    )
    .await
}

/// `{type}/{id}`: a dashboard id of a size an id can have.
fn check_object_path(object_type: &str, id: &str) -> AppResult<()> {
    if object_type != DASHBOARD_TYPE {
        return Err(bad_request(unsupported_type(object_type)));
    }
    if id.chars().count() > store::MAX_ID_CHARS {
        return Err(bad_request(format!(
            "[request params.id]: String must contain at most {} character(s)",
            store::MAX_ID_CHARS
        )));
    }
    Ok(())
}

async fn get_route(
    caller: Caller,
    State(state): State<AppState>,
    Path((object_type, id)): Path<(String, String)>,
) -> AppResult<Json<SavedObject>> {
    authorized(&caller, SavedObjectOp::Get)?;
    check_object_path(&object_type, &id)?;
    let space = space(&caller);
    let wanted = id.clone();
    let found = state
        .db
        .read(move |conn| load_object(conn, &space, &wanted))
        .await?;
    found.map(Json).ok_or_else(|| not_found(&id))
}

async fn update_route(
    caller: Caller,
    State(state): State<AppState>,
    Path((object_type, id)): Path<(String, String)>,
    body: UnparsedJson<UpdateObjectBody>,
) -> AppResult<Json<SavedObject>> {
    let actor = authorized(&caller, SavedObjectOp::Update)?;
    check_object_path(&object_type, &id)?;
    let body = body.parse()?;
    let space = space(&caller);
    let event = request_event(&actor, &space, audit::SAVED_OBJECT_UPDATE, [id.as_str()]);
    let object = state
        .write_audited_objects(event, move |tx| {
            bulk::update_or_upsert(tx, &actor, &space, &id, &body)
        })
        .await?;
    Ok(Json(object))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_options() {
        let options = parse_import_options(
            Some("overwrite=true&keepAccessControl=true&compatibilityMode=false"),
            true,
        )
        .expect("parses");
        assert!(options.overwrite && options.keep_access_control && !options.create_new_copies);
        assert_eq!(
            parse_import_options(Some("overwrite=true&createNewCopies=true"), true)
                .unwrap_err()
                .message(),
            messages::NEW_COPIES_AND_OVERWRITE
        );
        assert!(parse_import_options(Some("overwrite=yes"), true).is_err());
        // `_resolve_import_errors` overwrites per retry, never through the query.
        assert!(
            !parse_import_options(Some("overwrite=true"), false)
                .expect("parses")
                .overwrite
        );
    }
}

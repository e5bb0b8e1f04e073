//! Sources, documents, external identities and search in the Workplace Search shape
//! (docs/search.md), base `/api/ws/v1`. Errors answer `{"errors":["…"]}`.
//!
//! Every route needs a session and the search feature's `read` API tag (`workplaceSearch`);
//! changes to sources, documents and identities also need the sub-feature privilege
//! `manage_sources` (`workplaceSearch-manage`; in `all`, not in `minimal_all`,
//! docs/privileges.md#sub-feature-privileges), and
//! the Access panel and "Preview as" also need to read users (`read_security`). Document-level
//! permissions apply to everyone, managers included: what a user cannot see is answered exactly
//! as if it did not exist. Every change (sources, documents, identities) is audited like the
//! other access-control changes: an `audit_log` row in the change's transaction and a line in the
//! audit file (actions `ws_*`, details with what was there before).

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_api::search::{
    BulkCreateResponse, BulkCreateResult, BulkDestroyResponse, BulkDestroyResult, Document,
    DocumentAccess, ExternalIdentity, IdentityUpdate, Meta, NewIdentity, NewSource, PageMeta,
    Paged, SearchRequest, SearchResponse, Source, DEFAULT_LIST_PAGE_SIZE, MANAGE_API_TAG,
    MAX_BULK_DOCUMENTS, MAX_PAGE_SIZE, SEARCH_API_TAG, SEARCH_PATH, SOURCES_PATH,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::admin::user_store as users;
use crate::authz::{self, Guarded, RequiredPrivilege, RouteGuard, SecurityAction};
use crate::platform::audit::{AuditEvent, AuditedError, Changed, Outcome};
use crate::platform::db;
use crate::platform::error::AppError;
use crate::search::{self as store, Viewer, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_QUERY_CHARS};
use crate::AppState;

/// Searching, listing sources, reading documents.
pub const SEARCH_GUARD: RouteGuard = RouteGuard {
    api_tags: &[SEARCH_API_TAG],
    cited: SEARCH_API_TAG,
};

/// Creating and deleting sources, documents and identities: the `manage_sources` sub-feature
/// privilege's API tag.
pub const MANAGE_GUARD: RouteGuard = RouteGuard {
    api_tags: &[SEARCH_API_TAG, MANAGE_API_TAG],
    cited: MANAGE_API_TAG,
};

/// Pages beyond this are refused (page × size stays bounded).
pub const MAX_PAGE: u32 = 10_000;

pub fn router() -> Router<AppState> {
    let source = format!("{SOURCES_PATH}/{{source}}");
    Router::new()
        .route(SOURCES_PATH, get(list_sources).post(create_source))
        .route(&source, get(get_source).delete(delete_source))
        .route(&format!("{source}/documents"), get(list_documents))
        .route(
            &format!("{source}/documents/bulk_create"),
            post(bulk_create),
        )
        .route(
            &format!("{source}/documents/bulk_destroy"),
            post(bulk_destroy),
        )
        .route(&format!("{source}/documents/{{doc}}"), get(get_document))
        .route(
            &format!("{source}/documents/{{doc}}/_access"),
            get(document_access),
        )
        .route(
            &format!("{source}/external_identities"),
            get(list_identities).post(create_identity),
        )
        .route(
            &format!("{source}/external_identities/{{identity}}"),
            get(get_identity)
                .put(update_identity)
                .delete(delete_identity),
        )
        .route(SEARCH_PATH, post(search))
}

// ---------------------------------------------------------------------------------------------
// Errors, caller, body
// ---------------------------------------------------------------------------------------------

/// `{"errors":["…"]}` with a status.
#[derive(Debug)]
pub struct WsError {
    pub status: StatusCode,
    pub errors: Vec<String>,
}

pub type WsResult<T> = Result<T, WsError>;

impl WsError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![message.into()],
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn source_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("Could not find a source with id {id}"),
        )
    }

    /// The one answer for a missing document and for one the caller may not see.
    fn document_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("Could not find a document with id {id}"),
        )
    }
}

impl From<WsError> for AppError {
    fn from(error: WsError) -> Self {
        AppError::Errors {
            status: error.status,
            errors: error.errors,
        }
    }
}

impl IntoResponse for WsError {
    fn into_response(self) -> Response {
        AppError::from(self).into_response()
    }
}

impl From<anyhow::Error> for WsError {
    fn from(error: anyhow::Error) -> Self {
        tracing::error!(error = format!("{error:#}"), "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal server error occurred.",
        )
    }
}

impl From<rusqlite::Error> for WsError {
    fn from(error: rusqlite::Error) -> Self {
        anyhow::Error::from(error).into()
    }
}

/// The search routes audit only their changes, never a refusal.
impl AuditedError for WsError {
    fn failure_message(&self) -> Option<String> {
        None
    }
}

impl From<AppError> for WsError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Internal(e) => e.into(),
            other => Self::new(other.status(), other.message()),
        }
    }
}

/// Searching, listing sources, reading documents: the `read` guard of every search route.
pub struct SearchRead;

impl RequiredPrivilege for SearchRead {
    const GUARDS: &'static [RouteGuard] = &[SEARCH_GUARD];

    /// The search routes answer every refusal, a missing session too, as `{"errors":[…]}`.
    fn shape(error: AppError) -> AppError {
        WsError::from(error).into()
    }
}

/// Managing sources, documents and identities: `read` first, so a caller without either is
/// told about `read`.
pub struct SearchManage;

impl RequiredPrivilege for SearchManage {
    const GUARDS: &'static [RouteGuard] = &[SEARCH_GUARD, MANAGE_GUARD];

    fn shape(error: AppError) -> AppError {
        SearchRead::shape(error)
    }
}

/// The signed-in user of a search route, past its guard (`read` unless it says otherwise).
pub type Caller<P = SearchRead> = Guarded<P>;

impl<P> Caller<P> {
    pub fn is_manager(&self) -> bool {
        self.holds::<SearchManage>()
    }

    /// Manage, and read users (the Access panel and "Preview as" show other users' views).
    pub fn require_user_insight(&self) -> WsResult<()> {
        self.require::<SearchManage>()?;
        self.require_user_read()
    }

    fn require_user_read(&self) -> WsResult<()> {
        authz::check_security_action(&self.principal.subject, SecurityAction::UserGet)
            .map_err(|message| WsError::new(StatusCode::FORBIDDEN, message))
    }

    pub fn username(&self) -> String {
        self.principal.username().to_string()
    }
}

pub const AUDIT_SOURCE_CREATE: &str = "ws_source_create";
pub const AUDIT_SOURCE_DELETE: &str = "ws_source_delete";
pub const AUDIT_DOCUMENTS_CREATE: &str = "ws_documents_bulk_create";
pub const AUDIT_DOCUMENTS_DESTROY: &str = "ws_documents_bulk_destroy";
pub const AUDIT_IDENTITY_CREATE: &str = "ws_identity_create";
pub const AUDIT_IDENTITY_UPDATE: &str = "ws_identity_update";
pub const AUDIT_IDENTITY_DELETE: &str = "ws_identity_delete";

impl<P> Caller<P> {
    /// A successful change by this caller, to record with [`record`].
    fn audit_event(
        &self,
        action: &'static str,
        object_type: &str,
        object_ids: Vec<String>,
        details: Value,
    ) -> AuditEvent {
        AuditEvent {
            ts_ms: db::now_millis(),
            action,
            outcome: Outcome::Success,
            username: self.username(),
            effective_user: None,
            profile_uid: Some(self.principal.user.profile_uid.clone()),
            space: self.space.0.clone(),
            object_type: object_type.to_string(),
            object_ids,
            details,
            message: String::new(),
        }
    }
}

/// Writes the audit row inside the change's transaction (commit follows), and returns the event
/// for the file, appended once the change is committed.
/// A bulk request is recorded only when it stored or removed something.
fn changed_if(changed: bool) -> Changed {
    if changed {
        Changed::Yes
    } else {
        Changed::No
    }
}

/// A JSON body; malformed → 400 `{"errors":[..]}`.
pub struct WsJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for WsJson<T> {
    type Rejection = WsError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, WsError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| WsError::bad_request("The request body could not be read."))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(WsError::bad_request("The request body must be JSON."));
        }
        serde_json::from_slice(&bytes)
            .map(WsJson)
            .map_err(|e| WsError::bad_request(format!("Invalid request body: {e}")))
    }
}

/// `page[current]` (≥ 1) and `page[size]` (1..100) of a list's query string.
pub fn parse_page(raw: Option<&str>, default_size: u32) -> WsResult<(u32, u32)> {
    let (mut current, mut size) = (1, default_size);
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let (target, max) = match key.as_ref() {
            "page[current]" => (&mut current, MAX_PAGE),
            "page[size]" => (&mut size, MAX_PAGE_SIZE),
            _ => continue,
        };
        *target = value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|v| (1..=max).contains(v))
            .ok_or_else(|| {
                WsError::bad_request(format!("{key} must be an integer from 1 to {max}"))
            })?;
    }
    Ok((current, size))
}

fn paged<T>(results: Vec<T>, current: u32, size: u32, total: u64) -> Paged<T> {
    Paged {
        meta: Meta {
            page: PageMeta::new(current, size, total),
        },
        results,
    }
}

/// One page of a list held whole: the page asked for, and the whole list's length as the total.
fn page_of<T>(all: Vec<T>, current: u32, size: u32) -> Paged<T> {
    let total = all.len() as u64;
    let skip = (current as usize - 1).saturating_mul(size as usize);
    let page = all.into_iter().skip(skip).take(size as usize).collect();
    paged(page, current, size, total)
}

// ---------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------

async fn list_sources(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> WsResult<Json<Paged<Source>>> {
    let (current, size) = parse_page(raw.as_deref(), DEFAULT_LIST_PAGE_SIZE)?;
    let username = caller.username();
    let sources = state
        .db
        .read(move |conn| {
            let viewer = Viewer::load(conn, &username)?;
            store::list_sources(conn, &viewer)
        })
        .await?;
    Ok(Json(page_of(sources, current, size)))
}

async fn create_source(
    State(state): State<AppState>,
    caller: Caller<SearchManage>,
    WsJson(body): WsJson<NewSource>,
) -> WsResult<Json<Source>> {
    let name = body.name.trim().to_string();
    if name.is_empty() {
        return Err(WsError::bad_request("Name can't be blank"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(WsError::bad_request(format!(
            "Name is too long (the limit is {MAX_NAME_CHARS} characters)"
        )));
    }
    let id = store::new_source_id();
    let event = caller.audit_event(
        AUDIT_SOURCE_CREATE,
        "ws_source",
        vec![id.clone()],
        json!({ "name": name }),
    );
    {
        let (id, name) = (id.clone(), name.clone());
        state
            .write_audited(event, move |tx, _| {
                if store::source_name_taken(tx, &name)? {
                    return Err(WsError::bad_request(format!(
                        "A source named {name} already exists"
                    )));
                }
                store::insert_source(tx, &id, &name)?;
                Ok(())
            })
            .await?;
    }
    Ok(Json(Source {
        id,
        name,
        document_count: 0,
    }))
}

async fn get_source(
    State(state): State<AppState>,
    caller: Caller,
    Path(source): Path<String>,
) -> WsResult<Json<Source>> {
    let username = caller.username();
    let id = source.clone();
    state
        .db
        .read(move |conn| {
            let viewer = Viewer::load(conn, &username)?;
            store::get_source(conn, &viewer, &id)
        })
        .await?
        .map(Json)
        .ok_or_else(|| WsError::source_not_found(&source))
}

async fn delete_source(
    State(state): State<AppState>,
    caller: Caller<SearchManage>,
    Path(source): Path<String>,
) -> WsResult<Json<Source>> {
    check_path_id("source", &source)?;
    let username = caller.username();
    let id = source.clone();
    let event = caller.audit_event(
        AUDIT_SOURCE_DELETE,
        "ws_source",
        vec![source.clone()],
        json!({}),
    );
    let found = state
        .write_audited(event, move |tx, event| {
            let viewer = Viewer::load(tx, &username)?;
            let Some(found) = store::get_source(tx, &viewer, &id)? else {
                return Err(WsError::source_not_found(&source));
            };
            let documents: i64 = tx.query_row(
                "SELECT COUNT(*) FROM ws_documents WHERE source_id = ?1",
                [&id],
                |r| r.get(0),
            )?;
            let identities = store::all_identities(tx, Some(&id))?;
            store::delete_source(tx, &id)?;
            event.details = json!({
                "name": found.name,
                "documents": documents,
                "identities": identities,
            });
            Ok(found)
        })
        .await?;
    Ok(Json(found))
}

/// A source, document or identity id in a path, at most [`MAX_ID_CHARS`] characters: a longer
/// one names nothing, and is refused before it is looked up, echoed or audited.
fn check_path_id(what: &str, id: &str) -> WsResult<()> {
    if id.chars().count() > MAX_ID_CHARS {
        return Err(WsError::bad_request(format!(
            "The {what} id is too long (the limit is {MAX_ID_CHARS} characters)"
        )));
    }
    Ok(())
}

async fn require_source(state: &AppState, source: &str) -> WsResult<()> {
    check_path_id("source", source)?;
    let id = source.to_string();
    let exists = state
        .db
        .read(move |conn| Ok(store::source_name(conn, &id)?.is_some()))
        .await?;
    if exists {
        Ok(())
    } else {
        Err(WsError::source_not_found(source))
    }
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

async fn bulk_create(
    State(state): State<AppState>,
    caller: Caller<SearchManage>,
    Path(source): Path<String>,
    WsJson(body): WsJson<Value>,
) -> WsResult<Json<BulkCreateResponse>> {
    let Value::Array(inputs) = body else {
        return Err(WsError::bad_request(
            "The request body must be an array of documents.",
        ));
    };
    if inputs.len() > MAX_BULK_DOCUMENTS {
        return Err(WsError::bad_request(format!(
            "Too many documents: {} (the limit is {MAX_BULK_DOCUMENTS} per request)",
            inputs.len()
        )));
    }
    require_source(&state, &source).await?;
    let checked: Vec<Result<store::ValidDocument, BulkCreateResult>> =
        inputs.iter().map(store::validate_document).collect();
    let event = caller.audit_event(
        AUDIT_DOCUMENTS_CREATE,
        "ws_document",
        Vec::new(),
        json!({ "source": source }),
    );
    let results = state
        .write_audited_when_changed::<_, WsError>(event, move |tx, event| {
            // The source may have gone between the check and this write.
            if store::source_name(tx, &source)?.is_none() {
                return Ok((None, Changed::No));
            }
            let mut results = Vec::with_capacity(checked.len());
            let mut permissions = Vec::new();
            for outcome in checked {
                match outcome {
                    Ok(document) => {
                        let before = store::stored_document(tx, &source, &document.id)?
                            .map(|d| store::permissions_json(&d.allow, &d.deny));
                        store::upsert_document(tx, &source, &document)?;
                        permissions.push(json!({
                            "id": document.id,
                            "before": before,
                            "after": store::permissions_json(&document.allow, &document.deny),
                        }));
                        results.push(BulkCreateResult {
                            id: Some(document.id),
                            errors: Vec::new(),
                        });
                    }
                    Err(failed) => results.push(failed),
                }
            }
            event.object_ids = results
                .iter()
                .filter(|r| r.errors.is_empty())
                .filter_map(|r| r.id.clone())
                .collect();
            event.details = json!({ "source": source, "permissions": permissions });
            Ok((Some(results), changed_if(!event.object_ids.is_empty())))
        })
        .await?;
    match results {
        Some(results) => Ok(Json(BulkCreateResponse { results })),
        None => Err(WsError::new(
            StatusCode::NOT_FOUND,
            "The source was deleted while the documents were being stored.",
        )),
    }
}

async fn bulk_destroy(
    State(state): State<AppState>,
    caller: Caller<SearchManage>,
    Path(source): Path<String>,
    WsJson(body): WsJson<Value>,
) -> WsResult<Json<BulkDestroyResponse>> {
    let ids: Option<Vec<String>> = body.as_array().and_then(|items| {
        items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    let Some(ids) = ids else {
        return Err(WsError::bad_request(
            "The request body must be an array of document ids (strings).",
        ));
    };
    if ids.len() > MAX_BULK_DOCUMENTS {
        return Err(WsError::bad_request(format!(
            "Too many ids: {} (the limit is {MAX_BULK_DOCUMENTS} per request)",
            ids.len()
        )));
    }
    require_source(&state, &source).await?;
    let username = caller.username();
    let event = caller.audit_event(
        AUDIT_DOCUMENTS_DESTROY,
        "ws_document",
        Vec::new(),
        json!({ "source": source }),
    );
    let results = state
        .write_audited_when_changed::<_, WsError>(event, move |tx, event| {
            let viewer = Viewer::load(tx, &username)?;
            let mut results = Vec::with_capacity(ids.len());
            let mut permissions = Vec::new();
            for id in ids {
                let removed = store::destroy_document(tx, &viewer, &source, &id)?;
                if let Some(before) = &removed {
                    permissions.push(json!({
                        "id": id,
                        "before": store::permissions_json(&before.allow, &before.deny),
                        "after": null,
                    }));
                }
                results.push(BulkDestroyResult {
                    id,
                    success: removed.is_some(),
                });
            }
            event.details = json!({ "source": source, "permissions": permissions });
            event.object_ids = results
                .iter()
                .filter(|r| r.success)
                .map(|r| r.id.clone())
                .collect();
            let changed = changed_if(!event.object_ids.is_empty());
            Ok((results, changed))
        })
        .await?;
    Ok(Json(BulkDestroyResponse { results }))
}

async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    Path((source, doc)): Path<(String, String)>,
) -> WsResult<Json<Document>> {
    require_source(&state, &source).await?;
    let manager = caller.is_manager();
    let username = caller.username();
    let (s, d) = (source.clone(), doc.clone());
    let found = state
        .db
        .read(move |conn| {
            let viewer = Viewer::load(conn, &username)?;
            store::get_document(conn, &viewer, &s, &d)
        })
        .await?;
    match found {
        Some(fields) => Ok(Json(store::public_fields(fields, manager))),
        None => Err(WsError::document_not_found(&doc)),
    }
}

async fn list_documents(
    State(state): State<AppState>,
    caller: Caller,
    Path(source): Path<String>,
    RawQuery(raw): RawQuery,
) -> WsResult<Json<Paged<Document>>> {
    let (current, size) = parse_page(raw.as_deref(), DEFAULT_LIST_PAGE_SIZE)?;
    require_source(&state, &source).await?;
    let manager = caller.is_manager();
    let username = caller.username();
    let (documents, total) = state
        .db
        .read(move |conn| {
            let viewer = Viewer::load(conn, &username)?;
            store::list_documents(conn, &viewer, &source, current, size)
        })
        .await?;
    let documents = documents
        .into_iter()
        .map(|d| store::public_fields(d, manager))
        .collect();
    Ok(Json(paged(documents, current, size, total)))
}

/// **ext**: who can and cannot see a document, and why.
async fn document_access(
    State(state): State<AppState>,
    caller: Caller<SearchManage>,
    Path((source, doc)): Path<(String, String)>,
) -> WsResult<Json<DocumentAccess>> {
    caller.require_user_read()?;
    require_source(&state, &source).await?;
    let username = caller.username();
    let space = caller.space.0.clone();
    let d = doc.clone();
    state
        .db
        .read(move |conn| {
            let viewer = Viewer::load(conn, &username)?;
            store::document_access(conn, &viewer, &space, &source, &d)
        })
        .await?
        .map(Json)
        .ok_or_else(|| WsError::document_not_found(&doc))
}

// ---------------------------------------------------------------------------------------------
// External identities
// ---------------------------------------------------------------------------------------------

fn identity_not_found(id: &str) -> WsError {
    WsError::new(
        StatusCode::NOT_FOUND,
        format!("Could not find an external identity with id {id}"),
    )
}

async fn list_identities(
    State(state): State<AppState>,
    _caller: Caller<SearchManage>,
    Path(source): Path<String>,
    RawQuery(raw): RawQuery,
) -> WsResult<Json<Paged<ExternalIdentity>>> {
    let (current, size) = parse_page(raw.as_deref(), DEFAULT_LIST_PAGE_SIZE)?;
    require_source(&state, &source).await?;
    let all = state
        .db
        .read(move |conn| store::all_identities(conn, Some(&source)))
        .await?;
    Ok(Json(page_of(all, current, size)))
}

async fn create_identity(
    State(state): State<AppState>,
    caller: Caller<SearchManage>,
    Path(source): Path<String>,
    WsJson(body): WsJson<NewIdentity>,
) -> WsResult<Json<ExternalIdentity>> {
    let external_user_id = body.external_user_id.trim().to_string();
    let mut errors = Vec::new();
    if external_user_id.is_empty() {
        errors.push("external_user_id can't be blank".to_string());
    } else if external_user_id.chars().count() > MAX_NAME_CHARS {
        errors.push(format!(
            "external_user_id is too long (the limit is {MAX_NAME_CHARS} characters)"
        ));
    }
    errors.extend(store::identity_errors(
        &body.external_user_properties,
        &body.permissions,
    ));
    if !errors.is_empty() {
        return Err(WsError {
            status: StatusCode::BAD_REQUEST,
            errors,
        });
    }
    require_source(&state, &source).await?;
    let identity = ExternalIdentity {
        content_source_id: source,
        external_user_id,
        external_user_properties: body.external_user_properties,
        permissions: store::normalise_permissions(body.permissions),
    };
    let stored = identity.clone();
    let event = caller.audit_event(
        AUDIT_IDENTITY_CREATE,
        "ws_identity",
        vec![identity.external_user_id.clone()],
        json!({ "source": identity.content_source_id, "before": null, "after": identity }),
    );
    state
        .write_audited(event, move |tx, _| {
            if store::get_identity(tx, &stored.content_source_id, &stored.external_user_id)?
                .is_some()
            {
                return Err(WsError::bad_request(format!(
                    "An external identity with id {} already exists",
                    stored.external_user_id
                )));
            }
            store::put_identity(tx, &stored)?;
            Ok(())
        })
        .await?;
    Ok(Json(identity))
}

async fn get_identity(
    State(state): State<AppState>,
    _caller: Caller<SearchManage>,
    Path((source, id)): Path<(String, String)>,
) -> WsResult<Json<ExternalIdentity>> {
    require_source(&state, &source).await?;
    let key = id.clone();
    state
        .db
        .read(move |conn| store::get_identity(conn, &source, &key))
        .await?
        .map(Json)
        .ok_or_else(|| identity_not_found(&id))
}

async fn update_identity(
    State(state): State<AppState>,
    caller: Caller<SearchManage>,
    Path((source, id)): Path<(String, String)>,
    WsJson(body): WsJson<IdentityUpdate>,
) -> WsResult<Json<ExternalIdentity>> {
    check_path_id("external identity", &id)?;
    let errors = store::identity_errors(
        body.external_user_properties.as_deref().unwrap_or(&[]),
        body.permissions.as_deref().unwrap_or(&[]),
    );
    if !errors.is_empty() {
        return Err(WsError {
            status: StatusCode::BAD_REQUEST,
            errors,
        });
    }
    require_source(&state, &source).await?;
    let key = id.clone();
    let event = caller.audit_event(
        AUDIT_IDENTITY_UPDATE,
        "ws_identity",
        vec![id.clone()],
        json!({}),
    );
    let identity = state
        .write_audited(event, move |tx, event| {
            let Some(before) = store::get_identity(tx, &source, &key)? else {
                return Err(identity_not_found(&key));
            };
            let mut identity = before.clone();
            if let Some(properties) = body.external_user_properties {
                identity.external_user_properties = properties;
            }
            if let Some(permissions) = body.permissions {
                identity.permissions = store::normalise_permissions(permissions);
            }
            store::put_identity(tx, &identity)?;
            event.details = json!({ "source": source, "before": before, "after": identity });
            Ok(identity)
        })
        .await?;
    Ok(Json(identity))
}

async fn delete_identity(
    State(state): State<AppState>,
    caller: Caller<SearchManage>,
    Path((source, id)): Path<(String, String)>,
) -> WsResult<Json<&'static str>> {
    check_path_id("external identity", &id)?;
    require_source(&state, &source).await?;
    let key = id.clone();
    let event = caller.audit_event(
        AUDIT_IDENTITY_DELETE,
        "ws_identity",
        vec![id.clone()],
        json!({}),
    );
    state
        .write_audited(event, move |tx, event| {
            let Some(before) = store::get_identity(tx, &source, &key)? else {
                return Err(identity_not_found(&key));
            };
            store::delete_identity(tx, &source, &key)?;
            event.details = json!({ "source": source, "before": before, "after": null });
            Ok(())
        })
        .await?;
    Ok(Json("ok"))
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

async fn search(
    State(state): State<AppState>,
    caller: Caller,
    WsJson(request): WsJson<SearchRequest>,
) -> WsResult<Json<SearchResponse>> {
    let page = request.page;
    if page.current < 1 || page.current > MAX_PAGE {
        return Err(WsError::bad_request(format!(
            "page.current must be an integer from 1 to {MAX_PAGE}"
        )));
    }
    if page.size < 1 || page.size > MAX_PAGE_SIZE {
        return Err(WsError::bad_request(format!(
            "page.size must be an integer from 1 to {MAX_PAGE_SIZE}"
        )));
    }
    if request.query.chars().count() > MAX_QUERY_CHARS {
        return Err(WsError::bad_request(format!(
            "query is too long (the limit is {MAX_QUERY_CHARS} characters)"
        )));
    }
    let as_user = match request.as_user.as_deref().map(str::trim) {
        Some(user) if !user.is_empty() && user != caller.principal.username() => {
            caller.require_user_insight()?;
            Some(user.to_string())
        }
        _ => None,
    };
    let username = as_user.clone().unwrap_or_else(|| caller.username());
    let space = caller.space.0.clone();
    let outcome = state
        .db
        .read(move |conn| {
            if as_user.is_some() {
                let target = users::get_user(conn, &username)?.filter(|u| u.enabled);
                let Some(target) = target else {
                    return Ok(Err(format!("Unknown user {username}")));
                };
                let subject = users::subject_of(conn, &target)?;
                if !store::can_search(&subject, &space) {
                    return Ok(Err(format!(
                        "{username} cannot use the Search app: none of their roles grants the Search feature privilege"
                    )));
                }
            }
            let viewer = Viewer::load(conn, &username)?;
            let mut response = store::search(conn, &viewer, &request)?;
            response.meta.as_user = as_user;
            Ok(Ok(response))
        })
        .await?;
    outcome.map(Json).map_err(WsError::bad_request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_parameters() {
        assert_eq!(parse_page(None, 25).unwrap(), (1, 25));
        assert_eq!(
            parse_page(Some("page%5Bcurrent%5D=3&page[size]=10&x=1"), 25).unwrap(),
            (3, 10)
        );
        for bad in ["page[size]=0", "page[size]=101", "page[current]=x"] {
            assert!(parse_page(Some(bad), 25).is_err(), "{bad}");
        }
    }
}

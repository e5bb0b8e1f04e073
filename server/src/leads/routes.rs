//! Threat-hunting leads routes (docs/leads.md), base `/internal/entity_analytics/leads`.
//!
//! Every route: Kibana header rules (incl. `elastic-api-version: 1`), a session, and the Kibana
//! API privileges `securitySolution` + `securitySolution-entity-analytics` (Boom 403). Index
//! privileges are checked per action on the space's concrete index, as Elasticsearch would, and
//! their denials use the siem error shape.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_api::leads::{
    leads_index, BulkUpdateResponse, GenerateResponse, LeadsPrivileges, LeadsStatus, SortField,
    SortOrder, SuccessResponse, CONNECTORS_PATH, LEADS_BASE, LEADS_CHANGES_PATH,
    LEADS_CONNECTOR_PATH, LEADS_INDEX_PATTERN, MAX_PER_PAGE,
};
use rusqlite::OptionalExtension;
use serde::Deserialize;

use crate::authz::{self, DocumentAccess, Guarded, IndexAction, LeadsApi, Subject};
use crate::leads::changes::{decode_cursor, parse_changes_query, read_changes, WireChanges};
use crate::leads::connector::{self, check_connector, chosen_connector};
use crate::leads::{self, unfiltered_find};
use crate::platform::db::{self, Db};
use crate::platform::error::{AppError, AppResult, ErrorShape};
use crate::platform::kibana::UnparsedJson;
use crate::AppState;
use gatehouse_api::doc_query::LEAD_FIELDS;
use gatehouse_api::leads::FindLeadsQuery;

pub const MAX_LEADS: u32 = 50;
pub const DEFAULT_MAX_LEADS: u32 = 10;
pub const MAX_BULK_IDS: usize = 100;
pub const LEAD_STATUSES: &[&str] = &["active", "dismissed", "expired"];

pub fn router() -> Router<AppState> {
    let base = LEADS_BASE;
    Router::new()
        .route(base, get(find))
        .route(&format!("{base}/"), get(find))
        .route(&format!("{base}/privileges"), get(privileges))
        .route(&format!("{base}/status"), get(status))
        .route(&format!("{base}/generate"), post(generate))
        .route(&format!("{base}/enable"), post(enable))
        .route(&format!("{base}/disable"), post(disable))
        .route(&format!("{base}/bulk_update"), post(bulk_update))
        .route(&format!("{base}/{{id}}/_dismiss"), post(dismiss))
        .route(LEADS_CHANGES_PATH, get(changes))
        .route(
            LEADS_CONNECTOR_PATH,
            get(connector::get).put(connector::put),
        )
        .route(CONNECTORS_PATH, get(connector::list))
}

/// What a reader of `index` may see of its leads (docs/privileges.md, "Document- and field-level
/// security").
pub(crate) fn read_access(subject: &Subject, index: &str) -> authz::DocumentAccess {
    authz::document_access(subject, index, IndexAction::Search, LEAD_FIELDS)
}

/// Which leads a status change by `subject` may reach: those its update grants let through and,
/// when it may read the index, that it can see. Any other lead is answered as if it did not
/// exist. `None`: every lead.
fn write_targets(subject: &Subject, index: &str) -> Option<leads::MayChange> {
    let write = authz::document_access(subject, index, IndexAction::Update, LEAD_FIELDS);
    let read = authz::check_index_action(subject, index, IndexAction::Search)
        .is_ok()
        .then(|| read_access(subject, index));
    let read_all = read
        .as_ref()
        .is_none_or(|r| r.documents == authz::DocumentFilter::All);
    if write.documents == authz::DocumentFilter::All && read_all {
        return None;
    }
    Some(Box::new(move |lead: &serde_json::Value| {
        write.sees(lead) && read.as_ref().is_none_or(|r| r.sees(lead))
    }))
}

/// Sets `status` on the leads of `ids` that `subject` may change (see [`write_targets`]).
async fn change_status(
    state: &AppState,
    subject: &Subject,
    index: String,
    ids: Vec<String>,
    status: String,
) -> AppResult<u64> {
    let targets = write_targets(subject, &index);
    Ok(state
        .db
        .write(move |conn| match targets {
            None => Ok(leads::set_status(conn, &index, &ids, &status)?),
            Some(may_change) => leads::set_visible_status(conn, &index, &ids, &status, may_change),
        })
        .await?)
}

pub(super) fn bad_request(message: impl Into<String>) -> AppError {
    AppError::siem(StatusCode::BAD_REQUEST, message)
}

/// The index action check; a denial is Elasticsearch's `security_exception`, 403 in siem shape.
pub(super) fn require(subject: &Subject, index: &str, action: IndexAction) -> AppResult<()> {
    authz::check_index_action(subject, index, action)
        .map_err(|message| AppError::siem(StatusCode::FORBIDDEN, message))
}

// ---------------------------------------------------------------------------------------------
// GET /privileges
// ---------------------------------------------------------------------------------------------

/// Role-based, so it works before the index exists: `read`, and `write` = a write-class
/// privilege (`index`, `write` or `all`) on `.entity_analytics.entity-leads-*`.
pub fn leads_privileges(subject: &Subject) -> LeadsPrivileges {
    let result = authz::has_index_privileges(subject, &[LEADS_INDEX_PATTERN], &["read", "index"]);
    LeadsPrivileges::new(
        result.index_privilege(LEADS_INDEX_PATTERN, "read"),
        result.index_privilege(LEADS_INDEX_PATTERN, "index"),
    )
}

async fn privileges(Guarded { principal, .. }: Guarded<LeadsApi>) -> Json<LeadsPrivileges> {
    Json(leads_privileges(&principal.subject))
}

// ---------------------------------------------------------------------------------------------
// GET / (find)
// ---------------------------------------------------------------------------------------------

fn parse_number(name: &str, raw: &str, min: u32, max: u32) -> AppResult<u32> {
    crate::platform::kibana::parse_query_number(ErrorShape::Siem, name, raw, min, max)
}

fn parse_enum<'a>(name: &str, raw: &str, allowed: &[&'a str]) -> AppResult<&'a str> {
    allowed.iter().copied().find(|a| *a == raw).ok_or_else(|| {
        let expected = allowed
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        bad_request(format!(
            "[request query]: {name}: Invalid enum value. Expected {expected}, received '{raw}'"
        ))
    })
}

/// Validates the find query string: `page` ≥ 1, `perPage` 1..100, `sortField`, `sortOrder`,
/// `status`. Unknown parameters are ignored.
pub fn parse_find_query(raw: Option<&str>) -> AppResult<FindLeadsQuery> {
    let mut query = unfiltered_find();
    for (key, value) in crate::platform::kibana::unique_query_pairs(raw, ErrorShape::Siem)? {
        match key.as_str() {
            "page" => query.page = parse_number("page", &value, 1, 10_000_000)?,
            "perPage" => query.per_page = parse_number("perPage", &value, 1, MAX_PER_PAGE)?,
            "sortField" => {
                query.sort_field =
                    match parse_enum("sortField", &value, &["priority", "timestamp"])? {
                        "timestamp" => SortField::Timestamp,
                        _ => SortField::Priority,
                    }
            }
            "sortOrder" => {
                query.sort_order = match parse_enum("sortOrder", &value, &["asc", "desc"])? {
                    "asc" => SortOrder::Asc,
                    _ => SortOrder::Desc,
                }
            }
            "status" => {
                query.status = Some(parse_enum("status", &value, LEAD_STATUSES)?.to_string())
            }
            _ => {}
        }
    }
    Ok(query)
}

/// Answers `LeadsPage` as JSON. The body is built from the stored lead texts rather than through
/// `Json<LeadsPage>` (parsing and re-serializing 100 leads cost more than the query); the bytes
/// are the same (see `leads::push_wire_lead`). A page read before is sent again while it is
/// still exact (see `find_cache`), after the asker's privileges are checked as always, and
/// gzip-compressed when the asker accepts it.
/// What the find route reads under a connection: the answer, or a restricted reader's page still
/// to be cut down to the fields its grants allow.
enum ReadPage {
    Built(leads::WirePage),
    ToFilter(leads::VisiblePage, FindLeadsQuery, DocumentAccess),
}

async fn find(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> AppResult<Response> {
    let query = parse_find_query(raw.as_deref())?;
    let index = leads_index(space.id());
    require(&principal.subject, &index, IndexAction::Search)?;
    let access = read_access(&principal.subject, &index);
    let view = access.key.clone();
    // Read before the database: a write after this makes what is read below a stale entry.
    let generation = state.db.generation();
    let kept = state.find_cache.get(
        &index,
        &query,
        view.as_deref(),
        generation,
        db::now_millis(),
    );
    let (body, gzipped) = match kept {
        Some(answer) if accepts_gzip(&headers) => {
            let gzip = match answer.gzip_made() {
                Some(gzip) => Some(gzip),
                // A few ms of CPU for 100 leads: not on a thread that serves other requests.
                None => {
                    let answer = answer.clone();
                    tokio::task::spawn_blocking(move || answer.gzip())
                        .await
                        .ok()
                        .flatten()
                }
            };
            match gzip {
                Some(gzip) => (gzip, true),
                None => (answer.body().clone(), false),
            }
        }
        Some(answer) => (answer.body().clone(), false),
        None => {
            let (read_index, read_query) = (index.clone(), query.clone());
            let cache = state.find_cache.clone();
            let page = state
                .db
                .read_then(
                    move |conn| {
                        if !leads::index_exists(conn, &read_index)? {
                            return Ok(ReadPage::Built(leads::WirePage {
                                body: leads::empty_page_json(read_query.page, read_query.per_page),
                                valid_until_ms: i64::MAX,
                            }));
                        }
                        if access.is_unrestricted() {
                            return Ok(ReadPage::Built(leads::find_leads_json(
                                conn,
                                &read_index,
                                &read_query,
                            )?));
                        }
                        let visible = leads::visible_leads_kept(
                            conn,
                            &cache,
                            &read_index,
                            &access,
                            generation,
                        )?;
                        let page = leads::read_visible_page(
                            conn,
                            &read_index,
                            &read_query,
                            &access,
                            &visible,
                        )?;
                        Ok(ReadPage::ToFilter(page, read_query, access))
                    },
                    // Field security parses and rewrites every lead of the page: done after the
                    // connection is back in the pool.
                    |read| match read {
                        ReadPage::Built(page) => Ok(page),
                        ReadPage::ToFilter(page, query, access) => {
                            leads::visible_page_json(page, &query, &access)
                        }
                    },
                )
                .await?;
            let body = Bytes::from(page.body);
            state.find_cache.put(
                &index,
                &query,
                view.as_deref(),
                generation,
                page.valid_until_ms,
                body.clone(),
            );
            (body, false)
        }
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ],
        body,
    )
        .into_response();
    if gzipped {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(response)
}

/// Whether the request's `Accept-Encoding` lets the answer be gzip (RFC 9110 §12.5.3: `gzip` or
/// `*` with a quality above 0; browsers send `gzip, deflate, br, zstd`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut wildcard = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for coding in value.split(',') {
            let mut params = coding.split(';');
            let name = params.next().unwrap_or_default().trim();
            let quality = params
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(1.0, |q| q.trim().parse::<f32>().unwrap_or(0.0));
            if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                return quality > 0.0;
            }
            if name == "*" {
                wildcard = quality > 0.0;
            }
        }
    }
    wildcard
}

// ---------------------------------------------------------------------------------------------
// GET /status
// ---------------------------------------------------------------------------------------------

async fn status(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
) -> AppResult<Json<LeadsStatus>> {
    let index = leads_index(space.id());
    require(&principal.subject, &index, IndexAction::Search)?;
    let access = read_access(&principal.subject, &index);
    let space = space.0;
    let (cache, generation) = (state.find_cache.clone(), state.db.generation());
    Ok(Json(
        state
            .db
            .read(move |conn| {
                let mut status = leads::get_status(conn, &space, &index)?;
                // `totalLeads` counts the active leads the reader can see.
                if access.documents != authz::DocumentFilter::All {
                    let visible =
                        leads::visible_leads_kept(conn, &cache, &index, &access, generation)?;
                    status.total_leads = visible.total(Some("active")) as u64;
                }
                Ok(status)
            })
            .await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// POST /generate
// ---------------------------------------------------------------------------------------------

/// Longest lead id taken by `_dismiss` and `bulk_update`: lead ids are the server's own, far
/// shorter; a longer one is refused rather than looked up and echoed in a 404.
pub const MAX_LEAD_ID_CHARS: usize = 256;

/// A generate body: `connectorId` may be left out once the space has chosen a connector.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateBody {
    #[serde(default)]
    connector_id: Option<String>,
    #[serde(default)]
    max_leads: Option<u32>,
}

/// Answers at once with the execution id; the run happens in the background and ends in
/// `/status` (`lastExecutionUuid` + `lastRun` or `lastError`).
async fn generate(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
    body: UnparsedJson<GenerateBody>,
) -> AppResult<Json<GenerateResponse>> {
    let body = body.parse()?;
    let connector_id = match body.connector_id {
        Some(connector_id) => connector_id,
        None => {
            let space = space.0.clone();
            state
                .db
                .read(move |conn| Ok(chosen_connector(conn, &space)?))
                .await?
                // No choice to fall back on: the body rule, connectorId required.
                .ok_or_else(|| bad_request("[request body]: connectorId: Required"))?
        }
    };
    check_connector(&connector_id)?;
    let max = body.max_leads.unwrap_or(DEFAULT_MAX_LEADS);
    if max < 1 {
        return Err(bad_request(
            "[request body]: maxLeads: Number must be greater than or equal to 1",
        ));
    }
    if max > MAX_LEADS {
        return Err(bad_request(format!(
            "[request body]: maxLeads: Number must be less than or equal to {MAX_LEADS}"
        )));
    }
    let execution_uuid = uuid::Uuid::new_v4().to_string();
    let run = GenerateRun {
        db: state.db.clone(),
        subject: principal.subject.clone(),
        space: space.0,
        connector_id,
        max_leads: max as usize,
        execution_uuid: execution_uuid.clone(),
    };
    tokio::spawn(async move {
        let (space, execution) = (run.space.clone(), run.execution_uuid.clone());
        if let Err(error) = run.execute().await {
            tracing::error!(
                space,
                execution,
                error = format!("{error:#}"),
                "lead generation failed"
            );
        }
    });
    Ok(Json(GenerateResponse { execution_uuid }))
}

struct GenerateRun {
    db: Db,
    subject: Subject,
    space: String,
    connector_id: String,
    max_leads: usize,
    execution_uuid: String,
}

impl GenerateRun {
    async fn execute(self) -> anyhow::Result<()> {
        let index = leads_index(&self.space);
        // The bulk write runs as the caller: without a write privilege Elasticsearch refuses it.
        // Asked first, so a refused run records its failure without loading or scoring anything.
        let permitted = authz::check_index_action(&self.subject, &index, IndexAction::Bulk);
        let leads = match permitted {
            Ok(()) => {
                let entities = self.db.read(|conn| Ok(leads::load_entities(conn)?)).await?;
                let mut leads = leads::build_leads(
                    &entities,
                    self.max_leads,
                    db::now_millis(),
                    &self.execution_uuid,
                );
                leads::with_stable_ids(&index, &mut leads);
                leads
            }
            Err(_) => Vec::new(),
        };
        // Leads found again are updated in place where the caller may change them; the others
        // stay as they are (docs/leads.md "Kept leads and ageing").
        let targets = write_targets(&self.subject, &index);
        let GenerateRun {
            db,
            space,
            connector_id,
            execution_uuid,
            ..
        } = self;
        let count = leads.len();
        db.write(move |conn| {
            // The space may have been deleted while the run was under way: writing now would
            // bring its index back. Checked on the single writer, so no delete can slip between.
            let space_exists = conn
                .query_row("SELECT 1 FROM spaces WHERE id = ?1", [&space], |_| Ok(()))
                .optional()?
                .is_some();
            if !space_exists {
                tracing::info!(
                    space,
                    execution_uuid,
                    "space deleted during lead generation; nothing written"
                );
                return Ok(());
            }
            match permitted {
                Ok(()) => {
                    let kept =
                        leads::keep_run_leads(conn, &index, leads, targets, db::now_millis())?;
                    leads::record_run(
                        conn,
                        &space,
                        &connector_id,
                        &execution_uuid,
                        Ok(db::now_millis()),
                    )?;
                    tracing::info!(
                        space,
                        execution_uuid,
                        count,
                        created = kept.created,
                        updated = kept.updated,
                        removed = kept.removed,
                        "generated leads"
                    );
                }
                Err(message) => {
                    tracing::info!(space, execution_uuid, "lead generation refused: {message}");
                    leads::record_run(conn, &space, &connector_id, &execution_uuid, Err(&message))?;
                }
            }
            Ok(())
        })
        .await
    }
}

// ---------------------------------------------------------------------------------------------
// GET /changes
// ---------------------------------------------------------------------------------------------

/// The leads changed since a cursor (docs/leads.md "Changes"): checked as find is (the guard, the
/// index `read`, document- and field-level security), one bounded read.
async fn changes(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<WireChanges>> {
    let query = parse_changes_query(raw.as_deref())?;
    let index = leads_index(space.id());
    require(&principal.subject, &index, IndexAction::Search)?;
    let since = query
        .since
        .as_deref()
        .map(|cursor| decode_cursor(&index, cursor))
        .transpose()
        .map_err(|problem| bad_request(problem.message()))?;
    let access = read_access(&principal.subject, &index);
    let answer = state
        .db
        .read(move |conn| read_changes(conn, &index, since, query.size, &access, db::now_millis()))
        .await?;
    answer
        .map(Json)
        .map_err(|problem| bad_request(problem.message()))
}

// ---------------------------------------------------------------------------------------------
// POST /enable, /disable
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnableRequest {
    connector_id: String,
}

async fn enable(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
    body: UnparsedJson<EnableRequest>,
) -> AppResult<Json<SuccessResponse>> {
    let index = leads_index(space.id());
    require(&principal.subject, &index, IndexAction::Index)?;
    let body = body.parse()?;
    check_connector(&body.connector_id)?;
    let space = space.0;
    state
        .db
        .write(move |conn| {
            // The index is created by the internal user, as Kibana's enable does.
            leads::ensure_index(conn, &index)?;
            leads::set_enabled(conn, &space, true, Some(&body.connector_id))?;
            Ok(())
        })
        .await?;
    Ok(Json(SuccessResponse { success: true }))
}

async fn disable(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
    // No fields, but when a body is sent it must be a JSON object.
    body: UnparsedJson<serde_json::Map<String, serde_json::Value>>,
) -> AppResult<Json<SuccessResponse>> {
    let index = leads_index(space.id());
    require(&principal.subject, &index, IndexAction::Index)?;
    body.parse_or_default()?;
    let space = space.0;
    state
        .db
        .write(move |conn| Ok(leads::set_enabled(conn, &space, false, None)?))
        .await?;
    Ok(Json(SuccessResponse { success: true }))
}

// ---------------------------------------------------------------------------------------------
// POST /{id}/_dismiss, /bulk_update
// ---------------------------------------------------------------------------------------------

async fn dismiss(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<SuccessResponse>> {
    let index = leads_index(space.id());
    require(&principal.subject, &index, IndexAction::Update)?;
    check_lead_id("params.id", &id)?;
    let updated = change_status(
        &state,
        &principal.subject,
        index,
        vec![id.clone()],
        "dismissed".into(),
    )
    .await?;
    if updated == 0 {
        return Err(AppError::siem(
            StatusCode::NOT_FOUND,
            format!("Lead {id} not found"),
        ));
    }
    Ok(Json(SuccessResponse { success: true }))
}

/// A lead id of a size lead ids have; `field` locates it (`params.id`, `body.ids.3`).
fn check_lead_id(field: &str, id: &str) -> AppResult<()> {
    if id.chars().count() > MAX_LEAD_ID_CHARS {
        return Err(bad_request(format!(
            "[request {field}]: String must contain at most {MAX_LEAD_ID_CHARS} character(s)"
        )));
    }
    Ok(())
}

/// The ids of a bulk update: 1 to [`MAX_BULK_IDS`], each of a lead id's size.
fn check_bulk_ids(ids: &[String]) -> AppResult<()> {
    if ids.is_empty() {
        return Err(bad_request(
            "[request body]: ids: Array must contain at least 1 element(s)",
        ));
    }
    if ids.len() > MAX_BULK_IDS {
        return Err(bad_request(format!(
            "[request body]: ids: Array must contain at most {MAX_BULK_IDS} element(s)"
        )));
    }
    ids.iter()
        .enumerate()
        .try_for_each(|(i, id)| check_lead_id(&format!("body.ids.{i}"), id))
}

#[derive(Debug, Deserialize)]
struct BulkUpdateBody {
    ids: Vec<String>,
    status: String,
}

async fn bulk_update(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
    body: UnparsedJson<BulkUpdateBody>,
) -> AppResult<Json<BulkUpdateResponse>> {
    let index = leads_index(space.id());
    require(&principal.subject, &index, IndexAction::Update)?;
    let body: BulkUpdateBody = body.parse()?;
    check_bulk_ids(&body.ids)?;
    if !LEAD_STATUSES.contains(&body.status.as_str()) {
        return Err(bad_request(format!(
            "[request body]: status: Invalid enum value. Expected 'active' | 'dismissed' | 'expired', received '{}'",
            body.status
        )));
    }
    let updated = change_status(&state, &principal.subject, index, body.ids, body.status).await?;
    Ok(Json(BulkUpdateResponse { updated }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: AppError) -> String {
        match e {
            AppError::Siem { message, .. } => message,
            other => panic!("expected a siem error, got {other:?}"),
        }
    }

    #[test]
    fn gzip_is_sent_only_where_accept_encoding_allows_it() {
        let accepts = |values: &[&str]| {
            let mut headers = HeaderMap::new();
            for v in values {
                headers.append(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            }
            accepts_gzip(&headers)
        };
        assert!(accepts(&["gzip, deflate, br, zstd"]), "Chromium");
        assert!(
            accepts(&["br", "GZIP;q=0.5"]),
            "in a second header, any case"
        );
        assert!(accepts(&["*"]));
        assert!(!accepts(&[]), "no header: identity");
        assert!(!accepts(&["br, deflate"]));
        assert!(
            !accepts(&["gzip;q=0, *"]),
            "refused by name beats the wildcard"
        );
        assert!(!accepts(&["*;q=0"]));
        assert!(
            !accepts(&["gzip; q=zero"]),
            "an unreadable quality is not a yes"
        );
    }

    #[test]
    fn stored_and_echoed_values_have_a_size() {
        let ids = |n: usize, len: usize| vec!["l".repeat(len); n];
        assert!(check_bulk_ids(&ids(MAX_BULK_IDS, MAX_LEAD_ID_CHARS)).is_ok());
        assert!(check_bulk_ids(&ids(0, 1)).is_err());
        assert!(check_bulk_ids(&ids(MAX_BULK_IDS + 1, 1)).is_err());
        let mut long = ids(3, 1);
        long[2] = "l".repeat(MAX_LEAD_ID_CHARS + 1);
        assert_eq!(
            message(check_bulk_ids(&long).unwrap_err()),
            "[request body.ids.2]: String must contain at most 256 character(s)"
        );
        assert!(check_lead_id("params.id", &"l".repeat(1_000)).is_err());
    }

    #[test]
    fn find_query_validation() {
        let q = parse_find_query(Some(
            "page=2&perPage=50&sortField=timestamp&sortOrder=asc&status=dismissed&x=1",
        ))
        .unwrap();
        assert_eq!(
            (q.page, q.per_page, q.sort_field, q.sort_order),
            (2, 50, SortField::Timestamp, SortOrder::Asc)
        );
        assert_eq!(q.status.as_deref(), Some("dismissed"));
        assert_eq!(parse_find_query(None).unwrap(), unfiltered_find());
        assert_eq!(
            message(parse_find_query(Some("page=0")).unwrap_err()),
            "[request query]: page: Number must be greater than or equal to 1"
        );
        assert_eq!(
            message(parse_find_query(Some("perPage=101")).unwrap_err()),
            "[request query]: perPage: Number must be less than or equal to 100"
        );
        assert_eq!(
            message(parse_find_query(Some("perPage=abc")).unwrap_err()),
            "[request query]: perPage: Expected number, received nan"
        );
        assert_eq!(
            message(parse_find_query(Some("sortField=score")).unwrap_err()),
            "[request query]: sortField: Invalid enum value. Expected 'priority' | 'timestamp', received 'score'"
        );
        assert!(parse_find_query(Some("sortOrder=up")).is_err());
        assert!(parse_find_query(Some("status=open")).is_err());
        assert!(parse_find_query(Some("page=1.5")).is_err());
        assert!(parse_find_query(Some("page=1&page=2")).is_err());
        assert!(parse_find_query(Some("page=99999999999999999999")).is_err());
    }
}

//! `POST /internal/gatehouse/security/role/_check_indices` (docs/administration.md, "Checking
//! index rows before saving"): the role editor's check of a role's index rows before it saves
//! them. Each row is judged by the role save's own rules ([`admin::index_privileges`],
//! [`admin::check_served_query`]) with the save's texts; a row that grants read on the current
//! space's leads also gets a preview counted among the leads the caller itself may read.
//!
//! Guarded as the role save is: `manage_security` is checked before the body is parsed, so a
//! caller without it gets the 403 whatever it sends. Nothing is written, so nothing is audited.

use axum::extract::State;
use axum::{Extension, Json};
use gatehouse_api::admin::{IndexPrivileges, RoleDescriptor};
use gatehouse_api::doc_query::LEAD_FIELDS;
use gatehouse_api::leads::leads_index;
use gatehouse_api::role_check::{IndexRowCheck, IndexRowsCheck, LeadsPreview};
use serde_json::Value;

use crate::admin::{self, AdminError, AdminResult};
use crate::authz::{self, DocumentAccess, IndexAction, SecurityAction, Subject};
use crate::leads;
use crate::platform::error::AppResult;
use crate::platform::kibana::{Space, UnparsedJson};
use crate::platform::session::Principal;
use crate::AppState;

/// Most rows one check takes: each row with a query on the leads costs a read of every lead of
/// the space, and real roles have a handful of rows.
pub const MAX_CHECKED_ROWS: usize = 64;

pub async fn check_indices(
    State(state): State<AppState>,
    principal: std::sync::Arc<Principal>,
    Extension(space): Extension<Space>,
    body: UnparsedJson<Value>,
) -> AppResult<Json<IndexRowsCheck>> {
    // Authorize first: a refused caller's body is not parsed.
    admin::require(&principal.subject, SecurityAction::RolePut)?;
    let rows = index_rows(&body.parse()?)?;
    let index = leads_index(space.id());
    let reader =
        authz::document_access(&principal.subject, &index, IndexAction::Search, LEAD_FIELDS);
    let mut checks = Vec::with_capacity(rows.len());
    let mut previews = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let grant = admin::index_privileges(row, &format!("elasticsearch.indices.{i}"))
            .and_then(|grant| admin::check_served_query(i, &grant).map(|()| grant));
        match grant {
            Err(refusal) => checks.push(IndexRowCheck {
                accepted: false,
                message: Some(refusal.kibana_message()),
                preview: None,
            }),
            Ok(grant) => {
                if let Some(access) = leads_access_of(&principal.subject, grant, &index) {
                    previews.push((i, access));
                }
                checks.push(IndexRowCheck {
                    accepted: true,
                    ..IndexRowCheck::default()
                });
            }
        }
    }
    if !previews.is_empty() {
        let (cache, generation) = (state.find_cache.clone(), state.db.generation());
        let counted_index = index.clone();
        // The same reader pool and filter as a restricted find (`leads::visible_leads`).
        let counts = state
            .db
            .read(move |conn| {
                previews
                    .into_iter()
                    .map(|(i, row)| {
                        let (matching, readable) = leads::preview_counts(
                            conn,
                            &cache,
                            &counted_index,
                            &reader,
                            &row,
                            generation,
                        )?;
                        Ok((i, matching, readable, visible_fields(&row)))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .await?;
        for (i, matching, readable, (all_fields, fields)) in counts {
            if let Some(check) = checks.get_mut(i) {
                check.preview = Some(LeadsPreview {
                    index: index.clone(),
                    matching,
                    readable,
                    all_fields,
                    visible_fields: fields,
                });
            }
        }
    }
    Ok(Json(IndexRowsCheck { rows: checks }))
}

/// The body's rows: `{"indices": [...]}`, each row as the role API's `elasticsearch.indices`
/// takes it; at most [`MAX_CHECKED_ROWS`].
fn index_rows(body: &Value) -> AdminResult<Vec<Value>> {
    let map = admin::object(body, "")
        .map_err(|_| AdminError::invalid_both("[request body]: expected a plain object value"))?;
    admin::check_keys(map, "", &["indices"])?;
    let rows = match map.get("indices") {
        Some(Value::Array(rows)) => rows,
        Some(other) => {
            return Err(admin::body_error(
                "indices",
                format!(
                    "expected value of type [array] but got [{}]",
                    admin::type_name(other)
                ),
            ))
        }
        None => {
            return Err(admin::body_error(
                "indices",
                "expected value of type [array] but got [undefined]",
            ))
        }
    };
    if rows.len() > MAX_CHECKED_ROWS {
        return Err(admin::body_error(
            "indices",
            format!(
                "array size is [{}], but cannot be greater than [{MAX_CHECKED_ROWS}]",
                rows.len()
            ),
        ));
    }
    Ok(rows.clone())
}

/// What a role holding only `grant` would see of the space's leads `index`, when the grant
/// allows reading it.
fn leads_access_of(
    caller: &Subject,
    grant: IndexPrivileges,
    index: &str,
) -> Option<DocumentAccess> {
    let alone = Subject {
        username: caller.username.clone(),
        role_names: Vec::new(),
        roles: vec![RoleDescriptor {
            indices: vec![grant],
            ..RoleDescriptor::default()
        }],
    };
    authz::check_index_action(&alone, index, IndexAction::Search).ok()?;
    Some(authz::document_access(
        &alone,
        index,
        IndexAction::Search,
        LEAD_FIELDS,
    ))
}

/// Whether `row` leaves every lead field visible, and the lead fields it leaves visible (by the
/// rule that removes the others from every read, [`DocumentAccess::sees_field`]).
fn visible_fields(row: &DocumentAccess) -> (bool, Vec<String>) {
    let fields: Vec<String> = LEAD_FIELDS
        .iter()
        .map(|(path, _)| *path)
        .filter(|path| row.sees_field(path))
        .map(str::to_string)
        .collect();
    (row.sees_every_field(), fields)
}

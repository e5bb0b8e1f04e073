//! `_bulk_create`, `_bulk_get`, `_bulk_update`, `_bulk_delete` and the update (with upsert) of one
//! object (docs/saved-objects.md, "Bulk routes"). Writes reuse the dashboards' own checks
//! (`dashboards::routes::update_one`, `delete_one_in`) and the shared import decision for
//! creates; each runs in one transaction with one audit row per object written or refused; when
//! access control blocks every object the request is a 403 naming them and nothing is written.

use axum::http::StatusCode;
use gatehouse_api::dashboards::SavedObjectRef;
use gatehouse_api::saved_objects::import_access::{
    decide, ImportAccessCase, ImportAccessOutcome, Importer, Placement,
};
use gatehouse_api::saved_objects::{
    all_blocked_denial, messages, single_denial, BulkCreateObject, BulkDeleteResponse, BulkObject,
    BulkObjects, BulkUpdateObject, DeleteStatus, SavedObject, UpdateObjectBody, DASHBOARD_TYPE,
};
use rusqlite::{Connection, Transaction};
use serde_json::json;

use super::objects::{
    bad_request, check_references, content_of, failure, failure_from, forbidden, load_object,
    object_event, unsupported_failure,
};
use crate::authz::{ObjectActor, SavedObjectOp};
use crate::dashboards::routes::{
    delete_one_in, field_error, not_found, parse_version, refusal_error, update_one, WriteRefusal,
};
use crate::dashboards::store::{self, StoredDashboard};
use crate::platform::audit::{self, AuditEvent, Outcome};
use crate::platform::error::{AppError, AppResult};

/// The 403 when access control blocked every object of a bulk request.
fn all_blocked<'a>(
    op: &str,
    results: impl Iterator<Item = (&'a str, bool)> + Clone,
) -> Option<AppError> {
    let mut results = results.peekable();
    results.peek()?;
    let all = results.clone().all(|(_, blocked)| blocked);
    all.then(|| {
        forbidden(all_blocked_denial(
            op,
            DASHBOARD_TYPE,
            results.map(|(id, _)| id),
        ))
    })
}

fn is_access_denial(object: &BulkObject) -> bool {
    object.error().is_some_and(|e| e.status_code == 403)
}

/// A new object's id: the one given, or a fresh one.
fn id_of(object: &BulkCreateObject) -> String {
    object
        .id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// `_bulk_create[?overwrite=true]`: new objects belong to the caller, with the mode each asks
/// for (`accessControl.accessMode`, else `default`); an existing id is a 409 unless overwritten,
/// and an overwrite keeps the object's owner and mode.
pub fn bulk_create(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    objects: Vec<BulkCreateObject>,
    overwrite: bool,
) -> AppResult<(BulkObjects, Vec<AuditEvent>)> {
    let importer = Importer {
        profile_uid: &actor.profile_uid,
        manages_access_control: actor.is_admin,
    };
    let mut results = Vec::with_capacity(objects.len());
    let mut events = Vec::new();
    for (i, object) in objects.into_iter().enumerate() {
        let id = id_of(&object);
        if object.object_type != DASHBOARD_TYPE {
            results.push(BulkObject::Failure(unsupported_failure(
                &id,
                &object.object_type,
            )));
            continue;
        }
        if !store::valid_id(&id) {
            let message = format!(
                "[request body.{i}.id]: an id is 1..{} characters of A-Z, a-z, 0-9, '.', '_', ':' and '-', not starting with '_'",
                store::MAX_ID_CHARS
            );
            results.push(BulkObject::Failure(failure(
                &id,
                DASHBOARD_TYPE,
                StatusCode::BAD_REQUEST,
                message,
            )));
            continue;
        }
        let content = match content_of(&object.attributes)
            .and_then(|c| check_references(&object.references).map(|()| c))
        {
            Ok(content) => content,
            Err(message) => {
                let message = field_error(&format!("{i}."), &message);
                results.push(BulkObject::Failure(failure(
                    &id,
                    DASHBOARD_TYPE,
                    StatusCode::BAD_REQUEST,
                    message,
                )));
                continue;
            }
        };
        let requested_mode = object
            .access_control
            .as_ref()
            .and_then(|a| a.access_mode)
            .unwrap_or_default();
        if object
            .access_control
            .as_ref()
            .is_some_and(|a| a.owner.is_some())
        {
            tracing::info!(
                user = actor.username,
                "ignored a client-supplied owner in a bulk create"
            );
        }
        let existing = store::get(tx, space, &id)?;
        let placement = match &existing {
            Some(existing) => Placement::Existing {
                access: existing.access.as_ref(),
                overwrite,
            },
            None => Placement::NewId,
        };
        let decision = decide(
            ImportAccessCase {
                importer,
                keep_requested: false,
                exported: None,
                placement,
            },
            |_| true,
        );
        match decision {
            ImportAccessOutcome::Conflict => {
                let message = format!("Saved object [{DASHBOARD_TYPE}/{id}] conflict");
                results.push(BulkObject::Failure(failure(
                    &id,
                    DASHBOARD_TYPE,
                    StatusCode::CONFLICT,
                    message,
                )));
            }
            ImportAccessOutcome::Restricted | ImportAccessOutcome::UnknownOwner { .. } => {
                let message = messages::CREATING_OBJECTS_FORBIDDEN;
                let mut event = object_event(
                    actor,
                    space,
                    audit::SAVED_OBJECT_CREATE,
                    Outcome::Failure,
                    &id,
                );
                event.message = message.to_string();
                event.details = json!({ "source": "bulk_create", "overwrite": true });
                events.push(event);
                results.push(BulkObject::Failure(failure(
                    &id,
                    DASHBOARD_TYPE,
                    StatusCode::FORBIDDEN,
                    message,
                )));
            }
            ImportAccessOutcome::Write {
                mut access,
                replaces,
                ..
            } => {
                if replaces {
                    store::overwrite(
                        tx,
                        space,
                        &id,
                        &content,
                        access.as_ref(),
                        &actor.profile_uid,
                    )?;
                } else {
                    if let Some(access) = access.as_mut() {
                        access.access_mode = requested_mode;
                    }
                    let creator = Some(actor.profile_uid.as_str());
                    let dashboard =
                        StoredDashboard::created_now(space, &id, content, access.clone(), creator);
                    store::insert(tx, &dashboard)?;
                }
                store::set_references(tx, space, &id, &object.references)?;
                let mut event = object_event(
                    actor,
                    space,
                    audit::SAVED_OBJECT_CREATE,
                    Outcome::Success,
                    &id,
                );
                event.details = json!({
                    "source": "bulk_create",
                    "overwrite": replaces,
                    "owner": access.as_ref().map(|a| a.owner.as_str()),
                    "access_mode": access.as_ref().map(|a| a.access_mode.as_str()),
                });
                events.push(event);
                results.push(written(tx, space, &id)?);
            }
        }
    }
    bulk_answer("create", results, events)
}

/// A bulk create's or update's answer with its events, or the one 403 naming every object when
/// access control blocked them all (then nothing of it commits).
fn bulk_answer(
    op: &str,
    results: Vec<BulkObject>,
    events: Vec<AuditEvent>,
) -> AppResult<(BulkObjects, Vec<AuditEvent>)> {
    let blocked = results.iter().map(|r| (r.id(), is_access_denial(r)));
    if let Some(refusal) = all_blocked(op, blocked) {
        return Err(refusal);
    }
    let answer = BulkObjects {
        saved_objects: results,
    };
    Ok((answer, events))
}

/// The object as just written.
fn written(conn: &Connection, space: &str, id: &str) -> anyhow::Result<BulkObject> {
    load_object(conn, space, id)?
        .map(|o| BulkObject::Object(Box::new(o)))
        .ok_or_else(|| anyhow::anyhow!("dashboard {id} vanished inside its own transaction"))
}

/// `_bulk_get`: each object, or its 404, in the order asked.
pub fn bulk_get(
    conn: &Connection,
    space: &str,
    refs: &[SavedObjectRef],
) -> anyhow::Result<BulkObjects> {
    let mut results = Vec::with_capacity(refs.len());
    for reference in refs {
        if reference.object_type != DASHBOARD_TYPE {
            results.push(BulkObject::Failure(unsupported_failure(
                &reference.id,
                &reference.object_type,
            )));
            continue;
        }
        results.push(match load_object(conn, space, &reference.id)? {
            Some(object) => BulkObject::Object(Box::new(object)),
            None => {
                let error = not_found(&reference.id);
                BulkObject::Failure(failure(
                    &reference.id,
                    DASHBOARD_TYPE,
                    error.status(),
                    error.message(),
                ))
            }
        });
    }
    Ok(BulkObjects {
        saved_objects: results,
    })
}

/// One partial update (with `references` replaced when given) through the dashboards' own
/// checks: `Err` is the refusal, `Ok(Err)` a problem with what was sent.
fn update_object(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    id: &str,
    update: &UpdateObjectBody,
    field_prefix: &str,
) -> anyhow::Result<Result<Result<(), WriteRefusal>, String>> {
    let Some(current) = load_object(tx, space, id)? else {
        return Ok(Ok(Err(WriteRefusal::NotFound)));
    };
    let attributes = update.attributes.applied_to(&current.attributes);
    let checked = parse_version(update.version.as_deref())
        .and_then(|version| content_of(&attributes).map(|content| (version, content)))
        .and_then(|found| {
            check_references(update.references.as_deref().unwrap_or_default()).map(|()| found)
        });
    let (version, content) = match checked {
        Ok(found) => found,
        Err(message) => return Ok(Err(field_error(field_prefix, &message))),
    };
    let outcome = update_one(tx, actor, space, id, version, &content)?;
    if outcome.is_ok() {
        if let Some(references) = &update.references {
            store::set_references(tx, space, id, references)?;
        }
    }
    Ok(Ok(outcome))
}

fn update_event(actor: &ObjectActor, space: &str, id: &str, refused: Option<&str>) -> AuditEvent {
    let outcome = if refused.is_some() {
        Outcome::Failure
    } else {
        Outcome::Success
    };
    let mut event = object_event(actor, space, audit::SAVED_OBJECT_UPDATE, outcome, id);
    event.message = refused.unwrap_or_default().to_string();
    event
}

/// `_bulk_update`: partial attributes per object, each checked as a single update is.
pub fn bulk_update(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    objects: Vec<BulkUpdateObject>,
) -> AppResult<(BulkObjects, Vec<AuditEvent>)> {
    let mut results = Vec::with_capacity(objects.len());
    let mut events = Vec::new();
    for (i, object) in objects.into_iter().enumerate() {
        if object.object_type != DASHBOARD_TYPE {
            results.push(BulkObject::Failure(unsupported_failure(
                &object.id,
                &object.object_type,
            )));
            continue;
        }
        let update = UpdateObjectBody {
            attributes: object.attributes,
            version: object.version,
            references: object.references,
            upsert: None,
        };
        let result = match update_object(tx, actor, space, &object.id, &update, &format!("{i}."))? {
            Err(message) => BulkObject::Failure(failure(
                &object.id,
                DASHBOARD_TYPE,
                StatusCode::BAD_REQUEST,
                message,
            )),
            Ok(Err(refusal)) => {
                let error =
                    refusal_error(&object.id, refusal, messages::UPDATING_OBJECTS_FORBIDDEN);
                if error.status_code == 403 {
                    events.push(update_event(actor, space, &object.id, Some(&error.message)));
                }
                BulkObject::Failure(failure_from(&object.id, DASHBOARD_TYPE, error))
            }
            Ok(Ok(())) => {
                events.push(update_event(actor, space, &object.id, None));
                written(tx, space, &object.id)?
            }
        };
        results.push(result);
    }
    bulk_answer("update", results, events)
}

/// `_bulk_delete`: one status per object.
pub fn bulk_delete(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    refs: Vec<SavedObjectRef>,
) -> AppResult<(BulkDeleteResponse, Vec<AuditEvent>)> {
    let mut statuses = Vec::with_capacity(refs.len());
    let mut events = Vec::new();
    for reference in refs {
        let error = if reference.object_type != DASHBOARD_TYPE {
            Some(unsupported_failure(&reference.id, &reference.object_type).error)
        } else {
            match delete_one_in(tx, actor, space, &reference.id)? {
                Ok(()) => {
                    events.push(object_event(
                        actor,
                        space,
                        audit::SAVED_OBJECT_DELETE,
                        Outcome::Success,
                        &reference.id,
                    ));
                    None
                }
                Err(refusal) => {
                    let error =
                        refusal_error(&reference.id, refusal, messages::DELETING_OBJECTS_FORBIDDEN);
                    if error.status_code == 403 {
                        let mut event = object_event(
                            actor,
                            space,
                            audit::SAVED_OBJECT_DELETE,
                            Outcome::Failure,
                            &reference.id,
                        );
                        event.message = error.message.clone();
                        events.push(event);
                    }
                    Some(error)
                }
            }
        };
        statuses.push(DeleteStatus {
            id: reference.id,
            object_type: reference.object_type,
            success: error.is_none(),
            error,
        });
    }
    if let Some(refusal) = all_blocked(
        "delete",
        statuses.iter().map(|s| {
            (
                s.id.as_str(),
                s.error.as_ref().is_some_and(|e| e.status_code == 403),
            )
        }),
    ) {
        return Err(refusal);
    }
    Ok((BulkDeleteResponse { statuses }, events))
}

/// `PUT /api/saved_objects/dashboard/{id}`: a partial update; with `upsert`, a missing object is
/// created from it, owned by the caller with mode `default` (which needs `create` too).
pub fn update_or_upsert(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    id: &str,
    body: &UpdateObjectBody,
) -> AppResult<(SavedObject, Vec<AuditEvent>)> {
    if let (false, Some(upsert)) = (store::exists(tx, space, id)?, &body.upsert) {
        actor.require(SavedObjectOp::Create).map_err(forbidden)?;
        let attributes = body.attributes.applied_to(upsert);
        let content = content_of(&attributes)
            .and_then(|c| {
                check_references(body.references.as_deref().unwrap_or_default()).map(|()| c)
            })
            .map_err(|m| bad_request(field_error("", &m)))?;
        let create = BulkCreateObject {
            object_type: DASHBOARD_TYPE.to_string(),
            id: Some(id.to_string()),
            attributes: gatehouse_api::saved_objects::DashboardAttributes::new(
                &content.title,
                &content.description,
                &content.panels,
            ),
            references: body.references.clone().unwrap_or_default(),
            access_control: None,
            version: None,
        };
        let (mut created, events) = bulk_create(tx, actor, space, vec![create], false)?;
        return match created.saved_objects.pop() {
            Some(BulkObject::Object(object)) => Ok((*object, events)),
            Some(BulkObject::Failure(f)) => Err(AppError::boom(
                StatusCode::from_u16(f.error.status_code).unwrap_or(StatusCode::BAD_REQUEST),
                f.error.message,
            )),
            None => Err(anyhow::anyhow!("an upsert wrote nothing").into()),
        };
    }
    match update_object(tx, actor, space, id, body, "")? {
        Err(message) => Err(bad_request(message)),
        Ok(Err(refusal)) => {
            let error = refusal.into_error(id, single_denial("update", DASHBOARD_TYPE, id));
            Err(error)
        }
        Ok(Ok(())) => {
            let object = load_object(tx, space, id)?.ok_or_else(|| {
                anyhow::anyhow!("dashboard {id} vanished inside its own transaction")
            })?;
            Ok((object, vec![update_event(actor, space, id, None)]))
        }
    }
}

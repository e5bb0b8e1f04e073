//! `_import` and `_resolve_import_errors` (docs/saved-objects.md, "Import"): one file, one
//! transaction. Each object of the file is checked (type, id, attributes, references), then
//! placed (a new id, a new copy, or over an existing object) by the shared decision
//! [`gatehouse_api::saved_objects::import_access::decide`], and written or given its error.
//! Objects that pass are written together with one audit row each; when every object is blocked
//! by access control the whole import is a 403 naming them, and nothing is written.

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use gatehouse_api::dashboards::{AccessControl, SavedObjectRef};
use gatehouse_api::saved_objects::import_access::{
    decide, keeps_access_control, ImportAccessCase, ImportAccessOutcome, Importer, Placement,
};
use gatehouse_api::saved_objects::ndjson::{ImportFile, ImportLine};
use gatehouse_api::saved_objects::{
    all_blocked_denial, messages, AccessControlReset, DashboardAttributes, ImportError,
    ImportErrorKind, ImportMeta, ImportOptions, ImportResponse, ImportRetry, ImportSuccess,
    Reference, ReplaceReference, DASHBOARD_TYPE,
};
use rusqlite::Transaction;
use serde_json::json;

use super::objects::{self, check_references, content_of, forbidden, object_event};
use crate::admin::user_store as users;
use crate::authz::ObjectActor;
use crate::dashboards::store::{self, StoredDashboard};
use crate::platform::audit::{self, AuditEvent, Outcome};
use crate::platform::error::AppResult;

/// What is imported: the whole file with the import's options, or the retried objects only.
pub enum ImportScope {
    Import(ImportOptions),
    Resolve {
        create_new_copies: bool,
        keep_access_control: bool,
        retries: Vec<ImportRetry>,
    },
}

impl ImportScope {
    fn keep_requested(&self) -> bool {
        match self {
            ImportScope::Import(options) => options.keep_access_control,
            ImportScope::Resolve {
                keep_access_control,
                ..
            } => *keep_access_control,
        }
    }
}

/// One object of the file and how to import it.
struct Attempt<'a> {
    line: &'a ImportLine,
    destination: String,
    overwrite: bool,
    new_copy: bool,
    ignore_missing_references: bool,
    replace_references: &'a [ReplaceReference],
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The objects of the file to import, in file order, with where each goes.
fn attempts<'a>(file: &'a ImportFile, scope: &'a ImportScope) -> Vec<Attempt<'a>> {
    match scope {
        ImportScope::Import(options) => file
            .objects
            .iter()
            .map(|line| Attempt {
                line,
                destination: if options.create_new_copies {
                    new_id()
                } else {
                    line.object.id.clone()
                },
                overwrite: options.overwrite,
                new_copy: options.create_new_copies,
                ignore_missing_references: false,
                replace_references: &[],
            })
            .collect(),
        ImportScope::Resolve {
            create_new_copies,
            retries,
            ..
        } => {
            let by_object: HashMap<(&str, &str), &ImportRetry> = retries
                .iter()
                .map(|r| ((r.object_type.as_str(), r.id.as_str()), r))
                .collect();
            file.objects
                .iter()
                .filter_map(|line| {
                    let retry = by_object
                        .get(&(line.object.object_type.as_str(), line.object.id.as_str()))?;
                    let copy = retry.create_new_copy.unwrap_or(*create_new_copies);
                    let destination = match (&retry.destination_id, copy) {
                        (Some(destination), _) => destination.clone(),
                        (None, true) => new_id(),
                        (None, false) => line.object.id.clone(),
                    };
                    Some(Attempt {
                        line,
                        new_copy: destination != line.object.id,
                        destination,
                        overwrite: retry.overwrite,
                        ignore_missing_references: retry.ignore_missing_references,
                        replace_references: &retry.replace_references,
                    })
                })
                .collect()
        }
    }
}

/// What one attempt came to.
enum AttemptOutcome {
    Written(Box<(ImportSuccess, Option<AccessControlReset>, AuditEvent)>),
    Failed(ImportErrorKind, Option<Box<AuditEvent>>),
}

/// Runs an import inside `tx`: the answer and the audit events of what it wrote and refused, or
/// the 403 when access control blocked every object.
pub fn run_import(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    file: &ImportFile,
    scope: &ImportScope,
) -> AppResult<(ImportResponse, Vec<AuditEvent>)> {
    let attempts = attempts(file, scope);
    // Where each object of the file lands: references between them follow them to new ids.
    let destinations: HashMap<(String, String), String> = attempts
        .iter()
        .map(|a| {
            (
                (a.line.object.object_type.clone(), a.line.object.id.clone()),
                a.destination.clone(),
            )
        })
        .collect();
    let in_file: HashSet<(String, String)> = file
        .objects
        .iter()
        .map(|l| (l.object.object_type.clone(), l.object.id.clone()))
        .collect();
    let importer = Importer {
        profile_uid: &actor.profile_uid,
        manages_access_control: actor.is_admin,
    };
    let keep_requested = scope.keep_requested();
    let mut response = ImportResponse::default();
    let mut events = Vec::new();
    let mut blocked = Vec::new();
    for attempt in &attempts {
        let outcome = import_one(
            tx,
            actor,
            space,
            importer,
            keep_requested,
            attempt,
            &destinations,
            &in_file,
        )?;
        let meta = ImportMeta {
            title: attempt.line.title(),
            icon: None,
        };
        match outcome {
            AttemptOutcome::Written(written) => {
                let (success, reset, event) = *written;
                response.success_results.push(success);
                response.access_control_reset.extend(reset);
                events.push(event);
            }
            AttemptOutcome::Failed(error, event) => {
                if error.is_access_control_denial() {
                    blocked.push(attempt.line.object.id.as_str());
                }
                events.extend(event.map(|e| *e));
                response.errors.push(ImportError {
                    object_type: attempt.line.object.object_type.clone(),
                    id: attempt.line.object.id.clone(),
                    title: Some(meta.title.clone()),
                    meta,
                    overwrite: attempt.overwrite.then_some(true),
                    error,
                });
            }
        }
    }
    if !attempts.is_empty() && blocked.len() == attempts.len() {
        return Err(forbidden(all_blocked_denial(
            "create",
            DASHBOARD_TYPE,
            blocked,
        )));
    }
    response.success_count = response.success_results.len() as u64;
    response.success = response.errors.is_empty();
    Ok((response, events))
}

fn unknown(status: StatusCode, message: impl Into<String>) -> ImportErrorKind {
    ImportErrorKind::Unknown {
        message: message.into(),
        status_code: status.as_u16(),
    }
}

/// The references an object will have here: replaced as a retry asks, and pointing at the new
/// ids of objects of the same file.
fn references_here(
    references: &[Reference],
    replace: &[ReplaceReference],
    destinations: &HashMap<(String, String), String>,
) -> Vec<Reference> {
    references
        .iter()
        .map(|reference| {
            let mut reference = reference.clone();
            if let Some(r) = replace
                .iter()
                .find(|r| r.object_type == reference.object_type && r.from == reference.id)
            {
                reference.id = r.to.clone();
            } else if let Some(destination) =
                destinations.get(&(reference.object_type.clone(), reference.id.clone()))
            {
                reference.id = destination.clone();
            }
            reference
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn import_one(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    importer: Importer<'_>,
    keep_requested: bool,
    attempt: &Attempt<'_>,
    destinations: &HashMap<(String, String), String>,
    in_file: &HashSet<(String, String)>,
) -> anyhow::Result<AttemptOutcome> {
    let object = &attempt.line.object;
    if object.object_type != DASHBOARD_TYPE {
        let error = if object.access_control.is_some() {
            ImportErrorKind::UnexpectedAccessControlMetadata
        } else {
            ImportErrorKind::UnsupportedType
        };
        return Ok(AttemptOutcome::Failed(error, None));
    }
    if !store::valid_id(&attempt.destination) {
        return Ok(AttemptOutcome::Failed(
            unknown(
                StatusCode::BAD_REQUEST,
                format!(
                    "id: an id is 1..{} characters of A-Z, a-z, 0-9, '.', '_', ':' and '-', not starting with '_'",
                    store::MAX_ID_CHARS
                ),
            ),
            None,
        ));
    }
    let checked = serde_json::from_value::<DashboardAttributes>(object.attributes.clone())
        .map_err(|e| format!("attributes: {e}"))
        .and_then(|attributes| content_of(&attributes))
        .and_then(|content| check_references(&object.references).map(|()| content));
    let content = match checked {
        Ok(content) => content,
        Err(message) => {
            return Ok(AttemptOutcome::Failed(
                unknown(StatusCode::BAD_REQUEST, message),
                None,
            ))
        }
    };
    let references = references_here(&object.references, attempt.replace_references, destinations);
    if !attempt.ignore_missing_references {
        let mut missing = Vec::new();
        for (original, here) in object.references.iter().zip(&references) {
            let from_file = in_file.contains(&(original.object_type.clone(), original.id.clone()));
            let in_space =
                here.object_type == DASHBOARD_TYPE && store::exists(tx, space, &here.id)?;
            if !from_file && !in_space {
                missing.push(SavedObjectRef {
                    object_type: here.object_type.clone(),
                    id: here.id.clone(),
                });
            }
        }
        if !missing.is_empty() {
            return Ok(AttemptOutcome::Failed(
                ImportErrorKind::MissingReferences {
                    references: missing,
                },
                None,
            ));
        }
    }
    let existing = store::get(tx, space, &attempt.destination)?;
    let placement = match &existing {
        Some(existing) => Placement::Existing {
            access: existing.access.as_ref(),
            overwrite: attempt.overwrite,
        },
        None if attempt.new_copy => Placement::NewCopy,
        None => Placement::NewId,
    };
    let exported = object.access_control.as_ref();
    // Asked only when the file's owner would be kept, so nobody else learns which uids exist.
    let owner_known = match exported {
        Some(exported) if keeps_access_control(importer, keep_requested) => {
            users::get_user_by_profile_uid(tx, &exported.owner)?.is_some()
        }
        _ => true,
    };
    let decision = decide(
        ImportAccessCase {
            importer,
            keep_requested,
            exported,
            placement,
        },
        |_| owner_known,
    );
    let id_here = attempt.destination.as_str();
    let refused = |message: &str| {
        let mut event = object_event(
            actor,
            space,
            audit::SAVED_OBJECT_CREATE,
            Outcome::Failure,
            id_here,
        );
        event.message = message.to_string();
        event.details = json!({ "source": "import", "source_id": object.id });
        Some(Box::new(event))
    };
    let (access, replaces, reset) = match decision {
        ImportAccessOutcome::Conflict => {
            return Ok(AttemptOutcome::Failed(
                ImportErrorKind::Conflict {
                    destination_id: (id_here != object.id).then(|| id_here.to_string()),
                },
                None,
            ))
        }
        ImportAccessOutcome::Restricted => {
            let message = messages::CREATING_OBJECTS_FORBIDDEN;
            return Ok(AttemptOutcome::Failed(
                unknown(StatusCode::FORBIDDEN, message),
                refused(message),
            ));
        }
        ImportAccessOutcome::UnknownOwner { owner } => {
            let message = format!(
                "No user here has the profile ID \"{owner}\" that the file gives as the owner: create that user first, or import without keeping owner and permissions."
            );
            let event = refused(&message);
            return Ok(AttemptOutcome::Failed(
                ImportErrorKind::UnknownOwner { owner, message },
                event,
            ));
        }
        ImportAccessOutcome::Write {
            access,
            replaces,
            reset,
        } => (access, replaces, reset),
    };
    if replaces {
        store::overwrite(
            tx,
            space,
            id_here,
            &content,
            access.as_ref(),
            &actor.profile_uid,
        )?;
    } else {
        let creator = Some(actor.profile_uid.as_str());
        let dashboard =
            StoredDashboard::created_now(space, id_here, content, access.clone(), creator);
        store::insert(tx, &dashboard)?;
    }
    store::set_references(tx, space, id_here, &references)?;
    let title = attempt.line.title();
    let reset = match (reset, exported) {
        (Some(reason), Some(previous)) => Some(reset_entry(
            id_here,
            &title,
            previous,
            access.as_ref(),
            reason,
        )),
        _ => None,
    };
    let mut event = object_event(
        actor,
        space,
        audit::SAVED_OBJECT_CREATE,
        Outcome::Success,
        id_here,
    );
    event.details = json!({
        "source": "import",
        "source_id": object.id,
        "overwrite": replaces,
        "owner": access.as_ref().map(|a| a.owner.as_str()),
        "access_mode": access.as_ref().map(|a| a.access_mode.as_str()),
        "access_control_reset": reset.as_ref().map(|r| r.reason),
    });
    let success = ImportSuccess {
        object_type: DASHBOARD_TYPE.to_string(),
        id: object.id.clone(),
        destination_id: (id_here != object.id).then(|| id_here.to_string()),
        overwrite: replaces.then_some(true),
        create_new_copy: attempt.new_copy.then_some(true),
        meta: ImportMeta { title, icon: None },
    };
    Ok(AttemptOutcome::Written(Box::new((success, reset, event))))
}

fn reset_entry(
    id: &str,
    title: &str,
    previous: &AccessControl,
    now: Option<&AccessControl>,
    reason: gatehouse_api::saved_objects::ResetReason,
) -> AccessControlReset {
    AccessControlReset {
        object_type: DASHBOARD_TYPE.to_string(),
        id: id.to_string(),
        title: title.to_string(),
        previous_owner: previous.owner.clone(),
        previous_access_mode: previous.access_mode,
        owner: now.map(|a| a.owner.clone()),
        access_mode: now.map(|a| a.access_mode).unwrap_or_default(),
        reason,
        message: reason.sentence().to_string(),
    }
}

/// The event recorded when the whole import is refused.
pub fn import_event(actor: &ObjectActor, space: &str, file: &ImportFile) -> AuditEvent {
    objects::request_event(
        actor,
        space,
        audit::SAVED_OBJECT_CREATE,
        file.objects.iter().map(|l| l.object.id.as_str()),
    )
}

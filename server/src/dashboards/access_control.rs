//! `/internal/access_control/*` (docs/dashboards-access-control.md, "Changing mode or owner"):
//! changing the access mode or the owner of dashboards, all or nothing, audited.
//!
//! Authorization comes first: a caller who may manage no dashboard in the space is refused (and
//! audited) before the body is parsed; the new owner is looked up only once the caller is known
//! to manage every object, so nobody else learns which uids exist or which users are deactivated.

use std::sync::Arc;

use axum::extract::State;
use axum::{Extension, Json};
use gatehouse_api::dashboards::{
    AccessControl, AccessControlObjects, AccessControlResult, ChangeAccessModeRequest,
    ChangeOwnerRequest, DashboardAccessMode, GlobalAccess, IsEnabled, SavedObjectRef,
    DASHBOARD_TYPE,
};
use gatehouse_api::security::{is_valid_profile_uid, INVALID_PROFILE_UID};
use rusqlite::{Connection, Transaction};
use serde_json::{json, Value};

use super::routes::{
    actor, bad_request, check_objects, forbidden, load, object_result, unsupported_type,
};
use super::store;
use crate::admin::user_store as users;
use crate::authz::{ObjectActor, SavedObjectOp};
use crate::platform::audit::{self, AuditEvent, Outcome};
use crate::platform::db;
use crate::platform::error::{AppError, AppResult};
use crate::platform::kibana::{Space, UnparsedJson};
use crate::platform::session::Principal;
use crate::AppState;

/// What an access-control request changes.
#[derive(Debug, Clone)]
enum Change {
    Mode(DashboardAccessMode),
    Owner(String),
}

/// Which of the two changes a route makes, known before its body is read.
#[derive(Debug, Clone, Copy)]
enum ChangeKind {
    Mode,
    Owner,
}

impl ChangeKind {
    fn audit_action(self) -> &'static str {
        match self {
            ChangeKind::Mode => audit::UPDATE_OBJECTS_ACCESS_MODE,
            ChangeKind::Owner => audit::UPDATE_OBJECTS_OWNER,
        }
    }

    /// What a refusal says may not be changed.
    fn what(self) -> &'static str {
        match self {
            ChangeKind::Mode => "access mode",
            ChangeKind::Owner => "owner",
        }
    }
}

impl Change {
    fn kind(&self) -> ChangeKind {
        match self {
            Change::Mode(_) => ChangeKind::Mode,
            Change::Owner(_) => ChangeKind::Owner,
        }
    }

    fn details(&self) -> Value {
        match self {
            Change::Mode(mode) => json!({ "access_mode": mode.as_str() }),
            Change::Owner(uid) => json!({ "new_owner": uid }),
        }
    }

    /// The access control an object gets. An object without one is given the caller as owner.
    fn apply(&self, current: Option<&AccessControl>, caller: &str) -> AccessControl {
        match self {
            Change::Mode(mode) => AccessControl {
                owner: current.map_or(caller, |c| c.owner.as_str()).to_string(),
                access_mode: *mode,
            },
            Change::Owner(uid) => AccessControl {
                owner: uid.clone(),
                access_mode: current.map(|c| c.access_mode).unwrap_or_default(),
            },
        }
    }
}

/// The new owner's uid is well formed: checked once the caller may manage dashboards, before
/// any object is read.
fn check_new_owner_uid(uid: &str) -> AppResult<()> {
    if is_valid_profile_uid(uid) {
        Ok(())
    } else {
        Err(bad_request(INVALID_PROFILE_UID))
    }
}

/// The new owner must be an enabled user who can at least read dashboards in this space. Asked
/// only once the caller is known to manage every object, so nobody else learns which uids exist
/// or which users are deactivated (docs/dashboards-access-control.md).
fn check_new_owner(conn: &Connection, space: &str, uid: &str) -> AppResult<()> {
    let Some(user) = users::get_user_by_profile_uid(conn, uid)? else {
        return Err(bad_request(format!(
            "Cannot transfer ownership: no user has the profile ID \"{uid}\"."
        )));
    };
    if !user.enabled {
        return Err(bad_request(format!(
            "Cannot transfer ownership: user \"{}\" is deactivated.",
            user.username
        )));
    }
    let subject = users::subject_of(conn, &user)?;
    if !ObjectActor::new(&subject, space, DASHBOARD_TYPE, uid).allows(SavedObjectOp::Get) {
        return Err(bad_request(format!(
            "Cannot transfer ownership: user \"{}\" cannot open dashboards in this space.",
            user.username
        )));
    }
    Ok(())
}

/// Kibana's denial of a mode or owner change (docs/dashboards-access-control.md): `Access denied:
/// Unable to manage access control for objects <which>. …`.
fn manage_denial(which: &str, kind: ChangeKind) -> AppError {
    forbidden(format!(
        "Access denied: Unable to manage access control for objects {which}. Only their owner or a user with the \"manage_access_control\" privilege can change their {}.",
        kind.what()
    ))
}

/// The refusal of a caller who can manage no dashboard in this space at all (the body, and so
/// which objects, is not read).
fn cannot_manage(kind: ChangeKind) -> AppError {
    manage_denial(&format!("of type {DASHBOARD_TYPE}"), kind)
}

/// The event of an access-control change by `actor`, before its outcome is known.
fn access_event(actor: &ObjectActor, space: &Space, kind: ChangeKind) -> AuditEvent {
    AuditEvent {
        ts_ms: db::now_millis(),
        action: kind.audit_action(),
        outcome: Outcome::Failure,
        username: actor.username.clone(),
        effective_user: None,
        profile_uid: Some(actor.profile_uid.clone()),
        space: space.id().to_string(),
        object_type: DASHBOARD_TYPE.to_string(),
        object_ids: Vec::new(),
        details: json!({}),
        message: String::new(),
    }
}

/// A caller who may manage no dashboard in this space is refused before the body is parsed.
/// The refusal is still audited, with what is known without reading the body: who, which
/// action, where (no object ids, no new owner).
async fn require_some_management(
    state: &AppState,
    actor: &ObjectActor,
    space: &Space,
    kind: ChangeKind,
) -> AppResult<()> {
    if actor.may_manage_some() {
        return Ok(());
    }
    let event = access_event(actor, space, kind);
    state
        .write_audited(event, move |_, _| Err::<(), _>(cannot_manage(kind)))
        .await
}

/// All or nothing: every object must exist and be managed by the caller, or nothing changes.
/// In that order, once [`require_some_management`] has let the caller through: is the body well
/// formed (400), do the objects exist (404) and does the caller manage each (403), and only then
/// is the new owner looked up (400).
fn change_access_control_in(
    tx: &Transaction<'_>,
    actor: &ObjectActor,
    space: &str,
    objects: &[SavedObjectRef],
    change: &Change,
    event: &mut AuditEvent,
) -> AppResult<AccessControlResult> {
    check_objects(objects.iter().map(|o| o.id.as_str()))?;
    if let Some(other) = objects.iter().find(|o| o.object_type != DASHBOARD_TYPE) {
        return Err(bad_request(unsupported_type(&other.object_type)));
    }
    if let Change::Owner(uid) = change {
        check_new_owner_uid(uid)?;
    }
    let mut found = Vec::with_capacity(objects.len());
    for object in objects {
        found.push(load(tx, space, &object.id)?);
    }
    let denied: Vec<String> = found
        .iter()
        .filter(|d| !actor.may_manage(d.owner(), d.mode()))
        .map(|d| format!("{DASHBOARD_TYPE}:{}", d.id))
        .collect();
    if !denied.is_empty() {
        return Err(manage_denial(&denied.join(", "), change.kind()));
    }
    if let Change::Owner(uid) = change {
        check_new_owner(tx, space, uid)?;
    }
    let mut previous = Vec::with_capacity(found.len());
    for dashboard in &found {
        let next = change.apply(dashboard.access.as_ref(), &actor.profile_uid);
        store::set_access(tx, space, &dashboard.id, &next, &actor.profile_uid)?;
        previous.push(json!({
            "id": dashboard.id,
            "owner": dashboard.owner(),
            "access_mode": dashboard.access.as_ref().map(|a| a.access_mode.as_str()),
        }));
    }
    event.details["previous"] = Value::Array(previous);
    Ok(AccessControlResult {
        result: AccessControlObjects {
            objects: objects
                .iter()
                .map(|o| object_result(&o.id, &o.object_type, None))
                .collect(),
        },
    })
}

async fn change_access_control(
    state: AppState,
    actor: ObjectActor,
    space: Space,
    objects: Vec<SavedObjectRef>,
    change: Change,
) -> AppResult<Json<AccessControlResult>> {
    let event = AuditEvent {
        object_ids: objects.iter().map(|o| o.id.clone()).collect(),
        details: change.details(),
        ..access_event(&actor, &space, change.kind())
    };
    let result = state
        .write_audited(event, move |tx, event| {
            change_access_control_in(tx, &actor, space.id(), &objects, &change, event)
        })
        .await?;
    Ok(Json(result))
}

pub(super) async fn change_access_mode(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    body: UnparsedJson<ChangeAccessModeRequest>,
) -> AppResult<Json<AccessControlResult>> {
    let actor = actor(&principal, &space);
    require_some_management(&state, &actor, &space, ChangeKind::Mode).await?;
    let body = body.parse()?;
    let change = Change::Mode(body.access_mode);
    change_access_control(state, actor, space, body.objects, change).await
}

pub(super) async fn change_owner(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    body: UnparsedJson<ChangeOwnerRequest>,
) -> AppResult<Json<AccessControlResult>> {
    let actor = actor(&principal, &space);
    require_some_management(&state, &actor, &space, ChangeKind::Owner).await?;
    let body = body.parse()?;
    let change = Change::Owner(body.new_owner_profile_uid);
    change_access_control(state, actor, space, body.objects, change).await
}

pub(super) async fn global_access(
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
) -> Json<GlobalAccess> {
    Json(GlobalAccess {
        is_globally_authorized: actor(&principal, &space).is_admin,
    })
}

pub(super) async fn is_enabled(_principal: Arc<Principal>) -> Json<IsEnabled> {
    Json(IsEnabled {
        is_access_control_enabled: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_apply_to_owned_and_ownerless_objects() {
        let owned = AccessControl {
            owner: "u_alice_0".into(),
            access_mode: DashboardAccessMode::WriteRestricted,
        };
        let mode = Change::Mode(DashboardAccessMode::Default);
        assert_eq!(mode.apply(Some(&owned), "u_elastic_0").owner, "u_alice_0");
        assert_eq!(mode.apply(None, "u_bob_0").owner, "u_bob_0");
        let owner = Change::Owner("u_bob_0".into());
        let moved = owner.apply(Some(&owned), "u_alice_0");
        assert_eq!(
            (moved.owner.as_str(), moved.access_mode),
            ("u_bob_0", DashboardAccessMode::WriteRestricted)
        );
        assert_eq!(
            owner.apply(None, "u_alice_0").access_mode,
            DashboardAccessMode::Default
        );
    }
}

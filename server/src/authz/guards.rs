//! Route guards and the saved-object access-control checks.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use gatehouse_api::dashboards::{access_permissions, DashboardAccessMode};

use super::*;
use crate::platform::error::{AppError, AppResult};
use crate::platform::kibana::{method_and_path, Space, DEFAULT_SPACE};
use crate::platform::session::Principal;
use crate::AppState;

// ---------------------------------------------------------------------------------------------
// Route guards
// ---------------------------------------------------------------------------------------------

/// What a route needs from Kibana privileges, and the privilege name its denial message cites.
#[derive(Debug, Clone, Copy)]
pub struct RouteGuard {
    pub api_tags: &'static [&'static str],
    pub cited: &'static str,
}

/// Every leads route requires both Security Solution API tags.
pub const LEADS_GUARD: RouteGuard = RouteGuard {
    api_tags: &[SECURITY_SOLUTION_API, ENTITY_ANALYTICS_API],
    cited: ENTITY_ANALYTICS_API,
};

/// The Dev Tools console proxy: the `console` API tag of the `dev_tools` feature.
pub const CONSOLE_GUARD: RouteGuard = RouteGuard {
    api_tags: &["console"],
    cited: "console",
};

/// `user_profile/_bulk_get` and `_suggest`: the tag Kibana's dashboard and case features grant.
pub const USER_PROFILES_GUARD: RouteGuard = RouteGuard {
    api_tags: &["bulkGetUserProfiles"],
    cited: "bulkGetUserProfiles",
};

/// A Kibana privilege a route needs, named by a zero-sized marker type, so that a handler's
/// signature says what it requires: `Guarded<LeadsApi>`.
pub trait RequiredPrivilege: Send + Sync + 'static {
    /// Checked in order; the first one the caller lacks is the one the 403 cites.
    const GUARDS: &'static [RouteGuard];

    /// The route's error shape for a refusal (401 or 403); Boom unless the route answers
    /// in another shape.
    fn shape(error: AppError) -> AppError {
        error
    }
}

/// The leads routes.
pub struct LeadsApi;

impl RequiredPrivilege for LeadsApi {
    const GUARDS: &'static [RouteGuard] = &[LEADS_GUARD];
}

/// The Dev Tools console proxy.
pub struct DevToolsConsole;

impl RequiredPrivilege for DevToolsConsole {
    const GUARDS: &'static [RouteGuard] = &[CONSOLE_GUARD];
}

/// The user-profile lookups.
pub struct UserProfiles;

impl RequiredPrivilege for UserProfiles {
    const GUARDS: &'static [RouteGuard] = &[USER_PROFILES_GUARD];
}

/// The one route guard: a signed-in caller (else 401) who holds the privilege `P` in the
/// request's space (else Kibana's Boom 403 naming the route). As an extractor it is the
/// handler's first argument, so nobody unauthorized gets as far as the body being read.
pub struct Guarded<P> {
    pub principal: Arc<Principal>,
    pub space: Space,
    method: String,
    path_and_query: String,
    privilege: PhantomData<fn() -> P>,
}

impl<P: RequiredPrivilege> FromRequestParts<AppState> for Guarded<P> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let principal = Arc::<Principal>::from_request_parts(parts, state)
            .await
            .map_err(P::shape)?;
        let space = parts
            .extensions
            .get::<Space>()
            .cloned()
            .unwrap_or_else(|| Space(DEFAULT_SPACE.to_string()));
        let (method, path_and_query) = method_and_path(&parts.method, &parts.uri);
        let guarded = Self {
            principal,
            space,
            method,
            path_and_query,
            privilege: PhantomData,
        };
        guarded.require::<P>()?;
        Ok(guarded)
    }
}

impl<P> Guarded<P> {
    /// Whether the caller also holds `Q`, for a route that answers a holder differently.
    pub fn holds<Q: RequiredPrivilege>(&self) -> bool {
        self.require::<Q>().is_ok()
    }

    /// `Ok`, or the 403 of a route that needed `Q` too.
    pub fn require<Q: RequiredPrivilege>(&self) -> AppResult<()> {
        Q::GUARDS.iter().try_for_each(|guard| {
            check_route(
                &self.principal.subject,
                self.space.id(),
                *guard,
                &self.method,
                &self.path_and_query,
            )
            .map_err(|message| Q::shape(AppError::boom(StatusCode::FORBIDDEN, message)))
        })
    }
}

/// May enter the space (`login:` on `space:<id>`): a member, whose profile other members see.
pub fn is_space_member(subject: &Subject, space: &str) -> bool {
    check_kibana_actions(subject, space, &[LOGIN_ACTION]).allowed()
}

/// `Ok` or Kibana's Boom 403 message for `method path_and_query`.
pub fn check_route(
    subject: &Subject,
    space: &str,
    guard: RouteGuard,
    method: &str,
    path_and_query: &str,
) -> Result<(), String> {
    let actions: Vec<String> = guard.api_tags.iter().map(|t| api_action(t)).collect();
    let refs: Vec<&str> = actions.iter().map(String::as_str).collect();
    if check_kibana_actions(subject, space, &refs).allowed() {
        Ok(())
    } else {
        Err(format!(
            "API [{} {}] is unauthorized for user, this action is granted by the Kibana privileges [{}]",
            method.to_ascii_uppercase(),
            path_and_query,
            guard.cited
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Saved objects with access control (docs/dashboards-access-control.md)
// ---------------------------------------------------------------------------------------------

/// Saved-object operations a route performs, as the `saved_object:<type>/<op>` actions name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedObjectOp {
    Get,
    BulkGet,
    Find,
    Create,
    BulkCreate,
    Update,
    BulkUpdate,
    Delete,
    BulkDelete,
}

impl SavedObjectOp {
    pub fn name(self) -> &'static str {
        match self {
            SavedObjectOp::Get => "get",
            SavedObjectOp::BulkGet => "bulk_get",
            SavedObjectOp::Find => "find",
            SavedObjectOp::Create => "create",
            SavedObjectOp::BulkCreate => "bulk_create",
            SavedObjectOp::Update => "update",
            SavedObjectOp::BulkUpdate => "bulk_update",
            SavedObjectOp::Delete => "delete",
            SavedObjectOp::BulkDelete => "bulk_delete",
        }
    }

    /// Kibana's denial of the whole operation: `Unable to update dashboard`.
    pub fn denied_message(self, object_type: &str) -> String {
        format!("Unable to {} {object_type}", self.name())
    }
}

/// One subject acting on the saved objects of one type in one space: the type privileges,
/// resolved once, and the ownership rule of `gatehouse_api::dashboards::access_permissions`.
#[derive(Debug, Clone)]
pub struct ObjectActor {
    pub username: String,
    pub profile_uid: String,
    pub object_type: String,
    grants: KibanaGrants,
    /// `manage_access_control`: `all` on the space (base `all`/`space_all`, or superuser).
    pub is_admin: bool,
}

impl ObjectActor {
    pub fn new(subject: &Subject, space: &str, object_type: &str, profile_uid: &str) -> Self {
        let grants = kibana_grants(subject, space);
        let is_admin = grants.allows(&saved_object_action(object_type, MANAGE_ACCESS_CONTROL));
        Self {
            username: subject.username.clone(),
            profile_uid: profile_uid.to_string(),
            object_type: object_type.to_string(),
            grants,
            is_admin,
        }
    }

    /// The type privilege behind `op` (`saved_object:dashboard/update`, …).
    pub fn allows(&self, op: SavedObjectOp) -> bool {
        self.grants
            .allows(&saved_object_action(&self.object_type, op.name()))
    }

    /// `Ok` or Kibana's Boom 403 message for an operation on the type.
    pub fn require(&self, op: SavedObjectOp) -> Result<(), String> {
        if self.allows(op) {
            Ok(())
        } else {
            Err(op.denied_message(&self.object_type))
        }
    }

    fn permissions(
        &self,
        owner: Option<&str>,
        mode: DashboardAccessMode,
    ) -> gatehouse_api::dashboards::SharePermissions {
        access_permissions(Some(&self.profile_uid), self.is_admin, owner, mode)
    }

    /// May update, overwrite or delete one object (the type privilege is checked separately):
    /// a `write_restricted` object only for its owner or an admin.
    pub fn may_write(&self, owner: Option<&str>, mode: DashboardAccessMode) -> bool {
        self.permissions(owner, mode).can_edit
    }

    /// May change the access mode or the owner of one object: its owner with `update` on the
    /// type, or an admin, whatever the mode.
    pub fn may_manage(&self, owner: Option<&str>, mode: DashboardAccessMode) -> bool {
        self.may_manage_some() && (self.is_admin || self.permissions(owner, mode).can_change_mode)
    }

    /// Whether [`Self::may_manage`] can hold for any object at all: asked before a request's
    /// body is looked at, so a caller who can manage nothing is refused before any work.
    pub fn may_manage_some(&self) -> bool {
        self.is_admin || self.allows(SavedObjectOp::Update)
    }
}

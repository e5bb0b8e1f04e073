//! Write-restricted dashboards (docs/dashboards-access-control.md): wire types of `/api/dashboards`, the access-control
//! routes and the user-profile lookups, plus the pure "who may do what" decisions the SPA shows.
//!
//! Shapes, as our server sends them (Kibana's are the same where the contract names them):
//!
//! - `Dashboard`: `{"id","data":{"title","description","panels":[Panel],"access_control":{"access_mode","owner"?}},
//!   "meta":{"owner","created_by","updated_by","created_at","updated_at","version"}}`. The owner may sit at
//!   `meta.owner` or `data.access_control.owner`: read it with [`Dashboard::owner`].
//! - `DashboardList` (`GET /api/dashboards?search=&page=&perPage=`):
//!   `{"dashboards":[Dashboard],"total":N,"page":1,"perPage":20}` (`items` is accepted for `dashboards`).
//! - Create `POST /api/dashboards` [`CreateDashboard`] `{"data":{..}}`; update `PUT /api/dashboards/{id}`
//!   [`UpdateDashboard`] `{"data":{..},"version":"3"}` (a stale `version` → 409 [`messages::VERSION_CONFLICT`]).
//!   Both answer a [`Dashboard`]. The server ignores any owner in the body: the creator owns the dashboard,
//!   and mode/owner change only through the access-control routes.
//! - Bulk `POST /api/dashboards/_bulk_update` [`BulkUpdateRequest`] `{"objects":[{"id","data","version"?}]}`
//!   and `POST /api/dashboards/_bulk_delete` [`BulkDeleteRequest`] `{"objects":[{"type":"dashboard","id"}]}`
//!   answer [`BulkResult`] `{"objects":[ObjectResult]}` (all blocked → 403).
//! - Access control: [`ChangeAccessModeRequest`], [`ChangeOwnerRequest`] → [`AccessControlResult`]
//!   `{"result":{"objects":[{"id","type","error"?:{"statusCode","error","message"}}]}}`.

use serde::{Deserialize, Serialize};

pub const DASHBOARDS_PATH: &str = "/api/dashboards";
pub const BULK_UPDATE_PATH: &str = "/api/dashboards/_bulk_update";
pub const BULK_DELETE_PATH: &str = "/api/dashboards/_bulk_delete";
pub const CHANGE_ACCESS_MODE_PATH: &str = "/internal/access_control/change_access_mode";
/// **ext**: our server only; Kibana answers 404.
pub const CHANGE_OWNER_PATH: &str = "/internal/access_control/change_owner";
pub const GLOBAL_ACCESS_PATH: &str = "/internal/access_control/global_access/dashboard";
pub const IS_ENABLED_PATH: &str = "/internal/access_control/is_enabled";
pub const BULK_GET_PROFILES_PATH: &str = "/internal/security/user_profile/_bulk_get";
/// **ext**: our server only.
pub const SUGGEST_PROFILES_PATH: &str = "/internal/security/user_profile/_suggest";
pub const DASHBOARD_TYPE: &str = "dashboard";
pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
pub const DEFAULT_SUGGEST_SIZE: u32 = 10;

/// Texts of Kibana's share dialog and edit guard (docs/dashboards-access-control.md).
pub mod texts {
    pub const SHARE_TITLE: &str = "Share dashboard";
    pub const PERMISSIONS: &str = "Permissions";
    pub const EVERYBODY_IN_SPACE: &str = "Everybody in the space";
    /// Select options (owner and admins).
    pub const CAN_EDIT: &str = "Can edit";
    pub const CAN_VIEW: &str = "Can view";
    /// Plain text for everyone else.
    pub const CAN_EDIT_PLAIN: &str = "can edit";
    pub const CAN_VIEW_PLAIN: &str = "can view";
    pub const PERMISSIONS_UPDATED: &str = "Permissions updated.";
    pub const PERMISSIONS_FAILED: &str = "Failed to update permissions.";
    pub const ONLY_OWNER_CAN_EDIT_PERMISSIONS: &str =
        "Only the dashboard owner can edit permissions.";
    pub const NO_EDIT_PERMISSION: &str =
        "You don't have permission to edit this dashboard. Contact the owner to change it.";
}

/// Server messages (Kibana's where Kibana has one).
pub mod messages {
    pub const UNABLE_TO_UPDATE: &str = "Unable to update dashboard";
    pub const UNABLE_TO_DELETE: &str = "Unable to delete dashboard";
    /// A bulk update's per-object access-control denial (the delete's says `Deleting objects …`:
    /// `crate::saved_objects::messages`).
    pub const BULK_FORBIDDEN: &str = crate::saved_objects::messages::UPDATING_OBJECTS_FORBIDDEN;
    /// Prefix of Kibana's denial of a mode change (a 400): treat it as a permission error.
    pub const ACCESS_DENIED_PREFIX: &str = "Access denied:";
    pub const VERSION_CONFLICT: &str = "This dashboard was changed by someone else since you loaded it. Reload it to see their changes, then apply yours again.";
}

/// `accessControl.accessMode` / `access_control.access_mode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DashboardAccessMode {
    /// Everybody in the space who may write dashboards can edit.
    #[default]
    Default,
    /// Only the owner and admins can edit.
    WriteRestricted,
}

impl DashboardAccessMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DashboardAccessMode::Default => "default",
            DashboardAccessMode::WriteRestricted => "write_restricted",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "default" => Some(DashboardAccessMode::Default),
            "write_restricted" => Some(DashboardAccessMode::WriteRestricted),
            _ => None,
        }
    }

    /// What "Everybody in the space" may do: the select option (`Can edit` / `Can view`).
    pub fn label(self) -> &'static str {
        match self {
            DashboardAccessMode::Default => texts::CAN_EDIT,
            DashboardAccessMode::WriteRestricted => texts::CAN_VIEW,
        }
    }

    /// The plain lower-case text a non-manager sees (`can edit` / `can view`).
    pub fn plain_label(self) -> &'static str {
        match self {
            DashboardAccessMode::Default => texts::CAN_EDIT_PLAIN,
            DashboardAccessMode::WriteRestricted => texts::CAN_VIEW_PLAIN,
        }
    }
}

/// `accessControl` as saved objects carry it (camelCase).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessControl {
    pub owner: String,
    #[serde(default)]
    pub access_mode: DashboardAccessMode,
}

/// `data.access_control` of the dashboards API (snake_case). In create bodies only `access_mode`
/// counts; the server fills `owner` in responses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataAccessControl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_mode: Option<DashboardAccessMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A simple panel: what the dashboard shows, not how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panel {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
    /// `metric`, `table`, `line`, `bar`, `markdown`, …
    #[serde(rename = "type", default)]
    pub panel_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The data the panel shows (docs/panels.md); `None` for text panels and for panels Gatehouse
    /// does not draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<crate::panels::PanelQuery>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardData {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub panels: Vec<Panel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_control: Option<DataAccessControl>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardMeta {
    /// Owner's profile uid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Opaque; send it back with the next update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub id: String,
    pub data: DashboardData,
    #[serde(default)]
    pub meta: DashboardMeta,
}

impl Dashboard {
    /// Owner's profile uid, from `meta.owner` or else `data.access_control.owner`.
    pub fn owner(&self) -> Option<&str> {
        self.meta
            .owner
            .as_deref()
            .or_else(|| {
                self.data
                    .access_control
                    .as_ref()
                    .and_then(|ac| ac.owner.as_deref())
            })
            .filter(|owner| !owner.is_empty())
    }

    pub fn access_mode(&self) -> DashboardAccessMode {
        self.data
            .access_control
            .as_ref()
            .and_then(|ac| ac.access_mode)
            .unwrap_or_default()
    }

    pub fn is_write_restricted(&self) -> bool {
        self.access_mode() == DashboardAccessMode::WriteRestricted
    }

    pub fn version(&self) -> Option<&str> {
        self.meta.version.as_deref()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardList {
    #[serde(alias = "items")]
    pub dashboards: Vec<Dashboard>,
    pub total: u64,
    #[serde(default = "one")]
    pub page: u32,
    #[serde(default = "default_per_page")]
    pub per_page: u32,
}

fn one() -> u32 {
    1
}

fn default_per_page() -> u32 {
    DEFAULT_PER_PAGE
}

/// `POST /api/dashboards`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDashboard {
    pub data: DashboardData,
}

impl CreateDashboard {
    pub fn new(title: &str, description: &str, mode: DashboardAccessMode) -> Self {
        Self {
            data: DashboardData {
                title: title.into(),
                description: description.into(),
                panels: Vec::new(),
                access_control: Some(DataAccessControl {
                    access_mode: Some(mode),
                    owner: None,
                }),
            },
        }
    }
}

/// `PUT /api/dashboards/{id}`: replaces title, description and panels. `version` is the
/// `meta.version` the edit started from; without it the update is unconditional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateDashboard {
    pub data: DashboardData,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `{"type":"dashboard","id":".."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SavedObjectRef {
    #[serde(rename = "type", default = "dashboard_type")]
    pub object_type: String,
    pub id: String,
}

fn dashboard_type() -> String {
    DASHBOARD_TYPE.into()
}

impl SavedObjectRef {
    pub fn dashboard(id: &str) -> Self {
        Self {
            object_type: DASHBOARD_TYPE.into(),
            id: id.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkUpdateItem {
    pub id: String,
    pub data: DashboardData,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `POST /api/dashboards/_bulk_update`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkUpdateRequest {
    pub objects: Vec<BulkUpdateItem>,
}

/// `POST /api/dashboards/_bulk_delete`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDeleteRequest {
    pub objects: Vec<SavedObjectRef>,
}

/// Boom-shaped per-object error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectError {
    pub status_code: u16,
    pub error: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectResult {
    pub id: String,
    #[serde(rename = "type", default = "dashboard_type")]
    pub object_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ObjectError>,
}

/// Answer of the bulk dashboard routes: one entry per requested object, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResult {
    pub objects: Vec<ObjectResult>,
}

/// `POST /internal/access_control/change_access_mode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeAccessModeRequest {
    pub objects: Vec<SavedObjectRef>,
    pub access_mode: DashboardAccessMode,
}

/// **ext** `POST /internal/access_control/change_owner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeOwnerRequest {
    pub objects: Vec<SavedObjectRef>,
    pub new_owner_profile_uid: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessControlObjects {
    pub objects: Vec<ObjectResult>,
}

/// `{"result":{"objects":[..]}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessControlResult {
    pub result: AccessControlObjects,
}

impl AccessControlResult {
    /// Errors reported per object (an all-or-nothing route reports none on success).
    pub fn errors(&self) -> impl Iterator<Item = &ObjectError> {
        self.result.objects.iter().filter_map(|o| o.error.as_ref())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalAccess {
    pub is_globally_authorized: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IsEnabled {
    pub is_access_control_enabled: bool,
}

/// `POST /internal/security/user_profile/_bulk_get` → `[UserProfile]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkGetProfiles {
    pub uids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_path: Option<String>,
}

/// **ext** `POST /internal/security/user_profile/_suggest` → `[UserProfile]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestProfiles {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
}

/// Whether an error answer means "not allowed": a 403, or Kibana's 400 `Access denied: …`.
pub fn is_permission_denial(status: u16, message: &str) -> bool {
    status == 403
        || message
            .trim_start()
            .starts_with(messages::ACCESS_DENIED_PREFIX)
}

/// What the viewer may do with one dashboard, as far as ownership and mode decide it. The caller
/// still needs write on the dashboard type (capability `dashboard.save`) for any of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharePermissions {
    /// Show the `Can edit` / `Can view` select (else the plain text with a tooltip).
    pub can_change_mode: bool,
    /// Show the ownership transfer picker.
    pub can_change_owner: bool,
    /// Edit and delete enabled.
    pub can_edit: bool,
    /// The first reason something is not allowed: the edit denial when editing is blocked,
    /// else the permissions tooltip.
    pub reason: Option<&'static str>,
}

impl SharePermissions {
    /// Tooltip of a disabled Edit / Delete.
    pub fn edit_reason(&self) -> Option<&'static str> {
        (!self.can_edit).then_some(texts::NO_EDIT_PERMISSION)
    }

    /// Tooltip of the plain `can edit` / `can view` text.
    pub fn permissions_reason(&self) -> Option<&'static str> {
        (!self.can_change_mode).then_some(texts::ONLY_OWNER_CAN_EDIT_PERMISSIONS)
    }
}

/// The server's rules (docs/dashboards-access-control.md) seen from the viewer: the owner and admins
/// (`manage_access_control`) manage mode and owner of any dashboard; a write-restricted dashboard is
/// editable only by them.
pub fn share_permissions(
    viewer_profile_uid: Option<&str>,
    is_admin: bool,
    dashboard: &Dashboard,
) -> SharePermissions {
    access_permissions(
        viewer_profile_uid,
        is_admin,
        dashboard.owner(),
        dashboard.access_mode(),
    )
}

/// The one rule, for any object with (or without) `accessControl`; the server enforces the same
/// function. An object without an owner (created before access control, or by a caller without a
/// profile) is managed by anyone who may update it: changing its mode makes them the owner.
pub fn access_permissions(
    viewer_profile_uid: Option<&str>,
    is_admin: bool,
    owner: Option<&str>,
    mode: DashboardAccessMode,
) -> SharePermissions {
    let is_owner = match owner {
        None => true,
        Some(owner) => viewer_profile_uid == Some(owner),
    };
    let manages = is_owner || is_admin;
    let can_edit = manages || mode != DashboardAccessMode::WriteRestricted;
    let mut permissions = SharePermissions {
        can_change_mode: manages,
        can_change_owner: manages,
        can_edit,
        reason: None,
    };
    permissions.reason = permissions
        .edit_reason()
        .or_else(|| permissions.permissions_reason());
    permissions
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dashboard(owner: Option<&str>, mode: DashboardAccessMode) -> Dashboard {
        Dashboard {
            id: "d1".into(),
            data: DashboardData {
                title: "SOC overview".into(),
                access_control: Some(DataAccessControl {
                    access_mode: Some(mode),
                    owner: None,
                }),
                ..DashboardData::default()
            },
            meta: DashboardMeta {
                owner: owner.map(Into::into),
                ..DashboardMeta::default()
            },
        }
    }

    #[test]
    fn dashboard_parses_the_contract_shape_and_finds_the_owner_in_either_place() {
        let body = json!({
            "id": "soc",
            "data": {"title": "SOC overview", "description": "d",
                     "panels": [{"id": "p1", "title": "Alerts", "type": "metric", "description": "x"}],
                     "access_control": {"access_mode": "write_restricted"}},
            "meta": {"owner": "u_alice_0", "created_by": "u_alice_0", "updated_at": "2025-01-01T00:00:00Z",
                     "created_at": "2025-01-01T00:00:00Z", "version": "3", "type": "dashboard"}
        });
        let d: Dashboard = serde_json::from_value(body).expect("dashboard parses");
        assert_eq!(d.owner(), Some("u_alice_0"));
        assert!(d.is_write_restricted());
        assert_eq!(d.version(), Some("3"));
        assert_eq!(d.data.panels[0].panel_type, "metric");

        let kibana = json!({"id": "x", "data": {"title": "T", "access_control": {"access_mode": "default", "owner": "u_bob_0"}}, "meta": {}});
        let d: Dashboard = serde_json::from_value(kibana).expect("owner in data parses");
        assert_eq!(d.owner(), Some("u_bob_0"));
        assert_eq!(d.access_mode(), DashboardAccessMode::Default);

        let bare: Dashboard = serde_json::from_value(json!({"id": "y", "data": {"title": "T"}}))
            .expect("bare parses");
        assert_eq!(bare.owner(), None);
        assert_eq!(bare.access_mode(), DashboardAccessMode::Default);
    }

    #[test]
    fn request_bodies_use_the_contract_field_names() {
        let create = serde_json::to_value(CreateDashboard::new(
            "T",
            "",
            DashboardAccessMode::WriteRestricted,
        ))
        .unwrap_or_default();
        assert_eq!(
            create["data"]["access_control"],
            json!({"access_mode": "write_restricted"})
        );
        let mode = serde_json::to_value(ChangeAccessModeRequest {
            objects: vec![SavedObjectRef::dashboard("d1")],
            access_mode: DashboardAccessMode::WriteRestricted,
        })
        .unwrap_or_default();
        assert_eq!(
            mode,
            json!({"objects": [{"type": "dashboard", "id": "d1"}], "accessMode": "write_restricted"})
        );
        let owner = serde_json::to_value(ChangeOwnerRequest {
            objects: vec![SavedObjectRef::dashboard("d1")],
            new_owner_profile_uid: "u_bob_0".into(),
        })
        .unwrap_or_default();
        assert_eq!(owner["newOwnerProfileUid"], "u_bob_0");
        let ac = serde_json::to_value(AccessControl {
            owner: "u_a_0".into(),
            access_mode: DashboardAccessMode::Default,
        })
        .unwrap_or_default();
        assert_eq!(ac, json!({"owner": "u_a_0", "accessMode": "default"}));
        let get = serde_json::to_value(BulkGetProfiles {
            uids: vec!["u_a_0".into()],
            data_path: Some("avatar".into()),
        })
        .unwrap_or_default();
        assert_eq!(get, json!({"uids": ["u_a_0"], "dataPath": "avatar"}));
    }

    #[test]
    fn responses_parse() {
        let result: AccessControlResult = serde_json::from_value(json!({"result": {"objects": [
            {"id": "a", "type": "dashboard"},
            {"id": "b", "type": "dashboard", "error": {"statusCode": 403, "error": "Forbidden", "message": messages::BULK_FORBIDDEN}}
        ]}}))
        .expect("result parses");
        assert_eq!(result.errors().count(), 1);
        let global: GlobalAccess =
            serde_json::from_value(json!({"isGloballyAuthorized": true})).expect("parses");
        assert!(global.is_globally_authorized);
        let enabled: IsEnabled =
            serde_json::from_value(json!({"isAccessControlEnabled": false})).expect("parses");
        assert!(!enabled.is_access_control_enabled);
        let list: DashboardList =
            serde_json::from_value(json!({"dashboards": [], "total": 0, "page": 2, "perPage": 5}))
                .expect("parses");
        assert_eq!((list.page, list.per_page), (2, 5));
        let items: DashboardList =
            serde_json::from_value(json!({"items": [], "total": 0})).expect("items alias parses");
        assert_eq!(items.per_page, DEFAULT_PER_PAGE);
    }

    #[test]
    fn owner_and_admin_manage_everything() {
        for mode in [
            DashboardAccessMode::Default,
            DashboardAccessMode::WriteRestricted,
        ] {
            let d = dashboard(Some("u_alice_0"), mode);
            let owner = share_permissions(Some("u_alice_0"), false, &d);
            assert!(owner.can_change_mode && owner.can_change_owner && owner.can_edit);
            assert_eq!(owner.reason, None);
            let admin = share_permissions(Some("u_elastic_0"), true, &d);
            assert!(admin.can_change_mode && admin.can_change_owner && admin.can_edit);
            assert_eq!(admin.reason, None);
        }
    }

    #[test]
    fn others_edit_default_dashboards_but_not_permissions() {
        let d = dashboard(Some("u_alice_0"), DashboardAccessMode::Default);
        let bob = share_permissions(Some("u_bob_0"), false, &d);
        assert!(bob.can_edit);
        assert!(!bob.can_change_mode && !bob.can_change_owner);
        assert_eq!(bob.reason, Some(texts::ONLY_OWNER_CAN_EDIT_PERMISSIONS));
        assert_eq!(bob.edit_reason(), None);
    }

    #[test]
    fn others_cannot_edit_write_restricted_dashboards() {
        let d = dashboard(Some("u_alice_0"), DashboardAccessMode::WriteRestricted);
        let bob = share_permissions(Some("u_bob_0"), false, &d);
        assert!(!bob.can_edit && !bob.can_change_mode && !bob.can_change_owner);
        assert_eq!(bob.reason, Some(texts::NO_EDIT_PERMISSION));
        assert_eq!(
            bob.permissions_reason(),
            Some(texts::ONLY_OWNER_CAN_EDIT_PERMISSIONS)
        );
        // No profile never makes anyone the owner.
        let anonymous = share_permissions(None, false, &d);
        assert!(!anonymous.can_edit && !anonymous.can_change_mode);
    }

    #[test]
    fn ownerless_objects_are_managed_by_whoever_may_update_them() {
        let ownerless = dashboard(None, DashboardAccessMode::Default);
        let bob = share_permissions(Some("u_bob_0"), false, &ownerless);
        assert!(bob.can_edit && bob.can_change_mode && bob.can_change_owner);
        assert_eq!(bob.reason, None);
    }

    #[test]
    fn labels_and_denials() {
        assert_eq!(DashboardAccessMode::WriteRestricted.label(), "Can view");
        assert_eq!(DashboardAccessMode::Default.plain_label(), "can edit");
        assert_eq!(
            DashboardAccessMode::parse("write_restricted"),
            Some(DashboardAccessMode::WriteRestricted)
        );
        assert_eq!(DashboardAccessMode::parse("private"), None);
        assert!(is_permission_denial(
            400,
            "Access denied: not the owner of dashboard:x"
        ));
        assert!(is_permission_denial(403, "Unable to update dashboard"));
        assert!(!is_permission_denial(400, "bad request"));
    }
}

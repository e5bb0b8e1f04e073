//! Administration wire types (docs/administration.md): Kibana's user and role APIs, the feature registry
//! listing, and the Dev Tools console proxy.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::security::ApplicationPrivilegeGrant;

pub const USERS_PATH: &str = "/internal/security/users";
pub const ROLES_PATH: &str = "/api/security/role";
pub const ROLES_QUERY_PATH: &str = "/api/security/role/_query";
/// Gatehouse's own: checks a role's index rows as the role save would, with a leads preview
/// (`crate::role_check`).
pub const ROLE_CHECK_INDICES_PATH: &str = "/internal/gatehouse/security/role/_check_indices";
pub const FEATURES_PATH: &str = "/api/features";
pub const CONSOLE_PROXY_PATH: &str = "/api/console/proxy";
pub const CONSOLE_STATUS_HEADER: &str = "x-console-proxy-status-code";
pub const CONSOLE_STATUS_TEXT_HEADER: &str = "x-console-proxy-status-text";

pub const MIN_PASSWORD_LENGTH: usize = 6;
pub const MAX_USERNAME_LENGTH: usize = 507;
pub const MAX_USER_ROLES: usize = 100;
pub const MAX_ROLE_NAME_LENGTH: usize = 1024;
pub const MAX_ROLE_DESCRIPTION_LENGTH: usize = 2048;

pub fn user_path(username: &str) -> String {
    format!("{USERS_PATH}/{}", encode_path_segment(username))
}

pub fn role_path(name: &str) -> String {
    format!("{ROLES_PATH}/{}", encode_path_segment(name))
}

/// Percent-encodes everything but unreserved characters, for one path segment.
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A user as `GET /internal/security/users[/{u}]` answers (never with a password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub metadata: Value,
    #[serde(default = "crate::security::enabled_when_absent")]
    pub enabled: bool,
}

/// `POST /internal/security/users/{u}`: create or update.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PutUserRequest {
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `POST /internal/security/users/{u}/password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub new_password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FieldSecurity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub except: Option<Vec<String>>,
}

/// One index privilege row with everything Elasticsearch stores for it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndexPrivileges {
    pub names: Vec<String>,
    pub privileges: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_security: Option<FieldSecurity>,
    /// Elasticsearch takes the document query as a JSON object or as a string holding one, and
    /// answers it as a string: an object is kept as its JSON text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "query_text"
    )]
    pub query: Option<String>,
    #[serde(default)]
    pub allow_restricted_indices: bool,
}

fn query_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(object @ Value::Object(_)) => Some(object.to_string()),
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "the document query must be a JSON object or a string, not {other}"
            )))
        }
    })
}

/// A role as Elasticsearch stores it (`PUT /_security/role/{n}`, `GET` answers).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RoleDescriptor {
    #[serde(default)]
    pub cluster: Vec<String>,
    #[serde(default)]
    pub indices: Vec<IndexPrivileges>,
    #[serde(default)]
    pub applications: Vec<ApplicationPrivilegeGrant>,
    #[serde(default)]
    pub run_as: Vec<String>,
    #[serde(default)]
    pub metadata: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Kibana privileges for a set of spaces (`base` or `feature`, not both).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KibanaPrivileges {
    #[serde(default)]
    pub base: Vec<String>,
    #[serde(default)]
    pub feature: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub spaces: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ElasticsearchPrivileges {
    #[serde(default)]
    pub cluster: Vec<String>,
    #[serde(default)]
    pub indices: Vec<IndexPrivileges>,
    #[serde(default)]
    pub run_as: Vec<String>,
}

/// A role in Kibana's shape (`GET /api/security/role/{name}`; `PUT` takes it without `name`,
/// `transient_metadata` and the `_` fields).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KibanaRole {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: Value,
    #[serde(default)]
    pub transient_metadata: Value,
    #[serde(default)]
    pub elasticsearch: ElasticsearchPrivileges,
    #[serde(default)]
    pub kibana: Vec<KibanaPrivileges>,
    #[serde(default, rename = "_transform_error")]
    pub transform_error: Vec<Value>,
    #[serde(default, rename = "_unrecognized_applications")]
    pub unrecognized_applications: Vec<String>,
}

impl KibanaRole {
    pub fn is_reserved(&self) -> bool {
        self.metadata
            .get("_reserved")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// `POST /api/security/role/_query` answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RoleQueryResponse {
    pub roles: Vec<KibanaRole>,
    pub count: usize,
    pub total: usize,
}

/// What one feature privilege grants, as `GET /api/features` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeaturePrivilegeInfo {
    #[serde(default)]
    pub api: Vec<String>,
    #[serde(default)]
    pub app: Vec<String>,
    #[serde(default)]
    pub catalogue: Vec<String>,
    #[serde(default)]
    pub ui: Vec<String>,
    #[serde(default)]
    #[serde(rename = "savedObject")]
    pub saved_object: SavedObjectTypes,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SavedObjectTypes {
    #[serde(default)]
    pub all: Vec<String>,
    #[serde(default)]
    pub read: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeatureCategory {
    pub id: String,
    pub label: String,
}

/// One entry of `GET /api/features`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeatureInfo {
    pub id: String,
    pub name: String,
    pub category: FeatureCategory,
    #[serde(default)]
    pub app: Vec<String>,
    #[serde(default)]
    pub catalogue: Vec<String>,
    /// `all` and `read`, without their sub-feature privileges.
    #[serde(default)]
    pub privileges: BTreeMap<String, FeaturePrivilegeInfo>,
    /// Finer privileges `all`/`read` include (by each one's `includeIn`) and `minimal_all`/
    /// `minimal_read` leave out.
    #[serde(default, rename = "subFeatures")]
    pub sub_features: Vec<SubFeatureInfo>,
}

/// Which primary feature privileges include a sub-feature privilege (Kibana's `includeIn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncludeIn {
    /// `all` only.
    All,
    /// `read`, and so `all` too.
    Read,
    /// Granted only when a role names it.
    #[default]
    None,
}

impl IncludeIn {
    /// Is a sub-feature privilege with this `includeIn` part of the primary privilege `all`
    /// (`true`) or `read` (`false`)?
    pub fn included_in(self, all: bool) -> bool {
        match self {
            Self::All => all,
            Self::Read => true,
            Self::None => false,
        }
    }
}

/// How a privilege group's privileges combine in the role editor: one of them (radio buttons)
/// or any of them (checkboxes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivilegeGroupType {
    MutuallyExclusive,
    #[default]
    Independent,
}

/// One sub-feature privilege as `GET /api/features` lists it: its id and name, and what it grants.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubFeaturePrivilegeInfo {
    pub id: String,
    pub name: String,
    #[serde(rename = "includeIn")]
    pub include_in: IncludeIn,
    #[serde(flatten)]
    pub grants: FeaturePrivilegeInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrivilegeGroupInfo {
    #[serde(rename = "groupType")]
    pub group_type: PrivilegeGroupType,
    #[serde(default)]
    pub privileges: Vec<SubFeaturePrivilegeInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubFeatureInfo {
    pub name: String,
    #[serde(default, rename = "privilegeGroups")]
    pub privilege_groups: Vec<PrivilegeGroupInfo>,
}

impl FeatureInfo {
    /// Every sub-feature privilege of the feature, in registry order.
    pub fn sub_feature_privileges(&self) -> impl Iterator<Item = &SubFeaturePrivilegeInfo> {
        self.sub_features
            .iter()
            .flat_map(|s| &s.privilege_groups)
            .flat_map(|g| &g.privileges)
    }
}

/// A feature's privileges in a role as the role editor draws them: the primary level, and —
/// when "Customize sub-feature privileges" is on — the sub-feature privileges picked one by one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeatureSelection {
    /// `Some(true)` for `all`, `Some(false)` for `read`, `None` for no access.
    pub primary: Option<bool>,
    /// Off: the role stores `all`/`read`, every sub-feature privilege included in it comes with
    /// it. On: the role stores `minimal_all`/`minimal_read` plus `sub_privileges`.
    pub customized: bool,
    pub sub_privileges: Vec<String>,
}

impl FeatureSelection {
    /// Reads a role's privilege list for one feature (`["all"]`, `["minimal_read", "x"]`, …).
    pub fn from_privileges(feature: &FeatureInfo, privileges: &[String]) -> Self {
        let has = |p: &str| privileges.iter().any(|x| x == p);
        let (primary, customized) = if has("all") {
            (Some(true), false)
        } else if has("minimal_all") {
            (Some(true), true)
        } else if has("read") {
            (Some(false), false)
        } else if has("minimal_read") {
            (Some(false), true)
        } else {
            (None, false)
        };
        let sub_privileges = match primary {
            Some(all) if !customized => feature
                .sub_feature_privileges()
                .filter(|p| p.include_in.included_in(all))
                .map(|p| p.id.clone())
                .collect(),
            _ => feature
                .sub_feature_privileges()
                .filter(|p| has(&p.id))
                .map(|p| p.id.clone())
                .collect(),
        };
        Self {
            primary,
            customized,
            sub_privileges,
        }
    }

    /// The privilege list the role stores for this selection.
    pub fn to_privileges(&self) -> Vec<String> {
        let Some(all) = self.primary else {
            return Vec::new();
        };
        let level = if all { "all" } else { "read" };
        if !self.customized {
            return vec![level.to_string()];
        }
        let mut out = vec![format!("minimal_{level}")];
        out.extend(self.sub_privileges.iter().cloned());
        out
    }

    /// A new primary level: sub-feature privileges follow the level's defaults again.
    pub fn set_primary(&mut self, feature: &FeatureInfo, primary: Option<bool>) {
        self.primary = primary;
        if primary.is_none() {
            self.customized = false;
        }
        self.reset_sub_privileges(feature);
    }

    /// "Customize sub-feature privileges" on or off; off restores the level's defaults.
    pub fn set_customized(&mut self, feature: &FeatureInfo, customized: bool) {
        self.customized = customized && self.primary.is_some();
        if !self.customized {
            self.reset_sub_privileges(feature);
        }
    }

    /// Picks or drops one sub-feature privilege; in a mutually exclusive group picking one
    /// drops the group's others. Customizing turns on with it.
    pub fn toggle_sub_privilege(&mut self, feature: &FeatureInfo, id: &str, on: bool) {
        if self.primary.is_none() {
            return;
        }
        self.customized = true;
        self.sub_privileges.retain(|p| p != id);
        if on {
            if let Some(group) = feature
                .sub_features
                .iter()
                .flat_map(|s| &s.privilege_groups)
                .find(|g| g.privileges.iter().any(|p| p.id == id))
            {
                if group.group_type == PrivilegeGroupType::MutuallyExclusive {
                    self.sub_privileges
                        .retain(|p| !group.privileges.iter().any(|g| &g.id == p));
                }
            }
            self.sub_privileges.push(id.to_string());
        }
        let order: Vec<&str> = feature
            .sub_feature_privileges()
            .map(|p| p.id.as_str())
            .collect();
        self.sub_privileges
            .sort_by_key(|p| order.iter().position(|o| o == p));
    }

    fn reset_sub_privileges(&mut self, feature: &FeatureInfo) {
        self.sub_privileges = match self.primary {
            Some(all) => feature
                .sub_feature_privileges()
                .filter(|p| p.include_in.included_in(all))
                .map(|p| p.id.clone())
                .collect(),
            None => Vec::new(),
        };
    }
}

#[cfg(test)]
mod feature_selection_tests {
    use super::*;

    fn search() -> FeatureInfo {
        let privilege = |id: &str, include_in| SubFeaturePrivilegeInfo {
            id: id.into(),
            name: id.into(),
            include_in,
            grants: FeaturePrivilegeInfo::default(),
        };
        FeatureInfo {
            id: "search".into(),
            sub_features: vec![SubFeatureInfo {
                name: "Manage".into(),
                privilege_groups: vec![
                    PrivilegeGroupInfo {
                        group_type: PrivilegeGroupType::Independent,
                        privileges: vec![privilege("manage_sources", IncludeIn::All)],
                    },
                    PrivilegeGroupInfo {
                        group_type: PrivilegeGroupType::MutuallyExclusive,
                        privileges: vec![
                            privilege("export_all", IncludeIn::Read),
                            privilege("export_own", IncludeIn::None),
                        ],
                    },
                ],
            }],
            ..FeatureInfo::default()
        }
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn primary_privileges_read_back_with_their_included_sub_privileges() {
        let f = search();
        let all = FeatureSelection::from_privileges(&f, &strings(&["all"]));
        assert_eq!(all.primary, Some(true));
        assert!(!all.customized);
        assert_eq!(
            all.sub_privileges,
            strings(&["manage_sources", "export_all"])
        );
        assert_eq!(all.to_privileges(), strings(&["all"]));
        let read = FeatureSelection::from_privileges(&f, &strings(&["read"]));
        assert_eq!(read.sub_privileges, strings(&["export_all"]));
        let none = FeatureSelection::from_privileges(&f, &[]);
        assert_eq!(none.to_privileges(), Vec::<String>::new());
    }

    #[test]
    fn customizing_writes_minimal_privileges_and_the_picked_ids() {
        let f = search();
        let mut s = FeatureSelection::from_privileges(&f, &strings(&["all"]));
        s.set_customized(&f, true);
        s.toggle_sub_privilege(&f, "manage_sources", false);
        assert_eq!(s.to_privileges(), strings(&["minimal_all", "export_all"]));
        // One of a mutually exclusive group replaces the other.
        s.toggle_sub_privilege(&f, "export_own", true);
        assert_eq!(s.to_privileges(), strings(&["minimal_all", "export_own"]));
        let back = FeatureSelection::from_privileges(&f, &s.to_privileges());
        assert_eq!(back, s);
        // Turning customizing off restores the level's defaults.
        s.set_customized(&f, false);
        assert_eq!(s.to_privileges(), strings(&["all"]));
        assert_eq!(s.sub_privileges, strings(&["manage_sources", "export_all"]));
    }

    #[test]
    fn no_access_drops_customizing() {
        let f = search();
        let mut s = FeatureSelection::from_privileges(&f, &strings(&["minimal_read"]));
        assert!(s.customized && s.sub_privileges.is_empty());
        s.set_primary(&f, None);
        assert!(!s.customized);
        s.toggle_sub_privilege(&f, "manage_sources", true);
        assert_eq!(s.to_privileges(), Vec::<String>::new());
    }

    #[test]
    fn the_features_listing_has_kibanas_shape() {
        let json = serde_json::to_value(search()).expect("serializes");
        let group = &json["subFeatures"][0]["privilegeGroups"][1];
        assert_eq!(group["groupType"], "mutually_exclusive");
        assert_eq!(group["privileges"][1]["includeIn"], "none");
        assert!(group["privileges"][1]["savedObject"]["all"].is_array());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_query_is_taken_as_an_object_or_a_string_and_kept_as_text() {
        let object: IndexPrivileges = serde_json::from_value(serde_json::json!({
            "names": ["i"], "privileges": ["read"], "query": {"term": {"status": "active"}}
        }))
        .expect("object query");
        let text: IndexPrivileges = serde_json::from_value(serde_json::json!({
            "names": ["i"], "privileges": ["read"], "query": "{\"term\":{\"status\":\"active\"}}"
        }))
        .expect("string query");
        assert_eq!(object, text);
        assert!(
            serde_json::from_value::<IndexPrivileges>(serde_json::json!({
                "names": ["i"], "privileges": ["read"], "query": 3
            }))
            .is_err()
        );
    }
}

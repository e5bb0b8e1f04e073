//! Administration wire types (docs/administration.md): Kibana's user and role APIs, the feature registry
//! listing, and the Dev Tools console proxy.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::security::ApplicationPrivilegeGrant;

pub const USERS_PATH: &str = "/internal/security/users";
pub const ROLES_PATH: &str = "/api/security/role";
pub const ROLES_QUERY_PATH: &str = "/api/security/role/_query";
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
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
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
    /// `all` and `read`.
    #[serde(default)]
    pub privileges: BTreeMap<String, FeaturePrivilegeInfo>,
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

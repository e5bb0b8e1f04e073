//! Session, profile, capability and role types (docs/sessions-and-capabilities.md, docs/privileges.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const LOGIN_PATH: &str = "/internal/security/login";
pub const LOGOUT_PATH: &str = "/api/security/logout";
pub const ME_PATH: &str = "/internal/security/me";
pub const USER_PROFILE_PATH: &str = "/internal/security/user_profile";
pub const CAPABILITIES_PATH: &str = "/api/core/capabilities";
/// How often an open, visible tab asks again who its user is and what they may do, so access an
/// administrator took away or granted shows without a reload (docs/sessions-and-capabilities.md,
/// "Access that changes while a page is open"). The browser tests wait this long, plus a margin.
pub const PRIVILEGE_RECHECK_MS: u64 = 5_000;
/// The one message for every failed login, so a caller cannot learn which usernames exist.
pub const INVALID_CREDENTIALS: &str = "Invalid username or password. Please try again.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginParams {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    pub provider_type: String,
    pub provider_name: String,
    #[serde(rename = "currentURL")]
    pub current_url: String,
    pub params: LoginParams,
}

impl LoginRequest {
    pub fn basic(username: &str, password: &str, current_url: &str) -> Self {
        Self {
            provider_type: "basic".into(),
            provider_name: "basic".into(),
            current_url: current_url.into(),
            params: LoginParams {
                username: username.into(),
                password: password.into(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationProvider {
    #[serde(rename = "type")]
    pub provider_type: String,
    pub name: String,
}

/// `GET /internal/security/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatedUser {
    pub username: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub profile_uid: Option<String>,
    pub authentication_provider: AuthenticationProvider,
    #[serde(default = "enabled_when_absent")]
    pub enabled: bool,
}

/// `enabled` when a body leaves it out: Elasticsearch and Kibana read an absent `enabled` as an
/// enabled user or profile.
pub(crate) fn enabled_when_absent() -> bool {
    true
}

impl AuthenticatedUser {
    /// What the header shows: the full name when there is one.
    pub fn display_name(&self) -> &str {
        self.full_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.username)
    }

    pub fn initials(&self, upper: UpperCase) -> String {
        initials_of(self.display_name(), upper)
    }
}

/// How a caller upper-cases an avatar's letters. The server passes `str::to_uppercase`; the SPA
/// passes the browser's `toUpperCase`, the same Unicode mapping without Rust's copy of its table
/// in the app's first download (docs/start-set.md). Both draw the same letters.
pub type UpperCase = fn(&str) -> String;

/// First letters of the first two words, upper-cased (`Alice Analyst` → `AA`, `elastic` → `E`).
pub fn initials_of(name: &str, upper: UpperCase) -> String {
    let letters: String = name
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-' || c == '.')
        .filter_map(|word| word.chars().next())
        .take(2)
        .collect();
    upper(&letters)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUser {
    pub username: String,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserProfile {
    pub uid: String,
    #[serde(default = "enabled_when_absent")]
    pub enabled: bool,
    pub user: ProfileUser,
    #[serde(default)]
    pub data: Value,
}

/// `u_<principal>_<version>`, no newline (docs/dashboards-access-control.md).
pub fn is_valid_profile_uid(uid: &str) -> bool {
    crate::rules::profile_uid(uid).is_ok()
}

pub const INVALID_PROFILE_UID: &str =
    "User profile ID is invalid: expected \"u_<principal>_<version>\"";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CapabilitiesRequest {
    #[serde(default)]
    pub applications: Vec<String>,
}

/// `{"navLinks":{..},"catalogue":{..},"<feature>":{"show":true,..}}`. Values that are not
/// booleans are ignored rather than rejected: Kibana adds nested capability objects over time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Capabilities(pub BTreeMap<String, Value>);

impl Capabilities {
    pub fn get(&self, section: &str, key: &str) -> bool {
        self.0
            .get(section)
            .and_then(|s| s.get(key))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn nav_link(&self, app: &str) -> bool {
        self.get("navLinks", app)
    }
}

/// One application privilege row of a role ([`crate::admin::RoleDescriptor`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationPrivilegeGrant {
    pub application: String,
    pub privileges: Vec<String>,
    pub resources: Vec<String>,
}

pub const KIBANA_APPLICATION: &str = "kibana-.kibana";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_body_has_the_contract_field_names() {
        let body = serde_json::to_value(LoginRequest::basic("bob", "pw", "/login?next=%2F"))
            .unwrap_or_default();
        assert_eq!(body["providerType"], "basic");
        assert_eq!(body["providerName"], "basic");
        assert_eq!(body["currentURL"], "/login?next=%2F");
        assert_eq!(body["params"]["username"], "bob");
    }

    #[test]
    fn profile_uids_follow_the_kibana_pattern() {
        assert!(is_valid_profile_uid("u_alice_0"));
        assert!(is_valid_profile_uid("u_mGBxmhKIgGD5SuXn_0"));
        assert!(!is_valid_profile_uid("alice"));
        assert!(!is_valid_profile_uid("u_alice"));
        assert!(!is_valid_profile_uid("u__0"));
        assert!(!is_valid_profile_uid("u_alice_0\n"));
        assert!(!is_valid_profile_uid("u_alice_"));
    }

    #[test]
    fn display_name_prefers_full_name() {
        let user: AuthenticatedUser = serde_json::from_str(
            r#"{"username":"alice","roles":["editor"],"full_name":"Alice Analyst","authentication_provider":{"type":"basic","name":"basic"}}"#,
        )
        .expect("me body parses");
        assert_eq!(user.display_name(), "Alice Analyst");
        assert_eq!(user.initials(str::to_uppercase), "AA");
        assert_eq!(initials_of("leads_read_user", str::to_uppercase), "LR");
        assert_eq!(initials_of("élise ßeta", str::to_uppercase), "ÉSS");
    }

    #[test]
    fn capabilities_ignore_nested_objects() {
        let caps: Capabilities = serde_json::from_str(
            r#"{"navLinks":{"dashboards":true,"securitySolution":false},"dashboard":{"show":true,"save":false,"nested":{"a":1}}}"#,
        )
        .expect("capabilities parse");
        assert!(caps.nav_link("dashboards"));
        assert!(!caps.nav_link("securitySolution"));
        assert!(caps.get("dashboard", "show"));
        assert!(!caps.get("dashboard", "nested"));
        assert!(!caps.get("missing", "show"));
    }
}

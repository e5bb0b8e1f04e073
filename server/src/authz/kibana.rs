//! Kibana's application privileges: the feature registry, the actions privileges expand to,
//! the action checks and the UI capabilities computed from the same grants.

use std::collections::{BTreeMap, BTreeSet, HashSet};

pub use gatehouse_api::admin::{IncludeIn, PrivilegeGroupType};
use gatehouse_api::security::KIBANA_APPLICATION;
use serde_json::{json, Map, Value};

use super::*;

// ---------------------------------------------------------------------------------------------
// Kibana features and actions
// ---------------------------------------------------------------------------------------------

/// What one feature privilege (`all` or `read`) grants.
#[derive(Debug, Clone, Copy)]
pub struct FeaturePrivilege {
    /// `api:<tag>` actions: route guards ask for these.
    pub api: &'static [&'static str],
    /// `ui:<feature>/<cap>` actions: the feature's capability section.
    pub ui: &'static [&'static str],
    pub saved_object_all: &'static [&'static str],
    pub saved_object_read: &'static [&'static str],
}

/// A Kibana feature, in the shape Kibana registers them.
#[derive(Debug, Clone, Copy)]
pub struct Feature {
    pub id: &'static str,
    pub name: &'static str,
    pub app: &'static [&'static str],
    pub catalogue: &'static [&'static str],
    /// What `minimal_all` grants; `all` adds every sub-feature privilege included in `all`.
    pub all: FeaturePrivilege,
    /// What `minimal_read` grants; `read` adds every sub-feature privilege included in `read`.
    pub read: FeaturePrivilege,
    pub sub_features: &'static [SubFeature],
}

/// A named sub-feature privilege (docs/privileges.md#sub-feature-privileges): its id is what a
/// role stores (`feature_<feature>.<id>`), its grants add to the feature's minimal privileges.
#[derive(Debug, Clone, Copy)]
pub struct SubFeaturePrivilege {
    pub id: &'static str,
    pub name: &'static str,
    pub include_in: IncludeIn,
    pub grants: FeaturePrivilege,
}

#[derive(Debug, Clone, Copy)]
pub struct PrivilegeGroup {
    pub group_type: PrivilegeGroupType,
    pub privileges: &'static [SubFeaturePrivilege],
}

#[derive(Debug, Clone, Copy)]
pub struct SubFeature {
    pub name: &'static str,
    pub privilege_groups: &'static [PrivilegeGroup],
}

impl Feature {
    /// Every sub-feature privilege of the feature, in registry order.
    pub fn sub_feature_privileges(&self) -> impl Iterator<Item = &'static SubFeaturePrivilege> {
        self.sub_features
            .iter()
            .flat_map(|s| s.privilege_groups)
            .flat_map(|g| g.privileges)
    }

    pub fn sub_feature_privilege(&self, id: &str) -> Option<&'static SubFeaturePrivilege> {
        self.sub_feature_privileges().find(|p| p.id == id)
    }

    /// May a role name `privilege` for this feature (`all`, `read`, `minimal_all`,
    /// `minimal_read` or one of its sub-feature privilege ids)?
    pub fn supports_privilege(&self, privilege: &str) -> bool {
        FeatureLevel::parse(self, privilege).is_some()
    }
}

/// One privilege a role may hold on a feature.
#[derive(Debug, Clone, Copy)]
pub enum FeatureLevel {
    /// `all` or `read`: the primary privilege with the sub-feature privileges included in it.
    Primary {
        all: bool,
    },
    /// `minimal_all` or `minimal_read`: the primary privilege without any sub-feature privilege.
    Minimal {
        all: bool,
    },
    SubFeature(&'static SubFeaturePrivilege),
}

impl FeatureLevel {
    pub fn parse(feature: &Feature, privilege: &str) -> Option<Self> {
        Some(match privilege {
            "all" => Self::Primary { all: true },
            "read" => Self::Primary { all: false },
            "minimal_all" => Self::Minimal { all: true },
            "minimal_read" => Self::Minimal { all: false },
            other => Self::SubFeature(feature.sub_feature_privilege(other)?),
        })
    }
}

pub const SECURITY_SOLUTION_API: &str = "securitySolution";
pub const ENTITY_ANALYTICS_API: &str = "securitySolution-entity-analytics";

pub static FEATURES: &[Feature] = &[
    Feature {
        id: "securitySolution",
        name: "Security",
        app: &["securitySolutionUI"],
        catalogue: &["securitySolution"],
        all: FeaturePrivilege {
            api: &[
                SECURITY_SOLUTION_API,
                ENTITY_ANALYTICS_API,
                "lists-all",
                "lists-read",
            ],
            ui: &["show", "crud"],
            saved_object_all: &["security-rule", "exception-list"],
            saved_object_read: &[],
        },
        read: FeaturePrivilege {
            api: &[SECURITY_SOLUTION_API, ENTITY_ANALYTICS_API, "lists-read"],
            ui: &["show"],
            saved_object_all: &[],
            saved_object_read: &["security-rule", "exception-list"],
        },
        sub_features: &[],
    },
    Feature {
        id: "dashboard",
        name: "Dashboard",
        app: &["dashboards", "kibana"],
        catalogue: &["dashboard"],
        all: FeaturePrivilege {
            api: &["bulkGetUserProfiles", "dashboardUsageStats"],
            ui: &["show", "createNew", "showWriteControls", "saveQuery"],
            saved_object_all: &["dashboard", "query"],
            saved_object_read: &["index-pattern", "search", "visualization"],
        },
        read: FeaturePrivilege {
            api: &["bulkGetUserProfiles", "dashboardUsageStats"],
            ui: &["show"],
            saved_object_all: &[],
            saved_object_read: &[
                "dashboard",
                "index-pattern",
                "search",
                "visualization",
                "query",
            ],
        },
        sub_features: &[],
    },
    Feature {
        id: "dev_tools",
        name: "Dev Tools",
        app: &["dev_tools"],
        catalogue: &["console", "searchprofiler", "grokdebugger"],
        all: FeaturePrivilege {
            api: &["console"],
            ui: &["show", "save"],
            saved_object_all: &[],
            saved_object_read: &[],
        },
        read: FeaturePrivilege {
            api: &["console"],
            ui: &["show"],
            saved_object_all: &[],
            saved_object_read: &[],
        },
        sub_features: &[],
    },
    Feature {
        id: "management",
        name: "Stack Management",
        app: &["management"],
        catalogue: &["management"],
        all: FeaturePrivilege {
            api: &["management"],
            ui: &["show", "save"],
            saved_object_all: &["config"],
            saved_object_read: &[],
        },
        read: FeaturePrivilege {
            api: &["management"],
            ui: &["show"],
            saved_object_all: &[],
            saved_object_read: &["config"],
        },
        sub_features: &[],
    },
    Feature {
        id: gatehouse_api::search::FEATURE_ID,
        name: "Search",
        app: &[gatehouse_api::search::APP_ID],
        catalogue: &[gatehouse_api::search::APP_ID],
        all: FeaturePrivilege {
            api: &[gatehouse_api::search::SEARCH_API_TAG],
            ui: &["show"],
            saved_object_all: &[],
            saved_object_read: &[],
        },
        read: FeaturePrivilege {
            api: &[gatehouse_api::search::SEARCH_API_TAG],
            ui: &["show"],
            saved_object_all: &[],
            saved_object_read: &[],
        },
        // Managing sources, documents and identities decides who reads which document, so it is
        // a privilege of its own (docs/privileges.md#sub-feature-privileges): `minimal_all`
        // searches without it.
        sub_features: &[SubFeature {
            name: "Manage sources and document permissions",
            privilege_groups: &[PrivilegeGroup {
                group_type: PrivilegeGroupType::Independent,
                privileges: &[SubFeaturePrivilege {
                    id: gatehouse_api::search::MANAGE_PRIVILEGE_ID,
                    name: "Manage sources, documents and external identities",
                    include_in: IncludeIn::All,
                    grants: FeaturePrivilege {
                        api: &[gatehouse_api::search::MANAGE_API_TAG],
                        ui: &[gatehouse_api::search::MANAGE_CAPABILITY],
                        saved_object_all: &[],
                        saved_object_read: &[],
                    },
                }],
            }],
        }],
    },
];

/// Apps that no feature guards: every signed-in user sees them.
pub const UNGUARDED_APPS: &[&str] = &["home"];

/// The registry category of a feature (`id`, `label`), as Kibana's feature listing shows it.
pub fn feature_category(id: &str) -> (&'static str, &'static str) {
    match id {
        "securitySolution" => ("securitySolution", "Security"),
        "dashboard" => ("kibana", "Analytics"),
        gatehouse_api::search::FEATURE_ID => ("enterpriseSearch", "Search"),
        _ => ("management", "Management"),
    }
}

pub fn feature(id: &str) -> Option<&'static Feature> {
    FEATURES.iter().find(|f| f.id == id)
}

const SAVED_OBJECT_READ_OPS: &[&str] = &[
    "bulk_get",
    "get",
    "find",
    "open_point_in_time",
    "close_point_in_time",
];
const SAVED_OBJECT_WRITE_OPS: &[&str] = &[
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "delete",
    "bulk_delete",
    "share_to_space",
];

/// The saved-object operation that stands for Kibana's `manage_access_control` privilege.
pub const MANAGE_ACCESS_CONTROL: &str = "manage_access_control";
pub const LOGIN_ACTION: &str = "login:";
pub const SPACE_MANAGE_ACTION: &str = "space:manage";

pub fn api_action(tag: &str) -> String {
    format!("api:{tag}")
}

pub fn app_action(app: &str) -> String {
    format!("app:{app}")
}

pub fn ui_action(section: &str, cap: &str) -> String {
    format!("ui:{section}/{cap}")
}

pub fn saved_object_action(object_type: &str, op: &str) -> String {
    format!("saved_object:{object_type}/{op}")
}

/// The actions one primary feature privilege (`all` or `read`, sub-feature privileges included)
/// grants.
pub fn feature_privilege_action_set(feature: &Feature, all: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    feature_level_actions(feature, FeatureLevel::Primary { all }, &mut out);
    out
}

/// The actions one privilege a role may hold on a feature grants (`minimal_all`, a sub-feature
/// privilege, …).
pub fn feature_level_action_set(feature: &Feature, level: FeatureLevel) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    feature_level_actions(feature, level, &mut out);
    out
}

fn feature_privilege_actions(feature: &Feature, all: bool, out: &mut BTreeSet<String>) {
    feature_level_actions(feature, FeatureLevel::Primary { all }, out);
}

/// Kibana's expansion: `minimal_*` is the primary privilege alone, `all`/`read` add the
/// sub-feature privileges included in them, a sub-feature privilege grants its own actions.
fn feature_level_actions(feature: &Feature, level: FeatureLevel, out: &mut BTreeSet<String>) {
    out.insert(LOGIN_ACTION.to_string());
    match level {
        FeatureLevel::Primary { all } => {
            base_privilege_actions(feature, all, out);
            for sub in feature
                .sub_feature_privileges()
                .filter(|p| p.include_in.included_in(all))
            {
                grant_actions(feature.id, &sub.grants, out);
            }
        }
        FeatureLevel::Minimal { all } => base_privilege_actions(feature, all, out),
        FeatureLevel::SubFeature(sub) => grant_actions(feature.id, &sub.grants, out),
    }
}

fn base_privilege_actions(feature: &Feature, all: bool, out: &mut BTreeSet<String>) {
    for app in feature.app {
        out.insert(app_action(app));
        out.insert(ui_action("navLinks", app));
    }
    out.extend(feature.catalogue.iter().map(|c| ui_action("catalogue", c)));
    grant_actions(
        feature.id,
        if all { &feature.all } else { &feature.read },
        out,
    );
}

fn grant_actions(feature_id: &str, privilege: &FeaturePrivilege, out: &mut BTreeSet<String>) {
    out.extend(privilege.api.iter().map(|t| api_action(t)));
    out.extend(privilege.ui.iter().map(|c| ui_action(feature_id, c)));
    for object_type in privilege.saved_object_all {
        for op in SAVED_OBJECT_READ_OPS.iter().chain(SAVED_OBJECT_WRITE_OPS) {
            out.insert(saved_object_action(object_type, op));
        }
    }
    for object_type in privilege.saved_object_read {
        for op in SAVED_OBJECT_READ_OPS {
            out.insert(saved_object_action(object_type, op));
        }
    }
}

/// The actions one `kibana-.kibana` application privilege grants. Unknown names grant nothing;
/// `*` is handled by [`KibanaGrants`] (it grants every action, known or not).
pub fn expand_privilege(privilege: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match privilege {
        "all" | "space_all" => {
            for feature in FEATURES {
                feature_privilege_actions(feature, true, &mut out);
            }
            out.insert(ui_action("spaces", "manage"));
            // `manage_access_control`: only `all` on the space lets a user change other users'
            // write-restricted objects, their access mode and their owner.
            for object_type in FEATURES.iter().flat_map(|f| f.all.saved_object_all) {
                out.insert(saved_object_action(object_type, MANAGE_ACCESS_CONTROL));
            }
            if privilege == "all" {
                out.insert(SPACE_MANAGE_ACTION.to_string());
                out.insert(api_action("manage_spaces"));
            }
        }
        "read" | "space_read" => {
            for feature in FEATURES {
                feature_privilege_actions(feature, false, &mut out);
            }
        }
        other => {
            if let Some((id, level)) = other
                .strip_prefix("feature_")
                .and_then(|rest| rest.rsplit_once('.'))
            {
                if let Some(feature) = feature(id) {
                    if let Some(level) = FeatureLevel::parse(feature, level) {
                        feature_level_actions(feature, level, &mut out);
                    }
                }
            }
        }
    }
    out
}

/// Every Kibana action a subject holds on one resource (`space:<id>` or `*`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KibanaGrants {
    /// Holds the `*` application privilege: every action, known or not.
    pub everything: bool,
    pub actions: HashSet<String>,
}

impl KibanaGrants {
    pub fn allows(&self, action: &str) -> bool {
        self.everything || self.actions.contains(action)
    }
}

pub fn space_resource(space: &str) -> String {
    format!("space:{space}")
}

/// Grants of `application` on `resource`; a grant counts only when its resource pattern covers
/// the requested resource (so `*` covers `space:default`, `space:default` does not cover `*`).
pub fn application_grants(subject: &Subject, application: &str, resource: &str) -> KibanaGrants {
    let mut grants = KibanaGrants::default();
    for privilege in privileges_on(subject, application, resource) {
        if privilege == "*" {
            grants.everything = true;
        } else if application == KIBANA_APPLICATION {
            grants.actions.extend(expand_privilege(privilege));
        }
    }
    grants
}

/// The application privileges a subject's roles name for `application` on `resource` (those
/// whose resource pattern covers it).
fn privileges_on<'a>(
    subject: &'a Subject,
    application: &'a str,
    resource: &'a str,
) -> impl Iterator<Item = &'a str> {
    subject
        .roles
        .iter()
        .flat_map(|role| &role.applications)
        .filter(move |grant| {
            wildcard_match(&grant.application, application)
                && grant.resources.iter().any(|r| pattern_covers(r, resource))
        })
        .flat_map(|grant| grant.privileges.iter().map(String::as_str))
}

/// The privileges a subject's roles hold on a feature in a space, as the registry reads their
/// names: base `all`/`space_all`/`*` are the feature's `all`, `read`/`space_read` its `read`,
/// `feature_<id>.<privilege>` is parsed by [`FeatureLevel::parse`]. Effective access says the
/// level from these, so `minimal_all` reads as All even where it grants no more actions than
/// `read` (Search; docs/effective-access.md).
pub fn named_feature_levels(
    subject: &Subject,
    space: &str,
    feature: &Feature,
) -> Vec<FeatureLevel> {
    let resource = space_resource(space);
    let prefix = format!("feature_{}.", feature.id);
    privileges_on(subject, KIBANA_APPLICATION, &resource)
        .filter_map(|privilege| match privilege {
            "*" | "all" | "space_all" => Some(FeatureLevel::Primary { all: true }),
            "read" | "space_read" => Some(FeatureLevel::Primary { all: false }),
            other => FeatureLevel::parse(feature, other.strip_prefix(&prefix)?),
        })
        .collect()
}

pub fn kibana_grants(subject: &Subject, space: &str) -> KibanaGrants {
    application_grants(subject, KIBANA_APPLICATION, &space_resource(space))
}

/// The answer to "may this subject perform these Kibana actions in this space?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KibanaCheck {
    pub missing: Vec<String>,
}

impl KibanaCheck {
    pub fn allowed(&self) -> bool {
        self.missing.is_empty()
    }
}

/// The one Kibana action check: route guards and capabilities both ask it.
pub fn check_kibana_actions(subject: &Subject, space: &str, actions: &[&str]) -> KibanaCheck {
    let grants = kibana_grants(subject, space);
    check_with(&grants, actions)
}

fn check_with(grants: &KibanaGrants, actions: &[&str]) -> KibanaCheck {
    KibanaCheck {
        missing: actions
            .iter()
            .filter(|a| !grants.allows(a))
            .map(|a| a.to_string())
            .collect(),
    }
}

/// The UI capabilities (`POST /api/core/capabilities`) of a subject in a space: `navLinks` from
/// `app:<id>`, `catalogue` from `ui:catalogue/<id>`, one section per feature from
/// `ui:<feature>/<cap>`; each entry is the answer of [`check_kibana_actions`] for that action.
pub fn capabilities(subject: &Subject, space: &str) -> BTreeMap<String, Value> {
    let grants = kibana_grants(subject, space);
    let allowed = |action: String| check_with(&grants, &[action.as_str()]).allowed();
    let mut nav = Map::new();
    let mut catalogue = Map::new();
    let mut sections = BTreeMap::new();
    for app in UNGUARDED_APPS {
        nav.insert(app.to_string(), Value::Bool(true));
    }
    for feature in FEATURES {
        for app in feature.app {
            let granted =
                allowed(app_action(app)) || nav.get(*app).and_then(Value::as_bool).unwrap_or(false);
            nav.insert(app.to_string(), Value::Bool(granted));
        }
        for entry in feature.catalogue {
            catalogue.insert(
                entry.to_string(),
                Value::Bool(allowed(ui_action("catalogue", entry))),
            );
        }
        let mut section = Map::new();
        let sub_caps = feature.sub_feature_privileges().flat_map(|p| p.grants.ui);
        for cap in feature.all.ui.iter().chain(feature.read.ui).chain(sub_caps) {
            section.insert(
                cap.to_string(),
                Value::Bool(allowed(ui_action(feature.id, cap))),
            );
        }
        sections.insert(feature.id.to_string(), Value::Object(section));
    }
    // Kibana nests its security management capabilities under `management.security`; the audit
    // log's follows the privilege its routes check (docs/audit-log.md).
    if let Some(Value::Object(management)) = sections.get_mut("management") {
        let audit_log = super::check_security_action(subject, super::SecurityAction::AuditRead);
        management.insert(
            gatehouse_api::audit::CAPABILITY_APP.into(),
            json!({ (gatehouse_api::audit::CAPABILITY_KEY): audit_log.is_ok() }),
        );
    }
    sections.insert("navLinks".into(), Value::Object(nav));
    sections.insert("catalogue".into(), Value::Object(catalogue));
    sections.insert(
        "spaces".into(),
        json!({ "manage": allowed(ui_action("spaces", "manage")) }),
    );
    sections
}

/// A role with Kibana `privileges` of one feature (`read`, `minimal_all`, a sub-feature
/// privilege id) on `resource` (`*` or `space:<id>`).
#[cfg(test)]
pub(crate) fn feature_role(
    feature: &str,
    privileges: &[&str],
    resource: &str,
) -> gatehouse_api::admin::RoleDescriptor {
    gatehouse_api::admin::RoleDescriptor {
        applications: vec![gatehouse_api::security::ApplicationPrivilegeGrant {
            application: KIBANA_APPLICATION.into(),
            privileges: privileges
                .iter()
                .map(|p| format!("feature_{feature}.{p}"))
                .collect(),
            resources: vec![resource.into()],
        }],
        ..Default::default()
    }
}

#[cfg(test)]
mod sub_feature_tests {
    use gatehouse_api::search::{FEATURE_ID, MANAGE_API_TAG, MANAGE_CAPABILITY, SEARCH_API_TAG};

    use super::*;

    fn search_user(privileges: &[&str]) -> Subject {
        Subject {
            username: "u".into(),
            role_names: vec!["r".into()],
            roles: vec![feature_role(
                FEATURE_ID,
                privileges,
                &space_resource("default"),
            )],
        }
    }

    fn can(subject: &Subject, tag: &str) -> bool {
        check_kibana_actions(subject, "default", &[&api_action(tag)]).allowed()
    }

    #[test]
    fn all_includes_the_sub_feature_privilege_and_minimal_all_does_not() {
        let all = search_user(&["all"]);
        assert!(can(&all, SEARCH_API_TAG) && can(&all, MANAGE_API_TAG));
        let minimal = search_user(&["minimal_all"]);
        assert!(can(&minimal, SEARCH_API_TAG));
        assert!(!can(&minimal, MANAGE_API_TAG));
        let customized = search_user(&["minimal_all", "manage_sources"]);
        assert!(can(&customized, MANAGE_API_TAG));
        let read = search_user(&["read"]);
        assert!(can(&read, SEARCH_API_TAG) && !can(&read, MANAGE_API_TAG));
        // Base `all` covers every feature with every sub-feature privilege, as in Kibana.
        assert!(expand_privilege("all").contains(&api_action(MANAGE_API_TAG)));
        assert!(expand_privilege("space_all").contains(&api_action(MANAGE_API_TAG)));
        assert!(!expand_privilege("read").contains(&api_action(MANAGE_API_TAG)));
    }

    #[test]
    fn capabilities_follow_sub_feature_privileges() {
        let caps = |s: &Subject| capabilities(s, "default")[FEATURE_ID].clone();
        assert_eq!(caps(&search_user(&["all"]))[MANAGE_CAPABILITY], true);
        assert_eq!(
            caps(&search_user(&["minimal_all"]))[MANAGE_CAPABILITY],
            false
        );
        assert_eq!(caps(&search_user(&["minimal_all"]))["show"], true);
        assert_eq!(
            caps(&search_user(&["minimal_read", "manage_sources"]))[MANAGE_CAPABILITY],
            true
        );
    }

    #[test]
    fn features_support_only_registered_privileges() {
        let search = feature(FEATURE_ID).expect("search is registered");
        for p in [
            "all",
            "read",
            "minimal_all",
            "minimal_read",
            "manage_sources",
        ] {
            assert!(search.supports_privilege(p), "{p}");
        }
        assert!(!search.supports_privilege("manage"));
        let dashboard = feature("dashboard").expect("dashboard is registered");
        assert!(!dashboard.supports_privilege("manage_sources"));
        // Sub-feature privilege ids never shadow the primary ones.
        for f in FEATURES {
            for p in f.sub_feature_privileges() {
                assert!(!p.id.starts_with("minimal_") && p.id != "all" && p.id != "read");
            }
        }
    }
}

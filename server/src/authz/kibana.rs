//! Kibana's application privileges: the feature registry, the actions privileges expand to,
//! the action checks and the UI capabilities computed from the same grants.

use std::collections::{BTreeMap, BTreeSet, HashSet};

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
    pub all: FeaturePrivilege,
    pub read: FeaturePrivilege,
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
    },
    Feature {
        id: gatehouse_api::search::FEATURE_ID,
        name: "Search",
        app: &[gatehouse_api::search::APP_ID],
        catalogue: &[gatehouse_api::search::APP_ID],
        all: FeaturePrivilege {
            api: &[
                gatehouse_api::search::SEARCH_API_TAG,
                gatehouse_api::search::MANAGE_API_TAG,
            ],
            ui: &["show", gatehouse_api::search::MANAGE_CAPABILITY],
            saved_object_all: &[],
            saved_object_read: &[],
        },
        read: FeaturePrivilege {
            api: &[gatehouse_api::search::SEARCH_API_TAG],
            ui: &["show"],
            saved_object_all: &[],
            saved_object_read: &[],
        },
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

/// The actions one feature privilege (`all` or `read`) grants.
pub fn feature_privilege_action_set(feature: &Feature, all: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    feature_privilege_actions(feature, all, &mut out);
    out
}

fn feature_privilege_actions(feature: &Feature, all: bool, out: &mut BTreeSet<String>) {
    let privilege = if all { &feature.all } else { &feature.read };
    out.insert(LOGIN_ACTION.to_string());
    out.extend(privilege.api.iter().map(|t| api_action(t)));
    for app in feature.app {
        out.insert(app_action(app));
        out.insert(ui_action("navLinks", app));
    }
    out.extend(feature.catalogue.iter().map(|c| ui_action("catalogue", c)));
    out.extend(privilege.ui.iter().map(|c| ui_action(feature.id, c)));
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
                    match level {
                        "all" | "minimal_all" => feature_privilege_actions(feature, true, &mut out),
                        "read" | "minimal_read" => {
                            feature_privilege_actions(feature, false, &mut out)
                        }
                        _ => {}
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
    for grant in subject.roles.iter().flat_map(|role| &role.applications) {
        if !wildcard_match(&grant.application, application) {
            continue;
        }
        if !grant.resources.iter().any(|r| pattern_covers(r, resource)) {
            continue;
        }
        for privilege in &grant.privileges {
            if privilege == "*" {
                grants.everything = true;
            } else if application == KIBANA_APPLICATION {
                grants.actions.extend(expand_privilege(privilege));
            }
        }
    }
    grants
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
        for cap in feature.all.ui.iter().chain(feature.read.ui) {
            section.insert(
                cap.to_string(),
                Value::Bool(allowed(ui_action(feature.id, cap))),
            );
        }
        sections.insert(feature.id.to_string(), Value::Object(section));
    }
    sections.insert("navLinks".into(), Value::Object(nav));
    sections.insert("catalogue".into(), Value::Object(catalogue));
    sections.insert(
        "spaces".into(),
        json!({ "manage": allowed(ui_action("spaces", "manage")) }),
    );
    sections
}

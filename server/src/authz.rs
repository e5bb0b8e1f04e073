//! The one authorization module. Every route guard, capability and index check asks it.
//!
//! It models the two privilege systems Kibana sits on (contract §6):
//! - Elasticsearch index privileges: role patterns granted on requested patterns
//!   ([`pattern_covers`]), privilege implication ([`index_privilege_implies`]) and
//!   `_has_privileges` ([`has_privileges`]).
//! - Kibana application privileges (`kibana-.kibana`): base (`all`, `read`), space
//!   (`space_all`, `space_read`) and feature (`feature_<id>.<all|read>`) privileges expand into
//!   actions (`login:`, `api:<tag>`, `app:<id>`, `ui:<feature>/<cap>`, `saved_object:<type>/<op>`),
//!   checked by [`check_kibana_actions`]. UI capabilities ([`capabilities`]) are computed with the
//!   same function, so a capability and a route guard can never disagree.
//!
//! Everything here is pure: no I/O, no clock.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use gatehouse_api::admin::{IndexPrivileges, RoleDescriptor};
use gatehouse_api::dashboards::{access_permissions, DashboardAccessMode};
use gatehouse_api::security::KIBANA_APPLICATION;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------
// Subjects and built-in roles
// ---------------------------------------------------------------------------------------------

/// Who is asking: the user name, the role names as assigned, and the resolved role bodies
/// (unknown role names resolve to nothing, as in Elasticsearch).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Subject {
    pub username: String,
    pub role_names: Vec<String>,
    pub roles: Vec<RoleDescriptor>,
}

impl Subject {
    /// `kibana_admin,leads_read_only`: sorted, comma-separated, as Elasticsearch's messages print
    /// "effective roles".
    pub fn effective_roles(&self) -> String {
        let sorted: BTreeSet<&str> = self.role_names.iter().map(String::as_str).collect();
        sorted.into_iter().collect::<Vec<_>>().join(",")
    }
}

pub const SUPERUSER: &str = "superuser";
pub const KIBANA_ADMIN: &str = "kibana_admin";
pub const EDITOR: &str = "editor";
pub const VIEWER: &str = "viewer";

/// Elasticsearch's name for "every index whose name does not start with `.`" (and not
/// `ilm-history-*`), as the `editor` and `viewer` roles grant it. See [`grant_name_covers`].
pub const NON_DOT_INDICES: &str = "/~(([.]|ilm-history-).*)/";

/// Reserved roles are built in and cannot be stored, edited or deleted.
pub fn reserved_role(name: &str) -> Option<RoleDescriptor> {
    let reserved = json!({ "_reserved": true });
    match name {
        SUPERUSER => Some(RoleDescriptor {
            cluster: vec!["all".into()],
            indices: vec![IndexPrivileges {
                names: vec!["*".into()],
                privileges: vec!["all".into()],
                ..IndexPrivileges::default()
            }],
            applications: vec![app_grant("*", &["*"], &["*"])],
            run_as: vec!["*".into()],
            metadata: reserved,
            description: Some("Grants full access to cluster management and data indices.".into()),
        }),
        KIBANA_ADMIN => Some(RoleDescriptor {
            applications: vec![app_grant(KIBANA_APPLICATION, &["all"], &["*"])],
            metadata: reserved,
            description: Some("Grants access to all features in Kibana.".into()),
            ..RoleDescriptor::default()
        }),
        EDITOR | VIEWER => {
            let editor = name == EDITOR;
            Some(RoleDescriptor {
                indices: vec![IndexPrivileges {
                    names: vec![NON_DOT_INDICES.into()],
                    privileges: vec!["read".into(), "view_index_metadata".into()],
                    ..IndexPrivileges::default()
                }],
                applications: vec![app_grant(
                    KIBANA_APPLICATION,
                    &[if editor { "all" } else { "read" }],
                    &["*"],
                )],
                metadata: reserved,
                description: Some(if editor {
                    "Grants full access to all features in Kibana (including Solutions) and read-only access to data indices.".into()
                } else {
                    "Grants read-only access to all features in Kibana (including Solutions) and to data indices.".into()
                }),
                ..RoleDescriptor::default()
            })
        }
        _ => None,
    }
}

/// Sorted by name.
pub fn reserved_role_names() -> &'static [&'static str] {
    &[EDITOR, KIBANA_ADMIN, SUPERUSER, VIEWER]
}

/// Does one role grant's index name cover the requested name or pattern? Wildcard patterns are
/// compared with [`pattern_covers`]; [`NON_DOT_INDICES`] covers a request only when every name the
/// request can match is outside it: it starts with a literal character other than `.`, and its
/// literal prefix cannot begin `ilm-history-`.
pub fn grant_name_covers(grant: &str, requested: &str) -> bool {
    if grant == NON_DOT_INDICES {
        let prefix: String = requested
            .chars()
            .take_while(|c| *c != '*' && *c != '?')
            .collect();
        const ILM: &str = "ilm-history-";
        return !(prefix.is_empty()
            || prefix.starts_with('.')
            || ILM.starts_with(prefix.as_str())
            || prefix.starts_with(ILM));
    }
    pattern_covers(grant, requested)
}

pub fn app_grant(
    application: &str,
    privileges: &[&str],
    resources: &[&str],
) -> gatehouse_api::security::ApplicationPrivilegeGrant {
    gatehouse_api::security::ApplicationPrivilegeGrant {
        application: application.into(),
        privileges: privileges.iter().map(|p| p.to_string()).collect(),
        resources: resources.iter().map(|r| r.to_string()).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Wildcard patterns
// ---------------------------------------------------------------------------------------------

/// Does `pattern` (with `*` and `?`) name the literal `text`?
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Classic greedy matcher with backtracking to the last star.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Rewrites every run of wildcards as its `?`s followed by at most one `*` (`*?*` → `?*`): both
/// spellings name the same strings, and the canonical form lets [`pattern_covers`] compare them.
fn canonical_pattern(pattern: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '*' || c == '?' {
            let (mut questions, mut star) = (usize::from(c == '?'), c == '*');
            while let Some(&next) = chars.peek() {
                match next {
                    '?' => questions += 1,
                    '*' => star = true,
                    _ => break,
                }
                chars.next();
            }
            out.extend(std::iter::repeat_n('?', questions));
            if star {
                out.push('*');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Wildcard inclusion: is every index name the `requested` pattern can name also named by the
/// `role` pattern? Patterns are compared as patterns: a `*` in the request can only be consumed by
/// a `*` in the role pattern, a `?` in the request by a `?` or `*`, a literal by itself or a
/// wildcard. `.entity_analytics.*` covers `.entity_analytics.entity-leads-*`;
/// `.entity_analytics.entity-leads-default` does not; `*` covers everything.
///
/// Sound (never grants more than the role names); for exotic pattern pairs it may deny an
/// inclusion that holds, which errs on the side of refusing.
pub fn pattern_covers(role: &str, requested: &str) -> bool {
    let r = canonical_pattern(role);
    let q = canonical_pattern(requested);
    // reach[j] = role prefix r[..i] can consume requested prefix q[..j].
    let mut reach = vec![false; q.len() + 1];
    reach[0] = true;
    for &rc in &r {
        let mut next = vec![false; q.len() + 1];
        if rc == '*' {
            // A star consumes any suffix, including wildcards of the request.
            let mut any = false;
            for j in 0..=q.len() {
                any |= reach[j];
                next[j] = any;
            }
        } else {
            for j in 0..q.len() {
                if !reach[j] {
                    continue;
                }
                let qc = q[j];
                let ok = match rc {
                    '?' => qc != '*',
                    literal => qc == literal,
                };
                if ok {
                    next[j + 1] = true;
                }
            }
        }
        reach = next;
    }
    reach[q.len()]
}

// ---------------------------------------------------------------------------------------------
// Index and cluster privileges
// ---------------------------------------------------------------------------------------------

/// Does holding index privilege `granted` imply `requested`?
/// `all` ⊇ everything; `write` ⊇ index, create, create_doc, delete, update; `index` ⊇ create,
/// create_doc, update; `create` ⊇ create_doc; `manage` ⊇ create_index, delete_index, monitor,
/// view_index_metadata, maintenance, manage_ilm. `read` is not implied by `write`.
pub fn index_privilege_implies(granted: &str, requested: &str) -> bool {
    if granted == requested || granted == "all" || granted == "*" {
        return true;
    }
    let implied: &[&str] = match granted {
        "write" => &["index", "create", "create_doc", "delete", "update"],
        "index" => &["create", "create_doc", "update"],
        "create" => &["create_doc"],
        "manage" => &[
            "create_index",
            "delete_index",
            "monitor",
            "view_index_metadata",
            "maintenance",
            "manage_ilm",
            "manage_data_stream_lifecycle",
        ],
        _ => &[],
    };
    implied.contains(&requested)
}

/// Does holding cluster privilege `granted` imply `requested`?
pub fn cluster_privilege_implies(granted: &str, requested: &str) -> bool {
    if granted == requested || granted == "all" || granted == "*" {
        return true;
    }
    let implied: &[&str] = match granted {
        "manage_security" => &[
            "read_security",
            "manage_api_key",
            "manage_own_api_key",
            "manage_user_profile",
            "manage_service_account",
        ],
        "manage" => &[
            "monitor",
            "manage_index_templates",
            "manage_ilm",
            "manage_pipeline",
        ],
        "manage_api_key" => &["manage_own_api_key"],
        _ => &[],
    };
    implied.contains(&requested)
}

/// One index privilege on one index name or pattern.
pub fn has_index_privilege(subject: &Subject, index: &str, privilege: &str) -> bool {
    subject
        .roles
        .iter()
        .flat_map(|role| &role.indices)
        .any(|grant| {
            grant
                .privileges
                .iter()
                .any(|g| index_privilege_implies(g, privilege))
                && grant
                    .names
                    .iter()
                    .any(|name| grant_name_covers(name, index))
        })
}

pub fn has_cluster_privilege(subject: &Subject, privilege: &str) -> bool {
    subject
        .roles
        .iter()
        .flat_map(|role| &role.cluster)
        .any(|g| cluster_privilege_implies(g, privilege))
}

/// An Elasticsearch `_has_privileges` request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HasPrivilegesRequest {
    #[serde(default)]
    pub cluster: Vec<String>,
    #[serde(default)]
    pub index: Vec<IndexCheck>,
    #[serde(default)]
    pub application: Vec<ApplicationCheck>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexCheck {
    pub names: Vec<String>,
    pub privileges: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ApplicationCheck {
    pub application: String,
    pub resources: Vec<String>,
    pub privileges: Vec<String>,
}

/// An Elasticsearch `_has_privileges` answer (without `username`, which the caller adds).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HasPrivilegesResult {
    pub has_all_requested: bool,
    pub cluster: BTreeMap<String, bool>,
    pub index: BTreeMap<String, BTreeMap<String, bool>>,
    pub application: BTreeMap<String, BTreeMap<String, BTreeMap<String, bool>>>,
}

impl HasPrivilegesResult {
    pub fn index_privilege(&self, index: &str, privilege: &str) -> bool {
        self.index
            .get(index)
            .and_then(|p| p.get(privilege))
            .copied()
            .unwrap_or(false)
    }
}

/// `_has_privileges` semantics: every requested privilege on every requested resource, answered
/// per resource; `has_all_requested` only when all are granted.
pub fn has_privileges(subject: &Subject, request: &HasPrivilegesRequest) -> HasPrivilegesResult {
    let mut result = HasPrivilegesResult::default();
    for privilege in &request.cluster {
        result
            .cluster
            .insert(privilege.clone(), has_cluster_privilege(subject, privilege));
    }
    for check in &request.index {
        for name in &check.names {
            let entry = result.index.entry(name.clone()).or_default();
            for privilege in &check.privileges {
                entry.insert(
                    privilege.clone(),
                    has_index_privilege(subject, name, privilege),
                );
            }
        }
    }
    for check in &request.application {
        let app = result
            .application
            .entry(check.application.clone())
            .or_default();
        for resource in &check.resources {
            let grants = application_grants(subject, &check.application, resource);
            let entry = app.entry(resource.clone()).or_default();
            for privilege in &check.privileges {
                let granted = if privilege.contains(':') {
                    grants.allows(privilege)
                } else {
                    let actions = expand_privilege(privilege);
                    !actions.is_empty() && actions.iter().all(|a| grants.allows(a))
                };
                entry.insert(privilege.clone(), granted);
            }
        }
    }
    result.has_all_requested = result.cluster.values().all(|&v| v)
        && result.index.values().flat_map(|p| p.values()).all(|&v| v)
        && result
            .application
            .values()
            .flat_map(|r| r.values())
            .flat_map(|p| p.values())
            .all(|&v| v);
    result
}

/// The index-only form the leads routes use.
pub fn has_index_privileges(
    subject: &Subject,
    patterns: &[&str],
    privileges: &[&str],
) -> HasPrivilegesResult {
    has_privileges(
        subject,
        &HasPrivilegesRequest {
            index: vec![IndexCheck {
                names: patterns.iter().map(|p| p.to_string()).collect(),
                privileges: privileges.iter().map(|p| p.to_string()).collect(),
            }],
            ..Default::default()
        },
    )
}

/// Elasticsearch index actions the leads routes perform, with the privileges that grant them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexAction {
    Search,
    Bulk,
    Update,
    Index,
}

impl IndexAction {
    pub fn name(self) -> &'static str {
        match self {
            IndexAction::Search => "indices:data/read/search",
            IndexAction::Bulk => "indices:data/write/bulk",
            IndexAction::Update => "indices:data/write/update",
            IndexAction::Index => "indices:data/write/index",
        }
    }

    /// Every privilege that grants the action, in Elasticsearch's message order.
    pub fn granted_by(self) -> &'static [&'static str] {
        match self {
            IndexAction::Search => &["read", "all"],
            IndexAction::Bulk | IndexAction::Index => {
                &["create_doc", "create", "index", "write", "all"]
            }
            IndexAction::Update => &["index", "write", "all"],
        }
    }
}

/// Is `action` allowed on the concrete `index`? On denial, the Elasticsearch error message:
/// `security_exception: action [..] is unauthorized for user [..] with effective roles [..] on
/// indices [..], this action is granted by the index privileges [..]`.
pub fn check_index_action(
    subject: &Subject,
    index: &str,
    action: IndexAction,
) -> Result<(), String> {
    if action
        .granted_by()
        .iter()
        .any(|p| has_index_privilege(subject, index, p))
    {
        return Ok(());
    }
    Err(format!(
        "security_exception: action [{}] is unauthorized for user [{}] with effective roles [{}] on indices [{}], this action is granted by the index privileges [{}]",
        action.name(),
        subject.username,
        subject.effective_roles(),
        index,
        action.granted_by().join(",")
    ))
}

// ---------------------------------------------------------------------------------------------
// Security administration (cluster actions)
// ---------------------------------------------------------------------------------------------

/// Elasticsearch security-management actions, with the cluster privileges that grant them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityAction {
    RolePut,
    RoleGet,
    RoleDelete,
    UserPut,
    UserGet,
    UserDelete,
    UserSetEnabled,
    UserChangePassword,
}

impl SecurityAction {
    pub fn name(self) -> &'static str {
        match self {
            SecurityAction::RolePut => "cluster:admin/xpack/security/role/put",
            SecurityAction::RoleGet => "cluster:admin/xpack/security/role/get",
            SecurityAction::RoleDelete => "cluster:admin/xpack/security/role/delete",
            SecurityAction::UserPut => "cluster:admin/xpack/security/user/put",
            SecurityAction::UserGet => "cluster:admin/xpack/security/user/get",
            SecurityAction::UserDelete => "cluster:admin/xpack/security/user/delete",
            SecurityAction::UserSetEnabled => "cluster:admin/xpack/security/user/set_enabled",
            SecurityAction::UserChangePassword => {
                "cluster:admin/xpack/security/user/change_password"
            }
        }
    }

    /// The cluster privileges that grant the action, in Elasticsearch's message order.
    pub fn granted_by(self) -> &'static [&'static str] {
        match self {
            SecurityAction::RoleGet | SecurityAction::UserGet => {
                &["read_security", "manage_security", "all"]
            }
            _ => &["manage_security", "all"],
        }
    }
}

/// May `subject` perform a security-management action? On denial, Elasticsearch's reason:
/// `action [..] is unauthorized for user [..] with effective roles [..], this action is granted
/// by the cluster privileges [manage_security,all]`.
pub fn check_security_action(subject: &Subject, action: SecurityAction) -> Result<(), String> {
    if action
        .granted_by()
        .iter()
        .any(|p| has_cluster_privilege(subject, p))
    {
        return Ok(());
    }
    Err(format!(
        "action [{}] is unauthorized for user [{}] with effective roles [{}], this action is granted by the cluster privileges [{}]",
        action.name(),
        subject.username,
        subject.effective_roles(),
        action.granted_by().join(",")
    ))
}

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
// Saved objects with access control (contract §4)
// ---------------------------------------------------------------------------------------------

/// Saved-object operations a route performs, as the `saved_object:<type>/<op>` actions name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedObjectOp {
    Get,
    Find,
    Create,
    Update,
    BulkUpdate,
    Delete,
    BulkDelete,
}

impl SavedObjectOp {
    pub fn name(self) -> &'static str {
        match self {
            SavedObjectOp::Get => "get",
            SavedObjectOp::Find => "find",
            SavedObjectOp::Create => "create",
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
        self.is_admin
            || (self.allows(SavedObjectOp::Update) && self.permissions(owner, mode).can_change_mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(indices: &[(&[&str], &[&str])], apps: &[(&str, &[&str], &[&str])]) -> RoleDescriptor {
        RoleDescriptor {
            indices: indices
                .iter()
                .map(|(names, privileges)| IndexPrivileges {
                    names: names.iter().map(|s| s.to_string()).collect(),
                    privileges: privileges.iter().map(|s| s.to_string()).collect(),
                    ..IndexPrivileges::default()
                })
                .collect(),
            applications: apps.iter().map(|(a, p, r)| app_grant(a, p, r)).collect(),
            ..RoleDescriptor::default()
        }
    }

    fn subject(name: &str, roles: &[(&str, RoleDescriptor)]) -> Subject {
        Subject {
            username: name.into(),
            role_names: roles.iter().map(|(n, _)| n.to_string()).collect(),
            roles: roles.iter().map(|(_, r)| r.clone()).collect(),
        }
    }

    const LEADS: &str = ".entity_analytics.entity-leads-*";
    const LEADS_DEFAULT: &str = ".entity_analytics.entity-leads-default";

    #[test]
    fn wildcard_match_literal_names() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("logs-*", "logs-a"));
        assert!(wildcard_match("l?gs-*-x", "logs-abc-x"));
        assert!(!wildcard_match("logs-*", "metrics-a"));
        assert!(wildcard_match("*a*b", "xxaybb"));
        assert!(!wildcard_match("a?", "a"));
    }

    #[test]
    fn pattern_covers_compares_patterns_not_strings() {
        assert!(pattern_covers(".entity_analytics.*", LEADS));
        assert!(pattern_covers(LEADS, LEADS));
        assert!(pattern_covers("*", LEADS));
        assert!(pattern_covers("*", "*"));
        assert!(pattern_covers(LEADS, LEADS_DEFAULT));
        assert!(!pattern_covers(LEADS_DEFAULT, LEADS));
        assert!(!pattern_covers(".entity_analytics.entity-leads-d*", LEADS));
        assert!(!pattern_covers("logs-*", "*"));
        assert!(!pattern_covers("logs-?", "logs-*"));
        assert!(pattern_covers("logs-*", "logs-?"));
        assert!(pattern_covers("logs-?", "logs-?"));
        assert!(!pattern_covers("logs-?", "logs-ab"));
        assert!(pattern_covers("*-*", "a-*-b"));
        assert!(!pattern_covers("*-*", "a*b"));
        // Equivalent spellings of wildcard runs.
        assert!(pattern_covers("?*", "*?"));
        assert!(pattern_covers("a**b", "a*b"));
        assert!(!pattern_covers("", "a"));
        assert!(pattern_covers("", ""));
    }

    #[test]
    fn non_dot_indices_never_cover_dot_or_open_patterns() {
        assert!(grant_name_covers(NON_DOT_INDICES, "logs-2024"));
        assert!(grant_name_covers(NON_DOT_INDICES, "logs-*"));
        assert!(!grant_name_covers(NON_DOT_INDICES, LEADS));
        assert!(!grant_name_covers(NON_DOT_INDICES, "*"));
        assert!(!grant_name_covers(NON_DOT_INDICES, "ilm-history-1"));
        assert!(!grant_name_covers(NON_DOT_INDICES, "il*"));
        let viewer = subject("v", &[("viewer", reserved_role(VIEWER).unwrap())]);
        assert!(!has_index_privileges(&viewer, &[LEADS], &["read"]).has_all_requested);
        assert!(has_index_privileges(&viewer, &["logs-*"], &["read"]).has_all_requested);
        assert!(check_kibana_actions(&viewer, "default", &["ui:dashboard/show"]).allowed());
        assert!(!check_kibana_actions(&viewer, "default", &["ui:dashboard/createNew"]).allowed());
        let editor = subject("e", &[("editor", reserved_role(EDITOR).unwrap())]);
        assert!(check_kibana_actions(&editor, "x", &["ui:dashboard/createNew"]).allowed());
        assert!(check_security_action(&editor, SecurityAction::UserGet).is_err());
        let root = subject(
            "elastic",
            &[("superuser", reserved_role(SUPERUSER).unwrap())],
        );
        assert!(check_security_action(&root, SecurityAction::RolePut).is_ok());
    }

    #[test]
    fn privilege_implication() {
        for p in [
            "read",
            "write",
            "index",
            "create_index",
            "manage",
            "delete",
            "monitor",
        ] {
            assert!(index_privilege_implies("all", p), "all ⊇ {p}");
        }
        for p in ["index", "create", "create_doc", "delete", "update", "write"] {
            assert!(index_privilege_implies("write", p), "write ⊇ {p}");
        }
        assert!(!index_privilege_implies("write", "read"));
        assert!(!index_privilege_implies("read", "write"));
        assert!(index_privilege_implies("manage", "create_index"));
        assert!(!index_privilege_implies("create_index", "manage"));
        assert!(!index_privilege_implies("write", "create_index"));
        assert!(cluster_privilege_implies(
            "manage_security",
            "read_security"
        ));
        assert!(!cluster_privilege_implies(
            "read_security",
            "manage_security"
        ));
    }

    #[test]
    fn has_privileges_answers_per_pattern_and_privilege() {
        let full = subject(
            "full",
            &[(
                "leads_full_access",
                role(&[(&[LEADS], &["read", "write", "create_index"])], &[]),
            )],
        );
        let read = subject(
            "reader",
            &[("leads_read_only", role(&[(&[LEADS], &["read"])], &[]))],
        );
        let narrow = subject(
            "narrow",
            &[("narrow", role(&[(&[LEADS_DEFAULT], &["all"])], &[]))],
        );
        let broad = subject(
            "broad",
            &[("broad", role(&[(&[".entity_analytics.*"], &["all"])], &[]))],
        );

        let r = has_index_privileges(&full, &[LEADS], &["read", "write"]);
        assert!(r.has_all_requested);
        assert!(r.index_privilege(LEADS, "write"));

        let r = has_index_privileges(&read, &[LEADS], &["read", "write"]);
        assert!(!r.has_all_requested);
        assert!(r.index_privilege(LEADS, "read"));
        assert!(!r.index_privilege(LEADS, "write"));

        // A grant on one concrete index does not grant the pattern, but does grant that index.
        let r = has_index_privileges(&narrow, &[LEADS, LEADS_DEFAULT], &["read"]);
        assert!(!r.index_privilege(LEADS, "read"));
        assert!(r.index_privilege(LEADS_DEFAULT, "read"));
        assert!(!r.has_all_requested);

        assert!(
            has_index_privileges(&broad, &[LEADS], &["read", "write", "create_index"])
                .has_all_requested
        );

        let none = subject(
            "none",
            &[("kibana_admin", reserved_role(KIBANA_ADMIN).unwrap())],
        );
        let r = has_index_privileges(&none, &[LEADS], &["read"]);
        assert_eq!(
            serde_json::to_value(&r.index).unwrap(),
            json!({ LEADS: { "read": false } })
        );
    }

    #[test]
    fn has_privileges_full_request() {
        let elastic = subject(
            "elastic",
            &[("superuser", reserved_role(SUPERUSER).unwrap())],
        );
        let request: HasPrivilegesRequest = serde_json::from_value(json!({
            "cluster": ["manage_security"],
            "index": [{"names": [LEADS], "privileges": ["read", "write"]}],
            "application": [{"application": "kibana-.kibana", "resources": ["space:default"], "privileges": ["login:", "all"]}]
        }))
        .unwrap();
        assert!(has_privileges(&elastic, &request).has_all_requested);

        let reader = subject(
            "bob",
            &[("leads_read_only", role(&[(&[LEADS], &["read"])], &[]))],
        );
        let r = has_privileges(&reader, &request);
        assert!(!r.has_all_requested);
        assert!(!r.cluster["manage_security"]);
        assert!(!r.application["kibana-.kibana"]["space:default"]["login:"]);
    }

    #[test]
    fn index_actions_name_the_granting_privileges() {
        let read = subject(
            "leads_read_user",
            &[
                ("leads_read_only", role(&[(&[LEADS], &["read"])], &[])),
                ("kibana_admin", reserved_role(KIBANA_ADMIN).unwrap()),
            ],
        );
        assert!(check_index_action(&read, LEADS_DEFAULT, IndexAction::Search).is_ok());
        assert_eq!(
            check_index_action(&read, LEADS_DEFAULT, IndexAction::Bulk).unwrap_err(),
            "security_exception: action [indices:data/write/bulk] is unauthorized for user [leads_read_user] with effective roles [kibana_admin,leads_read_only] on indices [.entity_analytics.entity-leads-default], this action is granted by the index privileges [create_doc,create,index,write,all]"
        );
        let writer = subject("w", &[("w", role(&[(&[LEADS], &["write"])], &[]))]);
        assert!(check_index_action(&writer, LEADS_DEFAULT, IndexAction::Bulk).is_ok());
        assert!(check_index_action(&writer, LEADS_DEFAULT, IndexAction::Update).is_ok());
        assert!(check_index_action(&writer, LEADS_DEFAULT, IndexAction::Search).is_err());
    }

    #[test]
    fn feature_privileges_expand_into_actions() {
        let actions = expand_privilege("feature_dashboard.all");
        for a in [
            "login:",
            "app:dashboards",
            "ui:dashboard/createNew",
            "ui:catalogue/dashboard",
            "saved_object:dashboard/update",
            "api:bulkGetUserProfiles",
        ] {
            assert!(actions.contains(a), "{a}");
        }
        assert!(!actions.contains("api:securitySolution"));
        let read = expand_privilege("feature_dashboard.read");
        assert!(read.contains("saved_object:dashboard/get"));
        assert!(!read.contains("saved_object:dashboard/update"));
        assert!(!read.contains("ui:dashboard/createNew"));
        let all = expand_privilege("all");
        assert!(all.contains("api:securitySolution-entity-analytics"));
        assert!(all.contains(SPACE_MANAGE_ACTION));
        assert!(!expand_privilege("space_all").contains(SPACE_MANAGE_ACTION));
        assert!(expand_privilege("read").contains("ui:securitySolution/show"));
        assert!(!expand_privilege("read").contains("ui:securitySolution/crud"));
        assert!(expand_privilege("feature_nope.all").is_empty());
        assert!(expand_privilege("bogus").is_empty());
    }

    #[test]
    fn kibana_checks_respect_spaces() {
        let alice = subject(
            "alice",
            &[(
                "dashboard_editor",
                role(
                    &[],
                    &[(
                        KIBANA_APPLICATION,
                        &["feature_dashboard.all"],
                        &["space:default"],
                    )],
                ),
            )],
        );
        assert!(check_kibana_actions(&alice, "default", &["login:", "app:dashboards"]).allowed());
        assert!(!check_kibana_actions(&alice, "other", &["login:"]).allowed());
        let check = check_kibana_actions(
            &alice,
            "default",
            &["api:securitySolution", "app:dashboards"],
        );
        assert_eq!(check.missing, vec!["api:securitySolution".to_string()]);

        let admin = subject(
            "a",
            &[("kibana_admin", reserved_role(KIBANA_ADMIN).unwrap())],
        );
        assert!(check_kibana_actions(
            &admin,
            "anywhere",
            &["api:securitySolution-entity-analytics", "space:manage"]
        )
        .allowed());
        assert!(!check_kibana_actions(&admin, "default", &["api:unknown-tag"]).allowed());

        let root = subject(
            "elastic",
            &[("superuser", reserved_role(SUPERUSER).unwrap())],
        );
        assert!(check_kibana_actions(&root, "x", &["api:unknown-tag"]).allowed());

        // A grant for another application never counts.
        let other = subject("o", &[("o", role(&[], &[("other-app", &["all"], &["*"])]))]);
        assert!(!check_kibana_actions(&other, "default", &["login:"]).allowed());
    }

    #[test]
    fn route_guard_message_is_kibanas() {
        let alice = subject(
            "alice",
            &[(
                "dashboard_editor",
                role(
                    &[],
                    &[(
                        KIBANA_APPLICATION,
                        &["feature_dashboard.all"],
                        &["space:default"],
                    )],
                ),
            )],
        );
        assert_eq!(
            check_route(&alice, "default", LEADS_GUARD, "get", "/internal/entity_analytics/leads?page=1&perPage=20").unwrap_err(),
            "API [GET /internal/entity_analytics/leads?page=1&perPage=20] is unauthorized for user, this action is granted by the Kibana privileges [securitySolution-entity-analytics]"
        );
        let admin = subject(
            "a",
            &[("kibana_admin", reserved_role(KIBANA_ADMIN).unwrap())],
        );
        assert!(check_route(&admin, "default", LEADS_GUARD, "GET", "/x").is_ok());
    }

    #[test]
    fn capabilities_follow_the_same_check() {
        let alice = subject(
            "alice",
            &[(
                "dashboard_editor",
                role(
                    &[],
                    &[(
                        KIBANA_APPLICATION,
                        &["feature_dashboard.all"],
                        &["space:default"],
                    )],
                ),
            )],
        );
        let caps = capabilities(&alice, "default");
        assert_eq!(caps["navLinks"]["dashboards"], true);
        assert_eq!(caps["navLinks"]["securitySolutionUI"], false);
        assert_eq!(caps["dashboard"]["createNew"], true);
        assert_eq!(caps["securitySolution"]["show"], false);
        assert_eq!(caps["catalogue"]["dashboard"], true);

        let reader = subject(
            "r",
            &[("r", role(&[], &[(KIBANA_APPLICATION, &["read"], &["*"])]))],
        );
        let caps = capabilities(&reader, "default");
        assert_eq!(caps["securitySolution"]["show"], true);
        assert_eq!(caps["securitySolution"]["crud"], false);
        assert_eq!(caps["dashboard"]["showWriteControls"], false);

        // Every capability agrees with the action check it is computed from.
        for (section, value) in &capabilities(&reader, "default") {
            if section == "navLinks" || section == "catalogue" || section == "spaces" {
                continue;
            }
            for (cap, v) in value.as_object().unwrap() {
                let action = ui_action(section, cap);
                assert_eq!(
                    v.as_bool().unwrap(),
                    check_kibana_actions(&reader, "default", &[&action]).allowed()
                );
            }
        }
    }

    #[test]
    fn object_actors_follow_ownership_and_mode() {
        use DashboardAccessMode::{Default as Open, WriteRestricted as Restricted};
        let editor = role(
            &[],
            &[(
                KIBANA_APPLICATION,
                &["feature_dashboard.all"],
                &["space:default"],
            )],
        );
        let viewer = role(
            &[],
            &[(
                KIBANA_APPLICATION,
                &["feature_dashboard.read"],
                &["space:default"],
            )],
        );
        let alice = ObjectActor::new(
            &subject("alice", &[("dashboard_editor", editor.clone())]),
            "default",
            "dashboard",
            "u_alice_0",
        );
        let bob = ObjectActor::new(
            &subject("bob", &[("dashboard_editor", editor)]),
            "default",
            "dashboard",
            "u_bob_0",
        );
        let victor = ObjectActor::new(
            &subject("victor", &[("dashboard_viewer", viewer)]),
            "default",
            "dashboard",
            "u_victor_0",
        );
        let root = ObjectActor::new(
            &subject(
                "elastic",
                &[("superuser", reserved_role(SUPERUSER).unwrap())],
            ),
            "default",
            "dashboard",
            "u_elastic_0",
        );
        let space_admin = ObjectActor::new(
            &subject(
                "s",
                &[(
                    "s",
                    role(
                        &[],
                        &[(KIBANA_APPLICATION, &["space_all"], &["space:default"])],
                    ),
                )],
            ),
            "default",
            "dashboard",
            "u_s_0",
        );
        assert!(!alice.is_admin && !bob.is_admin && !victor.is_admin);
        assert!(root.is_admin && space_admin.is_admin);
        // Admin elsewhere is not admin here.
        let other_space = ObjectActor::new(
            &subject(
                "s",
                &[(
                    "s",
                    role(
                        &[],
                        &[(KIBANA_APPLICATION, &["space_all"], &["space:other"])],
                    ),
                )],
            ),
            "default",
            "dashboard",
            "u_s_0",
        );
        assert!(!other_space.is_admin && !other_space.allows(SavedObjectOp::Get));

        let owner = Some("u_alice_0");
        assert!(alice.may_write(owner, Restricted) && alice.may_manage(owner, Restricted));
        assert!(!bob.may_write(owner, Restricted) && !bob.may_manage(owner, Restricted));
        assert!(bob.may_write(owner, Open) && !bob.may_manage(owner, Open));
        assert!(root.may_write(owner, Restricted) && root.may_manage(owner, Restricted));
        // Ownerless: whoever may update it manages it; a viewer may not.
        assert!(bob.may_manage(None, Open));
        assert!(!victor.may_manage(None, Open));
        assert!(victor.allows(SavedObjectOp::Get) && victor.allows(SavedObjectOp::Find));
        assert_eq!(
            victor.require(SavedObjectOp::Update).unwrap_err(),
            "Unable to update dashboard"
        );
        assert_eq!(
            victor.require(SavedObjectOp::BulkDelete).unwrap_err(),
            "Unable to bulk_delete dashboard"
        );
        // A viewer who somehow owns an object still cannot manage it without update.
        assert!(!victor.may_manage(Some("u_victor_0"), Open));
    }
}

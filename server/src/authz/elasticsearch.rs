//! Elasticsearch privileges: index and cluster privileges, `_has_privileges`, and the security
//! administration actions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;

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

/// Most answers one `_has_privileges` request may ask for (a cluster privilege, or one privilege
/// on one index or resource each), so the answer stays bounded.
pub const MAX_HAS_PRIVILEGES_CHECKS: usize = 1_000;
/// Most characters of a name in a `_has_privileges` request: Elasticsearch's index name limit.
pub const MAX_HAS_PRIVILEGES_NAME_CHARS: usize = 255;

impl HasPrivilegesRequest {
    /// `Ok`, or why the request is too large to answer: more than [`MAX_HAS_PRIVILEGES_CHECKS`]
    /// answers, or a name longer than [`MAX_HAS_PRIVILEGES_NAME_CHARS`].
    pub fn check_size(&self) -> Result<(), String> {
        let checks = self
            .index
            .iter()
            .map(|c| c.names.len().saturating_mul(c.privileges.len()))
            .chain(
                self.application
                    .iter()
                    .map(|c| c.resources.len().saturating_mul(c.privileges.len())),
            )
            .fold(self.cluster.len(), usize::saturating_add);
        if checks > MAX_HAS_PRIVILEGES_CHECKS {
            return Err(format!(
                "a privileges check may ask for at most {MAX_HAS_PRIVILEGES_CHECKS} privileges, this one asks for {checks}"
            ));
        }
        let names = self
            .cluster
            .iter()
            .chain(
                self.index
                    .iter()
                    .flat_map(|c| c.names.iter().chain(&c.privileges)),
            )
            .chain(self.application.iter().flat_map(|c| {
                std::iter::once(&c.application)
                    .chain(&c.resources)
                    .chain(&c.privileges)
            }));
        for name in names {
            if name.chars().count() > MAX_HAS_PRIVILEGES_NAME_CHARS {
                let start: String = name.chars().take(32).collect();
                return Err(format!(
                    "names in a privileges check are at most {MAX_HAS_PRIVILEGES_NAME_CHARS} characters: [{start}…] is longer"
                ));
            }
        }
        Ok(())
    }
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
    /// Reading Gatehouse's audit log (docs/audit-log.md): granted with the other security reads.
    AuditRead,
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
            SecurityAction::AuditRead => "cluster:admin/gatehouse/security/audit/get",
        }
    }

    /// The cluster privileges that grant the action, in Elasticsearch's message order.
    pub fn granted_by(self) -> &'static [&'static str] {
        match self {
            SecurityAction::RoleGet | SecurityAction::UserGet | SecurityAction::AuditRead => {
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

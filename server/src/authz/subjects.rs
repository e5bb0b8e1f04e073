//! Who is asking ([`Subject`]) and the built-in roles every deployment has.

use std::collections::BTreeSet;

use gatehouse_api::admin::{IndexPrivileges, RoleDescriptor};
use gatehouse_api::security::KIBANA_APPLICATION;
use serde_json::json;

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

//! Effective access and "Why?" (`gatehouse_api::access`), computed with the same authorization
//! functions the routes ask, one role at a time to say which role grants what. Pure: the caller
//! loads the roles.

use std::collections::BTreeMap;

use gatehouse_api::access::{
    role_fix, AccessLevel, DataCheck, EffectiveAccess, Explanation, FeatureAccess, GrantCoverage,
    GrantedBy, IndexAccess, Requirement, RoleVerdict, SpaceAccess,
};
use gatehouse_api::admin::RoleDescriptor;
use gatehouse_api::leads::LEADS_INDEX_PATTERN;

use super::coverage::{self, coverage_of, role_coverage};
use crate::authz::{self, Feature, FeatureLevel, Subject, FEATURES};

fn single_role_subject(username: &str, name: &str, role: &RoleDescriptor) -> Subject {
    Subject {
        username: username.to_string(),
        role_names: vec![name.to_string()],
        roles: vec![role.clone()],
    }
}

/// The level a subject holds on a feature in a space, from the privileges its roles name there
/// (`authz::named_feature_levels`): `All` for `all` or `minimal_all` (base `all` included),
/// `Read` for `read` or `minimal_read`, else `None`. A `minimal_*` privilege holds the level
/// without the sub-feature privileges, as Kibana's role editor shows it;
/// [`coverage::sub_feature_access`] says which of them the actions granted include.
pub fn feature_level(subject: &Subject, space: &str, feature: &Feature) -> AccessLevel {
    authz::named_feature_levels(subject, space, feature)
        .into_iter()
        .filter_map(|level| match level {
            FeatureLevel::Primary { all } | FeatureLevel::Minimal { all } => Some(if all {
                AccessLevel::All
            } else {
                AccessLevel::Read
            }),
            FeatureLevel::SubFeature(_) => None,
        })
        .max()
        .unwrap_or(AccessLevel::None)
}

/// Does the subject meet the requirement? Each arm asks the function the routes ask.
pub fn meets(subject: &Subject, requirement: &Requirement) -> bool {
    match requirement {
        Requirement::Index { index, privileges } => privileges
            .iter()
            .any(|p| authz::has_index_privilege(subject, index, p)),
        Requirement::Cluster { privileges } => privileges
            .iter()
            .any(|p| authz::has_cluster_privilege(subject, p)),
        Requirement::Feature {
            feature,
            level,
            space,
        } => authz::feature(feature).is_some_and(|f| feature_level(subject, space, f) >= *level),
        Requirement::KibanaApi { tag, space } => {
            authz::check_kibana_actions(subject, space, &[&authz::api_action(tag)]).allowed()
        }
    }
}

/// The fix for a Kibana API tag names the registry's feature that grants it at the lowest level.
fn fix_requirement(requirement: &Requirement) -> Requirement {
    if let Requirement::KibanaApi { tag, space } = requirement {
        let action = authz::api_action(tag);
        for level in [AccessLevel::Read, AccessLevel::All] {
            if let Some(feature) = FEATURES.iter().find(|f| {
                authz::feature_privilege_action_set(f, level == AccessLevel::All).contains(&action)
            }) {
                return Requirement::Feature {
                    feature: feature.id.to_string(),
                    level,
                    space: space.clone(),
                };
            }
        }
    }
    requirement.clone()
}

/// The sub-feature privilege that grants a Kibana API tag the feature's minimal privileges do
/// not (Search's "Manage sources and document permissions"): the part of `All` a user with
/// `minimal_all` lacks, named so "Why?" does not just say "All" to someone shown as having it.
fn sub_feature_behind(requirement: &Requirement) -> Option<&'static authz::SubFeaturePrivilege> {
    let Requirement::KibanaApi { tag, .. } = requirement else {
        return None;
    };
    let action = authz::api_action(tag);
    FEATURES.iter().find_map(|feature| {
        let minimal =
            authz::feature_level_action_set(feature, authz::FeatureLevel::Minimal { all: true });
        if minimal.contains(&action) {
            return None;
        }
        feature.sub_feature_privileges().find(|sub| {
            authz::feature_level_action_set(feature, authz::FeatureLevel::SubFeature(sub))
                .contains(&action)
        })
    })
}

/// Explains a requirement for `subject`: each of its roles on its own, every existing role that
/// would meet it, and the role to add.
pub fn explain(
    subject: &Subject,
    requirement: &Requirement,
    all_roles: &[(String, RoleDescriptor)],
) -> Explanation {
    let your_roles = subject
        .role_names
        .iter()
        .map(|name| {
            let role = all_roles.iter().find(|(n, _)| n == name).map(|(_, r)| r);
            let single = role.map(|r| single_role_subject(&subject.username, name, r));
            let grants = single.as_ref().is_some_and(|s| meets(s, requirement));
            // The caller's own role: what it covers is theirs to see (docs/effective-access.md).
            let covers = match (requirement, &single) {
                (Requirement::Index { index, privileges }, Some(single)) if grants => {
                    let privileges: Vec<&str> = privileges.iter().map(String::as_str).collect();
                    Some(role_coverage(single, index, &privileges))
                }
                _ => None,
            };
            RoleVerdict {
                role: name.clone(),
                grants,
                missing: role.is_none(),
                covers,
            }
        })
        .collect();
    // Other roles are named only to a caller who may read them anyway (as `GET /_security/role`).
    let granting_roles = authz::has_cluster_privilege(subject, "read_security").then(|| {
        all_roles
            .iter()
            .filter(|(name, role)| {
                meets(
                    &single_role_subject(&subject.username, name, role),
                    requirement,
                )
            })
            .map(|(name, _)| name.clone())
            .collect()
    });
    let fix_for = fix_requirement(requirement);
    let mut description = fix_for.describe();
    if let Some(sub) = sub_feature_behind(requirement) {
        description.push_str(&format!(
            " Of it, the sub-feature privilege \"{}\" grants this: All without it (minimal_all) does not.",
            sub.name
        ));
    }
    Explanation {
        requirement: requirement.clone(),
        description,
        granted: meets(subject, requirement),
        your_roles,
        granting_roles,
        fix: role_fix(&fix_for),
    }
}

/// Per index pattern: privilege → the roles naming it, and each role entry naming it.
type PatternGrants = (BTreeMap<String, Vec<String>>, Vec<GrantCoverage>);

/// A space the effective-access view reports on: id and display name.
pub struct SpaceRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

/// Everything `subject` may do, and the role behind each grant. `roles` are the subject's role
/// names with their stored descriptors (`None`: no such role).
pub fn effective_access(
    subject: &Subject,
    roles: &[(String, Option<RoleDescriptor>)],
    spaces: &[SpaceRef<'_>],
) -> EffectiveAccess {
    let singles: Vec<(String, Subject)> = roles
        .iter()
        .filter_map(|(name, descriptor)| {
            let role = descriptor.as_ref()?;
            Some((
                name.clone(),
                single_role_subject(&subject.username, name, role),
            ))
        })
        .collect();

    let mut cluster: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut indices: BTreeMap<String, PatternGrants> = BTreeMap::new();
    for (name, descriptor) in roles {
        let Some(descriptor) = descriptor else {
            continue;
        };
        for privilege in &descriptor.cluster {
            push_unique(cluster.entry(privilege.clone()).or_default(), name);
        }
        for row in &descriptor.indices {
            for pattern in &row.names {
                let (privileges, grants) = indices.entry(pattern.clone()).or_default();
                for privilege in &row.privileges {
                    push_unique(privileges.entry(privilege.clone()).or_default(), name);
                }
                grants.push(GrantCoverage {
                    role: name.clone(),
                    privileges: row.privileges.clone(),
                    coverage: coverage_of(&[row], pattern),
                });
            }
        }
    }

    let spaces = spaces
        .iter()
        .map(|space| SpaceAccess {
            space: space.id.to_string(),
            name: space.name.to_string(),
            can_enter: authz::is_space_member(subject, space.id),
            features: FEATURES
                .iter()
                .map(|feature| {
                    let grants = authz::kibana_grants(subject, space.id);
                    let level = feature_level(subject, space.id, feature);
                    let granting = |at_least: AccessLevel| -> Vec<String> {
                        singles
                            .iter()
                            .filter(|(_, single)| {
                                feature_level(single, space.id, feature) >= at_least
                            })
                            .map(|(name, _)| name.clone())
                            .collect()
                    };
                    let roles = match level {
                        AccessLevel::None => Vec::new(),
                        level => {
                            let exact = granting(level);
                            if exact.is_empty() {
                                granting(AccessLevel::Read)
                            } else {
                                exact
                            }
                        }
                    };
                    FeatureAccess {
                        id: feature.id.to_string(),
                        name: feature.name.to_string(),
                        category: authz::feature_category(feature.id).1.to_string(),
                        level,
                        roles,
                        sub_features: coverage::sub_feature_access(feature, &grants, level),
                    }
                })
                .collect(),
        })
        .collect();

    let data = [("Hunting leads", "read"), ("Hunting leads", "index")]
        .into_iter()
        .map(|(label, privilege)| {
            let granting: Vec<(&String, &Subject)> = singles
                .iter()
                .filter(|(_, single)| {
                    authz::has_index_privilege(single, LEADS_INDEX_PATTERN, privilege)
                })
                .map(|(name, single)| (name, single))
                .collect();
            DataCheck {
                label: label.to_string(),
                index: LEADS_INDEX_PATTERN.to_string(),
                privilege: if privilege == "index" {
                    "write"
                } else {
                    privilege
                }
                .to_string(),
                granted: authz::has_index_privilege(subject, LEADS_INDEX_PATTERN, privilege),
                coverage: granting
                    .iter()
                    .map(|(name, single)| GrantCoverage {
                        role: name.to_string(),
                        privileges: Vec::new(),
                        coverage: role_coverage(single, LEADS_INDEX_PATTERN, &[privilege]),
                    })
                    .collect(),
                roles: granting.iter().map(|(name, _)| name.to_string()).collect(),
            }
        })
        .collect();

    EffectiveAccess {
        username: subject.username.clone(),
        roles: roles
            .iter()
            .map(|(name, descriptor)| RoleVerdict {
                role: name.clone(),
                grants: descriptor.is_some(),
                missing: descriptor.is_none(),
                covers: None,
            })
            .collect(),
        cluster: cluster
            .into_iter()
            .map(|(privilege, roles)| GrantedBy { privilege, roles })
            .collect(),
        spaces,
        indices: indices
            .into_iter()
            .map(|(pattern, (privileges, grants))| IndexAccess {
                pattern,
                privileges: privileges
                    .into_iter()
                    .map(|(privilege, roles)| GrantedBy { privilege, roles })
                    .collect(),
                grants,
            })
            .collect(),
        data,
    }
}

fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_api::admin::IndexPrivileges;
    use gatehouse_api::security::ApplicationPrivilegeGrant;

    fn descriptor(indices: &[(&str, &[&str])], apps: &[(&str, &str)]) -> RoleDescriptor {
        RoleDescriptor {
            indices: indices
                .iter()
                .map(|(name, privileges)| IndexPrivileges {
                    names: vec![name.to_string()],
                    privileges: privileges.iter().map(|p| p.to_string()).collect(),
                    ..IndexPrivileges::default()
                })
                .collect(),
            applications: apps
                .iter()
                .map(|(privilege, resource)| ApplicationPrivilegeGrant {
                    application: "kibana-.kibana".into(),
                    privileges: vec![privilege.to_string()],
                    resources: vec![resource.to_string()],
                })
                .collect(),
            ..RoleDescriptor::default()
        }
    }

    fn subject_with(roles: &[(String, Option<RoleDescriptor>)]) -> Subject {
        Subject {
            username: "u".into(),
            role_names: roles.iter().map(|(n, _)| n.clone()).collect(),
            roles: roles.iter().filter_map(|(_, d)| d.clone()).collect(),
        }
    }

    fn space() -> Vec<SpaceRef<'static>> {
        vec![SpaceRef {
            id: "default",
            name: "Default",
        }]
    }

    #[test]
    fn each_grant_names_the_role_behind_it() {
        let roles = vec![
            (
                "dash_read".to_string(),
                Some(descriptor(
                    &[],
                    &[("feature_dashboard.read", "space:default")],
                )),
            ),
            (
                "dash_all".to_string(),
                Some(descriptor(&[], &[("feature_dashboard.all", "*")])),
            ),
            (
                "leads_ro".to_string(),
                Some(descriptor(&[(LEADS_INDEX_PATTERN, &["read"])], &[])),
            ),
            ("ghost".to_string(), None),
        ];
        let access = effective_access(&subject_with(&roles), &roles, &space());
        let features = &access.spaces[0].features;
        let dashboard = features.iter().find(|f| f.id == "dashboard");
        assert_eq!(dashboard.map(|f| f.level), Some(AccessLevel::All));
        assert_eq!(
            dashboard.map(|f| f.roles.clone()),
            Some(vec!["dash_all".to_string()])
        );
        let dev_tools = features.iter().find(|f| f.id == "dev_tools");
        assert_eq!(dev_tools.map(|f| f.level), Some(AccessLevel::None));
        assert!(access.spaces[0].can_enter);
        assert_eq!(access.indices[0].pattern, LEADS_INDEX_PATTERN);
        assert_eq!(
            access.indices[0].privileges[0].roles,
            vec!["leads_ro".to_string()]
        );
        let read = access.data.iter().find(|d| d.privilege == "read");
        assert_eq!(
            read.map(|d| (d.granted, d.roles.clone())),
            Some((true, vec!["leads_ro".to_string()]))
        );
        let write = access.data.iter().find(|d| d.privilege == "write");
        assert_eq!(write.map(|d| d.granted), Some(false));
        assert!(access.roles.iter().any(|r| r.role == "ghost" && r.missing));
    }

    #[test]
    fn a_user_without_kibana_privileges_cannot_enter() {
        let roles = vec![(
            "leads_ro".to_string(),
            Some(descriptor(&[(LEADS_INDEX_PATTERN, &["read"])], &[])),
        )];
        let access = effective_access(&subject_with(&roles), &roles, &space());
        assert!(!access.spaces[0].can_enter);
        assert!(access.spaces[0]
            .features
            .iter()
            .all(|f| f.level == AccessLevel::None));
    }

    #[test]
    fn explanations_agree_with_the_route_checks() {
        let read_only = descriptor(&[(LEADS_INDEX_PATTERN, &["read"])], &[]);
        let full = descriptor(
            &[(LEADS_INDEX_PATTERN, &["read", "write", "create_index"])],
            &[],
        );
        let all_roles: Vec<(String, RoleDescriptor)> = [
            ("leads_read_only", &read_only),
            ("leads_full_access", &full),
        ]
        .into_iter()
        .map(|(n, d)| (n.to_string(), d.clone()))
        .collect();
        let subject = subject_with(&[("leads_read_only".into(), Some(read_only.clone()))]);
        let requirement = Requirement::index(
            ".entity_analytics.entity-leads-default",
            &["index", "write", "all"],
        );
        let explanation = explain(&subject, &requirement, &all_roles);
        assert!(!explanation.granted);
        assert_eq!(
            explanation.your_roles,
            vec![RoleVerdict {
                role: "leads_read_only".into(),
                grants: false,
                missing: false,
                covers: None,
            }]
        );
        assert_eq!(
            explanation.granting_roles, None,
            "other roles are not theirs to read"
        );
        assert_eq!(explanation.fix.role_name, "leads_full_access");
        let reader = with_read_security(subject);
        let explanation = explain(&reader, &requirement, &all_roles);
        assert_eq!(
            explanation.granting_roles,
            Some(vec!["leads_full_access".to_string()])
        );
        let read = explain(
            &reader,
            &Requirement::index(LEADS_INDEX_PATTERN, &["read"]),
            &all_roles,
        );
        assert!(read.granted);
        assert_eq!(read.granting_roles.map(|r| r.len()), Some(2));
    }

    /// `subject` with one more role that may read roles (and nothing else).
    fn with_read_security(mut subject: Subject) -> Subject {
        subject.role_names.push("security_reader".into());
        subject.roles.push(RoleDescriptor {
            cluster: vec!["read_security".into()],
            ..RoleDescriptor::default()
        });
        subject
    }

    #[test]
    fn api_tags_are_fixed_with_the_feature_that_grants_them() {
        let subject = subject_with(&[]);
        let requirement = Requirement::KibanaApi {
            tag: "console".into(),
            space: "default".into(),
        };
        let explanation = explain(&subject, &requirement, &[]);
        assert!(!explanation.granted);
        assert!(
            explanation.description.contains("dev_tools"),
            "{}",
            explanation.description
        );
        assert!(explanation.fix.console_request.contains("\"dev_tools\""));
        let kibana_admin = authz::reserved_role(authz::KIBANA_ADMIN);
        let all_roles: Vec<(String, RoleDescriptor)> = kibana_admin
            .into_iter()
            .map(|r| (authz::KIBANA_ADMIN.to_string(), r))
            .collect();
        let explanation = explain(&with_read_security(subject), &requirement, &all_roles);
        assert_eq!(
            explanation.granting_roles,
            Some(vec![authz::KIBANA_ADMIN.to_string()])
        );
    }

    #[test]
    fn a_tag_only_a_sub_feature_grants_names_that_sub_feature() {
        let requirement = Requirement::KibanaApi {
            tag: gatehouse_api::search::MANAGE_API_TAG.into(),
            space: "default".into(),
        };
        let explanation = explain(&subject_with(&[]), &requirement, &[]);
        assert!(
            explanation
                .description
                .contains("sub-feature privilege \"Manage sources")
                && explanation.description.contains("minimal_all"),
            "{}",
            explanation.description
        );
        // A tag the minimal privileges grant needs no such note.
        let console = Requirement::KibanaApi {
            tag: "console".into(),
            space: "default".into(),
        };
        let explanation = explain(&subject_with(&[]), &console, &[]);
        assert!(
            !explanation.description.contains("sub-feature"),
            "{}",
            explanation.description
        );
    }
}

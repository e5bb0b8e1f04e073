//! What each grant covers, for Effective access and "Why?" (docs/effective-access.md): which
//! documents and fields of an index one role's entries let through, and which sub-feature
//! privileges a feature level comes with. Read with the functions authorization uses
//! (`authz::counting_grants`, `authz::access_of_grants`, `authz::feature_level_action_set`), so
//! what the page says is what the routes do.

use gatehouse_api::access::{
    AccessLevel, Coverage, CoveredQuery, DocumentsCovered, FieldRuleCovered, FieldsCovered,
    SubFeatureAccess,
};
use gatehouse_api::admin::IndexPrivileges;
use gatehouse_api::doc_query::{self, LEAD_FIELDS};
use serde_json::Value;

use crate::authz::{
    self, DocumentFilter, Feature, FeatureLevel, FieldFilter, KibanaGrants, Subject,
};

/// What `grants` (the entries of one role that count on `index`) cover together. Queries on an
/// index the server serves are read as it reads them (a summary, or why one cannot be used);
/// elsewhere they are shown as stored.
pub fn coverage_of(grants: &[&IndexPrivileges], index: &str) -> Coverage {
    let served = authz::is_served(index);
    let access = authz::access_of_grants(grants, LEAD_FIELDS);
    let documents = match access.documents {
        DocumentFilter::All => DocumentsCovered::All,
        DocumentFilter::AnyOf(_) => DocumentsCovered::Matching {
            queries: grants
                .iter()
                .filter_map(|grant| {
                    let text = grant.query.as_deref()?;
                    let (summary, unusable) = match served
                        .then(|| authz::grant_query(grant, LEAD_FIELDS))
                        .flatten()
                    {
                        Some(Ok(query)) => (doc_query::describe(&query), None),
                        Some(Err(e)) => (None, Some(e.message)),
                        None => (None, None),
                    };
                    Some(CoveredQuery {
                        query: compact(text),
                        summary,
                        unusable,
                    })
                })
                .collect(),
        },
    };
    let fields = match access.fields {
        FieldFilter::All => FieldsCovered::All,
        FieldFilter::AnyOf(rules) => FieldsCovered::Only {
            rules: rules
                .into_iter()
                .map(|rule| FieldRuleCovered {
                    grant: rule.grant,
                    except: rule.except,
                })
                .collect(),
        },
    };
    Coverage { documents, fields }
}

/// What one role (as a one-role subject) covers for any of `privileges` on `index`.
pub fn role_coverage(single: &Subject, index: &str, privileges: &[&str]) -> Coverage {
    coverage_of(&authz::counting_grants(single, index, privileges), index)
}

/// A stored query as compact JSON (it is kept as the role gave it, possibly spaced out); text
/// that is not JSON is shown as it is.
fn compact(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| text.to_string())
}

/// Each sub-feature privilege of `feature`: held when `grants` allow all its actions, and whether
/// the primary privilege at `level` includes it.
pub fn sub_feature_access(
    feature: &Feature,
    grants: &KibanaGrants,
    level: AccessLevel,
) -> Vec<SubFeatureAccess> {
    feature
        .sub_features
        .iter()
        .flat_map(|sub| {
            let several = sub
                .privilege_groups
                .iter()
                .map(|g| g.privileges.len())
                .sum::<usize>()
                > 1;
            sub.privilege_groups
                .iter()
                .flat_map(|g| g.privileges)
                .map(move |privilege| SubFeatureAccess {
                    id: privilege.id.to_string(),
                    name: if several {
                        format!("{}: {}", sub.name, privilege.name)
                    } else {
                        sub.name.to_string()
                    },
                    granted: authz::feature_level_action_set(
                        feature,
                        FeatureLevel::SubFeature(privilege),
                    )
                    .iter()
                    .all(|action| grants.allows(action)),
                    included_in_level: level != AccessLevel::None
                        && privilege.include_in.included_in(level == AccessLevel::All),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use gatehouse_api::access::{GrantCoverage, Requirement};
    use gatehouse_api::admin::{FieldSecurity, RoleDescriptor};
    use gatehouse_api::leads::LEADS_INDEX_PATTERN;
    use gatehouse_api::search::{FEATURE_ID, MANAGE_PRIVILEGE_ID};

    use super::*;
    use crate::admin::access::{effective_access, explain, SpaceRef};

    fn leads_role(
        privileges: &[&str],
        query: Option<&str>,
        fields: Option<(&[&str], &[&str])>,
    ) -> RoleDescriptor {
        RoleDescriptor {
            indices: vec![IndexPrivileges {
                names: vec![LEADS_INDEX_PATTERN.into()],
                privileges: privileges.iter().map(|p| p.to_string()).collect(),
                query: query.map(str::to_string),
                field_security: fields.map(|(grant, except)| FieldSecurity {
                    grant: Some(grant.iter().map(|g| g.to_string()).collect()),
                    except: Some(except.iter().map(|e| e.to_string()).collect()),
                }),
                ..IndexPrivileges::default()
            }],
            ..RoleDescriptor::default()
        }
    }

    fn search_role(privileges: &[&str]) -> RoleDescriptor {
        crate::authz::feature_role(FEATURE_ID, privileges, "*")
    }

    fn report(roles: &[(&str, RoleDescriptor)]) -> gatehouse_api::access::EffectiveAccess {
        let roles: Vec<(String, Option<RoleDescriptor>)> = roles
            .iter()
            .map(|(n, r)| (n.to_string(), Some(r.clone())))
            .collect();
        let subject = Subject {
            username: "u".into(),
            role_names: roles.iter().map(|(n, _)| n.clone()).collect(),
            roles: roles.iter().filter_map(|(_, r)| r.clone()).collect(),
        };
        let spaces = [SpaceRef {
            id: "default",
            name: "Default",
        }];
        effective_access(&subject, &roles, &spaces)
    }

    fn read_check(access: &gatehouse_api::access::EffectiveAccess) -> Vec<GrantCoverage> {
        access
            .data
            .iter()
            .find(|d| d.privilege == "read")
            .map(|d| d.coverage.clone())
            .unwrap_or_default()
    }

    const HOSTS: &str = r#"{ "term": { "entity.type": "host" } }"#;

    #[test]
    fn a_dls_role_covers_the_documents_its_query_matches() {
        let access = report(&[("hosts", leads_role(&["read"], Some(HOSTS), None))]);
        let read = read_check(&access);
        assert_eq!(read.len(), 1);
        let coverage = &read[0].coverage;
        assert_eq!(
            coverage.documents,
            DocumentsCovered::Matching {
                queries: vec![CoveredQuery {
                    query: r#"{"term":{"entity.type":"host"}}"#.into(),
                    summary: Some("entity.type is host".into()),
                    unusable: None,
                }]
            }
        );
        assert_eq!(coverage.fields, FieldsCovered::All);
        // The index table says the same for the role's entry, with its privileges.
        let entry = &access.indices[0].grants[0];
        assert_eq!(
            (entry.role.as_str(), entry.privileges.clone()),
            ("hosts", vec!["read".to_string()])
        );
        assert_eq!(entry.coverage, *coverage);
    }

    #[test]
    fn an_fls_role_covers_its_granted_fields_minus_the_exceptions() {
        let access = report(&[(
            "no_priority",
            leads_role(&["read"], None, Some((&["*"], &["priority"]))),
        )]);
        let coverage = &read_check(&access)[0].coverage;
        assert_eq!(coverage.documents, DocumentsCovered::All);
        assert_eq!(coverage.fields_text(), "All fields except priority");
    }

    #[test]
    fn a_role_without_restrictions_covers_everything() {
        let access = report(&[("leads_ro", leads_role(&["read"], None, None))]);
        assert!(read_check(&access)[0].coverage.is_unrestricted());
        // No write grant: nothing covered for write.
        let write = access.data.iter().find(|d| d.privilege == "write");
        assert_eq!(
            write.map(|d| (d.granted, d.coverage.len())),
            Some((false, 0))
        );
    }

    #[test]
    fn two_roles_are_shown_each_with_its_own_coverage() {
        let users = r#"{"term":{"entity.type":"user"}}"#;
        let access = report(&[
            ("hosts", leads_role(&["read"], Some(HOSTS), None)),
            (
                "users",
                leads_role(&["read"], Some(users), Some((&["title"], &[]))),
            ),
            // A write-only role does not count for read.
            ("writer", leads_role(&["write"], Some(users), None)),
        ]);
        let read = read_check(&access);
        let roles: Vec<&str> = read.iter().map(|g| g.role.as_str()).collect();
        assert_eq!(roles, ["hosts", "users"]);
        assert_eq!(
            read[1].coverage.documents_text(),
            "Where entity.type is user"
        );
        assert_eq!(read[1].coverage.fields_text(), "title");
        assert!(
            gatehouse_api::access::combination_note(read.iter().map(|g| &g.coverage)).is_some()
        );
        let write = access.data.iter().find(|d| d.privilege == "write");
        assert_eq!(
            write.map(|d| d.roles.clone()),
            Some(vec!["writer".to_string()])
        );
    }

    #[test]
    fn an_unusable_stored_query_covers_no_document_and_says_why() {
        let access = report(&[(
            "old",
            leads_role(
                &["read"],
                Some(r#"{"nested":{"path":"x","query":{}}}"#),
                None,
            ),
        )]);
        let DocumentsCovered::Matching { queries } = &read_check(&access)[0].coverage.documents
        else {
            panic!("restricted");
        };
        assert!(queries[0]
            .unusable
            .as_deref()
            .is_some_and(|m| m.contains("nested")));
        assert_eq!(queries[0].summary, None);
    }

    #[test]
    fn minimal_all_is_all_without_the_sub_feature_and_all_is_all() {
        let search = |access: &gatehouse_api::access::EffectiveAccess| {
            access.spaces[0]
                .features
                .iter()
                .find(|f| f.id == FEATURE_ID)
                .cloned()
                .expect("search is listed")
        };
        let minimal = search(&report(&[("s", search_role(&["minimal_all"]))]));
        assert_eq!(minimal.level, AccessLevel::All);
        assert_eq!(minimal.roles, vec!["s".to_string()]);
        assert_eq!(
            minimal.level_text(),
            "All, without: Manage sources and document permissions"
        );
        let all = search(&report(&[("s", search_role(&["all"]))]));
        assert_eq!(all.level_text(), "All");
        assert!(all
            .sub_features
            .iter()
            .all(|s| s.granted && s.id == MANAGE_PRIVILEGE_ID));
        let read = search(&report(&[("s", search_role(&["read"]))]));
        assert_eq!(read.level_text(), "Read");
        let customised = search(&report(&[(
            "s",
            search_role(&["minimal_read", MANAGE_PRIVILEGE_ID]),
        )]));
        assert_eq!(
            customised.level_text(),
            "Read, with: Manage sources and document permissions"
        );
    }

    #[test]
    fn explain_gives_the_callers_own_roles_coverage_only() {
        let hosts = leads_role(&["read"], Some(HOSTS), None);
        let everything = leads_role(&["read"], None, None);
        let all_roles = vec![
            ("hosts".to_string(), hosts.clone()),
            ("everything".to_string(), everything),
        ];
        let subject = Subject {
            username: "u".into(),
            role_names: vec!["hosts".into()],
            roles: vec![hosts],
        };
        let requirement = Requirement::index(".entity_analytics.entity-leads-default", &["read"]);
        let explanation = explain(&subject, &requirement, &all_roles);
        assert!(explanation.granted);
        let covers = explanation.your_roles[0]
            .covers
            .clone()
            .expect("a granting role's coverage");
        assert_eq!(covers.documents_text(), "Where entity.type is host");
        assert_eq!(explanation.granting_roles, None, "other roles stay unnamed");
        // A requirement the role does not meet carries no coverage.
        let write = Requirement::index(".entity_analytics.entity-leads-default", &["write"]);
        assert_eq!(
            explain(&subject, &write, &all_roles).your_roles[0].covers,
            None
        );
    }
}

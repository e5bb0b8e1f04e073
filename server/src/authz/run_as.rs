//! Who may view as whom (docs/view-as.md): Elasticsearch's `run_as` role privilege.

use super::{wildcard_match, Subject};

/// Whether one of `subject`'s roles has a `run_as` pattern (`*` and `?` wildcards, as
/// Elasticsearch reads them) that names `name`. Whether `name` exists and is enabled is the
/// caller's to check, and refused with the same answer.
pub fn may_run_as(subject: &Subject, name: &str) -> bool {
    subject
        .roles
        .iter()
        .flat_map(|role| &role.run_as)
        .any(|pattern| wildcard_match(pattern, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_api::admin::RoleDescriptor;

    fn with_run_as(patterns: &[&[&str]]) -> Subject {
        Subject {
            username: "caller".into(),
            role_names: (0..patterns.len()).map(|i| format!("r{i}")).collect(),
            roles: patterns
                .iter()
                .map(|p| RoleDescriptor {
                    run_as: p.iter().map(|s| s.to_string()).collect(),
                    ..RoleDescriptor::default()
                })
                .collect(),
        }
    }

    #[test]
    fn patterns_of_any_role_cover_the_name() {
        assert!(may_run_as(&with_run_as(&[&["*"]]), "victor"));
        assert!(may_run_as(&with_run_as(&[&[], &["vic*"]]), "victor"));
        assert!(may_run_as(&with_run_as(&[&["v?ctor"]]), "victor"));
        assert!(!may_run_as(&with_run_as(&[&["vic"]]), "victor"));
        assert!(!may_run_as(&with_run_as(&[&[]]), "victor"));
        assert!(!may_run_as(&Subject::default(), "victor"));
    }

    #[test]
    fn the_superuser_role_may_run_as_anyone() {
        let superuser = super::super::reserved_role(super::super::SUPERUSER);
        let subject = Subject {
            username: "elastic".into(),
            role_names: vec!["superuser".into()],
            roles: superuser.into_iter().collect(),
        };
        assert!(may_run_as(&subject, "victor"));
    }
}

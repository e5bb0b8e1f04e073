use gatehouse_api::admin::{FieldSecurity, IndexPrivileges, RoleDescriptor};
use gatehouse_api::doc_query::LEAD_FIELDS;
use serde_json::json;

use super::*;

const INDEX: &str = ".entity_analytics.entity-leads-default";

fn grant(
    names: &[&str],
    privileges: &[&str],
    query: Option<&str>,
    fields: Option<(&[&str], &[&str])>,
) -> IndexPrivileges {
    IndexPrivileges {
        names: names.iter().map(|s| s.to_string()).collect(),
        privileges: privileges.iter().map(|s| s.to_string()).collect(),
        query: query.map(str::to_string),
        field_security: fields.map(|(g, e)| FieldSecurity {
            grant: Some(g.iter().map(|s| s.to_string()).collect()),
            except: (!e.is_empty()).then(|| e.iter().map(|s| s.to_string()).collect()),
        }),
        allow_restricted_indices: false,
    }
}

fn subject(grants: Vec<IndexPrivileges>) -> Subject {
    Subject {
        username: "u".into(),
        role_names: (0..grants.len()).map(|i| format!("r{i}")).collect(),
        roles: grants
            .into_iter()
            .map(|g| RoleDescriptor {
                indices: vec![g],
                ..RoleDescriptor::default()
            })
            .collect(),
    }
}

fn read(s: &Subject) -> DocumentAccess {
    document_access(s, INDEX, IndexAction::Search, LEAD_FIELDS)
}

const HOSTS: &str = r#"{"term":{"entity.type":"host"}}"#;
const USERS: &str = r#"{"term":{"entity.type":"user"}}"#;

fn lead(kind: &str) -> Value {
    json!({"id": "l", "title": "t", "priority": 5, "entity": {"type": kind, "name": "n"},
           "observations": [{"score": 1, "severity": "low"}]})
}

#[test]
fn a_grant_without_query_or_field_security_leaves_everything_visible() {
    let access = read(&subject(vec![grant(
        &[".entity_analytics.*"],
        &["read"],
        None,
        None,
    )]));
    assert!(access.is_unrestricted());
    assert_eq!(access.key, None);
}

#[test]
fn any_granting_query_lets_a_document_through() {
    let one = read(&subject(vec![grant(
        &[INDEX],
        &["read"],
        Some(HOSTS),
        None,
    )]));
    assert!(one.sees(&lead("host")) && !one.sees(&lead("user")));
    let two = read(&subject(vec![
        grant(&[INDEX], &["read"], Some(HOSTS), None),
        grant(&["*"], &["all"], Some(USERS), None),
    ]));
    assert!(two.sees(&lead("host")) && two.sees(&lead("user")) && !two.sees(&lead("service")));
    let open = read(&subject(vec![
        grant(&[INDEX], &["read"], Some(HOSTS), None),
        grant(&[INDEX], &["read"], None, None),
    ]));
    assert_eq!(
        open.documents,
        DocumentFilter::All,
        "a grant without query shows all"
    );
}

#[test]
fn only_grants_for_the_action_and_the_index_count() {
    let s = subject(vec![
        grant(&[INDEX], &["read"], Some(HOSTS), None),
        grant(&[INDEX], &["write"], None, None),
        grant(&["logs-*"], &["read"], None, None),
    ]);
    let access = read(&s);
    assert!(
        !access.sees(&lead("user")),
        "write and other indices do not widen read"
    );
    let write = document_access(&s, INDEX, IndexAction::Update, LEAD_FIELDS);
    assert!(write.is_unrestricted());
    let none = read(&subject(vec![grant(&["logs-*"], &["read"], None, None)]));
    assert!(!none.sees(&lead("host")));
}

#[test]
fn an_unusable_stored_query_lets_nothing_through() {
    let access = read(&subject(vec![grant(
        &[INDEX],
        &["read"],
        Some(r#"{"nested":{}}"#),
        None,
    )]));
    assert!(!access.sees(&lead("host")));
}

#[test]
fn fields_are_the_union_of_the_grants_and_left_out_fields_are_absent() {
    let access = read(&subject(vec![
        grant(
            &[INDEX],
            &["read"],
            None,
            Some((&["entity.*", "observations.sco*"], &["entity.name"])),
        ),
        grant(&[INDEX], &["read"], None, Some((&["priority"], &[]))),
    ]));
    assert_eq!(access.documents, DocumentFilter::All);
    let mut doc = lead("host");
    access.project(&mut doc);
    assert_eq!(
        doc,
        json!({"id": "l", "priority": 5, "entity": {"type": "host"}, "observations": [{"score": 1}]})
    );
    assert!(access.key.is_some());
    let everything = read(&subject(vec![
        grant(&[INDEX], &["read"], None, Some((&["priority"], &[]))),
        grant(&[INDEX], &["read"], None, None),
    ]));
    assert_eq!(everything.fields, FieldFilter::All);
}

#[test]
fn the_same_grants_give_the_same_key_and_other_grants_another() {
    let a = read(&subject(vec![
        grant(&[INDEX], &["read"], Some(HOSTS), None),
        grant(&[INDEX], &["read"], Some(USERS), None),
    ]));
    let b = read(&subject(vec![
        grant(&[INDEX], &["read"], Some(USERS), None),
        grant(&[INDEX], &["read"], Some(HOSTS), None),
    ]));
    let c = read(&subject(vec![grant(
        &[INDEX],
        &["read"],
        Some(HOSTS),
        None,
    )]));
    assert_eq!(a.key, b.key);
    assert_ne!(a.key, c.key);
}

#[test]
fn queries_are_checked_on_the_served_indices_only() {
    let bad = r#"{"nested":{"path":"x","query":{"match_all":{}}}}"#;
    for names in [
        &[".entity_analytics.entity-leads-*"][..],
        &[INDEX],
        &["*"],
        &[".entity_analytics.*"],
        &["logs-*", ".ent*"],
    ] {
        let found = unusable_role_query(&[grant(names, &["read"], Some(bad), None)], LEAD_FIELDS);
        assert!(
            found
                .as_ref()
                .is_some_and(|(i, m)| *i == 0 && m.contains("[nested]")),
            "{names:?}: {found:?}"
        );
    }
    for names in [
        &["logs-*"][..],
        &[".entity_analytics.other"],
        &[".kibana*"],
        &[NON_DOT_INDICES],
    ] {
        assert_eq!(
            unusable_role_query(&[grant(names, &["read"], Some(bad), None)], LEAD_FIELDS),
            None,
            "{names:?}"
        );
    }
    let good = grant(&[INDEX], &["read"], Some(HOSTS), None);
    let second = grant(&["*"], &["read"], Some(r#"{"term":{"ssn":"1"}}"#), None);
    let (at, message) = unusable_role_query(&[good, second], LEAD_FIELDS).expect("refused");
    assert_eq!(at, 1);
    assert!(
        message.starts_with("unknown field [ssn] in [term]"),
        "{message}"
    );
}

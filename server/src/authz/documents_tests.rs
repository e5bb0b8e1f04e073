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
fn a_field_left_out_deep_inside_an_allowed_object_is_still_left_out() {
    let doc = || {
        json!({"id": "l", "entity": {"id": "e1", "type": "host", "tags": [{}, {"k": 1}]},
               "entityx": {"a": 1}, "observations": [{"score": 1}, {}]})
    };
    let project = |grant_fields: &[&str], except: &[&str]| {
        let access = read(&subject(vec![grant(
            &[INDEX],
            &["read"],
            None,
            Some((grant_fields, except)),
        )]));
        let mut projected = doc();
        access.project(&mut projected);
        let mut text = String::new();
        access
            .project_json(&doc().to_string(), &mut text)
            .expect("a JSON object");
        assert_eq!(
            serde_json::from_str::<Value>(&text).expect("JSON"),
            projected,
            "the projection of the text is the projection of the document"
        );
        projected
    };
    // Everything but one leaf two levels down.
    assert_eq!(
        project(&["*"], &["entity.id"]),
        json!({"id": "l", "entity": {"type": "host", "tags": [{"k": 1}]},
               "entityx": {"a": 1}, "observations": [{"score": 1}]})
    );
    // `entity*` covers `entityx` too; an except by wildcard reaches below `entity`.
    assert_eq!(
        project(&["entity*"], &["entity.t?pe"]),
        json!({"id": "l", "entity": {"id": "e1", "tags": [{"k": 1}]}, "entityx": {"a": 1}})
    );
    // Empty objects in arrays go even where every field is allowed.
    assert_eq!(
        project(&["*"], &["priority"]),
        json!({"id": "l", "entity": {"id": "e1", "type": "host", "tags": [{"k": 1}]},
               "entityx": {"a": 1}, "observations": [{"score": 1}]})
    );
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

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Queries from the supported subset, each on its own or combined by `bool`.
    const QUERIES: &[&str] = &[
        r#"{"term":{"entity.type":"host"}}"#,
        r#"{"terms":{"status":["active","dismissed"]}}"#,
        r#"{"range":{"priority":{"gte":6}}}"#,
        r#"{"prefix":{"entity.name":"web"}}"#,
        r#"{"match":{"title":"risk"}}"#,
        r#"{"exists":{"field":"tags"}}"#,
        r#"{"match_none":{}}"#,
    ];

    fn lead_doc() -> impl Strategy<Value = Value> {
        (
            prop::sample::select(vec!["host", "user", "service"]),
            prop::sample::select(vec!["web-01", "db-02", "alice"]),
            1u8..=10,
            prop::sample::select(vec!["active", "dismissed", "expired"]),
            prop::bool::ANY,
            prop::bool::ANY,
        )
            .prop_map(|(kind, name, priority, status, tagged, risky)| {
                json!({
                    "id": format!("{kind}-{name}-{priority}"),
                    "title": if risky { "High risk host" } else { "Odd login" },
                    "entity": {"type": kind, "name": name, "id": format!("{kind}:{name}")},
                    "tags": if tagged { json!(["t"]) } else { json!([]) },
                    "priority": priority, "status": status,
                    "observations": [{"score": priority, "severity": "low"}],
                })
            })
    }

    type GrantSpec = (Option<usize>, Option<Vec<&'static str>>);

    fn grants() -> impl Strategy<Value = Vec<GrantSpec>> {
        let fields = prop::sample::subsequence(
            vec!["entity.*", "priority", "title", "observations.*", "status"],
            0..=3,
        );
        prop::collection::vec(
            (prop::option::of(0..QUERIES.len()), prop::option::of(fields)),
            1..4,
        )
    }

    fn leaves(doc: &Value, path: &str, out: &mut Vec<String>) {
        match doc {
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(v, &p, out)
            }),
            Value::Array(items) if items.iter().any(Value::is_object) => {
                items.iter().for_each(|v| leaves(v, path, out))
            }
            _ => out.push(path.to_string()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Grants combine as Elasticsearch combines them: a lead is visible when any grant's
        /// query (or a grant without one) lets it through, and after projection exactly the
        /// leaves some grant allows are left.
        #[test]
        fn grants_combine_as_elasticsearch_does(doc in lead_doc(), specs in grants()) {
            let subject = subject(specs.iter().map(|(query, fields)| {
                grant(&[INDEX], &["read"], query.map(|q| QUERIES[q]), fields.as_ref().map(|f| (f.as_slice(), &[][..])))
            }).collect());
            let access = read(&subject);
            let expected = specs.iter().any(|(query, _)| match query {
                None => true,
                Some(q) => doc_query::parse_role_query(&Value::from(QUERIES[*q]), LEAD_FIELDS)
                    .expect("supported")
                    .matches(&doc),
            });
            prop_assert_eq!(access.sees(&doc), expected);

            let allowed = |path: &str| path == "id" || specs.iter().any(|(_, fields)| match fields {
                None => true,
                Some(patterns) => patterns.iter().any(|p| wildcard_match(p, path)),
            });
            let mut before = Vec::new();
            leaves(&doc, "", &mut before);
            let mut projected = doc.clone();
            access.project(&mut projected);
            // The same projection on the text, as a restricted find does it.
            let mut text = String::new();
            access.project_json(&doc.to_string(), &mut text).expect("a JSON object");
            prop_assert_eq!(serde_json::from_str::<Value>(&text).expect("JSON"), projected.clone());
            let mut after = Vec::new();
            leaves(&projected, "", &mut after);
            let mut wanted: Vec<String> = before.into_iter().filter(|p| allowed(p)).collect();
            wanted.dedup();
            after.dedup();
            prop_assert_eq!(after, wanted);
        }
    }
}

#[test]
fn the_projection_of_a_text_keeps_escaped_field_names_and_refuses_what_is_not_an_object() {
    let access = read(&subject(vec![grant(
        &[INDEX],
        &["read"],
        None,
        Some((&["*"], &["priority"])),
    )]));
    let mut text = String::new();
    access
        .project_json(r#"{"id":"l","quo\"te":{"a":1},"priority":5}"#, &mut text)
        .expect("a JSON object");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON"),
        json!({"id": "l", "quo\"te": {"a": 1}})
    );
    assert!(access.project_json("[1]", &mut String::new()).is_err());
    assert!(access
        .project_json(r#"{"id":"l"} x"#, &mut String::new())
        .is_err());
}

#[test]
fn the_projection_of_a_text_reads_blanks_and_brackets_inside_strings_as_json_does() {
    let access = read(&subject(vec![grant(
        &[INDEX],
        &["read"],
        None,
        Some((&["*"], &["priority", "entity.name"])),
    )]));
    let text = r#" { "id" : "l" , "title":"a } \" [ b\\", "tags" : [ "x]", "{" ] ,
        "entity": {"type":"host","name":"n{"}, "priority": 5 , "score":-1.5e3 } "#;
    let mut projected: Value = serde_json::from_str(text).expect("JSON");
    access.project(&mut projected);
    let mut out = String::new();
    access.project_json(text, &mut out).expect("a JSON object");
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("JSON"),
        projected
    );
    assert_eq!(
        projected,
        json!({"id": "l", "title": "a } \" [ b\\", "tags": ["x]", "{"],
               "entity": {"type": "host"}, "score": -1500.0})
    );
    for broken in [r#"{"id":"l""#, r#"{"id" "l"}"#, r#"{"id":"l",}"#, "{", ""] {
        assert!(
            access.project_json(broken, &mut String::new()).is_err(),
            "{broken}"
        );
    }
}

//! User and role validation and the role shapes, checked natively.

use gatehouse_api::admin::RoleDescriptor;
use serde_json::{json, Value};

use crate::authz::{self};

use super::*;

fn kibana_err(body: Value) -> String {
    kibana_body_to_descriptor(&body)
        .unwrap_err()
        .kibana_message()
}

#[test]
fn every_role_validation_text() {
    assert_eq!(
        kibana_err(json!({"kibana":[{"spaces":["*"]}]})),
        "[request body.kibana.0]: either [base] or [feature] is expected, but none of them specified"
    );
    assert_eq!(
        kibana_err(json!({"kibana":[{"base":["all"],"feature":{"dashboard":["all"]},"spaces":["*"]}]})),
        "[request body.kibana.0]: definition of [feature] isn't allowed when non-empty [base] is defined."
    );
    assert_eq!(
        kibana_err(json!({"kibana":[{"base":["foo"],"spaces":["*"]}]})),
        "[request body.kibana.0.base.0]: unknown global privilege \"foo\", must be one of [all,read]"
    );
    assert_eq!(
        kibana_err(json!({"kibana":[{"base":["foo"],"spaces":["marketing"]}]})),
        "[request body.kibana.0.base.0]: unknown space privilege \"foo\", must be one of [all,read]"
    );
    assert_eq!(
        kibana_err(json!({"kibana":[{"base":["read"],"spaces":["marketing"]},{"base":["all"],"spaces":["marketing"]}]})),
        "[request body.kibana]: more than one privilege is applied to the following spaces: [marketing]"
    );
    assert_eq!(
        kibana_err(json!({"kibana":[{"feature":{"!foo":["all"]},"spaces":["*"]}]})),
        "[request body.kibana.0.feature.key(\"!foo\")]: only a-z, A-Z, 0-9, '_', and '-' are allowed"
    );
    assert_eq!(
        kibana_err(json!({"kibana":[{"feature":{"bar":["read"]},"spaces":["*"]}]})),
        "Role cannot be updated due to validation errors: [\"Feature [bar] does not support privilege [read].\"]"
    );
    assert_eq!(
        kibana_err(json!({"nope": 1})),
        "[request body.nope]: definition for this key is missing"
    );
    assert_eq!(
        kibana_err(
            json!({"elasticsearch": {"indices": [{"names": ["a"], "privileges": ["read"], "extra": 1}]}})
        ),
        "[request body.elasticsearch.indices.0.extra]: definition for this key is missing"
    );
    assert_eq!(
        validate_role_name(&"a".repeat(1025)).unwrap_err().kibana_message(),
        "[request params.name]: value has length [1025] but it must have a maximum length of [1024]."
    );
    assert!(validate_role_name(&"a".repeat(1024)).is_ok());
    assert_eq!(
        kibana_err(json!({"description": "d".repeat(2049)})),
        "[request body.description]: value has length [2049] but it must have a maximum length of [2048]."
    );
}

#[test]
fn kibana_privileges_translate_both_ways() {
    let role = kibana_body_to_descriptor(&json!({
        "elasticsearch": {"cluster": ["monitor"], "indices": [{"names": ["logs-*"], "privileges": ["read"],
            "field_security": {"grant": ["*"], "except": ["ssn"]}, "query": "{\"term\":{\"region\":\"emea\"}}"}]},
        "kibana": [
            {"base": ["all"], "spaces": ["*"]},
            {"base": ["read"], "spaces": ["s1"]},
            {"feature": {"dashboard": ["all"], "securitySolution": ["read"]}, "spaces": ["s3"]}
        ]
    }))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&role.applications).unwrap(),
        json!([
            {"application": "kibana-.kibana", "privileges": ["all"], "resources": ["*"]},
            {"application": "kibana-.kibana", "privileges": ["space_read"], "resources": ["space:s1"]},
            {"application": "kibana-.kibana", "privileges": ["feature_dashboard.all", "feature_securitySolution.read"], "resources": ["space:s3"]}
        ])
    );
    let back = descriptor_to_kibana("r", &role);
    assert_eq!(back.kibana[0].base, vec!["all"]);
    assert_eq!(back.kibana[1].spaces, vec!["s1"]);
    assert_eq!(back.kibana[2].feature["dashboard"], vec!["all"]);
    assert_eq!(
        back.elasticsearch.indices[0].query.as_deref(),
        Some("{\"term\":{\"region\":\"emea\"}}")
    );
    assert!(!back.is_reserved());
    assert!(descriptor_to_kibana("viewer", &get_reserved("viewer")).is_reserved());
    // The stored body reads back as the one role type authorization uses, query included.
    let stored = serde_json::to_string(&role).unwrap();
    let es: RoleDescriptor = serde_json::from_str(&stored).unwrap();
    assert_eq!(es.applications.len(), 3);
    assert_eq!(es.indices[0].query, role.indices[0].query);
    // `{}` is a valid empty role.
    assert_eq!(
        kibana_body_to_descriptor(&json!({}))
            .unwrap()
            .applications
            .len(),
        0
    );
}

fn get_reserved(name: &str) -> RoleDescriptor {
    authz::reserved_role(name).unwrap()
}

#[test]
fn user_rules() {
    assert!(validate_username("bob").is_ok());
    assert!(validate_username(&"a".repeat(507)).is_ok());
    assert!(validate_username(&"a".repeat(508)).is_err());
    assert!(validate_username(" bob").is_err());
    assert!(validate_username("bob ").is_err());
    assert!(validate_username("bo\tb").is_err());
    assert!(validate_username("").is_err());
    assert_eq!(
        validate_password("password", "12345")
            .unwrap_err()
            .kibana_message(),
        "[request body.password]: value has length [5] but it must have a minimum length of [6]."
    );
    let roles: Vec<String> = (0..101).map(|i| format!("r{i}")).collect();
    assert_eq!(
        validate_roles(&roles).unwrap_err().kibana_message(),
        "[request body.roles]: array size is [101], but cannot be greater than [100]"
    );
    assert!(validate_roles(&roles[..100]).is_ok());
}

#[test]
fn denial_is_wrapped_as_kibana_does() {
    let e = AdminError::Denied("R".into());
    assert_eq!(
        e.kibana_message(),
        "[security_exception\n\tRoot causes:\n\t\tsecurity_exception: R]: R"
    );
    assert_eq!(e.es_body()["error"]["root_cause"][0]["reason"], "R");
    assert_eq!(e.es_body()["status"], 403);
}

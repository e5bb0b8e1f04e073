//! The authorization rules, checked natively.

use gatehouse_api::admin::{IndexPrivileges, RoleDescriptor};
use gatehouse_api::dashboards::DashboardAccessMode;
use gatehouse_api::security::KIBANA_APPLICATION;
use serde_json::json;

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

/// alice, whose one role grants Dashboards (`feature_dashboard.all`) in the default space only.
fn dashboard_editor_alice() -> Subject {
    let grant = (
        KIBANA_APPLICATION,
        &["feature_dashboard.all"][..],
        &["space:default"][..],
    );
    subject("alice", &[("dashboard_editor", role(&[], &[grant]))])
}

/// "s", whose one role grants `space_all` in `space` only.
fn space_admin_of(space: &str) -> Subject {
    let resource = format!("space:{space}");
    let grant = (
        KIBANA_APPLICATION,
        &["space_all"][..],
        &[resource.as_str()][..],
    );
    subject("s", &[("s", role(&[], &[grant]))])
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
    let alice = dashboard_editor_alice();
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
    let alice = dashboard_editor_alice();
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
    let alice = dashboard_editor_alice();
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
            if section == "management" && cap == "security" {
                // Kibana's security management capabilities follow cluster privileges, not a
                // UI action (docs/audit-log.md): a reader without read_security has none.
                assert_eq!(v["audit_log"], false);
                continue;
            }
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
    let space_admin = ObjectActor::new(&space_admin_of("default"), "default", "dashboard", "u_s_0");
    assert!(!alice.is_admin && !bob.is_admin && !victor.is_admin);
    assert!(root.is_admin && space_admin.is_admin);
    // Admin elsewhere is not admin here.
    let other_space = ObjectActor::new(&space_admin_of("other"), "default", "dashboard", "u_s_0");
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

#[test]
fn has_privileges_requests_have_a_size() {
    let names = |n: usize| (0..n).map(|i| format!("logs-{i}")).collect::<Vec<_>>();
    let request = |index_names: usize, privileges: usize| HasPrivilegesRequest {
        cluster: vec!["monitor".into()],
        index: vec![IndexCheck {
            names: names(index_names),
            privileges: names(privileges),
        }],
        ..Default::default()
    };
    // 1 cluster + 999 = 1,000 answers: taken; one more is not.
    assert_eq!(request(333, 3).check_size(), Ok(()));
    let refused = request(500, 2).check_size().unwrap_err();
    assert!(
        refused.contains("at most 1000 privileges, this one asks for 1001"),
        "{refused}"
    );
    // Products that overflow are refused, not wrapped.
    let mut huge = request(1, 1);
    huge.application = vec![ApplicationCheck {
        application: "kibana-.kibana".into(),
        resources: names(100_000),
        privileges: names(100_000),
    }];
    assert!(huge.check_size().is_err());
    let mut long = request(1, 1);
    long.index[0].names[0] = "x".repeat(MAX_HAS_PRIVILEGES_NAME_CHARS + 1);
    assert!(long
        .check_size()
        .unwrap_err()
        .contains("at most 255 characters"));
    long.index[0].names[0] = "x".repeat(MAX_HAS_PRIVILEGES_NAME_CHARS);
    assert_eq!(long.check_size(), Ok(()));
}

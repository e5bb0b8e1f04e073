//! The role editor's form as plain data: what it holds, its checks in Kibana's words (the shared
//! rules of [`super`] for the name and the space ids), the body it sends and the list's summary.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::NameProblem;
use crate::admin::{FeatureSelection, KibanaRole};

pub mod texts {
    pub const TITLE: &str = "Roles";
    pub const SUBTITLE: &str =
        "Apply roles to groups of users and manage permissions across the stack.";
    pub const SHOW_RESERVED: &str = "Show reserved roles";
    pub const CREATE_ROLE: &str = "Create role";
    pub const EDIT_ROLE: &str = "Edit role";
    pub const RESERVED: &str = "Reserved";
    pub const RESERVED_TIP: &str = "Reserved roles are built-in and cannot be edited or removed.";
    pub const NAME_REQUIRED: &str = "Please provide a role name.";
    pub const NAME_TOO_LONG: &str = "Name must not exceed 1024 characters.";
    pub const NAME_SPACES: &str = "Name must not contain leading or trailing spaces.";
    pub const NAME_PRINTABLE: &str =
        "Name must contain only letters, numbers, spaces, punctuation and printable symbols.";
    pub const NAME_FIXED: &str = "Once the role is created you can no longer edit its name.";
    pub const NAME_TAKEN: &str = "A role with this name already exists.";
    pub const INDEX_REQUIRED: &str = "Enter or select at least one index pattern";
    pub const PRIVILEGE_REQUIRED_INDEX: &str = "Enter or select at least one action";
    pub const SPACE_REQUIRED: &str = "At least one space is required";
    pub const PRIVILEGE_REQUIRED: &str = "Privilege is required";
    pub const CREATED: &str = "Created role";
    pub const UPDATED: &str = "Updated role";
    pub const DELETED: &str = "Deleted role";
}

pub const CLUSTER_PRIVILEGES: [&str; 4] = ["all", "monitor", "manage_security", "read_security"];
pub const INDEX_PRIVILEGES: [&str; 11] = [
    "all",
    "read",
    "write",
    "index",
    "create",
    "create_index",
    "delete",
    "delete_index",
    "manage",
    "monitor",
    "view_index_metadata",
];

/// The role name field: the shared rule ([`super::role_name`]) in Kibana's words.
pub fn validate_role_name(name: &str) -> Option<String> {
    super::role_name(name).err().map(|problem| {
        match problem {
            NameProblem::Empty => texts::NAME_REQUIRED,
            NameProblem::TooLong { .. } => texts::NAME_TOO_LONG,
            NameProblem::Untrimmed => texts::NAME_SPACES,
            NameProblem::NotPrintable => texts::NAME_PRINTABLE,
        }
        .to_string()
    })
}

/// Comma- or newline-separated entries, trimmed, empty ones dropped.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The granted documents query must be JSON; on failure, where it breaks.
pub fn check_query(query: &str) -> Result<(), String> {
    if query.trim().is_empty() {
        return Ok(());
    }
    match serde_json::from_str::<Value>(query) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) => Err(
            "The query must be a JSON object, for example {\"term\": {\"region\": \"emea\"}}."
                .into(),
        ),
        Err(err) => {
            let message = err.to_string();
            let message = match message.rfind(" at line ") {
                Some(index) => message[..index].to_string(),
                None => message,
            };
            Err(format!(
                "Invalid JSON at line {}, column {}: {message}.",
                err.line(),
                err.column()
            ))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexRow {
    pub names: String,
    pub privileges: Vec<String>,
    pub grant_fields: String,
    pub except_fields: String,
    pub query: String,
    pub allow_restricted_indices: bool,
}

impl IndexRow {
    /// The row as the role API's `elasticsearch.indices` takes it.
    pub fn to_body_entry(&self) -> Value {
        let mut index = json!({
            "names": split_list(&self.names),
            "privileges": self.privileges,
            "allow_restricted_indices": self.allow_restricted_indices,
        });
        let grant = split_list(&self.grant_fields);
        let except = split_list(&self.except_fields);
        if !grant.is_empty() || !except.is_empty() {
            let grant = if grant.is_empty() {
                vec!["*".to_string()]
            } else {
                grant
            };
            index["field_security"] = json!({ "grant": grant, "except": except });
        }
        if !self.query.trim().is_empty() {
            // Stored compact, as Kibana sends it.
            let query = serde_json::from_str::<Value>(&self.query)
                .map(|v| v.to_string())
                .unwrap_or_else(|_| self.query.trim().to_string());
            index["query"] = Value::String(query);
        }
        index
    }

    pub fn is_blank(&self) -> bool {
        split_list(&self.names).is_empty()
            && self.privileges.is_empty()
            && self.query.trim().is_empty()
            && self.grant_fields.trim().is_empty()
            && self.except_fields.trim().is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexRowErrors {
    pub names: Option<String>,
    pub privileges: Option<String>,
    pub query: Option<String>,
}

impl IndexRowErrors {
    pub fn is_empty(&self) -> bool {
        self.names.is_none() && self.privileges.is_none() && self.query.is_none()
    }
}

pub fn validate_index_row(row: &IndexRow) -> IndexRowErrors {
    if row.is_blank() {
        return IndexRowErrors::default();
    }
    IndexRowErrors {
        names: split_list(&row.names)
            .is_empty()
            .then(|| texts::INDEX_REQUIRED.to_string()),
        privileges: row
            .privileges
            .is_empty()
            .then(|| texts::PRIVILEGE_REQUIRED_INDEX.to_string()),
        query: check_query(&row.query).err(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasePrivilege {
    #[default]
    All,
    Read,
    Customize,
}

impl BasePrivilege {
    pub fn label(self) -> &'static str {
        match self {
            BasePrivilege::All => "All",
            BasePrivilege::Read => "Read",
            BasePrivilege::Customize => "Customize",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceRow {
    /// Space ids, `*` for all spaces.
    pub spaces: String,
    pub base: BasePrivilege,
    /// Feature id → the privileges the role stores for it (`all`, `read`, or `minimal_*` with
    /// sub-feature privilege ids); absent means None.
    pub features: BTreeMap<String, Vec<String>>,
}

impl SpaceRow {
    /// A feature's privileges in this row, as the editor draws them.
    pub fn feature_selection(&self, feature: &crate::admin::FeatureInfo) -> FeatureSelection {
        let stored = self.features.get(&feature.id).map(Vec::as_slice);
        FeatureSelection::from_privileges(feature, stored.unwrap_or_default())
    }

    /// Applies one edit to a feature's selection; no access removes the feature from the row.
    pub fn edit_feature(
        &mut self,
        feature: &crate::admin::FeatureInfo,
        edit: impl FnOnce(&mut FeatureSelection),
    ) {
        let mut selection = self.feature_selection(feature);
        edit(&mut selection);
        let privileges = selection.to_privileges();
        if privileges.is_empty() {
            self.features.remove(&feature.id);
        } else {
            self.features.insert(feature.id.clone(), privileges);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceRowErrors {
    pub spaces: Option<String>,
    pub privilege: Option<String>,
}

impl SpaceRowErrors {
    pub fn is_empty(&self) -> bool {
        self.spaces.is_none() && self.privilege.is_none()
    }
}

/// Per row: spaces present and well-formed, no space in two rows, a privilege chosen.
pub fn validate_space_rows(rows: &[SpaceRow]) -> Vec<SpaceRowErrors> {
    let mut seen: Vec<String> = Vec::new();
    rows.iter()
        .map(|row| {
            let spaces = split_list(&row.spaces);
            let mut errors = SpaceRowErrors::default();
            if spaces.is_empty() {
                errors.spaces = Some(texts::SPACE_REQUIRED.into());
            } else if let Some(bad) = spaces.iter().find(|s| s.as_str() != "*" && super::space_id(s).is_err()) {
                errors.spaces = Some(format!(
                    "Space '{bad}' is not a space id: use lower case a-z, 0-9, '_' and '-', or * for all spaces."
                ));
            } else if spaces.len() > 1 && spaces.iter().any(|s| s == "*") {
                errors.spaces = Some("* (all spaces) cannot be combined with other spaces.".into());
            } else {
                let repeated: Vec<&String> = spaces.iter().filter(|s| seen.contains(s)).collect();
                if !repeated.is_empty() {
                    errors.spaces = Some(format!(
                        "More than one privilege is applied to the following spaces: [{}]",
                        repeated.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
                    ));
                }
                seen.extend(spaces);
            }
            if row.base == BasePrivilege::Customize && row.features.is_empty() {
                errors.privilege = Some(texts::PRIVILEGE_REQUIRED.into());
            }
            errors
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleForm {
    pub name: String,
    pub description: String,
    pub cluster: Vec<String>,
    pub run_as: Vec<String>,
    pub indices: Vec<IndexRow>,
    pub kibana: Vec<SpaceRow>,
    pub metadata: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleFormErrors {
    pub name: Option<String>,
    pub indices: Vec<IndexRowErrors>,
    pub kibana: Vec<SpaceRowErrors>,
}

impl RoleFormErrors {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.indices.iter().all(IndexRowErrors::is_empty)
            && self.kibana.iter().all(SpaceRowErrors::is_empty)
    }
}

pub fn validate_role_form(form: &RoleForm) -> RoleFormErrors {
    RoleFormErrors {
        name: validate_role_name(&form.name),
        indices: form.indices.iter().map(validate_index_row).collect(),
        kibana: validate_space_rows(&form.kibana),
    }
}

impl RoleForm {
    pub fn from_role(role: &KibanaRole) -> Self {
        let mut metadata = role.metadata.clone();
        if let Some(object) = metadata.as_object_mut() {
            object.retain(|key, _| !key.starts_with('_'));
        }
        Self {
            name: role.name.clone(),
            description: role.description.clone().unwrap_or_default(),
            cluster: role.elasticsearch.cluster.clone(),
            run_as: role.elasticsearch.run_as.clone(),
            indices: role
                .elasticsearch
                .indices
                .iter()
                .map(|index| IndexRow {
                    names: index.names.join(", "),
                    privileges: index.privileges.clone(),
                    grant_fields: index
                        .field_security
                        .as_ref()
                        .and_then(|f| f.grant.as_ref())
                        .map(|g| g.join(", "))
                        .unwrap_or_default(),
                    except_fields: index
                        .field_security
                        .as_ref()
                        .and_then(|f| f.except.as_ref())
                        .map(|g| g.join(", "))
                        .unwrap_or_default(),
                    query: index
                        .query
                        .as_deref()
                        .map(|q| match serde_json::from_str::<Value>(q) {
                            Ok(value) => serde_json::to_string_pretty(&value)
                                .unwrap_or_else(|_| q.to_string()),
                            Err(_) => q.to_string(),
                        })
                        .unwrap_or_default(),
                    allow_restricted_indices: index.allow_restricted_indices,
                })
                .collect(),
            kibana: role
                .kibana
                .iter()
                .map(|entry| SpaceRow {
                    spaces: entry.spaces.join(", "),
                    base: if entry.base.iter().any(|b| b == "all") {
                        BasePrivilege::All
                    } else if entry.base.iter().any(|b| b == "read") {
                        BasePrivilege::Read
                    } else {
                        BasePrivilege::Customize
                    },
                    features: entry
                        .feature
                        .iter()
                        .filter(|(_, privileges)| !privileges.is_empty())
                        .map(|(id, privileges)| (id.clone(), privileges.clone()))
                        .collect(),
                })
                .collect(),
            metadata,
        }
    }

    /// The index rows the role body carries (blank rows are left out), each with the position
    /// of the form row it came from: the role save's `elasticsearch.indices.{i}` is the `i`th.
    pub fn indices_to_send(&self) -> Vec<(usize, Value)> {
        self.indices
            .iter()
            .enumerate()
            .filter(|(_, row)| !row.is_blank())
            .map(|(at, row)| (at, row.to_body_entry()))
            .collect()
    }

    /// Whether a row narrows documents or fields: then the editor checks the rows against the
    /// server before saving (docs/administration.md, "Checking index rows before saving").
    pub fn needs_check(&self) -> bool {
        self.indices.iter().any(|row| {
            !row.is_blank()
                && (!row.query.trim().is_empty()
                    || !split_list(&row.grant_fields).is_empty()
                    || !split_list(&row.except_fields).is_empty())
        })
    }

    /// The `PUT /api/security/role/{name}` body (no name, no reserved or transient keys).
    pub fn to_body(&self) -> Value {
        let indices: Vec<Value> = self
            .indices_to_send()
            .into_iter()
            .map(|(_, row)| row)
            .collect();
        let kibana: Vec<Value> = self
            .kibana
            .iter()
            .map(|row| {
                let (base, feature) = match row.base {
                    BasePrivilege::All => (vec!["all"], BTreeMap::new()),
                    BasePrivilege::Read => (vec!["read"], BTreeMap::new()),
                    BasePrivilege::Customize => (vec![], row.features.clone()),
                };
                json!({ "base": base, "feature": feature, "spaces": split_list(&row.spaces) })
            })
            .collect();
        let mut body = json!({
            "elasticsearch": { "cluster": self.cluster, "indices": indices, "run_as": self.run_as },
            "kibana": kibana,
        });
        if !self.description.trim().is_empty() {
            body["description"] = Value::String(self.description.trim().to_string());
        }
        if self.metadata.as_object().is_some_and(|o| !o.is_empty()) {
            body["metadata"] = self.metadata.clone();
        }
        body
    }
}

/// A short, readable summary of what a role grants, for the list.
pub fn role_summary(role: &KibanaRole) -> Vec<String> {
    let mut out = Vec::new();
    if !role.elasticsearch.cluster.is_empty() {
        out.push(format!(
            "cluster: {}",
            role.elasticsearch.cluster.join(", ")
        ));
    }
    for index in &role.elasticsearch.indices {
        out.push(format!(
            "{}: {}",
            index.names.join(", "),
            index.privileges.join(", ")
        ));
    }
    for entry in &role.kibana {
        let spaces = if entry.spaces.iter().any(|s| s == "*") {
            "all spaces".to_string()
        } else {
            entry.spaces.join(", ")
        };
        if !entry.base.is_empty() {
            out.push(format!("Kibana {} in {spaces}", entry.base.join(", ")));
        } else {
            let features: Vec<String> = entry
                .feature
                .iter()
                .map(|(id, p)| format!("{id} {}", p.join("/")))
                .collect();
            out.push(format!("Kibana {} in {spaces}", features.join(", ")));
        }
    }
    out
}

/// Adds or removes one space in a comma-separated list; `*` (all spaces) stands alone.
pub fn toggle_space(list: &str, id: &str) -> String {
    let mut spaces = split_list(list);
    if id == "*" {
        return if spaces.iter().any(|s| s == "*") {
            String::new()
        } else {
            "*".to_string()
        };
    }
    spaces.retain(|s| s != "*");
    if let Some(at) = spaces.iter().position(|s| s == id) {
        spaces.remove(at);
    } else {
        spaces.push(id.to_string());
    }
    spaces.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_sent_for_a_check_keep_the_position_of_their_form_row() {
        let form = RoleForm {
            indices: vec![
                IndexRow::default(),
                IndexRow {
                    names: "logs-*".into(),
                    privileges: vec!["read".into()],
                    ..IndexRow::default()
                },
                IndexRow {
                    names: ".entity_analytics.entity-leads-*".into(),
                    privileges: vec!["read".into()],
                    query: "{ \"term\": {\"entity.type\": \"host\"} }".into(),
                    ..IndexRow::default()
                },
            ],
            ..RoleForm::default()
        };
        let sent = form.indices_to_send();
        assert_eq!(sent.iter().map(|(at, _)| *at).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(sent[1].1["query"], r#"{"term":{"entity.type":"host"}}"#);
        assert_eq!(
            form.to_body()["elasticsearch"]["indices"],
            json!([sent[0].1, sent[1].1]),
            "the save sends the same rows in the same order"
        );
        assert!(form.needs_check());
    }

    #[test]
    fn only_rows_that_narrow_documents_or_fields_need_a_check_before_saving() {
        let plain = IndexRow {
            names: "logs-*".into(),
            privileges: vec!["read".into()],
            ..IndexRow::default()
        };
        let mut form = RoleForm {
            indices: vec![plain.clone()],
            ..RoleForm::default()
        };
        assert!(!form.needs_check());
        form.indices[0].except_fields = " ssn ".into();
        assert!(form.needs_check());
        form.indices[0] = IndexRow {
            query: "  ".into(),
            grant_fields: ", ".into(),
            ..plain
        };
        assert!(!form.needs_check());
    }

    #[test]
    fn role_names_follow_kibana_rules() {
        assert_eq!(
            validate_role_name("").as_deref(),
            Some("Please provide a role name.")
        );
        assert_eq!(
            validate_role_name(&"r".repeat(1025)).as_deref(),
            Some("Name must not exceed 1024 characters.")
        );
        assert_eq!(validate_role_name(&"r".repeat(1024)), None);
        assert_eq!(
            validate_role_name(" analyst").as_deref(),
            Some("Name must not contain leading or trailing spaces.")
        );
        assert_eq!(
            validate_role_name("analyst ").as_deref(),
            Some("Name must not contain leading or trailing spaces.")
        );
        assert_eq!(validate_role_name("leads read-only (EMEA)"), None);
    }

    #[test]
    fn index_rows_need_patterns_and_actions_and_a_json_query() {
        assert!(validate_index_row(&IndexRow::default()).is_empty());
        let names_only = IndexRow {
            names: "logs-*".into(),
            ..Default::default()
        };
        let errors = validate_index_row(&names_only);
        assert_eq!(errors.names, None);
        assert_eq!(
            errors.privileges.as_deref(),
            Some("Enter or select at least one action")
        );
        let privileges_only = IndexRow {
            privileges: vec!["read".into()],
            ..Default::default()
        };
        assert_eq!(
            validate_index_row(&privileges_only).names.as_deref(),
            Some("Enter or select at least one index pattern")
        );
        let bad_query = check_query("{\n  \"term\": {\"region\": \"emea\",}\n}").unwrap_err();
        assert!(
            bad_query.starts_with("Invalid JSON at line 2, column"),
            "{bad_query}"
        );
        assert!(check_query("[1]").is_err());
        assert!(check_query("{\"match_all\":{}}").is_ok());
        assert!(check_query("   ").is_ok());
    }

    #[test]
    fn space_rows_need_spaces_a_privilege_and_no_overlap() {
        let rows = vec![
            SpaceRow::default(),
            SpaceRow {
                spaces: "default, marketing".into(),
                base: BasePrivilege::Customize,
                ..Default::default()
            },
            SpaceRow {
                spaces: "marketing".into(),
                base: BasePrivilege::Read,
                ..Default::default()
            },
            SpaceRow {
                spaces: "Bad Space".into(),
                ..Default::default()
            },
        ];
        let errors = validate_space_rows(&rows);
        assert_eq!(
            errors[0].spaces.as_deref(),
            Some("At least one space is required")
        );
        assert_eq!(
            errors[1].privilege.as_deref(),
            Some("Privilege is required")
        );
        assert_eq!(errors[1].spaces, None);
        assert_eq!(
            errors[2].spaces.as_deref(),
            Some("More than one privilege is applied to the following spaces: [marketing]")
        );
        assert!(errors[3]
            .spaces
            .as_deref()
            .unwrap()
            .starts_with("Space 'Bad Space'"));
    }

    #[test]
    fn the_body_has_kibanas_shape_and_a_role_round_trips() {
        let role: KibanaRole = serde_json::from_str(
            r#"{"name":"soc","description":"d","metadata":{"version":1,"_reserved":false},"transient_metadata":{"enabled":true},
                "elasticsearch":{"cluster":["monitor"],"run_as":[],"indices":[{"names":["logs-*"],"privileges":["read"],"field_security":{"grant":["*"],"except":["ssn"]},"query":"{\"term\":{\"region\":\"emea\"}}","allow_restricted_indices":false}]},
                "kibana":[{"base":["read"],"feature":{},"spaces":["marketing"]},{"base":[],"feature":{"dashboard":["all"],"securitySolution":["read"]},"spaces":["default"]}],
                "_transform_error":[],"_unrecognized_applications":[]}"#,
        )
        .unwrap();
        let form = RoleForm::from_role(&role);
        assert_eq!(form.kibana[0].base, BasePrivilege::Read);
        assert_eq!(form.kibana[1].base, BasePrivilege::Customize);
        assert!(validate_role_form(&form).is_empty());
        assert_eq!(
            form.to_body(),
            serde_json::json!({
                "description": "d",
                "metadata": {"version": 1},
                "elasticsearch": {"cluster": ["monitor"], "run_as": [], "indices": [{
                    "names": ["logs-*"], "privileges": ["read"],
                    "field_security": {"grant": ["*"], "except": ["ssn"]},
                    "query": "{\"term\":{\"region\":\"emea\"}}",
                    "allow_restricted_indices": false
                }]},
                "kibana": [
                    {"base": ["read"], "feature": {}, "spaces": ["marketing"]},
                    {"base": [], "feature": {"dashboard": ["all"], "securitySolution": ["read"]}, "spaces": ["default"]}
                ]
            })
        );
        // An empty role is valid and blank index rows are dropped.
        let empty = RoleForm {
            name: "nothing".into(),
            indices: vec![IndexRow::default()],
            ..Default::default()
        };
        assert!(validate_role_form(&empty).is_empty());
        assert_eq!(
            empty.to_body(),
            serde_json::json!({"elasticsearch": {"cluster": [], "indices": [], "run_as": []}, "kibana": []})
        );
    }

    /// The role editor's space picker edits the same list the text field holds.
    #[test]
    fn picking_spaces_edits_the_list_and_all_spaces_stands_alone() {
        assert_eq!(toggle_space("", "soc-emea"), "soc-emea");
        assert_eq!(toggle_space("default", "soc-emea"), "default, soc-emea");
        assert_eq!(toggle_space("default, soc-emea", "default"), "soc-emea");
        assert_eq!(toggle_space("default, soc-emea", "*"), "*");
        assert_eq!(toggle_space("*", "*"), "");
        assert_eq!(
            toggle_space("*", "default"),
            "default",
            "a named space replaces all spaces"
        );
    }
}

#[cfg(test)]
mod sub_feature_form_tests {
    use super::*;
    use crate::admin::{
        FeatureInfo, IncludeIn, PrivilegeGroupInfo, SubFeatureInfo, SubFeaturePrivilegeInfo,
    };

    fn search() -> FeatureInfo {
        FeatureInfo {
            id: "workplaceSearch".into(),
            sub_features: vec![SubFeatureInfo {
                name: "Manage sources and document permissions".into(),
                privilege_groups: vec![PrivilegeGroupInfo {
                    privileges: vec![SubFeaturePrivilegeInfo {
                        id: "manage_sources".into(),
                        include_in: IncludeIn::All,
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
            }],
            ..Default::default()
        }
    }

    /// A role with sub-feature privileges loses none of them when the editor saves it.
    #[test]
    fn every_stored_feature_privilege_survives_the_editor() {
        let role: KibanaRole = serde_json::from_str(
            r#"{"name":"s","kibana":[{"base":[],"feature":{"workplaceSearch":["minimal_all","manage_sources"]},"spaces":["default"]}]}"#,
        )
        .expect("role");
        let form = RoleForm::from_role(&role);
        assert_eq!(
            form.to_body()["kibana"][0]["feature"],
            serde_json::json!({"workplaceSearch": ["minimal_all", "manage_sources"]})
        );
    }

    #[test]
    fn editing_a_feature_writes_minimal_privileges_or_removes_it() {
        let f = search();
        let mut row = SpaceRow::default();
        row.edit_feature(&f, |s| s.set_primary(&f, Some(true)));
        assert_eq!(row.features["workplaceSearch"], ["all"]);
        row.edit_feature(&f, |s| s.toggle_sub_privilege(&f, "manage_sources", false));
        assert_eq!(row.features["workplaceSearch"], ["minimal_all"]);
        assert!(row.feature_selection(&f).customized);
        row.edit_feature(&f, |s| s.set_primary(&f, None));
        assert!(!row.features.contains_key("workplaceSearch"));
    }
}

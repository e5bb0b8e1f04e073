//! Roles in Kibana's shape and in Elasticsearch's: parsing either body into the one role type
//! and answering a stored role in Kibana's shape.

use std::collections::{BTreeMap, BTreeSet};

use gatehouse_api::admin::{
    ElasticsearchPrivileges, IndexPrivileges, KibanaPrivileges, KibanaRole, RoleDescriptor,
    MAX_ROLE_DESCRIPTION_LENGTH,
};
use gatehouse_api::security::{ApplicationPrivilegeGrant, KIBANA_APPLICATION};
use serde_json::{json, Map, Value};

use crate::authz::{self};

use super::*;

// ---------------------------------------------------------------------------------------------
// Roles: Kibana's shape ↔ Elasticsearch application privileges
// ---------------------------------------------------------------------------------------------

pub(crate) fn is_privilege_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(crate) fn is_space_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

pub(crate) fn body_error(path: &str, message: impl std::fmt::Display) -> AdminError {
    AdminError::invalid_both(format!("[request body.{path}]: {message}"))
}

pub(crate) fn check_keys(
    map: &Map<String, Value>,
    prefix: &str,
    allowed: &[&str],
) -> AdminResult<()> {
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            return Err(body_error(&path, "definition for this key is missing"));
        }
    }
    Ok(())
}

pub(crate) fn object<'a>(value: &'a Value, path: &str) -> AdminResult<&'a Map<String, Value>> {
    value.as_object().ok_or_else(|| {
        body_error(
            path,
            format!(
                "expected value of type [object] but got [{}]",
                type_name(value)
            ),
        )
    })
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

pub(crate) fn strings(value: Option<&Value>, path: &str) -> AdminResult<Vec<String>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let array = value.as_array().ok_or_else(|| {
        body_error(
            path,
            format!(
                "expected value of type [array] but got [{}]",
                type_name(value)
            ),
        )
    })?;
    array
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str().map(str::to_string).ok_or_else(|| {
                body_error(
                    &format!("{path}.{i}"),
                    format!("expected value of type [string] but got [{}]", type_name(v)),
                )
            })
        })
        .collect()
}

/// Validates the role name of `PUT /api/security/role/{name}`: the shared rule's length part
/// ([`gatehouse_api::rules::role_name_length`]), with Kibana's texts.
pub fn validate_role_name(name: &str) -> AdminResult<()> {
    match gatehouse_api::rules::role_name_length(name) {
        Ok(()) => Ok(()),
        Err(gatehouse_api::rules::NameProblem::TooLong { max }) => {
            let len = name.chars().count();
            Err(AdminError::invalid_both(format!(
                "[request params.name]: value has length [{len}] but it must have a maximum length of [{max}]."
            )))
        }
        Err(_) => Err(AdminError::invalid_both(
            "[request params.name]: value has length [0] but it must have a minimum length of [1].",
        )),
    }
}

/// A role granting nothing, with the empty metadata object Kibana shows for it (a `null` body).
fn empty_role() -> RoleDescriptor {
    RoleDescriptor {
        metadata: json!({}),
        ..Default::default()
    }
}

/// Parses and validates a Kibana role body (`PUT /api/security/role/{name}`) into the stored
/// Elasticsearch role, with Kibana's texts. Unknown keys are rejected; `{}` is an empty role.
pub fn kibana_body_to_descriptor(body: &Value) -> AdminResult<RoleDescriptor> {
    let root = match body {
        Value::Null => return Ok(empty_role()),
        other => other.as_object().ok_or_else(|| {
            AdminError::invalid_both(format!(
                "[request body]: expected a plain object value, but found [{}] instead.",
                type_name(other)
            ))
        })?,
    };
    check_keys(
        root,
        "",
        &["description", "metadata", "elasticsearch", "kibana"],
    )?;
    let mut role = empty_role();
    if let Some(description) = root.get("description").filter(|v| !v.is_null()) {
        let text = description
            .as_str()
            .ok_or_else(|| body_error("description", "expected value of type [string]"))?;
        let len = text.chars().count();
        if len > MAX_ROLE_DESCRIPTION_LENGTH {
            return Err(body_error(
                "description",
                format!("value has length [{len}] but it must have a maximum length of [{MAX_ROLE_DESCRIPTION_LENGTH}]."),
            ));
        }
        role.description = Some(text.to_string());
    }
    if let Some(metadata) = root.get("metadata").filter(|v| !v.is_null()) {
        object(metadata, "metadata")?;
        role.metadata = metadata.clone();
    }
    if let Some(es) = root.get("elasticsearch") {
        let es = object(es, "elasticsearch")?;
        check_keys(es, "elasticsearch", &["cluster", "indices", "run_as"])?;
        role.cluster = strings(es.get("cluster"), "elasticsearch.cluster")?;
        role.run_as = strings(es.get("run_as"), "elasticsearch.run_as")?;
        if let Some(indices) = es.get("indices") {
            let array = indices.as_array().ok_or_else(|| {
                body_error("elasticsearch.indices", "expected value of type [array]")
            })?;
            for (i, entry) in array.iter().enumerate() {
                let path = format!("elasticsearch.indices.{i}");
                role.indices.push(index_privileges(entry, &path)?);
            }
        }
    }
    if let Some(kibana) = root.get("kibana") {
        let array = kibana
            .as_array()
            .ok_or_else(|| body_error("kibana", "expected value of type [array]"))?;
        let mut entries = Vec::new();
        for (i, entry) in array.iter().enumerate() {
            entries.push(kibana_entry(entry, i)?);
        }
        role.applications = kibana_to_applications(&entries)?;
    }
    Ok(role)
}

pub(crate) fn index_privileges(entry: &Value, path: &str) -> AdminResult<IndexPrivileges> {
    let map = object(entry, path)?;
    check_keys(
        map,
        path,
        &[
            "names",
            "privileges",
            "field_security",
            "query",
            "allow_restricted_indices",
        ],
    )?;
    let names = strings(map.get("names"), &format!("{path}.names"))?;
    if names.is_empty() {
        return Err(body_error(
            &format!("{path}.names"),
            "array size is [0], but cannot be smaller than [1]",
        ));
    }
    let privileges = strings(map.get("privileges"), &format!("{path}.privileges"))?;
    if privileges.is_empty() {
        return Err(body_error(
            &format!("{path}.privileges"),
            "array size is [0], but cannot be smaller than [1]",
        ));
    }
    let field_security = match map.get("field_security").filter(|v| !v.is_null()) {
        None => None,
        Some(fs) => {
            let fs_path = format!("{path}.field_security");
            let fs_map = object(fs, &fs_path)?;
            check_keys(fs_map, &fs_path, &["grant", "except"])?;
            Some(gatehouse_api::admin::FieldSecurity {
                grant: fs_map
                    .get("grant")
                    .map(|g| strings(Some(g), &format!("{fs_path}.grant")))
                    .transpose()?,
                except: fs_map
                    .get("except")
                    .map(|g| strings(Some(g), &format!("{fs_path}.except")))
                    .transpose()?,
            })
        }
    };
    let query = match map.get("query").filter(|v| !v.is_null()) {
        None => None,
        Some(Value::String(q)) if q.trim().is_empty() => None,
        Some(Value::String(q)) => {
            match serde_json::from_str::<Value>(q) {
                Ok(Value::Object(_)) => {}
                _ => {
                    return Err(body_error(
                        &format!("{path}.query"),
                        "the document query must be a JSON object",
                    ))
                }
            }
            Some(q.clone())
        }
        Some(other) => {
            return Err(body_error(
                &format!("{path}.query"),
                format!(
                    "expected value of type [string] but got [{}]",
                    type_name(other)
                ),
            ))
        }
    };
    let allow_restricted_indices = match map.get("allow_restricted_indices") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(body_error(
                &format!("{path}.allow_restricted_indices"),
                format!(
                    "expected value of type [boolean] but got [{}]",
                    type_name(other)
                ),
            ))
        }
    };
    Ok(IndexPrivileges {
        names,
        privileges,
        field_security,
        query,
        allow_restricted_indices,
    })
}

pub(crate) fn kibana_entry(entry: &Value, i: usize) -> AdminResult<KibanaPrivileges> {
    let path = format!("kibana.{i}");
    let map = object(entry, &path)?;
    check_keys(map, &path, &["base", "feature", "spaces"])?;
    let spaces = match map.get("spaces") {
        None => vec!["*".to_string()],
        some => strings(some, &format!("{path}.spaces"))?,
    };
    if spaces.is_empty() {
        return Err(body_error(
            &format!("{path}.spaces"),
            "array size is [0], but cannot be smaller than [1]",
        ));
    }
    let all_spaces = spaces == ["*"];
    if !all_spaces {
        for (j, space) in spaces.iter().enumerate() {
            if space == "*" {
                return Err(body_error(
                    &format!("{path}.spaces"),
                    "[\"*\"] cannot be combined with other spaces",
                ));
            }
            if !is_space_id(space) {
                return Err(body_error(
                    &format!("{path}.spaces.{j}"),
                    "must be lower case, a-z, 0-9, '_', and '-' are allowed",
                ));
            }
        }
    }
    let base = strings(map.get("base"), &format!("{path}.base"))?;
    for (j, privilege) in base.iter().enumerate() {
        if privilege != "all" && privilege != "read" {
            let kind = if all_spaces { "global" } else { "space" };
            return Err(body_error(
                &format!("{path}.base.{j}"),
                format!("unknown {kind} privilege \"{privilege}\", must be one of [all,read]"),
            ));
        }
    }
    let mut feature = BTreeMap::new();
    if let Some(features) = map.get("feature") {
        let features = object(features, &format!("{path}.feature"))?;
        for (id, privileges) in features {
            if !is_privilege_id(id) {
                return Err(body_error(
                    &format!("{path}.feature.key(\"{id}\")"),
                    "only a-z, A-Z, 0-9, '_', and '-' are allowed",
                ));
            }
            let list = strings(Some(privileges), &format!("{path}.feature.{id}"))?;
            for (j, p) in list.iter().enumerate() {
                if !is_privilege_id(p) {
                    return Err(body_error(
                        &format!("{path}.feature.{id}.{j}"),
                        "only a-z, A-Z, 0-9, '_', and '-' are allowed",
                    ));
                }
            }
            feature.insert(id.clone(), list);
        }
    }
    if base.is_empty() && feature.is_empty() {
        return Err(body_error(
            &path,
            "either [base] or [feature] is expected, but none of them specified",
        ));
    }
    if !base.is_empty() && !feature.is_empty() {
        return Err(body_error(
            &path,
            "definition of [feature] isn't allowed when non-empty [base] is defined.",
        ));
    }
    Ok(KibanaPrivileges {
        base,
        feature,
        spaces,
    })
}

/// Kibana privileges → `kibana-.kibana` application privileges (docs/administration.md#roles), after the checks
/// that span entries (a space in two entries) and the feature registry.
pub fn kibana_to_applications(
    entries: &[KibanaPrivileges],
) -> AdminResult<Vec<ApplicationPrivilegeGrant>> {
    let mut seen = BTreeSet::new();
    let mut repeated = BTreeSet::new();
    for entry in entries {
        for space in &entry.spaces {
            if !seen.insert(space.clone()) {
                repeated.insert(space.clone());
            }
        }
    }
    if !repeated.is_empty() {
        return Err(body_error(
            "kibana",
            format!(
                "more than one privilege is applied to the following spaces: [{}]",
                repeated.into_iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    let mut errors = Vec::new();
    for entry in entries {
        for (id, privileges) in &entry.feature {
            for p in privileges {
                // `all`, `read`, `minimal_*` and the feature's sub-feature privilege ids
                // (docs/privileges.md#sub-feature-privileges).
                let known = authz::feature(id).is_some_and(|f| f.supports_privilege(p));
                if !known {
                    errors.push(format!("Feature [{id}] does not support privilege [{p}]."));
                }
            }
        }
    }
    if !errors.is_empty() {
        let list: Vec<String> = errors
            .iter()
            .map(|e| serde_json::to_string(e).unwrap_or_default())
            .collect();
        return Err(AdminError::invalid_both(format!(
            "Role cannot be updated due to validation errors: [{}]",
            list.join(",")
        )));
    }
    Ok(entries
        .iter()
        .map(|entry| {
            let all_spaces = entry.spaces == ["*"];
            let mut privileges: Vec<String> = entry
                .base
                .iter()
                .map(|b| {
                    if all_spaces {
                        b.clone()
                    } else {
                        format!("space_{b}")
                    }
                })
                .collect();
            for (id, list) in &entry.feature {
                privileges.extend(list.iter().map(|p| format!("feature_{id}.{p}")));
            }
            let resources = if all_spaces {
                vec!["*".to_string()]
            } else {
                entry
                    .spaces
                    .iter()
                    .map(|s| authz::space_resource(s))
                    .collect()
            };
            ApplicationPrivilegeGrant {
                application: KIBANA_APPLICATION.into(),
                privileges,
                resources,
            }
        })
        .collect())
}

/// Stored role → Kibana's shape (`GET /api/security/role/{name}`).
pub fn descriptor_to_kibana(name: &str, role: &RoleDescriptor) -> KibanaRole {
    let mut kibana = Vec::new();
    let mut transform_error = Vec::new();
    let mut unrecognized = BTreeSet::new();
    for app in &role.applications {
        if app.application != KIBANA_APPLICATION {
            if app.application != "*" {
                unrecognized.insert(app.application.clone());
            }
            continue;
        }
        let mut entry = KibanaPrivileges::default();
        let all_spaces = app.resources.iter().any(|r| r == "*");
        if all_spaces {
            entry.spaces = vec!["*".into()];
        } else {
            for resource in &app.resources {
                match resource.strip_prefix("space:") {
                    Some(space) => entry.spaces.push(space.to_string()),
                    None => transform_error.push(json!("kibana")),
                }
            }
        }
        for privilege in &app.privileges {
            let base = match privilege.as_str() {
                "all" | "read" if all_spaces => Some(privilege.clone()),
                "space_all" | "space_read" if !all_spaces => {
                    Some(privilege.trim_start_matches("space_").to_string())
                }
                _ => None,
            };
            if let Some(base) = base {
                entry.base.push(base);
                continue;
            }
            match privilege
                .strip_prefix("feature_")
                .and_then(|rest| rest.rsplit_once('.'))
            {
                Some((id, p)) => entry
                    .feature
                    .entry(id.to_string())
                    .or_default()
                    .push(p.to_string()),
                None => transform_error.push(json!("kibana")),
            }
        }
        kibana.push(entry);
    }
    transform_error.dedup();
    let mut metadata = if role.metadata.is_object() {
        role.metadata.clone()
    } else {
        json!({})
    };
    if roles::is_reserved(name) {
        metadata["_reserved"] = json!(true);
    }
    KibanaRole {
        name: name.to_string(),
        description: role.description.clone(),
        metadata,
        transient_metadata: json!({ "enabled": true }),
        elasticsearch: ElasticsearchPrivileges {
            cluster: role.cluster.clone(),
            indices: role.indices.clone(),
            run_as: role.run_as.clone(),
        },
        kibana,
        transform_error,
        unrecognized_applications: unrecognized.into_iter().collect(),
    }
}

/// Parses an Elasticsearch role body (`PUT /_security/role/{n}`); unknown keys rejected as ES does.
pub fn es_body_to_descriptor(body: &Value) -> AdminResult<RoleDescriptor> {
    let map = match body {
        Value::Null => return Ok(empty_role()),
        Value::Object(m) => m,
        _ => {
            return Err(AdminError::Es400 {
                kind: "parse_exception",
                reason: "failed to parse role: expected an object".into(),
            })
        }
    };
    for key in map.keys() {
        if ![
            "cluster",
            "indices",
            "applications",
            "run_as",
            "metadata",
            "description",
            "global",
            "remote_indices",
            "remote_cluster",
        ]
        .contains(&key.as_str())
        {
            return Err(AdminError::Es400 {
                kind: "parse_exception",
                reason: format!("failed to parse role. unexpected field [{key}]"),
            });
        }
    }
    serde_json::from_value(body.clone()).map_err(|e| AdminError::Es400 {
        kind: "parse_exception",
        reason: format!("failed to parse role: {e}"),
    })
}

/// Refuses a role whose document query on an index the server serves uses a clause or field
/// outside the supported subset (docs/privileges.md, "Document- and field-level security"),
/// naming it; queries on other indices are stored as given.
pub fn check_served_queries(role: &RoleDescriptor) -> AdminResult<()> {
    match authz::unusable_role_query(&role.indices, gatehouse_api::doc_query::LEAD_FIELDS) {
        None => Ok(()),
        Some((i, message)) => Err(query_refusal(i, &message)),
    }
}

/// [`check_served_queries`] for the `i`th index row alone: the role save and the check before it
/// (`admin::role_check`) refuse a row by the same rule, with the same text.
pub fn check_served_query(i: usize, grant: &IndexPrivileges) -> AdminResult<()> {
    match authz::unusable_grant_query(grant, gatehouse_api::doc_query::LEAD_FIELDS) {
        None => Ok(()),
        Some(message) => Err(query_refusal(i, &message)),
    }
}

fn query_refusal(i: usize, message: &str) -> AdminError {
    AdminError::invalid(
        format!("[request body.elasticsearch.indices.{i}.query]: {message}"),
        super::error::validation_reason(&format!("indices[{i}].query: {message}")),
    )
}

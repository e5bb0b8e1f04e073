//! Security administration (contract §7): users and roles, their validation, the translation
//! between Kibana's role shape and the stored Elasticsearch role, and the audit of every change.
//!
//! Both surfaces use it: Kibana's own routes (`routes::admin`, Boom errors) and the Elasticsearch
//! security API behind the Dev Tools console (`routes::console`, ES errors). Every permission
//! question goes to [`crate::authz`].

pub(crate) mod access;
pub(crate) mod console;
pub(crate) mod roles;
pub(crate) mod routes;
pub(crate) mod user_store;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use gatehouse_api::admin::{
    ElasticsearchPrivileges, FeatureCategory, FeatureInfo, FeaturePrivilegeInfo, IndexPrivileges,
    KibanaPrivileges, KibanaRole, RoleDescriptor, SavedObjectTypes, User,
    MAX_ROLE_DESCRIPTION_LENGTH, MAX_ROLE_NAME_LENGTH, MAX_USERNAME_LENGTH, MAX_USER_ROLES,
    MIN_PASSWORD_LENGTH,
};
use gatehouse_api::security::{ApplicationPrivilegeGrant, KIBANA_APPLICATION};
use rusqlite::{params, Connection, Transaction};
use serde_json::{json, Map, Value};

use crate::admin::user_store::{self as users, UserRecord};
use crate::authz::{self, SecurityAction, Subject};
use crate::platform::audit::{self, AuditEvent, AuditLog, Outcome};
use crate::platform::error::{boom_body, AppError};

// ---------------------------------------------------------------------------------------------
// Errors, answerable in both shapes
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
pub enum AdminError {
    /// Missing cluster privilege: the `security_exception` reason.
    Denied(String),
    /// Kibana request validation (`[request body.x]: ...`): the Kibana text, and the reason an
    /// Elasticsearch `action_request_validation_exception` gives for the same fault.
    Invalid {
        kibana: String,
        es: String,
    },
    /// An Elasticsearch-side refusal answered 400 by both (`type`, `reason`).
    Es400 {
        kind: &'static str,
        reason: String,
    },
    NotFound(String),
    Conflict(String),
    /// 403 that is not a privilege question (a wrong current password).
    Forbidden(String),
    Internal(anyhow::Error),
}

pub type AdminResult<T> = Result<T, AdminError>;

impl From<anyhow::Error> for AdminError {
    fn from(e: anyhow::Error) -> Self {
        AdminError::Internal(e)
    }
}

impl From<rusqlite::Error> for AdminError {
    fn from(e: rusqlite::Error) -> Self {
        AdminError::Internal(e.into())
    }
}

/// `[type\n\tRoot causes:\n\t\ttype: R]: R`: how Kibana's routes pass on an Elasticsearch error.
pub fn kibana_wrapped(kind: &str, reason: &str) -> String {
    format!("[{kind}\n\tRoot causes:\n\t\t{kind}: {reason}]: {reason}")
}

fn validation_reason(message: &str) -> String {
    format!("Validation Failed: 1: {message};")
}

impl AdminError {
    pub fn invalid(kibana: impl Into<String>, es: impl Into<String>) -> Self {
        AdminError::Invalid {
            kibana: kibana.into(),
            es: es.into(),
        }
    }

    /// The same text on both surfaces.
    pub fn invalid_both(text: impl Into<String>) -> Self {
        let text = text.into();
        AdminError::Invalid {
            kibana: text.clone(),
            es: text,
        }
    }

    pub fn validation(message: &str) -> Self {
        AdminError::Es400 {
            kind: "action_request_validation_exception",
            reason: validation_reason(message),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AdminError::Denied(_) | AdminError::Forbidden(_) => StatusCode::FORBIDDEN,
            AdminError::Invalid { .. } | AdminError::Es400 { .. } => StatusCode::BAD_REQUEST,
            AdminError::NotFound(_) => StatusCode::NOT_FOUND,
            AdminError::Conflict(_) => StatusCode::CONFLICT,
            AdminError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message of the Boom answer Kibana's routes give.
    pub fn kibana_message(&self) -> String {
        match self {
            AdminError::Denied(reason) => kibana_wrapped("security_exception", reason),
            AdminError::Invalid { kibana, .. } => kibana.clone(),
            AdminError::Es400 { kind, reason } => kibana_wrapped(kind, reason),
            AdminError::NotFound(m) | AdminError::Conflict(m) | AdminError::Forbidden(m) => {
                m.clone()
            }
            AdminError::Internal(_) => "An internal server error occurred.".into(),
        }
    }

    pub fn into_app_error(self) -> AppError {
        match self {
            AdminError::Internal(e) => AppError::Internal(e),
            other => AppError::boom(other.status(), other.kibana_message()),
        }
    }

    /// Elasticsearch's error body (`{"error":{"root_cause":[..],"type","reason"},"status"}`).
    pub fn es_body(&self) -> Value {
        let status = self.status();
        let (kind, reason) = match self {
            AdminError::Denied(r) | AdminError::Forbidden(r) => ("security_exception", r.clone()),
            AdminError::Invalid { es, .. } => ("action_request_validation_exception", es.clone()),
            AdminError::Es400 { kind, reason } => (*kind, reason.clone()),
            AdminError::NotFound(r) => ("resource_not_found_exception", r.clone()),
            AdminError::Conflict(r) => ("version_conflict_engine_exception", r.clone()),
            AdminError::Internal(_) => {
                return json!({ "error": boom_body(status, "internal error"), "status": 500 })
            }
        };
        json!({
            "error": {
                "root_cause": [{ "type": kind, "reason": reason }],
                "type": kind,
                "reason": reason,
            },
            "status": status.as_u16(),
        })
    }
}

/// Refuses unless the subject holds a cluster privilege that grants `action`.
pub fn require(subject: &Subject, action: SecurityAction) -> AdminResult<()> {
    authz::check_security_action(subject, action).map_err(AdminError::Denied)
}

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

pub const USER_CREATE: &str = "user_create";
pub const USER_UPDATE: &str = "user_update";
pub const USER_DELETE: &str = "user_delete";
pub const USER_PASSWORD_CHANGE: &str = "user_password_change";
pub const USER_DISABLE: &str = "user_disable";
pub const USER_ENABLE: &str = "user_enable";
pub const ROLE_PUT: &str = "role_put";
pub const ROLE_DELETE: &str = "role_delete";

/// Who changes what: the actor, the space the request came through.
#[derive(Debug, Clone)]
pub struct Actor {
    pub username: String,
    pub profile_uid: Option<String>,
    pub space: String,
}

/// Runs `change` in one immediate transaction and records (actor, action, target, outcome) in
/// `audit_log` — with the change on success, alone after a rollback on failure — and in the
/// audit log file. `change` returns the value and the details to record.
pub fn audited<T>(
    conn: &mut Connection,
    log: &AuditLog,
    actor: &Actor,
    action: &'static str,
    object_type: &str,
    target: &str,
    change: impl FnOnce(&Transaction<'_>) -> AdminResult<(T, Value)>,
) -> anyhow::Result<AdminResult<T>> {
    let mut event = AuditEvent {
        ts_ms: crate::platform::db::now_millis(),
        action,
        outcome: Outcome::Success,
        username: actor.username.clone(),
        profile_uid: actor.profile_uid.clone(),
        space: actor.space.clone(),
        object_type: object_type.to_string(),
        object_ids: vec![target.to_string()],
        details: json!({}),
        message: String::new(),
    };
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    match change(&tx) {
        Ok((value, details)) => {
            event.details = details;
            audit::insert(&tx, &event)?;
            tx.commit()?;
            log.append(&event);
            Ok(Ok(value))
        }
        Err(AdminError::Internal(e)) => Err(e),
        Err(error) => {
            drop(tx);
            event.outcome = Outcome::Failure;
            event.message = error.kibana_message();
            audit::insert(conn, &event)?;
            log.append(&event);
            Ok(Err(error))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

pub const USERNAME_RULES: &str = "Usernames must be at least [1] and no more than [507] characters. They can contain alphanumeric characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or trailing whitespace is not allowed.";

/// 1..507 printable ASCII characters, no leading or trailing space.
pub fn validate_username(username: &str) -> AdminResult<()> {
    let len = username.chars().count();
    let printable = username.bytes().all(|b| (0x20..0x7f).contains(&b));
    let trimmed = username.trim() == username;
    if (1..=MAX_USERNAME_LENGTH).contains(&len) && printable && trimmed {
        return Ok(());
    }
    let kibana = if len == 0 {
        "[request params.username]: value has length [0] but it must have a minimum length of [1]."
            .to_string()
    } else if len > MAX_USERNAME_LENGTH {
        format!("[request params.username]: value has length [{len}] but it must have a maximum length of [{MAX_USERNAME_LENGTH}].")
    } else if !trimmed {
        "[request params.username]: must not contain leading or trailing spaces".to_string()
    } else {
        "[request params.username]: must contain only printable characters".to_string()
    };
    Err(AdminError::invalid(
        kibana,
        validation_reason(&format!(
            "Invalid username [{username}]... {USERNAME_RULES}"
        )),
    ))
}

pub fn validate_password(field: &str, password: &str) -> AdminResult<()> {
    let len = password.chars().count();
    if len >= MIN_PASSWORD_LENGTH {
        return Ok(());
    }
    Err(AdminError::invalid(
        format!("[request body.{field}]: value has length [{len}] but it must have a minimum length of [{MIN_PASSWORD_LENGTH}]."),
        validation_reason(&format!(
            "passwords must be at least [{MIN_PASSWORD_LENGTH}] characters long"
        )),
    ))
}

pub fn validate_roles(roles: &[String]) -> AdminResult<()> {
    if roles.len() > MAX_USER_ROLES {
        return Err(AdminError::invalid_both(format!(
            "[request body.roles]: array size is [{}], but cannot be greater than [{MAX_USER_ROLES}]",
            roles.len()
        )));
    }
    Ok(())
}

pub(crate) fn validate_metadata(metadata: &Value, what: &str) -> AdminResult<()> {
    match metadata {
        Value::Null => Ok(()),
        Value::Object(map) => {
            if map.keys().any(|k| k.starts_with('_')) {
                Err(AdminError::validation(&format!(
                    "{what}metadata keys may not start with [_]"
                )))
            } else {
                Ok(())
            }
        }
        _ => Err(AdminError::invalid_both(
            "[request body.metadata]: expected value of type [object]",
        )),
    }
}

pub fn user_of(record: &UserRecord) -> User {
    User {
        username: record.username.clone(),
        roles: record.roles.clone(),
        full_name: record.full_name.clone(),
        email: record.email.clone(),
        metadata: if record.metadata.is_object() {
            record.metadata.clone()
        } else {
            json!({})
        },
        enabled: record.enabled,
    }
}

/// A create-or-update of a user. `password` is already validated (and hashed outside the
/// writer lock: argon2 is slow).
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub username: String,
    pub password_hash: Option<String>,
    pub roles: Vec<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub metadata: Option<Value>,
    pub enabled: Option<bool>,
}

/// Checks a user body's fields before any hashing or storage.
pub fn validate_user_change(
    username: &str,
    password: Option<&str>,
    roles: &[String],
    metadata: Option<&Value>,
) -> AdminResult<()> {
    validate_username(username)?;
    if let Some(password) = password {
        validate_password("password", password)?;
    }
    validate_roles(roles)?;
    if let Some(metadata) = metadata {
        validate_metadata(metadata, "")?;
    }
    Ok(())
}

/// Creates or updates; returns (the user, whether it was created). A new user needs a password.
/// Disabling through an update ends the user's sessions, as does a new password.
pub fn put_user(tx: &Transaction<'_>, change: UserChange) -> AdminResult<(User, bool)> {
    let existing = users::get_user(tx, &change.username)?;
    let created = existing.is_none();
    let metadata = change
        .metadata
        .clone()
        .filter(|m| !m.is_null())
        .unwrap_or_else(|| json!({}));
    match existing {
        None => {
            let Some(hash) = change.password_hash.clone() else {
                return Err(AdminError::invalid(
                    "[request body.password]: Enter a password.",
                    validation_reason(
                        "password must be specified unless you are updating an existing user",
                    ),
                ));
            };
            let roles: Vec<&str> = change.roles.iter().map(String::as_str).collect();
            users::insert_user(
                tx,
                &users::NewUser {
                    username: &change.username,
                    password_hash: hash,
                    full_name: change.full_name.as_deref(),
                    email: change.email.as_deref(),
                    roles: &roles,
                },
            )?;
            tx.execute(
                "UPDATE users SET metadata = ?1, enabled = ?2 WHERE username = ?3",
                params![
                    metadata.to_string(),
                    change.enabled.unwrap_or(true),
                    change.username
                ],
            )?;
        }
        Some(old) => {
            let enabled = change.enabled.unwrap_or(old.enabled);
            tx.execute(
                "UPDATE users SET roles = ?1, full_name = ?2, email = ?3, metadata = ?4, enabled = ?5,
                 password_hash = COALESCE(?6, password_hash) WHERE username = ?7",
                params![
                    serde_json::to_string(&change.roles).map_err(anyhow::Error::from)?,
                    change.full_name,
                    change.email,
                    metadata.to_string(),
                    enabled,
                    change.password_hash,
                    change.username
                ],
            )?;
            if !enabled || change.password_hash.is_some() {
                end_sessions(tx, &change.username, None)?;
            }
        }
    }
    let user =
        users::get_user(tx, &change.username)?.ok_or_else(|| anyhow::anyhow!("user vanished"))?;
    Ok((user_of(&user), created))
}

/// Deletes every session of `username` except `keep` (a session id hash).
pub fn end_sessions(conn: &Connection, username: &str, keep: Option<&str>) -> AdminResult<usize> {
    Ok(conn.execute(
        "DELETE FROM sessions WHERE username = ?1 AND id_hash IS NOT ?2",
        params![username, keep],
    )?)
}

pub fn user_not_found(username: &str) -> AdminError {
    AdminError::NotFound(format!("User {username} not found"))
}

pub fn delete_user(tx: &Transaction<'_>, username: &str) -> AdminResult<bool> {
    // Sessions go with the user (foreign key, ON DELETE CASCADE).
    Ok(tx.execute("DELETE FROM users WHERE username = ?1", [username])? > 0)
}

pub fn set_enabled(
    tx: &Transaction<'_>,
    actor: &str,
    username: &str,
    enabled: bool,
) -> AdminResult<()> {
    if actor == username {
        return Err(AdminError::validation(
            "users may not update the enabled status of their own account",
        ));
    }
    let n = tx.execute(
        "UPDATE users SET enabled = ?1 WHERE username = ?2",
        params![enabled, username],
    )?;
    if n == 0 {
        return Err(user_not_found(username));
    }
    if !enabled {
        end_sessions(tx, username, None)?;
    }
    Ok(())
}

pub fn get_user(conn: &Connection, username: &str) -> AdminResult<Option<User>> {
    Ok(users::get_user(conn, username)?.map(|u| user_of(&u)))
}

pub fn list_users(conn: &Connection) -> AdminResult<Vec<User>> {
    Ok(users::all_users(conn)?.iter().map(user_of).collect())
}

// ---------------------------------------------------------------------------------------------
// Roles: Kibana's shape ↔ Elasticsearch application privileges
// ---------------------------------------------------------------------------------------------

fn is_privilege_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_space_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn body_error(path: &str, message: impl std::fmt::Display) -> AdminError {
    AdminError::invalid_both(format!("[request body.{path}]: {message}"))
}

fn check_keys(map: &Map<String, Value>, prefix: &str, allowed: &[&str]) -> AdminResult<()> {
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

fn object<'a>(value: &'a Value, path: &str) -> AdminResult<&'a Map<String, Value>> {
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

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

fn strings(value: Option<&Value>, path: &str) -> AdminResult<Vec<String>> {
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

/// Validates the role name of `PUT /api/security/role/{name}`.
pub fn validate_role_name(name: &str) -> AdminResult<()> {
    let len = name.chars().count();
    if len > MAX_ROLE_NAME_LENGTH {
        return Err(AdminError::invalid_both(format!(
            "[request params.name]: value has length [{len}] but it must have a maximum length of [{MAX_ROLE_NAME_LENGTH}]."
        )));
    }
    if len == 0 {
        return Err(AdminError::invalid_both(
            "[request params.name]: value has length [0] but it must have a minimum length of [1].",
        ));
    }
    Ok(())
}

/// Parses and validates a Kibana role body (`PUT /api/security/role/{name}`) into the stored
/// Elasticsearch role, with Kibana's texts. Unknown keys are rejected; `{}` is an empty role.
pub fn kibana_body_to_descriptor(body: &Value) -> AdminResult<RoleDescriptor> {
    let root = match body {
        Value::Null => {
            return Ok(RoleDescriptor {
                metadata: json!({}),
                ..Default::default()
            })
        }
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
    let mut role = RoleDescriptor {
        metadata: json!({}),
        ..Default::default()
    };
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

fn index_privileges(entry: &Value, path: &str) -> AdminResult<IndexPrivileges> {
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

fn kibana_entry(entry: &Value, i: usize) -> AdminResult<KibanaPrivileges> {
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

/// Kibana privileges → `kibana-.kibana` application privileges (contract §7.1), after the checks
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
                let known = authz::feature(id).is_some()
                    && matches!(p.as_str(), "all" | "read" | "minimal_all" | "minimal_read");
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
        Value::Null => {
            return Ok(RoleDescriptor {
                metadata: json!({}),
                ..Default::default()
            })
        }
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

// ---------------------------------------------------------------------------------------------
// Feature registry listing
// ---------------------------------------------------------------------------------------------

/// `GET /api/features`: the registry, in the shape the role editor reads.
pub fn features() -> Vec<FeatureInfo> {
    authz::FEATURES
        .iter()
        .map(|f| {
            let (category_id, category_label) = authz::feature_category(f.id);
            let info = |p: &authz::FeaturePrivilege| FeaturePrivilegeInfo {
                api: p.api.iter().map(|s| s.to_string()).collect(),
                app: f.app.iter().map(|s| s.to_string()).collect(),
                catalogue: f.catalogue.iter().map(|s| s.to_string()).collect(),
                ui: p.ui.iter().map(|s| s.to_string()).collect(),
                saved_object: SavedObjectTypes {
                    all: p.saved_object_all.iter().map(|s| s.to_string()).collect(),
                    read: p.saved_object_read.iter().map(|s| s.to_string()).collect(),
                },
            };
            FeatureInfo {
                id: f.id.to_string(),
                name: f.name.to_string(),
                category: FeatureCategory {
                    id: category_id.into(),
                    label: category_label.into(),
                },
                app: f.app.iter().map(|s| s.to_string()).collect(),
                catalogue: f.catalogue.iter().map(|s| s.to_string()).collect(),
                privileges: BTreeMap::from([
                    ("all".to_string(), info(&f.all)),
                    ("read".to_string(), info(&f.read)),
                ]),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
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
            validate_password("password", "12345").unwrap_err().kibana_message(),
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
}

//! Users: validation of a change, storage, enabling and ending their sessions.

use gatehouse_api::admin::{User, MAX_USER_ROLES, MIN_PASSWORD_LENGTH};
use gatehouse_api::rules::{self, NameProblem};
use rusqlite::{params, Connection, Transaction};
use serde_json::{json, Value};

use crate::admin::user_store::{self as users, UserRecord};

use super::*;

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

pub const USERNAME_RULES: &str = "Usernames must be at least [1] and no more than [507] characters. They can contain alphanumeric characters (a-z, A-Z, 0-9), spaces, punctuation, and printable symbols in the Basic Latin (ASCII) block. Leading or trailing whitespace is not allowed.";

/// The shared username rule ([`rules::username`]) with Kibana's and Elasticsearch's texts.
pub fn validate_username(username: &str) -> AdminResult<()> {
    let Err(problem) = rules::username(username) else {
        return Ok(());
    };
    let kibana = match problem {
        NameProblem::Empty => {
            "[request params.username]: value has length [0] but it must have a minimum length of [1]."
                .to_string()
        }
        NameProblem::TooLong { max } => {
            let len = username.chars().count();
            format!("[request params.username]: value has length [{len}] but it must have a maximum length of [{max}].")
        }
        NameProblem::Untrimmed => {
            "[request params.username]: must not contain leading or trailing spaces".to_string()
        }
        NameProblem::NotPrintable => {
            "[request params.username]: must contain only printable characters".to_string()
        }
    };
    Err(AdminError::invalid(
        kibana,
        validation_reason(&format!(
            "Invalid username [{username}]... {USERNAME_RULES}"
        )),
    ))
}

/// The shared password rule ([`rules::password`]) with Kibana's and Elasticsearch's texts; an
/// empty password is "too short" like any other.
pub fn validate_password(field: &str, password: &str) -> AdminResult<()> {
    if rules::password(password).is_ok() {
        return Ok(());
    }
    let len = password.chars().count();
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

/// Stores `username`'s new password hash and ends its sessions but `keep` (the caller's own, when
/// it changes its own password), returning how many ended; a user that is not there is a 404.
pub fn change_password(
    tx: &Transaction<'_>,
    username: &str,
    password_hash: &str,
    keep: Option<&str>,
) -> AdminResult<usize> {
    update_user_row(
        tx,
        "UPDATE users SET password_hash = ?1 WHERE username = ?2",
        password_hash,
        username,
    )?;
    end_sessions(tx, username, keep)
}

/// Sets one column of `username`'s row (`sql` takes the value as `?1`, the name as `?2`); a user
/// that is not there is a 404.
fn update_user_row(
    tx: &Transaction<'_>,
    sql: &str,
    value: impl rusqlite::ToSql,
    username: &str,
) -> AdminResult<()> {
    if tx.execute(sql, params![value, username])? == 0 {
        return Err(user_not_found(username));
    }
    Ok(())
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
    update_user_row(
        tx,
        "UPDATE users SET enabled = ?1 WHERE username = ?2",
        enabled,
        username,
    )?;
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

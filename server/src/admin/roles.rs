//! The one roles store: the built-in roles ([`authz::reserved_role`]) and the stored ones, each
//! read and written as the one role type, [`RoleDescriptor`], with every field Elasticsearch
//! keeps. Authorization, the role API, the console and effective access all read it here.

use std::collections::BTreeMap;

use gatehouse_api::admin::RoleDescriptor;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::json;

use crate::admin::{validate_metadata, AdminError, AdminResult};
use crate::authz;

pub fn is_reserved(name: &str) -> bool {
    authz::reserved_role(name).is_some()
}

/// A built-in or stored role; `None` for an unknown name.
pub fn get_role(conn: &Connection, name: &str) -> anyhow::Result<Option<RoleDescriptor>> {
    if let Some(role) = authz::reserved_role(name) {
        return Ok(Some(role));
    }
    let mut stmt = conn.prepare_cached("SELECT body FROM roles WHERE name = ?1")?;
    let body: Option<String> = stmt.query_row([name], |r| r.get(0)).optional()?;
    match body {
        Some(body) => Ok(Some(serde_json::from_str(&body)?)),
        None => Ok(None),
    }
}

/// The role bodies behind role names; unknown names resolve to nothing (as in Elasticsearch).
pub fn resolve_roles(conn: &Connection, names: &[String]) -> anyhow::Result<Vec<RoleDescriptor>> {
    let mut roles = Vec::with_capacity(names.len());
    for name in names {
        if let Some(role) = get_role(conn, name)? {
            roles.push(role);
        }
    }
    Ok(roles)
}

/// Every role, built-in and stored, sorted by name. A stored body that does not read is left
/// out rather than failing the whole list.
pub fn all_roles(conn: &Connection) -> anyhow::Result<Vec<(String, RoleDescriptor)>> {
    let mut out: BTreeMap<String, RoleDescriptor> = BTreeMap::new();
    for name in authz::reserved_role_names() {
        if let Some(role) = authz::reserved_role(name) {
            out.insert(name.to_string(), role);
        }
    }
    let mut stmt = conn.prepare("SELECT name, body FROM roles")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (name, body) = row?;
        if let Ok(role) = serde_json::from_str(&body) {
            out.entry(name).or_insert(role);
        }
    }
    Ok(out.into_iter().collect())
}

/// Writes a role body as given, unchecked: for the demo data and the roles the server itself
/// creates. The role API goes through [`put_role`].
pub fn store_role(conn: &Connection, name: &str, role: &RoleDescriptor) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO roles (name, body, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        params![
            name,
            serde_json::to_string(role)?,
            crate::platform::db::now_secs()
        ],
    )?;
    Ok(())
}

/// Stores a role from the role API; returns whether it was created. Reserved roles are refused.
pub fn put_role(
    tx: &Transaction<'_>,
    name: &str,
    role: &RoleDescriptor,
    create_only: bool,
) -> AdminResult<bool> {
    if is_reserved(name) {
        return Err(AdminError::validation(&format!(
            "Role [{name}] is reserved and may not be used."
        )));
    }
    validate_metadata(&role.metadata, "role ")?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM roles WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )?;
    if exists && create_only {
        return Err(AdminError::Conflict(format!(
            "Role already exists and cannot be created: {name}"
        )));
    }
    let mut stored = role.clone();
    if stored.metadata.is_null() {
        stored.metadata = json!({});
    }
    store_role(tx, name, &stored)?;
    Ok(!exists)
}

pub fn delete_role(tx: &Transaction<'_>, name: &str) -> AdminResult<bool> {
    if is_reserved(name) {
        return Err(AdminError::validation(&format!(
            "role [{name}] is reserved and cannot be deleted"
        )));
    }
    Ok(tx.execute("DELETE FROM roles WHERE name = ?1", [name])? > 0)
}

pub fn role_not_found() -> AdminError {
    AdminError::NotFound("Not Found".into())
}

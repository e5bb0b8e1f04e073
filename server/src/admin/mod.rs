//! Security administration (docs/administration.md): users and roles, their validation, the translation
//! between Kibana's role shape and the stored Elasticsearch role, and the audit of every change.
//!
//! Both surfaces use it: Kibana's own routes (`admin::routes`, Boom errors) and the Elasticsearch
//! security API behind the Dev Tools console (`admin::console`, ES errors). Every permission
//! question goes to [`crate::authz`].

pub(crate) mod access;
pub(crate) mod console;
mod coverage;
mod error;
mod features;
pub(crate) mod role_check;
pub(crate) mod role_shape;
pub(crate) mod roles;
pub(crate) mod routes;
#[cfg(test)]
mod tests;
pub(crate) mod user_store;
mod users;

pub(crate) use error::*;
pub(crate) use features::*;
pub(crate) use role_shape::*;
pub(crate) use users::*;

use rusqlite::{Connection, Transaction};
use serde_json::{json, Value};

use crate::platform::audit::{self, AuditEvent, AuditLog, AuditedError, Outcome};

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

/// Runs `change` as one audited write ([`audit::audited`]) recording (actor, action, target,
/// outcome); `change` returns the value and the details to record.
pub fn audited<T>(
    conn: &mut Connection,
    log: &AuditLog,
    actor: &Actor,
    action: &'static str,
    object_type: &str,
    target: &str,
    change: impl FnOnce(&Transaction<'_>) -> AdminResult<(T, Value)>,
) -> AdminResult<T> {
    let event = AuditEvent {
        ts_ms: crate::platform::db::now_millis(),
        action,
        outcome: Outcome::Success,
        username: actor.username.clone(),
        effective_user: None,
        profile_uid: actor.profile_uid.clone(),
        space: actor.space.clone(),
        object_type: object_type.to_string(),
        object_ids: vec![target.to_string()],
        details: json!({}),
        message: String::new(),
    };
    audit::audited(conn, log, event, |tx, event| {
        let (value, details) = change(tx)?;
        event.details = details;
        Ok(value)
    })
}

impl AuditedError for AdminError {
    fn failure_message(&self) -> Option<String> {
        match self {
            AdminError::Internal(_) => None,
            other => Some(other.kibana_message()),
        }
    }
}

//! Users and roles in SQLite, and the profile uids derived from user names.

use gatehouse_api::security::is_valid_profile_uid;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::authz;

#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub username: String,
    pub password_hash: String,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub enabled: bool,
    pub roles: Vec<String>,
    pub metadata: Value,
    pub profile_uid: String,
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: String,
    pub full_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub roles: &'a [&'a str],
}

/// The principal part of a profile uid: the user name itself when it is made of ASCII letters,
/// digits and `_`, otherwise `x` + the hex of its UTF-8 bytes. Only safe characters ever reach
/// the uid, and the mapping is stable (the uid is stored once, at creation).
pub fn profile_principal(username: &str) -> String {
    if !username.is_empty()
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        username.to_string()
    } else {
        format!("x{}", crate::hex(username.as_bytes()))
    }
}

/// The profile uid `username` had before, if any (Elasticsearch keeps a profile per username),
/// else a new `u_<principal>_<version>` that was never issued to anyone: the version goes up past
/// every uid on record, deleted users' included, so nobody inherits another's dashboards — not
/// even a user whose name escapes to the same principal (`a.b` and `x612e62`).
fn profile_uid_for(conn: &Connection, username: &str) -> rusqlite::Result<String> {
    let issued: Option<String> = conn
        .query_row(
            "SELECT uid FROM profile_uids WHERE username = ?1",
            [username],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(uid) = issued {
        return Ok(uid);
    }
    let principal = profile_principal(username);
    let mut version = 0u32;
    loop {
        let uid = format!("u_{principal}_{version}");
        let taken: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM profile_uids WHERE uid = ?1)
                 OR EXISTS(SELECT 1 FROM users WHERE profile_uid = ?1)",
            [&uid],
            |r| r.get(0),
        )?;
        if !taken {
            debug_assert!(is_valid_profile_uid(&uid));
            conn.execute(
                "INSERT INTO profile_uids (uid, username) VALUES (?1, ?2)",
                params![uid, username],
            )?;
            return Ok(uid);
        }
        version += 1;
    }
}

pub fn insert_user(conn: &Connection, user: &NewUser<'_>) -> anyhow::Result<String> {
    let uid = profile_uid_for(conn, user.username)?;
    conn.execute(
        "INSERT INTO users (username, password_hash, full_name, email, enabled, roles, metadata, profile_uid, created_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, '{}', ?6, ?7)",
        params![
            user.username,
            user.password_hash,
            user.full_name,
            user.email,
            serde_json::to_string(user.roles)?,
            uid,
            crate::platform::db::now_secs()
        ],
    )?;
    Ok(uid)
}

fn row_to_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
    let roles: String = row.get(5)?;
    let metadata: String = row.get(6)?;
    Ok(UserRecord {
        username: row.get(0)?,
        password_hash: row.get(1)?,
        full_name: row.get(2)?,
        email: row.get(3)?,
        enabled: row.get(4)?,
        roles: serde_json::from_str(&roles).unwrap_or_default(),
        metadata: serde_json::from_str(&metadata).unwrap_or(Value::Object(Default::default())),
        profile_uid: row.get(7)?,
    })
}

pub const USER_COLUMNS: &str =
    "username, password_hash, full_name, email, enabled, roles, metadata, profile_uid";

pub fn get_user(conn: &Connection, username: &str) -> rusqlite::Result<Option<UserRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = ?1"
    ))?;
    stmt.query_row([username], row_to_user).optional()
}

pub fn get_user_by_profile_uid(
    conn: &Connection,
    profile_uid: &str,
) -> rusqlite::Result<Option<UserRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE profile_uid = ?1"
    ))?;
    stmt.query_row([profile_uid], row_to_user).optional()
}

/// Every user, by user name.
pub fn all_users(conn: &Connection) -> rusqlite::Result<Vec<UserRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    ))?;
    let rows = stmt.query_map([], row_to_user)?;
    rows.collect()
}

/// The authorization subject of a stored user (roles resolved).
pub fn subject_of(conn: &Connection, user: &UserRecord) -> anyhow::Result<authz::Subject> {
    Ok(authz::Subject {
        username: user.username.clone(),
        role_names: user.roles.clone(),
        roles: crate::admin::roles::resolve_roles(conn, &user.roles)?,
    })
}

pub fn count_users(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_are_safe_and_stable() {
        assert_eq!(profile_principal("alice"), "alice");
        assert_eq!(profile_principal("leads_full_user"), "leads_full_user");
        assert_eq!(profile_principal("a.b"), "x612e62");
        assert_eq!(profile_principal("é"), "xc3a9");
        for name in ["alice", "a b", "x\ny", "ünïcødé", "leads_read_user"] {
            assert!(
                is_valid_profile_uid(&format!("u_{}_0", profile_principal(name))),
                "{name}"
            );
        }
    }
}

//! `gatehouse-server users create | reset-password | list`: the administrator's way in when
//! nobody can sign in yet, or has forgotten how (like `elasticsearch-users` and
//! `elasticsearch-reset-password`).
//!
//! Validation, hashing, storage and the audit are the API's own (`admin/`, `platform/`): the same
//! rules give the same reasons, and each change is one audited write whose actor is
//! [`CLI_ACTOR`], with the operating-system user in its details. Passwords come only from
//! standard input, never from the command line (which other users of the machine can read).

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;

use serde_json::{json, Value};

use super::{audit_log_path, existing_database, CliError};
use crate::admin::user_store;
use crate::admin::{self, Actor, AdminError, UserChange};
use crate::platform::audit::AuditLog;
use crate::platform::db::Db;
use crate::platform::password;

/// The audit log's actor for changes made from the command line.
pub const CLI_ACTOR: &str = "_cli";

/// The longest password read from standard input, in bytes; anything longer is refused
/// unread beyond this (every input has a size).
pub const MAX_PASSWORD_BYTES: usize = 4096;

#[derive(Debug, clap::Subcommand)]
pub enum UsersCommand {
    /// Create a user; the first administrator is `--roles superuser`. Fails if the user exists.
    Create(CreateArgs),
    /// Set a user's password (ending the user's sessions).
    ResetPassword(ResetPasswordArgs),
    /// List the users with their roles.
    List(DatabaseArgs),
}

#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// The server's SQLite database file.
    #[arg(long, env = "GATEHOUSE_DB")]
    pub db: PathBuf,
    /// The server's audit log file; default: `audit.log` next to the database.
    #[arg(long, env = "GATEHOUSE_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The new user's name (the API's rules: 1 to 507 printable ASCII characters).
    #[arg(long)]
    pub username: String,
    /// Comma-separated role names, e.g. `superuser` or `kibana_admin,leads_read_only`.
    #[arg(long, value_delimiter = ',', required = true)]
    pub roles: Vec<String>,
    /// Read the password from standard input (the only way to give one): one line, its final
    /// newline removed.
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// The name shown for the user.
    #[arg(long)]
    pub full_name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ResetPasswordArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Whose password to set.
    #[arg(long)]
    pub username: String,
    /// Read the new password from standard input (the only way to give one).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

pub fn run(command: UsersCommand) -> Result<String, CliError> {
    match command {
        UsersCommand::Create(args) => create(args),
        UsersCommand::ResetPassword(args) => reset_password(args),
        UsersCommand::List(args) => list(&args),
    }
}

/// An administration refusal as the command line says it: the reason Elasticsearch's security
/// API gives for the same input (`Validation Failed: 1: …`), which the console answers too.
fn refusal(error: AdminError) -> CliError {
    match error {
        AdminError::Internal(error) => CliError::Failed(error),
        AdminError::Invalid { .. } | AdminError::Es400 { .. } => {
            CliError::BadInput(es_reason(&error))
        }
        other => CliError::Refused(es_reason(&other)),
    }
}

fn es_reason(error: &AdminError) -> String {
    error.es_body()["error"]["reason"]
        .as_str()
        .map_or_else(|| error.kibana_message(), str::to_string)
}

/// Who made a change from the command line: [`CLI_ACTOR`], recorded in the default space.
fn cli_actor() -> Actor {
    Actor {
        username: CLI_ACTOR.to_string(),
        profile_uid: None,
        space: gatehouse_api::spaces::DEFAULT_SPACE_ID.to_string(),
    }
}

/// The details every command-line change records beside its own: where it came from and the
/// operating-system user who ran it (as the environment names it; not proof of anything).
fn cli_details(mut details: Value) -> Value {
    let os_user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok();
    if let Value::Object(fields) = &mut details {
        fields.insert("via".into(), json!("command line"));
        fields.insert("os_user".into(), json!(os_user));
    }
    details
}

/// The password given on standard input: a terminal's one line, or all of a pipe, each without
/// the final newline.
fn read_password(username: &str) -> Result<String, CliError> {
    let stdin = std::io::stdin();
    let mut bytes = Vec::new();
    let limit = (MAX_PASSWORD_BYTES + 2) as u64;
    if stdin.is_terminal() {
        // Typed at a terminal (it is shown as typed).
        eprint!("Password for {username}: ");
        let _ = std::io::stderr().flush();
        stdin.lock().take(limit).read_until(b'\n', &mut bytes)?;
    } else {
        stdin.lock().take(limit).read_to_end(&mut bytes)?;
    }
    password_from_input(&bytes)
}

/// The password in what standard input gave: UTF-8, one final `\n` (or `\r\n`) removed, no line
/// break left inside (a second line is more likely a mistake than part of a password), at most
/// [`MAX_PASSWORD_BYTES`].
pub fn password_from_input(bytes: &[u8]) -> Result<String, CliError> {
    let line = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > MAX_PASSWORD_BYTES {
        return Err(CliError::BadInput(format!(
            "the password on standard input is longer than {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    let text = std::str::from_utf8(line).map_err(|_| {
        CliError::BadInput("the password on standard input is not UTF-8 text".into())
    })?;
    if text.contains(['\n', '\r']) {
        return Err(CliError::BadInput(
            "the password on standard input holds a line break: give it on one line".into(),
        ));
    }
    Ok(text.to_string())
}

/// Role names as given: blanks around the commas removed, empty ones dropped.
fn role_names(roles: &[String]) -> Vec<String> {
    roles
        .iter()
        .map(|role| role.trim().to_string())
        .filter(|role| !role.is_empty())
        .collect()
}

fn create(args: CreateArgs) -> Result<String, CliError> {
    let CreateArgs {
        database,
        username,
        roles,
        password_stdin: _,
        full_name,
        email,
    } = args;
    let roles = role_names(&roles);
    if roles.is_empty() {
        return Err(CliError::BadInput(
            "--roles names no role: give at least one, e.g. --roles superuser".into(),
        ));
    }
    // The username and roles are checked before the password is asked for.
    admin::validate_user_change(&username, None, &roles, None).map_err(refusal)?;
    let password = read_password(&username)?;
    admin::validate_password("password", &password).map_err(refusal)?;

    let db = Db::open(&database.db)?;
    let exists = {
        let name = username.clone();
        db.write_blocking(move |conn| Ok(user_store::get_user(conn, &name)?.is_some()))?
    };
    let log = AuditLog::new(audit_log_path(&database.db, database.audit_log.as_deref()));
    if exists {
        // Refused before any hashing, and audited like any refused change.
        let refused = AdminError::Conflict(already_exists_text(&username));
        return Err(refusal(audit_refusal(
            &db,
            &log,
            admin::USER_CREATE,
            &username,
            refused,
        )));
    }
    let unknown_roles: Vec<String> = db.write_blocking(|conn| {
        let mut unknown = Vec::new();
        for role in &roles {
            if crate::admin::roles::get_role(conn, role)?.is_none() {
                unknown.push(role.clone());
            }
        }
        Ok(unknown)
    })?;
    let password_hash = password::hash_password(&password)?;
    let change = UserChange {
        username: username.clone(),
        password_hash: Some(password_hash),
        roles: roles.clone(),
        full_name,
        email,
        metadata: None,
        enabled: Some(true),
    };
    db.write_blocking(|conn| {
        Ok(admin::audited(
            conn,
            &log,
            &cli_actor(),
            admin::USER_CREATE,
            "user",
            &username,
            |tx| {
                // Created by someone else since the check above: still not ours to overwrite.
                if user_store::get_user(tx, &change.username)?.is_some() {
                    return Err(AdminError::Conflict(already_exists_text(&change.username)));
                }
                let details = cli_details(json!({
                    "roles": change.roles,
                    "enabled": true,
                    "password_changed": true,
                }));
                let (user, _) = admin::put_user(tx, change)?;
                Ok((user, details))
            },
        ))
    })?
    .map_err(refusal)?;
    let mut report = format!(
        "Created user {username} with roles [{}]; it can sign in now.",
        roles.join(", ")
    );
    for role in unknown_roles {
        report.push_str(&format!(
            "\nwarning: no role is named {role} yet: it grants nothing until one is created"
        ));
    }
    Ok(report)
}

fn already_exists_text(username: &str) -> String {
    format!(
        "user [{username}] already exists: `gatehouse-server users reset-password` changes its password"
    )
}

/// Records `refusal` as a failed `action` on `username` without changing anything; returns it.
fn audit_refusal(
    db: &Db,
    log: &AuditLog,
    action: &'static str,
    username: &str,
    refusal: AdminError,
) -> AdminError {
    let recorded = db.write_blocking(|conn| {
        Ok(admin::audited::<()>(
            conn,
            log,
            &cli_actor(),
            action,
            "user",
            username,
            |_| Err(refusal),
        ))
    });
    match recorded {
        Ok(Err(refusal)) => refusal,
        Ok(Ok(())) => AdminError::Internal(anyhow::anyhow!("a refusal went through")),
        Err(error) => AdminError::Internal(error),
    }
}

fn reset_password(args: ResetPasswordArgs) -> Result<String, CliError> {
    let ResetPasswordArgs {
        database,
        username,
        password_stdin: _,
    } = args;
    existing_database(&database.db)?;
    let db = Db::open(&database.db)?;
    let exists = {
        let name = username.clone();
        db.write_blocking(move |conn| Ok(user_store::get_user(conn, &name)?.is_some()))?
    };
    if !exists {
        return Err(refusal(admin::user_not_found(&username)));
    }
    let password = read_password(&username)?;
    admin::validate_password("password", &password).map_err(refusal)?;
    let password_hash = password::hash_password(&password)?;
    let log = AuditLog::new(audit_log_path(&database.db, database.audit_log.as_deref()));
    let ended = db
        .write_blocking(|conn| {
            Ok(admin::audited(
                conn,
                &log,
                &cli_actor(),
                admin::USER_PASSWORD_CHANGE,
                "user",
                &username,
                |tx| {
                    let ended = admin::change_password(tx, &username, &password_hash, None)?;
                    Ok((
                        ended,
                        cli_details(json!({ "own": false, "sessions_ended": ended })),
                    ))
                },
            ))
        })?
        .map_err(refusal)?;
    Ok(format!(
        "Changed the password of {username}; {ended} session(s) ended."
    ))
}

fn list(args: &DatabaseArgs) -> Result<String, CliError> {
    existing_database(&args.db)?;
    let db = Db::open(&args.db)?;
    let users = db.write_blocking(|conn| Ok(user_store::all_users(conn)?))?;
    Ok(users_table(&users))
}

/// One line per user: name, enabled, roles, full name.
fn users_table(users: &[user_store::UserRecord]) -> String {
    if users.is_empty() {
        return "No users.".to_string();
    }
    let width = users
        .iter()
        .map(|u| u.username.chars().count())
        .max()
        .unwrap_or(0)
        .max("USERNAME".len());
    let mut out = format!("{:<width$}  ENABLED  ROLES  (FULL NAME)", "USERNAME");
    for user in users {
        out.push_str(&format!(
            "\n{:<width$}  {:<7}  {}",
            user.username,
            if user.enabled { "yes" } else { "no" },
            user.roles.join(",")
        ));
        if let Some(name) = user.full_name.as_deref().filter(|n| !n.is_empty()) {
            out.push_str(&format!("  ({name})"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_the_line_without_its_newline() {
        for input in [&b"s3cret-pw\n"[..], b"s3cret-pw\r\n", b"s3cret-pw"] {
            assert_eq!(password_from_input(input).unwrap(), "s3cret-pw");
        }
        assert_eq!(
            password_from_input(b"  spaced out  \n").unwrap(),
            "  spaced out  ",
            "only the newline is removed"
        );
    }

    #[test]
    fn passwords_that_are_not_one_line_of_text_are_refused() {
        for input in [
            &b"two\nlines\n"[..],
            b"\xff\xfe\n",
            &[b'a'; MAX_PASSWORD_BYTES + 1][..],
        ] {
            let refused = password_from_input(input).unwrap_err();
            assert_eq!(refused.exit_code(), super::super::EXIT_BAD_INPUT);
        }
        assert!(password_from_input(&[b'a'; MAX_PASSWORD_BYTES]).is_ok());
    }

    #[test]
    fn roles_are_split_and_trimmed() {
        let given = vec!["superuser".to_string(), " kibana_admin ".into(), "".into()];
        assert_eq!(role_names(&given), ["superuser", "kibana_admin"]);
    }
}

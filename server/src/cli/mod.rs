//! The binary's administration commands — `gatehouse-server users …` and `gatehouse-server
//! backup` — and the start-up rules of the plain server: demo data only when asked for, and
//! never on an address others can reach unless that is said explicitly (README, "Running
//! Gatehouse for your team").
//!
//! The commands use the server's own code on the same SQLite file: opening it migrates it
//! ([`crate::platform::db`]), users are validated by the API's rules and stored and audited by
//! the admin feature's functions, and every connection waits for the running server's write
//! lock rather than failing. The server notices their commits (`Db::generation`), so a password
//! reset takes effect on the running server at once.

mod backup;
mod users;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use backup::BackupArgs;
pub use users::UsersCommand;

/// `gatehouse-server <command>`; without one the binary serves.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create users, reset passwords, list users. Safe while the server runs.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Copy the database to a file while the server runs (sessions are dropped from the copy).
    Backup(BackupArgs),
}

/// The exit code of a command that could not do what it was asked (unknown user, user exists,
/// the target file exists, the database cannot be opened).
pub const EXIT_FAILED: u8 = 1;
/// The exit code of a command given input it refuses (a bad username, a short password): the
/// same code clap uses for a bad command line.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Why a command stopped.
#[derive(Debug)]
pub enum CliError {
    /// The input breaks a rule; nothing was read or written.
    BadInput(String),
    /// The input is well formed but the request cannot be done as asked.
    Refused(String),
    /// Something failed underneath (the database, the file system).
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> Self {
        CliError::Failed(error)
    }
}

impl From<rusqlite::Error> for CliError {
    fn from(error: rusqlite::Error) -> Self {
        CliError::Failed(error.into())
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError::Failed(error.into())
    }
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::BadInput(_) => EXIT_BAD_INPUT,
            CliError::Refused(_) | CliError::Failed(_) => EXIT_FAILED,
        }
    }

    pub fn message(&self) -> String {
        match self {
            CliError::BadInput(message) | CliError::Refused(message) => message.clone(),
            CliError::Failed(error) => format!("{error:#}"),
        }
    }
}

/// Runs a command: what it did on stdout, why it stopped on stderr; returns the exit code.
pub fn run(command: Command) -> u8 {
    let outcome = match command {
        Command::Users(command) => users::run(command),
        Command::Backup(args) => backup::run(&args),
    };
    match outcome {
        Ok(report) => {
            println!("{report}");
            0
        }
        Err(error) => {
            eprintln!("error: {}", error.message());
            error.exit_code()
        }
    }
}

/// The database a command works on, which must already exist (only `users create` may start a
/// new one: the first administrator can be created before the server's first start).
fn existing_database(path: &Path) -> Result<(), CliError> {
    if path.is_file() {
        Ok(())
    } else {
        Err(CliError::Refused(format!(
            "no database at {}: give the --db the server uses",
            path.display()
        )))
    }
}

/// The audit log file the server appends to for this database: `--audit-log` when given, else
/// `audit.log` next to the database, as the server decides ([`crate::Config::audit_log_path`]).
fn audit_log_path(db: &Path, audit_log: Option<&Path>) -> PathBuf {
    crate::Config {
        db_path: db.to_path_buf(),
        audit_log: audit_log.map(Path::to_path_buf),
        ..crate::Config::default()
    }
    .audit_log_path()
}

// ---------------------------------------------------------------------------------------------
// Start-up rules of the plain server
// ---------------------------------------------------------------------------------------------

/// The flag that allows `--demo` on an address other machines can reach.
pub const DEMO_ON_PUBLIC_ADDRESS_FLAG: &str = "--demo-on-public-address";

/// Why the server must not start with the demo users on `addr`, if it must not: they all have
/// the published password `changeme` (one is a superuser), so only a loopback address keeps them
/// to this machine, unless the operator says otherwise with [`DEMO_ON_PUBLIC_ADDRESS_FLAG`].
pub fn demo_refusal(addr: SocketAddr, demo_on_public_address: bool) -> Option<String> {
    if addr.ip().is_loopback() || demo_on_public_address {
        return None;
    }
    Some(format!(
        "refusing to start: --demo seeds users whose password is \"{password}\" (elastic is a \
         superuser), and {addr} is not a loopback address, so anyone who reaches it could sign \
         in. Listen on 127.0.0.1 for a demo, or start without --demo and create users with \
         `gatehouse-server users create`. To run the demo on this address anyway, add \
         {DEMO_ON_PUBLIC_ADDRESS_FLAG}.",
        password = crate::seed::DEMO_PASSWORD,
    ))
}

/// What the server prints at start while its database has no users: the exact command that
/// creates the first administrator.
pub fn first_admin_hint(db: &Path) -> String {
    let shown = db
        .canonicalize()
        .unwrap_or_else(|_| db.to_path_buf())
        .display()
        .to_string();
    let db_arg = shell_quoted(&shown);
    format!(
        "No users yet: nobody can sign in. Create the first administrator (this works while the \
         server runs), typing the password when asked:\n\n    \
         gatehouse-server users create --db {db_arg} --username admin --roles superuser --password-stdin\n\n\
         or pipe it in: printf '%s\\n' \"$PASSWORD\" | gatehouse-server users create --db {db_arg} \
         --username admin --roles superuser --password-stdin\n\
         (`gatehouse-server --demo` seeds the demo users instead, on a loopback address only.)"
    )
}

/// `text` as one shell word: as it is when it holds only safe characters, else in single quotes.
fn shell_quoted(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The hint when the database at `db` has no users, `None` when it has some.
pub fn first_admin_hint_if_needed(db: &Path) -> anyhow::Result<Option<String>> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(crate::platform::db::BUSY_TIMEOUT)?;
    let users = crate::admin::user_store::count_users(&conn)?;
    Ok((users == 0).then(|| first_admin_hint(db)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_stays_on_loopback_unless_overridden() {
        let loopback: SocketAddr = "127.0.0.1:5601".parse().unwrap();
        let loopback6: SocketAddr = "[::1]:5601".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
        let lan: SocketAddr = "192.168.1.10:5601".parse().unwrap();
        assert_eq!(demo_refusal(loopback, false), None);
        assert_eq!(demo_refusal(loopback6, false), None);
        for addr in [any, lan] {
            let why = demo_refusal(addr, false).expect("refused");
            assert!(why.contains("not a loopback address"), "{why}");
            assert!(why.contains(DEMO_ON_PUBLIC_ADDRESS_FLAG), "{why}");
            assert_eq!(demo_refusal(addr, true), None, "the explicit override");
        }
    }

    #[test]
    fn the_hint_is_a_command_to_paste() {
        let hint = first_admin_hint(Path::new("/srv/gate house/it's.db"));
        assert!(
            hint.contains(
                r"users create --db '/srv/gate house/it'\''s.db' --username admin --roles superuser --password-stdin"
            ),
            "{hint}"
        );
        assert_eq!(
            shell_quoted("/var/lib/gatehouse/g.db"),
            "/var/lib/gatehouse/g.db"
        );
    }
}

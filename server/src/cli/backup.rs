//! `gatehouse-server backup --db PATH --to FILE`: a consistent copy of the database, taken with
//! SQLite's online backup API while the server keeps serving (WAL: the copy reads one snapshot,
//! the server's writes go on beside it).
//!
//! The copy keeps everything but sessions: users, roles, spaces, dashboards, leads, search
//! sources and the audit table. Sessions are dropped, so restoring a backup never brings back a
//! sign-in that was ended after it was taken (a reset password, a disabled user); everyone signs
//! in again. The copy is written to a temporary file beside FILE, checked, and only then given
//! FILE's name, so FILE is never a half-written database.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{existing_database, CliError};
use crate::platform::db::BUSY_TIMEOUT;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The server's SQLite database file.
    #[arg(long, env = "GATEHOUSE_DB")]
    pub db: PathBuf,
    /// Where to write the copy (one self-contained SQLite file).
    #[arg(long)]
    pub to: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// What the copy holds, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub users: i64,
    pub dashboards: i64,
    pub leads: i64,
    pub sessions_dropped: i64,
}

pub fn run(args: &BackupArgs) -> Result<String, CliError> {
    existing_database(&args.db)?;
    refuse_target(&args.db, &args.to, args.force)?;
    let partial = partial_path(&args.to);
    remove_sqlite_files(&partial);
    let copied = copy_to(&args.db, &partial).and_then(|copied| {
        place(&partial, &args.to, args.force)?;
        Ok(copied)
    });
    remove_sqlite_files(&partial);
    let copied = copied?;
    Ok(format!(
        "Backed up {} to {}: {} users, {} dashboards, {} leads; {} sessions left out (everyone \
         signs in again on a server restored from it).",
        args.db.display(),
        args.to.display(),
        copied.users,
        copied.dashboards,
        copied.leads,
        copied.sessions_dropped,
    ))
}

/// Refuses a target that is the database itself, or exists without `--force`, or is a database
/// with a write-ahead log beside it (a server may have it open: replacing the file under its log
/// would corrupt it).
fn refuse_target(db: &Path, to: &Path, force: bool) -> Result<(), CliError> {
    let same = match (db.canonicalize(), to.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(CliError::BadInput(
            "--to names the database itself: give another file".into(),
        ));
    }
    if !to.exists() {
        return Ok(());
    }
    if !force {
        return Err(CliError::Refused(format!(
            "{} exists: pass --force to replace it",
            to.display()
        )));
    }
    let wal = sidecar(to, "-wal");
    if wal.exists() {
        return Err(CliError::Refused(format!(
            "{} exists beside {}: a server may have it open. Stop it first (its log is merged \
             and removed when it stops), or choose another file",
            wal.display(),
            to.display()
        )));
    }
    Ok(())
}

/// `FILE.partial-<pid>` in FILE's directory, so the final rename stays on one file system.
fn partial_path(to: &Path) -> PathBuf {
    let mut name = to.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    to.with_file_name(name)
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes `path` and the journal files SQLite may leave beside it; missing ones are fine.
fn remove_sqlite_files(path: &Path) {
    for file in [
        path.to_path_buf(),
        sidecar(path, "-journal"),
        sidecar(path, "-wal"),
        sidecar(path, "-shm"),
    ] {
        let _ = std::fs::remove_file(file);
    }
}

/// Copies `db` into the new file `partial` in one step (one read snapshot of the source), drops
/// the sessions, leaves it a single file (no write-ahead log) and checks it.
fn copy_to(db: &Path, partial: &Path) -> Result<Copied, CliError> {
    // Read-write without create, though nothing is written: a read-only connection cannot open
    // a WAL database whose shared-memory file is gone (a stopped server removes it).
    let source = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    source.busy_timeout(BUSY_TIMEOUT)?;
    let mut copy = Connection::open(partial)?;
    {
        let backup = Backup::new(&source, &mut copy)?;
        // Every page in one step (-1): a single consistent snapshot however busy the server is.
        // A source busy or locked is retried after a pause, for a bounded time.
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                _ => {
                    return Err(CliError::Failed(anyhow::anyhow!(
                        "the database stayed locked for {} s; try again",
                        BUSY_TIMEOUT.as_secs()
                    )))
                }
            }
        }
    }
    drop(source);
    copy.busy_timeout(BUSY_TIMEOUT)?;
    let sessions_dropped = copy.execute("DELETE FROM sessions", [])? as i64;
    let mode: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(CliError::Failed(anyhow::anyhow!(
            "the copy stayed in journal mode {mode}"
        )));
    }
    let check: String = copy.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(CliError::Failed(anyhow::anyhow!(
            "the copy does not check out: {check}"
        )));
    }
    let count = |table: &str| -> rusqlite::Result<i64> {
        copy.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
    };
    let copied = Copied {
        users: count("users")?,
        dashboards: count("dashboards")?,
        leads: count("leads")?,
        sessions_dropped,
    };
    drop(copy);
    std::fs::File::open(partial)?.sync_all()?;
    Ok(copied)
}

/// Gives the checked copy its name: replacing FILE with `--force`, otherwise only if FILE still
/// does not exist (a hard link fails rather than replace).
fn place(partial: &Path, to: &Path, force: bool) -> Result<(), CliError> {
    if force {
        std::fs::rename(partial, to)?;
    } else {
        match std::fs::hard_link(partial, to) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(CliError::Refused(format!(
                    "{} exists: pass --force to replace it",
                    to.display()
                )));
            }
            // A file system without hard links: FILE was absent a moment ago.
            Err(_) if !to.exists() => std::fs::rename(partial, to)?,
            Err(error) => return Err(error.into()),
        }
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The new name survives a crash too.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_target_needs_force_and_the_database_is_never_its_own_target() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("g.db");
        let to = dir.path().join("copy.db");
        std::fs::write(&db, b"").unwrap();
        assert!(refuse_target(&db, &to, false).is_ok(), "a new file");
        std::fs::write(&to, b"old").unwrap();
        let refused = refuse_target(&db, &to, false).unwrap_err();
        assert!(
            refused.message().contains("--force"),
            "{}",
            refused.message()
        );
        assert!(refuse_target(&db, &to, true).is_ok());
        std::fs::write(sidecar(&to, "-wal"), b"log").unwrap();
        assert!(
            refuse_target(&db, &to, true).is_err(),
            "a live database's file"
        );
        let itself = refuse_target(&db, &db, true).unwrap_err();
        assert_eq!(itself.exit_code(), super::super::EXIT_BAD_INPUT);
    }

    #[test]
    fn the_partial_copy_sits_beside_the_target() {
        let partial = partial_path(Path::new("/backups/g.db"));
        assert_eq!(partial.parent(), Some(Path::new("/backups")));
        assert!(partial
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("g.db.partial-"));
    }
}

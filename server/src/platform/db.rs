//! SQLite storage: one file, WAL, numbered migrations, a writer connection plus a few readers.
//!
//! Async code reaches SQLite through [`Db::read`] and [`Db::write`], which run the closure on a
//! blocking thread. All writes go through the single writer connection (SQLite allows one writer at a
//! time anyway), so write transactions never fail with `SQLITE_BUSY` on lock upgrades; readers see
//! committed snapshots thanks to WAL.
//!
//! Another process may write the same file at the same time (the `users` and `backup` commands,
//! `server/src/cli/`): every connection waits up to [`BUSY_TIMEOUT`] for SQLite's write lock
//! instead of failing, and [`Db::generation`] notices that process's commits too, so what the
//! server caches from the database (signed-in principals, leads pages) is read again after them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};

const READERS: usize = 3;

/// How long a connection waits for another connection's (or process's) write lock before
/// giving up with `SQLITE_BUSY`.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Numbered migrations; `schema_version` records the highest one applied. Append, never edit.
/// A database in memory with every migration applied and foreign keys on, as the server opens
/// one: for unit tests.
#[cfg(test)]
pub(crate) fn migrated_in_memory() -> Connection {
    let conn = Connection::open_in_memory().expect("an in-memory database");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    for (_, sql) in MIGRATIONS {
        conn.execute_batch(sql).expect("a migration");
    }
    conn
}

pub(crate) const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
        CREATE TABLE users (
            username      TEXT PRIMARY KEY NOT NULL,
            password_hash TEXT NOT NULL,
            full_name     TEXT,
            email         TEXT,
            enabled       INTEGER NOT NULL DEFAULT 1,
            roles         TEXT NOT NULL DEFAULT '[]',
            metadata      TEXT NOT NULL DEFAULT '{}',
            profile_uid   TEXT NOT NULL UNIQUE,
            created_at    INTEGER NOT NULL
        );
        CREATE TABLE roles (
            name       TEXT PRIMARY KEY NOT NULL,
            body       TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE sessions (
            id_hash    TEXT PRIMARY KEY NOT NULL,
            username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
            created_at INTEGER NOT NULL,
            last_seen  INTEGER NOT NULL
        );
        CREATE INDEX sessions_by_user ON sessions(username);
        "#,
    ),
    (
        2,
        r#"
        CREATE TABLE entities (
            id                TEXT PRIMARY KEY NOT NULL,
            entity_type       TEXT NOT NULL,
            name              TEXT NOT NULL,
            risk_score        REAL NOT NULL,
            alerts_critical   INTEGER NOT NULL,
            alerts_high       INTEGER NOT NULL,
            alerts_medium     INTEGER NOT NULL,
            alerts_low        INTEGER NOT NULL,
            criticality       TEXT
        );
        CREATE TABLE lead_indices (
            index_name TEXT PRIMARY KEY NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE leads (
            id             TEXT PRIMARY KEY NOT NULL,
            index_name     TEXT NOT NULL REFERENCES lead_indices(index_name) ON DELETE CASCADE,
            priority       INTEGER NOT NULL,
            ts_ms          INTEGER NOT NULL,
            status         TEXT NOT NULL,
            execution_uuid TEXT NOT NULL,
            body           TEXT NOT NULL
        );
        CREATE INDEX leads_status_priority ON leads(index_name, status, priority, ts_ms, id);
        CREATE INDEX leads_status_ts ON leads(index_name, status, ts_ms, id);
        CREATE INDEX leads_priority ON leads(index_name, priority, ts_ms, id);
        CREATE INDEX leads_ts ON leads(index_name, ts_ms, id);
        CREATE TABLE lead_status (
            space               TEXT PRIMARY KEY NOT NULL,
            is_enabled          INTEGER NOT NULL DEFAULT 0,
            connector_id        TEXT,
            last_run            TEXT,
            last_execution_uuid TEXT,
            last_error          TEXT
        );
        "#,
    ),
    (
        3,
        r#"
        CREATE TABLE dashboards (
            space       TEXT NOT NULL,
            id          TEXT NOT NULL,
            title       TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            panels      TEXT NOT NULL DEFAULT '[]',
            owner       TEXT,
            access_mode TEXT CHECK (access_mode IN ('default', 'write_restricted')),
            created_by  TEXT,
            updated_by  TEXT,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL,
            version     INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (space, id),
            CHECK ((owner IS NULL) = (access_mode IS NULL))
        );
        CREATE INDEX dashboards_by_title ON dashboards(space, title COLLATE NOCASE, id);
        CREATE INDEX dashboards_by_owner ON dashboards(space, owner);
        CREATE TABLE audit_log (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            ts_ms       INTEGER NOT NULL,
            action      TEXT NOT NULL,
            outcome     TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
            username    TEXT NOT NULL,
            profile_uid TEXT,
            space       TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_ids  TEXT NOT NULL,
            details     TEXT NOT NULL DEFAULT '{}',
            message     TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_log_by_action ON audit_log(action, ts_ms);
        "#,
    ),
    (
        4,
        r##"
        CREATE TABLE spaces (
            id         TEXT PRIMARY KEY NOT NULL,
            body       TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        INSERT INTO spaces (id, body, created_at) VALUES ('default',
            '{"id":"default","name":"Default","description":"This is your default space!","color":"#00bfb3","disabledFeatures":[]}',
            0);
        "##,
    ),
    (
        5,
        r#"
        CREATE TABLE ws_sources (
            id         TEXT PRIMARY KEY NOT NULL,
            name       TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE ws_documents (
            id          INTEGER PRIMARY KEY,
            source_id   TEXT NOT NULL REFERENCES ws_sources(id) ON DELETE CASCADE,
            doc_id      TEXT NOT NULL,
            title       TEXT NOT NULL DEFAULT '',
            body        TEXT NOT NULL DEFAULT '',
            tags        TEXT NOT NULL DEFAULT '',
            fields      TEXT NOT NULL,
            allow_perms TEXT NOT NULL DEFAULT '[]',
            deny_perms  TEXT NOT NULL DEFAULT '[]',
            updated_at  INTEGER NOT NULL,
            UNIQUE (source_id, doc_id)
        );
        CREATE VIRTUAL TABLE ws_documents_fts USING fts5(
            title, body, tags,
            content = 'ws_documents', content_rowid = 'id',
            tokenize = 'porter unicode61'
        );
        CREATE TRIGGER ws_documents_ai AFTER INSERT ON ws_documents BEGIN
            INSERT INTO ws_documents_fts (rowid, title, body, tags)
                VALUES (new.id, new.title, new.body, new.tags);
        END;
        CREATE TRIGGER ws_documents_ad AFTER DELETE ON ws_documents BEGIN
            INSERT INTO ws_documents_fts (ws_documents_fts, rowid, title, body, tags)
                VALUES ('delete', old.id, old.title, old.body, old.tags);
        END;
        CREATE TRIGGER ws_documents_au AFTER UPDATE ON ws_documents BEGIN
            INSERT INTO ws_documents_fts (ws_documents_fts, rowid, title, body, tags)
                VALUES ('delete', old.id, old.title, old.body, old.tags);
            INSERT INTO ws_documents_fts (rowid, title, body, tags)
                VALUES (new.id, new.title, new.body, new.tags);
        END;
        CREATE TABLE ws_identities (
            source_id        TEXT NOT NULL REFERENCES ws_sources(id) ON DELETE CASCADE,
            external_user_id TEXT NOT NULL,
            properties       TEXT NOT NULL DEFAULT '[]',
            permissions      TEXT NOT NULL DEFAULT '[]',
            created_at       INTEGER NOT NULL,
            PRIMARY KEY (source_id, external_user_id)
        );
        CREATE TABLE ws_meta (
            key   TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        );
        "#,
    ),
    (
        6,
        // Lead totals per (index, status), kept by triggers in the writing transaction, so the
        // find route's `total` and `/status`'s `totalLeads` are one row lookup instead of a
        // COUNT over the index (10 ms at 100,000 leads). Triggers see every writer, including
        // space deletion and the ON DELETE CASCADE from `lead_indices`. (REPLACE conflict
        // resolution deletes without firing delete triggers: lead writes use an upsert.)
        r#"
        CREATE TABLE lead_counts (
            index_name TEXT NOT NULL,
            status     TEXT NOT NULL,
            n          INTEGER NOT NULL,
            PRIMARY KEY (index_name, status)
        ) WITHOUT ROWID;
        INSERT INTO lead_counts (index_name, status, n)
            SELECT index_name, status, COUNT(*) FROM leads GROUP BY index_name, status;
        CREATE TRIGGER leads_count_ai AFTER INSERT ON leads BEGIN
            INSERT INTO lead_counts (index_name, status, n) VALUES (new.index_name, new.status, 1)
                ON CONFLICT (index_name, status) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER leads_count_ad AFTER DELETE ON leads BEGIN
            UPDATE lead_counts SET n = n - 1
                WHERE index_name = old.index_name AND status = old.status;
        END;
        CREATE TRIGGER leads_count_au AFTER UPDATE OF index_name, status ON leads
            WHEN old.index_name IS NOT new.index_name OR old.status IS NOT new.status BEGIN
            UPDATE lead_counts SET n = n - 1
                WHERE index_name = old.index_name AND status = old.status;
            INSERT INTO lead_counts (index_name, status, n) VALUES (new.index_name, new.status, 1)
                ON CONFLICT (index_name, status) DO UPDATE SET n = n + 1;
        END;
        "#,
    ),
    (
        7,
        // Every profile uid ever issued, kept after its user is deleted: dashboards name their
        // owner by uid, so a uid must never pass to another user (Elasticsearch keeps a profile
        // per username; re-creating the same username gets its profile back).
        r#"
        CREATE TABLE profile_uids (
            uid      TEXT PRIMARY KEY NOT NULL,
            username TEXT NOT NULL UNIQUE
        ) WITHOUT ROWID;
        INSERT INTO profile_uids (uid, username) SELECT profile_uid, username FROM users;
        "#,
    ),
    (
        8,
        // The leads changes feed (docs/leads.md "Changes"): one sequence per index, and a log of
        // every created, updated and removed lead, written by triggers in the writing
        // transaction so that no writer (generate, dismiss, space deletion's cascade, the seed)
        // can change a lead without it. An update or removal keeps the lead as it was, so a
        // reader under document-level security can tell a lead leaving its view. The log keeps
        // the last 10,000 changes of each index (`lead_feeds.pruned_through` says where it
        // starts; leads::changes::KEPT_CHANGES). Indices that already hold leads start their
        // sequence at 1, already pruned, so no cursor can claim to have seen their history.
        r#"
        CREATE TABLE lead_feeds (
            index_name     TEXT PRIMARY KEY NOT NULL,
            last_seq       INTEGER NOT NULL,
            pruned_through INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO lead_feeds (index_name, last_seq, pruned_through)
            SELECT index_name, 1, 1 FROM lead_indices;
        CREATE TABLE lead_changes (
            index_name   TEXT NOT NULL,
            seq          INTEGER NOT NULL,
            lead_id      TEXT NOT NULL,
            kind         TEXT NOT NULL,
            old_priority INTEGER,
            old_status   TEXT,
            old_body     TEXT,
            PRIMARY KEY (index_name, seq)
        );
        CREATE TRIGGER leads_feed_ai AFTER INSERT ON leads BEGIN
            INSERT INTO lead_feeds (index_name, last_seq, pruned_through)
                VALUES (new.index_name, 1, 0)
                ON CONFLICT (index_name) DO UPDATE SET last_seq = last_seq + 1;
            INSERT INTO lead_changes (index_name, seq, lead_id, kind)
                SELECT new.index_name, last_seq, new.id, 'created'
                FROM lead_feeds WHERE index_name = new.index_name;
            DELETE FROM lead_changes WHERE index_name = new.index_name AND seq =
                (SELECT last_seq - 10000 FROM lead_feeds WHERE index_name = new.index_name);
            UPDATE lead_feeds SET pruned_through = MAX(pruned_through, last_seq - 10000)
                WHERE index_name = new.index_name;
        END;
        CREATE TRIGGER leads_feed_au AFTER UPDATE ON leads
            WHEN old.body IS NOT new.body OR old.status IS NOT new.status
                OR old.priority IS NOT new.priority BEGIN
            INSERT INTO lead_feeds (index_name, last_seq, pruned_through)
                VALUES (new.index_name, 1, 0)
                ON CONFLICT (index_name) DO UPDATE SET last_seq = last_seq + 1;
            INSERT INTO lead_changes (index_name, seq, lead_id, kind, old_priority, old_status, old_body)
                SELECT new.index_name, last_seq, new.id, 'updated', old.priority, old.status, old.body
                FROM lead_feeds WHERE index_name = new.index_name;
            DELETE FROM lead_changes WHERE index_name = new.index_name AND seq =
                (SELECT last_seq - 10000 FROM lead_feeds WHERE index_name = new.index_name);
            UPDATE lead_feeds SET pruned_through = MAX(pruned_through, last_seq - 10000)
                WHERE index_name = new.index_name;
        END;
        CREATE TRIGGER leads_feed_ad AFTER DELETE ON leads BEGIN
            INSERT INTO lead_feeds (index_name, last_seq, pruned_through)
                VALUES (old.index_name, 1, 0)
                ON CONFLICT (index_name) DO UPDATE SET last_seq = last_seq + 1;
            INSERT INTO lead_changes (index_name, seq, lead_id, kind, old_priority, old_status, old_body)
                SELECT old.index_name, last_seq, old.id, 'removed', old.priority, old.status, old.body
                FROM lead_feeds WHERE index_name = old.index_name;
            DELETE FROM lead_changes WHERE index_name = old.index_name AND seq =
                (SELECT last_seq - 10000 FROM lead_feeds WHERE index_name = old.index_name);
            UPDATE lead_feeds SET pruned_through = MAX(pruned_through, last_seq - 10000)
                WHERE index_name = old.index_name;
        END;
        "#,
    ),
    (
        9,
        // What a dashboard references (docs/saved-objects.md, "References"), in the order its
        // saved object lists them: export follows them (`includeReferencesDeep`) and import
        // refuses an object whose references are neither in the file nor in the space. They go
        // with their dashboard, however it is deleted (a route, a space's deletion).
        r#"
        CREATE TABLE dashboard_references (
            space    TEXT NOT NULL,
            id       TEXT NOT NULL,
            position INTEGER NOT NULL,
            name     TEXT NOT NULL,
            ref_type TEXT NOT NULL,
            ref_id   TEXT NOT NULL,
            PRIMARY KEY (space, id, position)
        ) WITHOUT ROWID;
        CREATE TRIGGER dashboard_references_ad AFTER DELETE ON dashboards BEGIN
            DELETE FROM dashboard_references WHERE space = old.space AND id = old.id;
        END;
        "#,
    ),
    (
        10,
        // The audit log read back (docs/audit-log.md): the user a request ran as while its caller
        // viewed as another user (docs/view-as.md), and indexes for the newest-first pages and
        // the filters on who did it.
        r#"
        ALTER TABLE audit_log ADD COLUMN effective_user TEXT;
        CREATE INDEX audit_log_by_time ON audit_log(ts_ms, id);
        CREATE INDEX audit_log_by_user ON audit_log(username, ts_ms, id);
        CREATE INDEX audit_log_by_effective_user ON audit_log(effective_user, ts_ms, id);
        "#,
    ),
];

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0)
}

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Writer>,
    readers: Vec<Mutex<Connection>>,
    /// One permit per reader, handed out first come, first served: a read waits here, not on a
    /// blocking thread parked on one reader's lock (an unfair lock, which under load left some
    /// requests waiting for seconds).
    reader_permits: Arc<tokio::sync::Semaphore>,
    next_reader: AtomicUsize,
    /// Bumped after every write through [`Db::write`], and when the writer sees a commit from
    /// another process: what was read before an unchanged generation is still what the database
    /// holds (see [`Db::generation`]).
    generation: AtomicU64,
    /// When the writer was last asked about other processes' commits, in ms since `opened`: at
    /// most every [`WATCH_INTERVAL_MS`] outside writes, not on every request.
    last_watch_ms: AtomicU64,
    opened: std::time::Instant,
}

/// What [`Db::write`] runs on the writer, on a blocking thread. Use a transaction inside it when
/// it writes more than one statement.
pub trait WriteFn<T>: FnOnce(&mut Connection) -> anyhow::Result<T> + Send + 'static {}

impl<T, F: FnOnce(&mut Connection) -> anyhow::Result<T> + Send + 'static> WriteFn<T> for F {}

/// How often [`Db::generation`] asks SQLite whether another process committed: a change made by
/// `gatehouse-server users …` is seen by requests that start this long after it, at most.
pub const WATCH_INTERVAL_MS: u64 = 50;

/// The one connection that writes, and its `PRAGMA data_version` when last asked. That number
/// changes when any *other* connection commits to the file; the readers here never do, so a
/// change is another process (`gatehouse-server users reset-password`), and this server's own
/// writes do not show in it. Asked under the writer's lock, so no caller can read an old
/// generation after a newer commit was seen.
struct Writer {
    conn: Connection,
    data_version: i64,
}

impl Inner {
    fn writer(&self) -> MutexGuard<'_, Writer> {
        // A panic inside a closure leaves the connection usable (transactions roll back on drop).
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Moves the generation on if another process committed since the writer last looked.
    fn note_other_commits(&self, writer: &mut Writer) {
        match data_version(&writer.conn) {
            Ok(version) if version == writer.data_version => {}
            Ok(version) => {
                writer.data_version = version;
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
            // Unknown is treated as changed: a cache miss costs a read, a stale hit is wrong.
            Err(error) => {
                tracing::warn!(error = %error, "could not read the database's data_version");
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
        }
    }

    /// `f` on the writer, after noting other processes' commits; `moves_generation` says
    /// whether the caches keyed by the generation must let go of what they hold.
    fn write_with<T>(
        &self,
        moves_generation: bool,
        f: impl FnOnce(&mut Connection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut writer = self.writer();
        self.note_other_commits(&mut writer);
        let result = f(&mut writer.conn);
        if moves_generation {
            self.generation.fetch_add(1, Ordering::Release);
        }
        result
    }

    /// A reader no one holds. Called with one of `reader_permits`, and a permit goes back only
    /// after its connection is unlocked, so one is free (waiting on one is a fallback).
    fn free_reader(&self) -> MutexGuard<'_, Connection> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let n = self.readers.len();
        for k in 0..n {
            match self.readers[(start + k) % n].try_lock() {
                Ok(conn) => return conn,
                Err(std::sync::TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        lock(&self.readers[start % n])
    }
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic inside a closure leaves the connection usable (transactions roll back on drop).
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub fn open(path: &Path) -> anyhow::Result<Db> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating database directory {}", parent.display()))?;
        }
        let mut writer =
            Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        // Before anything that may need a lock: another process may be writing this file.
        configure(&writer)?;
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite did not switch to WAL mode");
        }
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            configure(&reader)?;
            readers.push(Mutex::new(reader));
        }
        let data_version = data_version(&writer)?;
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(Writer {
                    conn: writer,
                    data_version,
                }),
                readers,
                reader_permits: Arc::new(tokio::sync::Semaphore::new(READERS)),
                next_reader: AtomicUsize::new(0),
                generation: AtomicU64::new(0),
                last_watch_ms: AtomicU64::new(0),
                opened: std::time::Instant::now(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// A number that changes after every write through this `Db` and after every commit to the
    /// file from anywhere else (another process: `gatehouse-server users reset-password` while
    /// the server runs). Read it before reading the database: while it is unchanged, nothing has
    /// been written since, so anything derived from that read is still current.
    pub fn generation(&self) -> u64 {
        let now = u64::try_from(self.inner.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.inner.last_watch_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) < WATCH_INTERVAL_MS && last != 0 {
            return self.inner.generation.load(Ordering::Acquire);
        }
        // A write is under way: it noted other processes' commits as it began, and the next
        // interval asks again.
        let mut writer = match self.inner.writer.try_lock() {
            Ok(writer) => writer,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return self.inner.generation.load(Ordering::Acquire)
            }
        };
        self.inner
            .last_watch_ms
            .store(now.max(1), Ordering::Relaxed);
        self.inner.note_other_commits(&mut writer);
        self.inner.generation.load(Ordering::Acquire)
    }

    /// Runs `f` on a read-only connection on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> anyhow::Result<T> + Send + 'static,
    {
        self.read_then(f, Ok).await
    }

    /// Runs `read` on a read-only connection on a blocking thread, then `then` on what it read,
    /// on the same thread once the connection is free for the next reader: work that needs no
    /// database (building JSON out of rows) does not hold one of the few connections.
    pub async fn read_then<R, T, F, G>(&self, read: F, then: G) -> anyhow::Result<T>
    where
        R: Send + 'static,
        T: Send + 'static,
        F: FnOnce(&Connection) -> anyhow::Result<R> + Send + 'static,
        G: FnOnce(R) -> anyhow::Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        let permit = inner
            .reader_permits
            .clone()
            .acquire_owned()
            .await
            .context("the database is closed")?;
        tokio::task::spawn_blocking(move || {
            let rows = {
                let conn = inner.free_reader();
                read(&conn)
                // The connection is unlocked here, before the permit goes back (also on a panic).
            };
            drop(permit);
            then(rows?)
        })
        .await
        .context("database task panicked")?
    }

    /// Runs `f` on the writer connection on a blocking thread. Use a transaction inside `f` when
    /// it writes more than one statement.
    pub async fn write<T: Send + 'static>(&self, f: impl WriteFn<T>) -> anyhow::Result<T> {
        self.write_on_thread(true, f).await
    }

    /// [`Db::write`] for bookkeeping that nothing kept by generation is derived from (a session's
    /// `last_seen`): the generation stays, so the answers and principals kept by the caches stay
    /// too. Once a minute per signed-in user, a refresh used to empty them all.
    pub async fn write_bookkeeping<T: Send + 'static>(
        &self,
        f: impl WriteFn<T>,
    ) -> anyhow::Result<T> {
        self.write_on_thread(false, f).await
    }

    async fn write_on_thread<T: Send + 'static>(
        &self,
        moves_generation: bool,
        f: impl WriteFn<T>,
    ) -> anyhow::Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.write_with(moves_generation, f))
            .await
            .context("database task panicked")?
    }

    /// Synchronous access to the writer, for start-up work before the server accepts requests.
    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.inner.write_with(true, f)
    }
}

/// SQLite's count of commits by other connections to the file, as `conn` sees it.
fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_version",
        [],
        |r| r.get(0),
    )?;
    if current > latest_version() {
        anyhow::bail!(
            "database schema version {current} is newer than this server understands ({}): \
             a newer Gatehouse has already upgraded this database. Run that version, or restore \
             a backup taken before the upgrade (README, \"Upgrades\").",
            latest_version()
        );
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql)
            .with_context(|| format!("applying migration {version}"))?;
        tx.execute("DELETE FROM schema_version", [])?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [version],
        )?;
        tracing::info!(version, "applied database migration");
    }
    tx.commit()?;
    Ok(())
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// `2026-01-02T03:04:05.678Z` for a millisecond timestamp.
pub fn iso_millis(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_record_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/db.sqlite");
        let db = Db::open(&path).unwrap();
        let version: i64 = db
            .write_blocking(|c| {
                Ok(c.query_row("SELECT version FROM schema_version", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(version, latest_version());
        drop(db);
        let db = Db::open(&path).unwrap();
        let rows: i64 = db
            .write_blocking(|c| {
                Ok(c.query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(rows, 1);
        let mode: String = db
            .write_blocking(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = db
            .write_blocking(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        drop(Db::open(&path).unwrap());
        let newer = latest_version() + 1;
        let conn = Connection::open(&path).unwrap();
        conn.execute("UPDATE schema_version SET version = ?1", [newer])
            .unwrap();
        drop(conn);
        let refusal = format!("{:#}", Db::open(&path).err().expect("refused"));
        assert!(
            refusal.contains(&format!("schema version {newer} is newer")),
            "{refusal}"
        );
        let conn = Connection::open(&path).unwrap();
        let kept: i64 = conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, newer, "the refused database is not touched");
    }

    #[test]
    fn a_commit_from_another_connection_moves_the_generation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let db = Db::open(&path).unwrap();
        let before = db.generation();
        assert_eq!(db.generation(), before, "nothing written, nothing changed");
        // Another process's connection, as `gatehouse-server users` opens one.
        let other = Connection::open(&path).unwrap();
        other
            .execute("INSERT INTO ws_meta (key, value) VALUES ('k', 'v')", [])
            .unwrap();
        // Seen by the first request that starts a watch interval after the commit.
        std::thread::sleep(std::time::Duration::from_millis(WATCH_INTERVAL_MS + 10));
        let after = db.generation();
        assert_ne!(after, before);
        assert_eq!(db.generation(), after, "seen once, then stable");
    }

    #[tokio::test]
    async fn a_bookkeeping_write_keeps_the_generation_and_a_data_write_moves_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let db = Db::open(&path).unwrap();
        let before = db.generation();
        db.write_bookkeeping(|conn| {
            Ok(conn.execute("INSERT INTO ws_meta (key, value) VALUES ('a', 'b')", [])?)
        })
        .await
        .unwrap();
        // Not taken for another process's commit either, however long one waits.
        std::thread::sleep(std::time::Duration::from_millis(WATCH_INTERVAL_MS + 10));
        assert_eq!(
            db.generation(),
            before,
            "what the caches keep is still current"
        );
        db.write(|conn| Ok(conn.execute("UPDATE ws_meta SET value = 'c'", [])?))
            .await
            .unwrap();
        assert_ne!(db.generation(), before, "a data write is seen at once");
        let after_write = db.generation();
        // Another process, then a bookkeeping write before anyone asked: still seen.
        let other = Connection::open(&path).unwrap();
        other
            .execute("INSERT INTO ws_meta (key, value) VALUES ('k', 'v')", [])
            .unwrap();
        db.write_bookkeeping(|conn| Ok(conn.execute("DELETE FROM ws_meta WHERE key = 'a'", [])?))
            .await
            .unwrap();
        assert_ne!(db.generation(), after_write, "the other process's commit");
    }

    #[test]
    fn iso_timestamps() {
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}

//! The binary as an administrator runs it (README, "Running Gatehouse for your team"): the plain
//! server has no demo users and says how to create the first administrator; `users create`,
//! `users reset-password` and `users list` work on the database of a running server and take
//! effect within the watch interval; bad input gets the API's reasons; `--demo` stays off public addresses; a
//! `backup` taken while the server runs is a database a second server serves. Every server and
//! command here is the real binary, run as a process.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

mod common;
use common::binary::{kill, login_answer, spawn_binary, until_listening, KilledOnDrop};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse-server");

/// The write load beside a backup stops after this many dashboards whatever happens.
const MAX_WRITES_DURING_BACKUP: u64 = 2_000;

/// A server child, killed on drop, with what it printed before it listened.
struct Server {
    _child: KilledOnDrop,
    url: String,
    banner: Vec<String>,
}

fn start(db: &Path, args: &[&str]) -> Server {
    let (mut child, stdout) = spawn_binary(db, args, &[("RUST_LOG", "warn"), ("NO_COLOR", "1")]);
    let (url, banner) = until_listening(&mut child, stdout);
    Server {
        _child: KilledOnDrop(child),
        url,
        banner,
    }
}

/// A server with the demo users on a new database in a new folder (kept while the test runs).
fn demo_server() -> (tempfile::TempDir, std::path::PathBuf, Server) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gatehouse.db");
    let server = start(&db, &["--demo"]);
    (dir, db, server)
}

/// Runs `gatehouse-server <args>` with `stdin` as its standard input, to completion.
fn cli(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .env("USER", "ops-oncall")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // A command that refuses its arguments exits without reading: a closed pipe is fine then.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("the command finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn db_arg(db: &Path) -> &str {
    db.to_str().expect("temp paths are UTF-8")
}

fn create_user(db: &Path, username: &str, roles: &str, password: &str) -> Output {
    cli(
        &[
            "users",
            "create",
            "--db",
            db_arg(db),
            "--username",
            username,
            "--roles",
            roles,
            "--password-stdin",
        ],
        &format!("{password}\n"),
    )
}

/// Creates a superuser with the CLI, which must succeed.
fn create_superuser(db: &Path, username: &str, password: &str) {
    let created = create_user(db, username, "superuser", password);
    assert!(created.status.success(), "{}", text(&created.stderr));
}

fn reset_password(db: &Path, username: &str, password: &str) -> Output {
    cli(
        &[
            "users",
            "reset-password",
            "--db",
            db_arg(db),
            "--username",
            username,
            "--password-stdin",
        ],
        &format!("{password}\n"),
    )
}

fn list_users(db: &Path) -> String {
    let out = cli(&["users", "list", "--db", db_arg(db)], "");
    assert!(out.status.success(), "users list: {}", text(&out.stderr));
    text(&out.stdout)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Signs in; the status and the session cookie (`sid=…`) when there is one.
async fn login(base: &str, username: &str, password: &str) -> (StatusCode, Option<String>) {
    let response = login_answer(&http(), base, username, password).await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    (response.status(), cookie)
}

async fn get(base: &str, cookie: &str, path: &str, version: Option<&str>) -> (StatusCode, Value) {
    let mut request = http()
        .get(format!("{base}{path}"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .header("cookie", cookie);
    if let Some(version) = version {
        request = request.header("elastic-api-version", version);
    }
    let response = request.send().await.expect("answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The audit log file's events of `action` on `target`.
fn audit_events(dir: &Path, action: &str, target: &str) -> Vec<Value> {
    let log = std::fs::read_to_string(dir.join("audit.log")).unwrap_or_default();
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|e| {
            e["event"]["action"] == action && e["kibana"]["saved_object"]["ids"][0] == target
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_server_has_no_demo_users_and_the_first_administrator_is_created_while_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gatehouse.db");
    let server = start(&db, &[]);
    let banner = server.banner.concat();
    assert!(
        banner.contains("No users yet")
            && banner.contains(&format!(
                "users create --db {} --username admin --roles superuser --password-stdin",
                db.canonicalize().unwrap().display()
            )),
        "the start says how to create the first administrator: {banner}"
    );
    for user in ["elastic", "alice"] {
        let (status, _) = login(&server.url, user, "changeme").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no demo user {user}");
    }
    assert_eq!(list_users(&db).trim(), "No users.");

    create_superuser(&db, "admin", "first-admin-pw");
    let (status, cookie) = login(&server.url, "admin", "first-admin-pw").await;
    assert_eq!(status, StatusCode::OK, "the new administrator signs in");
    let (status, me) = get(&server.url, &cookie.unwrap(), "/internal/security/me", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["roles"], json!(["superuser"]));

    let again = create_user(&db, "admin", "superuser", "another-pw");
    assert_eq!(again.status.code(), Some(1), "the user exists");
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    let (status, _) = login(&server.url, "admin", "another-pw").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an existing user is not overwritten"
    );

    let listed = list_users(&db);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("admin ") && l.contains("superuser")),
        "{listed}"
    );
    let events = audit_events(dir.path(), "user_create", "admin");
    let outcomes: Vec<&Value> = events.iter().map(|e| &e["event"]["outcome"]).collect();
    assert_eq!(outcomes, ["success", "failure"], "{events:#?}");
    assert_eq!(events[0]["user"]["name"], "_cli");
    assert_eq!(events[0]["kibana"]["details"]["os_user"], "ops-oncall");
    assert_eq!(
        events[0]["kibana"]["details"]["roles"],
        json!(["superuser"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_while_the_server_runs_ends_the_session_within_the_watch_interval() {
    let (dir, db, server) = demo_server();
    let (status, cookie) = login(&server.url, "alice", "changeme").await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie.unwrap();
    // Twice, so the server has the signed-in principal cached.
    for _ in 0..2 {
        let (status, _) = get(&server.url, &cookie, "/internal/security/me", None).await;
        assert_eq!(status, StatusCode::OK);
    }

    let reset = reset_password(&db, "alice", "alice-new-pw");
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    // The server looks for other processes' commits at most this often (README, "Running
    // Gatehouse for your team"); a request that starts after it must see the reset.
    tokio::time::sleep(std::time::Duration::from_millis(
        gatehouse_server::db::WATCH_INTERVAL_MS + 10,
    ))
    .await;
    let (status, _) = get(&server.url, &cookie, "/internal/security/me", None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the reset ended alice's session"
    );
    let (status, _) = login(&server.url, "alice", "changeme").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password");
    let (status, _) = login(&server.url, "alice", "alice-new-pw").await;
    assert_eq!(status, StatusCode::OK, "the new password");

    let unknown = reset_password(&db, "nobody", "whatever-pw");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("User nobody not found"),
        "{}",
        text(&unknown.stderr)
    );

    let events = audit_events(dir.path(), "user_password_change", "alice");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["user"]["name"], "_cli");
    assert_eq!(events[0]["event"]["outcome"], "success");
    assert_eq!(events[0]["kibana"]["details"]["sessions_ended"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_the_reason_the_api_gives_and_changes_nothing() {
    let (_dir, db, server) = demo_server();
    let (_, cookie) = login(&server.url, "elastic", "changeme").await;
    let cookie = cookie.unwrap();
    let before = list_users(&db);

    // (username as the console's path spells it, username, password)
    for (path_name, username, password) in [
        ("jos%C3%A9", "josé", "long-enough-pw"),
        ("%20padded", " padded", "long-enough-pw"),
        ("shorty", "shorty", "abc"),
    ] {
        let response = http()
            .post(format!(
                "{}/api/console/proxy?path=_security/user/{path_name}&method=PUT",
                server.url
            ))
            .header("kbn-xsrf", "true")
            .header("cookie", &cookie)
            .json(&json!({"password": password, "roles": ["superuser"]}))
            .send()
            .await
            .unwrap();
        let api: Value = response.json().await.unwrap();
        let reason = api["error"]["reason"]
            .as_str()
            .expect("the API's reason")
            .to_string();

        let out = create_user(&db, username, "superuser", password);
        assert_eq!(out.status.code(), Some(2), "{username:?}: bad input");
        let said = text(&out.stderr);
        assert_eq!(said.trim(), format!("error: {reason}"), "{username:?}");
    }
    assert_eq!(list_users(&db), before, "nothing was created");
}

#[test]
fn demo_on_a_public_address_refuses_to_start_and_says_how_to_override() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gatehouse.db");
    let said = refused_at_start(
        &["--addr", "0.0.0.0:0", "--demo", "--db", db_arg(&db)],
        "the server started with demo users on 0.0.0.0",
    );
    assert!(
        said.contains("0.0.0.0:0 is not a loopback address"),
        "{said}"
    );
    assert!(said.contains("--demo-on-public-address"), "{said}");
    assert!(!db.exists(), "nothing was seeded");
}

/// Starts the server with `args`, expecting it to refuse: waits for it to exit by itself
/// (killing it and failing with `what` if it keeps running), checks it failed, and returns what it
/// said on standard error.
fn refused_at_start(args: &[&str], what: &str) -> String {
    let child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, said) = exits_by_itself(child, what);
    assert!(!status.success(), "{said}");
    said
}

/// Waits for a child that should exit by itself; kills it and fails if it is still running.
fn exits_by_itself(mut child: Child, what: &str) -> (std::process::ExitStatus, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let said = text(&child.wait_with_output().unwrap().stderr);
            return (status, said);
        }
        if Instant::now() > deadline {
            kill(&mut child);
            panic!("{what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_at_start_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gatehouse.db");
    create_superuser(&db, "admin", "first-admin-pw");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let current: i64 = conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .unwrap();
    conn.execute("UPDATE schema_version SET version = ?1", [current + 1])
        .unwrap();
    drop(conn);
    let said = refused_at_start(
        &["--addr", "127.0.0.1:0", "--db", db_arg(&db)],
        "the server started on a newer schema",
    );
    assert!(
        said.contains(&format!(
            "database schema version {} is newer than this server understands ({current})",
            current + 1
        )),
        "{said}"
    );
    let listed = cli(&["users", "list", "--db", db_arg(&db)], "");
    assert_eq!(listed.status.code(), Some(1), "the commands refuse it too");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let kept: i64 = conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, current + 1, "left as it was");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_server_runs_is_served_by_a_second_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gatehouse.db");
    let copy = dir.path().join("backups/gatehouse-copy.db");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    let server = start(&db, &["--demo"]);
    create_superuser(&db, "ops_admin", "ops-admin-pw");
    let (_, cookie) = login(&server.url, "elastic", "changeme").await;
    let cookie = cookie.unwrap();
    let dashboards = "/api/dashboards?perPage=100";
    let emea_leads = "/s/soc-emea/internal/entity_analytics/leads/status";
    let (_, listed) = get(&server.url, &cookie, dashboards, Some("2023-10-31")).await;
    let (_, leads) = get(&server.url, &cookie, emea_leads, Some("1")).await;
    assert!(listed["total"].as_u64().unwrap() > 0 && leads["totalLeads"].as_u64().unwrap() > 0);

    let out = cli(&["backup", "--db", db_arg(&db), "--to", db_arg(&copy)], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("sessions left out"),
        "{}",
        text(&out.stdout)
    );
    let again = cli(&["backup", "--db", db_arg(&db), "--to", db_arg(&copy)], "");
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("--force"),
        "{}",
        text(&again.stderr)
    );

    let restored = start(&copy, &[]);
    assert!(
        !restored.banner.concat().contains("No users yet"),
        "the copy has its users"
    );
    let (status, _) = get(&restored.url, &cookie, "/internal/security/me", None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "sessions are not in the copy"
    );
    for (user, password) in [
        ("elastic", "changeme"),
        ("alice", "changeme"),
        ("ops_admin", "ops-admin-pw"),
    ] {
        let (status, _) = login(&restored.url, user, password).await;
        assert_eq!(status, StatusCode::OK, "{user} signs in on the copy");
    }
    let (_, restored_cookie) = login(&restored.url, "elastic", "changeme").await;
    let restored_cookie = restored_cookie.unwrap();
    let (_, listed_copy) = get(
        &restored.url,
        &restored_cookie,
        dashboards,
        Some("2023-10-31"),
    )
    .await;
    let (_, leads_copy) = get(&restored.url, &restored_cookie, emea_leads, Some("1")).await;
    assert_eq!(listed_copy["total"], listed["total"]);
    let ids = |list: &Value| -> Vec<Value> {
        list["dashboards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].clone())
            .collect()
    };
    assert_eq!(ids(&listed_copy), ids(&listed));
    assert_eq!(leads_copy["totalLeads"], leads["totalLeads"]);
    drop(restored);

    // Again, over an older file with --force, while a client keeps creating dashboards: the copy
    // is one snapshot, holding every dashboard acknowledged before the backup started.
    let copy = dir.path().join("backups/older.db");
    std::fs::write(&copy, b"an older backup").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (base, cookie, stop) = (server.url.clone(), cookie.clone(), stop.clone());
        tokio::spawn(async move {
            let mut acknowledged = 0u64;
            while !stop.load(Ordering::SeqCst) && acknowledged < MAX_WRITES_DURING_BACKUP {
                let response = http()
                    .post(format!("{base}/api/dashboards"))
                    .header("kbn-xsrf", "true")
                    .header("cookie", &cookie)
                    .json(&json!({"data": {"title": format!("during backup {acknowledged}")}}))
                    .send()
                    .await
                    .expect("the server answers during the backup");
                assert_eq!(
                    response.status(),
                    StatusCode::OK,
                    "a write during the backup"
                );
                acknowledged += 1;
            }
            acknowledged
        })
    };
    // Let the load start before the copy does.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, started) = get(&server.url, &cookie, dashboards, Some("2023-10-31")).await;
    let forced = tokio::task::spawn_blocking({
        let (db, copy) = (db.clone(), copy.clone());
        move || {
            cli(
                &[
                    "backup",
                    "--db",
                    db_arg(&db),
                    "--to",
                    db_arg(&copy),
                    "--force",
                ],
                "",
            )
        }
    })
    .await
    .unwrap();
    stop.store(true, Ordering::SeqCst);
    let written = writer.await.unwrap();
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    let (_, ended) = get(&server.url, &cookie, dashboards, Some("2023-10-31")).await;
    let restored = start(&copy, &[]);
    let (status, restored_cookie) = login(&restored.url, "elastic", "changeme").await;
    assert_eq!(status, StatusCode::OK);
    let (_, in_copy) = get(
        &restored.url,
        &restored_cookie.unwrap(),
        dashboards,
        Some("2023-10-31"),
    )
    .await;
    let (started, in_copy, ended) = (
        started["total"].as_u64().unwrap(),
        in_copy["total"].as_u64().unwrap(),
        ended["total"].as_u64().unwrap(),
    );
    assert!(
        (started..=ended).contains(&in_copy),
        "the copy holds {in_copy} dashboards: not between {started} and {ended}"
    );
    println!(
        "# backup: copied while a client wrote {written} dashboards; the copy holds {in_copy} \
         (between {started} at the start and {ended} at the end), passes quick_check, and a second \
         server signs in on it"
    );
}

#[test]
fn the_commands_find_the_database_in_gatehouse_db_as_the_server_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gatehouse.db");
    create_superuser(&db, "ops_admin", "a long enough password");
    let listed = Command::new(BIN)
        .args(["users", "list"])
        .env("GATEHOUSE_DB", &db)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(
        text(&listed.stdout).contains("ops_admin"),
        "{}",
        text(&listed.stdout)
    );
}

//! Durability: the real binary is SIGKILLed in the middle of a write load from 4 concurrent
//! clients; after a restart on the same database every write a client saw acknowledged is there,
//! and `PRAGMA integrity_check` is `ok`. Loopback only; bounded in count.

use std::path::Path;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::{json, Value};

mod common;
use common::binary::{login_cookie, spawn_binary, until_listening};

/// Kill the server once this many creates have been acknowledged (across all clients).
const KILL_AFTER_ACKS: usize = 60;
const CLIENTS: usize = 4;
/// Each client stops after this many attempts whatever happens (the bound on the load).
const MAX_ATTEMPTS_PER_CLIENT: usize = 200;

/// Starts the binary on a random loopback port and returns it with its base URL.
fn spawn(db: &Path) -> (Child, String) {
    let (mut child, stdout) = spawn_binary(db, &["--demo"], &[("RUST_LOG", "warn")]);
    let (url, _) = until_listening(&mut child, stdout);
    (child, url)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gatehouse.db");
    let (mut child, base) = spawn(&db);

    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let acks = Arc::new(AtomicUsize::new(0));
    let attempts = Arc::new(AtomicUsize::new(0));
    let errors_after_kill = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    // Every client signs in before the load starts (argon2 is slow in debug builds).
    let mut cookies = Vec::new();
    for _ in 0..CLIENTS {
        cookies.push(login_cookie(&client(), &base, "elastic").await);
    }
    for (c, cookie) in cookies.into_iter().enumerate() {
        let (base, acked, acks, attempts, errors_after_kill, killed) = (
            base.clone(),
            acked.clone(),
            acks.clone(),
            attempts.clone(),
            errors_after_kill.clone(),
            killed.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let http = client();
            for i in 0..MAX_ATTEMPTS_PER_CLIENT {
                let title = format!("durable c{c} #{i}");
                attempts.fetch_add(1, Ordering::Relaxed);
                let result = http
                    .post(format!("{base}/api/dashboards"))
                    .header("kbn-xsrf", "true")
                    .header("cookie", &cookie)
                    .json(&json!({"data": {"title": title, "description": "load"}}))
                    .send()
                    .await;
                match result {
                    Ok(response) if response.status() == StatusCode::OK => {
                        // Acknowledged only once the whole answer has arrived.
                        let Ok(body) = response.json::<Value>().await else {
                            continue;
                        };
                        let id = body["id"].as_str().expect("id").to_string();
                        acked.lock().unwrap().push((id, title));
                        acks.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(response) => panic!("unexpected answer {}", response.status()),
                    Err(_) => {
                        assert!(
                            killed.load(Ordering::SeqCst),
                            "request failed before the kill"
                        );
                        errors_after_kill.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
            }
        }));
    }

    // Kill mid-load: once enough writes are acknowledged, while the clients keep writing.
    while acks.load(Ordering::Relaxed) < KILL_AFTER_ACKS {
        assert!(
            attempts.load(Ordering::Relaxed) < CLIENTS * MAX_ATTEMPTS_PER_CLIENT,
            "load finished before the kill"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    killed.store(true, Ordering::SeqCst);
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, not exited: {status:?}");
    for task in tasks {
        task.await.expect("client task");
    }
    let acked = acked.lock().unwrap().clone();
    let in_flight = errors_after_kill.load(Ordering::Relaxed);

    // Restart on the same database: every acknowledged dashboard is there with its title.
    let (mut second, base) = spawn(&db);
    let http = client();
    let cookie = login_cookie(&http, &base, "elastic").await;
    let mut missing = Vec::new();
    for (id, title) in &acked {
        let response = http
            .get(format!("{base}/api/dashboards/{id}"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        if response.status() != StatusCode::OK {
            missing.push(format!("{id}: {}", response.status()));
            continue;
        }
        let body: Value = response.json().await.unwrap();
        if body["data"]["title"] != title.as_str() {
            missing.push(format!("{id}: title {}", body["data"]["title"]));
        }
    }
    // Stop the second instance gracefully (SIGINT) so the database is closed.
    let _ = Command::new("kill")
        .args(["-INT", &second.id().to_string()])
        .status();
    if second.wait().is_err() {
        let _ = second.kill();
    }

    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let stored: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM dashboards WHERE title LIKE 'durable c%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    println!(
        "durability: {} acknowledged before SIGKILL ({} clients, {} requests cut off), {} stored after restart, {} missing, integrity_check {integrity}",
        acked.len(),
        CLIENTS,
        in_flight,
        stored,
        missing.len()
    );
    assert!(missing.is_empty(), "lost acknowledged writes: {missing:?}");
    assert!(stored as usize >= acked.len());
    assert_eq!(integrity, "ok");
}

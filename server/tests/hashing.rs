//! Password hashing under a burst, measured on the real binary (RELIABILITY.md "Password
//! hashing"): refused password changes and user creations are answered 403 without one argon2
//! run, allowed ones run at most one argon2 hash per core (the rest wait or get 503 with
//! `Retry-After`), and the server's memory comes back near where it started.
//!
//! The server logs a `debug` line per argon2 run (`platform::password::ARGON2_RUN_EVENT`); this
//! test counts them on the binary's stdout. Memory is the process's resident set
//! (`/proc/<pid>/status`), its peak sampled while the burst runs. Loopback only, bounded in count.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::task::JoinSet;

mod common;
use common::binary::{kill, login_cookie, spawn_binary, KilledOnDrop};

/// The refused burst: password changes from `victor` (a viewer) to `elastic`'s account.
const REFUSED: usize = 256;
/// Allowed ones (by `elastic`), all at once: each costs a real argon2 hash, or a 503 once more
/// are waiting than the server queues (32 per core).
const ALLOWED: usize = 128;
const AT_ONCE: usize = 128;
const ALLOWED_AT_ONCE: usize = 128;
/// The line every argon2 run logs (`platform::password::ARGON2_RUN_EVENT`).
const ARGON2_RUN: &str = "argon2 run";
const MIB: u64 = 1024 * 1024;

struct Server {
    child: KilledOnDrop,
    base: String,
    argon2_runs: Arc<AtomicUsize>,
}

/// Starts the binary on a random loopback port, counting the argon2 runs it logs.
fn spawn(db: &Path) -> Server {
    let (mut child, stdout) = spawn_binary(
        db,
        // The burst is 128 requests at once from one address, beside the sessions' own
        // keep-alive sockets: above the default per-client cap (128), which is another test's
        // subject (connections.rs), not this one's. The demo users sign in.
        &["--demo", "--max-connections-per-client", "512"],
        &[
            (
                "RUST_LOG",
                "warn,gatehouse_server::platform::password=debug",
            ),
            ("NO_COLOR", "1"),
        ],
    );
    let argon2_runs = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = std::sync::mpsc::channel();
    let runs = argon2_runs.clone();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let mut tx = Some(tx);
        while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
            if line.contains(ARGON2_RUN) {
                runs.fetch_add(1, Ordering::SeqCst);
            } else if let Some(url) = line.trim().strip_prefix("Gatehouse listening on ") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(url.to_string());
                }
            }
            line.clear();
        }
    });
    let Ok(base) = rx.recv_timeout(Duration::from_secs(120)) else {
        kill(&mut child);
        panic!("server did not start listening");
    };
    Server {
        child: KilledOnDrop(child),
        base,
        argon2_runs,
    }
}

/// The resident set of `pid` in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS")
        * 1024
}

/// Samples the resident set every few milliseconds until stopped; the highest value seen.
struct PeakSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PeakSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(rss(pid)));
        let (s, p) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                p.fetch_max(rss(pid), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        PeakSampler {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.load(Ordering::SeqCst)
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

/// A POST to an internal route as the SPA sends it, with the session `cookie`.
fn internal_post(http: &reqwest::Client, url: String, cookie: &str) -> reqwest::RequestBuilder {
    http.post(url)
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .header("cookie", cookie)
}

/// `user`'s password change to `new`, sent with the session `cookie`.
fn password_change(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    cookie: &str,
    new: String,
) -> reqwest::RequestBuilder {
    let url = format!("{base}/internal/security/users/{user}/password");
    internal_post(http, url, cookie).json(&json!({ "newPassword": new }))
}

/// One request's answer: status, `Retry-After` and body.
type Answer = (StatusCode, Option<String>, serde_json::Value);

/// A [`burst`] while the resident set of `pid` is sampled: its answers and the peak seen.
async fn sampled_burst(
    pid: u32,
    count: usize,
    at_once: usize,
    request: impl Fn(usize) -> reqwest::RequestBuilder,
) -> (Vec<Answer>, u64) {
    let sampler = PeakSampler::start(pid);
    let answers = burst(count, at_once, request).await;
    (answers, sampler.finish())
}

/// Sends `count` requests, `at_once` in flight at a time; `request(i)` builds the i-th.
async fn burst(
    count: usize,
    at_once: usize,
    request: impl Fn(usize) -> reqwest::RequestBuilder,
) -> Vec<Answer> {
    let gate = Arc::new(tokio::sync::Semaphore::new(at_once));
    let mut set = JoinSet::new();
    for i in 0..count {
        let permit = gate.clone().acquire_owned().await.expect("gate");
        let pending = request(i).send();
        set.spawn(async move {
            let _permit = permit;
            let response = pending.await.expect("answer");
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let status = response.status();
            let body = response.json().await.unwrap_or(serde_json::Value::Null);
            (status, retry_after, body)
        });
    }
    let mut answers = Vec::with_capacity(count);
    while let Some(answer) = set.join_next().await {
        answers.push(answer.expect("task"));
    }
    answers
}

/// Waits (bounded) for the log reader to catch up with `expected` argon2 runs, then a little
/// longer so a run logged late would still be seen.
async fn settled_runs(server: &Server, expected: usize) -> usize {
    for _ in 0..100 {
        if server.argon2_runs.load(Ordering::SeqCst) >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.argon2_runs.load(Ordering::SeqCst)
}

/// Lets the server go quiet (answers sent, blocking threads idle) before reading its memory.
async fn quiet_rss(pid: u32) -> u64 {
    tokio::time::sleep(Duration::from_secs(1)).await;
    rss(pid)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_password_work_hashes_nothing_and_memory_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(&dir.path().join("gatehouse.db"));
    let pid = server.child.0.id();
    let base = server.base.clone();
    let http = client();
    let victor = login_cookie(&http, &base, "victor").await;
    let elastic = login_cookie(&http, &base, "elastic").await;
    let console_user = login_cookie(&http, &base, "leads_no_access_user").await;
    let started = settled_runs(&server, 0).await;
    let baseline = quiet_rss(pid).await;

    // 256 refused password changes, 128 in flight: each 403, no argon2 run.
    let (refused, refused_peak) = sampled_burst(pid, REFUSED, AT_ONCE, |i| {
        password_change(&http, &base, "elastic", &victor, format!("taken-over-{i}"))
    })
    .await;
    assert!(
        refused.iter().all(|(s, _, _)| *s == StatusCode::FORBIDDEN),
        "every refused change is 403: {:?}",
        refused.iter().find(|(s, _, _)| *s != StatusCode::FORBIDDEN)
    );
    // Refused user creations, on Kibana's route and through the console: 403, no hash either.
    let creates = burst(16, 16, |i| {
        internal_post(&http, format!("{base}/internal/security/users/intruder{i}"), &victor)
            .json(&json!({"username": format!("intruder{i}"), "password": "secret1", "roles": ["superuser"]}))
    })
    .await;
    assert!(creates.iter().all(|(s, _, _)| *s == StatusCode::FORBIDDEN));
    let console_creates = burst(16, 16, |i| {
        http.post(format!(
            "{base}/api/console/proxy?path=%2F_security%2Fuser%2Fintruder{i}&method=PUT"
        ))
        .header("kbn-xsrf", "true")
        .header("cookie", &console_user)
        .header("content-type", "application/json")
        .body(json!({"password": "secret1", "roles": ["superuser"]}).to_string())
    })
    .await;
    assert!(console_creates
        .iter()
        .all(|(s, _, body)| *s == StatusCode::OK && body["error"]["type"] == "security_exception"));
    let refused_runs = settled_runs(&server, started + 1).await - started;
    assert_eq!(refused_runs, 0, "refused requests ran argon2");
    let after_refused = quiet_rss(pid).await;

    // Allowed changes by elastic: one argon2 hash each, at most one per core at a time; any
    // request that cannot get a turn in time is 503 with Retry-After.
    let (allowed, allowed_peak) = sampled_burst(pid, ALLOWED, ALLOWED_AT_ONCE, |i| {
        password_change(&http, &base, "bob", &elastic, format!("rotated-{i}"))
    })
    .await;
    let changed = allowed
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::NO_CONTENT)
        .count();
    let busy = allowed
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert_eq!(changed + busy, ALLOWED, "only 204 or 503: {allowed:?}");
    assert!(changed > 0, "some changes went through");
    for (_, retry_after, body) in allowed
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
    {
        let secs = retry_after
            .as_deref()
            .expect("every 503 says when to come back");
        assert_eq!(
            body,
            &json!({"statusCode": 503, "error": "Service Unavailable",
                    "message": format!("Too many password checks are running. Try again in {secs} seconds.")})
        );
    }
    let allowed_runs = settled_runs(&server, started + changed).await - started;
    assert_eq!(allowed_runs, changed, "one argon2 run per change made");
    let after = quiet_rss(pid).await;

    println!(
        "# hashing: {REFUSED} refused password changes ({AT_ONCE} at a time) + 32 refused user creations: all 403, 0 argon2 runs; RSS baseline {:.0} MiB, peak {:.0} MiB, after {:.0} MiB (was 242 MB → 4.2 GB, never given back)",
        mib(baseline),
        mib(refused_peak),
        mib(after_refused)
    );
    println!(
        "# hashing: {ALLOWED} allowed password changes ({ALLOWED_AT_ONCE} at a time): {changed} × 204, {busy} × 503 with Retry-After, {allowed_runs} argon2 runs; RSS peak {:.0} MiB, after {:.0} MiB (baseline {:.0} MiB)",
        mib(allowed_peak),
        mib(after),
        mib(baseline)
    );
    // Generous bounds: behaviour, not a budget. Unbounded, the refused burst alone added GBs.
    assert_within("refused burst peak", refused_peak, baseline, 64);
    assert_within("allowed burst peak", allowed_peak, baseline, 160);
    assert_within("after the bursts", after, baseline, 64);
}

/// Asserts that the resident set `rss` stayed under `baseline` plus `slack_mib` MiB.
fn assert_within(what: &str, rss: u64, baseline: u64, slack_mib: u64) {
    assert!(
        rss < baseline + slack_mib * MIB,
        "{what} {:.0} MiB, baseline {:.0} MiB, allowed {slack_mib} MiB over it",
        mib(rss),
        mib(baseline)
    );
}

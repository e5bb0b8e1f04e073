//! `xtask soak-run`: the server started, every session signed in, the load for the given
//! seconds with the server's memory sampled, then every acknowledged write read back.

#![cfg(feature = "bench")]

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::parse_args;
use super::report::{mib, report};
use super::server_child::{rss_kib, ServerChild};
use super::session::{seeded_versions, Session};
use super::users::{Live, Stats, USERS};
use crate::bench::runtime;
use crate::http::Client;
use crate::Ctx;

/// Memory bound: the server's RSS after the load may be at most `MEMORY_FACTOR` × the sample
/// taken after the warm-up, plus `MEMORY_SLACK_MB`. The warm-up sample is taken once every
/// kind of request has run many times (after S/6 seconds, at most 10 s), so what only fills
/// once — SQLite's page caches, the allocator's arenas, the connections' buffers, the argon2
/// memory the logins left with the allocator — is already in it. The allowance covers
/// fragmentation and caches settling; a leak proportional to the requests does not fit in it:
/// at the ~5,800 requests/s of a 2-core machine, 1 KiB leaked per request over the remaining
/// 50 s of a 60 s run is ~285 MiB.
pub const MEMORY_FACTOR: u64 = 2;
pub const MEMORY_SLACK_MB: u64 = 50;

/// The soak's working directory (database, audit log), emptied at the start of each run.
fn work_dir(ctx: &Ctx) -> PathBuf {
    ctx.target_dir().join("xtask/soak-tmp")
}

/// RSS sampling interval.
const SAMPLE_EVERY: Duration = Duration::from_millis(500);

pub struct Memory {
    /// (seconds since the load started, KiB)
    pub samples: Vec<(f64, u64)>,
    pub start: u64,
    pub warm: u64,
    pub end: u64,
}

impl Memory {
    pub fn peak(&self) -> u64 {
        self.samples
            .iter()
            .map(|s| s.1)
            .chain([self.start, self.warm, self.end])
            .max()
            .unwrap_or(0)
    }

    pub fn bound(&self) -> u64 {
        MEMORY_FACTOR * self.warm + MEMORY_SLACK_MB * 1024
    }
}

/// `soak-run --sessions N --seconds S` (run by `cargo xtask soak`).
pub fn soak_run(ctx: &Ctx, args: &[String]) -> Result<()> {
    let (sessions, seconds) = parse_args(args)?;
    let dir = work_dir(ctx);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("mkdir {}", dir.display()))?;
    let mut server = ServerChild::start(&dir)?;
    println!(
        "soak: server (release, pid {}) on {} with a fresh seeded database in {}",
        server.pid(),
        server.url,
        dir.display()
    );
    let rt = runtime()?;
    let started = Instant::now();
    let result = rt.block_on(drive(&server, sessions, seconds));
    drop(rt);
    let stopped = server.stop();
    let _ = std::fs::remove_dir_all(&dir);
    let (stats, memory, load_secs) = result?;
    stopped?;
    report(
        sessions,
        seconds,
        &stats,
        &memory,
        load_secs,
        started.elapsed(),
    )
}

async fn drive(
    server: &ServerChild,
    sessions: usize,
    seconds: u64,
) -> Result<(Stats, Memory, f64)> {
    let base = server.url.clone();
    let pid = server.pid();
    let live = Arc::new(Live::default());

    // Sign in every session, one after the other: the login limiter counts an attempt from
    // before its password is checked, so more than 5 logins of one user (or 20 from one
    // address) in flight at once are refused with 429 by design. Then each session creates
    // its dashboards.
    let mut all = Vec::new();
    for i in 0..sessions {
        let user = USERS[i % USERS.len()];
        let client = Client::login(&base, user.name).await?;
        all.push(Session::new(i, user, client, live.clone()));
    }
    for s in all.iter_mut().filter(|s| s.user.dashboards_write) {
        s.create_own().await?;
    }
    let elastic = all
        .iter()
        .find(|s| s.user.name == "elastic")
        .map(|s| s.client().clone());
    let elastic = match elastic {
        Some(client) => client,
        None => Client::login(&base, "elastic").await?,
    };
    let seeded_before = seeded_versions(&elastic).await?;
    let owned: usize = all.iter().map(Session::owned).sum();
    println!(
        "soak: {sessions} sessions signed in ({}), {owned} own dashboards created; load for {seconds} s",
        USERS
            .iter()
            .take(sessions)
            .map(|u| u.name)
            .collect::<Vec<_>>()
            .join(", ")
    );

    // Memory: a sample at the start of the load, then every SAMPLE_EVERY.
    let start_rss = rss_kib(pid).context("cannot read the server's VmRSS")?;
    let load_started = Instant::now();
    let deadline = load_started + Duration::from_secs(seconds);
    let warm_at = Duration::from_secs((seconds / 6).clamp(1, 10));
    let samples: Arc<Mutex<Vec<(f64, u64)>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (samples, done, live) = (samples.clone(), done.clone(), live.clone());
        tokio::spawn(async move {
            let mut next_report = 10.0;
            while !done.load(Ordering::Relaxed) {
                tokio::time::sleep(SAMPLE_EVERY).await;
                let t = load_started.elapsed().as_secs_f64();
                if let Some(kib) = rss_kib(pid) {
                    if let Ok(mut s) = samples.lock() {
                        s.push((t, kib));
                    }
                    if t >= next_report {
                        next_report += 10.0;
                        println!(
                            "soak: {t:>4.0} s: {} requests, {} 5xx, server RSS {:.1} MiB",
                            live.requests.load(Ordering::Relaxed),
                            live.server_errors.load(Ordering::Relaxed),
                            mib(kib)
                        );
                        let _ = std::io::stdout().flush();
                    }
                }
            }
        })
    };

    let mut tasks = Vec::new();
    for mut s in all {
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                s.one_op().await;
            }
            s
        }));
    }
    let mut finished = Vec::new();
    for t in tasks {
        finished.push(t.await.context("session task")?);
    }
    let load_secs = load_started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let end_rss = rss_kib(pid).context("cannot read the server's VmRSS at the end")?;

    // After the load: every own dashboard once more, and the seeded ones untouched.
    let mut stats = Stats::default();
    for mut s in finished {
        for slot in 0..s.owned() {
            s.verify_own(slot, "final read own").await;
        }
        stats.merge(s.stats);
    }
    let seeded_after = seeded_versions(&elastic).await?;
    if seeded_after != seeded_before {
        stats.lost_updates += 1;
        stats.example(format!(
            "a refused write changed a seeded dashboard: before {seeded_before:?}, after {seeded_after:?}"
        ));
    }

    let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
    let warm = samples
        .iter()
        .find(|(t, _)| *t >= warm_at.as_secs_f64())
        .map(|s| s.1)
        .unwrap_or(start_rss);
    Ok((
        stats,
        Memory {
            samples,
            start: start_rss,
            warm,
            end: end_rss,
        },
        load_secs,
    ))
}

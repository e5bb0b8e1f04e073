//! `cargo xtask soak` (issue 5): a bounded soak of the real server on loopback.
//!
//! `--sessions N` (default 32) signed-in sessions of the demo users run a mix of requests back to
//! back for `--seconds S` (default 60): leads privileges and find, generate (by the users allowed
//! to), dashboards list and get, edits of each session's own dashboards (created at the start),
//! access-mode changes by owners, stale-version writes that must answer 409, and requests the
//! server must refuse with 403. It fails (non-zero exit) on any 5xx, any lost update, any answer
//! other than the one the request's user must get, any transport error, or memory growth beyond
//! a bound (the RSS after the load at most 2 × the RSS after the warm-up + 50 MiB; see
//! `MEMORY_FACTOR`).
//!
//! Same two stages as `cargo xtask bench` (and the same `bench` feature, which carries the
//! server, tokio and reqwest): the plain-std xtask re-runs itself as
//! `cargo run --release --features bench -- soak-run …` with the bench's server profile
//! ([`super::bench::SERVER_PROFILE`]). `soak-run` then starts the server as a child process — the
//! same release binary in `soak-server` mode, which calls `gatehouse_server::start` on a fresh
//! temporary, seeded database exactly as the bench does in-process — so the RSS sampled from
//! `/proc/<pid>/status` is the server's alone, not the load generator's.

use super::bench::SERVER_PROFILE;
use super::{cargo, run, step, Ctx, Result};

pub const DEFAULT_SESSIONS: usize = 32;
pub const DEFAULT_SECONDS: u64 = 60;

/// `--sessions N --seconds S` (also `--sessions=N`); both optional.
pub fn parse_args(args: &[String]) -> Result<(usize, u64)> {
    let (mut sessions, mut seconds) = (DEFAULT_SESSIONS, DEFAULT_SECONDS);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = |what: &str| -> Result<u64> {
            let v = match &inline {
                Some(v) => v.clone(),
                None => it.next().cloned().ok_or(format!("{what} needs a value"))?,
            };
            v.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(format!("{what}: `{v}` is not a positive whole number"))
        };
        match name {
            "--sessions" => {
                sessions = usize::try_from(value("--sessions")?)
                    .map_err(|_| "--sessions is too large".to_string())?
            }
            "--seconds" => seconds = value("--seconds")?,
            other => {
                return Err(format!(
                    "unknown soak option `{other}` (use --sessions N --seconds S)"
                ))
            }
        }
    }
    if sessions > 256 {
        return Err("--sessions: at most 256 (a soak, not a load test)".into());
    }
    if seconds > 3600 {
        return Err("--seconds: at most 3600".into());
    }
    Ok((sessions, seconds))
}

/// `cargo xtask soak [--sessions N] [--seconds S]`.
pub fn soak(_ctx: &Ctx, args: &[String]) -> Result<()> {
    let (sessions, seconds) = parse_args(args)?;
    step(
        &format!(
            "soak: {sessions} sessions × {seconds} s (release build of xtask --features bench)"
        ),
        || {
            let mut cmd = cargo();
            cmd.args(["run", "--release", "--quiet"]);
            for c in SERVER_PROFILE {
                cmd.args(["--config", c]);
            }
            cmd.args(["-p", "xtask", "--features", "bench", "--", "soak-run"])
                .args(["--sessions", &sessions.to_string()])
                .args(["--seconds", &seconds.to_string()]);
            run(cmd)
        },
    )
}

#[cfg(feature = "bench")]
pub use load::{soak_run, soak_server};

#[cfg(feature = "bench")]
mod load {
    use std::collections::BTreeMap;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use gatehouse_api::dashboards::{
        AccessControlResult, ChangeAccessModeRequest, CreateDashboard, Dashboard,
        DashboardAccessMode, DashboardData, Panel, SavedObjectRef, UpdateDashboard,
        CHANGE_ACCESS_MODE_PATH, DASHBOARDS_PATH,
    };
    use gatehouse_api::headers::{
        API_VERSION, INTERNAL_API_VERSION, INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE, KBN_XSRF,
    };
    use gatehouse_api::leads::{GenerateRequest, LEADS_BASE};
    use gatehouse_api::security::{LoginRequest, LOGIN_PATH};
    use reqwest::{Method, StatusCode};

    use super::parse_args;
    use crate::{Ctx, Result};

    /// Memory bound: the server's RSS after the load may be at most `MEMORY_FACTOR` × the sample
    /// taken after the warm-up, plus `MEMORY_SLACK_MB`. The warm-up sample is taken once every
    /// kind of request has run many times (after S/6 seconds, at most 10 s), so what only fills
    /// once — SQLite's page caches, the allocator's arenas, the connections' buffers, the argon2
    /// memory the logins left with the allocator — is already in it. The allowance covers
    /// fragmentation and caches settling; a leak proportional to the requests does not fit in it:
    /// at the ~5,800 requests/s of a 2-core machine, 1 KiB leaked per request over the remaining
    /// 50 s of a 60 s run is ~285 MiB.
    const MEMORY_FACTOR: u64 = 2;
    const MEMORY_SLACK_MB: u64 = 50;

    /// The soak's working directory (database, audit log), emptied at the start of each run.
    fn work_dir(ctx: &Ctx) -> PathBuf {
        ctx.target_dir().join("xtask/soak-tmp")
    }

    const PASSWORD: &str = "changeme";
    const LISTENING: &str = "soak-server: listening on ";
    /// Seeded dashboards (ARCHITECTURE.md) that the soak reads but never changes.
    const SEEDED: [&str; 5] = [
        "soc-overview",
        "phishing-triage",
        "executive-risk-summary",
        "endpoint-health",
        "network-traffic-legacy",
    ];
    /// Own dashboards each session (of a user who may create them) creates and edits.
    const OWN_DASHBOARDS: usize = 2;
    /// RSS sampling interval.
    const SAMPLE_EVERY: Duration = Duration::from_millis(500);

    // -----------------------------------------------------------------------------------------
    // The server child: `xtask soak-server <dir>`

    /// `soak-server <dir>`: the real server (`gatehouse_server::start`, seeded, fresh database in
    /// `<dir>`) on `127.0.0.1:0`; prints its URL and serves until its stdin closes.
    pub fn soak_server(args: &[String]) -> Result<()> {
        let dir = PathBuf::from(args.first().ok_or("usage: soak-server <dir>")?);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        rt.block_on(async move {
            let config = gatehouse_server::Config {
                addr: "127.0.0.1:0".parse().expect("address"),
                db_path: dir.join("gatehouse.db"),
                seed: true,
                audit_log: Some(dir.join("audit.log")),
                ..gatehouse_server::Config::default()
            };
            let server = gatehouse_server::start(config)
                .await
                .map_err(|e| format!("server start: {e:#}"))?;
            println!("{LISTENING}{}", server.url());
            let _ = std::io::stdout().flush();
            // The parent closes our stdin to stop us (or dies, which closes it too).
            let _ = tokio::task::spawn_blocking(|| {
                let mut sink = Vec::new();
                let _ = std::io::stdin().read_to_end(&mut sink);
            })
            .await;
            server.shutdown().await;
            Ok(())
        })
    }

    /// The server child; killed on drop if it has not been stopped.
    struct ServerChild {
        child: Child,
        url: String,
    }

    impl ServerChild {
        fn start(dir: &Path) -> Result<ServerChild> {
            let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
            let mut child = Command::new(exe)
                .arg("soak-server")
                .arg(dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|e| format!("start the server child: {e}"))?;
            let stdout = child.stdout.take().ok_or("server child has no stdout")?;
            let mut server = ServerChild {
                child,
                url: String::new(),
            };
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(n) if n > 0 => {}
                    _ => return Err("the server child exited before listening".into()),
                }
                if let Some(url) = line.trim().strip_prefix(LISTENING) {
                    server.url = url.to_string();
                    break;
                }
            }
            // Keep draining its stdout so it never blocks on a full pipe.
            std::thread::spawn(move || for _ in reader.lines() {});
            Ok(server)
        }

        fn pid(&self) -> u32 {
            self.child.id()
        }

        /// Closes its stdin (graceful shutdown) and waits up to 15 s, then kills it.
        fn stop(&mut self) -> Result<()> {
            drop(self.child.stdin.take());
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = self.child.try_wait() {
                    return if status.success() {
                        Ok(())
                    } else {
                        Err(format!("the server exited with {status}"))
                    };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
            Err("the server did not stop within 15 s of its stdin closing".into())
        }
    }

    impl Drop for ServerChild {
        fn drop(&mut self) {
            if !matches!(self.child.try_wait(), Ok(Some(_))) {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }

    /// `VmRSS` of `pid` in KiB.
    fn rss_kib(pid: u32) -> Option<u64> {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    fn mib(kib: u64) -> f64 {
        kib as f64 / 1024.0
    }

    // -----------------------------------------------------------------------------------------
    // Users and what each one must get

    #[derive(Clone, Copy)]
    struct User {
        name: &'static str,
        /// Leads privileges route: 200 (kibana_admin or superuser) or 403 (no siem feature).
        leads_route: bool,
        /// Leads find: index `read`.
        leads_read: bool,
        /// Generate really writes (index `write`); everyone else is not sent generate.
        generate: bool,
        /// May create (and so own, edit and restrict) dashboards.
        dashboards_write: bool,
        /// A write the server must refuse with 403: (seeded dashboard id) this user may not edit.
        forbidden_edit: Option<&'static str>,
    }

    const USERS: [User; 7] = [
        User {
            name: "elastic",
            leads_route: true,
            leads_read: true,
            generate: true,
            dashboards_write: true,
            forbidden_edit: None,
        },
        User {
            name: "leads_full_user",
            leads_route: true,
            leads_read: true,
            generate: true,
            dashboards_write: true,
            forbidden_edit: None,
        },
        User {
            name: "leads_read_user",
            leads_route: true,
            leads_read: true,
            generate: false,
            dashboards_write: true,
            forbidden_edit: None,
        },
        User {
            name: "alice",
            leads_route: false,
            leads_read: false,
            generate: false,
            dashboards_write: true,
            // elastic's, write_restricted.
            forbidden_edit: Some("executive-risk-summary"),
        },
        User {
            name: "bob",
            leads_route: false,
            leads_read: false,
            generate: false,
            dashboards_write: true,
            // alice's, write_restricted.
            forbidden_edit: Some("soc-overview"),
        },
        User {
            name: "victor",
            leads_route: false,
            leads_read: false,
            generate: false,
            dashboards_write: false,
            // bob's, open to editors, but victor only reads dashboards.
            forbidden_edit: Some("phishing-triage"),
        },
        User {
            name: "leads_no_access_user",
            leads_route: true,
            leads_read: false,
            generate: false,
            dashboards_write: true,
            forbidden_edit: None,
        },
    ];

    // -----------------------------------------------------------------------------------------
    // Counting

    #[derive(Default)]
    struct Stats {
        by_status: BTreeMap<u16, u64>,
        by_op: BTreeMap<&'static str, u64>,
        /// An answer other than the one this user must get (5xx are also counted here).
        unexpected: u64,
        transport_errors: u64,
        /// An acknowledged write whose content a later read did not return.
        lost_updates: u64,
        acked_writes: u64,
        verified_reads: u64,
        /// Stale-version writes refused with 409 and shown to have changed nothing.
        stale_refused: u64,
        mode_changes: u64,
        examples: Vec<String>,
    }

    impl Stats {
        fn example(&mut self, s: String) {
            if self.examples.len() < 12 {
                self.examples.push(s);
            }
        }

        fn merge(&mut self, o: Stats) {
            for (k, v) in o.by_status {
                *self.by_status.entry(k).or_default() += v;
            }
            for (k, v) in o.by_op {
                *self.by_op.entry(k).or_default() += v;
            }
            self.unexpected += o.unexpected;
            self.transport_errors += o.transport_errors;
            self.lost_updates += o.lost_updates;
            self.acked_writes += o.acked_writes;
            self.verified_reads += o.verified_reads;
            self.stale_refused += o.stale_refused;
            self.mode_changes += o.mode_changes;
            for e in o.examples {
                self.example(e);
            }
        }

        fn requests(&self) -> u64 {
            self.by_status.values().sum::<u64>() + self.transport_errors
        }

        fn server_errors(&self) -> u64 {
            self.by_status
                .iter()
                .filter(|(s, _)| **s >= 500)
                .map(|(_, n)| n)
                .sum()
        }
    }

    /// Totals the progress lines read while the load runs.
    #[derive(Default)]
    struct Live {
        requests: AtomicU64,
        server_errors: AtomicU64,
    }

    // -----------------------------------------------------------------------------------------
    // One session

    fn client() -> Result<reqwest::Client> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|e| format!("http client: {e}"))
    }

    /// Small deterministic generator (xorshift64*), one per session.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
    }

    /// What the session last had acknowledged for one of its own dashboards.
    struct Own {
        id: String,
        data: DashboardData,
        version: String,
        /// The version before the last acknowledged change: a write carrying it must get 409.
        stale: Option<String>,
        mode: DashboardAccessMode,
        edits: u64,
    }

    struct Session {
        index: usize,
        user: User,
        base: String,
        sid: String,
        http: reqwest::Client,
        rng: Rng,
        own: Vec<Own>,
        stats: Stats,
        live: Arc<Live>,
    }

    /// Same content as far as the user can tell: title, description and panels.
    fn same_content(a: &DashboardData, b: &DashboardData) -> bool {
        a.title == b.title && a.description == b.description && a.panels == b.panels
    }

    impl Session {
        fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
            let mut r = self
                .http
                .request(method.clone(), format!("{}{path}", self.base))
                .header(INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE)
                .header("cookie", &self.sid);
            if path.starts_with(LEADS_BASE) {
                r = r.header(API_VERSION, INTERNAL_API_VERSION);
            }
            if method != Method::GET {
                r = r.header(KBN_XSRF, "true");
            }
            r
        }

        /// Sends, counts the status, and checks it against `expect`; the body on a response.
        async fn send(
            &mut self,
            op: &'static str,
            req: reqwest::RequestBuilder,
            expect: StatusCode,
        ) -> Option<(StatusCode, Vec<u8>)> {
            *self.stats.by_op.entry(op).or_default() += 1;
            self.live.requests.fetch_add(1, Ordering::Relaxed);
            let answer = match req.send().await {
                Ok(r) => {
                    let status = r.status();
                    r.bytes().await.map(|b| (status, b.to_vec()))
                }
                Err(e) => Err(e),
            };
            let (status, body) = match answer {
                Ok(a) => a,
                Err(e) => {
                    self.stats.transport_errors += 1;
                    let who = self.user.name;
                    self.stats
                        .example(format!("{op} as {who}: transport error {e}"));
                    return None;
                }
            };
            *self.stats.by_status.entry(status.as_u16()).or_default() += 1;
            if status.is_server_error() {
                self.live.server_errors.fetch_add(1, Ordering::Relaxed);
            }
            if status != expect {
                self.stats.unexpected += 1;
                let who = self.user.name;
                let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                self.stats.example(format!(
                    "{op} as {who}: {status}, expected {expect}: {text}"
                ));
            }
            Some((status, body))
        }

        fn content(&mut self, slot: usize, edit: u64) -> DashboardData {
            let panels = (0..1 + self.rng.below(4))
                .map(|p| Panel {
                    id: format!("p{p}"),
                    title: format!("Panel {p} of edit {edit}"),
                    panel_type: ["metric", "line", "bar", "table"][(self.rng.below(4)) as usize]
                        .to_string(),
                    description: Some(format!("rng {}", self.rng.next())),
                })
                .collect();
            DashboardData {
                title: format!("soak s{} d{slot} edit {edit}", self.index),
                description: format!(
                    "session {} ({}) edit {edit}: {:016x}",
                    self.index,
                    self.user.name,
                    self.rng.next()
                ),
                panels,
                access_control: None,
            }
        }

        async fn create_own(&mut self) -> Result<()> {
            for slot in 0..OWN_DASHBOARDS {
                let mode = if slot % 2 == 0 {
                    DashboardAccessMode::Default
                } else {
                    DashboardAccessMode::WriteRestricted
                };
                let data = self.content(slot, 0);
                let mut body = CreateDashboard::new(&data.title, &data.description, mode);
                body.data.panels = data.panels.clone();
                let req = self.request(Method::POST, DASHBOARDS_PATH).json(&body);
                let Some((StatusCode::OK, bytes)) = self.send("create", req, StatusCode::OK).await
                else {
                    return Err(format!(
                        "session {} ({}) could not create its dashboard",
                        self.index, self.user.name
                    ));
                };
                let created: Dashboard =
                    serde_json::from_slice(&bytes).map_err(|e| format!("create answer: {e}"))?;
                let version = created
                    .version()
                    .ok_or("create answered no version")?
                    .to_string();
                self.own.push(Own {
                    id: created.id,
                    data,
                    version,
                    stale: None,
                    mode,
                    edits: 0,
                });
            }
            Ok(())
        }

        /// Reads own dashboard `slot` and checks it returns the last acknowledged content, version
        /// and mode; returns what it read.
        async fn verify_own(&mut self, slot: usize, op: &'static str) -> Option<Dashboard> {
            let path = format!("{DASHBOARDS_PATH}/{}", self.own[slot].id);
            let req = self.request(Method::GET, &path);
            let (status, bytes) = self.send(op, req, StatusCode::OK).await?;
            if status != StatusCode::OK {
                return None;
            }
            let Ok(read) = serde_json::from_slice::<Dashboard>(&bytes) else {
                self.stats.unexpected += 1;
                self.stats.example(format!("{op}: unreadable dashboard"));
                return None;
            };
            let own = &self.own[slot];
            let content_ok = same_content(&read.data, &own.data);
            let version_ok = read.version() == Some(own.version.as_str());
            let mode_ok = read.access_mode() == own.mode;
            if content_ok && version_ok && mode_ok {
                self.stats.verified_reads += 1;
            } else {
                self.stats.lost_updates += 1;
                let msg = format!(
                    "lost update on {} (session {}, {}): acknowledged v{} {:?} mode {:?}, read v{:?} {:?} mode {:?}",
                    own.id,
                    self.index,
                    self.user.name,
                    own.version,
                    own.data.title,
                    own.mode,
                    read.version(),
                    read.data.title,
                    read.access_mode()
                );
                self.stats.example(msg);
            }
            Some(read)
        }

        async fn edit_own(&mut self, slot: usize) {
            let edit = self.own[slot].edits + 1;
            let data = self.content(slot, edit);
            let body = UpdateDashboard {
                data: data.clone(),
                version: Some(self.own[slot].version.clone()),
            };
            let path = format!("{DASHBOARDS_PATH}/{}", self.own[slot].id);
            let req = self.request(Method::PUT, &path).json(&body);
            let Some((StatusCode::OK, bytes)) = self.send("edit", req, StatusCode::OK).await else {
                return;
            };
            let Ok(saved) = serde_json::from_slice::<Dashboard>(&bytes) else {
                self.stats.unexpected += 1;
                self.stats.example("edit: unreadable answer".into());
                return;
            };
            let Some(version) = saved.version().map(str::to_string) else {
                self.stats.unexpected += 1;
                self.stats.example("edit: answer without a version".into());
                return;
            };
            let own = &mut self.own[slot];
            if !same_content(&saved.data, &data) || version == own.version {
                self.stats.unexpected += 1;
                self.stats.example(format!(
                    "edit of {}: the answer is not the saved content with a new version",
                    own.id
                ));
            }
            // Acknowledged: from now on every read must return exactly this.
            self.stats.acked_writes += 1;
            own.stale = Some(std::mem::replace(&mut own.version, version));
            own.data = data;
            own.edits = edit;
        }

        /// A write carrying an outdated version: 409, and the stored content must not change.
        async fn stale_write(&mut self, slot: usize) {
            let Some(stale) = self.own[slot].stale.clone() else {
                return;
            };
            let data = self.content(slot, 999_999);
            let body = UpdateDashboard {
                data,
                version: Some(stale),
            };
            let path = format!("{DASHBOARDS_PATH}/{}", self.own[slot].id);
            let req = self.request(Method::PUT, &path).json(&body);
            if let Some((StatusCode::CONFLICT, _)) =
                self.send("stale edit", req, StatusCode::CONFLICT).await
            {
                if self.verify_own(slot, "read own").await.is_some() {
                    self.stats.stale_refused += 1;
                }
            }
        }

        async fn change_mode(&mut self, slot: usize) {
            let mode = match self.own[slot].mode {
                DashboardAccessMode::Default => DashboardAccessMode::WriteRestricted,
                DashboardAccessMode::WriteRestricted => DashboardAccessMode::Default,
            };
            let body = ChangeAccessModeRequest {
                objects: vec![SavedObjectRef::dashboard(&self.own[slot].id)],
                access_mode: mode,
            };
            let req = self
                .request(Method::POST, CHANGE_ACCESS_MODE_PATH)
                .json(&body);
            let Some((StatusCode::OK, bytes)) = self.send("mode", req, StatusCode::OK).await else {
                return;
            };
            match serde_json::from_slice::<AccessControlResult>(&bytes) {
                Ok(r) if r.errors().next().is_none() => {}
                _ => {
                    self.stats.unexpected += 1;
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    self.stats.example(format!("mode change refused: {text}"));
                    return;
                }
            }
            self.stats.mode_changes += 1;
            // The mode change bumps the version; read it back: content as last saved, new mode,
            // a newer version.
            let path = format!("{DASHBOARDS_PATH}/{}", self.own[slot].id);
            let req = self.request(Method::GET, &path);
            let Some((StatusCode::OK, bytes)) = self.send("read own", req, StatusCode::OK).await
            else {
                return;
            };
            let Ok(read) = serde_json::from_slice::<Dashboard>(&bytes) else {
                self.stats.unexpected += 1;
                return;
            };
            let own = &mut self.own[slot];
            let newer = read
                .version()
                .and_then(|v| v.parse::<i64>().ok())
                .zip(own.version.parse::<i64>().ok())
                .is_some_and(|(read, had)| read > had);
            if same_content(&read.data, &own.data) && read.access_mode() == mode && newer {
                self.stats.verified_reads += 1;
                own.stale = Some(std::mem::replace(
                    &mut own.version,
                    read.version().unwrap_or_default().to_string(),
                ));
                own.mode = mode;
            } else {
                self.stats.lost_updates += 1;
                let msg = format!(
                    "after a mode change of {}: acknowledged {:?} mode {mode:?} after v{}, read v{:?} {:?} mode {:?}",
                    own.id,
                    own.data.title,
                    own.version,
                    read.version(),
                    read.data.title,
                    read.access_mode()
                );
                self.stats.example(msg);
            }
        }

        async fn one_op(&mut self) {
            let u = self.user;
            let ok_or_403 = |allowed: bool| {
                if allowed {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                }
            };
            // Weights out of 100.
            let roll = self.rng.below(100);
            let has_own = !self.own.is_empty();
            let slot = self.rng.below(self.own.len() as u64) as usize;
            match roll {
                0..=11 => {
                    let req = self.request(Method::GET, &format!("{LEADS_BASE}/privileges"));
                    self.send("leads privileges", req, ok_or_403(u.leads_route))
                        .await;
                }
                12..=23 => {
                    let page = 1 + self.rng.below(3);
                    let req =
                        self.request(Method::GET, &format!("{LEADS_BASE}?page={page}&perPage=20"));
                    self.send("leads find", req, ok_or_403(u.leads_read)).await;
                }
                24..=29 if u.generate => {
                    let body = GenerateRequest {
                        connector_id: "soak".into(),
                        max_leads: Some(1 + self.rng.below(20) as u32),
                    };
                    let req = self
                        .request(Method::POST, &format!("{LEADS_BASE}/generate"))
                        .json(&body);
                    self.send("generate", req, StatusCode::OK).await;
                }
                24..=41 => {
                    let search = ["", "soak", "overview", "s1 d0"][self.rng.below(4) as usize];
                    let req = self.request(
                        Method::GET,
                        &format!(
                            "{DASHBOARDS_PATH}?search={}&page=1&perPage=20",
                            search.replace(' ', "+")
                        ),
                    );
                    self.send("dashboards list", req, StatusCode::OK).await;
                }
                42..=55 => {
                    let id = SEEDED[self.rng.below(SEEDED.len() as u64) as usize];
                    let req = self.request(Method::GET, &format!("{DASHBOARDS_PATH}/{id}"));
                    self.send("dashboard get", req, StatusCode::OK).await;
                }
                56..=77 if has_own => {
                    self.edit_own(slot).await;
                    // Half the edits are read back at once; the rest at a later read.
                    if self.rng.below(2) == 0 {
                        self.verify_own(slot, "read own").await;
                    }
                }
                78..=85 if has_own => {
                    self.verify_own(slot, "read own").await;
                }
                86..=89 if has_own => self.stale_write(slot).await,
                90..=94 if has_own => self.change_mode(slot).await,
                95..=99 => {
                    if let Some(id) = u.forbidden_edit {
                        let body = UpdateDashboard {
                            data: DashboardData {
                                title: format!("forbidden write by {}", u.name),
                                ..DashboardData::default()
                            },
                            version: None,
                        };
                        let req = self
                            .request(Method::PUT, &format!("{DASHBOARDS_PATH}/{id}"))
                            .json(&body);
                        self.send("forbidden edit", req, StatusCode::FORBIDDEN)
                            .await;
                    } else {
                        let req =
                            self.request(Method::GET, &format!("{DASHBOARDS_PATH}/{}", SEEDED[0]));
                        self.send("dashboard get", req, StatusCode::OK).await;
                    }
                }
                _ => {
                    let req =
                        self.request(Method::GET, &format!("{DASHBOARDS_PATH}?page=1&perPage=20"));
                    self.send("dashboards list", req, StatusCode::OK).await;
                }
            }
        }
    }

    async fn login(base: &str, user: &str) -> Result<String> {
        let login = client()?
            .post(format!("{base}{LOGIN_PATH}"))
            .header(KBN_XSRF, "true")
            .header(INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE)
            .json(&LoginRequest::basic(user, PASSWORD, "/login"))
            .send()
            .await
            .map_err(|e| format!("login as {user}: {e}"))?;
        if !login.status().is_success() {
            return Err(format!("login as {user}: {}", login.status()));
        }
        login
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|p| p.starts_with("sid="))
            .map(str::to_string)
            .ok_or(format!("login as {user} set no sid cookie"))
    }

    /// Seeded dashboards' versions: the refused writes must leave them as they were.
    async fn seeded_versions(base: &str, sid: &str) -> Result<Vec<(String, Option<String>)>> {
        let http = client()?;
        let mut out = Vec::new();
        for id in SEEDED {
            let d: Dashboard = http
                .get(format!("{base}{DASHBOARDS_PATH}/{id}"))
                .header("cookie", sid)
                .send()
                .await
                .map_err(|e| format!("read {id}: {e}"))?
                .json()
                .await
                .map_err(|e| format!("read {id}: {e}"))?;
            out.push((id.to_string(), d.meta.version));
        }
        Ok(out)
    }

    // -----------------------------------------------------------------------------------------
    // The run

    struct Memory {
        /// (seconds since the load started, KiB)
        samples: Vec<(f64, u64)>,
        start: u64,
        warm: u64,
        end: u64,
    }

    impl Memory {
        fn peak(&self) -> u64 {
            self.samples
                .iter()
                .map(|s| s.1)
                .chain([self.start, self.warm, self.end])
                .max()
                .unwrap_or(0)
        }

        fn bound(&self) -> u64 {
            MEMORY_FACTOR * self.warm + MEMORY_SLACK_MB * 1024
        }
    }

    /// `soak-run --sessions N --seconds S` (run by `cargo xtask soak`).
    pub fn soak_run(ctx: &Ctx, args: &[String]) -> Result<()> {
        let (sessions, seconds) = parse_args(args)?;
        let dir = work_dir(ctx);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
        let mut server = ServerChild::start(&dir)?;
        println!(
            "soak: server (release, pid {}) on {} with a fresh seeded database in {}",
            server.pid(),
            server.url,
            dir.display()
        );
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
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
            let sid = login(&base, USERS[i % USERS.len()].name).await?;
            all.push(Session {
                index: i,
                user: USERS[i % USERS.len()],
                base: base.clone(),
                sid,
                http: client()?,
                rng: Rng(0x9e37_79b9_7f4a_7c15 ^ ((i as u64 + 1) * 0x1000_0001)),
                own: Vec::new(),
                stats: Stats::default(),
                live: live.clone(),
            });
        }
        for s in all.iter_mut().filter(|s| s.user.dashboards_write) {
            s.create_own().await?;
        }
        let elastic_sid = all
            .iter()
            .find(|s| s.user.name == "elastic")
            .map(|s| s.sid.clone());
        let elastic_sid = match elastic_sid {
            Some(sid) => sid,
            None => login(&base, "elastic").await?,
        };
        let seeded_before = seeded_versions(&base, &elastic_sid).await?;
        let owned: usize = all.iter().map(|s| s.own.len()).sum();
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
        let start_rss = rss_kib(pid).ok_or("cannot read the server's VmRSS")?;
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
            finished.push(t.await.map_err(|e| format!("session task: {e}"))?);
        }
        let load_secs = load_started.elapsed().as_secs_f64();
        done.store(true, Ordering::Relaxed);
        let _ = sampler.await;
        let end_rss = rss_kib(pid).ok_or("cannot read the server's VmRSS at the end")?;

        // After the load: every own dashboard once more, and the seeded ones untouched.
        let mut stats = Stats::default();
        for mut s in finished {
            for slot in 0..s.own.len() {
                s.verify_own(slot, "final read own").await;
            }
            stats.merge(s.stats);
        }
        let seeded_after = seeded_versions(&base, &elastic_sid).await?;
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

    fn report(
        sessions: usize,
        seconds: u64,
        stats: &Stats,
        memory: &Memory,
        load_secs: f64,
        took: Duration,
    ) -> Result<()> {
        let requests = stats.requests();
        let statuses = stats
            .by_status
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let ops = stats
            .by_op
            .iter()
            .map(|(o, n)| format!("{o}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let server_errors = stats.server_errors();
        let memory_ok = memory.end <= memory.bound();
        let pass = server_errors == 0
            && stats.lost_updates == 0
            && stats.unexpected == 0
            && stats.transport_errors == 0
            && memory_ok;
        println!("soak: requests by operation: {ops}");
        let mut every_10s = vec![format!("0 s {:.1}", mib(memory.start))];
        let mut mark = 10.0;
        for (t, kib) in &memory.samples {
            if *t >= mark {
                every_10s.push(format!("{mark:.0} s {:.1}", mib(*kib)));
                mark += 10.0;
            }
        }
        println!(
            "soak: server RSS every 10 s of load (MiB): {}",
            every_10s.join(", ")
        );
        for e in &stats.examples {
            println!("soak: ! {e}");
        }
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        let date = Command::new("date")
            .args(["-u", "+%Y-%m-%d %H:%M UTC"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|c| {
                c.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_default();
        println!(
            "soak: {date}; machine: {cpus} CPUs ({model}), load average {load} at the end (other \
             processes share the cores); run took {:.0} s",
            took.as_secs_f64()
        );
        println!(
            "soak: {sessions} sessions × {seconds} s: {requests} requests ({:.0} req/s) {{{statuses}}}; \
             {server_errors} 5xx, {} unexpected answers, {} transport errors; {} lost updates \
             ({} acknowledged writes, {} read-backs verified, {} stale writes refused with 409, \
             {} mode changes); server RSS start {:.1} MiB, warm-up {:.1}, peak {:.1}, end {:.1} \
             (bound {:.1} = {MEMORY_FACTOR}× warm-up + {MEMORY_SLACK_MB}): {}",
            requests as f64 / load_secs,
            stats.unexpected,
            stats.transport_errors,
            stats.lost_updates,
            stats.acked_writes,
            stats.verified_reads,
            stats.stale_refused,
            stats.mode_changes,
            mib(memory.start),
            mib(memory.warm),
            mib(memory.peak()),
            mib(memory.end),
            mib(memory.bound()),
            if pass { "PASS" } else { "FAIL" }
        );
        if pass {
            Ok(())
        } else {
            let mut why = Vec::new();
            if server_errors > 0 {
                why.push(format!("{server_errors} 5xx"));
            }
            if stats.lost_updates > 0 {
                why.push(format!("{} lost updates", stats.lost_updates));
            }
            if stats.unexpected > 0 {
                why.push(format!("{} unexpected answers", stats.unexpected));
            }
            if stats.transport_errors > 0 {
                why.push(format!("{} transport errors", stats.transport_errors));
            }
            if !memory_ok {
                why.push("server memory grew beyond the bound".into());
            }
            Err(format!("soak failed: {}", why.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn defaults_and_options() {
        assert_eq!(parse_args(&[]), Ok((32, 60)));
        assert_eq!(parse_args(&args("--sessions 4 --seconds 5")), Ok((4, 5)));
        assert_eq!(parse_args(&args("--seconds=7")), Ok((32, 7)));
        assert!(parse_args(&args("--sessions 0")).is_err());
        assert!(parse_args(&args("--sessions")).is_err());
        assert!(parse_args(&args("--seconds x")).is_err());
        assert!(parse_args(&args("--minutes 3")).is_err());
        assert!(parse_args(&args("--seconds 100000")).is_err());
    }
}

//! `cargo xtask bench` (issue 6): measures, prints one summary line per figure and writes
//! `BENCHMARKS.md` (figures, machine, date, command).
//!
//! Two stages. The plain-std xtask (this file without the `bench` feature) ensures the tools,
//! runs `trunk build --release` into `<target>/xtask/bench-dist`, then re-runs xtask as
//! `cargo run --release --features bench -- bench-measure <dist>`; that build carries the
//! in-process server, the load generator and the compressors, so `cargo xtask dev | test` stay
//! lean. The server is built with the workspace's release profile except for the settings tuned
//! for wasm size (see [`SERVER_PROFILE`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{cargo, ensure_tools, run, step, Ctx, Need, Result};

/// `--config` overrides for the measuring build: the workspace's `[profile.release]` is tuned
/// for wasm size (opt-level "z", fat LTO); a server is built for speed, and fat LTO of axum +
/// tokio + rusqlite takes too long on 2 cores.
pub const SERVER_PROFILE: &[&str] = &[
    "profile.release.opt-level=3",
    "profile.release.lto=false",
    "profile.release.codegen-units=16",
];

pub fn target_dir(ctx: &Ctx) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { ctx.root.join(p) })
        .unwrap_or_else(|| ctx.root.join("target"))
}

/// `cargo xtask bench`.
pub fn bench(ctx: &Ctx) -> Result<()> {
    step("ensure tools", || ensure_tools(ctx, Need::Test))?;
    let dist = target_dir(ctx).join("xtask/bench-dist");
    step("trunk build --release (bench-dist)", || build_spa(&dist))?;
    step("measure (release build of xtask --features bench)", || {
        let mut cmd = cargo();
        cmd.args(["run", "--release", "--quiet"]);
        for c in SERVER_PROFILE {
            cmd.args(["--config", c]);
        }
        cmd.args(["-p", "xtask", "--features", "bench", "--", "bench-measure"])
            .arg(&dist);
        run(cmd)
    })
}

fn build_spa(dist: &Path) -> Result<()> {
    let mut cmd = Command::new("trunk");
    cmd.args(["build", "--release", "--dist"])
        .arg(dist)
        .stdin(std::process::Stdio::null());
    run(cmd)?;
    if dist.join("index.html").is_file() {
        Ok(())
    } else {
        Err(format!(
            "{} was not produced",
            dist.join("index.html").display()
        ))
    }
}

#[cfg(feature = "bench")]
pub use measure::bench_measure;

#[cfg(feature = "bench")]
mod measure {
    use std::fmt::Write as _;
    use std::io::Write as _;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::{target_dir, SERVER_PROFILE};
    use crate::{Ctx, Result};

    /// Transfer-size target: wasm + JS + CSS, gzip, in KB of 1024 bytes.
    const SIZE_TARGET_GZIP_KB: f64 = 120.0;
    const PRIVILEGES_TARGET_RPS: f64 = 10_000.0;
    const FIND_TARGET_P99_MS: f64 = 5.0;
    const LEADS: usize = 100_000;
    const CONNECTIONS: usize = 64;
    const LOAD_SECS: u64 = 10;
    const UNLOADED_SECS: u64 = 5;
    const ACCESS_MODE_PATH: &str = "/internal/access_control/change_access_mode";
    const ACCESS_MODE_DASHBOARD: &str = "executive-risk-summary";
    const PRIVILEGES_PATH: &str = "/internal/entity_analytics/leads/privileges";
    const FIND_PATH: &str = "/internal/entity_analytics/leads?page=1&perPage=100";

    fn kb(bytes: u64) -> f64 {
        bytes as f64 / 1024.0
    }

    fn verdict(ok: bool) -> &'static str {
        if ok {
            "MET"
        } else {
            "MISSED"
        }
    }

    /// Everything that goes into BENCHMARKS.md.
    #[derive(Default)]
    struct Report {
        summary: Vec<String>,
        sections: Vec<String>,
    }

    impl Report {
        fn line(&mut self, s: String) {
            println!("bench: {s}");
            let _ = std::io::stdout().flush();
            self.summary.push(s);
        }
    }

    /// `cargo xtask bench-measure <dist>` (run by `cargo xtask bench`).
    pub fn bench_measure(ctx: &Ctx, args: &[String]) -> Result<()> {
        let dist = PathBuf::from(args.first().ok_or("usage: bench-measure <dist dir>")?);
        let mut report = Report::default();
        let started = Instant::now();

        sizes(&dist, &mut report)?;
        server(ctx, &dist, &mut report)?;
        report.sections.push(
            "## Not yet measured\n\n\
             - Permission reaction (403 → toast + disabled buttons), list rendering (100 cards, \
             page switches over 10,000 leads), memory after 1,000 page switches (items 3, 4, 6).\n\
             - A reference build (e.g. React) of the same leads list, side by side.\n"
                .to_string(),
        );

        let md = render(ctx, &report, started.elapsed())?;
        let path = ctx.root.join("BENCHMARKS.md");
        std::fs::write(&path, md).map_err(|e| format!("write {}: {e}", path.display()))?;
        println!("bench: wrote {}", path.display());
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // 1. Transfer size

    struct Sizes {
        raw: u64,
        gzip: u64,
        brotli: u64,
    }

    fn compress(data: &[u8]) -> Result<Sizes> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(data).map_err(|e| e.to_string())?;
        let gzip = gz.finish().map_err(|e| e.to_string())?.len() as u64;
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            w.write_all(data).map_err(|e| e.to_string())?;
        }
        Ok(Sizes {
            raw: data.len() as u64,
            gzip,
            brotli: br.len() as u64,
        })
    }

    fn sizes(dist: &Path, report: &mut Report) -> Result<()> {
        let mut files: Vec<(String, Sizes)> = Vec::new();
        let entries =
            std::fs::read_dir(dist).map_err(|e| format!("read {}: {e}", dist.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(kind, "wasm" | "js" | "css") || !path.is_file() {
                continue;
            }
            let data = std::fs::read(&path).map_err(|e| format!("read {name}: {e}"))?;
            files.push((name, compress(&data)?));
        }
        if files.is_empty() {
            return Err(format!("no .wasm/.js/.css in {}", dist.display()));
        }
        files.sort_by_key(|f| std::cmp::Reverse(f.1.raw));
        let total = Sizes {
            raw: files.iter().map(|f| f.1.raw).sum(),
            gzip: files.iter().map(|f| f.1.gzip).sum(),
            brotli: files.iter().map(|f| f.1.brotli).sum(),
        };
        let mut table = String::from(
            "## 1. Transfer size of the release SPA\n\n\
             `trunk build --release` (the workspace's release profile, wasm-opt 132) into \
             `<target>/xtask/bench-dist`; gzip level 9 (flate2), brotli quality 11 / window 22 \
             (brotli crate). KB = 1024 bytes.\n\n\
             | file | raw | gzip | brotli |\n|---|---:|---:|---:|\n",
        );
        for (name, s) in &files {
            let _ = writeln!(
                table,
                "| `{name}` | {:.1} KB | {:.1} KB | {:.1} KB |",
                kb(s.raw),
                kb(s.gzip),
                kb(s.brotli)
            );
            println!(
                "bench:   {name}: {} B raw, {} B gzip, {} B brotli",
                s.raw, s.gzip, s.brotli
            );
        }
        let met = kb(total.gzip) <= SIZE_TARGET_GZIP_KB;
        let _ = writeln!(
            table,
            "| **total** | **{:.1} KB** | **{:.1} KB** | **{:.1} KB** |\n\n\
             Target: ≤ {SIZE_TARGET_GZIP_KB:.0} KB gzip in total — **{}**.\n",
            kb(total.raw),
            kb(total.gzip),
            kb(total.brotli),
            verdict(met)
        );
        report.sections.push(table);
        report.line(format!(
            "transfer size (wasm+js+css): {:.1} KB raw, {:.1} KB gzip, {:.1} KB brotli; target ≤ {SIZE_TARGET_GZIP_KB:.0} KB gzip: {}",
            kb(total.raw),
            kb(total.gzip),
            kb(total.brotli),
            verdict(met)
        ));
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // 2. Server throughput

    struct Load {
        ok: u64,
        errors: u64,
        elapsed: Duration,
        p50: Duration,
        p99: Duration,
        max: Duration,
        body_bytes: usize,
    }

    impl Load {
        fn rps(&self) -> f64 {
            self.ok as f64 / self.elapsed.as_secs_f64()
        }
    }

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    fn percentile(sorted: &[Duration], p: f64) -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[idx.min(sorted.len() - 1)]
    }

    fn client() -> Result<reqwest::Client> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|e| format!("http client: {e}"))
    }

    fn get(c: &reqwest::Client, url: &str, sid: &str) -> reqwest::RequestBuilder {
        c.get(url)
            .header("x-elastic-internal-origin", "Kibana")
            .header("elastic-api-version", "1")
            .header("cookie", sid)
    }

    /// One route under load: GET, or POST with bodies taken in turn (so a write really changes
    /// something on every request).
    struct Route {
        method: reqwest::Method,
        url: String,
        sid: String,
        bodies: Vec<serde_json::Value>,
        /// Count a 200 whose body has an `"error"` member as an error (per-object results).
        error_in_body: bool,
    }

    impl Route {
        fn request(&self, c: &reqwest::Client, n: u64) -> reqwest::RequestBuilder {
            let r = c
                .request(self.method.clone(), &self.url)
                .header("x-elastic-internal-origin", "Kibana")
                .header("elastic-api-version", "1")
                .header("cookie", &self.sid);
            if self.bodies.is_empty() {
                r
            } else {
                r.header("kbn-xsrf", "true")
                    .json(&self.bodies[(n % self.bodies.len() as u64) as usize])
            }
        }

        fn body_ok(&self, body: &[u8]) -> bool {
            !self.error_in_body || !body.windows(7).any(|w| w == b"\"error\"")
        }
    }

    /// `conns` tasks, each with its own client (one keep-alive connection), sending the route's
    /// request back to back for `secs` seconds.
    async fn load(route: Route, conns: usize, secs: u64) -> Result<Load> {
        let what = format!("{} {}", route.method, route.url);
        // One request first: the route must answer 200 (without errors) before it is timed.
        let probe = route
            .request(&client()?, 0)
            .send()
            .await
            .map_err(|e| format!("{what}: {e}"))?;
        let status = probe.status();
        let body = probe.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() || !route.body_ok(&body) {
            return Err(format!(
                "{what} answered {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        let body_bytes = body.len();

        let route = Arc::new(route);
        let started = Instant::now();
        let deadline = started + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for task in 0..conns as u64 {
            let route = route.clone();
            let c = client()?;
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::with_capacity(50_000);
                let mut errors = 0u64;
                let mut n = task + 1;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match route.request(&c, n).send().await {
                        Ok(r) if r.status().is_success() => match r.bytes().await {
                            Ok(b) if route.body_ok(&b) => times.push(t.elapsed()),
                            _ => errors += 1,
                        },
                        _ => errors += 1,
                    }
                    n += 1;
                }
                (times, errors)
            }));
        }
        let mut all = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (times, e) = t.await.map_err(|e| format!("load task: {e}"))?;
            all.extend(times);
            errors += e;
        }
        let elapsed = started.elapsed();
        all.sort_unstable();
        Ok(Load {
            ok: all.len() as u64,
            errors,
            elapsed,
            p50: percentile(&all, 0.50),
            p99: percentile(&all, 0.99),
            max: all.last().copied().unwrap_or_default(),
            body_bytes,
        })
    }

    /// Logs in (password `changeme`) and returns the `sid=…` cookie pair.
    async fn login(base: &str, user: &str) -> Result<String> {
        let login = client()?
            .post(format!("{base}/internal/security/login"))
            .header("kbn-xsrf", "true")
            .header("x-elastic-internal-origin", "Kibana")
            .header("elastic-api-version", "1")
            .json(&gatehouse_api::security::LoginRequest::basic(
                user, "changeme", "/login",
            ))
            .send()
            .await
            .map_err(|e| format!("login as {user}: {e}"))?;
        if !login.status().is_success() {
            return Err(format!("login as {user}: {}", login.status()));
        }
        Ok(login
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|p| p.starts_with("sid="))
            .ok_or(format!("login as {user} set no sid cookie"))?
            .to_string())
    }

    fn server(ctx: &Ctx, dist: &Path, report: &mut Report) -> Result<()> {
        let tmp = target_dir(ctx).join("xtask/bench-tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| format!("mkdir {}: {e}", tmp.display()))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let result = rt.block_on(server_async(&tmp, dist, report));
        drop(rt);
        let _ = std::fs::remove_dir_all(&tmp);
        result
    }

    async fn server_async(tmp: &Path, dist: &Path, report: &mut Report) -> Result<()> {
        let config = gatehouse_server::Config {
            addr: "127.0.0.1:0".parse().expect("address"),
            db_path: tmp.join("gatehouse.db"),
            seed: true,
            dist_dir: Some(dist.to_path_buf()),
            audit_log: Some(tmp.join("audit.log")),
            ..gatehouse_server::Config::default()
        };
        let server = gatehouse_server::start(config)
            .await
            .map_err(|e| format!("server start: {e:#}"))?;
        let base = server.url();
        println!("bench: server (release, in-process) on {base}");

        let db_path = server.db_path.clone();
        let t = Instant::now();
        tokio::task::spawn_blocking(move || -> Result<()> {
            let mut conn = rusqlite::Connection::open(&db_path).map_err(|e| e.to_string())?;
            conn.busy_timeout(Duration::from_secs(30))
                .map_err(|e| e.to_string())?;
            gatehouse_server::leads::insert_synthetic_leads(&mut conn, "default", LEADS, 6)
                .map_err(|e| format!("insert_synthetic_leads: {e:#}"))
        })
        .await
        .map_err(|e| e.to_string())??;
        println!(
            "bench: inserted {LEADS} synthetic leads in {:.1}s",
            t.elapsed().as_secs_f64()
        );

        let sid = login(&base, "leads_full_user").await?;
        // Owner of the seeded dashboard `executive-risk-summary`.
        let elastic_sid = login(&base, "elastic").await?;

        // The total the find route reports, so the figure says how many leads were behind it.
        let first: serde_json::Value = get(&client()?, &format!("{base}{FIND_PATH}"), &sid)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let total = first["total"].as_u64().unwrap_or(0);
        let page_len = first["leads"].as_array().map_or(0, Vec::len);
        if total < LEADS as u64 || page_len != 100 {
            return Err(format!(
                "find reports total {total} and {page_len} leads on page 1; expected ≥ {LEADS} and 100"
            ));
        }

        let mut table = format!(
            "## 2. Server throughput\n\n\
             `gatehouse_server::start` in the bench process (release build with {}), seeded, \
             {total} leads in the default space ({LEADS} from `insert_synthetic_leads`), logged \
             in as `leads_full_user`. Load generator in the same process on loopback: \
             {CONNECTIONS} connections (one reqwest client each, keep-alive), requests back to \
             back for {LOAD_SECS} s per route; latency is send → full body read, so it includes \
             the client's own work and the queueing of 64 concurrent requests. Client and server \
             share the machine's cores. The third row is find unloaded (1 connection, \
             {UNLOADED_SECS} s): the latency of one request on its own. `change_access_mode` \
             runs as `elastic` on the seeded dashboard `{ACCESS_MODE_DASHBOARD}`, alternating \
             `write_restricted` / `default` (every request a write); a 200 with a per-object \
             error counts as an error.\n\n\
             | route | conns | requests | errors | req/s | p50 | p99 | max | body |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            SERVER_PROFILE.join(", ")
        );
        let mut lines = Vec::new();
        let get_route = |path: &str| Route {
            method: reqwest::Method::GET,
            url: format!("{base}{path}"),
            sid: sid.clone(),
            bodies: Vec::new(),
            error_in_body: false,
        };
        let mode = |m: &str| {
            serde_json::json!({
                "objects": [{ "type": "dashboard", "id": ACCESS_MODE_DASHBOARD }],
                "accessMode": m,
            })
        };
        for (name, path, route, conns, secs) in [
            (
                "privileges",
                PRIVILEGES_PATH,
                get_route(PRIVILEGES_PATH),
                CONNECTIONS,
                LOAD_SECS,
            ),
            (
                "find",
                FIND_PATH,
                get_route(FIND_PATH),
                CONNECTIONS,
                LOAD_SECS,
            ),
            (
                "find unloaded",
                FIND_PATH,
                get_route(FIND_PATH),
                1,
                UNLOADED_SECS,
            ),
            (
                "change_access_mode",
                ACCESS_MODE_PATH,
                Route {
                    method: reqwest::Method::POST,
                    url: format!("{base}{ACCESS_MODE_PATH}"),
                    sid: elastic_sid.clone(),
                    bodies: vec![mode("write_restricted"), mode("default")],
                    error_in_body: true,
                },
                CONNECTIONS,
                LOAD_SECS,
            ),
        ] {
            let verb = route.method.clone();
            println!("bench: loading {verb} {path} ({conns} connections, {secs} s)");
            let l = load(route, conns, secs).await?;
            let _ = writeln!(
                table,
                "| `{verb} {path}` | {conns} | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {} B |",
                l.ok,
                l.errors,
                l.rps(),
                ms(l.p50),
                ms(l.p99),
                ms(l.max),
                l.body_bytes
            );
            let target = match name {
                "privileges" => format!(
                    "target ≥ {PRIVILEGES_TARGET_RPS:.0} req/s: {}",
                    verdict(l.rps() >= PRIVILEGES_TARGET_RPS && l.errors == 0)
                ),
                "find" => format!(
                    "target p99 ≤ {FIND_TARGET_P99_MS} ms: {}",
                    verdict(ms(l.p99) <= FIND_TARGET_P99_MS && l.errors == 0)
                ),
                "find unloaded" => "no target (find without queueing)".to_string(),
                _ => "no target set by issue 6".to_string(),
            };
            lines.push(format!(
                "server {name} ({verb} {path}, {total} leads, {conns} conns, {secs} s): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors; {target}",
                l.rps(),
                ms(l.p50),
                ms(l.p99),
                l.errors
            ));
        }
        let _ = writeln!(
            table,
            "\nTargets: ≥ {PRIVILEGES_TARGET_RPS:.0} req/s for privileges on 2 cores; p99 ≤ \
             {FIND_TARGET_P99_MS} ms for find.\n"
        );
        for l in lines {
            let _ = writeln!(table, "- {l}");
            report.line(l);
        }
        report.sections.push(table);

        // 3. Time to leads, against the same server. A failure here is reported, not fatal:
        // the figures above stand.
        if let Err(e) = browser(tmp, dist, &base, &sid, report).await {
            report.line(format!("time to leads: not measured ({e})"));
            report.sections.push(format!(
                "## 3. Time to leads in headless Chromium\n\nNot measured in this run: {e}\n"
            ));
        }
        server.shutdown().await;
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // 3. Time to leads in headless Chromium

    const RUNS: usize = 20;
    const SPA_PATH: &str = "/app/security/entity_analytics";
    const FLOOR_FILE: &str = "bench-floor.html";
    const TTL_TARGET_RATIO: f64 = 1.5;
    const TTL_TARGET_MS: f64 = 150.0;
    /// Installed before any page script (CDP `Page.addScriptToEvaluateOnNewDocument`): records
    /// `performance.now()` (milliseconds since navigation start) when the first lead card enters
    /// the DOM, and marks it with `performance.mark`.
    const TTL_SCRIPT: &str = r#"(() => {
      const seen = () => {
        if (window.__ttl != null) return true;
        if (!document.querySelector('[data-testid="lead-card"]')) return false;
        window.__ttl = performance.now();
        performance.mark('gatehouse-leads-rendered');
        return true;
      };
      const mo = new MutationObserver(() => { if (seen()) mo.disconnect(); });
      mo.observe(document, { childList: true, subtree: true });
    })();"#;

    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }

    /// The floor: a static page with the same first 20 leads already in it (and the SPA's CSS).
    async fn write_floor(dist: &Path, base: &str, sid: &str) -> Result<()> {
        let page: serde_json::Value = get(
            &client()?,
            &format!("{base}/internal/entity_analytics/leads?page=1&perPage=20"),
            sid,
        )
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
        let css: Vec<String> = std::fs::read_dir(dist)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".css"))
            .collect();
        let mut html = String::from("<!doctype html><html><head><meta charset=\"utf-8\"><title>Leads (static floor)</title>");
        for c in &css {
            let _ = write!(html, "<link rel=\"stylesheet\" href=\"/{c}\">");
        }
        html.push_str(
            "</head><body><section data-testid=\"leads-section\"><h2>Top threat hunting leads</h2>",
        );
        for lead in page["leads"].as_array().ok_or("find answered no leads")? {
            let field = |k: &str| escape(lead[k].as_str().unwrap_or(""));
            let _ = write!(
                html,
                "<article data-testid=\"lead-card\"><h3>{}</h3><p>{}</p><p>{}</p><span>priority {}</span></article>",
                field("title"),
                field("byline"),
                field("description"),
                lead["priority"]
            );
        }
        html.push_str("</section></body></html>\n");
        std::fs::write(dist.join(FLOOR_FILE), html).map_err(|e| format!("write floor: {e}"))
    }

    /// A chromedriver we started (killed on drop) and one W3C WebDriver session on it.
    struct Driver {
        child: std::process::Child,
        http: reqwest::Client,
        url: String,
    }

    impl Drop for Driver {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    impl Driver {
        async fn call(
            &self,
            method: reqwest::Method,
            path: &str,
            body: Option<serde_json::Value>,
        ) -> Result<serde_json::Value> {
            let mut req = self.http.request(method, format!("{}{path}", self.url));
            if let Some(b) = body {
                req = req.json(&b);
            }
            let r = req
                .send()
                .await
                .map_err(|e| format!("webdriver {path}: {e}"))?;
            let status = r.status();
            let v: serde_json::Value = r
                .json()
                .await
                .map_err(|e| format!("webdriver {path}: {e}"))?;
            if !status.is_success() {
                return Err(format!("webdriver {path}: {status}: {}", v["value"]));
            }
            Ok(v["value"].clone())
        }
    }

    fn median(sorted: &[f64]) -> f64 {
        let n = sorted.len();
        if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        }
    }

    async fn time_to_leads(d: &Driver, session: &str, url: &str) -> Result<f64> {
        use reqwest::Method;
        d.call(
            Method::POST,
            &format!("/session/{session}/url"),
            Some(serde_json::json!({ "url": url })),
        )
        .await?;
        let started = Instant::now();
        loop {
            let v = d
                .call(
                    Method::POST,
                    &format!("/session/{session}/execute/sync"),
                    Some(
                        serde_json::json!({ "script": "return window.__ttl ?? null;", "args": [] }),
                    ),
                )
                .await?;
            if let Some(ms) = v.as_f64() {
                return Ok(ms);
            }
            if started.elapsed() > Duration::from_secs(30) {
                let at = d
                    .call(Method::GET, &format!("/session/{session}/url"), None)
                    .await
                    .unwrap_or_default();
                return Err(format!(
                    "no lead card 30 s after loading {url} (page: {at})"
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn browser(
        tmp: &Path,
        dist: &Path,
        base: &str,
        sid: &str,
        report: &mut Report,
    ) -> Result<()> {
        use reqwest::Method;
        write_floor(dist, base, sid).await?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("start chromedriver: {e}"))?;
        let d = Driver {
            child,
            http: client()?,
            url: format!("http://127.0.0.1:{port}"),
        };
        let t = Instant::now();
        while d.call(Method::GET, "/status", None).await.is_err() {
            if t.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not answer within 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tmp.join("chromium-profile");
        let caps = serde_json::json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--window-size=1280,900",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let s = d.call(Method::POST, "/session", Some(caps)).await?;
        let session = s["sessionId"].as_str().ok_or("no sessionId")?.to_string();
        let result = async {
            d.call(
                Method::POST,
                &format!("/session/{session}/goog/cdp/execute"),
                Some(serde_json::json!({ "cmd": "Page.addScriptToEvaluateOnNewDocument", "params": { "source": TTL_SCRIPT } })),
            )
            .await?;
            let floor_url = format!("{base}/{FLOOR_FILE}");
            d.call(Method::POST, &format!("/session/{session}/url"), Some(serde_json::json!({ "url": floor_url })))
                .await?;
            let (name, value) = sid.split_once('=').ok_or("bad sid cookie")?;
            d.call(
                Method::POST,
                &format!("/session/{session}/cookie"),
                Some(serde_json::json!({ "cookie": { "name": name, "value": value, "path": "/", "httpOnly": true } })),
            )
            .await?;
            let spa_url = format!("{base}{SPA_PATH}");
            // One warm-up each (compiles the wasm into the cache, like a returning user).
            time_to_leads(&d, &session, &spa_url).await?;
            time_to_leads(&d, &session, &floor_url).await?;
            let (mut spa, mut floor) = (Vec::new(), Vec::new());
            for _ in 0..RUNS {
                spa.push(time_to_leads(&d, &session, &spa_url).await?);
                floor.push(time_to_leads(&d, &session, &floor_url).await?);
            }
            Ok::<_, String>((spa, floor))
        }
        .await;
        let _ = d
            .call(Method::DELETE, &format!("/session/{session}"), None)
            .await;
        let (mut spa, mut floor) = result?;
        spa.sort_by(f64::total_cmp);
        floor.sort_by(f64::total_cmp);
        let (ms, mf) = (median(&spa), median(&floor));
        let ratio = ms / mf;
        let met = ratio <= TTL_TARGET_RATIO && ms < TTL_TARGET_MS;
        let line = format!(
            "time to leads (headless Chromium, {RUNS} runs): SPA median {ms:.1} ms (min {:.1}, max {:.1}); static floor median {mf:.1} ms (min {:.1}, max {:.1}); ratio {ratio:.2}; target ratio ≤ {TTL_TARGET_RATIO} and < {TTL_TARGET_MS:.0} ms: {}",
            spa[0], spa[RUNS - 1], floor[0], floor[RUNS - 1], verdict(met)
        );
        let mut section = format!(
            "## 3. Time to leads in headless Chromium\n\n\
             `/usr/bin/chromium --headless=new` through chromedriver on loopback, against the same \
             server (release SPA from `bench-dist`, logged in as `leads_full_user`). A script \
             installed before any page script records `performance.now()` (ms since navigation \
             start) and a `performance.mark` when the first `[data-testid=lead-card]` enters the \
             DOM; it is read over WebDriver. Floor: a static HTML page with the same first 20 \
             leads and the SPA's CSS, served by the same server (`/{FLOOR_FILE}`). One warm-up \
             each, then {RUNS} alternating runs; browser cache warm.\n\n\
             | page | median | min | max |\n|---|---:|---:|---:|\n\
             | SPA `{SPA_PATH}` | {ms:.1} ms | {:.1} ms | {:.1} ms |\n\
             | static floor | {mf:.1} ms | {:.1} ms | {:.1} ms |\n\n",
            spa[0],
            spa[RUNS - 1],
            floor[0],
            floor[RUNS - 1]
        );
        let _ = writeln!(
            section,
            "Ratio SPA / floor (medians): **{ratio:.2}**. Targets: ratio ≤ {TTL_TARGET_RATIO} and \
             < {TTL_TARGET_MS:.0} ms — **{}**.\n",
            verdict(met)
        );
        report.sections.push(section);
        report.line(line);
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // BENCHMARKS.md

    fn output(program: &str, args: &[&str]) -> String {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    fn render(ctx: &Ctx, report: &Report, took: Duration) -> Result<String> {
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or("unknown".into(), |kb| {
                format!("{:.1} GiB", kb / 1024.0 / 1024.0)
            });
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map_or("unknown".into(), |m| m.trim().to_string());
        // Other work on the machine skews every figure: record how busy it was.
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| {
                let w: Vec<&str> = l.split_whitespace().take(3).collect();
                (w.len() == 3).then(|| w.join(" "))
            })
            .unwrap_or_else(|| "unknown".into());
        let rustc = output("rustc", &["--version"]);
        let date = output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
        let commit = output(
            "git",
            &[
                "-C",
                &ctx.root.to_string_lossy(),
                "rev-parse",
                "--short",
                "HEAD",
            ],
        );
        let dirty = !output(
            "git",
            &[
                "-C",
                &ctx.root.to_string_lossy(),
                "status",
                "--porcelain",
                "--untracked-files=no",
            ],
        )
        .is_empty();

        let mut md = String::from(
            "# Benchmarks\n\n\
             Written by `cargo xtask bench` (issue 6); every figure below was measured by that \
             command in the run described here. Re-run it to refresh this file. Speed and size \
             targets live here, never in tests.\n\n",
        );
        let _ = writeln!(
            md,
            "- Command: `cargo xtask bench`\n- Date: {date}\n- Commit: {commit}{}\n\
             - Machine: {cpus} CPUs (`nproc`), {mem} memory, {model}; load average at the \
             end of the run {load} (other processes share the cores)\n- Toolchain: {rustc}\n\
             - Run took {:.0} s\n",
            if dirty {
                " (the working tree had uncommitted changes; the build includes them)"
            } else {
                ""
            },
            took.as_secs_f64()
        );
        md.push_str("## Summary\n\n");
        for s in &report.summary {
            let _ = writeln!(md, "- {s}");
        }
        md.push('\n');
        for s in &report.sections {
            md.push_str(s);
            md.push('\n');
        }
        Ok(md)
    }
}

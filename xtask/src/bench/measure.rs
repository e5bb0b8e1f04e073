//! `cargo xtask bench-measure <dist>` (run by `cargo xtask bench`): every figure, in order, into
//! one [`Report`]; the server they share; the React reference each figure is compared with.

#![cfg(feature = "bench")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::{browser, report, server_load, sizes, REACT_DIR, REACT_NOT_RUN, REACT_SRC};
use crate::http::Client;
use crate::Ctx;

/// Leads in the default space for the server figures.
pub const LEADS: usize = 100_000;

pub fn kb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "MET"
    } else {
        "MISSED"
    }
}

pub fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Everything that goes into BENCHMARKS.md.
#[derive(Default)]
pub struct Report {
    pub summary: Vec<String>,
    pub sections: Vec<String>,
    /// The React reference's figures, joined into its one summary line at the end.
    pub react: Vec<String>,
}

impl Report {
    /// One summary line, printed as it is measured.
    pub fn line(&mut self, s: String) {
        println!("bench: {s}");
        let _ = std::io::stdout().flush();
        self.summary.push(s);
    }

    /// A figure that could not be measured: its summary line and its section say why.
    pub fn not_measured(&mut self, figure: &str, heading: &str, e: &anyhow::Error) {
        self.line(format!("{figure}: not measured ({e:#})"));
        self.sections
            .push(format!("## {heading}\n\nNot measured in this run: {e:#}\n"));
    }
}

/// The React reference in `<dist>/react/` (see `references::build_react`), or why it was not
/// built.
pub struct ReactRef {
    pub not_run: Option<String>,
    /// "react 19.3.1, react-dom 19.3.1, esbuild 0.28.2", from `bench/react/package-lock.json`.
    pub versions: String,
}

impl ReactRef {
    fn load(ctx: &Ctx, dist: &Path) -> ReactRef {
        let lock = ctx.root.join(REACT_SRC).join("package-lock.json");
        let versions = std::fs::read_to_string(&lock)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .map(|lock| {
                ["react", "react-dom", "esbuild"]
                    .iter()
                    .map(|name| {
                        let v = lock["packages"][format!("node_modules/{name}")]["version"]
                            .as_str()
                            .unwrap_or("?");
                        format!("{name} {v}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| format!("versions unknown: no {}", lock.display()));
        let not_run = if dist.join(REACT_DIR).join("index.html").is_file() {
            None
        } else {
            Some(
                std::fs::read_to_string(dist.join(REACT_NOT_RUN))
                    .map(|t| t.trim().to_string())
                    .unwrap_or_else(|_| format!("no {REACT_DIR}/index.html in the bench dist")),
            )
        };
        ReactRef { not_run, versions }
    }

    pub fn ran(&self) -> bool {
        self.not_run.is_none()
    }
}

/// `cargo xtask bench-measure <dist>`.
pub fn bench_measure(ctx: &Ctx, args: &[String]) -> Result<()> {
    if args.first().map(String::as_str) == Some(super::SERVER_ONLY) {
        return server_rows_only(ctx);
    }
    let dist = PathBuf::from(args.first().context("usage: bench-measure <dist dir>")?);
    let mut report = Report::default();
    let started = Instant::now();

    let react = ReactRef::load(ctx, &dist);
    sizes::sizes(&dist, &react, &mut report)?;
    with_server(ctx, &dist, &react, &mut report)?;
    let react_line = match &react.not_run {
        Some(why) => format!("React reference: not run: {why}"),
        None => format!(
            "React reference ({}; the leads page only, same server, data and stylesheet, headless Chromium; not a target): {}",
            react.versions,
            report.react.join("; ")
        ),
    };
    report.line(react_line);
    if let Some(why) = &react.not_run {
        report.sections.push(format!(
            "## Not measured in this run\n\n- The React reference: not run: {why}\n"
        ));
    }

    let md = report::render(ctx, &report, started.elapsed());
    let path = ctx.root.join("BENCHMARKS.md");
    std::fs::write(&path, md).with_context(|| format!("write {}", path.display()))?;
    println!("bench: wrote {}", path.display());
    Ok(())
}

/// Sections 2–6 against one release server in this process, on a temporary seeded database.
fn with_server(ctx: &Ctx, dist: &Path, react: &ReactRef, report: &mut Report) -> Result<()> {
    let tmp = ctx.target_dir().join("xtask/bench-tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).with_context(|| format!("mkdir {}", tmp.display()))?;
    let rt = runtime()?;
    let result = rt.block_on(serve_and_measure(&tmp, dist, react, report));
    drop(rt);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// `bench-measure --server`: section 2 alone, against the same server as the full run, printed.
fn server_rows_only(ctx: &Ctx) -> Result<()> {
    let tmp = ctx.target_dir().join("xtask/bench-tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).with_context(|| format!("mkdir {}", tmp.display()))?;
    let mut report = Report::default();
    let rt = runtime()?;
    let result = rt.block_on(async {
        let server = start_with_leads(&tmp, None).await?;
        let user = Client::login(&server.url(), "leads_full_user").await?;
        let elastic = Client::login(&server.url(), "elastic").await?;
        let mut measured = server_load::throughput(&user, &elastic, &mut report).await;
        if measured.is_ok() {
            measured = super::saved_objects_import::import_row(&elastic, &mut report).await;
        }
        server.shutdown().await;
        measured
    });
    drop(rt);
    let _ = std::fs::remove_dir_all(&tmp);
    result?;
    for section in &report.sections {
        println!("\n{section}");
    }
    Ok(())
}

/// The seeded release server on a database in `dir`, with [`LEADS`] synthetic leads in the
/// default space.
async fn start_with_leads(
    dir: &Path,
    dist: Option<&Path>,
) -> Result<gatehouse_server::RunningServer> {
    let server = gatehouse_server::start(server_config(dir, dist))
        .await
        .context("server start")?;
    println!("bench: server (release, in-process) on {}", server.url());
    let t = Instant::now();
    insert_leads(&server.db_path, "default", LEADS, 6, false).await?;
    println!(
        "bench: inserted {LEADS} synthetic leads in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(server)
}

/// The multi-threaded tokio runtime the server and the measurements run on.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("tokio runtime")
}

/// The server's configuration for bench and soak: on `127.0.0.1:0`, seeded, its database and
/// audit log in `dir`, serving `dist` when given.
pub fn server_config(dir: &Path, dist: Option<&Path>) -> gatehouse_server::Config {
    gatehouse_server::Config {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        db_path: dir.join("gatehouse.db"),
        seed: true,
        dist_dir: dist.map(Path::to_path_buf),
        audit_log: Some(dir.join("audit.log")),
        ..gatehouse_server::Config::default()
    }
}

/// `count` synthetic leads in `space`, written straight into the server's database (`seed`
/// makes them differ from one call to the next); with `all_active`, every lead of that space is
/// then made active.
pub async fn insert_leads(
    db_path: &Path,
    space: &'static str,
    count: usize,
    seed: u64,
    all_active: bool,
) -> Result<()> {
    let db_path = db_path.to_path_buf();
    tokio::task::spawn_blocking(move || -> Result<()> {
        let mut conn = rusqlite::Connection::open(&db_path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        gatehouse_server::leads::insert_synthetic_leads(&mut conn, space, count, seed)
            .context("insert_synthetic_leads")?;
        if all_active {
            conn.execute(
                "UPDATE leads SET status = 'active' WHERE index_name = ?1",
                [gatehouse_api::leads::leads_index(space)],
            )?;
        }
        Ok(())
    })
    .await?
}

async fn serve_and_measure(
    tmp: &Path,
    dist: &Path,
    react: &ReactRef,
    report: &mut Report,
) -> Result<()> {
    let server = start_with_leads(tmp, Some(dist)).await?;
    let base = server.url();

    let user = Client::login(&base, "leads_full_user").await?;
    // Owner of the seeded dashboard `executive-risk-summary`.
    let elastic = Client::login(&base, "elastic").await?;
    server_load::throughput(&user, &elastic, report).await?;
    super::saved_objects_import::import_row(&elastic, report).await?;

    // 3.–6. In headless Chromium, against the same server. A failure here is reported, not
    // fatal: the figures above stand.
    let ctx = browser::BrowserCtx {
        user: &user,
        elastic: &elastic,
        db_path: &server.db_path,
        react: react.ran(),
    };
    if let Err(e) = browser::figures(tmp, dist, &ctx, report).await {
        for figure in [
            "time to leads",
            "permission reaction",
            "list rendering",
            "memory",
        ] {
            report.line(format!("{figure}: not measured ({e:#})"));
        }
        if react.ran() {
            report
                .react
                .push(format!("browser figures not measured ({e:#})"));
        }
        report.sections.push(format!(
            "## 3.–6. Browser figures\n\nNot measured in this run: {e:#}\n"
        ));
    }
    server.shutdown().await;
    Ok(())
}

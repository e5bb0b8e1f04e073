//! Sections 3–6 of BENCHMARKS.md run in headless Chromium, driven through chromedriver with
//! thirtyfour: the driver, its sessions, the pages and data the figures share, and the order
//! they run in.

#![cfg(feature = "bench")]

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reqwest::Method;
use serde_json::{json, Value};
use thirtyfour::prelude::*;
use thirtyfour::ChromiumLikeCapabilities;

use super::interactive;
use super::measure::{insert_leads, Report};
use super::page_updates::{self, PAGE_HELPERS};
use super::time_to_leads::{self, TTL_SCRIPT};
use super::{memory, REACT_DIR};
use crate::http::Client;
use crate::tools::{CHROMEDRIVER, CHROMIUM};

/// Timed runs of each browser figure after its warm-up.
pub const RUNS: usize = 20;
/// The SPA's leads page.
pub const SPA_PATH: &str = "/app/security/entity_analytics";
/// The static floor of section 3, written into the dist and served by the same server.
pub const FLOOR_FILE: &str = "bench-floor.html";
/// The space of the list figures, with [`LIST_LEADS`] leads, all active.
pub const LIST_SPACE: &str = "bench-10k";
pub const LIST_LEADS: usize = 10_000;

/// Chromium's command line for every figure. `--enable-precise-memory-info`:
/// `performance.memory` unrounded and current (section 6).
const CHROMIUM_FLAGS: &str = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --window-size=1280,900 --enable-precise-memory-info";

/// What the browser figures need from the server stage.
pub struct BrowserCtx<'a> {
    /// `leads_full_user`, whose session cookie the browser shares.
    pub user: &'a Client,
    /// `elastic`, to create the list space and change `leads_full_access`.
    pub elastic: &'a Client,
    /// The server's database, where the list space's leads are written.
    pub db_path: &'a Path,
    /// Whether the React reference was built (`<dist>/react/`).
    pub react: bool,
}

impl BrowserCtx<'_> {
    pub fn base(&self) -> &str {
        self.user.base()
    }
}

/// A chromedriver we started (killed on drop) and at most one WebDriver session on it.
pub struct Driver {
    chromedriver: Child,
    url: String,
    session: Option<WebDriver>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

impl Driver {
    /// Starts `/usr/bin/chromedriver` on a free port and waits until it answers.
    async fn start() -> Result<Driver> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("a free port for chromedriver")?
            .port();
        let chromedriver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start chromedriver")?;
        let driver = Driver {
            chromedriver,
            url: format!("http://127.0.0.1:{port}"),
            session: None,
        };
        let status = format!("{}/status", driver.url);
        let t = Instant::now();
        while !reqwest::get(&status)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            if t.elapsed() > Duration::from_secs(20) {
                bail!("chromedriver did not answer within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(driver)
    }

    fn session(&self) -> Result<&WebDriver> {
        self.session.as_ref().context("no browser session")
    }

    /// A new headless Chromium (profile `profile`), with the page scripts installed and
    /// `leads_full_user`'s session cookie set.
    async fn open_session(&mut self, profile: &Path, ctx: &BrowserCtx<'_>) -> Result<()> {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM)?;
        let profile = format!("--user-data-dir={}", profile.display());
        for arg in CHROMIUM_FLAGS.split_whitespace().chain([profile.as_str()]) {
            caps.add_arg(arg)?;
        }
        self.session = Some(WebDriver::new(self.url.as_str(), caps).await?);
        if let Err(e) = self.setup_session(ctx).await {
            self.close_session().await;
            return Err(e);
        }
        Ok(())
    }

    async fn setup_session(&self, ctx: &BrowserCtx<'_>) -> Result<()> {
        for script in [TTL_SCRIPT, PAGE_HELPERS] {
            self.cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": script }),
            )
            .await?;
        }
        let session = self.session()?;
        session.set_script_timeout(Duration::from_secs(180)).await?;
        session.goto(format!("{}/{FLOOR_FILE}", ctx.base())).await?;
        let (name, value) = ctx
            .user
            .cookie()
            .split_once('=')
            .context("bad sid cookie")?;
        let mut cookie = Cookie::new(name, value);
        cookie.set_path("/");
        cookie.set_http_only(true);
        session.add_cookie(cookie).await?;
        Ok(())
    }

    /// Ends the WebDriver session (and its Chromium), if there is one.
    async fn close_session(&mut self) {
        if let Some(session) = self.session.take() {
            let _ = session.quit().await;
        }
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        Ok(self.session()?.goto(url).await?)
    }

    pub async fn current_url(&self) -> Result<String> {
        Ok(self.session()?.current_url().await?.to_string())
    }

    /// Runs `script` (a function body: `return …;`) in the page.
    pub async fn execute(&self, script: &str) -> Result<Value> {
        let ret = self.session()?.execute(script, Vec::new()).await?;
        Ok(ret.json().clone())
    }

    /// Evaluates `promise` (an expression) in the page and returns what it resolves to; a
    /// rejection comes back as `{ "error": … }`.
    ///
    /// Through CDP `Runtime.evaluate`, not WebDriver's execute-async: chromedriver's wrapper
    /// leaves every async result in the page, about 6 KB per 50 page switches' timings, which
    /// section 6 counted as the page's JS heap growing by 0.12 KB per switch (a heap sampling
    /// profile showed those objects allocated by the wrapper's scripts; through CDP the
    /// SPA's and the React reference's heaps stay flat over thousands of switches).
    pub async fn evaluate(&self, promise: &str) -> Result<Value> {
        let expression = format!(
            "Promise.resolve().then(() => {promise}).catch((e) => ({{ error: String(e && e.stack || e) }}))"
        );
        let v = self
            .cdp(
                "Runtime.evaluate",
                json!({
                    "expression": expression,
                    "awaitPromise": true,
                    "returnByValue": true,
                }),
            )
            .await?;
        if let Some(e) = v.get("exceptionDetails") {
            bail!("in the page: {e}");
        }
        Ok(v["result"]["value"].clone())
    }

    /// A Chrome DevTools Protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        Ok(self.session()?.cdp().send_raw(cmd, params).await?)
    }

    /// Polls `script` (a `return …;` body) until it returns true.
    pub async fn wait_for(&self, script: &str, what: &str) -> Result<()> {
        let started = Instant::now();
        loop {
            if self.execute(script).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("{what}: not within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The floor: a static page with the same first 20 leads already in it (and the SPA's CSS).
async fn write_floor(dist: &Path, user: &Client) -> Result<()> {
    let page: Value = user
        .get_json("/internal/entity_analytics/leads?page=1&perPage=20")
        .await?;
    let css: Vec<String> = std::fs::read_dir(dist)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".css"))
        .collect();
    let mut html = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Leads (static floor)</title>",
    );
    for c in &css {
        let _ = write!(html, "<link rel=\"stylesheet\" href=\"/{c}\">");
    }
    html.push_str(
        "</head><body><section data-testid=\"leads-section\"><h2>Top threat hunting leads</h2>",
    );
    for lead in page["leads"].as_array().context("find answered no leads")? {
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
    std::fs::write(dist.join(FLOOR_FILE), html).context("write floor")
}

/// The space of the list figures: created through the spaces API as `elastic` (the server
/// keeps spaces in memory), then [`LIST_LEADS`] synthetic leads stored in it, all active so
/// the default status filter pages through every one of them.
async fn list_space(ctx: &BrowserCtx<'_>) -> Result<()> {
    ctx.elastic
        .send_json(
            Method::POST,
            gatehouse_api::spaces::SPACES_PATH,
            &json!({ "id": LIST_SPACE, "name": "Bench 10k" }),
            &format!("create space {LIST_SPACE}"),
        )
        .await?;
    insert_leads(ctx.db_path, LIST_SPACE, LIST_LEADS, 10, true).await
}

/// Starts chromedriver and one headless Chromium session, runs every browser figure in it
/// (each failure is reported as that figure's "not measured"), and ends the session.
pub async fn figures(
    tmp: &Path,
    dist: &Path,
    ctx: &BrowserCtx<'_>,
    report: &mut Report,
) -> Result<()> {
    list_space(ctx).await?;
    write_floor(dist, ctx.user).await?;
    let mut d = Driver::start().await?;
    d.open_session(&tmp.join("chromium-profile"), ctx).await?;
    // 3. Time to leads.
    match time_to_leads::runs(&d, ctx).await {
        Ok(t) => time_to_leads::report(t, report),
        Err(e) => {
            if ctx.react {
                report
                    .react
                    .push(format!("time to leads not measured ({e:#})"));
            }
            report.not_measured("time to leads", "3. Time to leads in headless Chromium", &e);
        }
    }

    // 3a. Time to interactive, beside the React reference.
    match interactive::runs(&d, ctx).await {
        Ok(t) => interactive::report(t, report),
        Err(e) => report.not_measured("time to interactive", "3a. Time to interactive", &e),
    }

    // 4. Permission reaction. The role is put back whatever happened.
    let reaction = page_updates::permission_reaction(&d, ctx).await;
    let restored = page_updates::put_leads_role(ctx, true).await;
    match reaction.and_then(|r| restored.map(|()| r)) {
        Ok(runs) => page_updates::report_permission_reaction(&runs, report),
        Err(e) => report.not_measured("permission reaction", "4. Permission reaction", &e),
    }

    // 5. List rendering and 6. memory, in one visit of the 10,000-lead space; then the same
    // visit of the React reference. Each in a fresh Chromium: a renderer's JS heap can still
    // hold what earlier pages left in it, which would count for the page measured.
    d.close_session().await;
    let spa_url = format!("{}/s/{LIST_SPACE}{SPA_PATH}", ctx.base());
    let spa = match d
        .open_session(&tmp.join("chromium-profile-spa-list"), ctx)
        .await
    {
        Ok(()) => memory::list_and_memory(&d, &spa_url, true).await,
        Err(e) => Err(e),
    };
    d.close_session().await;
    let react = if ctx.react {
        let url = format!("{}/s/{LIST_SPACE}/{REACT_DIR}/", ctx.base());
        let profile = tmp.join("chromium-profile-react-list");
        Some(match d.open_session(&profile, ctx).await {
            Ok(()) => memory::list_and_memory(&d, &url, false).await,
            Err(e) => Err(e),
        })
    } else {
        None
    };
    match &react {
        Some(Ok(r)) => memory::react_list_summary(r, report),
        Some(Err(e)) => report
            .react
            .push(format!("list rendering and memory not measured ({e:#})")),
        None => {}
    }
    match spa {
        Ok(m) => {
            page_updates::report_list_rendering(&m, react.as_ref(), report);
            memory::report_memory(&m, react.as_ref(), report);
        }
        Err(e) => {
            report.line(format!("list rendering: not measured ({e:#})"));
            report.line(format!("memory: not measured ({e:#})"));
            report.sections.push(format!(
                "## 5. List rendering\n\nNot measured in this run: {e:#}\n\n\
                 ## 6. Memory\n\nNot measured in this run: {e:#}\n"
            ));
        }
    }
    d.close_session().await;
    Ok(())
}

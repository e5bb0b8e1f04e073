//! Browser end-to-end harness for Gatehouse.
//!
//! Each test gets its own real `gatehouse-server` (on `127.0.0.1:0`, a temporary seeded SQLite
//! database, serving the release SPA from `$GATEHOUSE_DIST`), its own `/usr/bin/chromedriver` on a
//! free port and a fresh headless Chromium profile. [`run`] tears all of it down whether the test
//! passes, fails or panics, and saves a `FAILED-<test>.png` screenshot when it does not pass.
//! A test whose browser console shows a Content-Security-Policy violation fails.
//!
//! Run through `cargo xtask test`, which builds the SPA first and sets `GATEHOUSE_DIST`.

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use gatehouse_server::faults::{FaultRule, FaultRules, FaultsReport, FAULTS_PATH};
use thirtyfour::prelude::*;
use thirtyfour::{ChromiumLikeCapabilities, LoggingPrefsLogLevel};

pub use gatehouse_server::faults::FaultKind;
pub use thirtyfour;

/// Password of every seeded demo user.
pub const PASSWORD: &str = "changeme";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Default wait for an element or a navigation. Generous: CI machines have 2 cores.
pub const TIMEOUT: Duration = Duration::from_secs(20);

const POLL: Duration = Duration::from_millis(100);

/// The release SPA (`cargo xtask dist` output: split into per-page modules), from `$GATEHOUSE_DIST`.
pub fn dist_dir() -> Result<PathBuf> {
    let Some(dir) = std::env::var_os("GATEHOUSE_DIST") else {
        bail!(
            "GATEHOUSE_DIST is not set: the browser tests need the built SPA. Run them with \
             `cargo xtask test` (it builds the SPA and sets GATEHOUSE_DIST), or run \
             `cargo xtask dist` and set GATEHOUSE_DIST to the directory it prints"
        );
    };
    let dir = PathBuf::from(dir);
    let dir = if dir.is_absolute() {
        dir
    } else {
        std::env::current_dir()?.join(dir)
    };
    if !dir.join("index.html").is_file() {
        bail!(
            "GATEHOUSE_DIST={} has no index.html; build the SPA with `cargo xtask dist DIR` \
             (or run `cargo xtask test`)",
            dir.display()
        );
    }
    Ok(dir)
}

/// Where screenshots go: `$GATEHOUSE_SCREENSHOTS`, else `<workspace>/target/screenshots`.
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("GATEHOUSE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let e2e = Path::new(env!("CARGO_MANIFEST_DIR"));
            e2e.parent().unwrap_or(e2e).join("target/screenshots")
        })
}

/// How [`run_with`] starts the server under test.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Enable the server's test-only fault injector (`gatehouse_server::faults`), driven with
    /// [`Browser::set_faults`] / [`Browser::clear_faults`].
    pub faults: bool,
    /// Serve HTTPS with a self-signed certificate generated for the test; the browser is told to
    /// accept it (`--ignore-certificate-errors`) and [`Browser::base_url`] is `https://…`.
    pub tls: bool,
}

/// One line of the browser console (`goog:loggingPrefs` browser log).
#[derive(Debug, Clone)]
pub struct ConsoleEntry {
    /// `SEVERE`, `WARNING`, `INFO`, …
    pub level: String,
    /// `console-api`, `javascript` (uncaught errors), `network`, … when Chromium says.
    pub source: Option<String>,
    pub message: String,
}

impl ConsoleEntry {
    /// A wasm panic (console_error_panic_hook prints `panicked at`; the trap after it is a
    /// `RuntimeError`) or any uncaught script error: the app is broken, not merely unlucky.
    pub fn is_crash(&self) -> bool {
        self.message.contains("panicked at")
            || self.message.contains("RuntimeError")
            || self.message.contains("unreachable")
            || self.source.as_deref() == Some("javascript")
    }

    /// Chromium's report of something the page's Content-Security-Policy refused ("Refused to
    /// execute inline script because it violates the following Content Security Policy
    /// directive: …"): the SPA must run under its policy without one.
    pub fn is_csp_violation(&self) -> bool {
        self.message.contains("Content Security Policy")
    }
}

/// A driven browser pointed at one running Gatehouse. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Browser {
    pub driver: WebDriver,
    /// `http://127.0.0.1:<port>` of the server under test (`https://` with [`Options::tls`]).
    pub base_url: String,
    screenshots: PathBuf,
    /// Everything read from the browser log so far (reading drains Chromium's buffer).
    console: Arc<Mutex<Vec<ConsoleEntry>>>,
}

impl Browser {
    /// Absolute URL of a path on the server under test.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Navigates to a path on the server under test.
    pub async fn goto(&self, path: &str) -> Result<()> {
        let url = self.url(path);
        self.driver
            .goto(url.as_str())
            .await
            .with_context(|| format!("navigating to {url}"))
    }

    /// Current path plus query string, e.g. `/login?next=%2Fapp%2Fdashboards`.
    pub async fn location(&self) -> Result<String> {
        let url = self.driver.current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        })
    }

    /// Current path without the query string.
    pub async fn path(&self) -> Result<String> {
        Ok(self.driver.current_url().await?.path().to_string())
    }

    /// Polls until an element matching the CSS `selector` is present and displayed.
    pub async fn wait_for(&self, selector: &str, timeout: Duration) -> Result<WebElement> {
        let started = Instant::now();
        loop {
            if let Ok(el) = self.driver.find(By::Css(selector)).await {
                if el.is_displayed().await.unwrap_or(false) {
                    return Ok(el);
                }
            }
            if started.elapsed() > timeout {
                let at = self.location().await.unwrap_or_else(|e| format!("<{e}>"));
                bail!("timed out after {timeout:?} waiting for `{selector}` (page: {at})");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// [`Browser::wait_for`] on `[data-testid="<id>"]`.
    pub async fn wait_for_testid(&self, id: &str, timeout: Duration) -> Result<WebElement> {
        self.wait_for(&testid(id), timeout).await
    }

    /// Presses Escape where the focus is (closes a dialog, a menu or a tooltip).
    pub async fn press_escape(&self) -> Result<()> {
        self.driver
            .action_chain()
            .send_keys(Key::Escape)
            .perform()
            .await?;
        Ok(())
    }

    /// Presses Escape and waits until no `<dialog>` is open; `what` names it if one stays.
    pub async fn close_dialog_with_escape(&self, what: &str) -> Result<()> {
        self.press_escape().await?;
        let started = Instant::now();
        while self.is_shown("dialog[open]").await? {
            if started.elapsed() > TIMEOUT {
                bail!("Escape did not close the {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// True when an element matching `selector` is currently present and displayed.
    pub async fn is_shown(&self, selector: &str) -> Result<bool> {
        for el in self.driver.find_all(By::Css(selector)).await? {
            if el.is_displayed().await.unwrap_or(false) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Polls until the current path (without query) equals `path`.
    pub async fn wait_for_path(&self, path: &str, timeout: Duration) -> Result<String> {
        let started = Instant::now();
        loop {
            let location = self.location().await?;
            if location.split('?').next() == Some(path) {
                return Ok(location);
            }
            if started.elapsed() > timeout {
                bail!("timed out after {timeout:?} waiting for path {path}; still at {location}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Fills and submits the login form, waiting for it to show: a page of the app opened while
    /// signed out redirects to `/login?next=…` by itself (so `next` is kept); a tab that is not on
    /// the server under test yet (e.g. the initial blank page) is sent to `/login`. Does not wait for
    /// the outcome.
    pub async fn login(&self, user: &str, password: &str) -> Result<()> {
        if !self.is_shown("#login-username").await? {
            let current = self.driver.current_url().await?;
            if !current.as_str().starts_with(&format!("{}/", self.base_url)) {
                self.goto("/login").await?;
            }
        }
        let username = self.wait_for("#login-username", TIMEOUT).await?;
        username.clear().await?;
        username.send_keys(user).await?;
        let pass = self.wait_for("#login-password", TIMEOUT).await?;
        pass.clear().await?;
        pass.send_keys(password).await?;
        self.wait_for("#login-submit", TIMEOUT)
            .await?
            .click()
            .await
            .context("clicking #login-submit")?;
        Ok(())
    }

    /// Logs in with the demo password and waits for the signed-in shell; returns the
    /// `user-menu` element.
    pub async fn sign_in(&self, user: &str) -> Result<WebElement> {
        self.login(user, PASSWORD).await?;
        self.wait_for_testid("user-menu", TIMEOUT)
            .await
            .with_context(|| format!("signing in as {user}"))
    }

    /// Every console line of this browser session so far (page loads included).
    pub async fn console(&self) -> Result<Vec<ConsoleEntry>> {
        let fresh = self
            .driver
            .browser_log()
            .await
            .context("reading the browser console (goog:loggingPrefs)")?;
        let mut all = self.console.lock().unwrap_or_else(|e| e.into_inner());
        all.extend(fresh.into_iter().map(|entry| ConsoleEntry {
            level: entry.level,
            source: entry.source,
            message: entry.message,
        }));
        Ok(all.clone())
    }

    /// The CSP violations in the console so far, taken out of it: for a test that causes one on
    /// purpose, so [`run`]'s check after the test does not count it.
    pub async fn take_csp_violations(&self) -> Result<Vec<ConsoleEntry>> {
        self.console().await?;
        let mut all = self.console.lock().unwrap_or_else(|e| e.into_inner());
        let (violations, rest) = all.drain(..).partition(ConsoleEntry::is_csp_violation);
        *all = rest;
        Ok(violations)
    }

    /// Fails if the console so far shows a Content-Security-Policy violation.
    pub async fn assert_no_csp_violation(&self) -> Result<()> {
        let violations: Vec<String> = self
            .console()
            .await?
            .into_iter()
            .filter(ConsoleEntry::is_csp_violation)
            .map(|e| e.message)
            .collect();
        if !violations.is_empty() {
            bail!(
                "the page broke its Content-Security-Policy:\n{}",
                violations.join("\n")
            );
        }
        Ok(())
    }

    /// Fails if the console so far shows a wasm panic or an uncaught script error.
    pub async fn assert_no_crash(&self) -> Result<()> {
        let crashes: Vec<String> = self
            .console()
            .await?
            .into_iter()
            .filter(ConsoleEntry::is_crash)
            .map(|e| {
                format!(
                    "[{} {}] {}",
                    e.level,
                    e.source.unwrap_or_default(),
                    e.message
                )
            })
            .collect();
        if !crashes.is_empty() {
            bail!("the browser console shows a crash:\n{}", crashes.join("\n"));
        }
        Ok(())
    }

    /// Replaces the server's fault rules (needs [`Options::faults`]); returns the server's report.
    pub async fn set_faults(&self, rules: Vec<FaultRule>) -> Result<FaultsReport> {
        let body = FaultRules { rules }.to_json();
        self.faults_call("PUT", Some(body)).await
    }

    /// Clears the server's fault rules; the report still counts what was injected.
    pub async fn clear_faults(&self) -> Result<FaultsReport> {
        self.faults_call("DELETE", None).await
    }

    /// The rules in force and how many answers each fault kind has spoiled.
    pub async fn fault_report(&self) -> Result<FaultsReport> {
        self.faults_call("GET", None).await
    }

    async fn faults_call(
        &self,
        method: &'static str,
        body: Option<String>,
    ) -> Result<FaultsReport> {
        let addr: SocketAddr = self
            .base_url
            .trim_start_matches("http://")
            .parse()
            .context("server address")?;
        // Plain HTTP/1.1 on a blocking socket, off the runtime that also runs the server.
        let answer = tokio::task::spawn_blocking(move || raw_http(addr, method, FAULTS_PATH, body))
            .await
            .context("fault control task")??;
        let (status, text) = answer;
        if status != 200 {
            bail!("{method} {FAULTS_PATH} answered {status}: {text} (is Options::faults set?)");
        }
        FaultsReport::from_json(&text).with_context(|| format!("fault report: {text}"))
    }

    /// Saves a PNG of the viewport as `<screenshot dir>/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.screenshots)
            .with_context(|| format!("creating {}", self.screenshots.display()))?;
        let file: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.screenshots.join(format!("{file}.png"));
        let png = self.driver.screenshot_as_png().await?;
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        println!("screenshot: {}", path.display());
        Ok(path)
    }
}

/// One request with Kibana's headers over a fresh connection; returns the status and body.
fn raw_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nkbn-xsrf: true\r\n\
         x-elastic-internal-origin: Kibana\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, rest) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("no HTTP answer from {addr}: {raw:?}"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| anyhow!("no status line: {head:?}"))?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let text = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok((status, text))
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || tail.len() < size {
            break;
        }
        out.push_str(&tail[..size]);
        rest = tail[size..].trim_start_matches("\r\n");
    }
    out
}

/// CSS selector for a `data-testid`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// `/usr/bin/chromedriver --port=<free port>` in its own process group; killed (with anything it
/// started) on drop.
struct ChromeDriver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl ChromeDriver {
    fn start(log_dir: &Path) -> Result<ChromeDriver> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            bail!(
                "{CHROMEDRIVER} and {CHROMIUM} are required (`cargo xtask test` installs them as root; \
                 otherwise: apt-get install chromium chromium-driver)"
            );
        }
        let port = free_port()?;
        let log = log_dir.join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {CHROMEDRIVER}"))?;
        let mut driver = ChromeDriver { child, port, log };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(driver);
            }
            if let Some(status) = driver.child.try_wait()? {
                bail!(
                    "chromedriver exited during startup ({status}); log:\n{}",
                    driver.log_tail()
                );
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!(
                    "chromedriver did not listen on port {port} within 30s; log:\n{}",
                    driver.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on the process group created for chromedriver (and the browsers it started
        // there).
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

async fn new_session(
    chromedriver: &ChromeDriver,
    profile: &Path,
    self_signed_server: bool,
) -> Result<WebDriver> {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM)?;
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--window-size=1280,900",
    ] {
        caps.add_arg(arg)?;
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.display()))?;
    if self_signed_server {
        // The test's own certificate, generated a moment ago: trusting it in Chromium's NSS store
        // would need certutil and a profile of its own for no more coverage of our server.
        caps.add_arg("--ignore-certificate-errors")?;
    }
    // Console lines and uncaught errors, read back with `Browser::console`.
    caps.set_browser_log_level(LoggingPrefsLogLevel::All)?;
    let driver = WebDriver::new(chromedriver.url(), caps)
        .await
        .with_context(|| {
            format!(
                "creating a Chromium session; chromedriver log:\n{}",
                chromedriver.log_tail()
            )
        })?;
    driver.set_window_rect(0, 0, 1280, 900).await?;
    Ok(driver)
}

/// A self-signed certificate for 127.0.0.1, written as PEM files in `dir`.
fn self_signed_certificate(dir: &Path) -> Result<gatehouse_server::tls::TlsFiles> {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .context("generating a self-signed certificate")?;
    let files = gatehouse_server::tls::TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, cert.pem())?;
    std::fs::write(&files.key, signing_key.serialize_pem())?;
    Ok(files)
}

/// Everything one test needs; torn down by [`run`].
struct Harness {
    driver: WebDriver,
    // Field order is drop order: browser first, then chromedriver, then server, then the temp dir.
    chromedriver: ChromeDriver,
    server: gatehouse_server::RunningServer,
    tmp: tempfile::TempDir,
}

async fn start(options: Options) -> Result<(Harness, Browser)> {
    let dist = dist_dir()?;
    let tmp = tempfile::Builder::new()
        .prefix("gatehouse-e2e-")
        .tempdir()
        .context("creating a temp dir")?;
    let tls = if options.tls {
        Some(self_signed_certificate(tmp.path())?)
    } else {
        None
    };
    let config = gatehouse_server::Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        db_path: tmp.path().join("gatehouse.db"),
        dist_dir: Some(dist),
        seed: true,
        faults: options.faults,
        tls,
        ..Default::default()
    };
    let server = gatehouse_server::start(config)
        .await
        .map_err(|e| anyhow!("starting gatehouse-server: {e:#}"))?;
    let base_url = server.url();

    let chromedriver = ChromeDriver::start(tmp.path())?;
    let profile = tmp.path().join("chromium-profile");
    std::fs::create_dir_all(&profile)?;
    let driver = new_session(&chromedriver, &profile, options.tls).await?;

    let browser = Browser {
        driver: driver.clone(),
        base_url,
        screenshots: screenshot_dir(),
        console: Arc::default(),
    };
    Ok((
        Harness {
            driver,
            chromedriver,
            server,
            tmp,
        },
        browser,
    ))
}

/// Starts a server, chromedriver and a browser, runs `test` with the browser, and tears everything
/// down afterwards, whatever the outcome. A failing or panicking test leaves
/// `FAILED-<test name>.png` in the screenshot directory.
///
/// Use from a multi-threaded tokio test:
/// ```ignore
/// #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn example() -> anyhow::Result<()> {
///     gatehouse_e2e::run(|b| async move { b.goto("/login").await }).await
/// }
/// ```
pub async fn run<F, Fut>(test: F) -> Result<()>
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    run_with(Options::default(), test).await
}

/// [`run`] with a server started as `options` say (e.g. with the fault injector enabled).
pub async fn run_with<F, Fut>(options: Options, test: F) -> Result<()>
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    let name = std::thread::current()
        .name()
        .unwrap_or("test")
        .rsplit("::")
        .next()
        .unwrap_or("test")
        .to_string();
    let (harness, browser) = start(options).await?;

    // A spawned task turns a panic into a JoinError, so cleanup below always runs.
    let outcome = tokio::spawn(test(browser.clone())).await;
    let mut passed = matches!(outcome, Ok(Ok(())));
    // Every test runs under the server's Content-Security-Policy: a violation fails it.
    let policy_kept = if passed {
        browser.assert_no_csp_violation().await
    } else {
        Ok(())
    };
    passed &= policy_kept.is_ok();
    if !passed {
        let _ = browser.screenshot(&format!("FAILED-{name}")).await;
        if let Ok(at) = browser.location().await {
            eprintln!("{name}: failed at {at}");
        }
        if let Ok(console) = browser.console().await {
            for entry in console.iter().rev().take(30).rev() {
                eprintln!("{name}: console [{}] {}", entry.level, entry.message);
            }
        }
    }
    let Harness {
        driver,
        chromedriver,
        server,
        tmp,
    } = harness;
    drop(browser);
    let quit = driver.quit().await;
    drop(chromedriver);
    server.shutdown().await;
    drop(tmp);

    match outcome {
        Ok(result) => {
            result?;
            policy_kept?;
            quit.context("closing the browser session")?;
            Ok(())
        }
        Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Err(join) => Err(anyhow!("test task was cancelled: {join}")),
    }
}

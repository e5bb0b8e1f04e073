//! Project automation for Gatehouse: `cargo xtask dev | test | bench | soak`.
//!
//! Plain std (plus `ctrlc`/`libc` for signal handling in `dev`): every external tool is run as a
//! child process with `~/.cache/gatehouse/binaryen/node_modules/.bin` and `~/.cargo/bin` first on
//! `PATH`, so the pinned trunk, wasm-bindgen and wasm-opt are the ones found.

use std::env;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

mod bench;
#[cfg(any(test, feature = "bench"))]
mod http_load;
mod soak;
mod spa_release;

const TRUNK_VERSION: &str = "0.21.14";
const WASM_BINDGEN_VERSION: &str = "0.2.130";
const BINARYEN_VERSION: &str = "132";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const SERVER_ADDR: &str = "127.0.0.1:5601";
const TRUNK_ADDR: &str = "127.0.0.1:8080";

const DEMO_USERS: &[(&str, &str)] = &[
    ("elastic", "superuser: everything"),
    ("leads_full_user", "leads: read + write"),
    ("leads_read_user", "leads: read only"),
    ("leads_no_access_user", "leads section absent"),
    ("alice", "Alice Analyst: Dashboards only"),
    ("bob", "Bob Responder: Dashboards only"),
];

type Result<T, E = String> = std::result::Result<T, E>;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  dev     install missing tools, run the server (127.0.0.1:5601) and `trunk serve`
          (http://127.0.0.1:8080, proxies /api and /internal to the server); Ctrl-C stops both
  test    install missing tools, then: native tests, wasm tests in headless Chromium,
          the release SPA split into per-page wasm modules (into <target dir>/xtask/dist),
          browser end-to-end tests against that build
  bench   install missing tools, the release SPA (as for test, into <target dir>/xtask/bench-dist)
          and the React reference (`npm ci` + esbuild in bench/react, into bench-dist/react;
          its rows read \"not run\" without npm), then measure in a release build (transfer
          size, server throughput, time to leads, permission reaction, list rendering, memory,
          each side by side with the reference where it has one) and write BENCHMARKS.md; one
          summary line per figure
  dist    [DIR] the release SPA, split into per-page wasm modules, into DIR (relative to the
          repository root; default <target dir>/xtask/dist): what `gatehouse-server --dist DIR`
          serves in production
  soak    [--sessions N] [--seconds S] (default 32, 60): the release server on loopback under N
          signed-in sessions of mixed reads, generates, edits and mode changes for S seconds;
          fails on any 5xx, lost update or unexpected answer, or if the server's memory grows
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let ctx = match Ctx::new() {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("xtask: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(&ctx),
        Some("test") => test(&ctx),
        Some("bench") => bench::bench(&ctx),
        Some("dist") => dist(&ctx, &args[1..]),
        #[cfg(feature = "bench")]
        Some("bench-measure") => bench::bench_measure(&ctx, &args[1..]),
        Some("soak") => soak::soak(&ctx, &args[1..]),
        #[cfg(feature = "bench")]
        Some("soak-run") => soak::soak_run(&ctx, &args[1..]),
        #[cfg(feature = "bench")]
        Some("soak-server") => soak::soak_server(&args[1..]),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("xtask: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
        None => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Paths every command needs.
struct Ctx {
    root: PathBuf,
    binaryen_dir: PathBuf,
    binaryen_bin: PathBuf,
    cargo_bin: PathBuf,
}

impl Ctx {
    fn new() -> Result<Ctx> {
        // `cargo run` sets CARGO_MANIFEST_DIR for the run too. Prefer it to the compile-time
        // value: two checkouts sharing one target directory (a CI clone beside the working tree)
        // share the xtask binary, and the baked path would point at the other checkout.
        let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .ok_or("xtask has no parent directory")?
            .to_path_buf();
        let home = env::var_os("HOME")
            .map(PathBuf::from)
            .ok_or("HOME is not set")?;
        let binaryen_dir = home.join(".cache/gatehouse/binaryen");
        let binaryen_bin = binaryen_dir.join("node_modules/.bin");
        let cargo_bin = env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".cargo"))
            .join("bin");

        // Child processes (trunk, cargo, wasm-bindgen-test-runner) must find the pinned tools first.
        let old = env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![binaryen_bin.clone(), cargo_bin.clone()];
        dirs.extend(env::split_paths(&old).filter(|p| *p != binaryen_bin && *p != cargo_bin));
        let path: OsString = env::join_paths(dirs).map_err(|e| format!("bad PATH: {e}"))?;
        // Single-threaded at this point, so changing our own environment is sound.
        env::set_var("PATH", path);
        env::set_current_dir(&root).map_err(|e| format!("cd {}: {e}", root.display()))?;

        Ok(Ctx {
            root,
            binaryen_dir,
            binaryen_bin,
            cargo_bin,
        })
    }

    /// Cargo's target directory: `$CARGO_TARGET_DIR` (relative to the repository) or `target/`.
    fn target_dir(&self) -> PathBuf {
        env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|p| {
                if p.is_absolute() {
                    p
                } else {
                    self.root.join(p)
                }
            })
            .unwrap_or_else(|| self.root.join("target"))
    }
}

// ---------------------------------------------------------------------------------------------
// Small process helpers

fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// Runs `f` as a named, timed step.
fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("xtask: ==> {name}");
    let _ = std::io::stdout().flush();
    let started = Instant::now();
    let result = f();
    let took = fmt_duration(started.elapsed());
    match &result {
        Ok(_) => println!("xtask: <== {name}: ok ({took})"),
        Err(e) => println!("xtask: <== {name}: FAILED ({took}): {e}"),
    }
    result
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// Runs a command with inherited stdio and fails unless it exits successfully.
fn run(mut cmd: Command) -> Result<()> {
    let what = describe(&cmd);
    println!("xtask: $ {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{what}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{what}` failed ({status})"))
    }
}

/// Output of `program --version` (stdout and stderr), or `None` when it cannot be run.
fn version_output(program: &Path) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(s.trim().to_string())
}

/// True when `output` (e.g. `trunk 0.21.14`) names exactly `version` as one of its words.
fn has_version(output: &str, version: &str) -> bool {
    output
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .any(|word| word.trim_start_matches('v') == version)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn apt_install(packages: &[&str]) -> Result<()> {
    let mut update = Command::new("apt-get");
    update
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive");
    run(update)?;
    let mut install = Command::new("apt-get");
    install
        .args(["install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null());
    run(install)
}

// ---------------------------------------------------------------------------------------------
// Tools

#[derive(Clone, Copy, PartialEq)]
enum Need {
    /// `cargo xtask dev`: what `trunk serve` needs.
    Dev,
    /// `cargo xtask test`: additionally wasm-opt (release build) and Chromium + chromedriver.
    Test,
}

fn ensure_tools(ctx: &Ctx, need: Need) -> Result<()> {
    step(&format!("rust target {WASM_TARGET}"), ensure_wasm_target)?;
    step(&format!("trunk {TRUNK_VERSION}"), || {
        ensure_cargo_tool(
            ctx,
            "trunk",
            TRUNK_VERSION,
            &["trunk", "--version", TRUNK_VERSION, "--locked"],
        )
    })?;
    step(&format!("wasm-bindgen-cli {WASM_BINDGEN_VERSION}"), || {
        // No --locked: the crate's lock file names a version the registry does not have.
        let install = ["wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION];
        ensure_cargo_tool(ctx, "wasm-bindgen", WASM_BINDGEN_VERSION, &install)?;
        if need == Need::Test {
            let runner = ctx.cargo_bin.join("wasm-bindgen-test-runner");
            if !runner.exists() {
                return Err(format!(
                    "{} is missing although wasm-bindgen is installed; run `cargo install wasm-bindgen-cli --version {WASM_BINDGEN_VERSION} --force`",
                    runner.display()
                ));
            }
        }
        Ok(())
    })?;
    if need == Need::Test {
        step(&format!("wasm-opt (binaryen {BINARYEN_VERSION})"), || {
            ensure_wasm_opt(ctx)
        })?;
        step("chromium + chromedriver", ensure_browser)?;
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    if Path::new(&sysroot)
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .is_dir()
    {
        println!("xtask: {WASM_TARGET} already installed");
        return Ok(());
    }
    let mut cmd = Command::new("rustup");
    cmd.args(["target", "add", WASM_TARGET]);
    run(cmd).map_err(|e| format!("{e} (is rustup installed? the {WASM_TARGET} target is required)"))
}

/// Makes sure `program --version` reports `version`, running `cargo install <install...>` if not.
fn ensure_cargo_tool(ctx: &Ctx, program: &str, version: &str, install: &[&str]) -> Result<()> {
    let found = version_output(Path::new(program));
    if let Some(out) = &found {
        if has_version(out, version) {
            println!("xtask: {out}: ok");
            return Ok(());
        }
        println!("xtask: found `{out}`, need {version}: installing");
    } else {
        println!(
            "xtask: {program} not found: installing {version} (takes 10-20 minutes on 2 cores)"
        );
    }
    let mut cmd = Command::new("cargo");
    cmd.arg("install").args(install).stdin(Stdio::null());
    run(cmd)?;
    // Check what PATH resolves now, not just what was installed.
    match version_output(Path::new(program)) {
        Some(out) if has_version(&out, version) => Ok(()),
        other => Err(format!(
            "after installing, `{program} --version` reports {:?}; make sure {} is first on PATH",
            other.unwrap_or_else(|| "nothing".into()),
            ctx.cargo_bin.display()
        )),
    }
}

fn ensure_wasm_opt(ctx: &Ctx) -> Result<()> {
    let wasm_opt = ctx.binaryen_bin.join("wasm-opt");
    if let Some(out) = version_output(&wasm_opt) {
        if has_version(&out, BINARYEN_VERSION) {
            println!("xtask: {out}: ok");
            return Ok(());
        }
        println!("xtask: found `{out}`, need version {BINARYEN_VERSION}: installing");
    }
    // Debian's binaryen (108) silently breaks release builds; only npm's binaryen@132 is used.
    if version_output(Path::new("npm")).is_none() {
        if is_root() {
            apt_install(&["nodejs", "npm"])?;
        } else {
            return Err(
                "npm is needed to install binaryen@132 (wasm-opt); install Node.js and npm \
                 (Debian: `sudo apt-get install nodejs npm`) and re-run"
                    .into(),
            );
        }
    }
    std::fs::create_dir_all(&ctx.binaryen_dir)
        .map_err(|e| format!("mkdir {}: {e}", ctx.binaryen_dir.display()))?;
    let mut cmd = Command::new("npm");
    cmd.arg("install")
        .arg("--prefix")
        .arg(&ctx.binaryen_dir)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .arg(format!("binaryen@{BINARYEN_VERSION}"))
        .stdin(Stdio::null());
    run(cmd)?;
    match version_output(&wasm_opt) {
        Some(out) if has_version(&out, BINARYEN_VERSION) => {
            println!("xtask: {out}: ok");
            Ok(())
        }
        other => Err(format!(
            "{} reports {other:?} after npm install, expected version {BINARYEN_VERSION}",
            wasm_opt.display()
        )),
    }
}

fn ensure_browser() -> Result<()> {
    let present = || Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present() {
        if is_root() {
            println!("xtask: {CHROMIUM} or {CHROMEDRIVER} missing: installing with apt-get");
            apt_install(&["chromium", "chromium-driver"])?;
        } else {
            return Err(format!(
                "{CHROMIUM} and {CHROMEDRIVER} are required for the browser tests. Install them as root:\n  \
                 apt-get update && apt-get install -y chromium chromium-driver"
            ));
        }
        if !present() {
            return Err(format!(
                "{CHROMIUM} / {CHROMEDRIVER} still missing after apt-get install"
            ));
        }
    }
    if let Some(v) = version_output(Path::new(CHROMEDRIVER)) {
        println!("xtask: {v}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// cargo xtask test

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }
}

/// Parses a libtest / wasm-bindgen-test summary line such as
/// `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s`.
fn parse_test_result(line: &str) -> Option<Counts> {
    let rest = line.trim().strip_prefix("test result:")?;
    let mut counts = Counts::default();
    let mut seen = false;
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        if words.len() < 2 {
            continue;
        }
        let (n, label) = (words[words.len() - 2], words[words.len() - 1]);
        let Ok(n) = n.parse::<u64>() else { continue };
        match label {
            "passed" => counts.passed = n,
            "failed" => counts.failed = n,
            "ignored" => counts.ignored = n,
            _ => continue,
        }
        seen = true;
    }
    seen.then_some(counts)
}

/// What a step of `cargo xtask test` reports: the tests it counted (`None` for build steps) and
/// whether it succeeded.
struct Outcome {
    counts: Option<Counts>,
    result: Result<()>,
}

/// Runs a test command, echoing its stdout while summing the `test result:` lines.
fn run_tests(mut cmd: Command) -> Outcome {
    let what = describe(&cmd);
    println!("xtask: $ {what}");
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            return Outcome {
                counts: None,
                result: Err(format!("could not start `{what}`: {e}")),
            }
        }
    };
    let mut counts = Counts::default();
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout();
        for line in BufReader::new(stdout).split(b'\n') {
            let Ok(line) = line else { break };
            let line = String::from_utf8_lossy(&line);
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
            if let Some(c) = parse_test_result(&line) {
                counts.add(c);
            }
        }
    }
    let result = match child.wait() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`{what}` failed ({status})")),
        Err(e) => Err(format!("waiting for `{what}`: {e}")),
    };
    Outcome {
        counts: Some(counts),
        result,
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.stdin(Stdio::null());
    cmd
}

fn test(ctx: &Ctx) -> Result<()> {
    let started = Instant::now();
    step("ensure tools", || ensure_tools(ctx, Need::Test))?;

    // A dist directory of our own: `trunk serve` (cargo xtask dev) rewrites `dist/` on every change.
    let dist = ctx.target_dir().join("xtask/dist");
    let screenshots = env::var_os("GATEHOUSE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| ctx.root.join("target/screenshots"));

    type StepFn<'a> = Box<dyn FnOnce() -> Outcome + 'a>;
    let steps: Vec<(&str, StepFn)> = vec![
        (
            "(1/4) native tests: gatehouse-api, gatehouse-server, xtask",
            Box::new(|| {
                let mut cmd = cargo();
                cmd.args([
                    "test",
                    "--no-fail-fast",
                    "-p",
                    "gatehouse-api",
                    "-p",
                    "gatehouse-server",
                    "-p",
                    "xtask",
                ]);
                run_tests(cmd)
            }),
        ),
        (
            "(2/4) SPA tests in headless Chromium (wasm-bindgen-test)",
            Box::new(|| {
                let mut cmd = cargo();
                cmd.args([
                    "test",
                    "--no-fail-fast",
                    "-p",
                    "gatehouse",
                    "--target",
                    WASM_TARGET,
                ])
                .env("CHROMEDRIVER", CHROMEDRIVER);
                run_tests(cmd)
            }),
        ),
        (
            "(3/4) release SPA, split into per-page wasm modules",
            Box::new(|| Outcome {
                counts: None,
                result: spa_release::build(ctx, &dist),
            }),
        ),
        (
            "(4/4) browser end-to-end tests (gatehouse-e2e)",
            Box::new(|| {
                println!("xtask: screenshots go to {}", screenshots.display());
                let mut cmd = cargo();
                cmd.args(["test", "--no-fail-fast", "-p", "gatehouse-e2e"])
                    .env("GATEHOUSE_DIST", &dist)
                    .env("GATEHOUSE_SCREENSHOTS", &screenshots);
                run_tests(cmd)
            }),
        ),
    ];

    let mut total = Counts::default();
    let mut report: Vec<String> = Vec::new();
    let mut failure: Option<String> = None;
    for (name, f) in steps {
        println!("xtask: ==> {name}");
        let t = Instant::now();
        let Outcome { counts, result } = f();
        let took = fmt_duration(t.elapsed());
        let status = if result.is_ok() { "ok" } else { "FAILED" };
        let mut detail = format!("({took})");
        if let Some(c) = counts {
            total.add(c);
            detail.push_str(&format!(
                ": {} passed, {} failed, {} ignored",
                c.passed, c.failed, c.ignored
            ));
        }
        println!("xtask: <== {name}: {status} {detail}");
        report.push(format!("  {status:<6}  {name} {detail}"));
        if let Err(e) = result {
            failure = Some(format!("stopped at {name}: {e}"));
            break;
        }
    }

    println!("\nxtask: summary");
    for line in &report {
        println!("{line}");
    }
    let took = fmt_duration(started.elapsed());
    let counts_line = format!("xtask: {} passed, {} failed", total.passed, total.failed);
    match failure {
        None if total.failed == 0 => {
            println!(
                "xtask: all steps passed in {took} ({} ignored)",
                total.ignored
            );
            println!("{counts_line}");
            Ok(())
        }
        None => {
            println!("{counts_line}");
            println!("xtask: FAILED after {took}");
            Err("some tests failed".into())
        }
        Some(why) => {
            println!("{counts_line}");
            println!("xtask: FAILED after {took}: {why}");
            Err(why)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// cargo xtask dist

fn dist(ctx: &Ctx, args: &[String]) -> Result<()> {
    let dist = match args {
        [] => ctx.target_dir().join("xtask/dist"),
        [dir] => ctx.root.join(dir),
        _ => return Err(format!("usage: cargo xtask dist [DIR]\n\n{USAGE}")),
    };
    step("ensure tools", || ensure_tools(ctx, Need::Test))?;
    step("release SPA, split into per-page wasm modules", || {
        spa_release::build(ctx, &dist)
    })
}

// ---------------------------------------------------------------------------------------------
// cargo xtask dev

fn port_in_use(addr: &str) -> bool {
    let addr: SocketAddr = addr.parse().expect("valid socket address");
    TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok()
}

/// A child started in its own process group, so the whole tree (trunk's cargo builds, …) can be
/// stopped with one signal.
struct Group {
    name: &'static str,
    child: Child,
}

impl Group {
    fn spawn(name: &'static str, mut cmd: Command) -> Result<Group> {
        let what = describe(&cmd);
        println!("xtask: $ {what}");
        let child = cmd
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start `{what}`: {e}"))?;
        Ok(Group { name, child })
    }

    fn signal(&self, sig: libc::c_int) {
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals the process group we created for this child.
        unsafe {
            libc::kill(-pgid, sig);
        }
    }

    /// SIGTERM, then SIGKILL if the group's leader is still alive after `grace`.
    fn stop(&mut self, grace: Duration) {
        if let Ok(Some(_)) = self.child.try_wait() {
            // Leader gone; still clean up anything it left in its group.
            self.signal(libc::SIGKILL);
            return;
        }
        self.signal(libc::SIGTERM);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                self.signal(libc::SIGKILL);
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        println!(
            "xtask: {} did not stop within {grace:?}; killing it",
            self.name
        );
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            self.stop(Duration::from_secs(5));
        }
    }
}

fn print_banner() {
    println!();
    println!("  Gatehouse is running:  http://{TRUNK_ADDR}");
    println!("  (server on http://{SERVER_ADDR}; trunk proxies /api and /internal to it)");
    println!();
    println!("  demo users (password `changeme`):");
    for (user, what) in DEMO_USERS {
        println!("    {user:<22} {what}");
    }
    println!();
    println!("  Ctrl-C stops both.");
    println!();
}

fn dev(ctx: &Ctx) -> Result<()> {
    step("ensure tools", || ensure_tools(ctx, Need::Dev))?;
    for addr in [SERVER_ADDR, TRUNK_ADDR] {
        if port_in_use(addr) {
            return Err(format!(
                "{addr} is already in use; stop whatever listens there first"
            ));
        }
    }
    step("build gatehouse-server", || {
        let mut cmd = cargo();
        cmd.args(["build", "-p", "gatehouse-server"]);
        run(cmd)
    })?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    }

    let mut server_cmd = cargo();
    server_cmd.args([
        "run",
        "--quiet",
        "-p",
        "gatehouse-server",
        "--",
        "--addr",
        SERVER_ADDR,
        // Pages of a named space (`/s/{id}/app/…`) reach the server through Trunk's `/s` proxy;
        // it answers them with the `index.html` that `trunk serve` keeps writing to `dist/`.
        "--dist",
        "dist",
    ]);
    let server = Group::spawn("server", server_cmd)?;
    let mut trunk_cmd = Command::new("trunk");
    trunk_cmd.arg("serve");
    let trunk = Group::spawn("trunk serve", trunk_cmd)?;
    let mut children = [server, trunk];

    println!("xtask: the first `trunk serve` build takes a few minutes; http://{TRUNK_ADDR} is printed again once it answers");
    {
        let stop = stop.clone();
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                if port_in_use(TRUNK_ADDR) && port_in_use(SERVER_ADDR) {
                    print_banner();
                    return;
                }
                thread::sleep(Duration::from_millis(500));
            }
        });
    }

    let mut exited: Option<String> = None;
    while exited.is_none() && !stop.load(Ordering::SeqCst) {
        for g in children.iter_mut() {
            if let Ok(Some(status)) = g.child.try_wait() {
                exited = Some(format!("{} exited ({status})", g.name));
                break;
            }
        }
        thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, Ordering::SeqCst);
    println!("xtask: stopping server and trunk…");
    for g in children.iter_mut() {
        g.stop(Duration::from_secs(5));
    }
    match exited {
        Some(why) => Err(why),
        None => {
            println!("xtask: stopped");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_libtest_summary() {
        let c = parse_test_result(
            "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.31s",
        );
        assert_eq!(
            c,
            Some(Counts {
                passed: 12,
                failed: 0,
                ignored: 3
            })
        );
    }

    #[test]
    fn parses_failed_summary() {
        let c = parse_test_result(
            "test result: FAILED. 4 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.00s",
        )
        .unwrap();
        assert_eq!((c.passed, c.failed), (4, 2));
    }

    #[test]
    fn parses_wasm_bindgen_test_summary() {
        let c = parse_test_result(
            "test result: ok. 7 passed; 0 failed; 0 ignored; 0 filtered out; finished in 2.10s",
        )
        .unwrap();
        assert_eq!(c.passed, 7);
    }

    #[test]
    fn ignores_other_lines() {
        assert_eq!(parse_test_result("running 3 tests"), None);
        assert_eq!(parse_test_result("test foo ... ok"), None);
        assert_eq!(parse_test_result("test result: weird"), None);
    }

    #[test]
    fn version_matching_is_exact() {
        assert!(has_version("trunk 0.21.14", "0.21.14"));
        assert!(!has_version("trunk 0.21.140", "0.21.14"));
        assert!(!has_version("trunk 0.22.0", "0.21.14"));
        assert!(has_version("wasm-bindgen 0.2.130", "0.2.130"));
        assert!(has_version("wasm-opt version 132 (version_132)", "132"));
        assert!(!has_version("wasm-opt version 108", "132"));
        assert!(!has_version("wasm-opt version 1320", "132"));
    }

    #[test]
    fn formats_durations() {
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(fmt_duration(Duration::from_secs(125)), "2m05s");
    }
}

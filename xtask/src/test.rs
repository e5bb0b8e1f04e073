//! `cargo xtask test`: formatting and lints first (they fail fastest; the native ones even before
//! the tools are installed), then every test suite, each step timed, the tests counted from
//! libtest's summary lines.

use std::env;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{anyhow, bail, Result};

use crate::process::{cargo, describe, fmt_duration};
use crate::tools::{ensure_tools, Need, CHROMEDRIVER, WASM_TARGET};
use crate::{disk, spa_release, Ctx};

/// What a run from an empty target directory leaves in it: 6.7 GB on a fresh clone (README,
/// "Getting started"); a run over a warm directory needs less.
const FULL_RUN_DISK_GB: u64 = 7;
const FULL_RUN_DISK_BYTES: u64 = FULL_RUN_DISK_GB * 1_000_000_000;
/// Under this, a failed step is most likely the disk (the linker's "No space left on device" is
/// far up in the log).
const NEARLY_FULL_BYTES: u64 = 1_000_000_000;

/// Said before the first step when the target directory's disk may not hold a whole run, so that
/// the run does not fail twenty minutes in with a linker error.
fn warn_of_a_small_disk(ctx: &Ctx) {
    let target = ctx.target_dir();
    let _ = std::fs::create_dir_all(&target);
    if let Some(free) = disk::free_bytes(&target) {
        if free < FULL_RUN_DISK_BYTES {
            println!(
                "xtask: warning: {} free on the disk of {}; a run from an empty target directory \
                 leaves about {FULL_RUN_DISK_GB} GB there",
                disk::gigabytes(free),
                target.display()
            );
        }
    }
}

/// After a failed step: the disk, when it is what failed.
fn disk_note(ctx: &Ctx) -> String {
    match disk::free_bytes(&ctx.target_dir()) {
        Some(free) if free < NEARLY_FULL_BYTES => format!(
            " (the disk of {} has {} free: builds fail on a full disk)",
            ctx.target_dir().display(),
            disk::gigabytes(free)
        ),
        _ => String::new(),
    }
}

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

/// What a step of `cargo xtask test` reports: the tests it counted (`None` for steps that build
/// or check without running tests) and whether it succeeded.
struct Outcome {
    counts: Option<Counts>,
    result: Result<()>,
}

impl Outcome {
    /// A step that runs no tests: formatting, lints, installs, a build.
    fn uncounted(result: Result<()>) -> Outcome {
        Outcome {
            counts: None,
            result,
        }
    }
}

/// Runs a test command, echoing its stdout while summing the `test result:` lines.
fn run_tests(mut cmd: Command) -> Outcome {
    let what = describe(&cmd);
    println!("xtask: $ {what}");
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            return Outcome::uncounted(Err(anyhow!(e).context(format!("could not start `{what}`"))))
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
        Ok(status) => Err(anyhow!("`{what}` failed ({status})")),
        Err(e) => Err(anyhow!(e).context(format!("waiting for `{what}`"))),
    };
    Outcome {
        counts: Some(counts),
        result,
    }
}

/// `cargo <args>` with no standard input.
fn cargo_with(args: &[&str]) -> Command {
    let mut cmd = cargo();
    cmd.args(args);
    cmd
}

/// Runs a check (formatting, a lint) that must exit successfully; it counts no tests.
fn check(cmd: Command) -> Outcome {
    Outcome::uncounted(crate::process::run(cmd))
}

/// `cargo clippy` of the SPA for the browser, with or without the per-page split.
fn clippy_wasm(features: &[&str]) -> Outcome {
    let mut cmd = cargo_with(&["clippy", "-p", "gatehouse", "--target", WASM_TARGET]);
    cmd.args(features)
        .args(["--all-targets", "--", "-D", "warnings"]);
    check(cmd)
}

pub fn test(ctx: &Ctx) -> Result<()> {
    let started = Instant::now();
    warn_of_a_small_disk(ctx);

    // A dist directory of our own: `trunk serve` (cargo xtask dev) rewrites `dist/` on every change.
    let dist = ctx.target_dir().join("xtask/dist");
    let screenshots = env::var_os("GATEHOUSE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| ctx.root.join("target/screenshots"));

    type StepFn<'a> = Box<dyn FnOnce() -> Outcome + 'a>;
    let steps: Vec<(&str, StepFn)> = vec![
        (
            "formatting (cargo fmt --all --check)",
            Box::new(|| check(cargo_with(&["fmt", "--all", "--check"]))),
        ),
        (
            "clippy, native (every crate but the SPA, with the bench, -D warnings)",
            Box::new(|| {
                // The SPA is linted for the browser, the only target it is built for, below.
                let lint = [
                    "clippy",
                    "--workspace",
                    "--exclude",
                    "gatehouse",
                    "--all-targets",
                    "--features",
                    "xtask/bench",
                ];
                let mut cmd = cargo_with(&lint);
                cmd.args(["--", "-D", "warnings"]);
                check(cmd)
            }),
        ),
        // After the checks that need nothing but the toolchain, so that they fail fast on a
        // machine that still has the tools to install (about 35 minutes).
        (
            "ensure tools",
            Box::new(|| Outcome::uncounted(ensure_tools(ctx, Need::Test))),
        ),
        (
            "clippy, SPA for wasm32 (-p gatehouse --all-targets, -D warnings)",
            Box::new(|| clippy_wasm(&[])),
        ),
        (
            "clippy, SPA for wasm32 with --features split (-D warnings)",
            Box::new(|| clippy_wasm(&["--features", "split"])),
        ),
        (
            "native tests: gatehouse-api, gatehouse-server, xtask",
            Box::new(|| {
                let packages = [
                    "-p",
                    "gatehouse-api",
                    "-p",
                    "gatehouse-server",
                    "-p",
                    "xtask",
                ];
                let mut cmd = cargo_with(&["test", "--no-fail-fast"]);
                cmd.args(packages);
                run_tests(cmd)
            }),
        ),
        (
            "SPA tests in headless Chromium (wasm-bindgen-test)",
            Box::new(|| {
                let mut cmd = cargo_with(&["test", "--no-fail-fast", "-p", "gatehouse"]);
                cmd.args(["--target", WASM_TARGET])
                    .env("CHROMEDRIVER", CHROMEDRIVER);
                run_tests(cmd)
            }),
        ),
        (
            "release SPA, split into per-page wasm modules",
            Box::new(|| Outcome::uncounted(spa_release::build(ctx, &dist))),
        ),
        (
            "browser end-to-end tests (gatehouse-e2e)",
            Box::new(|| {
                println!("xtask: screenshots go to {}", screenshots.display());
                let mut cmd = cargo_with(&["test", "--no-fail-fast", "-p", "gatehouse-e2e"]);
                cmd.env("GATEHOUSE_DIST", &dist)
                    .env("GATEHOUSE_SCREENSHOTS", &screenshots)
                    .env("GATEHOUSE_AXE", ctx.axe_script());
                run_tests(cmd)
            }),
        ),
    ];

    let mut total = Counts::default();
    let mut report: Vec<String> = Vec::new();
    let mut failure: Option<String> = None;
    let count = steps.len();
    for (n, (name, f)) in steps.into_iter().enumerate() {
        let name = format!("({}/{count}) {name}", n + 1);
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
            failure = Some(format!("stopped at {name}: {e:#}{}", disk_note(ctx)));
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
            bail!("some tests failed")
        }
        Some(why) => {
            println!("{counts_line}");
            println!("xtask: FAILED after {took}: {why}");
            Err(anyhow!(why))
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
}

//! `cargo xtask soak`: a bounded soak of the real server on loopback.
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
//! ([`crate::bench::SERVER_PROFILE`]). `soak-run` then starts the server as a child process — the
//! same release binary in `soak-server` mode, which calls `gatehouse_server::start` on a fresh
//! temporary, seeded database exactly as the bench does in-process — so the RSS sampled from
//! `/proc/<pid>/status` is the server's alone, not the load generator's.

use anyhow::{bail, Context, Result};

use crate::bench::measuring_xtask;
use crate::process::{run, step};
use crate::Ctx;

// The soak's own modules are compiled with the `bench` feature only (each says so at its top).
mod report;
mod run;
mod server_child;
mod session;
mod users;

#[cfg(feature = "bench")]
pub use run::soak_run;
#[cfg(feature = "bench")]
pub use server_child::soak_server;

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
                None => it
                    .next()
                    .cloned()
                    .with_context(|| format!("{what} needs a value"))?,
            };
            v.parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("{what}: `{v}` is not a positive whole number"))
        };
        match name {
            "--sessions" => {
                sessions =
                    usize::try_from(value("--sessions")?).context("--sessions is too large")?
            }
            "--seconds" => seconds = value("--seconds")?,
            other => {
                bail!("unknown soak option `{other}` (use --sessions N --seconds S)")
            }
        }
    }
    if sessions > 256 {
        bail!("--sessions: at most 256 (a soak, not a load test)");
    }
    if seconds > 3600 {
        bail!("--seconds: at most 3600");
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
            let mut cmd = measuring_xtask("soak-run");
            cmd.args(["--sessions", &sessions.to_string()])
                .args(["--seconds", &seconds.to_string()]);
            run(cmd)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn defaults_and_options() {
        assert_eq!(parse_args(&[]).ok(), Some((32, 60)));
        assert_eq!(
            parse_args(&args("--sessions 4 --seconds 5")).ok(),
            Some((4, 5))
        );
        assert_eq!(parse_args(&args("--seconds=7")).ok(), Some((32, 7)));
        assert!(parse_args(&args("--sessions 0")).is_err());
        assert!(parse_args(&args("--sessions")).is_err());
        assert!(parse_args(&args("--seconds x")).is_err());
        assert!(parse_args(&args("--minutes 3")).is_err());
        assert!(parse_args(&args("--seconds 100000")).is_err());
    }
}

//! `cargo xtask bench`: measures, prints one summary line per figure and writes `BENCHMARKS.md`
//! (figures, machine, date, command).
//!
//! Two stages. The plain-std xtask (this module without the `bench` feature) ensures the tools,
//! builds the release SPA (`spa_release`, as `cargo xtask test` does) into
//! `<target>/xtask/bench-dist` and what it is compared with ([`references`]), then re-runs xtask
//! as `cargo run --release --features bench -- bench-measure <dist>` ([`measuring_xtask`]); that
//! build carries the in-process server, the load generator, the browser driver and the
//! compressors, so `cargo xtask dev | test` stay lean. The server is built with the workspace's
//! release profile except for the settings tuned for wasm size (see [`SERVER_PROFILE`]).
//!
//! The measuring stage, one module a section of BENCHMARKS.md: [`sizes`] (1), [`server_load`]
//! (2), then in headless Chromium ([`browser`]) [`time_to_leads`] (3), [`interactive`] (3a),
//! [`page_updates`] (4 and 5)
//! and [`memory`] (6); [`report`] writes the file.

use std::path::Path;
use std::process::Command;

use anyhow::Result;

use crate::process::{cargo, run, step};
use crate::tools::{ensure_tools, Need};
use crate::{spa_release, Ctx};

// The measuring stage's modules are compiled with the `bench` feature only (each says so at its
// top); `references` builds before it.
mod browser;
mod interactive;
mod measure;
mod memory;
mod page_updates;
mod references;
mod report;
mod saved_objects_import;
mod server_load;
mod sizes;
mod time_to_leads;

#[cfg(feature = "bench")]
pub use measure::{bench_measure, runtime, server_config};

/// `--config` overrides for the measuring build: the workspace's `[profile.release]` is tuned
/// for wasm size (opt-level "z", fat LTO); a server is built for speed, and fat LTO of axum +
/// tokio + rusqlite takes too long on 2 cores.
pub const SERVER_PROFILE: &[&str] = &[
    "profile.release.opt-level=3",
    "profile.release.lto=false",
    "profile.release.codegen-units=16",
];

/// The React reference's folder in the bench dist (served as `/react/`).
const REACT_DIR: &str = "react";
/// Written into the bench dist instead of [`REACT_DIR`] when the reference could not be built:
/// the reason, for the report.
const REACT_NOT_RUN: &str = "react-not-run.txt";
/// The React reference's sources, relative to the workspace root.
const REACT_SRC: &str = "bench/react";

/// The Leptos floor's folder in the bench dist: `floor_bg.wasm` and `floor.js`, weighed, never
/// served.
const FLOOR_DIR: &str = "leptos-floor";
/// Written into the bench dist instead of [`FLOOR_DIR`] when the floor could not be built.
const FLOOR_NOT_RUN: &str = "leptos-floor-not-run.txt";
/// The floor's sources, relative to the workspace root.
const FLOOR_SRC: &str = "bench/leptos-floor";

/// `cargo xtask bench --server` and `bench-measure --server`: the server rows alone.
pub const SERVER_ONLY: &str = "--server";

/// `cargo run --release` of xtask with the `bench` feature and the server's profile, running
/// `subcommand`: the measuring stage of `bench` and `soak`.
pub fn measuring_xtask(subcommand: &str) -> Command {
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--quiet"]);
    for c in SERVER_PROFILE {
        cmd.args(["--config", c]);
    }
    cmd.args(["-p", "xtask", "--features", "bench", "--", subcommand]);
    cmd
}

/// `cargo xtask bench [--server]`.
pub fn bench(ctx: &Ctx, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        None => {}
        // The server rows need no SPA, reference or browser: minutes instead of a quarter hour,
        // for working on the server's speed. Not written to BENCHMARKS.md, which is one run.
        Some(SERVER_ONLY) => {
            return step(
                "measure the server (release build of xtask --features bench)",
                || {
                    let mut cmd = measuring_xtask("bench-measure");
                    cmd.arg(SERVER_ONLY);
                    run(cmd)
                },
            )
        }
        Some(other) => anyhow::bail!("cargo xtask bench: unknown option `{other}` (--server)"),
    }
    step("ensure tools", || ensure_tools(ctx, Need::Test))?;
    let dist = ctx.target_dir().join("xtask/bench-dist");
    step(
        "release SPA, split into per-page wasm modules (bench-dist)",
        || spa_release::build_for_bench(ctx, &dist),
    )?;
    comparison_step(
        "React reference (npm ci, esbuild production build)",
        &dist.join(REACT_DIR),
        &dist.join(REACT_NOT_RUN),
        || references::build_react(ctx, &dist),
    )?;
    comparison_step(
        &format!("Leptos floor ({FLOOR_SRC}, release wasm)"),
        &dist.join(FLOOR_DIR),
        &dist.join(FLOOR_NOT_RUN),
        || references::build_leptos_floor(ctx, &dist),
    )?;
    step("measure (release build of xtask --features bench)", || {
        let mut cmd = measuring_xtask("bench-measure");
        cmd.arg(&dist);
        run(cmd)
    })
}

/// Builds something the SPA is compared with into `out`. Not fatal: the SPA's figures stand
/// without it, and the report says why it is missing, read from `not_run`.
fn comparison_step(
    name: &str,
    out: &Path,
    not_run: &Path,
    build: impl FnOnce() -> Result<()>,
) -> Result<()> {
    use anyhow::Context;
    let _ = std::fs::remove_file(not_run);
    if let Err(e) = step(name, build) {
        let _ = std::fs::remove_dir_all(out);
        std::fs::write(not_run, format!("{e:#}"))
            .with_context(|| format!("write {}", not_run.display()))?;
    }
    Ok(())
}

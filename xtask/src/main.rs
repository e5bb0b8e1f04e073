//! Project automation for Gatehouse: `cargo xtask dev | test | dist | bench | soak`.
//!
//! Plain std (plus `ctrlc`/`libc` for signal handling in `dev`): every external tool is run as a
//! child process with `~/.cache/gatehouse/binaryen/node_modules/.bin` and `~/.cargo/bin` first on
//! `PATH`, so the pinned trunk, wasm-bindgen and wasm-opt are the ones found. `bench` and `soak`
//! re-run xtask in release mode with the `bench` feature, which brings the server, the HTTP
//! client and the browser driver.

use std::env;
use std::process::ExitCode;

#[cfg(test)]
mod architecture_picture;
mod bench;
mod ctx;
mod dev;
mod disk;
mod dist;
#[cfg(any(test, feature = "bench"))]
mod http;
#[cfg(feature = "bench")]
mod machine;
mod process;
mod soak;
mod spa_release;
mod test;
mod tools;

use ctx::Ctx;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  dev     install missing tools, run the server (127.0.0.1:5601) and `trunk serve`
          (http://127.0.0.1:8080, proxies /api and /internal to the server); Ctrl-C stops both
  test    cargo fmt --check and clippy (-D warnings), install missing tools, clippy for wasm,
          then: native tests, wasm tests in headless Chromium, the release SPA split into per-page
          wasm modules (into <target dir>/xtask/dist), browser end-to-end tests against that build
  bench   install missing tools, the release SPA (as for test, into <target dir>/xtask/bench-dist)
          and the React reference (`npm ci` + esbuild in bench/react, into bench-dist/react;
          its rows read \"not run\" without npm), then measure in a release build (transfer
          size, server throughput, time to leads, permission reaction, list rendering, memory,
          each side by side with the reference where it has one) and write BENCHMARKS.md; one
          summary line per figure
          --server: the server throughput rows alone, printed (BENCHMARKS.md is left as it was)
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
            eprintln!("xtask: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev::dev(&ctx),
        Some("test") => test::test(&ctx),
        Some("bench") => bench::bench(&ctx, &args[1..]),
        Some("dist") => dist::dist(&ctx, &args[1..]),
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
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

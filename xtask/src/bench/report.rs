//! BENCHMARKS.md: the run (command, date, commit, machine, toolchain), the summary lines and
//! every section, in the order they were measured.

#![cfg(feature = "bench")]

use std::fmt::Write as _;
use std::time::Duration;

use super::measure::Report;
use crate::{machine, Ctx};

/// The whole of BENCHMARKS.md.
pub fn render(ctx: &Ctx, report: &Report, took: Duration) -> String {
    let (cpus, mem, model) = (machine::cpus(), machine::memory(), machine::cpu_model());
    // Other work on the machine skews every figure: record how busy it was.
    let load = machine::load_average();
    let rustc = machine::output("rustc", &["--version"]);
    let date = machine::date();
    let commit = machine::output(
        "git",
        &[
            "-C",
            &ctx.root.to_string_lossy(),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    );
    let dirty = !machine::output(
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
         Written by `cargo xtask bench`; every figure below was measured by that \
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
    md
}

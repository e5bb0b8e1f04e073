//! `cargo xtask bench` (issue 6): measures, prints one summary line per figure and writes
//! `BENCHMARKS.md` (figures, machine, date, command).
//!
//! Two stages. The plain-std xtask (this file without the `bench` feature) ensures the tools,
//! builds the release SPA (`spa_release`, as `cargo xtask test` does) into
//! `<target>/xtask/bench-dist`, then re-runs xtask as
//! `cargo run --release --features bench -- bench-measure <dist>`; that build carries the
//! in-process server, the load generator and the compressors, so `cargo xtask dev | test` stay
//! lean. The server is built with the workspace's release profile except for the settings tuned
//! for wasm size (see [`SERVER_PROFILE`]).
//!
//! The React reference (issue 6: "a reference point a user would otherwise pick"): `bench/react/`
//! is the same leads page in React, installed with `npm ci` and bundled by esbuild (production,
//! minified) into `<dist>/react/`, so the same server serves it from the same origin and the
//! measuring stage runs the same figures on it. Without node/npm, or when its build fails, the
//! bench goes on and reports the React rows as not run, with the reason.

use std::path::Path;
use std::process::Command;

use super::{cargo, ensure_tools, run, spa_release, step, Ctx, Need, Result, WASM_TARGET};

/// `--config` overrides for the measuring build: the workspace's `[profile.release]` is tuned
/// for wasm size (opt-level "z", fat LTO); a server is built for speed, and fat LTO of axum +
/// tokio + rusqlite takes too long on 2 cores.
pub const SERVER_PROFILE: &[&str] = &[
    "profile.release.opt-level=3",
    "profile.release.lto=false",
    "profile.release.codegen-units=16",
];

/// `cargo xtask bench`.
pub fn bench(ctx: &Ctx) -> Result<()> {
    step("ensure tools", || ensure_tools(ctx, Need::Test))?;
    let dist = ctx.target_dir().join("xtask/bench-dist");
    step(
        "release SPA, split into per-page wasm modules (bench-dist)",
        || super::spa_release::build(ctx, &dist),
    )?;
    comparison_step(
        "React reference (npm ci, esbuild production build)",
        &dist.join(REACT_DIR),
        &dist.join(REACT_NOT_RUN),
        || build_react(ctx, &dist),
    )?;
    comparison_step(
        &format!("Leptos floor ({FLOOR_SRC}, release wasm)"),
        &dist.join(FLOOR_DIR),
        &dist.join(FLOOR_NOT_RUN),
        || build_leptos_floor(ctx, &dist),
    )?;
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

/// Builds something the SPA is compared with into `out`. Not fatal: the SPA's figures stand
/// without it, and the report says why it is missing, read from `not_run`.
fn comparison_step(
    name: &str,
    out: &Path,
    not_run: &Path,
    build: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let _ = std::fs::remove_file(not_run);
    if let Err(e) = step(name, build) {
        let _ = std::fs::remove_dir_all(out);
        std::fs::write(not_run, &e).map_err(|w| format!("write {}: {w}", not_run.display()))?;
    }
    Ok(())
}

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
/// The floor's package and its sources, relative to the workspace root.
const FLOOR_PACKAGE: &str = "gatehouse-leptos-floor";
const FLOOR_SRC: &str = "bench/leptos-floor";

/// `bench/leptos-floor` built as the SPA is: the workspace's release profile for wasm32,
/// wasm-bindgen, wasm-opt `-Oz`; but not split (there is nothing to split) and without
/// `erase_components` (measured: it makes an app this small bigger, 165 against 154 KB gzip).
fn build_leptos_floor(ctx: &Ctx, dist: &Path) -> Result<()> {
    // A target directory of its own: the SPA's release build sets RUSTFLAGS, and a change of
    // RUSTFLAGS in one directory rebuilds every dependency.
    let target = ctx.target_dir().join("xtask/leptos-floor-target");
    let mut build = cargo();
    build
        .args([
            "build",
            "--release",
            "--target",
            WASM_TARGET,
            "-p",
            FLOOR_PACKAGE,
        ])
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS");
    run(build)?;
    let out = dist.join(FLOOR_DIR);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("mkdir {}: {e}", out.display()))?;
    let linked = target
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{FLOOR_PACKAGE}.wasm"));
    run(spa_release::wasm_bindgen(&linked, &out, "floor"))?;
    spa_release::optimise_modules(&out)
}

/// `npm ci` in `bench/react` (the exact versions of its package-lock.json), then its
/// `build.mjs` with `NODE_ENV=production`: esbuild bundles and minifies it into `<dist>/react/`
/// with an index.html that links the SPA's own stylesheet from the same dist.
fn build_react(ctx: &Ctx, dist: &Path) -> Result<()> {
    let src = ctx.root.join(REACT_SRC);
    for tool in ["node", "npm"] {
        let ok = Command::new(tool)
            .arg("--version")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(format!(
                "`{tool} --version` failed: {tool} is not installed"
            ));
        }
    }
    let mut css: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| format!("read {}: {e}", dist.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".css"))
        .collect();
    css.sort();
    let css = css
        .first()
        .ok_or_else(|| format!("no stylesheet in {}", dist.display()))?;
    let mut install = Command::new("npm");
    install
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&src)
        // devDependencies (esbuild) are needed: NODE_ENV=production would leave them out.
        .env_remove("NODE_ENV")
        .stdin(std::process::Stdio::null());
    run(install)?;
    let out = dist.join(REACT_DIR);
    let mut build = Command::new("node");
    build
        .arg("build.mjs")
        .arg(&out)
        .arg(format!("/{css}"))
        .arg(format!("/{REACT_DIR}/"))
        .current_dir(&src)
        .env("NODE_ENV", "production")
        .stdin(std::process::Stdio::null());
    run(build)?;
    if out.join("index.html").is_file() {
        Ok(())
    } else {
        Err(format!(
            "{} was not produced",
            out.join("index.html").display()
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

    use super::{
        FLOOR_DIR, FLOOR_NOT_RUN, FLOOR_SRC, REACT_DIR, REACT_NOT_RUN, REACT_SRC, SERVER_PROFILE,
    };
    use crate::http_load;
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
    /// The same request without `Accept-Encoding`, as the table and summary name it.
    const FIND_UNCOMPRESSED_LABEL: &str =
        "/internal/entity_analytics/leads?page=1&perPage=100 without Accept-Encoding";
    /// How the rows of [`uncached_find_paths`] are named in the report.
    const UNCACHED_FIND_PATHS: &str =
        "/internal/entity_analytics/leads?page=1..10&perPage=100&sortField=…&sortOrder=…&status=…";

    /// 160 find queries of 100 leads each (pages 1–10, both sort fields and orders, each status
    /// and none): five times what the server's find cache holds, taken in turn.
    fn uncached_find_paths() -> Vec<String> {
        const _: () = assert!(160 >= 5 * gatehouse_server::find_cache::CAPACITY);
        let mut paths = Vec::new();
        for page in 1..=10 {
            for field in ["priority", "timestamp"] {
                for order in ["desc", "asc"] {
                    for status in ["", "&status=active", "&status=dismissed", "&status=expired"] {
                        paths.push(format!(
                            "/internal/entity_analytics/leads?page={page}&perPage=100&sortField={field}&sortOrder={order}{status}"
                        ));
                    }
                }
            }
        }
        paths
    }

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
        /// The React reference's figures, joined into its one summary line at the end.
        react: Vec<String>,
    }

    impl Report {
        fn line(&mut self, s: String) {
            println!("bench: {s}");
            let _ = std::io::stdout().flush();
            self.summary.push(s);
        }
    }

    /// The React reference in `<dist>/react/` (see `build_react`), or why it was not built.
    struct ReactRef {
        not_run: Option<String>,
        /// "react 19.3.1, react-dom 19.3.1, esbuild 0.28.2", from `bench/react/package-lock.json`.
        versions: String,
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

        fn ran(&self) -> bool {
            self.not_run.is_none()
        }
    }

    /// `cargo xtask bench-measure <dist>` (run by `cargo xtask bench`).
    pub fn bench_measure(ctx: &Ctx, args: &[String]) -> Result<()> {
        let dist = PathBuf::from(args.first().ok_or("usage: bench-measure <dist dir>")?);
        let mut report = Report::default();
        let started = Instant::now();

        let react = ReactRef::load(ctx, &dist);
        sizes(&dist, &react, &mut report)?;
        server(ctx, &dist, &react, &mut report)?;
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

        let md = render(ctx, &report, started.elapsed())?;
        let path = ctx.root.join("BENCHMARKS.md");
        std::fs::write(&path, md).map_err(|e| format!("write {}: {e}", path.display()))?;
        println!("bench: wrote {}", path.display());
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // 1. Transfer size

    #[derive(Clone, Copy)]
    struct Sizes {
        raw: u64,
        gzip: u64,
        brotli: u64,
    }

    /// One table row and one printed line per file; `label` prefixes the printed name.
    fn size_rows(table: &mut String, files: &[(String, Sizes)], label: &str) {
        for (name, s) in files {
            let _ = writeln!(
                table,
                "| `{name}` | {:.1} KB | {:.1} KB | {:.1} KB |",
                kb(s.raw),
                kb(s.gzip),
                kb(s.brotli)
            );
            println!(
                "bench:   {label}{name}: {} B raw, {} B gzip, {} B brotli",
                s.raw, s.gzip, s.brotli
            );
        }
    }

    /// Sizes of the very copies the server precompresses and sends.
    fn compress(data: &[u8]) -> Result<Sizes> {
        use gatehouse_server::precompress::{brotli_bytes, gzip_bytes};
        Ok(Sizes {
            raw: data.len() as u64,
            gzip: gzip_bytes(data).map_err(|e| e.to_string())?.len() as u64,
            brotli: brotli_bytes(data).map_err(|e| e.to_string())?.len() as u64,
        })
    }

    fn total(files: &[(String, Sizes)]) -> Sizes {
        Sizes {
            raw: files.iter().map(|f| f.1.raw).sum(),
            gzip: files.iter().map(|f| f.1.gzip).sum(),
            brotli: files.iter().map(|f| f.1.brotli).sum(),
        }
    }

    fn sum(a: &Sizes, b: &Sizes) -> Sizes {
        Sizes {
            raw: a.raw + b.raw,
            gzip: a.gzip + b.gzip,
            brotli: a.brotli + b.brotli,
        }
    }

    fn total_row(table: &mut String, label: &str, t: &Sizes) {
        let _ = writeln!(
            table,
            "| **{label}** | **{:.1} KB** | **{:.1} KB** | **{:.1} KB** |",
            kb(t.raw),
            kb(t.gzip),
            kb(t.brotli)
        );
    }

    /// Every `.wasm`/`.js`/`.css` under `dir` (not the React reference's folder nor the Leptos
    /// floor's), as paths relative to `dist`.
    fn build_files(dist: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path != dist.join(REACT_DIR) && path != dist.join(FLOOR_DIR) {
                    build_files(dist, &path, out)?;
                }
                continue;
            }
            let kind = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(kind, "wasm" | "js" | "css") {
                let rel = path.strip_prefix(dist).unwrap_or(&path);
                out.push(rel.to_string_lossy().into_owned());
            }
        }
        Ok(())
    }

    fn sizes(dist: &Path, react: &ReactRef, report: &mut Report) -> Result<()> {
        // What opening Gatehouse downloads: what its index.html loads (the main module, its JS,
        // the split loader that JS imports, the stylesheet).
        let mut start: Vec<(String, Sizes)> = Vec::new();
        for f in index_files(&dist.join("index.html"))? {
            let data = std::fs::read(dist.join(&f)).map_err(|e| format!("read {f}: {e}"))?;
            start.push((f, compress(&data)?));
        }
        start.sort_by_key(|f| std::cmp::Reverse(f.1.raw));
        let mut every = Vec::new();
        build_files(dist, dist, &mut every)?;
        let mut pages: Vec<(String, Sizes)> = Vec::new();
        let mut shared: Vec<(String, Sizes)> = Vec::new();
        for f in every {
            if start.iter().any(|(name, _)| *name == f) {
                continue;
            }
            let data = std::fs::read(dist.join(&f)).map_err(|e| format!("read {f}: {e}"))?;
            let sizes = compress(&data)?;
            if f.rsplit('/').next().unwrap_or(&f).starts_with("split_") {
                pages.push((f, sizes));
            } else {
                shared.push((f, sizes));
            }
        }
        pages.sort_by_key(|f| std::cmp::Reverse(f.1.raw));
        let at_start = total(&start);
        let shared_total = total(&shared);
        let later = sum(&total(&pages), &shared_total);
        let later_count = pages.len() + shared.len();
        let whole = sum(&at_start, &later);
        let mut table = String::from(
            "## 1. Transfer size of the release SPA\n\n\
             The release build (`xtask/src/spa_release.rs`: the workspace's release profile, \
             Leptos' components erased into `AnyView`s (`--cfg erase_components`), \
             split into per-page wasm modules, wasm-bindgen, wasm-opt 132 `-Oz` on each module) \
             into `<target>/xtask/bench-dist`; gzip level 9 (flate2), brotli quality 11 / window \
             22 (brotli crate): the copies the server sends. KB = 1024 bytes. At start: what \
             `index.html` loads. The other modules are fetched the first time a page that needs \
             them is opened (Dev Tools, Dashboards, Search, Management…): a page's `split_` \
             module and the shared chunks it needs.\n\n\
             | file | raw | gzip | brotli |\n|---|---:|---:|---:|\n",
        );
        size_rows(&mut table, &start, "");
        total_row(&mut table, "at start", &at_start);
        size_rows(&mut table, &pages, "");
        let _ = writeln!(
            table,
            "| {} shared chunks (`chunk_*.wasm`) | {:.1} KB | {:.1} KB | {:.1} KB |",
            shared.len(),
            kb(shared_total.raw),
            kb(shared_total.gzip),
            kb(shared_total.brotli)
        );
        total_row(
            &mut table,
            &format!("fetched when pages are first opened ({later_count} files)"),
            &later,
        );
        total_row(&mut table, "whole build", &whole);
        let met = kb(at_start.gzip) <= SIZE_TARGET_GZIP_KB;
        let _ = writeln!(
            table,
            "\nTarget: ≤ {SIZE_TARGET_GZIP_KB:.0} KB gzip, judged on what opening Gatehouse \
             downloads ({:.1} KB) — **{}**. The whole build is {:.1} KB gzip.\n",
            kb(at_start.gzip),
            verdict(met),
            kb(whole.gzip)
        );
        let react_total = if react.ran() {
            Some(react_sizes(dist, react, &mut table)?)
        } else {
            None
        };
        let stylesheet = start.iter().find(|(name, _)| name.ends_with(".css"));
        let floor = floor_sizes(dist, stylesheet, &mut table)?;
        report.sections.push(table);
        report.line(format!(
            "transfer size at start (wasm+js+css): {:.1} KB raw, {:.1} KB gzip, {:.1} KB brotli; \
             {later_count} more files fetched when pages are first opened: {:.1} KB gzip (whole \
             build {:.1} KB gzip); target ≤ {SIZE_TARGET_GZIP_KB:.0} KB gzip: {}",
            kb(at_start.raw),
            kb(at_start.gzip),
            kb(at_start.brotli),
            kb(later.gzip),
            kb(whole.gzip),
            verdict(met)
        ));
        if let Some(t) = react_total {
            report.react.push(format!(
                "transfer size (js+css) {:.1} KB raw, {:.1} KB gzip, {:.1} KB brotli",
                kb(t.raw),
                kb(t.gzip),
                kb(t.brotli)
            ));
        }
        report.line(match floor {
            Ok(f) => format!(
                "Leptos floor (`{FLOOR_SRC}`: the least Leptos app with the start set's parts; \
                 weighed, not a target): wasm+js {:.1} KB gzip, {:.1} KB gzip with the SPA's \
                 stylesheet, against the target of {SIZE_TARGET_GZIP_KB:.0} KB",
                kb(f.code.gzip),
                kb(f.with_stylesheet.gzip)
            ),
            Err(why) => format!("Leptos floor: not built: {why}"),
        });
        Ok(())
    }

    struct FloorSizes {
        code: Sizes,
        with_stylesheet: Sizes,
    }

    /// The Leptos floor's table (see `build_leptos_floor`): its wasm and JS, and with them the
    /// SPA's stylesheet, which it would need to look the same. `Err` says why it was not built.
    fn floor_sizes(
        dist: &Path,
        stylesheet: Option<&(String, Sizes)>,
        table: &mut String,
    ) -> Result<std::result::Result<FloorSizes, String>> {
        let dir = dist.join(FLOOR_DIR);
        if !dir.join("floor_bg.wasm").is_file() {
            let why = std::fs::read_to_string(dist.join(FLOOR_NOT_RUN))
                .map(|t| t.trim().to_string())
                .unwrap_or_else(|_| format!("no {FLOOR_DIR}/floor_bg.wasm in the bench dist"));
            return Ok(Err(why));
        }
        let mut files = Vec::new();
        for name in ["floor_bg.wasm", "floor.js"] {
            let f = format!("{FLOOR_DIR}/{name}");
            let data = std::fs::read(dist.join(&f)).map_err(|e| format!("read {f}: {e}"))?;
            files.push((f, compress(&data)?));
        }
        let code = total(&files);
        let _ = write!(
            table,
            "Leptos floor: `{FLOOR_SRC}`, the least Leptos app with the parts every page of the \
             start set needs and nothing else: a router with a sign-in and a leads route, a \
             sign-in form posted by an action, two reads (privileges, then a page of leads) under \
             `Suspense` and `ErrorBoundary`, a keyed list of cards, a button closed with its \
             reason, a next-page button and a list of toasts. Built with the workspace's release \
             profile, wasm-bindgen and wasm-opt `-Oz` as the SPA is, without the split and \
             `erase_components` (both only help an app with many pages and components). Weighed, \
             never served: how much of the target Leptos itself takes.\n\n\
             | Leptos floor file | raw | gzip | brotli |\n|---|---:|---:|---:|\n",
        );
        size_rows(table, &files, "Leptos floor ");
        total_row(table, "wasm + js", &code);
        let with_stylesheet = match stylesheet {
            Some(css) => {
                size_rows(table, std::slice::from_ref(css), "");
                let t = sum(&code, &css.1);
                total_row(table, "with the SPA's stylesheet", &t);
                t
            }
            None => code,
        };
        let _ = writeln!(
            table,
            "\nThe floor alone is {:.1} KB gzip with the stylesheet, against the target of \
             {SIZE_TARGET_GZIP_KB:.0} KB.\n",
            kb(with_stylesheet.gzip)
        );
        Ok(Ok(FloorSizes {
            code,
            with_stylesheet,
        }))
    }

    /// What an `index.html` loads (`src`/`href` of `.js`, `.wasm` and `.css`), as paths in the
    /// bench dist.
    fn index_files(index: &Path) -> Result<Vec<String>> {
        let html =
            std::fs::read_to_string(index).map_err(|e| format!("read {}: {e}", index.display()))?;
        let mut files = Vec::new();
        for attr in ["src=\"", "href=\""] {
            for (at, _) in html.match_indices(attr) {
                let rest = &html[at + attr.len()..];
                let value = &rest[..rest.find('"').unwrap_or(0)];
                if [".js", ".wasm", ".css"]
                    .iter()
                    .any(|ext| value.ends_with(ext))
                {
                    let file = value.trim_start_matches('/').to_string();
                    if !files.contains(&file) {
                        files.push(file);
                    }
                }
            }
        }
        if files.is_empty() {
            return Err(format!("{} loads no .js, .wasm or .css", index.display()));
        }
        Ok(files)
    }

    fn react_sizes(dist: &Path, react: &ReactRef, table: &mut String) -> Result<Sizes> {
        let mut files = Vec::new();
        for f in index_files(&dist.join(REACT_DIR).join("index.html"))? {
            let data = std::fs::read(dist.join(&f)).map_err(|e| format!("read {f}: {e}"))?;
            files.push((f, compress(&data)?));
        }
        let _ = write!(
            table,
            "React reference ({}): `{REACT_SRC}` built by `npm ci` and its `build.mjs` (esbuild, \
             `NODE_ENV=production`, minified) into `<target>/xtask/bench-dist/{REACT_DIR}/`; the \
             files its `index.html` loads: its bundle and the SPA's stylesheet (the same file). \
             Not like for like: the SPA's start set is the shell, sign-in and the leads page, the \
             reference's only the leads page.\n\n\
             | React reference file | raw | gzip | brotli |\n|---|---:|---:|---:|\n",
            react.versions
        );
        size_rows(table, &files, "React reference ");
        let t = Sizes {
            raw: files.iter().map(|f| f.1.raw).sum(),
            gzip: files.iter().map(|f| f.1.gzip).sum(),
            brotli: files.iter().map(|f| f.1.brotli).sum(),
        };
        let _ = writeln!(
            table,
            "| **total** | **{:.1} KB** | **{:.1} KB** | **{:.1} KB** |\n",
            kb(t.raw),
            kb(t.gzip),
            kb(t.brotli)
        );
        Ok(t)
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
        /// GET URLs taken in turn instead of `url`, when not empty.
        urls: Vec<String>,
        sid: String,
        bodies: Vec<serde_json::Value>,
        /// Count a 200 whose body has an `"error"` member as an error (per-object results).
        error_in_body: bool,
        /// Sent as `Accept-Encoding`: [`BROWSER_ENCODINGS`], as the SPA's requests carry, or
        /// none (the answer is sent uncompressed).
        accept_encoding: Option<&'static str>,
    }

    /// What Chromium sends as `Accept-Encoding` with every request of the SPA.
    const BROWSER_ENCODINGS: &str = "gzip, deflate, br, zstd";

    impl Route {
        /// Every request the load sends, as bytes for [`http_load`]: the URLs or the bodies taken
        /// in turn, with the SPA's headers.
        fn raw_requests(&self, host: &str) -> Result<Vec<Vec<u8>>> {
            let urls = if self.urls.is_empty() {
                std::slice::from_ref(&self.url)
            } else {
                &self.urls[..]
            };
            let bodies = self
                .bodies
                .iter()
                .map(|b| serde_json::to_vec(b).map(Some).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>>>()?;
            let bodies = if bodies.is_empty() {
                vec![None]
            } else {
                bodies
            };
            let mut headers = vec![
                ("x-elastic-internal-origin", "Kibana"),
                ("elastic-api-version", "1"),
                ("cookie", self.sid.as_str()),
            ];
            if let Some(encodings) = self.accept_encoding {
                headers.push(("accept-encoding", encodings));
            }
            if !self.bodies.is_empty() {
                headers.push(("kbn-xsrf", "true"));
            }
            (0..urls.len().max(bodies.len()))
                .map(|n| {
                    let url =
                        reqwest::Url::parse(&urls[n % urls.len()]).map_err(|e| e.to_string())?;
                    let target = match url.query() {
                        Some(q) => format!("{}?{q}", url.path()),
                        None => url.path().to_string(),
                    };
                    Ok(http_load::request(
                        self.method.as_str(),
                        &target,
                        host,
                        &headers,
                        bodies[n % bodies.len()].as_deref(),
                    ))
                })
                .collect()
        }

        fn body_ok(&self, body: &[u8]) -> bool {
            !self.error_in_body || !body.windows(7).any(|w| w == b"\"error\"")
        }
    }

    /// `conns` tasks, each with its own keep-alive connection ([`http_load`]), sending the
    /// route's requests back to back for `secs` seconds.
    async fn load(route: Route, conns: usize, secs: u64) -> Result<Load> {
        let what = format!("{} {}", route.method, route.url);
        let url = reqwest::Url::parse(&route.url).map_err(|e| format!("{what}: {e}"))?;
        let addr = url
            .socket_addrs(|| None)
            .map_err(|e| format!("{what}: {e}"))?
            .first()
            .copied()
            .ok_or(format!("{what}: no address"))?;
        let requests = Arc::new(route.raw_requests(&format!("{addr}"))?);
        // One request first: the route must answer 200 (without errors) before it is timed.
        let mut probe = http_load::Connection::open(addr).await?;
        let (status, body) = probe
            .send(&requests[0])
            .await
            .map_err(|e| format!("{what}: {e}"))?;
        if !(200..300).contains(&status) || !route.body_ok(body) {
            return Err(format!(
                "{what} answered {status}: {}",
                String::from_utf8_lossy(body)
            ));
        }
        let probe_bytes = body.len();

        let route = Arc::new(route);
        let started = Instant::now();
        let deadline = started + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for task in 0..conns as u64 {
            let (route, requests) = (route.clone(), requests.clone());
            let mut conn = http_load::Connection::open(addr).await?;
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::with_capacity(50_000);
                let mut errors = 0u64;
                let mut body_len = 0;
                // Connections spread evenly over the requests taken in turn, so no two ask the
                // same query close together.
                let spread = requests.len().max(conns) as u64;
                let mut n = task * spread / conns as u64 + 1;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match conn
                        .send(&requests[(n % requests.len() as u64) as usize])
                        .await
                    {
                        Ok((status, body))
                            if (200..300).contains(&status) && route.body_ok(body) =>
                        {
                            times.push(t.elapsed());
                            body_len = body.len();
                        }
                        Ok(_) => errors += 1,
                        // The connection is in an unknown state: this task's load ends here.
                        Err(e) => return Err(e),
                    }
                    n += 1;
                }
                Ok((times, errors, body_len))
            }));
        }
        let mut all = Vec::new();
        let mut errors = 0;
        // As sent while timed (compressed, if it was): the probe above may have had it plain.
        let mut body_bytes = probe_bytes;
        for t in tasks {
            let (times, e, len) = t.await.map_err(|e| format!("load task: {e}"))??;
            all.extend(times);
            errors += e;
            if len > 0 {
                body_bytes = len;
            }
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

    fn server(ctx: &Ctx, dist: &Path, react: &ReactRef, report: &mut Report) -> Result<()> {
        let tmp = ctx.target_dir().join("xtask/bench-tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| format!("mkdir {}: {e}", tmp.display()))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let result = rt.block_on(server_async(&tmp, dist, react, report));
        drop(rt);
        let _ = std::fs::remove_dir_all(&tmp);
        result
    }

    async fn server_async(
        tmp: &Path,
        dist: &Path,
        react: &ReactRef,
        report: &mut Report,
    ) -> Result<()> {
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
             {CONNECTIONS} keep-alive connections, each writing its request and reading the \
             answer by its Content-Length before the next (`xtask/src/http_load.rs`, like wrk: \
             the bytes are read, not parsed or decompressed), back to back for {LOAD_SECS} s per \
             route; latency is send → last byte of the answer read, so it includes the client's \
             own work and the queueing of 64 concurrent requests. Client and server share the \
             machine's cores. Every request carries the headers the SPA's do, with Chromium's \
             `Accept-Encoding: {BROWSER_ENCODINGS}`, except the `find uncompressed` row (no \
             Accept-Encoding). The find rows ask one query again and again, as many \
             analysts opening the leads page do: after the first request the server sends the \
             answer it keeps until the next write (`find_cache`), gzip-compressed once for the \
             clients that accept it (the body column is what was sent). The uncached rows take 160 \
             queries in turn (pages 1–10, both sort fields and orders, each status and none; \
             100 leads each), five times what that cache holds, so each is read from SQLite and \
             built anew; the last of them has 1 connection ({UNLOADED_SECS} s): the latency of \
             one request on its own. `change_access_mode` \
             runs as `elastic` on the seeded dashboard `{ACCESS_MODE_DASHBOARD}`, alternating \
             `write_restricted` / `default` (every request a write); a 200 with a per-object \
             error counts as an error. The React reference has no rows here: it calls the same \
             server with the same requests.\n\n\
             | route | conns | requests | errors | req/s | p50 | p99 | max | body |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            SERVER_PROFILE.join(", ")
        );
        let mut lines = Vec::new();
        let get_route = |path: &str| Route {
            method: reqwest::Method::GET,
            url: format!("{base}{path}"),
            urls: Vec::new(),
            sid: sid.clone(),
            bodies: Vec::new(),
            error_in_body: false,
            accept_encoding: Some(BROWSER_ENCODINGS),
        };
        // More distinct queries than the server keeps answers for, each asked again only after
        // dozens of others: every request is read from the database and built anew.
        let uncached_route = || Route {
            urls: uncached_find_paths()
                .iter()
                .map(|p| format!("{base}{p}"))
                .collect(),
            ..get_route(FIND_PATH)
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
                "find uncompressed",
                FIND_UNCOMPRESSED_LABEL,
                Route {
                    accept_encoding: None,
                    ..get_route(FIND_PATH)
                },
                CONNECTIONS,
                LOAD_SECS,
            ),
            (
                "find uncached",
                UNCACHED_FIND_PATHS,
                uncached_route(),
                CONNECTIONS,
                LOAD_SECS,
            ),
            (
                "find uncached unloaded",
                UNCACHED_FIND_PATHS,
                uncached_route(),
                1,
                UNLOADED_SECS,
            ),
            (
                "change_access_mode",
                ACCESS_MODE_PATH,
                Route {
                    method: reqwest::Method::POST,
                    url: format!("{base}{ACCESS_MODE_PATH}"),
                    urls: Vec::new(),
                    sid: elastic_sid.clone(),
                    bodies: vec![mode("write_restricted"), mode("default")],
                    error_in_body: true,
                    accept_encoding: Some(BROWSER_ENCODINGS),
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
                "find uncompressed" => {
                    "no target (the find row for a client that does not accept gzip)".to_string()
                }
                "find uncached" => {
                    "no target (find when no answer is kept: the database read each time)"
                        .to_string()
                }
                "find uncached unloaded" => {
                    "no target (one uncached find on its own, without queueing)".to_string()
                }
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

        // 3.–6. In headless Chromium, against the same server. A failure here is reported, not
        // fatal: the figures above stand.
        let browser_figures = async {
            list_space(&base, &elastic_sid, &server.db_path).await?;
            let ctx = BrowserCtx {
                base: &base,
                sid: &sid,
                elastic_sid: &elastic_sid,
                react: react.ran(),
            };
            browser(tmp, dist, &ctx, report).await
        };
        if let Err(e) = browser_figures.await {
            for figure in [
                "time to leads",
                "permission reaction",
                "list rendering",
                "memory",
            ] {
                report.line(format!("{figure}: not measured ({e})"));
            }
            if react.ran() {
                report
                    .react
                    .push(format!("browser figures not measured ({e})"));
            }
            report.sections.push(format!(
                "## 3.–6. Browser figures\n\nNot measured in this run: {e}\n"
            ));
        }
        server.shutdown().await;
        Ok(())
    }

    /// The space of the list figures: created through the spaces API as `elastic` (the server
    /// keeps spaces in memory), then [`LIST_LEADS`] synthetic leads stored in it, all active so
    /// the default status filter pages through every one of them.
    async fn list_space(base: &str, elastic_sid: &str, db_path: &Path) -> Result<()> {
        let r = client()?
            .post(format!("{base}{}", gatehouse_api::spaces::SPACES_PATH))
            .header("kbn-xsrf", "true")
            .header("cookie", elastic_sid)
            .json(&serde_json::json!({ "id": LIST_SPACE, "name": "Bench 10k" }))
            .send()
            .await
            .map_err(|e| format!("create space {LIST_SPACE}: {e}"))?;
        if !r.status().is_success() {
            return Err(format!(
                "create space {LIST_SPACE}: {}: {}",
                r.status(),
                r.text().await.unwrap_or_default()
            ));
        }
        let db_path = db_path.to_path_buf();
        tokio::task::spawn_blocking(move || -> Result<()> {
            let mut conn = rusqlite::Connection::open(&db_path).map_err(|e| e.to_string())?;
            conn.busy_timeout(Duration::from_secs(30))
                .map_err(|e| e.to_string())?;
            gatehouse_server::leads::insert_synthetic_leads(&mut conn, LIST_SPACE, LIST_LEADS, 10)
                .map_err(|e| format!("insert_synthetic_leads: {e:#}"))?;
            conn.execute(
                "UPDATE leads SET status = 'active' WHERE index_name = ?1",
                [gatehouse_api::leads::leads_index(LIST_SPACE)],
            )
            .map_err(|e| e.to_string())?;
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())?
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
    /// the DOM (the app's, or the server's first paint of the page, `#first-paint`), and marks it
    /// with `performance.mark`; once the page's own interactive card is in the DOM too (the SPA's
    /// `[data-testid=lead-card]`; the floor's and React's first card are theirs) it keeps the
    /// steps of the load in `window.__ttlPhases` (read as [`Phases`]).
    const TTL_SCRIPT: &str = r#"(() => {
      addEventListener('TrunkApplicationStarted', () => { window.__ttlStarted = performance.now(); });
      let drawn = null;
      const seen = () => {
        if (drawn == null && document.querySelector('[data-testid="lead-card"], #first-paint .lead-card')) {
          drawn = performance.now();
          performance.mark('gatehouse-leads-rendered');
        }
        if (!document.querySelector('[data-testid="lead-card"]')) return false;
        const own = performance.now();
        const nav = performance.getEntriesByType('navigation')[0];
        const finds = performance.getEntriesByType('resource')
          .filter((e) => e.name.includes('/internal/entity_analytics/leads?'));
        const find = finds[finds.length - 1];
        window.__ttlPhases = {
          html: nav ? nav.responseEnd : null,
          started: window.__ttlStarted ?? null,
          leadsSent: find ? find.startTime : null,
          leadsAnswered: find ? find.responseEnd : null,
          card: drawn,
          ownCard: own,
        };
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
        /// The W3C session id once created.
        session: String,
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

        async fn session_call(
            &self,
            method: reqwest::Method,
            path: &str,
            body: Option<serde_json::Value>,
        ) -> Result<serde_json::Value> {
            self.call(method, &format!("/session/{}{path}", self.session), body)
                .await
        }

        /// Runs `script` (a function body: `return …;`) in the page.
        async fn execute(&self, script: &str) -> Result<serde_json::Value> {
            self.session_call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(serde_json::json!({ "script": script, "args": [] })),
            )
            .await
        }

        /// Evaluates `promise` (an expression) in the page and returns what it resolves to; a
        /// rejection comes back as `{ "error": … }`.
        ///
        /// Through CDP `Runtime.evaluate`, not WebDriver's execute-async: chromedriver's wrapper
        /// leaves every async result in the page, about 6 KB per 50 page switches' timings, which
        /// item 6 counted as the page's JS heap growing by 0.12 KB per switch (a heap sampling
        /// profile showed those objects allocated by the wrapper's scripts; through CDP the
        /// SPA's and the React reference's heaps stay flat over thousands of switches).
        async fn evaluate(&self, promise: &str) -> Result<serde_json::Value> {
            let expression = format!(
                "Promise.resolve().then(() => {promise}).catch((e) => ({{ error: String(e && e.stack || e) }}))"
            );
            let v = self
                .cdp(
                    "Runtime.evaluate",
                    serde_json::json!({
                        "expression": expression,
                        "awaitPromise": true,
                        "returnByValue": true,
                    }),
                )
                .await?;
            if let Some(e) = v.get("exceptionDetails") {
                return Err(format!("in the page: {e}"));
            }
            Ok(v["result"]["value"].clone())
        }

        /// A Chrome DevTools Protocol command through chromedriver.
        async fn cdp(&self, cmd: &str, params: serde_json::Value) -> Result<serde_json::Value> {
            self.session_call(
                reqwest::Method::POST,
                "/goog/cdp/execute",
                Some(serde_json::json!({ "cmd": cmd, "params": params })),
            )
            .await
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

    /// Where one page load's time went, in ms since navigation start ([`TTL_SCRIPT`]); `None`
    /// where the page has no such step (the floor sends no request, React sends no
    /// `TrunkApplicationStarted`).
    #[derive(Debug, Clone, Copy)]
    struct Phases {
        /// The last byte of the HTML received.
        html: Option<f64>,
        /// The SPA's loader done: wasm compiled and instantiated, its `main` run.
        started: Option<f64>,
        /// The request for the first page of leads sent, and its answer's last byte received.
        leads_sent: Option<f64>,
        leads_answered: Option<f64>,
        /// The first lead card in the DOM: the figure itself.
        card: f64,
        /// The page's own first card, which answers clicks: the SPA's, once it has taken over
        /// from the server's first paint; the floor's and React's first card.
        own_card: f64,
    }

    impl Phases {
        fn from_json(v: &serde_json::Value) -> Option<Self> {
            let at = |key: &str| v.get(key).and_then(serde_json::Value::as_f64);
            Some(Self {
                html: at("html"),
                started: at("started"),
                leads_sent: at("leadsSent"),
                leads_answered: at("leadsAnswered"),
                card: at("card")?,
                own_card: at("ownCard")?,
            })
        }
    }

    async fn time_to_leads(d: &Driver, url: &str) -> Result<Phases> {
        use reqwest::Method;
        d.session_call(
            Method::POST,
            "/url",
            Some(serde_json::json!({ "url": url })),
        )
        .await?;
        let started = Instant::now();
        loop {
            let v = d.execute("return window.__ttlPhases ?? null;").await?;
            if let Some(phases) = Phases::from_json(&v) {
                return Ok(phases);
            }
            if started.elapsed() > Duration::from_secs(30) {
                let at = d
                    .session_call(Method::GET, "/url", None)
                    .await
                    .unwrap_or_default();
                return Err(format!(
                    "no lead card 30 s after loading {url} (page: {at})"
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Starts chromedriver and one headless Chromium session, runs every browser figure in it
    /// (each failure is reported as that figure's "not measured"), and ends the session.
    async fn browser(
        tmp: &Path,
        dist: &Path,
        ctx: &BrowserCtx<'_>,
        report: &mut Report,
    ) -> Result<()> {
        use reqwest::Method;
        write_floor(dist, ctx.base, ctx.sid).await?;
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
        let mut d = Driver {
            child,
            http: client()?,
            url: format!("http://127.0.0.1:{port}"),
            session: String::new(),
        };
        let t = Instant::now();
        while d.call(Method::GET, "/status", None).await.is_err() {
            if t.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not answer within 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        open_session(&mut d, &tmp.join("chromium-profile"), ctx).await?;
        // 3. Time to leads.
        match time_to_leads_runs(&d, ctx).await {
            Ok(t) => report_time_to_leads(t, report),
            Err(e) => {
                if ctx.react {
                    report
                        .react
                        .push(format!("time to leads not measured ({e})"));
                }
                report.line(format!("time to leads: not measured ({e})"));
                report.sections.push(format!(
                    "## 3. Time to leads in headless Chromium\n\nNot measured in this run: {e}\n"
                ));
            }
        }

        // 4. Permission reaction. The role is put back whatever happened.
        let reaction = permission_reaction(&d, ctx).await;
        let restored = put_leads_role(ctx, true).await;
        match reaction.and_then(|r| restored.map(|()| r)) {
            Ok(runs) => report_permission_reaction(&runs, report),
            Err(e) => {
                report.line(format!("permission reaction: not measured ({e})"));
                report.sections.push(format!(
                    "## 4. Permission reaction\n\nNot measured in this run: {e}\n"
                ));
            }
        }

        // 5. List rendering and 6. memory, in one visit of the 10,000-lead space; then the same
        // visit of the React reference. Each in a fresh Chromium: a renderer's JS heap can still
        // hold what earlier pages left in it, which would count for the page measured.
        close_session(&mut d).await;
        let spa_url = format!("{}/s/{LIST_SPACE}{SPA_PATH}", ctx.base);
        let spa = match open_session(&mut d, &tmp.join("chromium-profile-spa-list"), ctx).await {
            Ok(()) => list_and_memory(&d, &spa_url, true).await,
            Err(e) => Err(e),
        };
        close_session(&mut d).await;
        let react = if ctx.react {
            let url = format!("{}/s/{LIST_SPACE}/{REACT_DIR}/", ctx.base);
            let profile = tmp.join("chromium-profile-react-list");
            Some(match open_session(&mut d, &profile, ctx).await {
                Ok(()) => list_and_memory(&d, &url, false).await,
                Err(e) => Err(e),
            })
        } else {
            None
        };
        match &react {
            Some(Ok(r)) => react_list_summary(r, report),
            Some(Err(e)) => report
                .react
                .push(format!("list rendering and memory not measured ({e})")),
            None => {}
        }
        match spa {
            Ok(m) => {
                report_list_rendering(&m, react.as_ref(), report);
                report_memory(&m, react.as_ref(), report);
            }
            Err(e) => {
                report.line(format!("list rendering: not measured ({e})"));
                report.line(format!("memory: not measured ({e})"));
                report.sections.push(format!(
                    "## 5. List rendering\n\nNot measured in this run: {e}\n\n\
                     ## 6. Memory\n\nNot measured in this run: {e}\n"
                ));
            }
        }
        close_session(&mut d).await;
        Ok(())
    }

    /// A new headless Chromium (profile `profile`) in a WebDriver session on `d`, with the page
    /// scripts installed and `leads_full_user`'s session cookie set.
    async fn open_session(d: &mut Driver, profile: &Path, ctx: &BrowserCtx<'_>) -> Result<()> {
        use reqwest::Method;
        // `--enable-precise-memory-info`: `performance.memory` unrounded and current (item 6).
        let caps = serde_json::json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--window-size=1280,900",
                         "--enable-precise-memory-info",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let s = d.call(Method::POST, "/session", Some(caps)).await?;
        d.session = s["sessionId"].as_str().ok_or("no sessionId")?.to_string();
        if let Err(e) = setup_session(d, ctx).await {
            close_session(d).await;
            return Err(e);
        }
        Ok(())
    }

    async fn setup_session(d: &Driver, ctx: &BrowserCtx<'_>) -> Result<()> {
        use reqwest::Method;
        for script in [TTL_SCRIPT, PAGE_HELPERS] {
            d.cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                serde_json::json!({ "source": script }),
            )
            .await?;
        }
        d.session_call(
            Method::POST,
            "/timeouts",
            Some(serde_json::json!({ "script": 180_000 })),
        )
        .await?;
        let floor_url = format!("{}/{FLOOR_FILE}", ctx.base);
        d.session_call(
            Method::POST,
            "/url",
            Some(serde_json::json!({ "url": floor_url })),
        )
        .await?;
        let (name, value) = ctx.sid.split_once('=').ok_or("bad sid cookie")?;
        d.session_call(
            Method::POST,
            "/cookie",
            Some(serde_json::json!({ "cookie": { "name": name, "value": value, "path": "/", "httpOnly": true } })),
        )
        .await?;
        Ok(())
    }

    /// Ends the WebDriver session (and its Chromium), if there is one.
    async fn close_session(d: &mut Driver) {
        if !d.session.is_empty() {
            let _ = d.session_call(reqwest::Method::DELETE, "", None).await;
            d.session.clear();
        }
    }

    /// What the browser figures need from the server stage.
    struct BrowserCtx<'a> {
        base: &'a str,
        /// `leads_full_user`'s session cookie, shared with the browser.
        sid: &'a str,
        /// `elastic`'s, to change `leads_full_access` for the permission reaction.
        elastic_sid: &'a str,
        /// Whether the React reference was built (`<dist>/react/`).
        react: bool,
    }

    /// Time to leads of the SPA, the React reference (when built) and the floor, one [`Phases`]
    /// per run.
    struct TimeToLeads {
        spa: Vec<Phases>,
        /// `Err` once one of its runs failed (the SPA's figure stands).
        react: Option<Result<Vec<Phases>>>,
        floor: Vec<Phases>,
    }

    async fn time_to_leads_runs(d: &Driver, ctx: &BrowserCtx<'_>) -> Result<TimeToLeads> {
        let base = ctx.base;
        let floor_url = format!("{base}/{FLOOR_FILE}");
        let spa_url = format!("{base}{SPA_PATH}");
        let react_url = ctx.react.then(|| format!("{base}/{REACT_DIR}/"));
        let mut t = TimeToLeads {
            spa: Vec::new(),
            react: react_url.as_ref().map(|_| Ok(Vec::new())),
            floor: Vec::new(),
        };
        // One run of the React reference, unless one failed already.
        async fn react_run(
            d: &Driver,
            url: &Option<String>,
            t: &mut TimeToLeads,
        ) -> Option<Phases> {
            let (Some(url), Some(Ok(_))) = (url, &t.react) else {
                return None;
            };
            match time_to_leads(d, url).await {
                Ok(phases) => Some(phases),
                Err(e) => {
                    t.react = Some(Err(e));
                    None
                }
            }
        }
        // One warm-up each (compiles the wasm into the cache, like a returning user).
        time_to_leads(d, &spa_url).await?;
        react_run(d, &react_url, &mut t).await;
        time_to_leads(d, &floor_url).await?;
        for _ in 0..RUNS {
            t.spa.push(time_to_leads(d, &spa_url).await?);
            if let Some(phases) = react_run(d, &react_url, &mut t).await {
                if let Some(Ok(runs)) = &mut t.react {
                    runs.push(phases);
                }
            }
            t.floor.push(time_to_leads(d, &floor_url).await?);
        }
        Ok(t)
    }

    /// The first-card times of `runs`, sorted.
    fn cards(runs: &[Phases]) -> Vec<f64> {
        let mut ms: Vec<f64> = runs.iter().map(|p| p.card).collect();
        ms.sort_by(f64::total_cmp);
        ms
    }

    /// The median of one step over `runs`, or "—" where no run has it.
    fn step_median(runs: &[Phases], step: fn(&Phases) -> Option<f64>) -> String {
        let mut ms: Vec<f64> = runs.iter().filter_map(step).collect();
        if ms.is_empty() {
            return "—".into();
        }
        ms.sort_by(f64::total_cmp);
        format!("{:.1} ms", median(&ms))
    }

    /// Where the time goes: each step's median over the same runs.
    fn phases_table(t: &TimeToLeads) -> String {
        let mut table = String::from(
            "| page | HTML received | first card | app started | leads request sent | leads answer received | app's own first card |\n\
             |---|---:|---:|---:|---:|---:|---:|\n",
        );
        let mut row = |name: &str, runs: &[Phases]| {
            let _ = writeln!(
                table,
                "| {name} | {} | {} | {} | {} | {} | {} |",
                step_median(runs, |p| p.html),
                step_median(runs, |p| Some(p.card)),
                step_median(runs, |p| p.started),
                step_median(runs, |p| p.leads_sent),
                step_median(runs, |p| p.leads_answered),
                step_median(runs, |p| Some(p.own_card)),
            );
        };
        row("SPA", &t.spa);
        if let Some(Ok(react)) = &t.react {
            row("React reference", react);
        }
        row("static floor", &t.floor);
        table
    }

    fn report_time_to_leads(t: TimeToLeads, report: &mut Report) {
        let phases = phases_table(&t);
        let spa = cards(&t.spa);
        let floor = cards(&t.floor);
        let react = t.react.map(|r| r.map(|runs| cards(&runs)));
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
             start) and a `performance.mark` when the first lead card enters the DOM; it is read \
             over WebDriver. For the SPA that is the server's first paint of the page \
             (`server/src/first_paint.rs`: `index.html` with the signed-in user's leads page drawn \
             in it, inert until the app replaces it with its own, the same markup); the last \
             column of the second table is when the app's own card, the one that answers clicks, \
             is in the DOM. Floor: a static HTML page with the same first 20 \
             leads and the SPA's CSS, served by the same server (`/{FLOOR_FILE}`). The React \
             reference (`/{REACT_DIR}/`, see section 1) makes the SPA's requests before its first \
             card (who is signed in, capabilities, leads privileges, then the leads). One \
             warm-up each, then {RUNS} alternating runs; browser cache warm.\n\n\
             | page | median | min | max | ratio to the floor (medians) |\n|---|---:|---:|---:|---:|\n\
             | SPA `{SPA_PATH}` | {ms:.1} ms | {:.1} ms | {:.1} ms | {ratio:.2} |\n",
            spa[0],
            spa[RUNS - 1],
        );
        if let Some(Err(e)) = &react {
            let _ = writeln!(
                section,
                "| React reference `/{REACT_DIR}/`: not measured ({}) | | | | |",
                e.replace('|', "/")
            );
            report
                .react
                .push(format!("time to leads not measured ({e})"));
        }
        if let Some(Ok(react)) = react {
            let mr = median(&react);
            let _ = writeln!(
                section,
                "| React reference `/{REACT_DIR}/` | {mr:.1} ms | {:.1} ms | {:.1} ms | {:.2} |",
                react[0],
                react[react.len() - 1],
                mr / mf
            );
            report.react.push(format!(
                "time to leads median {mr:.1} ms (min {:.1}, max {:.1}, {} runs), ratio {:.2} to the same floor",
                react[0],
                react[react.len() - 1],
                react.len(),
                mr / mf
            ));
        }
        let _ = writeln!(
            section,
            "| static floor | {mf:.1} ms | {:.1} ms | {:.1} ms | 1.00 |\n\n\
             Ratio SPA / floor (medians): **{ratio:.2}**. Targets: ratio ≤ {TTL_TARGET_RATIO} and \
             < {TTL_TARGET_MS:.0} ms — **{}**.\n\n\
             Where the time goes, in ms since navigation start, over the same runs: the last byte \
             of the HTML (Navigation Timing), the first card (the figure above), the SPA's loader \
             done (`TrunkApplicationStarted`: wasm compiled and instantiated, its `main` run, the \
             shell mounted), the request for the first page of leads sent and its answer's last \
             byte (Resource Timing), and the page's own first card: for the SPA, its own page in \
             place of the first paint and ready for clicks; for the others, their first card. \
             Each column is its own median, so the columns need not add up.\n\n\
             {phases}",
            floor[0],
            floor[RUNS - 1],
            verdict(met)
        );
        report.sections.push(section);
        report.line(line);
    }

    // -----------------------------------------------------------------------------------------
    // 4. Permission reaction, 5. list rendering, 6. memory (issue items 3, 4 and 6)

    /// One frame at 60 Hz: the target of items 3 and 4.
    const FRAME_MS: f64 = 16.0;
    /// The space the list figures run in, with [`LIST_LEADS`] leads, all active.
    const LIST_SPACE: &str = "bench-10k";
    const LIST_LEADS: usize = 10_000;
    const LIST_PER_PAGE: u32 = 100;
    const SWITCHES: usize = 1_000;
    /// Page switches per call into the page; memory is sampled (after a GC) between batches.
    const SWITCH_BATCH: usize = 50;
    /// Item 6 goes on switching after the timed [`SWITCHES`], up to this many, sampling memory
    /// every [`LATE_SAMPLE_EVERY`]: early on the wasm allocator grows to its working size (wasm
    /// memory never shrinks); a leak goes on growing over the last thousand.
    const LEAK_SWITCHES: usize = 3_000;
    const LATE_SAMPLE_EVERY: usize = 250;

    /// Installed before any page script, next to [`TTL_SCRIPT`]: keeps the wasm exports the SPA's
    /// loader announces (`TrunkApplicationStarted`, the event Trunk's loader sends, `detail.wasm.memory`) and defines
    /// `window.__gh`, the in-page side of items 3, 4 and 6. `step` runs an action and, on the
    /// first DOM mutation after which `ready()` holds, takes `performance.now()` (`dom`), forces
    /// style + layout and takes it again (`layout`), with the Resource Timing `responseEnd` and
    /// `responseStatus` of the last request whose URL contains `url` and the time of the SPA's
    /// `performance.mark` `mark` (set in `src/pages/entity_analytics.rs` when the answer has
    /// been parsed / the failure handled); it records response → DOM as the
    /// `performance.measure` `gatehouse:update` and resolves after the next frame, so the next
    /// step never waits for this one's paint.
    const PAGE_HELPERS: &str = r#"(() => {
      addEventListener('TrunkApplicationStarted', (e) => { window.__ghWasm = e.detail && e.detail.wasm; });
      const q = (id) => document.querySelector(`[data-testid="${id}"]`);
      const all = (id) => Array.from(document.querySelectorAll(`[data-testid="${id}"]`));
      const lastMark = (name) => {
        const m = performance.getEntriesByName(name, 'mark');
        return m.length ? m[m.length - 1].startTime : null;
      };
      const step = (action, ready, url, mark) => new Promise((resolve) => {
        performance.clearResourceTimings();
        performance.clearMeasures();
        let timer = null;
        let mo = null;
        let seen = false;
        const finish = (r) => { if (mo) mo.disconnect(); clearTimeout(timer); resolve(r); };
        const check = () => {
          if (seen || !ready()) return;
          seen = true;
          const dom = performance.now();
          mo.disconnect();
          // Style and layout of the new DOM, now rather than before the next frame.
          void document.documentElement.offsetHeight;
          const layout = performance.now();
          const hits = performance.getEntriesByType('resource').filter((e) => e.name.includes(url));
          const r = hits[hits.length - 1];
          const at = mark ? lastMark(mark) : null;
          if (r) performance.measure('gatehouse:update', { start: r.responseEnd, end: dom });
          const result = { dom, layout, responseEnd: r ? r.responseEnd : null, status: r ? (r.responseStatus ?? null) : null, mark: at };
          // The next step starts after this frame is done, so it does not wait for this paint.
          requestAnimationFrame(() => setTimeout(() => finish(result), 0));
        };
        mo = new MutationObserver(check);
        mo.observe(document.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
        timer = setTimeout(() => finish({ error: `timed out; page label ${gh.pageLabel()}, ${gh.cards()} cards` }), 15000);
        action();
      });
      const gh = {
        pageLabel: () => { const l = q('leads-page'); return l ? l.textContent : null; },
        cards: () => all('lead-card').length,
        // Full access settled: cards shown, Generate and every Dismiss open.
        fullReady: () => {
          const g = q('leads-generate');
          const dismiss = all('lead-dismiss');
          return gh.cards() > 0 && !!g && g.getAttribute('aria-disabled') !== 'true' && dismiss.length > 0
            && dismiss.every((b) => b.getAttribute('aria-disabled') !== 'true');
        },
        // Item 3: click the first Dismiss (the server answers 403); ready when the error toast is
        // in the DOM and Generate and every Dismiss are closed.
        dismissDenied: () => step(
          () => q('lead-dismiss').click(),
          () => all('toast').some((t) => t.classList.contains('toast-error') && t.textContent.includes('Failed to dismiss lead'))
            && [q('leads-generate'), ...all('lead-dismiss')].every((b) => b && b.getAttribute('aria-disabled') === 'true'),
          '/_dismiss', 'gatehouse:dismiss-failed'),
        setPerPage: (n, expectLabel) => step(
          () => {
            const sel = document.querySelector('nav.pagination select');
            sel.value = String(n);
            sel.dispatchEvent(new Event('change', { bubbles: true }));
          },
          () => gh.cards() === n && gh.pageLabel() === expectLabel,
          '/internal/entity_analytics/leads?', 'gatehouse:leads-parsed'),
        // Item 4: `count` page switches of `perPage` cards, forward to the last page and back.
        switches: async (count, perPage) => {
          const out = [];
          for (let i = 0; i < count; i++) {
            const m = /^Page (\d+) of (\d+)$/.exec(gh.pageLabel() || '');
            if (!m) return { error: `no page label (${gh.pageLabel()})`, out };
            const [page, pages] = [Number(m[1]), Number(m[2])];
            if (page >= pages) window.__ghDir = -1;
            if (page <= 1) window.__ghDir = 1;
            const next = page + (window.__ghDir || 1);
            const r = await step(
              () => q(next > page ? 'leads-next' : 'leads-prev').click(),
              () => gh.pageLabel() === `Page ${next} of ${pages}` && gh.cards() === perPage,
              '/internal/entity_analytics/leads?', 'gatehouse:leads-parsed');
            if (r.error) return { error: r.error, out };
            out.push(r);
          }
          return { out };
        },
        memory: () => ({
          heap: performance.memory ? performance.memory.usedJSHeapSize : null,
          wasm: window.__ghWasm && window.__ghWasm.memory ? window.__ghWasm.memory.buffer.byteLength : null,
          inUse: window.__ghWasm && window.__ghWasm.heap_live_bytes ? window.__ghWasm.heap_live_bytes() >>> 0 : null,
          nodes: document.getElementsByTagName('*').length,
        }),
      };
      window.__gh = gh;
    })();"#;

    /// One update measured in the page: all times in ms since navigation start.
    #[derive(Debug, Clone, Copy)]
    struct Update {
        response_end: f64,
        mark: f64,
        dom: f64,
        /// After a forced style + layout of the updated DOM.
        layout: f64,
    }

    impl Update {
        /// Response received → DOM updated: the update without the network.
        fn total(&self) -> f64 {
            self.dom - self.response_end
        }
        /// Response received → the SPA's mark (body read and parsed / failure handled).
        fn before_mark(&self) -> f64 {
            self.mark - self.response_end
        }
        /// The SPA's mark → DOM updated (rendering).
        fn after_mark(&self) -> f64 {
            self.dom - self.mark
        }
        /// DOM updated → the browser's style and layout of it done.
        fn style_layout(&self) -> f64 {
            self.layout - self.dom
        }
    }

    fn update_of(v: &serde_json::Value, status: Option<u64>) -> Result<Update> {
        if let Some(e) = v["error"].as_str() {
            return Err(e.to_string());
        }
        let field = |k: &str| {
            v[k].as_f64()
                .ok_or_else(|| format!("no {k} in the page's measurement: {v}"))
        };
        let u = Update {
            response_end: field("responseEnd")?,
            mark: field("mark")?,
            dom: field("dom")?,
            layout: field("layout")?,
        };
        if let (Some(want), Some(got)) = (status, v["status"].as_u64()) {
            if want != got {
                return Err(format!("expected a {want} answer, got {got}: {v}"));
            }
        }
        if !(u.response_end <= u.mark && u.mark <= u.dom && u.dom <= u.layout) {
            return Err(format!("times out of order (a stale mark?): {v}"));
        }
        Ok(u)
    }

    /// Median, min and max of one part of a series of updates.
    struct Spread {
        median: f64,
        min: f64,
        max: f64,
    }

    fn spread(updates: &[Update], part: fn(&Update) -> f64) -> Spread {
        let mut v: Vec<f64> = updates.iter().map(part).collect();
        v.sort_by(f64::total_cmp);
        Spread {
            median: median(&v),
            min: v[0],
            max: v[v.len() - 1],
        }
    }

    fn spread_row(name: &str, updates: &[Update]) -> String {
        let row = |s: Spread| format!("{:.1} ms | {:.1} ms | {:.1} ms", s.median, s.min, s.max);
        let median = |part: fn(&Update) -> f64| format!("{:.1} ms", spread(updates, part).median);
        format!(
            "| {name} | {} | {} | {} | {} | {} |",
            updates.len(),
            row(spread(updates, Update::total)),
            median(Update::before_mark),
            median(Update::after_mark),
            median(Update::style_layout),
        )
    }

    const SPREAD_HEADER: &str = "| update | runs | median | min | max | response → mark (median) | mark → DOM (median) | then style + layout (median) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";

    async fn put_leads_role(ctx: &BrowserCtx<'_>, write: bool) -> Result<()> {
        let privileges: Vec<String> = if write {
            gatehouse_server::seed::demo_roles()
                .into_iter()
                .find(|(name, _)| *name == "leads_full_access")
                .and_then(|(_, role)| role.indices.into_iter().next())
                .map(|grant| grant.privileges)
                .ok_or("no seeded leads_full_access role")?
        } else {
            vec!["read".to_string()]
        };
        let body = serde_json::json!({
            "elasticsearch": { "cluster": [], "indices": [{
                "names": [gatehouse_api::leads::LEADS_INDEX_PATTERN], "privileges": privileges
            }], "run_as": [] },
            "kibana": []
        });
        let r = client()?
            .put(format!("{}/api/security/role/leads_full_access", ctx.base))
            .header("kbn-xsrf", "true")
            .header("cookie", ctx.elastic_sid)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("put role: {e}"))?;
        if !r.status().is_success() {
            return Err(format!(
                "put role leads_full_access: {}: {}",
                r.status(),
                r.text().await.unwrap_or_default()
            ));
        }
        Ok(())
    }

    /// Polls `script` (a `return …;` body) until it returns true.
    async fn wait_for(d: &Driver, script: &str, what: &str) -> Result<()> {
        let started = Instant::now();
        loop {
            if d.execute(script).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!("{what}: not within 30 s"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Item 3: `leads_full_user` has the leads page open with write access; the role loses
    /// `write` on the server; Dismiss on the first card. From the 403 received to the error
    /// toast in the DOM with Generate and every Dismiss closed (`aria-disabled`).
    async fn permission_reaction(d: &Driver, ctx: &BrowserCtx<'_>) -> Result<Vec<Update>> {
        let url = format!("{}{SPA_PATH}", ctx.base);
        let mut runs = Vec::new();
        for run in 0..=RUNS {
            put_leads_role(ctx, true).await?;
            time_to_leads(d, &url).await?;
            wait_for(d, "return window.__gh.fullReady();", "write access shown").await?;
            put_leads_role(ctx, false).await?;
            let v = d.evaluate("window.__gh.dismissDenied()").await?;
            let u = update_of(&v, Some(403))?;
            if run > 0 {
                runs.push(u);
            }
        }
        Ok(runs)
    }

    fn report_permission_reaction(runs: &[Update], report: &mut Report) {
        let s = spread(runs, Update::total);
        let met = s.median <= FRAME_MS;
        let mut section = format!(
            "## 4. Permission reaction (issue item 3)\n\n\
             `leads_full_user` opens `{SPA_PATH}` (20 leads, Generate and Dismiss open); the bench \
             then removes `write` from the `leads_full_access` role through \
             `PUT /api/security/role/leads_full_access` as `elastic` and clicks the first \
             Dismiss in the page, which the server refuses with a 403. Measured in the page: from \
             the 403's `responseEnd` (Resource Timing, status checked) to the first DOM mutation \
             after which the error toast is in `#toasts` and Generate and all 20 Dismiss buttons \
             carry `aria-disabled=\"true\"` (a MutationObserver; `performance.measure` \
             `gatehouse:update`). The SPA's `performance.mark` `gatehouse:dismiss-failed` splits \
             it: response → mark is reading the body and building the error, mark → DOM is the \
             toast and the re-render. The last column is the browser's style + layout of the \
             new DOM, forced right after (not in the figure; paint not included). One warm-up, then {RUNS} runs, a fresh page load each; the \
             role is put back after every run. No React reference row: this figure is \
             the SPA's own reaction to a revoked privilege (issue item 3), and needs no \
             reference.\n\n{SPREAD_HEADER}"
        );
        let _ = writeln!(
            section,
            "{}",
            spread_row("403 → toast + buttons closed", runs)
        );
        let _ = writeln!(
            section,
            "\nTarget: within one frame (≤ {FRAME_MS:.0} ms, median) — **{}**.\n",
            verdict(met)
        );
        report.sections.push(section);
        report.line(format!(
            "permission reaction (403 on Dismiss → error toast + Generate/Dismiss closed, headless Chromium, {} runs): median {:.1} ms (min {:.1}, max {:.1}); target ≤ {FRAME_MS:.0} ms: {}",
            runs.len(),
            s.median,
            s.min,
            s.max,
            verdict(met)
        ));
    }

    /// Bytes of JS heap (`performance.memory.usedJSHeapSize`) and wasm memory, after a GC.
    #[derive(Debug, Clone, Copy)]
    struct Memory {
        heap: u64,
        wasm: u64,
        /// What the wasm allocator has handed out and not had back (`heap_live_bytes`).
        in_use: u64,
        nodes: u64,
    }

    /// `wasm`: the page is the SPA, whose wasm memory must be there (the React reference has
    /// none: 0).
    async fn memory(d: &Driver, wasm: bool) -> Result<Memory> {
        // Two collections with a pause between: wasm-bindgen's FinalizationRegistry callbacks
        // (weak refs) run after the first and free what the wasm side held for JS objects.
        for _ in 0..2 {
            d.cdp("HeapProfiler.collectGarbage", serde_json::json!({}))
                .await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let v = d.evaluate("window.__gh.memory()").await?;
        let field = |k: &str| {
            v[k].as_u64()
                .ok_or_else(|| format!("no {k} in the page's memory figures: {v}"))
        };
        Ok(Memory {
            heap: field("heap")?,
            wasm: if wasm { field("wasm")? } else { 0 },
            in_use: if wasm { field("inUse")? } else { 0 },
            nodes: field("nodes")?,
        })
    }

    struct ListAndMemory {
        pages: u64,
        per_page_switches: Vec<Update>,
        page_switches: Vec<Update>,
        after_load: Memory,
        before_switching: Memory,
        /// After every [`SWITCH_BATCH`] switches: (switches so far, memory).
        samples: Vec<(usize, Memory)>,
        /// After every [`LATE_SAMPLE_EVERY`] untimed switches, up to [`LEAK_SWITCHES`].
        late_samples: Vec<(usize, Memory)>,
    }

    impl ListAndMemory {
        /// Memory after `LEAK_SWITCHES - 1000` and after `LEAK_SWITCHES` switches: the last
        /// thousand, where a leak shows and warm-up does not.
        fn last_thousand(&self) -> Option<(Memory, Memory)> {
            let all: Vec<&(usize, Memory)> =
                self.samples.iter().chain(&self.late_samples).collect();
            let last = all.last()?;
            let start = all.iter().find(|s| s.0 + 1_000 == last.0)?;
            Some((start.1, last.1))
        }
    }

    /// No leak over the last thousand switches: the wasm heap in use and the JS heap each within
    /// 1 % (what the page's caches and a forced GC leave as noise). Wasm memory is not read
    /// here: it never shrinks, and grows when the allocator's free blocks do not fit, leak or
    /// not. `None` when that stretch was not sampled.
    fn no_leak(m: &ListAndMemory, wasm: bool) -> Option<bool> {
        let (start, end) = m.last_thousand()?;
        let within = |a: u64, b: u64| b as f64 <= a as f64 * 1.01;
        Some((!wasm || within(start.in_use, end.in_use)) && within(start.heap, end.heap))
    }

    /// Items 4 and 6 in the space with 10,000 leads at `url` (the SPA, `wasm`, or the React
    /// reference): per page 20 → 100 ({RUNS} times), then [`SWITCHES`] page switches of 100
    /// cards, with memory after load, before switching and every [`SWITCH_BATCH`] switches.
    async fn list_and_memory(d: &Driver, url: &str, wasm: bool) -> Result<ListAndMemory> {
        time_to_leads(d, url).await?;
        wait_for(
            d,
            "return window.__gh.cards() === 20 && !!window.__gh.pageLabel();",
            "first page of 20",
        )
        .await?;
        let after_load = memory(d, wasm).await?;
        let pages = (LIST_LEADS as u64).div_ceil(u64::from(LIST_PER_PAGE));
        let label_100 = format!("Page 1 of {pages}");
        let label_20 = format!("Page 1 of {}", (LIST_LEADS as u64).div_ceil(20));
        let mut per_page_switches = Vec::new();
        for run in 0..=RUNS {
            let v = d
                .evaluate(&format!(
                    "window.__gh.setPerPage({LIST_PER_PAGE}, {label_100:?})"
                ))
                .await?;
            let u = update_of(&v, Some(200))?;
            if run > 0 {
                per_page_switches.push(u);
            }
            if run < RUNS {
                let v = d
                    .evaluate(&format!("window.__gh.setPerPage(20, {label_20:?})"))
                    .await?;
                update_of(&v, Some(200))?;
            }
        }
        let before_switching = memory(d, wasm).await?;
        let mut page_switches = Vec::with_capacity(SWITCHES);
        let mut samples = Vec::new();
        while page_switches.len() < SWITCHES {
            let n = SWITCH_BATCH.min(SWITCHES - page_switches.len());
            let v = d
                .evaluate(&format!("window.__gh.switches({n}, {LIST_PER_PAGE})"))
                .await?;
            for r in v["out"].as_array().map(Vec::as_slice).unwrap_or_default() {
                page_switches.push(update_of(r, Some(200))?);
            }
            if let Some(e) = v["error"].as_str() {
                return Err(format!("page switch {}: {e}", page_switches.len() + 1));
            }
            samples.push((page_switches.len(), memory(d, wasm).await?));
        }
        // Untimed: only memory is read from here on.
        let mut late_samples = Vec::new();
        let mut switched = SWITCHES;
        while switched < LEAK_SWITCHES {
            let n = LATE_SAMPLE_EVERY.min(LEAK_SWITCHES - switched);
            let v = d
                .evaluate(&format!("window.__gh.switches({n}, {LIST_PER_PAGE})"))
                .await?;
            if let Some(e) = v["error"].as_str() {
                return Err(format!("page switch after {switched}: {e}"));
            }
            switched += n;
            late_samples.push((switched, memory(d, wasm).await?));
        }
        Ok(ListAndMemory {
            pages,
            per_page_switches,
            page_switches,
            after_load,
            before_switching,
            samples,
            late_samples,
        })
    }

    /// The React reference's rows of sections 5 and 6: the same visit, when it was measured.
    type ReactVisit<'a> = Option<&'a Result<ListAndMemory>>;

    /// Rows of section 5 for one visit: per page, all switches, first and last hundred.
    fn list_rows(section: &mut String, who: &str, m: &ListAndMemory) {
        let _ = writeln!(
            section,
            "{}",
            spread_row(
                &format!("{who}per page 20 → {LIST_PER_PAGE} (page 1)"),
                &m.per_page_switches
            )
        );
        let _ = writeln!(
            section,
            "{}",
            spread_row(
                &format!("{who}page switch ({LIST_PER_PAGE} cards replaced)"),
                &m.page_switches
            )
        );
        // The same switches, first and last hundred: whether updates slow down as the visit goes on.
        let n = m.page_switches.len();
        if n >= 200 {
            for (name, part) in [
                (
                    format!("{who}page switch, switches 1–100"),
                    &m.page_switches[..100],
                ),
                (
                    format!("{who}page switch, switches {}–{n}", n - 99),
                    &m.page_switches[n - 100..],
                ),
            ] {
                let _ = writeln!(section, "{}", spread_row(&name, part));
            }
        }
    }

    /// The React reference's list rendering and memory figures for its summary line.
    fn react_list_summary(r: &ListAndMemory, report: &mut Report) {
        let s = spread(&r.page_switches, Update::total);
        let p = spread(&r.per_page_switches, Update::total);
        let last = r.samples.last().map_or(r.before_switching, |s| s.1);
        report.react.push(format!(
            "list rendering page switch median {:.1} ms (min {:.1}, max {:.1}, {} switches), per page 20 → {LIST_PER_PAGE} median {:.1} ms (min {:.1}, max {:.1}, {} runs)",
            s.median,
            s.min,
            s.max,
            r.page_switches.len(),
            p.median,
            p.min,
            p.max,
            r.per_page_switches.len()
        ));
        report.react.push(format!(
            "memory JS heap {:.2} MiB after load, {:.2} MiB with {LIST_PER_PAGE} cards, {:.2} MiB after {} page switches ({:+.1} %)",
            mib(r.after_load.heap),
            mib(r.before_switching.heap),
            mib(last.heap),
            r.page_switches.len(),
            (last.heap as f64 - r.before_switching.heap as f64) * 100.0
                / r.before_switching.heap.max(1) as f64
        ));
    }

    fn report_list_rendering(m: &ListAndMemory, react: ReactVisit<'_>, report: &mut Report) {
        let s = spread(&m.page_switches, Update::total);
        let met = s.median <= FRAME_MS;
        let mut section = format!(
            "## 5. List rendering (issue item 4)\n\n\
             A space `{LIST_SPACE}` with {LIST_LEADS} leads (all active, {} pages of \
             {LIST_PER_PAGE}), `leads_full_user` at `/s/{LIST_SPACE}{SPA_PATH}`. Each update is \
             measured in the page as in section 4: from the find answer's `responseEnd` to the \
             first DOM mutation after which the page label reads the new page and \
             {LIST_PER_PAGE} `lead-card`s are in the DOM, so the network is excluded; the SPA's \
             `performance.mark` `gatehouse:leads-parsed` (set when the answer has been read and \
             parsed) splits reading + parsing from rendering; the last column is the browser's \
             style + layout of the new DOM, forced right after (not in the figure; paint not \
             included). Each update starts after the previous one's frame is done. Per page 20 \
             → {LIST_PER_PAGE}: one warm-up, then {RUNS} runs (each back to 20 in between, not \
             timed). Page switch: {SWITCHES} clicks on Next / Previous, forward to the last page \
             and back, every one timed (the same run as section 6). The React reference \
             (`/s/{LIST_SPACE}/{REACT_DIR}/`, rows marked as such) gets the same visit right \
             after the SPA's; it sets the same \
             `gatehouse:leads-parsed` mark at the same point (the find answer read and parsed, \
             before its state is updated), and its cards are keyed by lead id.\n\n{SPREAD_HEADER}",
            m.pages
        );
        list_rows(&mut section, "", m);
        match react {
            Some(Ok(r)) => list_rows(&mut section, "**React reference:** ", r),
            Some(Err(e)) => {
                let _ = writeln!(
                    section,
                    "| **React reference:** not measured ({}) | | | | | | | |",
                    e.replace('|', "/")
                );
            }
            None => {}
        }
        let _ = writeln!(
            section,
            "\nTarget: ≤ {FRAME_MS:.0} ms per update excluding the network (page switch, median) \
             — **{}**.\n",
            verdict(met)
        );
        report.sections.push(section);
        let p = spread(&m.per_page_switches, Update::total);
        report.line(format!(
            "list rendering ({LIST_LEADS} leads, {LIST_PER_PAGE} cards, response received → DOM updated, headless Chromium): page switch median {:.1} ms (min {:.1}, max {:.1}, {} switches); per page 20 → {LIST_PER_PAGE} median {:.1} ms (min {:.1}, max {:.1}, {} runs); target ≤ {FRAME_MS:.0} ms per update: {}",
            s.median,
            s.min,
            s.max,
            m.page_switches.len(),
            p.median,
            p.min,
            p.max,
            m.per_page_switches.len(),
            verdict(met)
        ));
    }

    fn mib(bytes: u64) -> f64 {
        bytes as f64 / 1024.0 / 1024.0
    }

    fn report_memory(m: &ListAndMemory, react: ReactVisit<'_>, report: &mut Report) {
        let last = m.samples.last().map_or(m.before_switching, |s| s.1);
        let heaps: Vec<u64> = m.samples.iter().map(|s| s.1.heap).collect();
        let (heap_min, heap_max) = (
            heaps.iter().copied().min().unwrap_or(last.heap),
            heaps.iter().copied().max().unwrap_or(last.heap),
        );
        let heap_growth = last.heap as f64 - m.before_switching.heap as f64;
        let wasm_growth = last.wasm as f64 - m.before_switching.wasm as f64;
        let first = m.samples.first().map_or(m.before_switching, |s| s.1);
        let no_growth = no_leak(m, true).unwrap_or(false);
        let (late_start, late_end) = m.last_thousand().unwrap_or((last, last));
        let per_thousand = |a: u64, b: u64| {
            let switches =
                m.samples.last().map_or(0, |s| s.0) - m.samples.first().map_or(0, |s| s.0);
            (b as f64 - a as f64) / 1024.0 * 1000.0 / switches.max(1) as f64
        };
        let mut section = String::from(
            "## 6. Memory (issue item 6)\n\n\
             The same visit as section 5, in a fresh Chromium (its own WebDriver session and \
             profile; the React reference's visit in another one), so what other pages left in a \
             renderer's JS heap does not count. JS heap: `performance.memory.usedJSHeapSize` \
             (Chromium with `--enable-precise-memory-info`); wasm memory: \
             `memory.buffer.byteLength` of the main module's exports, which the SPA's loader announces \
             in a `TrunkApplicationStarted` event (as Trunk's does). Each figure after two forced collections (CDP \
             `HeapProfiler.collectGarbage`, 100 ms apart so weak-ref finalizers run). The page \
             is driven and read through CDP `Runtime.evaluate`, not WebDriver's execute-async, \
             whose wrapper leaves every result in the page: before this, both pages' JS heaps \
             grew by about 0.12 KB per switch, the size of the timings handed back (a heap \
             sampling profile traced the kept objects to that wrapper). Wasm memory \
             never shrinks: it shows the peak the allocator needed and how its free blocks are \
             spread; wasm heap in use is what the app holds, the allocator's own count \
             (`heap_live_bytes`, `src/lib.rs`). MiB = 1024 × 1024 bytes. \
             The React reference's columns are its visit of section 5, sampled at the same points; \
             it has no wasm memory, its whole state is in the JS heap, so compare its JS heap \
             with the SPA's JS heap plus wasm memory; its page has no console nav around the \
             leads, hence fewer DOM elements.\n\n\
             | when | JS heap | wasm memory | wasm heap in use | DOM elements | React reference: JS heap | React reference: DOM elements |\n\
             |---|---:|---:|---:|---:|---:|---:|\n",
        );
        let react_ok = match react {
            Some(Ok(r)) => Some(r),
            _ => None,
        };
        let mut react_rows: Vec<Memory> = Vec::new();
        if let Some(r) = react_ok {
            react_rows.push(r.after_load);
            react_rows.push(r.before_switching);
            react_rows.extend(r.samples.iter().chain(&r.late_samples).map(|s| s.1));
        }
        let mut rows: Vec<(String, Memory)> = vec![
            ("after load (20 cards)".into(), m.after_load),
            (
                format!("{LIST_PER_PAGE} cards, before switching"),
                m.before_switching,
            ),
        ];
        rows.extend(
            m.samples
                .iter()
                .chain(&m.late_samples)
                .map(|(n, mem)| (format!("after {n} page switches"), *mem)),
        );
        for (i, (when, mem)) in rows.into_iter().enumerate() {
            let (react_heap, react_nodes) = react_rows.get(i).map_or_else(
                || ("—".to_string(), "—".to_string()),
                |r| (format!("{:.2} MiB", mib(r.heap)), r.nodes.to_string()),
            );
            let _ = writeln!(
                section,
                "| {when} | {:.2} MiB | {:.2} MiB | {:.3} MiB | {} | {react_heap} | {react_nodes} |",
                mib(mem.heap),
                mib(mem.wasm),
                mib(mem.in_use),
                mem.nodes
            );
        }
        let _ = writeln!(
            section,
            "\nAfter {} page switches against before switching: JS heap {heap_growth:+.0} bytes \
             ({:+.1} %), wasm memory {wasm_growth:+.0} bytes. From the first sample to the last: \
             JS heap {:+.1} KiB and wasm memory {:+.1} KiB per 1,000 switches; JS heap over the \
             {} samples {:.2}–{:.2} MiB. Then {} more switches, untimed: over the last \
             thousand ({} → {}) JS heap {:+.1} KiB ({:+.2} %), wasm heap in use {:+.1} KiB \
             ({:+.2} %) and wasm memory {:+.1} KiB. Target: no growth (no leak), read as the JS \
             heap and the wasm heap in use each within 1 % over the last thousand switches, where \
             the warm-up of the first thousand is over — **{}**.\n",
            m.page_switches.len(),
            heap_growth * 100.0 / m.before_switching.heap.max(1) as f64,
            per_thousand(first.heap, last.heap),
            per_thousand(first.wasm, last.wasm),
            m.samples.len(),
            mib(heap_min),
            mib(heap_max),
            LEAK_SWITCHES - SWITCHES,
            LEAK_SWITCHES - 1_000,
            LEAK_SWITCHES,
            (late_end.heap as f64 - late_start.heap as f64) / 1024.0,
            (late_end.heap as f64 - late_start.heap as f64) * 100.0 / late_start.heap.max(1) as f64,
            (late_end.in_use as f64 - late_start.in_use as f64) / 1024.0,
            (late_end.in_use as f64 - late_start.in_use as f64) * 100.0
                / late_start.in_use.max(1) as f64,
            (late_end.wasm as f64 - late_start.wasm as f64) / 1024.0,
            verdict(no_growth)
        );
        match react {
            Some(Ok(r)) => {
                let last = r.samples.last().map_or(r.before_switching, |s| s.1);
                let first = r.samples.first().map_or(r.before_switching, |s| s.1);
                let heaps: Vec<u64> = r.samples.iter().map(|s| s.1.heap).collect();
                let switches =
                    r.samples.last().map_or(0, |s| s.0) - r.samples.first().map_or(0, |s| s.0);
                let _ = writeln!(
                    section,
                    "React reference: after {} page switches against before switching: JS heap \
                     {:+.0} bytes ({:+.1} %); from the first sample to the last {:+.1} KiB per \
                     1,000 switches; JS heap over the {} samples {:.2}–{:.2} MiB; over the last \
                     thousand of {LEAK_SWITCHES} switches the same reading of no growth: {}.\n",
                    r.page_switches.len(),
                    last.heap as f64 - r.before_switching.heap as f64,
                    (last.heap as f64 - r.before_switching.heap as f64) * 100.0
                        / r.before_switching.heap.max(1) as f64,
                    (last.heap as f64 - first.heap as f64) / 1024.0 * 1000.0
                        / switches.max(1) as f64,
                    heaps.len(),
                    mib(heaps.iter().copied().min().unwrap_or(last.heap)),
                    mib(heaps.iter().copied().max().unwrap_or(last.heap)),
                    match no_leak(r, false) {
                        Some(true) => "JS heap within 1 %",
                        Some(false) => "JS heap more than 1 %",
                        None => "not sampled",
                    }
                );
            }
            Some(Err(e)) => {
                let _ = writeln!(section, "React reference: not measured ({e}).\n");
            }
            None => {}
        }
        report.sections.push(section);
        report.line(format!(
            "memory (headless Chromium, {LIST_LEADS} leads): JS heap {:.2} MiB after load, {:.2} MiB with {LIST_PER_PAGE} cards, {:.2} MiB after {} page switches ({:+.1} %; min {:.2}, max {:.2} over {} samples); wasm memory {:.2} MiB after load, {:.2} MiB with {LIST_PER_PAGE} cards, {:.2} MiB after {} page switches; over switches {}–{LEAK_SWITCHES}: JS heap {:+.2} %, wasm heap in use {:+.2} %, wasm memory {:+.1} KiB; target no growth: {}",
            mib(m.after_load.heap),
            mib(m.before_switching.heap),
            mib(last.heap),
            m.page_switches.len(),
            heap_growth * 100.0 / m.before_switching.heap.max(1) as f64,
            mib(heap_min),
            mib(heap_max),
            m.samples.len(),
            mib(m.after_load.wasm),
            mib(m.before_switching.wasm),
            mib(last.wasm),
            m.page_switches.len(),
            LEAK_SWITCHES - 1_000,
            (late_end.heap as f64 - late_start.heap as f64) * 100.0 / late_start.heap.max(1) as f64,
            (late_end.in_use as f64 - late_start.in_use as f64) * 100.0
                / late_start.in_use.max(1) as f64,
            (late_end.wasm as f64 - late_start.wasm as f64) / 1024.0,
            verdict(no_growth)
        ));
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

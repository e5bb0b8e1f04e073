//! Section 1 of BENCHMARKS.md: the transfer size of the release SPA, of the React reference and
//! of the Leptos floor, as the server sends them (gzip and brotli, its own compressors).

#![cfg(feature = "bench")]

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::measure::{kb, verdict, ReactRef, Report};
use super::{FLOOR_DIR, FLOOR_NOT_RUN, FLOOR_SRC, REACT_DIR, REACT_SRC};

/// Transfer-size target: wasm + JS + CSS, gzip, in KB of 1024 bytes.
const SIZE_TARGET_GZIP_KB: f64 = 120.0;

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
        gzip: gzip_bytes(data)?.len() as u64,
        brotli: brotli_bytes(data)?.len() as u64,
    })
}

/// The sizes of `files`, paths in `dist`.
fn weigh(dist: &Path, files: impl IntoIterator<Item = String>) -> Result<Vec<(String, Sizes)>> {
    files
        .into_iter()
        .map(|f| {
            let data = std::fs::read(dist.join(&f)).with_context(|| format!("read {f}"))?;
            Ok((f, compress(&data)?))
        })
        .collect()
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
    let entries = std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))?;
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

pub fn sizes(dist: &Path, react: &ReactRef, report: &mut Report) -> Result<()> {
    // What opening Gatehouse downloads: what its index.html loads (the main module, its JS,
    // the split loader that JS imports, the stylesheet).
    let mut start = weigh(dist, index_files(&dist.join("index.html"))?)?;
    start.sort_by_key(|f| std::cmp::Reverse(f.1.raw));
    let mut every = Vec::new();
    build_files(dist, dist, &mut every)?;
    let mut pages: Vec<(String, Sizes)> = Vec::new();
    let mut shared: Vec<(String, Sizes)> = Vec::new();
    let not_at_start = every
        .into_iter()
        .filter(|f| !start.iter().any(|(name, _)| name == f));
    for (f, sizes) in weigh(dist, not_at_start)? {
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
         module and the shared chunks it needs. What is in the main module, and what moving \
         parts of it out bought at start and cost in the whole build (including what did not \
         help): [docs/start-set.md](docs/start-set.md).\n\n\
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
    let files = weigh(
        dist,
        ["floor_bg.wasm", "floor.js"].map(|name| format!("{FLOOR_DIR}/{name}")),
    )?;
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
        std::fs::read_to_string(index).with_context(|| format!("read {}", index.display()))?;
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
        bail!("{} loads no .js, .wasm or .css", index.display());
    }
    Ok(files)
}

fn react_sizes(dist: &Path, react: &ReactRef, table: &mut String) -> Result<Sizes> {
    let files = weigh(dist, index_files(&dist.join(REACT_DIR).join("index.html"))?)?;
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
    let t = total(&files);
    let _ = writeln!(
        table,
        "| **total** | **{:.1} KB** | **{:.1} KB** | **{:.1} KB** |\n",
        kb(t.raw),
        kb(t.gzip),
        kb(t.brotli)
    );
    Ok(t)
}

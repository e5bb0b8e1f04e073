//! The release build of the SPA, split into wasm modules (transfer size: BENCHMARKS.md section 1).
//!
//! `trunk build --release` links every page into one wasm module. This build cuts the pages of
//! `src/lazy_routes.rs` out of it, so opening Gatehouse downloads only the shell, sign-in and the
//! leads page; the others are fetched the first time they are opened. Trunk 0.21 cannot run the
//! split (it runs wasm-bindgen on the module as linked), so the steps are here:
//!
//! 1. `cargo build --release --features split` for wasm32, with Leptos' `erase_components`, linked
//!    with `--emit-relocs` (the splitter needs the relocations to move functions and data between
//!    modules);
//! 2. `wasm_split_cli_support` splits it into `main.wasm`, one module per page and the chunks
//!    pages share, plus `__wasm_split.js`, which fetches them;
//! 3. wasm-bindgen (`--target web`, as Trunk runs it) on `main.wasm` only;
//! 4. wasm-opt 132 `-Oz` on every module;
//! 5. everything goes into `dist/gatehouse-<hash>/`, the stylesheet and icon of `index.html`
//!    become `<stem>-<hash>.<ext>`, and `index.html` gets the loader Trunk would have written.
//!
//! `cargo xtask dev` still uses `trunk serve` (no split: every page in one module).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};

use crate::process::{cargo, run};
use crate::tools::WASM_TARGET;
use crate::Ctx;

/// Where `index.html` is served from; the module directory is loaded by absolute path so a page
/// inside a space (`/s/{id}/app/…`) finds it too.
const MODULES_STEM: &str = "gatehouse";

/// Builds the release SPA as it ships into `dist` (emptied first).
pub fn build(ctx: &Ctx, dist: &Path) -> Result<()> {
    build_with_features(ctx, dist, "split")
}

/// The release SPA with the heap meter (`heap-meter`: a counting allocator the memory figures of
/// `cargo xtask bench` read); it adds a few hundred bytes, so the bench's sizes stay comparable.
pub fn build_for_bench(ctx: &Ctx, dist: &Path) -> Result<()> {
    build_with_features(ctx, dist, "split,heap-meter")
}

fn build_with_features(ctx: &Ctx, dist: &Path, features: &str) -> Result<()> {
    let target_dir = ctx.target_dir();
    let linked = target_dir
        .join(WASM_TARGET)
        .join("release")
        .join("gatehouse.wasm");
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--release",
        "--target",
        WASM_TARGET,
        "-p",
        "gatehouse",
        "--bin",
        "gatehouse",
        "--features",
        features,
    ])
    // Only the release wasm build sets these flags, so other builds keep their own artifacts.
    // Leptos' `--cfg erase_components` boxes every component's view as an `AnyView`: one generic
    // instantiation of the view machinery less per component. Measured in one session with
    // `bench-measure`: the main module 323 against 341 KB gzip and the whole build 803 against
    // 1021 KB; a page switch of 100 cards 10.8 ms against 10.0 (the React reference 10.7 and
    // 10.2 in the same runs). The lead card is a plain function, not a component, so the 100 cards
    // of a page are not boxed: as a component, the page switch took 12.7 ms.
    .env(
        "RUSTFLAGS",
        "--cfg erase_components -Clink-arg=--emit-relocs",
    );
    run(cmd)?;

    let work = target_dir.join("xtask/split");
    recreate(&work)?;
    let split_dir = work.join("split");
    let staged = work.join("modules");
    std::fs::create_dir_all(&staged).with_context(|| format!("mkdir {}", staged.display()))?;
    let input = std::fs::read(&linked).with_context(|| format!("read {}", linked.display()))?;
    let main_wasm = split_dir.join("main.wasm");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&input);
        opts.output_dir = &split_dir;
        opts.main_out_path = &main_wasm;
        opts
    })
    .map_err(|e| anyhow!("wasm split of {}: {e:#}", linked.display()))?;
    if split.split_modules.is_empty() {
        bail!("the wasm split found no lazily loaded page (was `split` on?)");
    }

    let mut bindgen = wasm_bindgen(&main_wasm, &staged, "main");
    // The split modules call into the main module through these exports.
    bindgen.arg("--keep-lld-exports");
    run(bindgen)?;
    for entry in read_dir(&split_dir)? {
        let name = file_name(&entry);
        if name != "main.wasm" {
            copy(&entry, &staged.join(&name))?;
        }
    }
    optimise_modules(&staged)?;

    recreate(dist)?;
    let hash = content_hash(&staged)?;
    let modules = format!("{MODULES_STEM}-{hash}");
    std::fs::rename(&staged, dist.join(&modules))
        .with_context(|| format!("move modules into {}", dist.display()))?;
    let source = ctx.root.join("index.html");
    let html =
        std::fs::read_to_string(&source).with_context(|| format!("read {}", source.display()))?;
    let snippets = js_files(&dist.join(&modules), &dist.join(&modules))?;
    let html = index_html(&html, &modules, &snippets, |href| {
        copy_hashed(&ctx.root.join(href), dist)
    })?;
    std::fs::write(dist.join("index.html"), html)
        .with_context(|| format!("write {}/index.html", dist.display()))?;
    println!(
        "xtask: release SPA in {} ({} modules fetched when their page is first opened)",
        dist.display(),
        split.split_modules.len()
    );
    Ok(())
}

/// wasm-bindgen as Trunk runs it: `<out_dir>/<out_name>_bg.wasm` and `<out_name>.js`, an ES module
/// for the browser.
pub(crate) fn wasm_bindgen(module: &Path, out_dir: &Path, out_name: &str) -> Command {
    let mut cmd = Command::new("wasm-bindgen");
    cmd.arg(module)
        .arg("--out-dir")
        .arg(out_dir)
        .args([
            "--out-name",
            out_name,
            "--target",
            "web",
            "--no-typescript",
            "--weak-refs",
        ])
        .stdin(Stdio::null());
    cmd
}

/// `wasm-opt -Oz` on every module, two at a time (the machines have two cores).
pub(crate) fn optimise_modules(dir: &Path) -> Result<()> {
    let modules: Vec<PathBuf> = read_dir(dir)?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    let (left, right) = modules.split_at(modules.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| optimise_each(left));
        let mine = optimise_each(right);
        other
            .join()
            .map_err(|_| anyhow!("wasm-opt thread panicked"))
            .and_then(|r| r)
            .and(mine)
    })
}

fn optimise_each(modules: &[PathBuf]) -> Result<()> {
    for module in modules {
        let mut cmd = Command::new("wasm-opt");
        cmd.arg("-Oz")
            .arg(module)
            .arg("-o")
            .arg(module)
            .stdin(Stdio::null())
            // The split modules keep a name subsection wasm-opt does not know; it warns per file.
            .stderr(Stdio::null());
        let status = cmd
            .status()
            .with_context(|| format!("run wasm-opt on {}", module.display()))?;
        if !status.success() {
            bail!("wasm-opt -Oz {} failed: {status}", module.display());
        }
    }
    Ok(())
}

/// `index.html` with Trunk's `<link data-trunk …>` lines replaced: `rel="rust"` by the loader,
/// `rel="css"` and `rel="icon"` by links to the copies `copy_asset(href)` names.
fn index_html(
    source: &str,
    modules: &str,
    snippets: &[String],
    mut copy_asset: impl FnMut(&str) -> Result<String>,
) -> Result<String> {
    let mut out = String::with_capacity(source.len() + 1024);
    for line in source.lines() {
        let trimmed = line.trim_start();
        if !trimmed.starts_with("<link data-trunk") {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        let rel = attribute(trimmed, "rel").with_context(|| format!("no rel in {trimmed}"))?;
        match rel {
            "rust" => {
                let _ = write!(
                    out,
                    "{indent}<script type=\"module\">\n\
                     {indent}import init from '/{modules}/main.js';\n\
                     {indent}const wasm = await init({{ module_or_path: '/{modules}/main_bg.wasm' }});\n\
                     {indent}// The event Trunk's loader sends, so a measurement reads dev and release builds alike.\n\
                     {indent}dispatchEvent(new CustomEvent('TrunkApplicationStarted', {{ detail: {{ wasm }} }}));\n\
                     {indent}</script>\n\
                     {indent}<link rel=\"modulepreload\" href=\"/{modules}/main.js\" crossorigin=\"anonymous\" />\n\
                     {indent}<link rel=\"modulepreload\" href=\"/{modules}/__wasm_split.js\" crossorigin=\"anonymous\" />\n\
                     {indent}<link rel=\"preload\" href=\"/{modules}/main_bg.wasm\" crossorigin=\"anonymous\" as=\"fetch\" type=\"application/wasm\" />\n"
                );
                // The JS modules main.js imports (wasm-bindgen's `snippets/`), fetched with it
                // rather than after it.
                for snippet in snippets {
                    let _ = writeln!(
                        out,
                        "{indent}<link rel=\"modulepreload\" href=\"/{modules}/{snippet}\" crossorigin=\"anonymous\" />"
                    );
                }
            }
            "css" | "icon" => {
                let href =
                    attribute(trimmed, "href").with_context(|| format!("no href in {trimmed}"))?;
                let copy = copy_asset(href)?;
                let tag = if rel == "css" { "stylesheet" } else { "icon" };
                let _ = writeln!(out, "{indent}<link rel=\"{tag}\" href=\"/{copy}\" />");
            }
            other => {
                bail!("index.html: unsupported data-trunk rel \"{other}\"")
            }
        }
    }
    Ok(out)
}

/// The value of `name="…"` in one tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Copies `source` into `dist` as `<stem>-<hash>.<ext>` and returns that name.
fn copy_hashed(source: &Path, dist: &Path) -> Result<String> {
    let data = std::fs::read(source).with_context(|| format!("read {}", source.display()))?;
    let stem = source
        .file_stem()
        .and_then(|s| s.to_str())
        .with_context(|| format!("no file name in {}", source.display()))?;
    let ext = source.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mut hasher = Fnv64::default();
    hasher.write(&data);
    let name = format!("{stem}-{:016x}.{ext}", hasher.0);
    std::fs::write(dist.join(&name), data).with_context(|| format!("write {name}"))?;
    Ok(name)
}

/// A digest of every file under `dir` (paths and contents, in path order): a new build with
/// other modules gets another directory, so browsers may keep the old ones cached forever.
fn content_hash(dir: &Path) -> Result<String> {
    let mut hasher = Fnv64::default();
    hash_tree(dir, dir, &mut hasher)?;
    Ok(format!("{:016x}", hasher.0))
}

fn hash_tree(root: &Path, dir: &Path, hasher: &mut Fnv64) -> Result<()> {
    let mut entries = read_dir(dir)?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            hash_tree(root, &entry, hasher)?;
            continue;
        }
        let rel = entry.strip_prefix(root).unwrap_or(&entry);
        hasher.write(rel.to_string_lossy().as_bytes());
        hasher.write(&std::fs::read(&entry).with_context(|| format!("read {}", entry.display()))?);
    }
    Ok(())
}

/// The `.js` files in the subdirectories of `dir` (wasm-bindgen's `snippets/`), as `/`-joined
/// paths relative to `root`, in path order.
fn js_files(root: &Path, dir: &Path) -> Result<Vec<String>> {
    let mut entries = read_dir(dir)?;
    entries.sort();
    let mut out = Vec::new();
    for entry in entries {
        if entry.is_dir() {
            out.extend(js_files(root, &entry)?);
        } else if dir != root && entry.extension().is_some_and(|e| e == "js") {
            let rel = entry.strip_prefix(root).unwrap_or(&entry);
            let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(out)
}

/// FNV-1a, 64 bits: enough to tell builds apart, and no dependency for plain xtask.
struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn recreate(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("remove {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("mkdir {}", dir.display()))
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::read_dir(dir)
        .with_context(|| format!("read {}", dir.display()))?
        .map(|entry| {
            entry
                .map(|e| e.path())
                .with_context(|| format!("read {}", dir.display()))
        })
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("copy {} to {}", from.display(), to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <title>Gatehouse</title>\n    <link data-trunk rel=\"rust\" data-wasm-opt=\"z\" data-weak-refs />\n    <link data-trunk rel=\"css\" href=\"style/main.css\" />\n    <link data-trunk rel=\"icon\" href=\"style/favicon.svg\" />\n  </head>\n  <body></body>\n</html>\n";

    #[test]
    fn index_loads_the_main_module_and_the_hashed_stylesheet_and_icon() {
        let mut asked = Vec::new();
        let snippets = ["snippets/gatehouse-1/src/components/lead_card.js".to_string()];
        let html = index_html(SOURCE, "gatehouse-0123456789abcdef", &snippets, |href| {
            asked.push(href.to_string());
            Ok(href
                .replace("style/", "")
                .replace('.', "-00000000000000ff."))
        })
        .expect("index");
        assert_eq!(asked, ["style/main.css", "style/favicon.svg"]);
        assert!(!html.contains("data-trunk"), "{html}");
        assert!(html.contains("import init from '/gatehouse-0123456789abcdef/main.js';"));
        assert!(html.contains("module_or_path: '/gatehouse-0123456789abcdef/main_bg.wasm'"));
        assert!(html.contains(
            "<link rel=\"modulepreload\" href=\"/gatehouse-0123456789abcdef/__wasm_split.js\""
        ));
        assert!(html.contains(
            "<link rel=\"modulepreload\" href=\"/gatehouse-0123456789abcdef/snippets/gatehouse-1/src/components/lead_card.js\""
        ));
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/main-00000000000000ff.css\" />"));
        assert!(html.contains("<link rel=\"icon\" href=\"/favicon-00000000000000ff.svg\" />"));
        assert!(html.contains("<title>Gatehouse</title>") && html.contains("<body></body>"));
    }

    #[test]
    fn an_unknown_trunk_asset_is_an_error_not_a_page_without_it() {
        let source = SOURCE.replace("rel=\"icon\"", "rel=\"copy-dir\"");
        let err = index_html(&source, "m", &[], |h| Ok(h.to_string())).expect_err("copy-dir");
        let err = format!("{err:#}");
        assert!(err.contains("copy-dir"), "{err}");
    }

    #[test]
    fn hashed_names_follow_the_content() {
        let dir = std::env::temp_dir().join(format!("gatehouse-xtask-hash-{}", std::process::id()));
        recreate(&dir).expect("dir");
        let css = dir.join("main.css");
        std::fs::write(&css, "a{}").expect("write");
        let out = dir.join("out");
        recreate(&out).expect("out");
        let first = copy_hashed(&css, &out).expect("copy");
        assert!(first.starts_with("main-") && first.ends_with(".css") && first.len() == 25);
        assert_eq!(
            std::fs::read_to_string(out.join(&first)).expect("read"),
            "a{}"
        );
        std::fs::write(&css, "b{}").expect("write");
        let second = copy_hashed(&css, &out).expect("copy");
        assert_ne!(first, second);
        let before = content_hash(&out).expect("hash");
        std::fs::write(out.join(&first), "changed").expect("write");
        assert_ne!(before, content_hash(&out).expect("hash"));
        let nested = out.join("snippets/a");
        std::fs::create_dir_all(&nested).expect("mkdir");
        std::fs::write(nested.join("x.js"), "1").expect("write");
        let before = content_hash(&out).expect("hash");
        std::fs::write(nested.join("x.js"), "2").expect("write");
        assert_ne!(
            before,
            content_hash(&out).expect("hash"),
            "files in subdirectories count"
        );
        assert_eq!(
            js_files(&out, &out).expect("js files"),
            ["snippets/a/x.js"],
            "only the subdirectories' modules"
        );
        std::fs::remove_dir_all(&dir).expect("clean");
    }
}

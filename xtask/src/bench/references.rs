//! What the SPA is compared with, built beside it into the bench dist: the React reference (the
//! same leads page in React, a reference point a user would otherwise pick) and the Leptos floor
//! (the least Leptos app with the SPA's first download). Served from the same origin by the same
//! server, the measuring stage runs the same figures on them.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use super::{FLOOR_DIR, REACT_DIR, REACT_SRC};
use crate::process::{cargo, run};
use crate::tools::WASM_TARGET;
use crate::{spa_release, Ctx};

/// The floor's package (its sources are [`super::FLOOR_SRC`]).
const FLOOR_PACKAGE: &str = "gatehouse-leptos-floor";

/// `bench/leptos-floor` built as the SPA is: the workspace's release profile for wasm32,
/// wasm-bindgen, wasm-opt `-Oz`; but not split (there is nothing to split) and without
/// `erase_components` (measured: it makes an app this small bigger, 165 against 154 KB gzip).
pub fn build_leptos_floor(ctx: &Ctx, dist: &Path) -> Result<()> {
    // A target directory of its own: the SPA's release build sets RUSTFLAGS, and a change of
    // RUSTFLAGS in one directory rebuilds every dependency.
    let target = ctx.target_dir().join("xtask/leptos-floor-target");
    let mut build = cargo();
    build
        .args(["build", "--release", "--target", WASM_TARGET])
        .args(["-p", FLOOR_PACKAGE])
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS");
    run(build)?;
    let out = dist.join(FLOOR_DIR);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).with_context(|| format!("mkdir {}", out.display()))?;
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
pub fn build_react(ctx: &Ctx, dist: &Path) -> Result<()> {
    let src = ctx.root.join(REACT_SRC);
    for tool in ["node", "npm"] {
        let ok = Command::new(tool)
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            bail!("`{tool} --version` failed: {tool} is not installed");
        }
    }
    let mut css: Vec<String> = std::fs::read_dir(dist)
        .with_context(|| format!("read {}", dist.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".css"))
        .collect();
    css.sort();
    let css = css
        .first()
        .with_context(|| format!("no stylesheet in {}", dist.display()))?;
    let mut install = Command::new("npm");
    install
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&src)
        // devDependencies (esbuild) are needed: NODE_ENV=production would leave them out.
        .env_remove("NODE_ENV")
        .stdin(Stdio::null());
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
        .stdin(Stdio::null());
    run(build)?;
    let index = out.join("index.html");
    if !index.is_file() {
        bail!("{} was not produced", index.display());
    }
    Ok(())
}

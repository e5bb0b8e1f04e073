//! The pinned tools: the wasm target, trunk, wasm-bindgen, wasm-opt, axe-core, Chromium and
//! chromedriver, installed when missing.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::process::{run, step, version_output};
use crate::Ctx;

const TRUNK_VERSION: &str = "0.21.14";
const WASM_BINDGEN_VERSION: &str = "0.2.130";
const BINARYEN_VERSION: &str = "132";
/// The accessibility rules the browser tests check every page with (e2e/tests/accessibility.rs).
pub const AXE_CORE_VERSION: &str = "4.14.1";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

#[derive(Clone, Copy, PartialEq)]
pub enum Need {
    /// `cargo xtask dev`: what `trunk serve` needs.
    Dev,
    /// `cargo xtask test`: additionally wasm-opt (release build), axe-core and Chromium +
    /// chromedriver.
    Test,
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

pub fn ensure_tools(ctx: &Ctx, need: Need) -> Result<()> {
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
                bail!(
                    "{} is missing although wasm-bindgen is installed; run `cargo install wasm-bindgen-cli --version {WASM_BINDGEN_VERSION} --force`",
                    runner.display()
                );
            }
        }
        Ok(())
    })?;
    if need == Need::Test {
        step(&format!("wasm-opt (binaryen {BINARYEN_VERSION})"), || {
            ensure_wasm_opt(ctx)
        })?;
        step(&format!("axe-core {AXE_CORE_VERSION}"), || ensure_axe(ctx))?;
        step("chromium + chromedriver", ensure_browser)?;
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .context("cannot run rustc")?;
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
    run(cmd).with_context(|| format!("is rustup installed? the {WASM_TARGET} target is required"))
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
        other => bail!(
            "after installing, `{program} --version` reports {:?}; make sure {} is first on PATH",
            other.unwrap_or_else(|| "nothing".into()),
            ctx.cargo_bin.display()
        ),
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
    npm_install(&ctx.binaryen_dir, &format!("binaryen@{BINARYEN_VERSION}"))?;
    match version_output(&wasm_opt) {
        Some(out) if has_version(&out, BINARYEN_VERSION) => {
            println!("xtask: {out}: ok");
            Ok(())
        }
        other => bail!(
            "{} reports {other:?} after npm install, expected version {BINARYEN_VERSION}",
            wasm_opt.display()
        ),
    }
}

/// `npm install --prefix <dir> <package@version>`, installing npm first (as root) when missing.
fn npm_install(dir: &Path, package: &str) -> Result<()> {
    if version_output(Path::new("npm")).is_none() {
        if !is_root() {
            bail!(
                "npm is needed to install {package}; install Node.js and npm \
                 (Debian: `sudo apt-get install nodejs npm`) and re-run"
            );
        }
        apt_install(&["nodejs", "npm"])?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("mkdir {}", dir.display()))?;
    let mut cmd = Command::new("npm");
    cmd.arg("install")
        .arg("--prefix")
        .arg(dir)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .arg(package)
        .stdin(Stdio::null());
    run(cmd)
}

/// True when the script's banner (`/*! axe v4.14.1`) names exactly `version`.
fn axe_banner_names(script: &Path, version: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(script) else {
        return false;
    };
    text.lines()
        .next()
        .and_then(|banner| banner.strip_prefix("/*! axe "))
        .is_some_and(|named| has_version(named, version))
}

/// axe-core at [`AXE_CORE_VERSION`]: its `axe.min.js` is what the accessibility tests inject.
fn ensure_axe(ctx: &Ctx) -> Result<()> {
    let script = ctx.axe_script();
    let installed = || axe_banner_names(&script, AXE_CORE_VERSION);
    if installed() {
        println!("xtask: axe-core {AXE_CORE_VERSION}: ok");
        return Ok(());
    }
    npm_install(&ctx.axe_dir, &format!("axe-core@{AXE_CORE_VERSION}"))?;
    if !installed() {
        bail!(
            "{} is not axe-core {AXE_CORE_VERSION} after npm install",
            script.display()
        );
    }
    println!("xtask: axe-core {AXE_CORE_VERSION}: installed");
    Ok(())
}

fn ensure_browser() -> Result<()> {
    let present = || Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present() {
        if !is_root() {
            bail!(
                "{CHROMIUM} and {CHROMEDRIVER} are required for the browser tests. Install them as root:\n  \
                 apt-get update && apt-get install -y chromium chromium-driver"
            );
        }
        println!("xtask: {CHROMIUM} or {CHROMEDRIVER} missing: installing with apt-get");
        apt_install(&["chromium", "chromium-driver"])?;
        if !present() {
            bail!("{CHROMIUM} / {CHROMEDRIVER} still missing after apt-get install");
        }
    }
    if let Some(v) = version_output(Path::new(CHROMEDRIVER)) {
        println!("xtask: {v}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_matching_is_exact() {
        assert!(has_version("trunk 0.21.14", "0.21.14"));
        assert!(!has_version("trunk 0.21.140", "0.21.14"));
        assert!(!has_version("trunk 0.22.0", "0.21.14"));
        assert!(has_version("wasm-bindgen 0.2.130", "0.2.130"));
        assert!(has_version("wasm-opt version 132 (version_132)", "132"));
        assert!(!has_version("wasm-opt version 108", "132"));
        assert!(!has_version("wasm-opt version 1320", "132"));
        assert!(has_version("v4.14.1", "4.14.1"));
        assert!(!has_version("v4.14.10", "4.14.1"));
    }
}

//! The paths every command needs, and the environment the child processes run in.

use std::env;
use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{Context, Result};

pub struct Ctx {
    pub root: PathBuf,
    pub binaryen_dir: PathBuf,
    pub binaryen_bin: PathBuf,
    /// Where `npm install --prefix` puts the pinned axe-core the browser tests inject.
    pub axe_dir: PathBuf,
    pub cargo_bin: PathBuf,
}

impl Ctx {
    pub fn new() -> Result<Ctx> {
        // `cargo run` sets CARGO_MANIFEST_DIR for the run too. Prefer it to the compile-time
        // value: two checkouts sharing one target directory (a CI clone beside the working tree)
        // share the xtask binary, and the baked path would point at the other checkout.
        let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir
            .parent()
            .context("xtask has no parent directory")?
            .to_path_buf();
        let home = env::var_os("HOME")
            .map(PathBuf::from)
            .context("HOME is not set")?;
        let binaryen_dir = home.join(".cache/gatehouse/binaryen");
        let binaryen_bin = binaryen_dir.join("node_modules/.bin");
        let axe_dir = home.join(".cache/gatehouse/axe-core");
        let cargo_bin = env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".cargo"))
            .join("bin");

        // Child processes (trunk, cargo, wasm-bindgen-test-runner) must find the pinned tools first.
        let old = env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![binaryen_bin.clone(), cargo_bin.clone()];
        dirs.extend(env::split_paths(&old).filter(|p| *p != binaryen_bin && *p != cargo_bin));
        let path: OsString = env::join_paths(dirs).context("bad PATH")?;
        // Single-threaded at this point, so changing our own environment is sound.
        env::set_var("PATH", path);
        env::set_current_dir(&root).with_context(|| format!("cd {}", root.display()))?;

        Ok(Ctx {
            root,
            binaryen_dir,
            binaryen_bin,
            axe_dir,
            cargo_bin,
        })
    }

    /// The pinned axe-core's browser build, which the accessibility tests inject into each page.
    pub fn axe_script(&self) -> PathBuf {
        self.axe_dir.join("node_modules/axe-core/axe.min.js")
    }

    /// Cargo's target directory: `$CARGO_TARGET_DIR` (relative to the repository) or `target/`.
    pub fn target_dir(&self) -> PathBuf {
        env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|p| {
                if p.is_absolute() {
                    p
                } else {
                    self.root.join(p)
                }
            })
            .unwrap_or_else(|| self.root.join("target"))
    }
}

//! `cargo xtask dist [DIR]`: the release SPA as it ships.

use anyhow::{bail, Result};

use crate::process::step;
use crate::tools::{ensure_tools, Need};
use crate::{spa_release, Ctx, USAGE};

pub fn dist(ctx: &Ctx, args: &[String]) -> Result<()> {
    let dist = match args {
        [] => ctx.target_dir().join("xtask/dist"),
        [dir] => ctx.root.join(dir),
        _ => bail!("usage: cargo xtask dist [DIR]\n\n{USAGE}"),
    };
    step("ensure tools", || ensure_tools(ctx, Need::Test))?;
    step("release SPA, split into per-page wasm modules", || {
        spa_release::build(ctx, &dist)
    })
}

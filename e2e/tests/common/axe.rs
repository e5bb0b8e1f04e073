//! axe-core in the page under test: the pinned `axe.min.js` (installed by `cargo xtask test`,
//! named by `$GATEHOUSE_AXE`) is injected with `execute_script` and run on the whole document;
//! every violation, of any impact, is reported with its rule, impact and elements.
//! Also the browser's emulated media (dark scheme, reduced motion) and viewport (200 % zoom),
//! through the DevTools protocol.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use gatehouse_e2e::Browser;
use serde_json::{json, Value};

/// The axe-core version `cargo xtask test` installs (xtask/src/tools.rs, `AXE_CORE_VERSION`).
const AXE_VERSION: &str = "4.14.1";

/// The source of `axe.min.js`, from `$GATEHOUSE_AXE`; an error saying how to get it otherwise.
pub fn axe_source() -> Result<String> {
    let how = format!(
        "run the browser tests with `cargo xtask test` (it installs axe-core {AXE_VERSION} and sets \
         GATEHOUSE_AXE), or install it yourself with \
         `npm install --prefix ~/.cache/gatehouse/axe-core axe-core@{AXE_VERSION}` and set \
         GATEHOUSE_AXE=~/.cache/gatehouse/axe-core/node_modules/axe-core/axe.min.js"
    );
    let Some(path) = std::env::var_os("GATEHOUSE_AXE").map(PathBuf::from) else {
        bail!("GATEHOUSE_AXE is not set, so the accessibility rules cannot run: {how}");
    };
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("reading GATEHOUSE_AXE={}: {how}", path.display()))?;
    if !source.starts_with(&format!("/*! axe v{AXE_VERSION}")) {
        bail!(
            "GATEHOUSE_AXE={} is not axe-core {AXE_VERSION}: {how}",
            path.display()
        );
    }
    Ok(source)
}

/// Waits until the page is still: the server's first paint handed over to the app, no route
/// loading, no spinner, and every finite animation (a toast sliding in) finished, so colours are
/// measured as the user reads them.
pub async fn settle(b: &Browser) -> Result<()> {
    let started = Instant::now();
    loop {
        let busy: Value = b
            .driver
            .execute(
                r#"const shown = sel => Array.from(document.querySelectorAll(sel))
                       .some(el => el.getClientRects().length > 0);
                   const moving = document.getAnimations().some(a => a.playState === 'running'
                       && a.effect && a.effect.getComputedTiming().iterations !== Infinity);
                   return document.readyState !== 'complete' || shown('#first-paint')
                       || shown('.route-loading:not([hidden])') || shown('.page-loading')
                       || moving;"#,
                vec![],
            )
            .await?
            .json()
            .clone();
        if busy == Value::Bool(false) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(20) {
            let at = b.location().await.unwrap_or_default();
            bail!("the page at {at} never settled (loading or animating after 20 s)");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs axe-core on the whole document and returns one line per violation (empty when none).
pub async fn violations(b: &Browser, axe: &str) -> Result<Vec<String>> {
    let loaded: Value = b
        .driver
        .execute("return typeof window.axe === 'object';", vec![])
        .await?
        .json()
        .clone();
    if loaded != Value::Bool(true) {
        // A function body: axe's UMD wrapper sees no `module` here and sets `window.axe`.
        b.driver
            .execute(axe, vec![])
            .await
            .context("injecting axe.min.js")?;
    }
    let found = b
        .driver
        .execute(
            r#"return axe.run(document, { resultTypes: ['violations'] }).then(result =>
                   result.violations.map(v => ({
                       id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.map(n => ({
                           target: n.target.join(' '),
                           html: n.html.length > 300 ? n.html.slice(0, 300) + '…' : n.html,
                           summary: n.failureSummary || '',
                       })),
                   })));"#,
            vec![],
        )
        .await
        .context("running axe")?
        .json()
        .clone();
    let mut lines = Vec::new();
    for violation in found.as_array().context("axe's violations")? {
        let nodes = violation["nodes"].as_array().cloned().unwrap_or_default();
        let mut line = format!(
            "{} ({}, {} element{}): {}",
            violation["id"].as_str().unwrap_or("?"),
            violation["impact"].as_str().unwrap_or("no impact"),
            nodes.len(),
            if nodes.len() == 1 { "" } else { "s" },
            violation["help"].as_str().unwrap_or(""),
        );
        for node in nodes {
            line.push_str(&format!(
                "\n      {}  {}\n        {}",
                node["target"].as_str().unwrap_or("?"),
                node["html"].as_str().unwrap_or(""),
                node["summary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n        "),
            ));
        }
        lines.push(line);
    }
    Ok(lines)
}

/// The media the page is drawn for: `prefers-color-scheme` and `prefers-reduced-motion`.
pub async fn emulate_media(b: &Browser, dark: bool, reduced_motion: bool) -> Result<()> {
    let scheme = if dark { "dark" } else { "light" };
    let motion = if reduced_motion {
        "reduce"
    } else {
        "no-preference"
    };
    b.driver
        .cdp()
        .send_raw(
            "Emulation.setEmulatedMedia",
            json!({ "features": [
                { "name": "prefers-color-scheme", "value": scheme },
                { "name": "prefers-reduced-motion", "value": motion },
            ] }),
        )
        .await
        .context("Emulation.setEmulatedMedia")?;
    Ok(())
}

/// 200 % zoom of the harness's 1280 × 900 window: half as many CSS pixels, each drawn twice as
/// large, as a browser zoomed to 200 % lays the page out.
pub async fn zoom_200(b: &Browser) -> Result<()> {
    b.driver
        .cdp()
        .send_raw(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 640, "height": 450, "deviceScaleFactor": 2, "mobile": false }),
        )
        .await
        .context("Emulation.setDeviceMetricsOverride")?;
    Ok(())
}

/// What is cut off or out of reach at the current viewport: the page scrolling sideways, a main
/// region (header, navigation, main, an open dialog) wider than itself, a control reaching past
/// the viewport's edge outside of a scrolling container (a wide table scrolls on purpose).
pub async fn clipped(b: &Browser) -> Result<Vec<String>> {
    let found = b
        .driver
        .execute(
            r#"const vw = document.documentElement.clientWidth;
               const name = el => el.tagName.toLowerCase()
                   + (el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : '')
                   + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '')
                   + ` "${(el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`;
               const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
                   const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; }
                   return false; };
               const problems = [];
               const page = document.documentElement.scrollWidth;
               if (page > vw + 1) {
                   // Name what sticks out: the outermost elements past the right edge.
                   const out = Array.from(document.body.querySelectorAll('*')).filter(el => {
                       const parent = el.parentElement;
                       return el.getBoundingClientRect().right > vw + 1
                           && parent && parent.getBoundingClientRect().right <= vw + 1;
                   }).concat(Array.from(document.body.querySelectorAll('*')).filter(el =>
                       Math.abs(el.getBoundingClientRect().right + window.scrollX - page) < 2))
                   .slice(0, 8).map(el => `${name(el)} (to ${Math.round(el.getBoundingClientRect().right)} px)`);
                   problems.push(`the page scrolls sideways: ${page} px of content in a ${vw} px viewport: ${out.join(', ')}`);
               }
               for (const region of document.querySelectorAll('header, nav, main, dialog[open], .modal-body')) {
                   if (region.getClientRects().length === 0) continue;
                   if (region.scrollWidth > region.clientWidth + 1)
                       problems.push(`${name(region)}: ${region.scrollWidth} px of content in ${region.clientWidth} px`);
               }
               for (const el of document.querySelectorAll('button, a[href], input, select, textarea, [role=button]')) {
                   const r = el.getBoundingClientRect();
                   if (r.width === 0 || r.height === 0 || el.closest('.sr-only, .skip-link') || scrolls(el)) continue;
                   if (getComputedStyle(el).visibility === 'hidden') continue;
                   if (r.left < -1 || r.right > vw + 1)
                       problems.push(`${name(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px of a ${vw} px viewport`);
               }
               return problems;"#,
            vec![],
        )
        .await?
        .json()
        .clone();
    Ok(found
        .as_array()
        .context("clipping report")?
        .iter()
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect())
}

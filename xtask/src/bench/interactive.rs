//! Section 3a of BENCHMARKS.md: time to interactive. How long after navigation a click on the
//! first lead's title has opened its detail, for the SPA and the React reference in the same
//! run, on loopback and on an emulated slow network and CPU. Measured by clicking: from the
//! moment a title is on screen, the page is clicked where it is drawn, every frame, until the
//! detail is open. On the SPA's first paint the title opens the detail the server drew, and the
//! app's own detail of the lead takes its place once the app is in (ARCHITECTURE.md, "The leads
//! page has a first paint"): both times are kept, the first is the figure.

#![cfg(feature = "bench")]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use serde_json::json;

use super::browser::{BrowserCtx, Driver, RUNS, SPA_PATH};
use super::measure::{median, verdict, Report};
use super::REACT_DIR;

/// Installed before any page script for this figure only: clicks the element drawn at the
/// centre of the first lead's title (the first paint's while it is on screen, then the app's)
/// on every animation frame from the first frame it is visible until a lead detail is open
/// (the first paint's `#first-paint-detail`, or `dialog[data-testid=lead-detail]`, the app's
/// and the reference's), and records when, then when the app's own detail is open.
const INTERACTIVE_SCRIPT: &str = r#"(() => {
  const APP_OPEN = 'dialog[data-testid="lead-detail"][open]';
  const OPEN = `${APP_OPEN}, #first-paint-detail[open]`;
  let seen = null;
  let open = null;
  let clicks = 0;
  const done = () => {
    if (open === null && document.querySelector(OPEN)) open = performance.now();
    if (window.__interactive || open === null || !document.querySelector(APP_OPEN)) return false;
    window.__interactive = { title: seen, open, app: performance.now(), clicks };
    return true;
  };
  const mo = new MutationObserver(() => { if (done()) mo.disconnect(); });
  mo.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['open'] });
  const click = () => {
    if (open !== null) return;
    const title = document.querySelector('#first-paint .lead-title button')
      || document.querySelector('[data-testid="lead-open"]');
    const box = title && title.getBoundingClientRect();
    if (box && box.width > 0 && box.height > 0) {
      const drawn = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      if (drawn) {
        seen ??= performance.now();
        clicks += 1;
        drawn.click();
        done();
      }
    }
    requestAnimationFrame(click);
  };
  requestAnimationFrame(click);
})();"#;

/// The slow profile, as Lighthouse's mobile one is built: ~10 Mbit/s down, 40 ms latency, the
/// CPU 4× slower. The browser cache is off in it: a first visit, where the start set's bytes
/// are the wait.
const SLOW_DOWN_BYTES_PER_S: f64 = 10_000_000.0 / 8.0;
const SLOW_UP_BYTES_PER_S: f64 = 5_000_000.0 / 8.0;
const SLOW_LATENCY_MS: f64 = 40.0;
const SLOW_CPU_RATE: f64 = 4.0;

/// One load, in ms since navigation start: when the first title was on screen, when a click on
/// it had opened a detail, and when the app's own detail was open (the same for the reference).
#[derive(Debug, Clone, Copy)]
struct Interactive {
    title: f64,
    open: f64,
    app: f64,
}

async fn load(d: &Driver, url: &str) -> Result<Interactive> {
    d.goto(url).await?;
    let started = Instant::now();
    loop {
        let v = d.execute("return window.__interactive ?? null;").await?;
        let at = |key: &str| v.get(key).and_then(serde_json::Value::as_f64);
        if let (Some(title), Some(open), Some(app)) = (at("title"), at("open"), at("app")) {
            // The detail is closed by the next navigation.
            return Ok(Interactive { title, open, app });
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the first lead's detail did not open within 60 s of loading {url}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `RUNS` alternating loads of each page after one warm-up each.
async fn alternate(d: &Driver, pages: &[&str]) -> Result<Vec<Vec<Interactive>>> {
    for url in pages {
        load(d, url).await?;
    }
    let mut runs = vec![Vec::with_capacity(RUNS); pages.len()];
    for _ in 0..RUNS {
        for (url, into) in pages.iter().zip(runs.iter_mut()) {
            into.push(load(d, url).await?);
        }
    }
    Ok(runs)
}

async fn slow_profile(d: &Driver, on: bool) -> Result<()> {
    d.cdp("Network.enable", json!({})).await?;
    d.cdp(
        "Network.emulateNetworkConditions",
        if on {
            json!({
                "offline": false,
                "latency": SLOW_LATENCY_MS,
                "downloadThroughput": SLOW_DOWN_BYTES_PER_S,
                "uploadThroughput": SLOW_UP_BYTES_PER_S,
            })
        } else {
            json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 })
        },
    )
    .await?;
    d.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": on }))
        .await?;
    d.cdp(
        "Emulation.setCPUThrottlingRate",
        json!({ "rate": if on { SLOW_CPU_RATE } else { 1.0 } }),
    )
    .await?;
    Ok(())
}

/// The figure's runs: loopback (cache warm, as section 3), then the slow profile (cold).
pub struct TimeToInteractive {
    /// SPA, then React when it was built; loopback and slow.
    loopback: Vec<Vec<Interactive>>,
    slow: Vec<Vec<Interactive>>,
}

pub async fn runs(d: &Driver, ctx: &BrowserCtx<'_>) -> Result<TimeToInteractive> {
    if !ctx.react {
        bail!("the React reference was not built: nothing to compare with");
    }
    let base = ctx.base();
    let spa = format!("{base}{SPA_PATH}");
    let react = format!("{base}/{REACT_DIR}/");
    let pages = [spa.as_str(), react.as_str()];
    let installed = d
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": INTERACTIVE_SCRIPT }),
        )
        .await?;
    let measured = async {
        let loopback = alternate(d, &pages).await?;
        slow_profile(d, true).await?;
        let slow = alternate(d, &pages).await;
        slow_profile(d, false).await?;
        Ok::<_, anyhow::Error>(TimeToInteractive {
            loopback,
            slow: slow?,
        })
    }
    .await;
    if let Some(id) = installed.get("identifier") {
        d.cdp(
            "Page.removeScriptToEvaluateOnNewDocument",
            json!({ "identifier": id }),
        )
        .await?;
    }
    measured
}

struct Figure {
    median: f64,
    min: f64,
    max: f64,
    app_median: f64,
    title_median: f64,
}

fn figure(runs: &[Interactive]) -> Figure {
    let sorted = |pick: fn(&Interactive) -> f64| {
        let mut ms: Vec<f64> = runs.iter().map(pick).collect();
        ms.sort_by(f64::total_cmp);
        ms
    };
    let open = sorted(|r| r.open);
    Figure {
        median: median(&open),
        min: open[0],
        max: open[open.len() - 1],
        app_median: median(&sorted(|r| r.app)),
        title_median: median(&sorted(|r| r.title)),
    }
}

pub fn report(t: TimeToInteractive, report: &mut Report) {
    let mut table = String::from(
        "| page | profile | detail open: median | min | max | the app's own detail (median) | title on screen (median) |\n\
         |---|---|---:|---:|---:|---:|---:|\n",
    );
    let mut met = true;
    let mut line = format!("time to interactive (headless Chromium, {RUNS} runs each):");
    for (profile, runs) in [("loopback", &t.loopback), ("slow", &t.slow)] {
        let (spa, react) = (figure(&runs[0]), figure(&runs[1]));
        for (name, f) in [("SPA", &spa), ("React reference", &react)] {
            let _ = writeln!(
                table,
                "| {name} | {profile} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
                f.median, f.min, f.max, f.app_median, f.title_median
            );
        }
        met &= spa.median <= react.median;
        let _ = write!(
            line,
            " {profile} SPA median {:.1} ms (min {:.1}, max {:.1}; the app's own detail {:.1}), React reference {:.1} ms (min {:.1}, max {:.1});",
            spa.median, spa.min, spa.max, spa.app_median, react.median, react.min, react.max
        );
    }
    let _ = write!(
        line,
        " target SPA ≤ React reference on both: {}",
        verdict(met)
    );
    report.line(line);
    report.react.push(format!(
        "time to interactive median {:.1} ms on loopback, {:.1} ms slow (section 3a)",
        figure(&t.loopback[1]).median,
        figure(&t.slow[1]).median
    ));
    report.sections.push(format!(
        "## 3a. Time to interactive\n\n\
         What a user feels: how long after navigation a click on the first lead's title has \
         opened its detail, for the SPA and the React reference in the same Chromium, one \
         after the other. Measured by clicking: a script installed before any page script clicks \
         the element drawn at the centre of the first title (`document.elementFromPoint`: what a \
         pointer there would hit) on every animation frame from the first frame a title is \
         visible, and records when a detail is open. On the SPA the first title on screen is the \
         server's first paint, and it opens the lead's detail the server drew with it \
         (`#first-paint-detail`); the click is also kept, and once the app is in, the app's own \
         detail (`dialog[data-testid=lead-detail][open]`) takes its place (ARCHITECTURE.md, \
         \"The leads page has a first paint\"): that is the column \"the app's own detail\". \
         The reference has one detail: both columns are its `dialog[data-testid=lead-detail]`. \
         Loopback: the browser cache warm, as in section 3. Slow: Chrome DevTools \
         Protocol `Network.emulateNetworkConditions` ({} Mbit/s down, {} Mbit/s up, {SLOW_LATENCY_MS:.0} ms \
         latency), `Emulation.setCPUThrottlingRate` {SLOW_CPU_RATE:.0}× and the cache off (a first \
         visit), as Lighthouse's mobile profile throttles. One warm-up each, then {RUNS} \
         alternating runs per profile.\n\n{table}\n\
         Target: the SPA's median at or below the React reference's, on both profiles — **{}**.\n",
        SLOW_DOWN_BYTES_PER_S * 8.0 / 1e6,
        SLOW_UP_BYTES_PER_S * 8.0 / 1e6,
        verdict(met)
    ));
}

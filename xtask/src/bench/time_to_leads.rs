//! Section 3 of BENCHMARKS.md: time to leads. How long after navigation the first lead card
//! is in the DOM, for the SPA, the React reference and a static floor, in the same Chromium.

#![cfg(feature = "bench")]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use super::browser::{BrowserCtx, Driver, FLOOR_FILE, RUNS, SPA_PATH};
use super::measure::{median, verdict, Report};
use super::REACT_DIR;

const TTL_TARGET_RATIO: f64 = 1.5;
const TTL_TARGET_MS: f64 = 150.0;
/// Installed before any page script (CDP `Page.addScriptToEvaluateOnNewDocument`): records
/// `performance.now()` (milliseconds since navigation start) when the first lead card enters
/// the DOM (the app's, or the server's first paint of the page, `#first-paint`), and marks it
/// with `performance.mark`; once the page's own interactive card is in the DOM too (the SPA's
/// `[data-testid=lead-card]`; the floor's and React's first card are theirs) it keeps the
/// steps of the load in `window.__ttlPhases` (read as [`Phases`]).
pub const TTL_SCRIPT: &str = r#"(() => {
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

/// Where one page load's time went, in ms since navigation start ([`TTL_SCRIPT`]); `None`
/// where the page has no such step (the floor sends no request, React sends no
/// `TrunkApplicationStarted`).
#[derive(Debug, Clone, Copy)]
pub struct Phases {
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

/// Loads `url` and waits for its first lead card: where that load's time went.
pub async fn load(d: &Driver, url: &str) -> Result<Phases> {
    d.goto(url).await?;
    let started = Instant::now();
    loop {
        let v = d.execute("return window.__ttlPhases ?? null;").await?;
        if let Some(phases) = Phases::from_json(&v) {
            return Ok(phases);
        }
        if started.elapsed() > Duration::from_secs(30) {
            let at = d.current_url().await.unwrap_or_default();
            bail!("no lead card 30 s after loading {url} (page: {at})");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Time to leads of the SPA, the React reference (when built) and the floor, one [`Phases`]
/// per run.
pub struct TimeToLeads {
    spa: Vec<Phases>,
    /// `Err` once one of its runs failed (the SPA's figure stands).
    react: Option<Result<Vec<Phases>>>,
    floor: Vec<Phases>,
}

/// One warm-up, then [`RUNS`] runs of each page in turn.
pub async fn runs(d: &Driver, ctx: &BrowserCtx<'_>) -> Result<TimeToLeads> {
    let base = ctx.base();
    let floor_url = format!("{base}/{FLOOR_FILE}");
    let spa_url = format!("{base}{SPA_PATH}");
    let react_url = ctx.react.then(|| format!("{base}/{REACT_DIR}/"));
    let mut t = TimeToLeads {
        spa: Vec::new(),
        react: react_url.as_ref().map(|_| Ok(Vec::new())),
        floor: Vec::new(),
    };
    // One run of the React reference, unless one failed already.
    async fn react_run(d: &Driver, url: &Option<String>, t: &mut TimeToLeads) -> Option<Phases> {
        let (Some(url), Some(Ok(_))) = (url, &t.react) else {
            return None;
        };
        match load(d, url).await {
            Ok(phases) => Some(phases),
            Err(e) => {
                t.react = Some(Err(e));
                None
            }
        }
    }
    // One warm-up each (compiles the wasm into the cache, like a returning user).
    load(d, &spa_url).await?;
    react_run(d, &react_url, &mut t).await;
    load(d, &floor_url).await?;
    for _ in 0..RUNS {
        t.spa.push(load(d, &spa_url).await?);
        if let Some(phases) = react_run(d, &react_url, &mut t).await {
            if let Some(Ok(runs)) = &mut t.react {
                runs.push(phases);
            }
        }
        t.floor.push(load(d, &floor_url).await?);
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

pub fn report(t: TimeToLeads, report: &mut Report) {
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
         (`server/src/leads/first_paint.rs`: `index.html` with the signed-in user's leads page drawn \
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
            format!("{e:#}").replace('|', "/")
        );
        report
            .react
            .push(format!("time to leads not measured ({e:#})"));
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

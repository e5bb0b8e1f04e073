//! Sections 4 and 5 of BENCHMARKS.md: how fast the page updates once an answer is in, measured
//! in the page itself. Permission reaction (a 403 on Dismiss → the page closes its writes) and
//! list rendering (per page and page switches in a space of 10,000 leads).

#![cfg(feature = "bench")]

use std::fmt::Write as _;

use anyhow::{bail, Context, Result};
use reqwest::Method;

use super::browser::{BrowserCtx, Driver, LIST_LEADS, LIST_SPACE, RUNS, SPA_PATH};
use super::measure::{median, verdict, Report};
use super::memory::{ListAndMemory, ReactVisit, LIST_PER_PAGE, SWITCHES};
use super::time_to_leads;
use super::REACT_DIR;

/// One frame at 60 Hz: the target of items 3 and 4.
const FRAME_MS: f64 = 16.0;

/// Installed before any page script, next to [`TTL_SCRIPT`]: keeps the wasm exports the SPA's
/// loader announces (`TrunkApplicationStarted`, the event Trunk's loader sends, `detail.wasm.memory`) and defines
/// `window.__gh`, the in-page side of items 3, 4 and 6. `step` runs an action and, on the
/// first DOM mutation after which `ready()` holds, takes `performance.now()` (`dom`), forces
/// style + layout and takes it again (`layout`), with the Resource Timing `responseEnd` and
/// `responseStatus` of the last request whose URL contains `url` and the time of the SPA's
/// `performance.mark` `mark` (set in `src/pages/leads/` when the answer has
/// been parsed / the failure handled); it records response → DOM as the
/// `performance.measure` `gatehouse:update` and resolves after the next frame, so the next
/// step never waits for this one's paint.
pub const PAGE_HELPERS: &str = r#"(() => {
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
pub struct Update {
    response_end: f64,
    mark: f64,
    dom: f64,
    /// After a forced style + layout of the updated DOM.
    layout: f64,
}

impl Update {
    /// Response received → DOM updated: the update without the network.
    pub fn total(&self) -> f64 {
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

/// One update as the page measured it (`window.__gh`'s `step`); `status`, when given, is the
/// answer the update must have followed.
pub fn update_of(v: &serde_json::Value, status: Option<u64>) -> Result<Update> {
    if let Some(e) = v["error"].as_str() {
        bail!("{e}");
    }
    let field = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("no {k} in the page's measurement: {v}"))
    };
    let u = Update {
        response_end: field("responseEnd")?,
        mark: field("mark")?,
        dom: field("dom")?,
        layout: field("layout")?,
    };
    if let (Some(want), Some(got)) = (status, v["status"].as_u64()) {
        if want != got {
            bail!("expected a {want} answer, got {got}: {v}");
        }
    }
    if !(u.response_end <= u.mark && u.mark <= u.dom && u.dom <= u.layout) {
        bail!("times out of order (a stale mark?): {v}");
    }
    Ok(u)
}

/// Median, min and max of one part of a series of updates.
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

pub fn spread(updates: &[Update], part: fn(&Update) -> f64) -> Spread {
    let mut v: Vec<f64> = updates.iter().map(part).collect();
    v.sort_by(f64::total_cmp);
    Spread {
        median: median(&v),
        min: v[0],
        max: v[v.len() - 1],
    }
}

pub fn spread_row(name: &str, updates: &[Update]) -> String {
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

pub const SPREAD_HEADER: &str = "| update | runs | median | min | max | response → mark (median) | mark → DOM (median) | then style + layout (median) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";

/// `leads_full_access` as seeded (`write`: its index privileges, with `write`) or with `read`
/// only, put through the role API as `elastic`.
pub async fn put_leads_role(ctx: &BrowserCtx<'_>, write: bool) -> Result<()> {
    let privileges: Vec<String> = if write {
        gatehouse_server::seed::demo_roles()
            .into_iter()
            .find(|(name, _)| *name == "leads_full_access")
            .and_then(|(_, role)| role.indices.into_iter().next())
            .map(|grant| grant.privileges)
            .context("no seeded leads_full_access role")?
    } else {
        vec!["read".to_string()]
    };
    let body = serde_json::json!({
        "elasticsearch": { "cluster": [], "indices": [{
            "names": [gatehouse_api::leads::LEADS_INDEX_PATTERN], "privileges": privileges
        }], "run_as": [] },
        "kibana": []
    });
    ctx.elastic
        .send_json(
            Method::PUT,
            "/api/security/role/leads_full_access",
            &body,
            "put role leads_full_access",
        )
        .await
}

/// Generate stays closed until the space has a connector (docs/leads.md, "Connector"), so
/// "write access shown" needs one chosen, as an analyst would before generating.
async fn choose_builtin_connector(ctx: &BrowserCtx<'_>) -> Result<()> {
    let body = serde_json::to_value(gatehouse_api::leads::connector::ChooseConnectorRequest {
        connector_id: gatehouse_api::leads::connector::Connector::builtin().id,
    })?;
    ctx.elastic
        .send_json(
            Method::PUT,
            gatehouse_api::leads::LEADS_CONNECTOR_PATH,
            &body,
            "choose the built-in connector",
        )
        .await
}

/// Item 3: `leads_full_user` has the leads page open with write access; the role loses
/// `write` on the server; Dismiss on the first card. From the 403 received to the error
/// toast in the DOM with Generate and every Dismiss closed (`aria-disabled`).
pub async fn permission_reaction(d: &Driver, ctx: &BrowserCtx<'_>) -> Result<Vec<Update>> {
    let url = format!("{}{SPA_PATH}", ctx.base());
    choose_builtin_connector(ctx).await?;
    let mut runs = Vec::new();
    for run in 0..=RUNS {
        put_leads_role(ctx, true).await?;
        time_to_leads::load(d, &url).await?;
        d.wait_for("return window.__gh.fullReady();", "write access shown")
            .await?;
        put_leads_role(ctx, false).await?;
        let v = d.evaluate("window.__gh.dismissDenied()").await?;
        let u = update_of(&v, Some(403))?;
        if run > 0 {
            runs.push(u);
        }
    }
    Ok(runs)
}

pub fn report_permission_reaction(runs: &[Update], report: &mut Report) {
    let s = spread(runs, Update::total);
    let met = s.median <= FRAME_MS;
    let mut section = format!(
        "## 4. Permission reaction\n\n\
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
         the SPA's own reaction to a revoked privilege, and needs no \
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

pub fn report_list_rendering(m: &ListAndMemory, react: ReactVisit<'_>, report: &mut Report) {
    let s = spread(&m.page_switches, Update::total);
    let met = s.median <= FRAME_MS;
    let mut section = format!(
        "## 5. List rendering\n\n\
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
                format!("{e:#}").replace('|', "/")
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

//! Section 6 of BENCHMARKS.md, and the visit it shares with section 5: the 10,000-lead space
//! opened, per page switched and a thousand pages switched (timed), then switching on to
//! [`LEAK_SWITCHES`] with the page's memory sampled after forced collections.

#![cfg(feature = "bench")]

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::browser::{Driver, LIST_LEADS, RUNS};
use super::measure::{mib, verdict, Report};
use super::page_updates::{spread, update_of, Update};
use super::time_to_leads;

pub const LIST_PER_PAGE: u32 = 100;
pub const SWITCHES: usize = 1_000;
/// Page switches per call into the page; memory is sampled (after a GC) between batches.
const SWITCH_BATCH: usize = 50;
/// Item 6 goes on switching after the timed [`SWITCHES`], up to this many, sampling memory
/// every [`LATE_SAMPLE_EVERY`]: early on the wasm allocator grows to its working size (wasm
/// memory never shrinks); a leak goes on growing over the last thousand.
const LEAK_SWITCHES: usize = 3_000;
const LATE_SAMPLE_EVERY: usize = 250;

/// Bytes of JS heap (`performance.memory.usedJSHeapSize`) and wasm memory, after a GC.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    heap: u64,
    wasm: u64,
    /// What the wasm allocator has handed out and not had back (`heap_live_bytes`).
    in_use: u64,
    nodes: u64,
}

/// `wasm`: the page is the SPA, whose wasm memory must be there (the React reference has
/// none: 0).
async fn memory(d: &Driver, wasm: bool) -> Result<Memory> {
    // Two collections with a pause between: wasm-bindgen's FinalizationRegistry callbacks
    // (weak refs) run after the first and free what the wasm side held for JS objects.
    for _ in 0..2 {
        d.cdp("HeapProfiler.collectGarbage", serde_json::json!({}))
            .await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let v = d.evaluate("window.__gh.memory()").await?;
    let field = |k: &str| {
        v[k].as_u64()
            .with_context(|| format!("no {k} in the page's memory figures: {v}"))
    };
    Ok(Memory {
        heap: field("heap")?,
        wasm: if wasm { field("wasm")? } else { 0 },
        in_use: if wasm { field("inUse")? } else { 0 },
        nodes: field("nodes")?,
    })
}

pub struct ListAndMemory {
    pub pages: u64,
    pub per_page_switches: Vec<Update>,
    pub page_switches: Vec<Update>,
    pub after_load: Memory,
    pub before_switching: Memory,
    /// After every [`SWITCH_BATCH`] switches: (switches so far, memory).
    pub samples: Vec<(usize, Memory)>,
    /// After every [`LATE_SAMPLE_EVERY`] untimed switches, up to [`LEAK_SWITCHES`].
    pub late_samples: Vec<(usize, Memory)>,
}

impl ListAndMemory {
    /// Memory after `LEAK_SWITCHES - 1000` and after `LEAK_SWITCHES` switches: the last
    /// thousand, where a leak shows and warm-up does not.
    fn last_thousand(&self) -> Option<(Memory, Memory)> {
        let all: Vec<&(usize, Memory)> = self.samples.iter().chain(&self.late_samples).collect();
        let last = all.last()?;
        let start = all.iter().find(|s| s.0 + 1_000 == last.0)?;
        Some((start.1, last.1))
    }
}

/// No leak over the last thousand switches: the wasm heap in use and the JS heap each within
/// 1 % (what the page's caches and a forced GC leave as noise). Wasm memory is not read
/// here: it never shrinks, and grows when the allocator's free blocks do not fit, leak or
/// not. `None` when that stretch was not sampled.
fn no_leak(m: &ListAndMemory, wasm: bool) -> Option<bool> {
    let (start, end) = m.last_thousand()?;
    let within = |a: u64, b: u64| b as f64 <= a as f64 * 1.01;
    Some((!wasm || within(start.in_use, end.in_use)) && within(start.heap, end.heap))
}

/// Items 4 and 6 in the space with 10,000 leads at `url` (the SPA, `wasm`, or the React
/// reference): per page 20 → 100 ({RUNS} times), then [`SWITCHES`] page switches of 100
/// cards, with memory after load, before switching and every [`SWITCH_BATCH`] switches.
pub async fn list_and_memory(d: &Driver, url: &str, wasm: bool) -> Result<ListAndMemory> {
    time_to_leads::load(d, url).await?;
    d.wait_for(
        "return window.__gh.cards() === 20 && !!window.__gh.pageLabel();",
        "first page of 20",
    )
    .await?;
    let after_load = memory(d, wasm).await?;
    let pages = (LIST_LEADS as u64).div_ceil(u64::from(LIST_PER_PAGE));
    let label_100 = format!("Page 1 of {pages}");
    let label_20 = format!("Page 1 of {}", (LIST_LEADS as u64).div_ceil(20));
    let mut per_page_switches = Vec::new();
    for run in 0..=RUNS {
        let v = d
            .evaluate(&format!(
                "window.__gh.setPerPage({LIST_PER_PAGE}, {label_100:?})"
            ))
            .await?;
        let u = update_of(&v, Some(200))?;
        if run > 0 {
            per_page_switches.push(u);
        }
        if run < RUNS {
            let v = d
                .evaluate(&format!("window.__gh.setPerPage(20, {label_20:?})"))
                .await?;
            update_of(&v, Some(200))?;
        }
    }
    let before_switching = memory(d, wasm).await?;
    let mut page_switches = Vec::with_capacity(SWITCHES);
    let mut samples = Vec::new();
    while page_switches.len() < SWITCHES {
        let n = SWITCH_BATCH.min(SWITCHES - page_switches.len());
        let v = d
            .evaluate(&format!("window.__gh.switches({n}, {LIST_PER_PAGE})"))
            .await?;
        for r in v["out"].as_array().map(Vec::as_slice).unwrap_or_default() {
            page_switches.push(update_of(r, Some(200))?);
        }
        if let Some(e) = v["error"].as_str() {
            bail!("page switch {}: {e}", page_switches.len() + 1);
        }
        samples.push((page_switches.len(), memory(d, wasm).await?));
    }
    // Untimed: only memory is read from here on.
    let mut late_samples = Vec::new();
    let mut switched = SWITCHES;
    while switched < LEAK_SWITCHES {
        let n = LATE_SAMPLE_EVERY.min(LEAK_SWITCHES - switched);
        let v = d
            .evaluate(&format!("window.__gh.switches({n}, {LIST_PER_PAGE})"))
            .await?;
        if let Some(e) = v["error"].as_str() {
            bail!("page switch after {switched}: {e}");
        }
        switched += n;
        late_samples.push((switched, memory(d, wasm).await?));
    }
    Ok(ListAndMemory {
        pages,
        per_page_switches,
        page_switches,
        after_load,
        before_switching,
        samples,
        late_samples,
    })
}

/// The React reference's rows of sections 5 and 6: the same visit, when it was measured.
pub type ReactVisit<'a> = Option<&'a Result<ListAndMemory>>;

/// The React reference's list rendering and memory figures for its summary line.
pub fn react_list_summary(r: &ListAndMemory, report: &mut Report) {
    let s = spread(&r.page_switches, Update::total);
    let p = spread(&r.per_page_switches, Update::total);
    let last = r.samples.last().map_or(r.before_switching, |s| s.1);
    report.react.push(format!(
        "list rendering page switch median {:.1} ms (min {:.1}, max {:.1}, {} switches), per page 20 → {LIST_PER_PAGE} median {:.1} ms (min {:.1}, max {:.1}, {} runs)",
        s.median,
        s.min,
        s.max,
        r.page_switches.len(),
        p.median,
        p.min,
        p.max,
        r.per_page_switches.len()
    ));
    report.react.push(format!(
        "memory JS heap {:.2} MiB after load, {:.2} MiB with {LIST_PER_PAGE} cards, {:.2} MiB after {} page switches ({:+.1} %)",
        mib(r.after_load.heap),
        mib(r.before_switching.heap),
        mib(last.heap),
        r.page_switches.len(),
        (last.heap as f64 - r.before_switching.heap as f64) * 100.0
            / r.before_switching.heap.max(1) as f64
    ));
}

pub fn report_memory(m: &ListAndMemory, react: ReactVisit<'_>, report: &mut Report) {
    let last = m.samples.last().map_or(m.before_switching, |s| s.1);
    let heaps: Vec<u64> = m.samples.iter().map(|s| s.1.heap).collect();
    let (heap_min, heap_max) = (
        heaps.iter().copied().min().unwrap_or(last.heap),
        heaps.iter().copied().max().unwrap_or(last.heap),
    );
    let heap_growth = last.heap as f64 - m.before_switching.heap as f64;
    let wasm_growth = last.wasm as f64 - m.before_switching.wasm as f64;
    let first = m.samples.first().map_or(m.before_switching, |s| s.1);
    let no_growth = no_leak(m, true).unwrap_or(false);
    let (late_start, late_end) = m.last_thousand().unwrap_or((last, last));
    let per_thousand = |a: u64, b: u64| {
        let switches = m.samples.last().map_or(0, |s| s.0) - m.samples.first().map_or(0, |s| s.0);
        (b as f64 - a as f64) / 1024.0 * 1000.0 / switches.max(1) as f64
    };
    let mut section = String::from(
        "## 6. Memory\n\n\
         The same visit as section 5, in a fresh Chromium (its own WebDriver session and \
         profile; the React reference's visit in another one), so what other pages left in a \
         renderer's JS heap does not count. JS heap: `performance.memory.usedJSHeapSize` \
         (Chromium with `--enable-precise-memory-info`); wasm memory: \
         `memory.buffer.byteLength` of the main module's exports, which the SPA's loader announces \
         in a `TrunkApplicationStarted` event (as Trunk's does). Each figure after two forced collections (CDP \
         `HeapProfiler.collectGarbage`, 100 ms apart so weak-ref finalizers run). The page \
         is driven and read through CDP `Runtime.evaluate`, not WebDriver's execute-async, \
         whose wrapper leaves every result in the page: before this, both pages' JS heaps \
         grew by about 0.12 KB per switch, the size of the timings handed back (a heap \
         sampling profile traced the kept objects to that wrapper). Wasm memory \
         never shrinks: it shows the peak the allocator needed and how its free blocks are \
         spread; wasm heap in use is what the app holds, the allocator's own count \
         (`heap_live_bytes`, `src/lib.rs`). MiB = 1024 × 1024 bytes. \
         The React reference's columns are its visit of section 5, sampled at the same points; \
         it has no wasm memory, its whole state is in the JS heap, so compare its JS heap \
         with the SPA's JS heap plus wasm memory; its page has no console nav around the \
         leads, hence fewer DOM elements.\n\n\
         | when | JS heap | wasm memory | wasm heap in use | DOM elements | React reference: JS heap | React reference: DOM elements |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    let react_ok = match react {
        Some(Ok(r)) => Some(r),
        _ => None,
    };
    let mut react_rows: Vec<Memory> = Vec::new();
    if let Some(r) = react_ok {
        react_rows.push(r.after_load);
        react_rows.push(r.before_switching);
        react_rows.extend(r.samples.iter().chain(&r.late_samples).map(|s| s.1));
    }
    let mut rows: Vec<(String, Memory)> = vec![
        ("after load (20 cards)".into(), m.after_load),
        (
            format!("{LIST_PER_PAGE} cards, before switching"),
            m.before_switching,
        ),
    ];
    rows.extend(
        m.samples
            .iter()
            .chain(&m.late_samples)
            .map(|(n, mem)| (format!("after {n} page switches"), *mem)),
    );
    for (i, (when, mem)) in rows.into_iter().enumerate() {
        let (react_heap, react_nodes) = react_rows.get(i).map_or_else(
            || ("—".to_string(), "—".to_string()),
            |r| (format!("{:.2} MiB", mib(r.heap)), r.nodes.to_string()),
        );
        let _ = writeln!(
            section,
            "| {when} | {:.2} MiB | {:.2} MiB | {:.3} MiB | {} | {react_heap} | {react_nodes} |",
            mib(mem.heap),
            mib(mem.wasm),
            mib(mem.in_use),
            mem.nodes
        );
    }
    let _ = writeln!(
        section,
        "\nAfter {} page switches against before switching: JS heap {heap_growth:+.0} bytes \
         ({:+.1} %), wasm memory {wasm_growth:+.0} bytes. From the first sample to the last: \
         JS heap {:+.1} KiB and wasm memory {:+.1} KiB per 1,000 switches; JS heap over the \
         {} samples {:.2}–{:.2} MiB. Then {} more switches, untimed: over the last \
         thousand ({} → {}) JS heap {:+.1} KiB ({:+.2} %), wasm heap in use {:+.1} KiB \
         ({:+.2} %) and wasm memory {:+.1} KiB. Target: no growth (no leak), read as the JS \
         heap and the wasm heap in use each within 1 % over the last thousand switches, where \
         the warm-up of the first thousand is over — **{}**.\n",
        m.page_switches.len(),
        heap_growth * 100.0 / m.before_switching.heap.max(1) as f64,
        per_thousand(first.heap, last.heap),
        per_thousand(first.wasm, last.wasm),
        m.samples.len(),
        mib(heap_min),
        mib(heap_max),
        LEAK_SWITCHES - SWITCHES,
        LEAK_SWITCHES - 1_000,
        LEAK_SWITCHES,
        (late_end.heap as f64 - late_start.heap as f64) / 1024.0,
        (late_end.heap as f64 - late_start.heap as f64) * 100.0 / late_start.heap.max(1) as f64,
        (late_end.in_use as f64 - late_start.in_use as f64) / 1024.0,
        (late_end.in_use as f64 - late_start.in_use as f64) * 100.0
            / late_start.in_use.max(1) as f64,
        (late_end.wasm as f64 - late_start.wasm as f64) / 1024.0,
        verdict(no_growth)
    );
    match react {
        Some(Ok(r)) => {
            let last = r.samples.last().map_or(r.before_switching, |s| s.1);
            let first = r.samples.first().map_or(r.before_switching, |s| s.1);
            let heaps: Vec<u64> = r.samples.iter().map(|s| s.1.heap).collect();
            let switches =
                r.samples.last().map_or(0, |s| s.0) - r.samples.first().map_or(0, |s| s.0);
            let _ = writeln!(
                section,
                "React reference: after {} page switches against before switching: JS heap \
                 {:+.0} bytes ({:+.1} %); from the first sample to the last {:+.1} KiB per \
                 1,000 switches; JS heap over the {} samples {:.2}–{:.2} MiB; over the last \
                 thousand of {LEAK_SWITCHES} switches the same reading of no growth: {}.\n",
                r.page_switches.len(),
                last.heap as f64 - r.before_switching.heap as f64,
                (last.heap as f64 - r.before_switching.heap as f64) * 100.0
                    / r.before_switching.heap.max(1) as f64,
                (last.heap as f64 - first.heap as f64) / 1024.0 * 1000.0 / switches.max(1) as f64,
                heaps.len(),
                mib(heaps.iter().copied().min().unwrap_or(last.heap)),
                mib(heaps.iter().copied().max().unwrap_or(last.heap)),
                match no_leak(r, false) {
                    Some(true) => "JS heap within 1 %",
                    Some(false) => "JS heap more than 1 %",
                    None => "not sampled",
                }
            );
        }
        Some(Err(e)) => {
            let _ = writeln!(section, "React reference: not measured ({e:#}).\n");
        }
        None => {}
    }
    report.sections.push(section);
    report.line(format!(
        "memory (headless Chromium, {LIST_LEADS} leads): JS heap {:.2} MiB after load, {:.2} MiB with {LIST_PER_PAGE} cards, {:.2} MiB after {} page switches ({:+.1} %; min {:.2}, max {:.2} over {} samples); wasm memory {:.2} MiB after load, {:.2} MiB with {LIST_PER_PAGE} cards, {:.2} MiB after {} page switches; over switches {}–{LEAK_SWITCHES}: JS heap {:+.2} %, wasm heap in use {:+.2} %, wasm memory {:+.1} KiB; target no growth: {}",
        mib(m.after_load.heap),
        mib(m.before_switching.heap),
        mib(last.heap),
        m.page_switches.len(),
        heap_growth * 100.0 / m.before_switching.heap.max(1) as f64,
        mib(heap_min),
        mib(heap_max),
        m.samples.len(),
        mib(m.after_load.wasm),
        mib(m.before_switching.wasm),
        mib(last.wasm),
        m.page_switches.len(),
        LEAK_SWITCHES - 1_000,
        (late_end.heap as f64 - late_start.heap as f64) * 100.0 / late_start.heap.max(1) as f64,
        (late_end.in_use as f64 - late_start.in_use as f64) * 100.0
            / late_start.in_use.max(1) as f64,
        (late_end.wasm as f64 - late_start.wasm as f64) / 1024.0,
        verdict(no_growth)
    ));
}

//! SPA resilience (RELIABILITY.md, "Faults"): the server's test-only fault injector spoils one route's answers —
//! truncated JSON, wrong types, a proxy's HTML 502 page, an empty body, a 30 s stall, a dropped
//! connection — and for each the browser must show a clear message, not panic, keep the rest of
//! the app working, and recover through its retry control once the fault is off.
//!
//! Each test prints `fault <kind> on GET <route>: injected N, survived` when it passes.

use std::time::{Duration, Instant};

mod common;

use anyhow::{bail, ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run_with, testid, Browser, FaultKind, Options, TIMEOUT};
use gatehouse_server::faults::FaultRule;

const LEADS_PAGE: &str = "/app/security/entity_analytics";
const DASHBOARDS_PAGE: &str = "/app/dashboards";
/// The leads list request (`GET …/leads?page=1&perPage=20…`), not its `/privileges` or `/status`.
const LEADS_LIST: &str = "/internal/entity_analytics/leads";
const DASHBOARDS_LIST: &str = "/api/dashboards";
/// The SPA aborts a request after 20 s; a stalled answer must be reported well before the
/// server's 30 s stall ends. Generous for a loaded 2-core machine.
const STALL_WAIT: Duration = Duration::from_secs(60);

const FAULTS: Options = Options {
    faults: true,
    tls: false,
};

/// What the page must say for each fault: words a user can act on, not markup or a blank.
fn expected_message(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::TruncatedJson => "response was cut off",
        FaultKind::WrongTypes => "could not read",
        FaultKind::Html502 => "502 Bad Gateway",
        FaultKind::EmptyBody => "empty",
        FaultKind::Stall => "did not answer within 20 seconds",
        FaultKind::DropConnection => "Could not reach the server",
    }
}

fn wait_for(kind: FaultKind) -> Duration {
    if kind == FaultKind::Stall {
        STALL_WAIT
    } else {
        TIMEOUT
    }
}

/// Only `GET <path>` exactly (any query string).
fn on_get(path: &str, kind: FaultKind) -> FaultRule {
    FaultRule {
        method: Some("GET".into()),
        exact: true,
        ..FaultRule::new(path, kind)
    }
}

/// Leaves the leads page and comes back through the header, so the section mounts and asks for
/// its list again.
async fn reopen_leads(b: &Browser) -> Result<()> {
    click(b, &testid("nav-dashboards")).await?;
    b.wait_for_testid("dashboard-table", TIMEOUT).await?;
    click(b, &testid("nav-entity-analytics")).await?;
    b.wait_for_path(LEADS_PAGE, TIMEOUT).await?;
    Ok(())
}

/// The leads list is faulted; the page must say so, keep working, and recover on "Try again".
async fn leads_list_survives(kind: FaultKind) -> Result<()> {
    run_with(FAULTS, move |b| async move {
        generate_leads(&b).await?;
        sign_in_at(&b, LEADS_PAGE, "leads_full_user").await?;
        b.wait_for_path(LEADS_PAGE, TIMEOUT).await?;
        b.wait_for_testid("lead-card", TIMEOUT)
            .await
            .context("leads show before any fault")?;

        b.set_faults(vec![on_get(LEADS_LIST, kind)]).await?;
        reopen_leads(&b).await?;
        let needle = expected_message(kind);
        let callout = wait_for_text(&b, &testid("leads-error"), needle, wait_for(kind))
            .await
            .context("the leads section explains the failure")?;
        ensure!(
            callout.contains("Failed to fetch hunting leads"),
            "the callout names what failed: {callout:?}"
        );
        ensure!(
            !callout.contains('<'),
            "no markup in the message: {callout:?}"
        );
        let toast = wait_for_text(&b, &testid("toast"), needle, TIMEOUT)
            .await
            .context("a toast says the same")?;
        ensure!(
            toast.contains("Failed to fetch hunting leads"),
            "toast: {toast:?}"
        );
        ensure!(
            count(&b, &testid("lead-card")).await? == 0,
            "no stale or half-read leads are shown"
        );
        b.assert_no_crash().await?;

        // The rest of the app keeps working while the fault is on.
        click(&b, &testid("nav-dashboards")).await?;
        b.wait_for_testid("dashboard-row", TIMEOUT)
            .await
            .context("the dashboards list still loads")?;
        ensure!(count(&b, &testid("dashboard-row")).await? >= 5);
        click(&b, &testid("nav-entity-analytics")).await?;
        wait_for_text(&b, &testid("leads-error"), needle, wait_for(kind))
            .await
            .context("coming back, the page reports the fault again instead of freezing")?;

        // Fault off: the page's own retry brings the leads back.
        let report = b.clear_faults().await?;
        let injected = report.injected.get(kind.as_str()).copied().unwrap_or(0);
        ensure!(
            injected >= 2,
            "the fault was injected on both visits: {report:?}"
        );
        click(&b, &format!("{} button", testid("leads-error"))).await?;
        b.wait_for_testid("lead-card", TIMEOUT)
            .await
            .context("Try again shows the leads once the fault is off")?;
        ensure!(
            !b.is_shown(&testid("leads-error")).await?,
            "the error is gone"
        );
        b.assert_no_crash().await?;
        println!(
            "fault {} on GET {LEADS_LIST}: injected {injected}, survived",
            kind.as_str()
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_list_truncated_json() -> Result<()> {
    leads_list_survives(FaultKind::TruncatedJson).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_list_wrong_types() -> Result<()> {
    leads_list_survives(FaultKind::WrongTypes).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_list_html_502() -> Result<()> {
    leads_list_survives(FaultKind::Html502).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_list_empty_body() -> Result<()> {
    leads_list_survives(FaultKind::EmptyBody).await
}

/// Slow by design: the SPA must give up after its 20 s limit and say so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_list_stall_hits_the_request_time_limit() -> Result<()> {
    leads_list_survives(FaultKind::Stall).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_list_dropped_connection() -> Result<()> {
    leads_list_survives(FaultKind::DropConnection).await
}

/// A second route: the dashboards list behind a proxy that answers with its 502 page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_list_html_502() -> Result<()> {
    let kind = FaultKind::Html502;
    run_with(FAULTS, move |b| async move {
        sign_in_at(&b, DASHBOARDS_PAGE, "elastic").await?;
        b.wait_for_path(DASHBOARDS_PAGE, TIMEOUT).await?;
        b.wait_for_testid("dashboard-row", TIMEOUT).await?;

        b.set_faults(vec![on_get(DASHBOARDS_LIST, kind)]).await?;
        click(&b, &testid("nav-entity-analytics")).await?;
        b.wait_for_testid("leads-section", TIMEOUT).await?;
        click(&b, &testid("nav-dashboards")).await?;
        let needle = expected_message(kind);
        let callout = wait_for_text(&b, &testid("load-error"), needle, TIMEOUT)
            .await
            .context("the dashboards page explains the failure")?;
        ensure!(!callout.contains('<'), "no markup: {callout:?}");
        wait_for_text(&b, &testid("toast"), "Failed to load dashboards", TIMEOUT).await?;
        ensure!(count(&b, &testid("dashboard-row")).await? == 0);
        b.assert_no_crash().await?;

        // The rest of the app keeps working: the leads section loads.
        click(&b, &testid("nav-entity-analytics")).await?;
        b.wait_for_testid("leads-section", TIMEOUT).await?;
        b.wait_for(
            &format!("{}, {}", testid("leads-empty"), testid("lead-card")),
            TIMEOUT,
        )
        .await
        .context("the leads section still answers")?;
        click(&b, &testid("nav-dashboards")).await?;
        wait_for_text(&b, &testid("load-error"), needle, TIMEOUT).await?;

        let report = b.clear_faults().await?;
        let injected = report.injected.get(kind.as_str()).copied().unwrap_or(0);
        ensure!(
            injected >= 2,
            "the fault was injected on both visits: {report:?}"
        );
        click(&b, &testid("load-error-retry")).await?;
        b.wait_for_testid("dashboard-row", TIMEOUT)
            .await
            .context("Try again shows the dashboards once the fault is off")?;
        ensure!(count(&b, &testid("dashboard-row")).await? >= 5);
        ensure!(!b.is_shown(&testid("load-error")).await?);
        b.assert_no_crash().await?;
        println!(
            "fault {} on GET {DASHBOARDS_LIST}: injected {injected}, survived",
            kind.as_str()
        );
        Ok(())
    })
    .await
}

/// A third route, at start-up: the session check (`GET /internal/security/me`) gets a dropped
/// connection when the page loads. The app must say it cannot reach the server, not sign the user
/// out or show a blank page, and its own "Try again" must sign back in once the fault is off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_check_dropped_connection_at_load() -> Result<()> {
    const ME: &str = "/internal/security/me";
    let kind = FaultKind::DropConnection;
    run_with(FAULTS, move |b| async move {
        sign_in_at(&b, DASHBOARDS_PAGE, "elastic").await?;
        b.wait_for_testid("dashboard-row", TIMEOUT).await?;

        b.set_faults(vec![on_get(ME, kind)]).await?;
        b.driver.refresh().await?;
        let panel = wait_for_text(&b, "main.outage", expected_message(kind), TIMEOUT)
            .await
            .context("the outage panel explains the failure")?;
        ensure!(
            panel.contains("can't reach its server"),
            "outage panel: {panel:?}"
        );
        ensure!(
            b.path().await? == DASHBOARDS_PAGE,
            "the user is not sent to the login page by an outage"
        );
        b.assert_no_crash().await?;

        let report = b.clear_faults().await?;
        let injected = report.injected.get(kind.as_str()).copied().unwrap_or(0);
        ensure!(injected >= 1, "the fault was injected: {report:?}");
        click(&b, "main.outage button").await?;
        b.wait_for_testid("user-menu", TIMEOUT)
            .await
            .context("Try again signs back in once the fault is off")?;
        b.wait_for_testid("dashboard-row", TIMEOUT).await?;
        b.assert_no_crash().await?;
        println!(
            "fault {} on GET {ME}: injected {injected}, survived",
            kind.as_str()
        );
        Ok(())
    })
    .await
}

/// The "no wasm panic" checks above are only worth something if the console watch sees one: what
/// console_error_panic_hook prints, and an uncaught error, both count as a crash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_watch_sees_panics_and_uncaught_errors() -> Result<()> {
    run_with(Options::default(), |b| async move {
        b.goto("/login").await?;
        b.wait_for("#login-username", TIMEOUT).await?;
        b.assert_no_crash().await?;
        b.driver
            .execute(
                "console.error('panicked at src/api/mod.rs:1:1:\\nsimulated'); \
                 setTimeout(() => { throw new Error('simulated uncaught error'); }, 0);",
                Vec::new(),
            )
            .await?;
        let started = Instant::now();
        loop {
            let crashes: Vec<String> = b
                .console()
                .await?
                .into_iter()
                .filter(|e| e.is_crash())
                .map(|e| e.message)
                .collect();
            let panic = crashes.iter().any(|m| m.contains("panicked at"));
            let uncaught = crashes
                .iter()
                .any(|m| m.contains("simulated uncaught error"));
            if panic && uncaught {
                break;
            }
            if started.elapsed() > TIMEOUT {
                bail!("the console watch missed a crash; saw {crashes:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        ensure!(
            b.assert_no_crash().await.is_err(),
            "assert_no_crash fails once a panic is in the console"
        );
        Ok(())
    })
    .await
}

/// Every file of the release build's module directory (`/gatehouse-<hash>/…`). Set once the app
/// has loaded, it reaches only the modules of the pages opened from then on.
/// The release build fetches a page's wasm module the first time the page is opened
/// (`src/lazy_routes.rs`). When that fetch fails (here a proxy's 502 for every module), the page
/// says so with a way to try again, the app does not stop, and once the network is back the
/// page opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_whose_module_cannot_be_fetched_says_so_and_opens_once_it_can() -> Result<()> {
    const DEV_TOOLS_PAGE: &str = "/app/dev_tools";
    let kind = FaultKind::Html502;
    run_with(FAULTS, move |b| async move {
        sign_in_at(&b, LEADS_PAGE, "elastic").await?;
        b.wait_for_testid("leads-section", TIMEOUT).await?;
        b.set_faults(vec![on_page_modules(kind, None)]).await?;

        click(&b, &testid("nav-dev-tools")).await?;
        let panel = wait_for_text(
            &b,
            &testid("page-load-failed"),
            "could not be loaded",
            TIMEOUT,
        )
        .await
        .context("the page says its code could not be fetched")?;
        ensure!(
            panel.contains("Check your connection"),
            "the panel says what to do: {panel:?}"
        );
        ensure!(
            b.path().await? == DEV_TOOLS_PAGE,
            "the address is the page asked for"
        );
        ensure!(
            count(&b, &testid("user-menu")).await? == 1,
            "the header stays usable"
        );
        b.screenshot("page-module-fetch-failed").await?;
        b.assert_no_crash().await?;

        let report = b.clear_faults().await?;
        let injected = report.injected.get(kind.as_str()).copied().unwrap_or(0);
        ensure!(injected >= 1, "the fault was injected: {report:?}");
        click(&b, &testid("page-load-retry")).await?;
        b.wait_for_testid("console-editor", TIMEOUT)
            .await
            .context("Try again opens Dev Tools once its module can be fetched")?;
        b.assert_no_crash().await?;
        println!(
            "fault {} on the page modules: injected {injected}, survived",
            kind.as_str()
        );
        Ok(())
    })
    .await
}

/// The leads page's dialogs fetch their code the first time one opens (`src/lazy_dialogs.rs`).
/// When that fetch fails, the open dialog says so instead of staying blank, the page goes on
/// working, and once the network is back the same dialog opens with its explanation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialog_whose_code_cannot_be_fetched_says_so_and_opens_once_it_can() -> Result<()> {
    let kind = FaultKind::Html502;
    run_with(FAULTS, move |b| async move {
        sign_in_at(&b, LEADS_PAGE, "leads_read_user").await?;
        b.wait_for_testid("leads-why-write", TIMEOUT).await?;
        b.set_faults(vec![on_page_modules(kind, None)]).await?;

        click(&b, &testid("leads-why-write")).await?;
        let note = wait_for_text(
            &b,
            &testid("dialog-load-failed"),
            "could not be loaded",
            TIMEOUT,
        )
        .await
        .context("the open dialog says its code could not be fetched")?;
        ensure!(
            note.contains("Check your connection"),
            "the note says what to do: {note:?}"
        );
        b.screenshot("dialog-module-fetch-failed").await?;
        b.press_escape().await?;
        b.assert_no_crash().await?;

        let report = b.clear_faults().await?;
        let injected = report.injected.get(kind.as_str()).copied().unwrap_or(0);
        ensure!(injected >= 1, "the fault was injected: {report:?}");
        click(&b, &testid("leads-why-write")).await?;
        let needed = b
            .wait_for_testid("why-needed", TIMEOUT)
            .await
            .context("opened again, the dialog explains once its code can be fetched")?
            .text()
            .await?;
        ensure!(
            needed.contains("write"),
            "the explanation names the missing privilege: {needed:?}"
        );
        ensure!(
            count(&b, &testid("dialog-load-failed")).await? == 0,
            "the failure note is gone"
        );
        b.assert_no_crash().await?;
        println!(
            "fault {} on the dialog module: injected {injected}, survived",
            kind.as_str()
        );
        Ok(())
    })
    .await
}

/// On a slow connection a page's module takes a while to arrive: the previous page stays, a bar
/// across the top says a page is opening, and both give way to the page once it is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_page_module_shows_the_loading_bar_until_the_page_opens() -> Result<()> {
    let bar = testid("route-loading");
    run_with(FAULTS, move |b| async move {
        sign_in_at(&b, LEADS_PAGE, "elastic").await?;
        b.wait_for_testid("leads-section", TIMEOUT).await?;
        ensure!(!b.is_shown(&bar).await?, "no bar while nothing is loading");
        b.set_faults(vec![on_page_modules(FaultKind::Stall, Some(3))])
            .await?;

        click(&b, &testid("nav-dev-tools")).await?;
        b.wait_for(&bar, TIMEOUT)
            .await
            .context("the loading bar shows while the page's module is on its way")?;
        ensure!(
            b.is_shown(&testid("leads-section")).await?,
            "the previous page stays up meanwhile"
        );
        b.screenshot("page-module-loading").await?;
        b.wait_for_testid("console-editor", STALL_WAIT)
            .await
            .context("Dev Tools opens once its module arrives")?;
        ensure!(
            !b.is_shown(&bar).await?,
            "the bar is gone once the page is open"
        );
        let report = b.clear_faults().await?;
        let stalled = report
            .injected
            .get(FaultKind::Stall.as_str())
            .copied()
            .unwrap_or(0);
        ensure!(stalled >= 1, "the module fetch was slowed: {report:?}");
        b.assert_no_crash().await?;
        Ok(())
    })
    .await
}

/// Each element of the page's header and main as tag, class and own text, in document order:
/// inside the server's first paint while it is there, else the app's.
const PAGE_SHAPE: &str = r#"
    const shape = (root) => {
        const out = [];
        const walk = (node) => {
            if (node.nodeType === Node.TEXT_NODE) {
                const text = node.textContent.trim();
                if (text) out.push('"' + text + '"');
                return;
            }
            // Dialogs, and the templates the first paint's detail is filled from, are not
            // drawn until opened.
            if (node.nodeType !== Node.ELEMENT_NODE || ['DIALOG', 'TEMPLATE'].includes(node.tagName)) return;
            out.push(node.tagName.toLowerCase() + '.' + (node.getAttribute('class') ?? ''));
            node.childNodes.forEach(walk);
        };
        if (root) walk(root);
        return out;
    };
    const within = document.getElementById('first-paint') ?? document.body;
    return shape(within.querySelector('header.app-header')).concat(shape(within.querySelector('main')));
"#;

async fn page_shape(b: &Browser) -> Result<Vec<String>> {
    let shape = b.driver.execute(PAGE_SHAPE, vec![]).await?;
    Ok(shape.convert()?)
}

/// The leads page arrives drawn by the server (`server/src/leads/first_paint.rs`), so the leads are on
/// screen before the app's wasm: here the wasm never arrives (a proxy's 502), and the drawn page
/// stays, acting by itself only on a title, which opens the detail drawn with it. Once the wasm
/// arrives, the app draws the same page in its place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leads_page_is_drawn_before_the_app_starts_and_the_app_draws_the_same_in_its_place(
) -> Result<()> {
    let kind = FaultKind::Html502;
    run_with(FAULTS, move |b| async move {
        generate_leads(&b).await?;
        sign_in_at(&b, LEADS_PAGE, "leads_full_user").await?;
        b.wait_for_testid("lead-card", TIMEOUT).await?;

        fault_page_modules_uncached(&b, kind, None).await?;
        b.goto(LEADS_PAGE).await?;
        let first = b.wait_for("#first-paint .lead-card", TIMEOUT).await?;
        let drawn = page_shape(&b).await?;
        ensure!(
            count(&b, &testid("lead-card")).await? == 0,
            "without its wasm, nothing of the app is on the page"
        );
        ensure!(
            drawn
                .iter()
                .any(|part| part.contains("Critical risk user root")),
            "the drawn page shows the leads: {drawn:?}"
        );
        b.screenshot("leads-first-paint").await?;
        // Without the app, a title still opens the detail drawn with the page, and nothing else
        // happens half-done: the page stays where it is (no_lost_clicks.rs).
        let title = first.find(By::Css(".lead-title button")).await?;
        let _ = title.click().await;
        ensure!(
            count(&b, "#first-paint dialog[open]").await? == 1
                && count(&b, "dialog[open]").await? == 1
                && b.path().await? == LEADS_PAGE,
            "the drawn page's title opens its drawn detail, and only that"
        );

        let report = b.clear_faults().await?;
        ensure!(
            report.injected.get(kind.as_str()).copied().unwrap_or(0) >= 1,
            "the app's wasm was refused: {report:?}"
        );
        // What the refused wasm left in the console is read now, so the check for a crash below
        // is about the app's own start.
        b.console().await?;
        b.goto(LEADS_PAGE).await?;
        b.wait_for_testid("lead-card", TIMEOUT).await?;
        // Sooner than the app's last resort (3 s after its start, `src/first_paint.rs`): the app
        // takes over because its page is complete, not because time ran out.
        let took_over = Instant::now();
        while count(&b, "#first-paint").await? > 0 {
            ensure!(
                took_over.elapsed() < Duration::from_secs(2),
                "the app's page replaces the drawn one once it has its leads and last run"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let app = page_shape(&b).await?;
        if let Some(at) = drawn.iter().zip(&app).position(|(d, a)| d != a) {
            bail!(
                "the app draws {:?} where the first paint had {:?} (element {at})",
                &app[at..(at + 5).min(app.len())],
                &drawn[at..(at + 5).min(drawn.len())]
            );
        }
        ensure!(
            drawn.len() == app.len(),
            "the same page: {} parts drawn, {} in the app",
            drawn.len(),
            app.len()
        );
        b.assert_no_crash().await?;
        Ok(())
    })
    .await
}

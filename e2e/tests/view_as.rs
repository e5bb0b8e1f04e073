//! "View as" end to end (docs/view-as.md): elastic views as victor and sees exactly victor's
//! leads, dashboards and search pages (the same visible text but the banner, the same enabled
//! and closed controls, screenshots of both); a write in the view is closed in the page and
//! refused by the server with nothing changed; the view survives a reload and Stop returns; bob
//! is offered no "View as" and the server refuses him too.

use std::collections::BTreeMap;

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_api::headers::{INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE, KBN_XSRF};
use gatehouse_api::run_as::RUN_AS_HEADER;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};
use serde_json::Value;

#[path = "common/axe.rs"]
#[allow(dead_code, reason = "only its settle is used here")]
mod axe;

const USERS: &str = "/app/management/security/users";
const DASHBOARDS: &str = "/app/dashboards";
/// The pages compared, each with what shows once it has loaded for victor.
const COMPARED: &[(&str, &str, &str)] = &[
    (
        "leads",
        "/app/security/entity_analytics",
        "[data-testid=app-forbidden]",
    ),
    ("dashboards", DASHBOARDS, "[data-testid=dashboard-row]"),
    (
        "search",
        "/app/search?q=ransomware",
        "[data-testid=app-forbidden]",
    ),
];

/// What a user sees of the page: its visible text without the view's banner, and every control
/// with whether it is open or closed (`disabled` or `aria-disabled`), by its test id and name.
const PAGE_SHAPE: &str = r#"
const banner = document.querySelector('[data-testid=view-as-banner]');
if (banner) banner.style.display = 'none';
const text = document.body.innerText;
if (banner) banner.style.display = '';
const controls = Array.from(document.querySelectorAll(
    'button, a[href], input, select, textarea, [role=button], [tabindex]:not([tabindex="-1"])'))
  .filter(el => el.getClientRects().length > 0 && !(banner && banner.contains(el)))
  .map(el => [el.tagName.toLowerCase(), el.getAttribute('data-testid') || '',
              (el.getAttribute('aria-label') || el.innerText || el.value || '').trim(),
              el.disabled === true || el.getAttribute('aria-disabled') === 'true' ? 'closed' : 'open']
    .join(' | '));
return { text, controls };
"#;

#[derive(Debug, PartialEq)]
struct Shape {
    text: String,
    controls: Vec<String>,
}

async fn shape(b: &Browser) -> Result<Shape> {
    let value = b.driver.execute(PAGE_SHAPE, vec![]).await?.json().clone();
    let text = value["text"].as_str().unwrap_or_default().to_string();
    let controls = value["controls"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(Shape { text, controls })
}

/// Opens each compared page and keeps its shape; a screenshot of each as `<who>-<page>`.
async fn shapes(b: &Browser, who: &str) -> Result<BTreeMap<&'static str, Shape>> {
    let mut seen = BTreeMap::new();
    for (name, path, loaded) in COMPARED {
        b.goto(path).await?;
        b.wait_for(loaded, TIMEOUT)
            .await
            .with_context(|| format!("{who}: the {name} page"))?;
        axe::settle(b).await?;
        b.screenshot(&format!("view-as-{who}-{name}")).await?;
        seen.insert(*name, shape(b).await?);
    }
    Ok(seen)
}

async fn become_user(b: &Browser, user: &str, path: &str) -> Result<()> {
    b.driver.delete_all_cookies().await?;
    sign_in_at(b, path, user).await
}

/// Starts viewing as `username` from the Users page's row.
async fn view_as(b: &Browser, username: &str) -> Result<()> {
    b.goto(USERS).await?;
    click(
        b,
        &format!("tr[data-username={username}] {}", testid("view-as")),
    )
    .await?;
    b.wait_for_testid("view-as-banner", TIMEOUT).await?;
    Ok(())
}

/// The banner's words as one line: WebDriver puts a line break between its flex items, which
/// sit on one row on screen.
async fn banner_text(b: &Browser) -> Result<String> {
    let text = b
        .wait_for_testid("view-as-banner", TIMEOUT)
        .await?
        .text()
        .await?;
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A request of `client` with the SPA's headers, running as `run_as`.
async fn as_run_as(
    b: &Browser,
    client: &reqwest::Client,
    method: reqwest::Method,
    path: &str,
    run_as: &str,
) -> Result<(u16, Value)> {
    let response = client
        .request(method, b.url(path))
        .header(KBN_XSRF, "true")
        .header(INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE)
        .header("elastic-api-version", "2023-10-31")
        .header(RUN_AS_HEADER, run_as)
        .send()
        .await?;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok((status, body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elastic_viewing_as_victor_sees_exactly_victors_pages() -> Result<()> {
    run(|b| async move {
        become_user(&b, "victor", DASHBOARDS).await?;
        let own = shapes(&b, "victor").await?;

        become_user(&b, "elastic", USERS).await?;
        view_as(&b, "victor").await?;
        let viewed = shapes(&b, "elastic-as-victor").await?;
        for (name, _, _) in COMPARED {
            let (mine, theirs) = (&own[name], &viewed[name]);
            ensure!(
                mine.text == theirs.text,
                "{name}: victor's own text\n{}\n--- differs from elastic's view as victor\n{}",
                mine.text,
                theirs.text
            );
            ensure!(
                mine.controls == theirs.controls,
                "{name}: victor's own controls {:#?}\ndiffer from the view's {:#?}",
                mine.controls,
                theirs.controls
            );
        }
        ensure!(
            banner_text(&b).await? == "Viewing as Victor Viewer — read-only · Stop",
            "the banner: {:?}",
            banner_text(&b).await?
        );

        // A reload keeps the view; the header names the viewed user.
        b.goto(DASHBOARDS).await?;
        b.wait_for_testid("dashboard-row", TIMEOUT).await?;
        b.driver.refresh().await?;
        b.wait_for_testid("dashboard-row", TIMEOUT).await?;
        banner_text(&b).await.context("the banner after a reload")?;
        ensure!(text_of(&b, "user-menu").await? == "Victor Viewer");

        // Stop: elastic's own view, on the same page.
        click_testid(&b, "view-as-stop").await?;
        wait_for_text(&b, &testid("user-menu"), "elastic", TIMEOUT).await?;
        ensure!(
            !b.is_shown(&testid("view-as-banner")).await?,
            "no banner after Stop"
        );
        ensure!(b.path().await? == DASHBOARDS, "Stop stays on the page");
        b.driver.refresh().await?;
        b.wait_for_testid("dashboard-row", TIMEOUT).await?;
        ensure!(
            !b.is_shown(&testid("view-as-banner")).await?,
            "a reload after Stop does not bring the view back"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_in_the_view_is_closed_and_refused_and_changes_nothing() -> Result<()> {
    run(|b| async move {
        // alice may create dashboards and delete her own: in the view both are closed.
        become_user(&b, "elastic", USERS).await?;
        view_as(&b, "alice").await?;
        b.goto(DASHBOARDS).await?;
        b.wait_for_testid("dashboard-row", TIMEOUT).await?;
        let create = b.wait_for_testid("dashboard-create", TIMEOUT).await?;
        ensure!(create.attr("aria-disabled").await?.as_deref() == Some("true"));
        // Keyboard: focus opens the reason.
        create.focus().await?;
        let tooltip = b.wait_for(".tooltip-open", TIMEOUT).await?;
        ensure!(
            tooltip.text().await? == "Viewing as Alice Analyst is read-only",
            "the closed Create's reason: {:?}",
            tooltip.text().await?
        );
        b.screenshot("view-as-alice-create-closed").await?;
        create.click().await?;
        ensure!(
            !b.is_shown("dialog[open]").await?,
            "a closed Create opens nothing"
        );

        // The server refuses the same write sent straight with the header, and nothing changes.
        let admin = api_session(&b, "elastic").await?;
        let (status, body) = as_run_as(
            &b,
            &admin,
            reqwest::Method::DELETE,
            "/api/dashboards/endpoint-health",
            "alice",
        )
        .await?;
        ensure!(
            status == 403,
            "a write while viewing as alice: {status} {body}"
        );
        let message = body["message"].as_str().unwrap_or_default();
        ensure!(
            message.contains("Viewing as [alice] is read-only"),
            "the refusal says why: {body}"
        );
        let still = admin
            .get(b.url("/api/dashboards/endpoint-health"))
            .header("elastic-api-version", "2023-10-31")
            .send()
            .await?;
        ensure!(
            still.status().is_success(),
            "endpoint-health is still there"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_has_no_view_as() -> Result<()> {
    run(|b| async move {
        become_user(&b, "bob", DASHBOARDS).await?;
        b.wait_for_testid("dashboard-row", TIMEOUT).await?;
        for path in [USERS, "/app/access?user=victor", "/app/access"] {
            b.goto(path).await?;
            axe::settle(&b).await?;
            b.wait_for("#main", TIMEOUT).await?;
            ensure!(
                !b.is_shown(&testid("view-as")).await?,
                "bob is offered View as on {path}"
            );
        }
        let bob = api_session(&b, "bob").await?;
        let (status, body) = as_run_as(
            &b,
            &bob,
            reqwest::Method::GET,
            "/internal/security/me",
            "victor",
        )
        .await?;
        ensure!(status == 403, "bob running as victor: {status} {body}");
        ensure!(
            body.to_string()
                .contains("because user [bob] is unauthorized to run as [victor]"),
            "Elasticsearch's refusal: {body}"
        );
        Ok(())
    })
    .await
}

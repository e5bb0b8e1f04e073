//! The seeded dashboards' panels against the real server (docs/panels.md): elastic's leads count
//! is the panel route's own answer, alice (no leads read) sees the leads panels closed with the
//! reason and no number, bob's dashboards draw what he may read. Screenshots of each.

use std::time::{Duration, Instant};

mod common;

use anyhow::{bail, ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const SOC: &str = "/app/dashboards/view/soc-overview";

/// Signs `user` in (out first if someone is) at `path` and waits until every panel there has
/// its answer: no skeleton left.
async fn open_as(b: &Browser, user: &str, path: &str) -> Result<()> {
    if sign_out_if_signed_in(b).await? {
        b.wait_for_path("/login", TIMEOUT).await?;
    }
    sign_in_at(b, path, user).await?;
    b.wait_for_path(path, TIMEOUT).await?;
    open(b, path).await
}

/// Opens `path` as whoever is signed in and waits for its panels' answers.
async fn open(b: &Browser, path: &str) -> Result<()> {
    b.goto(path).await?;
    b.wait_for_testid("dashboard-panels", TIMEOUT).await?;
    b.wait_for_testid("dashboard-panel", TIMEOUT).await?;
    let started = Instant::now();
    while count(b, &testid("panel-loading")).await? > 0 {
        if started.elapsed() > TIMEOUT {
            bail!("panels still loading at {path}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(
        count(b, &testid("panel-error")).await? == 0,
        "no panel failed at {path}"
    );
    Ok(())
}

/// The panel whose heading is `title`.
async fn panel(b: &Browser, title: &str) -> Result<WebElement> {
    b.driver
        .find(By::XPath(format!(
            "//li[@data-testid='dashboard-panel'][h2[normalize-space()='{title}']]"
        )))
        .await
        .with_context(|| format!("the panel {title:?}"))
}

/// The text of the element `id` inside `card`.
async fn text_in(card: &WebElement, id: &str) -> Result<String> {
    Ok(card.find(By::Css(testid(id))).await?.text().await?)
}

/// The panel route's answer for `query`, asked by `user` over HTTP.
async fn api_total(b: &Browser, user: &str, query: serde_json::Value) -> Result<u64> {
    let client = api_session(b, user).await?;
    let response = client
        .post(b.url("/internal/gatehouse/panels/_query"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(&query)
        .send()
        .await?;
    ensure_ok(&response, "the panel query")?;
    let answer: serde_json::Value = response.json().await?;
    answer["total"].as_u64().context("a total")
}

const LEADS_PANELS: [&str; 4] = [
    "Active leads",
    "Leads by priority",
    "Top entities",
    "Leads per day",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_dashboards_show_the_data_each_viewer_may_read() -> Result<()> {
    run(|b| async move {
        // The default space starts with no leads (docs/panels.md): generate them first.
        generate_leads(&b).await?;
        // elastic reads every lead: the metric is the route's own count.
        open_as(&b, "elastic", SOC).await?;
        let expected = api_total(
            &b,
            "elastic",
            serde_json::json!({"source":"leads","metric":"count","filter":{"status":"active"}}),
        )
        .await?;
        ensure!(expected > 0, "the seed holds active leads");
        let active = panel(&b, "Active leads").await?;
        let shown = text_in(&active, "panel-metric").await?;
        ensure!(
            shown == expected.to_string(),
            "Active leads shows {shown:?}, the API answers {expected}"
        );
        for title in LEADS_PANELS {
            let card = panel(&b, title).await?;
            ensure!(
                card.find_all(By::Css(testid("panel-closed")))
                    .await?
                    .is_empty(),
                "{title} is open to elastic"
            );
        }
        b.screenshot("panels-elastic-soc-overview").await?;
        active
            .find(By::Css(testid("panel-show-query")))
            .await?
            .click()
            .await?;
        let words = text_in(&active, "panel-query").await?;
        ensure!(
            words.contains("Count of leads where Status is active"),
            "the query in words: {words:?}"
        );
        let link = active.find(By::Css(testid("panel-leads-link"))).await?;
        b.screenshot("panels-elastic-query-shown").await?;
        link.click().await?;
        b.wait_for_path("/app/security/entity_analytics", TIMEOUT)
            .await?;
        let filter = b.wait_for_testid("leads-status-filter", TIMEOUT).await?;
        ensure!(
            filter.prop("value").await?.as_deref() == Some("active"),
            "the leads list opens filtered by the panel's status"
        );
        for path in [
            "/app/dashboards/view/executive-risk-summary",
            "/app/dashboards/view/network-traffic-legacy",
        ] {
            open(&b, path).await?;
            b.screenshot(&format!("panels-elastic-{}", &path[21..]))
                .await?;
        }
        // The editor: each panel's data chosen from the catalogue, with a preview of its answer.
        open(&b, "/app/dashboards/view/executive-risk-summary").await?;
        click_testid(&b, "dashboard-edit").await?;
        b.wait_for_testid("dashboard-editor", TIMEOUT).await?;
        b.wait_for(
            &format!("{} {}", testid("panel-preview"), testid("panel-metric")),
            TIMEOUT,
        )
        .await
        .context("the editor previews a panel's answer")?;
        b.screenshot("panels-elastic-editor").await?;
        click_testid(&b, "dashboard-cancel").await?;
        open(&b, "/app/dashboards/view/network-traffic-legacy").await?;
        let kibana_only = panel(&b, "Bytes out by host").await?.text().await?;
        ensure!(
            kibana_only.contains("Drawn by Kibana") && kibana_only.contains("lens"),
            "the lens panel is not drawn: {kibana_only:?}"
        );

        // alice may not read the leads: those panels are closed, with the reason and no number.
        open_as(&b, "alice", SOC).await?;
        for title in LEADS_PANELS {
            let card = panel(&b, title).await?;
            let text = card
                .find(By::Css(testid("panel-closed")))
                .await
                .with_context(|| format!("{title} is closed to alice"))?
                .text()
                .await?;
            ensure!(
                text.contains("Closed to you") && text.contains("Needed: "),
                "{title} says why: {text:?}"
            );
            // Only the panel's own title and description (the dashboard author's words) remain.
            ensure!(
                !text.chars().any(|c| c.is_ascii_digit()),
                "{title} shows alice no number: {text:?}"
            );
            for chart in ["panel-metric", "panel-bars", "panel-line", "panel-table"] {
                ensure!(
                    card.find_all(By::Css(testid(chart))).await?.is_empty(),
                    "{title} draws no {chart} for alice"
                );
            }
        }
        let theirs = panel(&b, "Dashboards in this space").await?;
        ensure!(
            !theirs
                .find_all(By::Css(testid("panel-metric")))
                .await?
                .is_empty(),
            "the dashboards panel still answers alice"
        );
        b.screenshot("panels-alice-soc-overview").await?;
        panel(&b, "Active leads")
            .await?
            .find(By::Css(testid("panel-why")))
            .await?
            .click()
            .await?;
        b.wait_for(&format!("dialog[open]{}", testid("why-dialog")), TIMEOUT)
            .await?;
        b.wait_for_testid("why-needed", TIMEOUT).await?;
        b.screenshot("panels-alice-why").await?;
        b.close_dialog_with_escape("Why? dialog").await?;

        // bob's own dashboard: what he may read, drawn.
        open_as(&b, "bob", "/app/dashboards/view/phishing-triage").await?;
        b.screenshot("panels-bob-phishing-triage").await?;
        open(&b, "/app/dashboards/view/endpoint-health").await?;
        b.screenshot("panels-bob-endpoint-health").await?;
        b.assert_no_crash().await?;
        Ok(())
    })
    .await
    .context("seeded dashboards for elastic, alice and bob")
}

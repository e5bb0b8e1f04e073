//! No lost clicks (ARCHITECTURE.md, "The leads page has a first paint"): the leads page is on
//! screen, drawn by the server, before the app's wasm has arrived. What a user clicks on that
//! picture is done once the app is in, never dropped.

use std::time::{Duration, Instant};

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run_with, testid, Browser, FaultKind, Options, TIMEOUT};

const LEADS_PAGE: &str = "/app/security/entity_analytics";
const FAULTS: Options = Options {
    faults: true,
    tls: false,
};
/// How long each of the app's files is held back: long enough to click on the picture, on a
/// loaded machine too.
const HELD_BACK_SECONDS: u64 = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clicks_on_the_first_paint_are_done_once_the_app_is_in() -> Result<()> {
    run_with(FAULTS, |b| async move {
        first_paint_with_the_app_held_back(&b, "leads_full_user").await?;
        b.wait_for("#first-paint .lead-card", TIMEOUT).await?;
        let cards = b.driver.find_all(By::Css("#first-paint .lead-card")).await?;
        ensure!(cards.len() >= 2, "two leads on the picture, {} found", cards.len());
        let opened_id = cards[0].attr("data-lead-id").await?.context("first card's id")?;
        let opened_title = cards[0].find(By::Css(".lead-title button")).await?.text().await?;
        let dismissed_id = cards[1].attr("data-lead-id").await?.context("second card's id")?;

        // On the picture: Dismiss on the second card, then the first card's title.
        cards[1].find(By::Css(".lead-card-footer button")).await?.click().await?;
        cards[0].find(By::Css(".lead-title button")).await?.click().await?;
        ensure!(
            count(&b, "#first-paint").await? == 1 && count(&b, &testid("lead-card")).await? == 0,
            "the clicks were made on the picture, before the app was in"
        );
        // The title opened the lead's detail at once, drawn by the server.
        let client = api_session(&b, "leads_full_user").await?;
        let description = lead_description(&b, &client, &opened_id).await?;
        let drawn_detail = b.wait_for("#first-paint dialog[open]", TIMEOUT).await?;
        ensure!(
            count(&b, "#first-paint[aria-busy]").await? == 0,
            "the open detail is not hidden from assistive technology as busy"
        );
        let shown = drawn_detail.text().await?;
        ensure!(
            shown.contains(&opened_title) && shown.contains(&description),
            "the picture's detail shows the clicked lead ({opened_title}): {shown}"
        );
        b.screenshot("first-paint-clicked").await?;

        // Once the app is in: the detail of the first lead is open and the second is dismissed.
        let detail = b
            .wait_for(
                &format!("dialog{}[open]", testid("lead-detail")),
                Duration::from_secs(4 * HELD_BACK_SECONDS) + TIMEOUT,
            )
            .await?;
        // The app's detail of the same lead took the picture's place, with its text at once.
        let shown = detail.text().await?;
        ensure!(
            shown.contains(&opened_title) && shown.contains(&description),
            "the app's detail of the clicked lead ({opened_title}) is open: {shown}"
        );
        ensure!(count(&b, "#first-paint").await? == 0, "the picture is gone");
        b.clear_faults().await?;
        b.screenshot("first-paint-click-replayed").await?;
        let started = Instant::now();
        loop {
            let dismissed = leads_api_get(
                &b,
                &client,
                "/internal/entity_analytics/leads?page=1&perPage=100&status=dismissed",
            )
            .await?;
            let ids: Vec<&str> = dismissed["leads"]
                .as_array()
                .map(|leads| leads.iter().filter_map(|l| l["id"].as_str()).collect())
                .unwrap_or_default();
            if ids.contains(&dismissed_id.as_str()) {
                ensure!(
                    !ids.contains(&opened_id.as_str()),
                    "only the lead whose Dismiss was clicked is dismissed"
                );
                break;
            }
            ensure!(
                started.elapsed() < TIMEOUT,
                "the Dismiss clicked on the picture dismisses its lead once the app is in: {dismissed}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        b.assert_no_crash().await?;
        println!("no lost clicks: a Dismiss and a title clicked on the first paint, both done");
        Ok(())
    })
    .await
}

/// A detail opened on the picture and closed again before the app is in stays closed; a reader
/// (read only) opens it as a writer does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detail_closed_on_the_first_paint_stays_closed() -> Result<()> {
    run_with(FAULTS, |b| async move {
        first_paint_with_the_app_held_back(&b, "leads_read_user").await?;
        let title = b
            .wait_for("#first-paint .lead-title button", TIMEOUT)
            .await?;
        title.click().await?;
        let drawn_detail = b.wait_for("#first-paint dialog[open]", TIMEOUT).await?;
        b.screenshot("first-paint-detail-read-only").await?;
        drawn_detail
            .find(By::Css("button[aria-label=Close]"))
            .await?
            .click()
            .await?;
        ensure!(
            count(&b, "#first-paint dialog[open]").await? == 0
                && count(&b, "#first-paint[aria-busy=true]").await? == 1,
            "closed on the picture, before the app was in, which is busy again"
        );
        b.wait_for_testid(
            "lead-card",
            Duration::from_secs(4 * HELD_BACK_SECONDS) + TIMEOUT,
        )
        .await?;
        b.clear_faults().await?;
        // Long enough for a replayed click to have opened the app's detail.
        tokio::time::sleep(Duration::from_millis(500)).await;
        ensure!(
            count(&b, "dialog[open]").await? == 0,
            "no detail opens once the app is in"
        );
        b.assert_no_crash().await?;
        Ok(())
    })
    .await
}

/// The leads page again, signed in as `user`, with the app's files held back: the first paint
/// alone.
async fn first_paint_with_the_app_held_back(b: &Browser, user: &str) -> Result<()> {
    generate_leads(b).await?;
    sign_in_at(b, LEADS_PAGE, user).await?;
    b.wait_for_testid("lead-card", TIMEOUT).await?;
    fault_page_modules_uncached(b, FaultKind::Stall, Some(HELD_BACK_SECONDS)).await?;
    b.goto(LEADS_PAGE).await
}

async fn lead_description(b: &Browser, client: &reqwest::Client, id: &str) -> Result<String> {
    let page = leads_api_get(
        b,
        client,
        "/internal/entity_analytics/leads?page=1&perPage=100&status=active",
    )
    .await?;
    page["leads"]
        .as_array()
        .and_then(|leads| leads.iter().find(|lead| lead["id"] == id))
        .and_then(|lead| lead["description"].as_str())
        .map(str::to_string)
        .context("the lead's description")
}

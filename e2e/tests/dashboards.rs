//! Write-restricted dashboards end to end: alice restricts hers, bob can only view it and the
//! server refuses his direct update, the admin opens it again, alice hands it to bob.

use std::time::{Duration, Instant};

mod common;

use anyhow::{bail, ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const DASHBOARD: &str = "/app/dashboards/view/endpoint-health";

async fn as_user(b: &Browser, user: &str) -> Result<()> {
    if sign_out_if_signed_in(b).await? {
        b.wait_for_path("/login", TIMEOUT).await?;
    }
    sign_in_at(b, DASHBOARD, user).await?;
    b.wait_for_path(DASHBOARD, TIMEOUT).await?;
    b.wait_for_testid("dashboard-panels", TIMEOUT).await?;
    Ok(())
}

async fn open_share(b: &Browser) -> Result<WebElement> {
    click_testid(b, "dashboard-share").await?;
    b.wait_for(&format!("dialog[open]{}", testid("share-dialog")), TIMEOUT)
        .await
}

async fn choose_mode(b: &Browser, value: &str) -> Result<()> {
    let select = b.wait_for_testid("share-mode-select", TIMEOUT).await?;
    let option = select
        .find(By::Css(format!("option[value=\"{value}\"]")))
        .await?;
    option.click().await?;
    let result = b.wait_for_testid("share-result", TIMEOUT).await?;
    let text = result.text().await?;
    ensure!(text == "Permissions updated.", "share result: {text:?}");
    Ok(())
}

async fn close_share(b: &Browser) -> Result<()> {
    b.close_dialog_with_escape("Share dialog").await?;
    let focused = b.driver.active_element().await?;
    ensure!(
        focused.attr("data-testid").await?.as_deref() == Some("dashboard-share"),
        "focus returns to the Share button"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restrict_view_refuse_reopen_and_transfer() -> Result<()> {
    run(|b| async move {
        // Alice restricts her dashboard.
        as_user(&b, "alice").await?;
        open_share(&b).await?;
        choose_mode(&b, "write_restricted").await?;
        b.screenshot("share-alice-restricted").await?;
        close_share(&b).await?;

        // Bob sees "can view", cannot edit, and the server refuses his direct update.
        as_user(&b, "bob").await?;
        let edit = b.wait_for_testid("dashboard-edit", TIMEOUT).await?;
        ensure!(
            edit.attr("aria-disabled").await?.as_deref() == Some("true"),
            "Edit closed for bob"
        );
        open_share(&b).await?;
        let mode = b.wait_for_testid("share-mode-text", TIMEOUT).await?;
        ensure!(
            mode.text().await? == "can view",
            "bob reads the mode as text"
        );
        ensure!(
            !b.is_shown(&testid("share-mode-select")).await?,
            "no select for bob"
        );
        b.screenshot("share-bob-can-view").await?;
        close_share(&b).await?;
        let bob = api_session(&b, "bob").await?;
        let update = bob
            .put(b.url("/api/dashboards/endpoint-health"))
            .header("kbn-xsrf", "true")
            .header("elastic-api-version", "2023-10-31")
            .json(&serde_json::json!({ "data": { "title": "Taken over by bob" } }))
            .send()
            .await?;
        ensure!(
            update.status() == 403,
            "bob's direct update: {}",
            update.status()
        );
        let body = update.text().await?;
        ensure!(
            body.contains("Unable to update dashboard"),
            "Kibana's message: {body}"
        );

        // The admin opens it again.
        as_user(&b, "elastic").await?;
        open_share(&b).await?;
        choose_mode(&b, "default").await?;
        close_share(&b).await?;

        // Alice hands it to bob, after a confirmation.
        as_user(&b, "alice").await?;
        open_share(&b).await?;
        let search = b.wait_for_testid("share-owner-search", TIMEOUT).await?;
        search.send_keys("Bob").await?;
        click_testid(&b, "share-owner-option").await?;
        let confirm = b.wait_for_testid("share-transfer-confirm", TIMEOUT).await?;
        ensure!(
            confirm.text().await?.contains("lose the ability"),
            "the confirmation warns alice"
        );
        click_testid(&b, "share-transfer-confirm-button").await?;
        let started = Instant::now();
        loop {
            let owner = b
                .wait_for_testid("share-owner", TIMEOUT)
                .await?
                .text()
                .await
                .unwrap_or_default();
            if owner.contains("Bob Responder") {
                break;
            }
            if started.elapsed() > TIMEOUT {
                bail!("the owner never became Bob: {owner:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ensure!(
            !b.is_shown(&testid("share-owner-search")).await?,
            "alice no longer manages ownership of bob's dashboard"
        );
        Ok(())
    })
    .await
    .context("alice → bob → admin → transfer")
}

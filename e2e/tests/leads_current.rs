//! The leads page as Kibana 9.5 has it, in a real browser against the real server, for the test
//! plan's three users: the connector gate, the one page-level privileges callout, and "What
//! changed" since the last visit. Screenshots of each go to `$GATEHOUSE_SCREENSHOTS`.

use std::time::Duration;

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const LEADS_PAGE: &str = "/app/security/entity_analytics";
const GENERATION: Duration = Duration::from_secs(30);

async fn open_leads(b: &Browser, user: &str) -> Result<()> {
    sign_in_at(b, LEADS_PAGE, user).await?;
    b.wait_for_path(LEADS_PAGE, TIMEOUT).await?;
    Ok(())
}

/// Puts the pointer on `element` and waits for the tooltip it is described by; its text.
async fn hover_tooltip(b: &Browser, element: &WebElement) -> Result<String> {
    let id = element
        .attr("aria-describedby")
        .await?
        .context("tied to a tooltip")?;
    b.driver
        .action_chain()
        .move_to_element_center(element)
        .perform()
        .await?;
    let tooltip = b.wait_for(&format!("#{id}"), TIMEOUT).await?;
    Ok(tooltip.text().await?)
}

/// The full user: Generate closed until a connector is chosen, then a run; "What changed" lists
/// that run on this visit, nothing on the next, and a later visit lists what happened in between
/// (a second run and a dismissal), with the count on the nav entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_user_chooses_a_connector_generates_and_sees_what_changed() -> Result<()> {
    run(|b| async move {
        open_leads(&b, "leads_full_user").await?;
        let generate = b.wait_for_testid("leads-generate", TIMEOUT).await?;
        let reason = hover_tooltip(&b, &generate).await?;
        ensure!(
            reason == "Choose a connector first",
            "Generate's reason: {reason:?}"
        );
        ensure!(
            count(&b, &testid("leads-privileges-callout")).await? == 0,
            "a full user lacks nothing"
        );
        let empty = text_of(&b, "leads-empty").await?;
        ensure!(
            empty.contains("Choose a connector, then generate leads"),
            "the empty state points at the picker first: {empty:?}"
        );
        b.screenshot("leads-current-full-connector-gate").await?;

        choose_connector(&b).await?;
        ensure!(
            generate.attr("aria-disabled").await?.is_none(),
            "Generate opens once a connector is chosen"
        );
        generate.click().await?;
        b.wait_for_testid("lead-card", GENERATION)
            .await
            .context("leads after the run")?;
        let summary = wait_for_text(&b, &testid("leads-what-changed-summary"), "new", GENERATION)
            .await
            .context("the run's leads are listed as new")?;
        let badge = text_of(&b, "nav-leads-badge").await?;
        ensure!(
            badge.starts_with(|c: char| c.is_ascii_digit()),
            "nav badge: {badge:?}"
        );
        b.screenshot("leads-current-full-after-first-run").await?;
        println!("what changed after the first run: {summary}; nav badge {badge}");

        // The next visit has seen all that.
        b.driver.refresh().await?;
        b.wait_for_testid("lead-card", TIMEOUT).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        ensure!(
            count(&b, &testid("leads-what-changed-summary")).await? == 0,
            "nothing listed twice"
        );

        // Meanwhile: a second run, and one lead dismissed through the API.
        generate_leads(&b).await?;
        let client = api_session(&b, "leads_full_user").await?;
        let page = leads_api_get(
            &b,
            &client,
            "/internal/entity_analytics/leads?status=active&perPage=1",
        )
        .await?;
        let id = page["leads"][0]["id"]
            .as_str()
            .context("an active lead")?
            .to_string();
        let dismissed = client
            .post(b.url(&format!("/internal/entity_analytics/leads/{id}/_dismiss")))
            .header("kbn-xsrf", "true")
            .header("x-elastic-internal-origin", "Kibana")
            .header("elastic-api-version", "1")
            .send()
            .await?;
        ensure_ok(&dismissed, "a lead is dismissed")?;

        b.driver.refresh().await?;
        let summary = wait_for_text(
            &b,
            &testid("leads-what-changed-summary"),
            "resolved",
            TIMEOUT,
        )
        .await
        .context("the dismissal is listed as resolved")?;
        let badge = text_of(&b, "nav-leads-badge").await?;
        b.screenshot("leads-current-full-what-changed").await?;
        println!("what changed on the later visit: {summary}; nav badge {badge}");

        click_testid(&b, "leads-what-changed-open").await?;
        let list = wait_for_text(
            &b,
            &testid("leads-what-changed-dialog"),
            "Resolved",
            TIMEOUT,
        )
        .await?;
        ensure!(
            list.contains("dismissed"),
            "the list says how it was resolved: {list:?}"
        );
        b.screenshot("leads-current-full-what-changed-list").await?;
        b.driver
            .action_chain()
            .send_keys(Key::Escape)
            .perform()
            .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        ensure!(
            count(&b, &testid("nav-leads-badge")).await? == 0,
            "opened: the nav badge goes"
        );
        Ok(())
    })
    .await
}

/// The read-only user: the leads, the picker and Generate closed with their reasons, and one
/// callout naming the missing write privilege with its "Why?".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_user_sees_the_connector_closed_and_one_callout() -> Result<()> {
    run(|b| async move {
        generate_leads(&b).await?;
        open_leads(&b, "leads_read_user").await?;
        b.wait_for_testid("lead-card", TIMEOUT).await?;
        let callout = text_of(&b, "leads-privileges-callout").await?;
        ensure!(
            callout.contains("You cannot generate or dismiss leads, or choose the connector.")
                && callout.contains("write privilege on .entity_analytics.entity-leads-*"),
            "the callout names write: {callout:?}"
        );
        ensure!(
            count(&b, &testid("leads-privileges-callout")).await? == 1
                && count(&b, &format!("{} li", testid("leads-privileges-callout"))).await? == 1,
            "one callout, one line"
        );
        let picker = b.wait_for_testid("leads-connector", TIMEOUT).await?;
        ensure!(
            picker.attr("aria-disabled").await?.as_deref() == Some("true"),
            "the picker is closed"
        );
        let reason = hover_tooltip(&b, &picker).await?;
        ensure!(
            reason.contains("to choose the connector"),
            "the picker's reason: {reason:?}"
        );
        b.screenshot("leads-current-read-connector-gate").await?;

        click_testid(&b, "leads-why-write").await?;
        b.wait_for_testid("why-roles", TIMEOUT).await?;
        b.screenshot("leads-current-read-why").await?;
        Ok(())
    })
    .await
}

/// The user without access: no section, and the callout says the leads are hidden for
/// privileges (read and write, one line each), not that there are none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_access_user_sees_one_callout_listing_what_is_missing() -> Result<()> {
    run(|b| async move {
        open_leads(&b, "leads_no_access_user").await?;
        let callout = text_of(&b, "leads-privileges-callout").await?;
        ensure!(
            callout.contains("Hunting leads are hidden.")
                && callout.contains("read privilege on .entity_analytics.entity-leads-*")
                && callout.contains("write privilege"),
            "read and write named: {callout:?}"
        );
        ensure!(
            count(&b, &format!("{} li", testid("leads-privileges-callout"))).await? == 2,
            "one line each"
        );
        ensure!(
            count(&b, &testid("leads-section")).await? == 0
                && count(&b, &testid("leads-empty")).await? == 0,
            "no section and no 'no leads' state"
        );
        b.screenshot("leads-current-no-access-callout").await?;
        Ok(())
    })
    .await
}

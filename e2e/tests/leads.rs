//! The lead-generation test plan in a real browser against the real server: full, read-only and
//! no-access users, and a user whose role is taken away while the page is open.

use std::time::{Duration, Instant};

mod common;

use anyhow::{bail, ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const LEADS_PAGE: &str = "/app/security/entity_analytics";
/// Generation answers at once; the page learns the result on its next 2-second status poll.
const GENERATION: Duration = Duration::from_secs(30);

async fn open_leads(b: &Browser, user: &str) -> Result<()> {
    sign_in_at(b, LEADS_PAGE, user).await?;
    b.wait_for_path(LEADS_PAGE, TIMEOUT).await?;
    Ok(())
}

/// `button` is closed (`aria-disabled`) and described by a tooltip that is hidden until the
/// pointer is on the button and then says `reason`; returns the tooltip's id.
async fn closed_with_a_reason_on_hover(
    b: &Browser,
    button: &WebElement,
    reason: &str,
) -> Result<String> {
    ensure!(
        button.attr("aria-disabled").await?.as_deref() == Some("true"),
        "closed"
    );
    let tooltip_id = button
        .attr("aria-describedby")
        .await?
        .context("tied to a tooltip")?;
    let tooltip = b.driver.find(By::Id(tooltip_id.as_str())).await?;
    ensure!(
        !tooltip.is_displayed().await?,
        "tooltip hidden until asked for"
    );
    b.driver
        .action_chain()
        .move_to_element_center(button)
        .perform()
        .await?;
    b.wait_for(&format!("#{tooltip_id}"), TIMEOUT)
        .await
        .context("tooltip on hover")?;
    let text = tooltip.text().await?;
    ensure!(
        text.contains(reason),
        "tooltip names the privilege and pattern: {text:?}"
    );
    Ok(tooltip_id)
}

/// Enter on the focused button, then no toast says `needle`: a closed button does nothing.
async fn enter_does_nothing(b: &Browser, needle: &str, what: &str) -> Result<()> {
    b.driver
        .action_chain()
        .send_keys(Key::Enter)
        .perform()
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for toast in b.driver.find_all(By::Css(testid("toast"))).await? {
        let text = toast.text().await?;
        ensure!(!text.contains(needle), "{what}: {text}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_user_generates_leads_and_sees_them() -> Result<()> {
    run(|b| async move {
        open_leads(&b, "leads_full_user").await?;
        b.wait_for_testid("leads-section", TIMEOUT).await?;
        let empty = b.wait_for_testid("leads-empty", TIMEOUT).await?;
        ensure!(
            empty.text().await?.contains("No hunting leads yet"),
            "a fresh server has no leads"
        );
        // Generate is closed until the space has a connector.
        let generate = b.wait_for_testid("leads-generate", TIMEOUT).await?;
        closed_with_a_reason_on_hover(&b, &generate, "Choose a connector first")
            .await
            .context("Generate before a connector is chosen")?;
        choose_connector(&b).await?;
        ensure!(
            generate.attr("aria-disabled").await?.is_none(),
            "Generate is open to a full user once a connector is chosen"
        );
        generate.click().await?;
        wait_for_text(
            &b,
            &testid("toast"),
            "Lead generation started successfully",
            TIMEOUT,
        )
        .await?;
        b.wait_for_testid("lead-card", GENERATION)
            .await
            .context("leads appear after generation")?;
        wait_for_text(&b, &testid("toast"), "Lead generation finished", TIMEOUT).await?;
        ensure!(
            count(&b, &testid("lead-card")).await? >= 5,
            "a page of generated leads"
        );
        let label = text_of(&b, "leads-generate").await?;
        ensure!(
            label == "Regenerate",
            "with leads the button reads Regenerate, got {label:?}"
        );
        b.screenshot("leads-full-user").await?;

        // Open one lead: the detail names what was observed.
        click_testid(&b, "lead-open").await?;
        let detail = b
            .wait_for(&format!("{} .lead-detail", testid("lead-detail")), TIMEOUT)
            .await?;
        ensure!(
            detail.text().await?.contains("Observations"),
            "detail lists observations"
        );
        b.driver
            .action_chain()
            .send_keys(Key::Escape)
            .perform()
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_user_sees_generate_closed_with_a_reason_on_hover_and_focus() -> Result<()> {
    run(|b| async move {
        open_leads(&b, "leads_read_user").await?;
        b.wait_for_testid("leads-section", TIMEOUT).await?;
        b.wait_for_testid("leads-missing-write", TIMEOUT).await?;
        let generate = b.wait_for_testid("leads-generate", TIMEOUT).await?;
        let tooltip_id = closed_with_a_reason_on_hover(
            &b,
            &generate,
            "You need the write privilege on .entity_analytics.entity-leads-*",
        )
        .await
        .context("Generate")?;
        b.screenshot("leads-read-user-tooltip").await?;

        // Keyboard: move the pointer away, then reach the button with Tab.
        b.driver.action_chain().move_to(0, 0).perform().await?;
        b.driver
            .execute(
                "document.activeElement && document.activeElement.blur()",
                vec![],
            )
            .await?;
        let started = Instant::now();
        loop {
            b.driver
                .action_chain()
                .send_keys(Key::Tab)
                .perform()
                .await?;
            let focused = b.driver.active_element().await?;
            if focused.attr("data-testid").await?.as_deref() == Some("leads-generate") {
                break;
            }
            if started.elapsed() > TIMEOUT {
                bail!("Tab never reached the Generate button: it must stay focusable");
            }
        }
        b.wait_for(&format!("#{tooltip_id}"), TIMEOUT)
            .await
            .context("tooltip on keyboard focus")?;

        // Activating it does nothing: no generation starts.
        enter_does_nothing(&b, "started", "a closed Generate started a run").await?;
        Ok(())
    })
    .await
}

/// A lead card's Dismiss is closed for a read-only user as Generate is: its reason shows on hover
/// and on keyboard focus, Escape hides it, and activating it dismisses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_user_sees_dismiss_closed_with_a_reason_on_hover_and_focus() -> Result<()> {
    run(|b| async move {
        generate_leads(&b).await?;
        open_leads(&b, "leads_read_user").await?;
        let dismiss = b.wait_for_testid("lead-dismiss", TIMEOUT).await?;
        let cards = b.driver.find_all(By::Css(testid("lead-card"))).await?.len();
        let tooltip_id = closed_with_a_reason_on_hover(
            &b,
            &dismiss,
            "You need the write privilege on .entity_analytics.entity-leads-* to dismiss leads",
        )
        .await
        .context("Dismiss")?;
        let tooltip = b.driver.find(By::Id(tooltip_id.as_str())).await?;
        b.screenshot("leads-read-user-dismiss-tooltip").await?;
        b.driver.action_chain().move_to(0, 0).perform().await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        ensure!(
            !tooltip.is_displayed().await?,
            "hidden once the pointer leaves"
        );

        // Keyboard: focus shows it, Escape hides it, Enter does nothing.
        b.driver
            .execute("arguments[0].focus()", vec![dismiss.to_json()?])
            .await?;
        b.wait_for(&format!("#{tooltip_id}"), TIMEOUT)
            .await
            .context("tooltip on keyboard focus")?;
        b.driver
            .action_chain()
            .send_keys(Key::Escape)
            .perform()
            .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        ensure!(!tooltip.is_displayed().await?, "Escape hides it");
        enter_does_nothing(&b, "dismissed", "a closed Dismiss dismissed a lead").await?;
        let now = b.driver.find_all(By::Css(testid("lead-card"))).await?.len();
        ensure!(now == cards, "the cards stay: {cards} before, {now} after");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_access_user_has_no_leads_section_and_is_told_why() -> Result<()> {
    run(|b| async move {
        open_leads(&b, "leads_no_access_user").await?;
        let note = b.wait_for_testid("leads-missing-read", TIMEOUT).await?;
        ensure!(
            note.text()
                .await?
                .contains(".entity_analytics.entity-leads-*"),
            "the note names the pattern"
        );
        ensure!(
            count(&b, &testid("leads-section")).await? == 0,
            "the section is not in the DOM"
        );
        b.screenshot("leads-no-access-user").await?;
        Ok(())
    })
    .await
}

/// An administrator takes `leads_full_access` away while the user's page is open: the next call
/// is denied, the user gets a toast, and the section stops offering what the server refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_removed_mid_session_is_noticed_on_the_next_call() -> Result<()> {
    run(|b| async move {
        open_leads(&b, "leads_full_user").await?;
        choose_connector(&b).await?;
        let generate = b.wait_for_testid("leads-generate", TIMEOUT).await?;
        ensure!(generate.attr("aria-disabled").await?.is_none(), "starts with full access");

        let admin = api_session(&b, "elastic").await?;
        api_write(
            admin.post(b.url("/internal/security/users/leads_full_user")),
            &serde_json::json!({ "username": "leads_full_user", "roles": ["kibana_admin"], "enabled": true }),
            "admin changes the roles",
        )
        .await?;

        generate.click().await?;
        wait_for_text(&b, &testid("toast"), "(403)", GENERATION).await.context("the denial is toasted")?;
        let started = Instant::now();
        while count(&b, &testid("leads-section")).await? > 0 {
            if started.elapsed() > TIMEOUT {
                bail!("the section still offers leads after read was taken away");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        b.wait_for_testid("leads-missing-read", TIMEOUT).await?;
        b.screenshot("leads-role-removed").await?;
        Ok(())
    })
    .await
}

/// The same change with no click at all: the open page re-checks on its own (every 5 s while
/// visible) and hides the section without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_page_follows_a_role_change_without_a_reload() -> Result<()> {
    run(|b| async move {
        open_leads(&b, "leads_read_user").await?;
        b.wait_for_testid("leads-section", TIMEOUT).await?;
        b.driver.execute("window.__sameDocument = true", vec![]).await?;

        let admin = api_session(&b, "elastic").await?;
        api_write(
            admin.post(b.url("/internal/security/users/leads_read_user")),
            &serde_json::json!({ "username": "leads_read_user", "roles": ["kibana_admin"], "enabled": true }),
            "admin changes the roles",
        )
        .await?;

        wait_for_text(&b, &testid("toast"), "Your privileges changed", TIMEOUT).await?;
        b.wait_for_testid("leads-missing-read", TIMEOUT).await?;
        ensure!(count(&b, &testid("leads-section")).await? == 0, "the section is gone");
        let same = b.driver.execute("return window.__sameDocument === true", vec![]).await?;
        ensure!(same.json().as_bool() == Some(true), "the page was not reloaded");
        Ok(())
    })
    .await
}

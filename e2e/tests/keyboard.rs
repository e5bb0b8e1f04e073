//! The main flows with the keyboard alone, in a real browser against the real server: sign in,
//! move between pages, generate and open a lead and come back, dismiss one, share a dashboard
//! as view-only, create a role, switch space. Every key goes to whatever has focus (Tab,
//! Shift+Tab, Enter, Space, arrows, Escape; text typed into the focused field): nothing is
//! clicked. Each step checks where focus is, the element a user would expect, and what changed,
//! including what the one polite live region (`#toasts`) says (ARCHITECTURE.md, "Keyboard and
//! screen readers").

use std::time::{Duration, Instant};

mod common;

use anyhow::{bail, ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, PASSWORD, TIMEOUT};
use serde_json::json;

const LEADS_PAGE: &str = "/app/security/entity_analytics";
const ROLES_PAGE: &str = "/app/management/security/roles";
/// Generation answers at once; the page learns the result on its next 2-second status poll.
const GENERATION: Duration = Duration::from_secs(60);
/// More Tab presses than any page here has stops before the one looked for.
const MOST_TABS: usize = 80;

/// Presses `key` where the focus is.
async fn press(b: &Browser, key: Key) -> Result<()> {
    b.driver.action_chain().send_keys(key).perform().await?;
    Ok(())
}

/// Shift+Tab where the focus is.
async fn shift_tab(b: &Browser) -> Result<()> {
    b.driver
        .action_chain()
        .key_down(Key::Shift)
        .send_keys(Key::Tab)
        .key_up(Key::Shift)
        .perform()
        .await?;
    Ok(())
}

/// Types `text` into the focused field.
async fn type_here(b: &Browser, text: &str) -> Result<()> {
    b.driver.active_element().await?.send_keys(text).await?;
    Ok(())
}

/// Runs `script` on the focused element (`el`, `null` when only the page has focus).
async fn on_focus(b: &Browser, script: &str, arg: &str) -> Result<serde_json::Value> {
    let ret = b
        .driver
        .execute(
            &format!(
                "const el = document.activeElement === document.body ? null : document.activeElement; \
                 const arg = arguments[0]; {script}"
            ),
            vec![json!(arg)],
        )
        .await?;
    Ok(ret.json().clone())
}

/// True when the focused element matches the CSS `selector`.
async fn focus_is(b: &Browser, selector: &str) -> Result<bool> {
    Ok(on_focus(b, "return !!el && el.matches(arg);", selector)
        .await?
        .as_bool()
        == Some(true))
}

/// The focused element, told as a user would see it, for failure messages.
async fn focus_text(b: &Browser) -> Result<String> {
    Ok(on_focus(
        b,
        "return el ? `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}[${el.dataset.testid || ''}] ${(el.innerText || el.value || el.getAttribute('aria-label') || '').slice(0, 40)}` : 'the page itself';",
        "",
    )
    .await?
    .as_str()
    .unwrap_or_default()
    .to_string())
}

/// Fails with `what` unless the focus is on an element matching `selector`.
async fn expect_focus(b: &Browser, selector: &str, what: &str) -> Result<()> {
    let started = Instant::now();
    // Focus moves after a page or dialog is drawn: give it that long.
    while !focus_is(b, selector).await? {
        if started.elapsed() > TIMEOUT {
            bail!("{what}: focus is on {}", focus_text(b).await?);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Presses Tab (or Shift+Tab) until the focus is on `selector`; fails, naming every stop, when it
/// never gets there: then the element is not reachable by keyboard.
async fn tab_to(b: &Browser, selector: &str, backwards: bool) -> Result<()> {
    let mut stops = Vec::new();
    for _ in 0..MOST_TABS {
        if backwards {
            shift_tab(b).await?;
        } else {
            press(b, Key::Tab).await?;
        }
        if focus_is(b, selector).await? {
            return Ok(());
        }
        stops.push(focus_text(b).await?);
    }
    bail!("Tab never reached `{selector}`; it stopped on {stops:#?}")
}

/// What the live region said last, once it says `needle`.
async fn announced(b: &Browser, needle: &str) -> Result<String> {
    wait_for_text(
        b,
        &format!("#toasts {}", testid("announcer")),
        needle,
        TIMEOUT,
    )
    .await
    .context("the live region's announcement")
}

/// Opens `path` signed out and signs in as `user` with the keyboard: the username field has focus
/// at once, Tab goes to the password, Enter submits.
async fn sign_in_with_keys(b: &Browser, path: &str, user: &str) -> Result<()> {
    b.goto(path).await?;
    b.wait_for("#login-username", TIMEOUT).await?;
    expect_focus(b, "#login-username", "the sign-in page starts on Username").await?;
    type_here(b, user).await?;
    press(b, Key::Tab).await?;
    expect_focus(b, "#login-password", "Tab goes from Username to Password").await?;
    type_here(b, PASSWORD).await?;
    press(b, Key::Enter).await?;
    b.wait_for_testid("user-menu", TIMEOUT)
        .await
        .with_context(|| format!("signing in as {user} with Enter"))?;
    Ok(())
}

/// The lead id of the card the focus is in.
async fn focused_lead(b: &Browser) -> Result<String> {
    on_focus(
        b,
        "const card = el && el.closest('[data-lead-id]'); return card ? card.dataset.leadId : null;",
        "",
    )
    .await?
    .as_str()
    .map(str::to_string)
    .context("focus is in a lead card")
}

/// True while an open `<dialog>` holds the focus.
async fn focus_in_open_dialog(b: &Browser) -> Result<bool> {
    Ok(
        on_focus(b, "return !!el && !!el.closest('dialog[open]');", "")
            .await?
            .as_bool()
            == Some(true),
    )
}

/// Waits until the focused `<select>` holds `value`, pressing ArrowDown between looks: a closed
/// select changes its choice (and says so with `change`) on the arrow keys.
async fn arrow_down_select_to(b: &Browser, value: &str) -> Result<()> {
    for _ in 0..10 {
        let now = on_focus(b, "return el ? el.value : null;", "").await?;
        if now.as_str() == Some(value) {
            return Ok(());
        }
        press(b, Key::Down).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!(
        "ArrowDown never chose {value:?} in {}",
        focus_text(b).await?
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_move_between_pages_and_skip_to_content_with_keys_only() -> Result<()> {
    run(|b| async move {
        sign_in_with_keys(&b, "/app/dashboards", "elastic").await?;
        b.wait_for_path("/app/dashboards", TIMEOUT).await?;
        // The sign-in form is gone: focus starts on the new page, which is named.
        expect_focus(&b, "#main", "after sign-in, focus is on the page's content").await?;
        announced(&b, "Dashboards").await?;
        ensure!(
            b.driver.title().await? == "Dashboards - Gatehouse",
            "the tab names the page: {:?}",
            b.driver.title().await?
        );

        // Back into the header, to another app, with Enter on its link.
        tab_to(&b, &testid("nav-dev-tools"), true).await?;
        press(&b, Key::Enter).await?;
        b.wait_for_path("/app/dev_tools", TIMEOUT).await?;
        announced(&b, "Dev Tools").await?;
        ensure!(b.driver.title().await? == "Dev Tools - Gatehouse");
        ensure!(
            focus_is(&b, &testid("nav-dev-tools")).await?,
            "a header link that stays keeps focus: {}",
            focus_text(&b).await?
        );
        let current = b
            .wait_for_testid("nav-dev-tools", TIMEOUT)
            .await?
            .attr("aria-current")
            .await?;
        ensure!(
            current.as_deref() == Some("page"),
            "the link says it is the current page"
        );

        // The skip link comes first in the header and takes focus past it.
        tab_to(&b, ".skip-link", true).await?;
        press(&b, Key::Enter).await?;
        expect_focus(&b, "#main", "Skip to content").await?;
        ensure!(
            b.path().await? == "/app/dev_tools",
            "skipping is not a navigation"
        );
        b.screenshot("keyboard-skip-to-content").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_open_a_lead_come_back_and_dismiss_it_with_keys_only() -> Result<()> {
    run(|b| async move {
        sign_in_with_keys(&b, LEADS_PAGE, "leads_full_user").await?;
        b.wait_for_path(LEADS_PAGE, TIMEOUT).await?;
        b.wait_for_testid("leads-empty", TIMEOUT).await?;

        // The connector picker is a select the arrow keys change.
        connector_picker(&b).await?;
        tab_to(&b, &testid("leads-connector"), false).await?;
        arrow_down_select_to(&b, "gatehouse-default").await?;
        wait_for_text(&b, &testid("toast"), "Connector chosen", TIMEOUT).await?;

        // Generate: Enter runs it, the region says so at once, focus stays on the button while it
        // runs, and the outcome is a toast in the same region.
        tab_to(&b, &testid("leads-generate"), false).await?;
        let generate = b.driver.active_element().await?;
        let started = Instant::now();
        while generate.attr("aria-disabled").await?.is_some() {
            if started.elapsed() > TIMEOUT {
                bail!("Generate stayed closed after the connector was chosen");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        press(&b, Key::Enter).await?;
        announced(&b, "Generating leads…").await?;
        ensure!(
            focus_is(&b, &testid("leads-generate")).await?,
            "a running Generate keeps focus: {}",
            focus_text(&b).await?
        );
        wait_for_text(
            &b,
            &format!("#toasts {}", testid("toast")),
            "Lead generation finished",
            GENERATION,
        )
        .await?;
        b.wait_for_testid("lead-card", TIMEOUT).await?;

        // A lead's detail: Enter opens it with focus inside, Tab and Shift+Tab stay inside, Escape
        // closes it and focus is back on the lead's title.
        tab_to(&b, &testid("lead-open"), false).await?;
        let lead = focused_lead(&b).await?;
        press(&b, Key::Enter).await?;
        b.wait_for(&format!("dialog[open]{}", testid("lead-detail")), TIMEOUT)
            .await?;
        b.wait_for(&format!("{} .lead-detail", testid("lead-detail")), TIMEOUT)
            .await?;
        ensure!(
            focus_in_open_dialog(&b).await?,
            "the detail takes focus: {}",
            focus_text(&b).await?
        );
        for step in 0..12 {
            press(&b, Key::Tab).await?;
            ensure!(
                focus_in_open_dialog(&b).await?,
                "Tab {step} left the dialog for {}",
                focus_text(&b).await?
            );
        }
        for step in 0..12 {
            shift_tab(&b).await?;
            ensure!(
                focus_in_open_dialog(&b).await?,
                "Shift+Tab {step} left the dialog for {}",
                focus_text(&b).await?
            );
        }
        b.screenshot("keyboard-lead-detail").await?;
        b.close_dialog_with_escape("lead detail").await?;
        expect_focus(
            &b,
            &format!("[data-lead-id=\"{lead}\"] {}", testid("lead-open")),
            "Escape gives focus back to the lead that was opened",
        )
        .await?;

        // Dismiss that lead: its card goes, focus goes on to the next card's title.
        tab_to(
            &b,
            &format!("[data-lead-id=\"{lead}\"] {}", testid("lead-dismiss")),
            false,
        )
        .await?;
        let next = on_focus(
            &b,
            "const card = el.closest('[data-lead-id]'); const next = card.nextElementSibling || card.previousElementSibling; return next ? next.dataset.leadId : null;",
            "",
        )
        .await?
        .as_str()
        .map(str::to_string)
        .context("a page of leads has more than one")?;
        press(&b, Key::Enter).await?;
        wait_for_text(
            &b,
            &format!("#toasts {}", testid("toast")),
            "Lead dismissed",
            TIMEOUT,
        )
        .await?;
        expect_focus(
            &b,
            &format!("[data-lead-id=\"{next}\"] {}", testid("lead-open")),
            "after a dismissal, focus is on the next lead",
        )
        .await?;
        ensure!(
            count(&b, &format!("[data-lead-id=\"{lead}\"]")).await? == 0,
            "the dismissed lead left the list"
        );
        b.screenshot("keyboard-after-dismiss").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_a_dashboard_as_view_only_with_keys_only() -> Result<()> {
    run(|b| async move {
        sign_in_with_keys(&b, "/app/dashboards", "alice").await?;
        b.wait_for_path("/app/dashboards", TIMEOUT).await?;
        let link = "a.row-title[href$=\"/view/endpoint-health\"]";
        b.wait_for(link, TIMEOUT).await?;
        tab_to(&b, link, false).await?;
        press(&b, Key::Enter).await?;
        b.wait_for_path("/app/dashboards/view/endpoint-health", TIMEOUT)
            .await?;
        b.wait_for_testid("dashboard-panels", TIMEOUT).await?;
        announced(&b, "Dashboard").await?;

        tab_to(&b, &testid("dashboard-share"), false).await?;
        press(&b, Key::Enter).await?;
        b.wait_for(&format!("dialog[open]{}", testid("share-dialog")), TIMEOUT)
            .await?;
        ensure!(
            focus_in_open_dialog(&b).await?,
            "the Share dialog takes focus: {}",
            focus_text(&b).await?
        );
        tab_to(&b, &testid("share-mode-select"), false).await?;
        arrow_down_select_to(&b, "write_restricted").await?;
        let result = b.wait_for_testid("share-result", TIMEOUT).await?;
        let text = result.text().await?;
        ensure!(text == "Permissions updated.", "share result: {text:?}");
        wait_for_text(
            &b,
            &format!("#toasts {}", testid("toast")),
            "Permissions updated",
            TIMEOUT,
        )
        .await?;
        ensure!(
            focus_is(&b, &testid("share-mode-select")).await?,
            "saving keeps focus on the select: {}",
            focus_text(&b).await?
        );
        b.screenshot("keyboard-share-can-view").await?;

        b.close_dialog_with_escape("Share dialog").await?;
        expect_focus(
            &b,
            &testid("dashboard-share"),
            "Escape gives focus back to Share",
        )
        .await?;

        // Saved: opened again with Enter, the dialog reads Can view.
        press(&b, Key::Enter).await?;
        let select = b.wait_for_testid("share-mode-select", TIMEOUT).await?;
        ensure!(
            select.value().await?.as_deref() == Some("write_restricted"),
            "the mode was saved"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_a_role_with_keys_only() -> Result<()> {
    const ROLE: &str = "keyboard_readers";
    run(|b| async move {
        sign_in_with_keys(&b, ROLES_PAGE, "elastic").await?;
        b.wait_for_path(ROLES_PAGE, TIMEOUT).await?;
        b.wait_for_testid("role-create", TIMEOUT).await?;
        tab_to(&b, &testid("role-create"), false).await?;
        press(&b, Key::Enter).await?;
        b.wait_for_testid("role-editor", TIMEOUT).await?;
        announced(&b, "Create role").await?;
        // The button that opened the editor is gone: focus is on the new page.
        expect_focus(&b, "#main", "the editor takes focus").await?;

        tab_to(&b, &testid("role-name"), false).await?;
        type_here(&b, ROLE).await?;
        tab_to(&b, &testid("role-index-names"), false).await?;
        type_here(&b, ".entity_analytics.entity-leads-*").await?;
        tab_to(
            &b,
            &format!("{} input[value=read]", testid("role-index-privileges")),
            false,
        )
        .await?;
        press(&b, Key::Space).await?;
        ensure!(
            on_focus(&b, "return el.checked;", "").await?.as_bool() == Some(true),
            "Space ticks read"
        );

        // Kibana privileges: a new space row, its base privilege chosen with the arrow keys.
        tab_to(&b, &testid("role-add-space"), false).await?;
        press(&b, Key::Enter).await?;
        b.wait_for_testid("role-space-row", TIMEOUT).await?;
        tab_to(&b, &testid("role-space-base"), true).await?;
        for _ in 0..3 {
            if focus_is(&b, "input[value=Read]:checked").await? {
                break;
            }
            press(&b, Key::Right).await?;
        }
        ensure!(
            focus_is(&b, "input[value=Read]:checked").await?,
            "the arrow keys choose Read: {}",
            focus_text(&b).await?
        );
        b.screenshot("keyboard-role-editor").await?;

        tab_to(&b, &testid("role-save"), false).await?;
        press(&b, Key::Enter).await?;
        b.wait_for(
            &format!("{}[data-role={ROLE}]", testid("role-row")),
            TIMEOUT,
        )
        .await
        .context("the roles list shows the new role after saving")?;
        b.wait_for_path(ROLES_PAGE, TIMEOUT).await?;
        wait_for_text(
            &b,
            &format!("#toasts {}", testid("toast")),
            "Created role",
            TIMEOUT,
        )
        .await?;
        announced(&b, "Roles").await?;
        expect_focus(&b, "#main", "after saving, focus is on the roles list").await?;

        // Saved as typed: read on the leads index, Read in every space.
        let admin = api_session(&b, "elastic").await?;
        let role: serde_json::Value = admin
            .get(b.url(&format!("/api/security/role/{ROLE}")))
            .send()
            .await?
            .json()
            .await?;
        ensure!(
            role["elasticsearch"]["indices"][0]["privileges"] == json!(["read"]),
            "{role}"
        );
        ensure!(
            role["kibana"][0]["base"] == json!(["read"]),
            "Read in the space row: {role}"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_space_with_keys_only() -> Result<()> {
    run(|b| async move {
        sign_in_with_keys(&b, "/login", "elastic").await?;
        b.wait_for_testid("space-selector", TIMEOUT).await?;
        let emea = format!("{}[data-space=soc-emea]", testid("space-card"));
        tab_to(&b, &emea, false).await?;
        press(&b, Key::Enter).await?;
        let started = Instant::now();
        while !b.path().await?.starts_with("/s/soc-emea/app/") {
            if started.elapsed() > TIMEOUT {
                bail!("Enter on the EMEA card did not enter it");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        b.wait_for_testid("spaces-nav", TIMEOUT).await?;

        // A new page: the first Tab is the skip link, then the header in order.
        press(&b, Key::Tab).await?;
        expect_focus(&b, ".skip-link", "the first Tab of a page").await?;
        tab_to(&b, &testid("spaces-nav"), false).await?;

        // Enter opens the menu on the current space; Escape closes it back to its button.
        press(&b, Key::Enter).await?;
        b.wait_for_testid("spaces-popover", TIMEOUT).await?;
        let current = format!("{}[data-space=soc-emea]", testid("space-option"));
        expect_focus(&b, &current, "the menu opens on the current space").await?;
        press(&b, Key::Escape).await?;
        expect_focus(&b, &testid("spaces-nav"), "Escape gives focus back").await?;
        ensure!(
            !b.is_shown(&testid("spaces-popover")).await?,
            "Escape closed the menu"
        );

        // Space opens it too; the arrow keys, Home and End move among the spaces.
        press(&b, Key::Space).await?;
        expect_focus(&b, &current, "Space opens the menu").await?;
        let default = format!("{}[data-space=default]", testid("space-option"));
        press(&b, Key::Home).await?;
        expect_focus(&b, &default, "Home: the first space").await?;
        press(&b, Key::Down).await?;
        expect_focus(&b, &current, "ArrowDown: the next").await?;
        press(&b, Key::Up).await?;
        expect_focus(&b, &default, "ArrowUp: the one before").await?;
        b.screenshot("keyboard-space-menu").await?;
        press(&b, Key::Enter).await?;
        let started = Instant::now();
        while b.path().await?.starts_with("/s/") {
            if started.elapsed() > TIMEOUT {
                bail!("Enter on Default did not leave the EMEA space");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let title = b
            .wait_for_testid("spaces-nav", TIMEOUT)
            .await?
            .attr("title")
            .await?;
        ensure!(
            title.as_deref() == Some("Current space: Default"),
            "in the default space: {title:?}"
        );
        Ok(())
    })
    .await
}

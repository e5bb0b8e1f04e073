//! Session expiry mid-edit (RELIABILITY.md): the session ends while a dashboard form holds unsaved edits;
//! the app returns to login, and signing in again brings back the same page with the edits in
//! the form, ready to save. Another user signing in on that tab never gets them; a user's own
//! kept edits can be discarded.
//!
//! The session is ended from the side, as an administrator would: `elastic` changes the user's
//! password over the API, which deletes that user's sessions. The open tab notices on its own
//! (the 5 s privilege re-check answers 401); nothing is clicked in between.

mod common;

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "fresh-Passw0rd-after-expiry";

/// `elastic` sets a new password for `user`: every session of `user` ends.
async fn end_sessions_of(b: &Browser, user: &str) -> Result<()> {
    let admin = common::api_session(b, "elastic").await?;
    let response = admin
        .post(b.url(&format!("/internal/security/users/{user}/password")))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(&json!({ "newPassword": NEW_PASSWORD }))
        .send()
        .await?;
    ensure!(
        response.status().as_u16() == 204,
        "elastic changes {user}'s password: {}",
        response.status()
    );
    Ok(())
}

/// The stored dashboard, as `elastic` reads it.
async fn stored(b: &Browser, id: &str) -> Result<Value> {
    let admin = common::api_session(b, "elastic").await?;
    let response = admin
        .get(b.url(&format!("/api/dashboards/{id}")))
        .send()
        .await?;
    ensure_ok(&response, &format!("read {id}"))?;
    Ok(response.json().await?)
}

async fn value_of(b: &Browser, selector: &str) -> Result<String> {
    let el = b.wait_for(selector, TIMEOUT).await?;
    Ok(el.prop("value").await?.unwrap_or_default())
}

/// Polls until the form field matching `selector` holds `expected`.
async fn wait_for_value(b: &Browser, selector: &str, expected: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let value = value_of(b, selector).await?;
        if value == expected {
            return Ok(());
        }
        if started.elapsed() > TIMEOUT {
            bail!("`{selector}` holds {value:?}, expected {expected:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until the form field matching `selector` holds something, and returns it.
async fn loaded_value(b: &Browser, selector: &str) -> Result<String> {
    let started = Instant::now();
    loop {
        let value = value_of(b, selector).await?;
        if !value.is_empty() {
            return Ok(value);
        }
        if started.elapsed() > TIMEOUT {
            bail!("`{selector}` stayed empty");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn panel_rows(b: &Browser) -> Result<usize> {
    Ok(b.driver.find_all(By::Css(".panel-editor-row")).await?.len())
}

fn title_input() -> String {
    testid("dashboard-edit-title")
}

fn description_input() -> String {
    format!("{} textarea", testid("dashboard-editor"))
}

/// Clicks the dashboard page's Edit button (once it is enabled) and waits for the editor.
async fn click_edit(b: &Browser) -> Result<()> {
    let started = Instant::now();
    loop {
        let button = b.wait_for_testid("dashboard-edit", TIMEOUT).await?;
        if button.is_enabled().await? {
            button.click().await?;
            break;
        }
        if started.elapsed() > TIMEOUT {
            bail!("the Edit button stayed closed");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.wait_for_testid("dashboard-editor", TIMEOUT).await?;
    Ok(())
}

/// Signs `user` in through the login page the app redirects `path` to, and opens the editor with
/// the page's Edit button (the URL stays the dashboard's own, without `?mode=edit`); the title the
/// editor loaded.
async fn open_editor(b: &Browser, user: &str, path: &str) -> Result<String> {
    sign_in_at(b, path, user).await?;
    b.wait_for_path(path, TIMEOUT).await?;
    click_edit(b)
        .await
        .with_context(|| format!("{user} opens the editor at {path}"))?;
    loaded_value(b, &title_input()).await
}

/// The tab's own signal that the session ended: the login page, remembering where the user was.
async fn wait_for_login_page(b: &Browser, dashboard_id: &str) -> Result<()> {
    b.wait_for("#login-username", TIMEOUT)
        .await
        .context("the app returns to login after the session ended (5 s re-check)")?;
    let location = b.location().await?;
    ensure!(
        location.starts_with("/login?next=") && location.contains(dashboard_id),
        "login keeps the way back to the dashboard: {location}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsaved_dashboard_edits_survive_session_expiry() -> Result<()> {
    run(|b| async move {
        let path = "/app/dashboards/view/soc-overview";
        let title = open_editor(&b, "alice", path).await?;
        let description = value_of(&b, &description_input()).await?;
        let panels = panel_rows(&b).await?;

        // Unsaved edits: title, description and one more panel.
        b.wait_for(&title_input(), TIMEOUT)
            .await?
            .send_keys(" (reviewed)")
            .await?;
        b.wait_for(&description_input(), TIMEOUT)
            .await?
            .send_keys(" Draft kept across sign-in.")
            .await?;
        click_testid(&b, "dashboard-add-panel").await?;
        let edited_title = format!("{title} (reviewed)");
        let edited_description = format!("{description} Draft kept across sign-in.");
        wait_for_value(&b, &title_input(), &edited_title).await?;
        ensure!(panel_rows(&b).await? == panels + 1, "a panel was added");

        end_sessions_of(&b, "alice").await?;
        wait_for_login_page(&b, "soc-overview").await?;
        b.screenshot("session-expiry-login").await?;

        // Back in with the new password: the same page, the editor open again (nothing in the URL
        // asks for it: the kept edits do), the edits still in the form.
        b.login("alice", NEW_PASSWORD).await?;
        b.wait_for_path(path, TIMEOUT).await?;
        b.wait_for_testid("dashboard-editor", TIMEOUT)
            .await
            .context("alice is back in the editor after signing in again")?;
        let note = b
            .wait_for_testid("dashboard-draft-restored", TIMEOUT)
            .await?;
        let note_text = note.text().await?;
        ensure!(
            note_text.contains("Unsaved changes restored"),
            "the restored-edits note says so: {note_text:?}"
        );
        wait_for_value(&b, &title_input(), &edited_title).await?;
        wait_for_value(&b, &description_input(), &edited_description).await?;
        ensure!(
            panel_rows(&b).await? == panels + 1,
            "the added panel is back too"
        );
        b.screenshot("session-expiry-restored").await?;

        // Saving works, and the server has exactly what was in the form.
        click_testid(&b, "dashboard-save").await?;
        let started = Instant::now();
        loop {
            let shown = b.wait_for_testid("dashboard-title", TIMEOUT).await;
            if let Ok(h1) = shown {
                if h1.text().await.unwrap_or_default() == edited_title {
                    break;
                }
            }
            if started.elapsed() > TIMEOUT {
                bail!("the saved dashboard did not show the title {edited_title:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let saved = stored(&b, "soc-overview").await?;
        ensure!(
            saved["data"]["title"] == edited_title.as_str(),
            "stored title: {}",
            saved["data"]["title"]
        );
        ensure!(
            saved["data"]["description"] == edited_description.trim(),
            "stored description: {}",
            saved["data"]["description"]
        );
        ensure!(
            saved["data"]["panels"].as_array().map(Vec::len) == Some(panels + 1),
            "stored panels: {}",
            saved["data"]["panels"]
        );

        // Once saved, the draft is gone: after a reload the page opens in view mode, and the
        // editor holds the saved dashboard, with no note.
        b.goto(path).await?;
        click_edit(&b).await?;
        wait_for_value(&b, &title_input(), &edited_title).await?;
        ensure!(
            !b.is_shown(&testid("dashboard-draft-restored")).await?,
            "no restored-edits note after saving"
        );
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_belong_to_their_user_and_can_be_discarded() -> Result<()> {
    run(|b| async move {
        // endpoint-health is alice's and open to every editor, so bob may edit it too.
        let path = "/app/dashboards/view/endpoint-health";
        let title = open_editor(&b, "alice", path).await?;
        b.wait_for(&title_input(), TIMEOUT)
            .await?
            .send_keys(" alice-unsaved-draft")
            .await?;
        wait_for_value(&b, &title_input(), &format!("{title} alice-unsaved-draft")).await?;

        end_sessions_of(&b, "alice").await?;
        wait_for_login_page(&b, "endpoint-health").await?;

        // bob signs in on the same tab and is sent to the same page: he sees the saved
        // dashboard, not alice's unsaved edits, and his editor starts from the saved one.
        b.sign_in("bob").await?;
        b.wait_for_path(path, TIMEOUT).await?;
        let shown = b.wait_for_testid("dashboard-title", TIMEOUT).await?;
        ensure!(
            shown.text().await? == title,
            "bob sees the saved title, got {:?}",
            shown.text().await?
        );
        click_edit(&b).await?;
        wait_for_value(&b, &title_input(), &title).await?;
        ensure!(
            !b.is_shown(&testid("dashboard-draft-restored")).await?,
            "bob is not offered alice's draft"
        );
        // Nor is it left anywhere in the tab he now holds.
        let left = b
            .driver
            .execute(
                "return Object.keys(sessionStorage).filter(k => \
                 (sessionStorage.getItem(k) || '').includes('alice-unsaved-draft')).length;",
                vec![],
            )
            .await?;
        ensure!(
            left.json().as_u64() == Some(0),
            "alice's draft is removed from the tab once bob signs in: {:?}",
            left.json()
        );

        // bob's own unsaved edits come back when he returns to the page, and Discard drops them.
        b.wait_for(&title_input(), TIMEOUT)
            .await?
            .send_keys(" bob-unsaved")
            .await?;
        wait_for_value(&b, &title_input(), &format!("{title} bob-unsaved")).await?;
        b.goto("/app/dashboards").await?;
        b.wait_for_testid("dashboard-table", TIMEOUT).await?;
        b.goto(path).await?;
        b.wait_for_testid("dashboard-draft-restored", TIMEOUT)
            .await
            .context("bob's own draft is offered back")?;
        wait_for_value(&b, &title_input(), &format!("{title} bob-unsaved")).await?;
        click_testid(&b, "dashboard-draft-discard").await?;
        wait_for_value(&b, &title_input(), &title).await?;
        ensure!(
            !b.is_shown(&testid("dashboard-draft-restored")).await?,
            "the note goes away with the discarded edits"
        );
        b.goto(path).await?;
        let shown = b.wait_for_testid("dashboard-title", TIMEOUT).await?;
        ensure!(
            shown.text().await? == title && !b.is_shown(&testid("dashboard-editor")).await?,
            "after Discard the page opens on the saved dashboard"
        );
        Ok(())
    })
    .await
}

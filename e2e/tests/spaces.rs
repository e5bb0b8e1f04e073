//! Spaces in a real browser: a user with several spaces picks one after login and sees that
//! space's leads and dashboards, switches back from the header; a user with one space never
//! sees the selector; a deep link into a space the user cannot enter gets a clear page; the
//! next sign-in returns to the last space worked in.

use std::time::{Duration, Instant};

mod common;

use anyhow::{bail, ensure, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

async fn texts(b: &Browser, selector: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for el in b.driver.find_all(By::Css(selector)).await? {
        out.push(el.text().await.unwrap_or_default());
    }
    Ok(out)
}

async fn wait_for_location(b: &Browser, prefix: &str, timeout: Duration) -> Result<String> {
    let started = Instant::now();
    loop {
        let path = b.path().await?;
        if path.starts_with(prefix) {
            return Ok(path);
        }
        if started.elapsed() > timeout {
            bail!("still at {path}, expected {prefix}…");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn dashboard_titles(b: &Browser) -> Result<Vec<String>> {
    b.wait_for(".data-table .row-title", TIMEOUT).await?;
    texts(b, ".data-table .row-title").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_two_spaces_picks_one_and_sees_its_data() -> Result<()> {
    run(|b| async move {
        sign_in_at(&b, "/login", "elastic").await?;
        b.wait_for_testid("space-selector", TIMEOUT).await?;
        let cards = texts(&b, &testid("space-card")).await?;
        ensure!(cards.len() == 2, "Default and SOC EMEA: {cards:?}");
        b.screenshot("spaces-selector").await?;

        click(
            &b,
            &format!("{}[data-space=soc-emea]", testid("space-card")),
        )
        .await?;
        wait_for_location(&b, "/s/soc-emea/app/", TIMEOUT).await?;
        // The EMEA space's own leads (seeded), and its own dashboards.
        b.wait_for_testid("lead-card", TIMEOUT).await?;
        click_testid(&b, "nav-dashboards").await?;
        wait_for_location(&b, "/s/soc-emea/app/dashboards", TIMEOUT).await?;
        let titles = dashboard_titles(&b).await?;
        ensure!(titles.iter().any(|t| t == "EMEA incidents"), "{titles:?}");
        ensure!(
            !titles.iter().any(|t| t == "SOC overview"),
            "default's dashboards stay there: {titles:?}"
        );
        b.screenshot("spaces-emea-dashboards").await?;

        // Back to Default from the header switcher: default's dashboards, no EMEA ones.
        click_testid(&b, "spaces-nav").await?;
        click(
            &b,
            &format!("{}[data-space=default]", testid("space-option")),
        )
        .await?;
        let started = Instant::now();
        while b.path().await?.starts_with("/s/") {
            if started.elapsed() > TIMEOUT {
                bail!("the switcher did not leave the EMEA space");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        click_testid(&b, "nav-dashboards").await?;
        let titles = dashboard_titles(&b).await?;
        ensure!(titles.iter().any(|t| t == "SOC overview"), "{titles:?}");
        ensure!(!titles.iter().any(|t| t == "EMEA incidents"), "{titles:?}");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_one_space_never_sees_the_selector_and_is_told_about_others() -> Result<()> {
    run(|b| async move {
        sign_in_at(&b, "/login", "alice").await?;
        wait_for_location(&b, "/app/dashboards", TIMEOUT).await?;
        ensure!(
            !b.is_shown(&testid("space-selector")).await?,
            "one space: straight in"
        );

        // A deep link into a space she cannot enter: a clear page, not a blank one.
        b.goto("/s/soc-emea/app/dashboards").await?;
        let denied = b.wait_for_testid("space-denied", TIMEOUT).await?;
        let text = denied.text().await?;
        ensure!(text.contains("soc-emea"), "names the space: {text:?}");
        b.screenshot("spaces-denied").await?;
        click_testid(&b, "space-denied-select").await?;
        b.wait_for_testid("space-selector", TIMEOUT).await?;
        let cards = texts(&b, &testid("space-card")).await?;
        ensure!(
            cards.len() == 1 && cards[0].contains("Default"),
            "{cards:?}"
        );
        Ok(())
    })
    .await
}

/// The space `user`'s profile remembers, as the server answers it.
async fn remembered_space(b: &Browser, user: &reqwest::Client) -> Result<Option<String>> {
    let profile: serde_json::Value = user
        .get(b.url("/internal/security/user_profile?dataPath=gatehouse"))
        .header("x-elastic-internal-origin", "Kibana")
        .send()
        .await?
        .json()
        .await?;
    Ok(profile["data"]["gatehouse"]["lastSpace"]
        .as_str()
        .map(str::to_string))
}

async fn wait_until_remembered(b: &Browser, user: &reqwest::Client, space: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let kept = remembered_space(b, user).await?;
        if kept.as_deref() == Some(space) {
            return Ok(());
        }
        if started.elapsed() > TIMEOUT {
            bail!("the profile still remembers {kept:?}, not {space}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Signs out, and in again on the default space's sign-in page with no destination.
async fn sign_out_and_in(b: &Browser, user: &str) -> Result<()> {
    click_testid(b, "sign-out").await?;
    b.wait_for("#login-username", TIMEOUT).await?;
    b.goto("/login").await?;
    b.sign_in(user).await?;
    Ok(())
}

/// The last space a user worked in is kept on their profile on the server and chosen after the
/// next sign-in, while they may still enter it (docs/spaces.md "The last space").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_returns_to_the_last_space_while_the_user_may_enter_it() -> Result<()> {
    const USER: &str = "emea_analyst";
    run(|b| async move {
        let profile = api_session(&b, USER).await?;
        ensure!(remembered_space(&b, &profile).await?.is_none(), "nothing remembered yet");
        sign_in_at(&b, "/login", USER).await?;
        b.wait_for_testid("space-selector", TIMEOUT).await?;
        click(&b, &format!("{}[data-space=soc-emea]", testid("space-card"))).await?;
        wait_for_location(&b, "/s/soc-emea/app/", TIMEOUT).await?;
        wait_until_remembered(&b, &profile, "soc-emea").await?;

        // Straight back into SOC EMEA, no selector.
        sign_out_and_in(&b, USER).await?;
        wait_for_location(&b, "/s/soc-emea/app/", TIMEOUT).await?;
        ensure!(!b.is_shown(&testid("space-selector")).await?, "no selector");

        // Switched to Default from the header: that is remembered, and chosen next time.
        click_testid(&b, "spaces-nav").await?;
        click(&b, &format!("{}[data-space=default]", testid("space-option"))).await?;
        wait_until_remembered(&b, &profile, "default").await?;
        sign_out_and_in(&b, USER).await?;
        wait_for_location(&b, "/app/", TIMEOUT).await?;
        ensure!(!b.is_shown(&testid("space-selector")).await?, "no selector");

        // SOC EMEA remembered again, then taken away: the sign-in lands in Default.
        click_testid(&b, "spaces-nav").await?;
        click(&b, &format!("{}[data-space=soc-emea]", testid("space-option"))).await?;
        wait_until_remembered(&b, &profile, "soc-emea").await?;
        let admin = api_session(&b, "elastic").await?;
        api_write(
            admin.post(b.url(&format!("/internal/security/users/{USER}"))),
            &serde_json::json!({ "username": USER, "roles": ["dashboard_viewer"], "enabled": true }),
            "SOC EMEA is taken away",
        )
        .await?;
        sign_out_and_in(&b, USER).await?;
        wait_for_location(&b, "/app/dashboards", TIMEOUT).await?;
        Ok(())
    })
    .await
}

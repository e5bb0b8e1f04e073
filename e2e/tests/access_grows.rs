//! Access an administrator grants while a user's page is open shows without a reload, within
//! the interval the app already takes to notice access taken away
//! (docs/sessions-and-capabilities.md, "Access that changes while a page is open"): the nav
//! entry, the leads section with its cards, Generate closed and then open; and the way back.

use std::time::Duration;

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_api::security::PRIVILEGE_RECHECK_MS;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};
use serde_json::json;

const USER: &str = "leads_no_access_user";
const LEADS_PAGE: &str = "/app/security/entity_analytics";
/// One recheck interval, the recheck's own round trips and the section's reads after it.
const GROWS_WITHIN: Duration = Duration::from_millis(PRIVILEGE_RECHECK_MS + 4_000);

/// `elastic` gives `USER` exactly `roles`, as the Users page does.
async fn set_roles(b: &Browser, admin: &reqwest::Client, roles: &[&str]) -> Result<()> {
    api_write(
        admin.post(b.url(&format!("/internal/security/users/{USER}"))),
        &json!({ "username": USER, "roles": roles, "enabled": true }),
        "the administrator changes the roles",
    )
    .await
}

/// Polls `check` until it holds, for at most one recheck interval and its margin, and prints
/// how long it took (RELIABILITY.md, "Access that grows").
async fn within_a_recheck<F, Fut>(what: &str, check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let took = wait_until(what, GROWS_WITHIN, check).await?;
    println!(
        "# access grows: {what}: {} ms after the change (recheck every {PRIVILEGE_RECHECK_MS} ms)",
        took.as_millis()
    );
    Ok(())
}

/// Generate as the page has it now, read in one script so that a re-render between two reads
/// cannot leave a stale element: `None` while there is no Generate, else whether it is closed
/// (`aria-disabled`) and the text of the tooltip it points to.
async fn generate_state(b: &Browser) -> Result<Option<(bool, String)>> {
    let state = b
        .driver
        .execute(
            r#"const generate = document.querySelector('[data-testid="leads-generate"]');
               if (!generate) return null;
               const tip = document.getElementById(generate.getAttribute('aria-describedby') ?? '');
               return [generate.getAttribute('aria-disabled') === 'true', tip ? tip.textContent : ''];"#,
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(state.json().clone())?)
}

async fn generate_is_open(b: &Browser) -> Result<bool> {
    Ok(generate_state(b).await?.is_some_and(|(closed, _)| !closed))
}

/// Generate is closed and its tooltip names the missing `write` privilege (the tooltip is hidden
/// until hovered: its text is the DOM's, not what is displayed).
async fn generate_closed_for_write(b: &Browser) -> Result<bool> {
    Ok(generate_state(b).await?.is_some_and(|(closed, tooltip)| {
        closed && tooltip.contains("write") && tooltip.contains(".entity_analytics.entity-leads-")
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granted_access_appears_without_a_reload() -> Result<()> {
    run(|b| async move {
        // Leads to show, and a connector chosen for the space, so only privileges close Generate.
        generate_leads(&b).await?;
        let admin = api_session(&b, "elastic").await?;
        api_write(
            admin
                .put(b.url("/internal/entity_analytics/leads/connector"))
                .header("elastic-api-version", "1"),
            &json!({ "connectorId": "gatehouse-default" }),
            "the space's connector is chosen",
        )
        .await?;
        // Dashboards only: no Security feature, so no Entity analytics in the nav.
        set_roles(&b, &admin, &["dashboard_viewer"]).await?;

        sign_in_at(&b, LEADS_PAGE, USER).await?;
        b.wait_for_testid("app-forbidden", TIMEOUT)
            .await
            .context("the page says the app is not open to this user")?;
        ensure!(
            count(&b, &testid("nav-entity-analytics")).await? == 0,
            "no nav entry yet"
        );
        ensure!(
            count(&b, &testid("leads-section")).await? == 0,
            "no leads section yet"
        );
        b.driver
            .execute("window.__sameDocument = true", vec![])
            .await?;

        // Read on the leads, with the Security feature: the entry, the section and its cards.
        set_roles(&b, &admin, &["kibana_admin", "leads_read_only"]).await?;
        within_a_recheck(
            "the nav entry, the section and its cards appear",
            || async {
                Ok(count(&b, &testid("nav-entity-analytics")).await? == 1
                    && count(&b, &testid("leads-section")).await? == 1
                    && count(&b, &testid("lead-card")).await? > 0)
            },
        )
        .await?;
        within_a_recheck("Generate closed, naming write", || {
            generate_closed_for_write(&b)
        })
        .await?;
        b.screenshot("access-grows-read").await?;

        // The full role: Generate opens.
        set_roles(&b, &admin, &["kibana_admin", "leads_full_access"]).await?;
        within_a_recheck("Generate opens", || generate_is_open(&b)).await?;

        // Taken away again: closes, as before.
        set_roles(&b, &admin, &["kibana_admin", "leads_read_only"]).await?;
        within_a_recheck("Generate closes again", || generate_closed_for_write(&b)).await?;

        // The same role names, the role's index privileges widened: no name and no capability
        // changes, the leads privileges do, and Generate opens.
        api_write(
            admin.put(b.url("/api/security/role/leads_read_only")),
            &json!({ "elasticsearch": { "indices": [{
                "names": [".entity_analytics.entity-leads-*"],
                "privileges": ["read", "write"],
            }] } }),
            "the role gains write",
        )
        .await?;
        within_a_recheck("Generate opens after the role itself changed", || {
            generate_is_open(&b)
        })
        .await?;

        let same = b
            .driver
            .execute("return window.__sameDocument === true", vec![])
            .await?;
        ensure!(
            same.json().as_bool() == Some(true),
            "the page was never reloaded"
        );
        b.screenshot("access-grows-full").await?;
        Ok(())
    })
    .await
}

//! The audit log end to end, against the real server: someone tries bob's account with a wrong
//! password, the administrator changes a role, and Stack Management → Audit log shows both events;
//! filtering by user and by outcome narrows the table (and the URL keeps the filters across a
//! reload), a row opens to its full event, and "Download as ndjson" saves exactly the filtered
//! events. bob, who has no Stack Management, gets the refusal at the URL; a user with Stack
//! Management but without `read_security` has no Audit log entry and gets the Users page's refusal.

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const AUDIT_LOG: &str = "/app/management/security/audit";
const USERS: &str = "/app/management/security/users";

/// A wrong password for `user`, over the API as any client sends it: the server answers 401.
async fn failed_login(b: &Browser, user: &str) -> Result<()> {
    let response = reqwest::Client::new()
        .post(b.url("/internal/security/login"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(&serde_json::json!({
            "providerType": "basic", "providerName": "basic", "currentURL": "/",
            "params": { "username": user, "password": "not the password" }
        }))
        .send()
        .await?;
    ensure!(
        response.status() == 401,
        "a wrong password is refused: {}",
        response.status()
    );
    Ok(())
}

/// The `data-*` value `attribute` of every event row shown.
async fn row_values(b: &Browser, attribute: &str) -> Result<Vec<String>> {
    let mut values = Vec::new();
    for row in b.driver.find_all(By::Css(testid("audit-event"))).await? {
        values.push(row.attr(attribute).await?.unwrap_or_default());
    }
    Ok(values)
}

/// Types `value` into the filter box `id` (replacing what it held).
async fn fill(b: &Browser, id: &str, value: &str) -> Result<()> {
    let field = b.wait_for_testid(id, TIMEOUT).await?;
    field.clear().await?;
    field.send_keys(value).await?;
    Ok(())
}

/// Picks `value` in the filter select `id`.
async fn pick(b: &Browser, id: &str, value: &str) -> Result<()> {
    b.wait_for_testid(id, TIMEOUT)
        .await?
        .find(By::Css(format!("option[value=\"{value}\"]")))
        .await
        .with_context(|| format!("{id} offers {value}"))?
        .click()
        .await?;
    Ok(())
}

/// Applies the filter bar and waits until every row shown has `attribute` = `value`.
async fn apply_until_all(b: &Browser, attribute: &str, value: &str) -> Result<Vec<String>> {
    click_testid(b, "audit-apply").await?;
    let started = std::time::Instant::now();
    loop {
        let values = row_values(b, attribute).await?;
        if !values.is_empty() && values.iter().all(|v| v == value) {
            return Ok(values);
        }
        if started.elapsed() > TIMEOUT {
            anyhow::bail!("rows never narrowed to {attribute}={value}: {values:?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_reads_filters_and_downloads_the_audit_log() -> Result<()> {
    run(|b| async move {
        let downloads = tempfile::tempdir()?;
        allow_downloads(&b, downloads.path()).await?;
        failed_login(&b, "bob").await?;
        let admin = api_session(&b, "elastic").await?;
        api_write(
            admin
                .put(b.url("/api/security/role/audit_e2e_readers"))
                .header("elastic-api-version", "2023-10-31"),
            &serde_json::json!({
                "elasticsearch": {"cluster": [], "indices": []},
                "kibana": [{"base": [], "feature": {"dashboard": ["read"]}, "spaces": ["default"]}]
            }),
            "elastic saves a role",
        )
        .await?;

        sign_in_at(&b, AUDIT_LOG, "elastic").await?;
        b.wait_for_testid("audit-table", TIMEOUT).await?;
        b.wait_for_testid("management-audit-log", TIMEOUT).await?;
        let actions = row_values(&b, "data-action").await?;
        ensure!(
            actions.iter().any(|a| a == "role_put"),
            "the role change is listed: {actions:?}"
        );
        ensure!(
            actions.iter().any(|a| a == "user_login"),
            "the sign-ins are listed: {actions:?}"
        );
        let role_row = format!("{}[data-action=\"role_put\"]", testid("audit-event"));
        wait_for_text(&b, &role_row, "Role saved", TIMEOUT).await?;
        wait_for_text(&b, &role_row, "audit_e2e_readers", TIMEOUT).await?;
        b.screenshot("audit-log").await?;

        // By user: only bob's events, his failed sign-in among them.
        fill(&b, "audit-filter-user", "bob").await?;
        apply_until_all(&b, "data-user", "bob").await?;
        ensure!(
            row_values(&b, "data-action")
                .await?
                .iter()
                .any(|a| a == "user_login"),
            "bob's failed sign-in is listed"
        );
        // And by outcome: only failures.
        pick(&b, "audit-filter-outcome", "failure").await?;
        apply_until_all(&b, "data-outcome", "failure").await?;
        let path = b.location().await?;
        ensure!(
            path.contains("user=bob") && path.contains("outcome=failure"),
            "the URL keeps the filters: {path}"
        );
        // A reload shows the same events.
        b.driver.refresh().await?;
        b.wait_for_testid("audit-table", TIMEOUT).await?;
        ensure!(
            row_values(&b, "data-outcome")
                .await?
                .iter()
                .all(|o| o == "failure")
                && row_values(&b, "data-user")
                    .await?
                    .iter()
                    .all(|u| u == "bob"),
            "the reload kept the filters"
        );

        // A row opens to its whole event.
        click_testid(&b, "audit-expand").await?;
        let json = b
            .wait_for_testid("audit-json", TIMEOUT)
            .await?
            .text()
            .await?;
        let event: serde_json::Value =
            serde_json::from_str(&json).context("the event shown is JSON")?;
        ensure!(
            event["user"]["name"] == "bob" && event["event"]["outcome"] == "failure",
            "the event opened is the one shown: {event}"
        );
        b.screenshot("audit-log-event-open").await?;

        // The download holds the filtered events, one JSON event a line.
        // The page scrolled to the open event: bring the button out from under the header.
        let download = b.wait_for_testid("audit-download", TIMEOUT).await?;
        b.driver
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![download.to_json()?],
            )
            .await?;
        download.click().await?;
        let (_, text) = downloaded(downloads.path(), "gatehouse-audit.ndjson").await?;
        let lines: Vec<serde_json::Value> = text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .context("every line of the download is JSON")?;
        ensure!(!lines.is_empty(), "the download has bob's failed sign-in");
        for line in &lines {
            ensure!(
                line["user"]["name"] == "bob" && line["event"]["outcome"] == "failure",
                "a line outside the filter: {line}"
            );
        }
        wait_for_text(&b, &testid("toast"), "Download ready", TIMEOUT).await?;
        b.assert_no_crash().await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_without_read_security_get_no_entry_and_the_refusal() -> Result<()> {
    run(|b| async move {
        // bob has no Stack Management at all: the app's refusal, as on every management page.
        sign_in_at(&b, AUDIT_LOG, "bob").await?;
        b.wait_for(
            &format!(
                "{}, {}",
                testid("app-forbidden"),
                testid("management-no-permission")
            ),
            TIMEOUT,
        )
        .await?;
        ensure!(
            !b.is_shown(&testid("audit-table")).await?,
            "bob sees no events"
        );
        ensure!(
            !b.is_shown(&testid("management-audit-log")).await?,
            "bob has no Audit log entry"
        );
        b.screenshot("audit-log-bob").await?;
        sign_out_if_signed_in(&b).await?;

        // Stack Management without read_security: the other entries, not this one, and the
        // Users page's refusal at the URL.
        sign_in_at(&b, USERS, "leads_no_access_user").await?;
        b.wait_for_testid("management-users", TIMEOUT).await?;
        ensure!(
            !b.is_shown(&testid("management-audit-log")).await?,
            "no Audit log entry without read_security"
        );
        b.goto(AUDIT_LOG).await?;
        b.wait_for_testid("management-no-permission", TIMEOUT)
            .await?;
        ensure!(
            !b.is_shown(&testid("audit-table")).await?,
            "no events without read_security"
        );
        Ok(())
    })
    .await
}

//! Saved objects end to end: the administrator exports two dashboards from the default space in
//! the browser (a real download) and imports the file into SOC EMEA keeping owner and protection;
//! the dashboards open there owned by whom they were, as restricted as they were. A user who does
//! not manage access control imports the same file: the copies are theirs and each says its
//! protection was reset; their overwrite of alice's write-restricted dashboard is refused and
//! leaves it untouched.

use std::path::Path;
use std::time::{Duration, Instant};

mod common;

use anyhow::{bail, ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, PASSWORD, TIMEOUT};

const OBJECTS: &str = "/app/management/kibana/objects";
const EMEA_OBJECTS: &str = "/s/soc-emea/app/management/kibana/objects";

/// Ticks the row of dashboard `id` in the table.
async fn select(b: &Browser, id: &str) -> Result<()> {
    click(
        b,
        &format!(
            "[data-testid=\"saved-object-row\"][data-id=\"{id}\"] {}",
            testid("saved-object-select")
        ),
    )
    .await
}

/// Opens Import, gives it `file`, the conflict choice `choice` and (when `keep`) "Keep owner and
/// protection", imports, and waits for the result screen.
async fn import(b: &Browser, file: &Path, choice: &str, keep: bool) -> Result<()> {
    b.wait_for_testid("saved-objects-table", TIMEOUT).await?;
    click_testid(b, "saved-objects-import").await?;
    let input = b.wait_for_testid("import-file", TIMEOUT).await?;
    input.send_keys(file.display().to_string()).await?;
    b.wait_for_testid("import-file-name", TIMEOUT).await?;
    click_testid(b, &format!("import-choice-{choice}")).await?;
    if keep {
        let keep_box = b.wait_for_testid("import-keep-protection", TIMEOUT).await?;
        let started = Instant::now();
        while keep_box.attr("aria-disabled").await?.is_some() {
            if started.elapsed() > TIMEOUT {
                bail!("Keep owner and protection never opened for the administrator");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        keep_box.click().await?;
    }
    click_testid(b, "import-submit").await?;
    b.wait_for_testid("import-result", TIMEOUT).await?;
    Ok(())
}

/// A dashboard as the dashboards API answers `client` in the space of `prefix`.
async fn dashboard(
    b: &Browser,
    client: &reqwest::Client,
    prefix: &str,
    id: &str,
) -> Result<serde_json::Value> {
    let response = client
        .get(b.url(&format!("{prefix}/api/dashboards/{id}")))
        .header("elastic-api-version", "2023-10-31")
        .send()
        .await?;
    ensure_ok(&response, &format!("reading dashboard {id}"))?;
    Ok(response.json().await?)
}

fn owner_of(dashboard: &serde_json::Value) -> Option<&str> {
    dashboard["meta"]["owner"]
        .as_str()
        .or(dashboard["data"]["access_control"]["owner"].as_str())
}

fn mode_of(dashboard: &serde_json::Value) -> &str {
    dashboard["data"]["access_control"]["access_mode"]
        .as_str()
        .unwrap_or("default")
}

/// The profile uid of `username`, as the server names owners.
async fn profile_uid(b: &Browser, username: &str) -> Result<String> {
    let client = api_session(b, username).await?;
    let me: serde_json::Value = client
        .get(b.url("/internal/security/user_profile"))
        .header("x-elastic-internal-origin", "Kibana")
        .send()
        .await?
        .json()
        .await?;
    Ok(me["uid"].as_str().context("a profile uid")?.to_string())
}

/// A user who may import dashboards and open Stack Management in both spaces, but is no
/// administrator of them (no manage_access_control).
async fn create_importer(b: &Browser) -> Result<()> {
    let admin = api_session(b, "elastic").await?;
    api_write(
        admin
            .put(b.url("/api/security/role/dashboard_importer"))
            .header("elastic-api-version", "2023-10-31"),
        &serde_json::json!({
            "elasticsearch": {"cluster": [], "indices": []},
            "kibana": [{"base": [], "feature": {"dashboard": ["all"], "management": ["all"]}, "spaces": ["default", "soc-emea"]}]
        }),
        "the importer's role is created",
    )
    .await?;
    api_write(
        admin.post(b.url("/internal/security/users/ivan")),
        &serde_json::json!({
            "username": "ivan", "password": PASSWORD, "roles": ["dashboard_importer"],
            "full_name": "Ivan Importer", "enabled": true
        }),
        "the importer is created",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_moves_dashboards_to_another_space_with_owner_and_mode() -> Result<()> {
    run(|b| async move {
        let downloads = tempfile::tempdir()?;
        allow_downloads(&b, downloads.path()).await?;
        sign_in_at(&b, OBJECTS, "elastic").await?;
        b.wait_for_testid("saved-objects-table", TIMEOUT).await?;
        wait_for_text(&b, &testid("saved-object-owner"), "Alice Analyst", TIMEOUT).await?;
        select(&b, "soc-overview").await?;
        select(&b, "phishing-triage").await?;
        b.screenshot("saved-objects-page").await?;
        click_testid(&b, "saved-objects-export").await?;
        let (file, text) = downloaded(downloads.path(), "export.ndjson").await?;
        ensure!(
            text.contains("\"soc-overview\"") && text.contains("\"accessControl\""),
            "the export carries the dashboards with their access control: {text}"
        );

        b.goto(EMEA_OBJECTS).await?;
        import(&b, &file, "overwrite", true).await?;
        let created = text_of(&b, "import-created").await?;
        ensure!(created.contains("SOC overview"), "created: {created}");
        ensure!(
            !b.is_shown(&testid("import-protection-reset")).await?,
            "the administrator kept every protection"
        );
        b.screenshot("saved-objects-import-result-admin").await?;

        // The dashboard opens in SOC EMEA, alice's and restricted as it was.
        click(
            &b,
            &format!(
                "{} a[href$=\"/view/soc-overview\"]",
                testid("import-created")
            ),
        )
        .await?;
        b.wait_for_path("/s/soc-emea/app/dashboards/view/soc-overview", TIMEOUT)
            .await?;
        wait_for_text(
            &b,
            &testid("dashboard-owner-name"),
            "Alice Analyst",
            TIMEOUT,
        )
        .await?;
        wait_for_text(&b, ".dashboard-meta", "Can view", TIMEOUT).await?;
        b.screenshot("saved-objects-imported-dashboard").await?;

        let admin = api_session(&b, "elastic").await?;
        let alice = profile_uid(&b, "alice").await?;
        let bob = profile_uid(&b, "bob").await?;
        let moved = dashboard(&b, &admin, "/s/soc-emea", "soc-overview").await?;
        ensure!(
            owner_of(&moved) == Some(alice.as_str()),
            "owner kept: {moved}"
        );
        ensure!(mode_of(&moved) == "write_restricted", "mode kept: {moved}");
        let phishing = dashboard(&b, &admin, "/s/soc-emea", "phishing-triage").await?;
        ensure!(
            owner_of(&phishing) == Some(bob.as_str()),
            "owner kept: {phishing}"
        );
        ensure!(mode_of(&phishing) == "default", "mode kept: {phishing}");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_importer_without_manage_access_control_is_told_and_cannot_overwrite() -> Result<()> {
    run(|b| async move {
        create_importer(&b).await?;
        let downloads = tempfile::tempdir()?;
        allow_downloads(&b, downloads.path()).await?;
        let admin = api_session(&b, "elastic").await?;
        let before = dashboard(&b, &admin, "", "soc-overview").await?;

        sign_in_at(&b, OBJECTS, "ivan").await?;
        b.wait_for_testid("saved-objects-table", TIMEOUT).await?;
        select(&b, "soc-overview").await?;
        select(&b, "endpoint-health").await?;
        click_testid(&b, "saved-objects-export").await?;
        let (file, _) = downloaded(downloads.path(), "export.ndjson").await?;

        // Overwrite here: alice's write-restricted dashboard is refused, her other one is not.
        import(&b, &file, "overwrite", false).await?;
        let failed = text_of(&b, "import-failed").await?;
        ensure!(failed.contains("SOC overview"), "refused: {failed}");
        ensure!(
            failed.contains("manage_access_control"),
            "the server's reason is shown: {failed}"
        );
        b.screenshot("saved-objects-import-refused-overwrite")
            .await?;
        let after = dashboard(&b, &admin, "", "soc-overview").await?;
        ensure!(
            after == before,
            "the refused overwrite left it untouched: {before} → {after}"
        );
        click_testid(&b, "import-done").await?;

        // Into SOC EMEA as new copies: each is ivan's and editable, and the result says so.
        b.goto(EMEA_OBJECTS).await?;
        let keep_box = {
            b.wait_for_testid("saved-objects-table", TIMEOUT).await?;
            click_testid(&b, "saved-objects-import").await?;
            b.wait_for_testid("import-keep-protection", TIMEOUT).await?
        };
        ensure!(
            keep_box.attr("aria-disabled").await?.as_deref() == Some("true"),
            "Keep owner and protection is closed to ivan"
        );
        let reason = text_of(&b, "import-keep-reason").await?;
        ensure!(
            reason.contains("manage_access_control"),
            "its reason: {reason}"
        );
        b.press_escape().await?;
        import(&b, &file, "createNewCopies", false).await?;
        let reset = text_of(&b, "import-protection-reset").await?;
        ensure!(
            reset.contains("SOC overview"),
            "protection reset listed: {reset}"
        );
        b.screenshot("saved-objects-import-result").await?;
        let mut link = None;
        for candidate in b
            .driver
            .find_all(By::Css(format!("{} a", testid("import-protection-reset"))))
            .await?
        {
            if candidate.text().await? == "SOC overview" {
                link = Some(candidate);
            }
        }
        let link = link.context("the reset SOC overview links to its copy")?;
        let href = link.attr("href").await?.context("a link")?;
        let copy_id = href.rsplit('/').next().context("an id")?.to_string();
        ensure!(copy_id != "soc-overview", "a new copy has a new id");
        let ivan = profile_uid(&b, "ivan").await?;
        let copy = dashboard(&b, &admin, "/s/soc-emea", &copy_id).await?;
        ensure!(
            owner_of(&copy) == Some(ivan.as_str()),
            "the importer owns the copy: {copy}"
        );
        ensure!(mode_of(&copy) == "default", "the copy is editable: {copy}");
        Ok(())
    })
    .await
}

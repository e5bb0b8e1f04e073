//! The release build's page modules (`src/lazy_routes.rs`): opening Gatehouse on the leads page
//! fetches none of them, nor the module of its dialogs (`src/lazy_dialogs.rs`), and pointing at
//! an app's nav link fetches its module before the click.
//! Needs the split release build: run with `cargo xtask test`.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const LEADS_PAGE: &str = "/app/security/entity_analytics";

/// Whether the page has fetched a file whose URL contains `name` (Resource Timing).
async fn fetched(b: &Browser, name: &str) -> Result<bool> {
    let answer = b
        .driver
        .execute(
            "return performance.getEntriesByType('resource').some((e) => e.name.includes(arguments[0]));",
            vec![serde_json::Value::String(name.to_string())],
        )
        .await?;
    Ok(answer.json().as_bool() == Some(true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pointing_at_an_app_fetches_its_module_before_the_click() -> Result<()> {
    const MANAGEMENT: &str = "split_management_pages";
    run(|b| async move {
        b.goto(LEADS_PAGE).await?;
        b.sign_in("elastic").await?;
        let leads_shown = format!("{}, {}", testid("lead-card"), testid("leads-empty"));
        b.wait_for(&leads_shown, TIMEOUT)
            .await
            .context("the leads page is open")?;
        ensure!(
            fetched(&b, "main_bg.wasm").await?,
            "the main module was fetched (is this the split release build?)"
        );
        for module in [
            MANAGEMENT,
            "split_dashboards_pages",
            "split_dev_tools_pages",
            "split_search_pages",
            // A lead's detail and "Why?" (`src/lazy_dialogs.rs`): fetched when one first opens.
            "split_dialog_bodies",
        ] {
            ensure!(
                !fetched(&b, module).await?,
                "the leads page fetched no page or dialog module, yet {module} was"
            );
        }

        let link = b.wait_for_testid("nav-management", TIMEOUT).await?;
        b.driver
            .action_chain()
            .move_to_element_center(&link)
            .perform()
            .await?;
        let started = Instant::now();
        while !fetched(&b, MANAGEMENT).await? {
            if started.elapsed() > TIMEOUT {
                bail!("pointing at Management did not fetch its module");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ensure!(b.path().await? == LEADS_PAGE, "pointing does not navigate");
        ensure!(
            !fetched(&b, "split_dev_tools_pages").await?,
            "only the module pointed at is fetched"
        );
        link.click().await?;
        b.wait_for_testid("users-table", TIMEOUT)
            .await
            .context("Management opens on the users page")?;
        b.assert_no_crash().await?;
        Ok(())
    })
    .await
}

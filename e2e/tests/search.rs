//! Document-level permissions in a real browser: two users run the same query and see different
//! runbooks; an administrator gives one of them `ir-team` and that user's next search shows the
//! runbook that was hidden, with no trace of it before.

use std::time::{Duration, Instant};

mod common;

use anyhow::{bail, ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const QUERY_PAGE: &str = "/app/search?q=ransomware";
/// Ransomware containment and recovery: allowed to `ir-team` only.
const IR_RUNBOOK: &str = "rb-002";

/// The ids of the results once the answer for the query is on the page.
async fn result_ids(b: &Browser) -> Result<Vec<String>> {
    b.wait_for_testid("search-total", TIMEOUT)
        .await
        .context("the result count appears")?;
    let started = Instant::now();
    loop {
        let results = b.driver.find_all(By::Css(testid("search-result"))).await?;
        if !results.is_empty() {
            let mut ids = Vec::new();
            for r in results {
                ids.push(r.attr("data-document-id").await?.unwrap_or_default());
            }
            return Ok(ids);
        }
        if started.elapsed() > TIMEOUT {
            bail!("no results for the query");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn search_as(b: &Browser, user: &str) -> Result<(Vec<String>, String)> {
    if sign_out_if_signed_in(b).await? {
        b.wait_for("#login-username", TIMEOUT).await?;
    }
    sign_in_at(b, QUERY_PAGE, user).await?;
    let ids = result_ids(b).await?;
    let total = text_of(b, "search-total").await?;
    Ok((ids, total))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_query_shows_each_user_what_they_may_see() -> Result<()> {
    run(|b| async move {
        let (ir_lead, _) = search_as(&b, "leads_full_user").await?;
        ensure!(ir_lead.iter().any(|id| id == IR_RUNBOOK), "ir-team sees the ransomware runbook: {ir_lead:?}");
        b.screenshot("search-ir-team").await?;

        let (reader, total_before) = search_as(&b, "leads_read_user").await?;
        ensure!(!reader.iter().any(|id| id == IR_RUNBOOK), "without ir-team it is hidden: {reader:?}");
        ensure!(reader.len() < ir_lead.len(), "fewer results, and the count says so: {reader:?} vs {ir_lead:?}");
        let page = b.driver.source().await?;
        ensure!(!page.contains("Ransomware containment"), "not even its title leaks into the page");

        // An administrator maps leads_read_user to ir-team; the next search shows the runbook.
        let admin = api_session(&b, "elastic").await?;
        let runbooks = runbooks_source(&b, &admin).await?;
        let response = admin
            .post(b.url(&format!("/api/ws/v1/sources/{runbooks}/external_identities")))
            .header("kbn-xsrf", "true")
            .json(&serde_json::json!({
                "external_user_id": "reader-on-call",
                "external_user_properties": [{"attribute_name": "_elasticsearch_username", "attribute_value": "leads_read_user"}],
                "permissions": ["ir-team"]
            }))
            .send()
            .await?;
        ensure_ok(&response, "identity created")?;

        b.goto(QUERY_PAGE).await?;
        let started = Instant::now();
        loop {
            let ids = result_ids(&b).await?;
            if ids.iter().any(|id| id == IR_RUNBOOK) {
                break;
            }
            if started.elapsed() > TIMEOUT {
                bail!("the runbook did not appear after ir-team was granted: {ids:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let total_after = text_of(&b, "search-total").await?;
        ensure!(total_after != total_before, "the count grew: {total_before:?} → {total_after:?}");
        b.screenshot("search-after-grant").await?;
        Ok(())
    })
    .await
}

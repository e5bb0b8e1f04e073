//! Server strings are text, never HTML: a dashboard titled with markup that would run script, and
//! a searchable document carrying the same, are shown literally in every place they appear, and no
//! script runs.

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const IMG: &str = r#"<img src=x onerror="window.__pwned='img'">"#;
const SCRIPT: &str = r#"<script>window.__pwned='script'</script>"#;

async fn pwned(b: &Browser) -> Result<Option<String>> {
    let value = b
        .driver
        .execute(
            "return window.__pwned === undefined ? null : String(window.__pwned);",
            Vec::new(),
        )
        .await?;
    Ok(value.json().as_str().map(str::to_string))
}

/// Elements the markup would have created if it had been parsed as HTML.
async fn injected_elements(b: &Browser) -> Result<usize> {
    Ok(b.driver
        .find_all(By::Css("main img[src='x'], main script"))
        .await?
        .len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_titles_and_documents_is_shown_as_text() -> Result<()> {
    run(|b| async move {
        let title = format!("Q3 {IMG} review {SCRIPT}");
        let admin = api_session(&b, "elastic").await?;
        let created: serde_json::Value = admin
            .post(b.url("/api/dashboards"))
            .header("kbn-xsrf", "true")
            .header("elastic-api-version", "2023-10-31")
            .json(&serde_json::json!({ "data": { "title": title, "description": IMG, "panels": [{"title": SCRIPT, "type": "metric"}] } }))
            .send()
            .await?
            .json()
            .await?;
        let id = created["id"].as_str().context("dashboard created")?.to_string();

        sign_in_at(&b, "/app/dashboards", "elastic").await?;
        b.goto("/app/dashboards").await?;
        let row = b.wait_for(&format!("{}[data-dashboard-id='{id}']", testid("dashboard-row")), TIMEOUT).await?;
        let text = row.text().await?;
        ensure!(text.contains(IMG), "the list shows the title literally: {text:?}");
        ensure!(pwned(&b).await?.is_none() && injected_elements(&b).await? == 0, "nothing ran in the list");

        b.goto(&format!("/app/dashboards/view/{id}")).await?;
        let heading = text_of(&b, "dashboard-title").await?;
        ensure!(heading.contains(SCRIPT), "the page title is literal: {heading:?}");
        b.wait_for_testid("dashboard-panels", TIMEOUT).await?;
        ensure!(pwned(&b).await?.is_none() && injected_elements(&b).await? == 0, "nothing ran on the page");

        // A searchable document with the same markup, found through its highlighted snippet.
        let runbooks = runbooks_source(&b, &admin).await?;
        let response = admin
            .post(b.url(&format!("/api/ws/v1/sources/{runbooks}/documents/bulk_create")))
            .header("kbn-xsrf", "true")
            .json(&serde_json::json!([{ "id": "xss-1", "title": format!("Zebrafish {IMG}"), "body": format!("zebrafish notes {SCRIPT} end") }]))
            .send()
            .await?;
        ensure_ok(&response, "document stored")?;
        b.goto("/app/search?q=zebrafish").await?;
        let result = b.wait_for_testid("search-result", TIMEOUT).await?;
        let text = result.text().await?;
        ensure!(text.contains("<img"), "the search result shows the markup as text: {text:?}");
        ensure!(pwned(&b).await?.is_none() && injected_elements(&b).await? == 0, "nothing ran in search");
        b.screenshot("injection-search").await?;
        Ok(())
    })
    .await
}

//! The role editor's "Check" (docs/administration.md, "Checking index rows before saving"):
//! elastic types a document query in an index row, asks the server, and sees how many of the
//! leads it can read the query lets through; an unsupported clause is refused by name, under the
//! row, before and on save, with the query left as typed; a good query saves.

mod common;

use anyhow::{ensure, Context, Result};
use common::*;
use gatehouse_api::text::thousands;
use gatehouse_e2e::{run, testid, Browser, TIMEOUT};

const ROLES_PAGE: &str = "/app/management/security/roles";
const ROLE: &str = "host_hunters";
const HOSTS: &str = r#"{"term": {"entity.type": "host"}}"#;
const UNSUPPORTED: &str = r#"{"geo_shape": {"location": {}}}"#;

/// Every lead of the default space, and the host leads among them, as elastic reads them.
async fn lead_counts(b: &Browser) -> Result<(usize, usize)> {
    let admin = api_session(b, "elastic").await?;
    let (mut all, mut hosts) = (0, 0);
    for page in 1.. {
        let body = leads_api_get(
            b,
            &admin,
            &format!("/internal/entity_analytics/leads?perPage=100&page={page}"),
        )
        .await?;
        let leads = body["leads"].as_array().cloned().unwrap_or_default();
        if leads.is_empty() {
            break;
        }
        all += leads.len();
        hosts += leads
            .iter()
            .filter(|l| l["entity"]["type"] == "host")
            .count();
    }
    Ok((all, hosts))
}

async fn type_query(b: &Browser, query: &str) -> Result<()> {
    let field = b.wait_for(&testid("role-index-query"), TIMEOUT).await?;
    field.clear().await?;
    field.send_keys(query).await?;
    Ok(())
}

async fn check_says(b: &Browser, needle: &str) -> Result<String> {
    click_testid(b, "role-index-check").await?;
    wait_for_text(b, &testid("role-index-check-result"), needle, TIMEOUT).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_editor_checks_a_document_query_against_the_server() -> Result<()> {
    run(|b| async move {
        generate_leads(&b).await?;
        let (all, hosts) = lead_counts(&b).await?;
        ensure!(0 < hosts && hosts < all, "{hosts} host leads of {all}");

        sign_in_at(&b, ROLES_PAGE, "elastic").await?;
        click_testid(&b, "role-create").await?;
        let name = b.wait_for(&testid("role-name"), TIMEOUT).await?;
        name.send_keys(ROLE).await?;
        b.wait_for(&testid("role-index-names"), TIMEOUT)
            .await?
            .send_keys(".entity_analytics.entity-leads-*")
            .await?;
        click(
            &b,
            &format!("{} input[value=read]", testid("role-index-privileges")),
        )
        .await?;
        click_testid(&b, "role-index-dls").await?;
        type_query(&b, HOSTS).await?;

        let expected = format!(
            "lets {} of {} leads in this space through",
            thousands(hosts as u64),
            thousands(all as u64)
        );
        let said = check_says(&b, &expected).await?;
        ensure!(said.starts_with("Accepted"), "{said}");
        b.screenshot("role-check-accepted").await?;

        type_query(&b, UNSUPPORTED).await?;
        let said = check_says(&b, "geo_shape").await?;
        ensure!(!said.contains("Accepted"), "refused: {said}");
        let typed = b
            .wait_for(&testid("role-index-query"), TIMEOUT)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        ensure!(typed == UNSUPPORTED, "the query stays as typed: {typed:?}");
        b.screenshot("role-check-refused").await?;

        // Saving checks first: the refused row stops it, the editor stays with the message.
        type_query(&b, r#"{"script": {"script": "true"}}"#).await?;
        click_testid(&b, "role-save").await?;
        wait_for_text(&b, &testid("role-index-check-result"), "script", TIMEOUT)
            .await
            .context("saving shows the refusal under the row")?;
        ensure!(
            b.is_shown(&testid("role-editor")).await?,
            "the editor is still open"
        );

        type_query(&b, HOSTS).await?;
        click_testid(&b, "role-save").await?;
        b.wait_for(
            &format!("{}[data-role={ROLE}]", testid("role-row")),
            TIMEOUT,
        )
        .await
        .context("the role with the good query is saved")?;
        Ok(())
    })
    .await
}

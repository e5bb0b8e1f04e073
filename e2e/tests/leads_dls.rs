//! Document- and field-level security in the browser (docs/privileges.md, "Document- and
//! field-level security"): a user whose only leads grant is `read` on host leads, without their
//! priority, sees host leads only, each with the priority shown as not there rather than as a P0.

mod common;

use anyhow::{ensure, Result};
use common::*;
use gatehouse_e2e::{run, Browser, PASSWORD, TIMEOUT};
use serde_json::{json, Value};

const LEADS_PAGE: &str = "/app/security/entity_analytics";
const ROLE: &str = "hosts_without_priority";
const USER: &str = "hoster";

/// `elastic` creates the role (hosts only, every field but `priority`) and a user holding it.
async fn create_restricted_user(b: &Browser) -> Result<()> {
    let admin = api_session(b, "elastic").await?;
    let role = json!({
        "elasticsearch": { "indices": [{
            "names": [".entity_analytics.entity-leads-*"],
            "privileges": ["read"],
            "query": r#"{"term":{"entity.type":"host"}}"#,
            "field_security": { "grant": ["*"], "except": ["priority"] },
        }] },
        "kibana": [{ "base": ["all"], "spaces": ["*"] }],
    });
    api_write(
        admin.put(b.url(&format!("/api/security/role/{ROLE}"))),
        &role,
        "the role is saved",
    )
    .await?;
    let user = json!({ "username": USER, "password": PASSWORD, "roles": [ROLE], "full_name": "Host Hunter" });
    api_write(
        admin.post(b.url(&format!("/internal/security/users/{USER}"))),
        &user,
        "the user is created",
    )
    .await
}

/// The number of active leads `user` is told there are.
async fn total_for(b: &Browser, user: &str) -> Result<u64> {
    let client = api_session(b, user).await?;
    let page = leads_api_get(
        b,
        &client,
        "/internal/entity_analytics/leads?status=active&perPage=1",
    )
    .await?;
    Ok(page["total"].as_u64().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_query_and_field_security_shape_the_leads_page() -> Result<()> {
    run(|b| async move {
        generate_leads(&b).await?;
        create_restricted_user(&b).await?;
        let everyone = total_for(&b, "leads_full_user").await?;
        let hosts = total_for(&b, USER).await?;
        ensure!(
            0 < hosts && hosts < everyone,
            "the query lets some leads through, not all: {hosts} of {everyone}"
        );

        sign_in_at(&b, LEADS_PAGE, USER).await?;
        b.wait_for_path(LEADS_PAGE, TIMEOUT).await?;
        b.wait_for_testid("lead-card", TIMEOUT).await?;
        let cards: Value = b
            .driver
            .execute(
                r#"return Array.from(document.querySelectorAll('[data-testid="lead-card"]')).map(card => ({
                    kind: (card.querySelector('.lead-entity .sr-only') || {}).textContent || '',
                    badge: (card.querySelector('.priority-badge') || {}).textContent || '',
                    title: (card.querySelector('.lead-title') || {}).textContent || '',
                }))"#,
                vec![],
            )
            .await?
            .json()
            .clone();
        let cards = cards.as_array().cloned().unwrap_or_default();
        ensure!(!cards.is_empty(), "host leads are shown");
        ensure!(
            cards.len() as u64 <= hosts,
            "no more cards ({}) than the user's total ({hosts})",
            cards.len()
        );
        for card in &cards {
            ensure!(
                card["kind"].as_str().is_some_and(|k| k.trim() == "host"),
                "only host leads: {card}"
            );
            ensure!(
                card["badge"] == "P–",
                "the priority the role leaves out is shown as not there, not as P0: {card}"
            );
            ensure!(
                card["title"].as_str().is_some_and(|t| !t.trim().is_empty()),
                "titles are kept: {card}"
            );
        }
        b.screenshot("leads-dls-hosts-without-priority").await?;

        // Effective access says why: the grant behind the leads covers hosts, without priority.
        b.goto("/app/access").await?;
        b.wait_for_testid("access-data-grant", TIMEOUT).await?;
        let grant: Value = b
            .driver
            .execute(
                r#"const row = document.querySelector('[data-testid="access-data-grant"]');
                   document.querySelector('[data-testid="access-data"]').scrollIntoView();
                   return { role: row.dataset.role, text: row.textContent };"#,
                vec![],
            )
            .await?
            .json()
            .clone();
        ensure!(grant["role"] == ROLE, "the grant names the role: {grant}");
        let text = grant["text"].as_str().unwrap_or_default();
        ensure!(
            text.contains("entity.type is host"),
            "the documents it covers, in plain words: {text}"
        );
        ensure!(
            text.contains("All fields except priority"),
            "the fields it covers: {text}"
        );
        b.screenshot("leads-dls-effective-access").await?;
        Ok(())
    })
    .await
}

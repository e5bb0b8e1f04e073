//! What the browser tests do over plain HTTP: an administrator acting elsewhere, or a user
//! calling the API directly to prove the server refuses what the UI hides.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use gatehouse_e2e::{Browser, PASSWORD};

/// How long a generation run may take on a busy machine.
#[allow(
    dead_code,
    reason = "each test file compiles this module; not all generate leads"
)]
const GENERATION: Duration = Duration::from_secs(60);

/// A cookie-holding HTTP client signed in as `user`, for what an administrator does elsewhere.
pub async fn api_session(b: &Browser, user: &str) -> Result<reqwest::Client> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let login = client
        .post(b.url("/internal/security/login"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(&serde_json::json!({
            "providerType": "basic", "providerName": "basic", "currentURL": "/",
            "params": { "username": user, "password": PASSWORD }
        }))
        .send()
        .await?;
    ensure!(
        login.status().is_success(),
        "{user} logs in over the API: {}",
        login.status()
    );
    Ok(client)
}

/// Generates leads for `leads_full_user` over the API and waits until they are stored.
#[allow(
    dead_code,
    reason = "each test file compiles this module; not all generate leads"
)]
pub async fn generate_leads(b: &Browser) -> Result<()> {
    let client = api_session(b, "leads_full_user").await?;
    let started = client
        .post(b.url("/internal/entity_analytics/leads/generate"))
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .header("elastic-api-version", "1")
        .json(&serde_json::json!({ "connectorId": "gatehouse-default" }))
        .send()
        .await?;
    ensure!(
        started.status().is_success(),
        "generation starts: {}",
        started.status()
    );
    let begun = Instant::now();
    loop {
        let status: serde_json::Value = client
            .get(b.url("/internal/entity_analytics/leads/status"))
            .header("x-elastic-internal-origin", "Kibana")
            .header("elastic-api-version", "1")
            .send()
            .await?
            .json()
            .await?;
        if status["totalLeads"].as_u64().is_some_and(|n| n > 0) {
            return Ok(());
        }
        if begun.elapsed() > GENERATION {
            bail!("no leads after {GENERATION:?}: {status}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

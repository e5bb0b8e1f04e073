//! What the browser tests do over plain HTTP: an administrator acting elsewhere, or a user
//! calling the API directly to prove the server refuses what the UI hides.

use anyhow::{ensure, Result};
use gatehouse_e2e::{Browser, PASSWORD};

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

//! What the browser tests do over plain HTTP: an administrator acting elsewhere, or a user
//! calling the API directly to prove the server refuses what the UI hides; and the few browser
//! steps every page's tests take (click, wait for a text, sign out).
#![allow(
    dead_code,
    reason = "each test file compiles this module and uses part of it"
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use gatehouse_e2e::thirtyfour::prelude::*;
use gatehouse_e2e::{testid, Browser, FaultKind, PASSWORD, TIMEOUT};
use gatehouse_server::faults::FaultRule;

/// How long a generation run may take on a busy machine.
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
    ensure_ok(&login, &format!("{user} logs in over the API"))?;
    Ok(client)
}

/// Fails with `what` and the status unless the server answered with a success.
pub fn ensure_ok(response: &reqwest::Response, what: &str) -> Result<()> {
    ensure!(
        response.status().is_success(),
        "{what}: {}",
        response.status()
    );
    Ok(())
}

/// Generates leads for `leads_full_user` over the API and waits until they are stored.
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
    ensure_ok(&started, "generation starts")?;
    let begun = Instant::now();
    loop {
        let status = leads_api_get(b, &client, "/internal/entity_analytics/leads/status").await?;
        if status["totalLeads"].as_u64().is_some_and(|n| n > 0) {
            return Ok(());
        }
        if begun.elapsed() > GENERATION {
            bail!("no leads after {GENERATION:?}: {status}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A leads route's JSON answer to `client` (with the headers the SPA sends).
pub async fn leads_api_get(
    b: &Browser,
    client: &reqwest::Client,
    path: &str,
) -> Result<serde_json::Value> {
    Ok(client
        .get(b.url(path))
        .header("x-elastic-internal-origin", "Kibana")
        .header("elastic-api-version", "1")
        .send()
        .await?
        .json()
        .await?)
}

/// A write with the headers Kibana asks of the SPA, sent as `client`; fails with `what` unless it
/// succeeds.
pub async fn api_write(
    request: reqwest::RequestBuilder,
    body: &serde_json::Value,
    what: &str,
) -> Result<()> {
    let response = request
        .header("kbn-xsrf", "true")
        .header("x-elastic-internal-origin", "Kibana")
        .json(body)
        .send()
        .await?;
    ensure_ok(&response, what)
}

/// Waits for the element matching `selector` and clicks it.
pub async fn click(b: &Browser, selector: &str) -> Result<()> {
    b.wait_for(selector, TIMEOUT)
        .await?
        .click()
        .await
        .with_context(|| format!("clicking {selector}"))
}

/// Waits for the element with this test id and clicks it.
pub async fn click_testid(b: &Browser, id: &str) -> Result<()> {
    click(b, &testid(id)).await
}

/// Signs out through the header when someone is signed in; true when it did.
pub async fn sign_out_if_signed_in(b: &Browser) -> Result<bool> {
    if !b.is_shown(&testid("sign-out")).await? {
        return Ok(false);
    }
    click_testid(b, "sign-out").await?;
    Ok(true)
}

/// Polls `check` every 100 ms until it holds; how long that took, or an error naming `what`
/// once `timeout` has passed.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let started = Instant::now();
    loop {
        if check().await? {
            return Ok(started.elapsed());
        }
        if started.elapsed() > timeout {
            bail!("{what}: not within {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until an element matching `selector` contains `needle`; its whole text.
pub async fn wait_for_text(
    b: &Browser,
    selector: &str,
    needle: &str,
    timeout: Duration,
) -> Result<String> {
    let started = Instant::now();
    let mut seen = Vec::new();
    loop {
        seen.clear();
        for el in b.driver.find_all(By::Css(selector)).await? {
            let text = el.text().await.unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
            seen.push(text);
        }
        if started.elapsed() > timeout {
            bail!("timed out after {timeout:?} waiting for `{selector}` to contain {needle:?}; saw {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many elements match `selector` now.
pub async fn count(b: &Browser, selector: &str) -> Result<usize> {
    Ok(b.driver.find_all(By::Css(selector)).await?.len())
}

/// The id of the seeded Runbooks source, as `admin` lists the sources.
pub async fn runbooks_source(b: &Browser, admin: &reqwest::Client) -> Result<String> {
    let sources: serde_json::Value = admin
        .get(b.url("/api/ws/v1/sources"))
        .send()
        .await?
        .json()
        .await?;
    let list = sources["results"]
        .as_array()
        .or(sources.as_array())
        .cloned()
        .unwrap_or_default();
    Ok(list
        .iter()
        .find(|s| s["name"] == "Runbooks")
        .and_then(|s| s["id"].as_str())
        .context("the seeded Runbooks source")?
        .to_string())
}

/// Waits for the element with this test id and reads its text.
pub async fn text_of(b: &Browser, id: &str) -> Result<String> {
    Ok(b.wait_for_testid(id, TIMEOUT).await?.text().await?)
}

/// Opens `path`, which sends a signed-out browser to the login page, and signs in as `user`.
pub async fn sign_in_at(b: &Browser, path: &str, user: &str) -> Result<()> {
    b.goto(path).await?;
    b.sign_in(user).await?;
    Ok(())
}

/// The leads section's connector picker once it is open: it stays closed until the list and the
/// space's choice are read.
pub async fn connector_picker(b: &Browser) -> Result<WebElement> {
    let picker = b.wait_for_testid("leads-connector", TIMEOUT).await?;
    let started = Instant::now();
    while !picker.is_enabled().await? {
        if started.elapsed() > TIMEOUT {
            bail!("the connector picker never opened");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(picker)
}

/// Chooses the server's built-in connector in the leads section's picker, as a user does, and
/// waits for the server to have taken it (Generate stays closed until then).
pub async fn choose_connector(b: &Browser) -> Result<()> {
    connector_picker(b)
        .await?
        .find(By::Css("option[value=\"gatehouse-default\"]"))
        .await
        .context("the built-in connector is offered")?
        .click()
        .await?;
    wait_for_text(b, &testid("toast"), "Connector chosen", TIMEOUT)
        .await
        .context("the choice is saved")?;
    Ok(())
}

/// Lets the browser save downloads into `dir` (headless Chromium refuses them otherwise).
pub async fn allow_downloads(b: &Browser, dir: &Path) -> Result<()> {
    b.driver
        .cdp()
        .send_raw(
            "Browser.setDownloadBehavior",
            serde_json::json!({ "behavior": "allow", "downloadPath": dir.display().to_string() }),
        )
        .await?;
    Ok(())
}

/// Waits for the finished download `name` in `dir` and reads it.
pub async fn downloaded(dir: &Path, name: &str) -> Result<(PathBuf, String)> {
    let path = dir.join(name);
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if text.trim_end().ends_with('}') {
                return Ok((path, text));
            }
        }
        if started.elapsed() > TIMEOUT {
            bail!("no download at {} after {TIMEOUT:?}", path.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A fault on every file of the app's wasm modules and their JS (`/gatehouse-…/`): the release
/// build's names (`src/lazy_routes.rs`).
pub fn on_page_modules(kind: FaultKind, stall_seconds: Option<u64>) -> FaultRule {
    FaultRule {
        method: Some("GET".into()),
        stall_seconds,
        ..FaultRule::new("/gatehouse-", kind)
    }
}

/// [`on_page_modules`] on the next page load: the browser asks for the app's files again instead
/// of taking them from its cache, so the fault reaches them.
pub async fn fault_page_modules_uncached(
    b: &Browser,
    kind: FaultKind,
    stall_seconds: Option<u64>,
) -> Result<()> {
    let cdp = b.driver.cdp();
    cdp.send_raw("Network.enable", serde_json::json!({}))
        .await?;
    cdp.send_raw(
        "Network.setCacheDisabled",
        serde_json::json!({ "cacheDisabled": true }),
    )
    .await?;
    b.set_faults(vec![on_page_modules(kind, stall_seconds)])
        .await?;
    Ok(())
}

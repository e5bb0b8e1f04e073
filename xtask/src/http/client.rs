//! One client for every request bench and soak make through reqwest: signed in as a demo user,
//! no redirects followed, and every request with the headers the SPA's carry.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use gatehouse_api::headers::{
    required_headers, strip_space_prefix, API_VERSION, INTERNAL_API_VERSION, INTERNAL_ORIGIN,
    INTERNAL_ORIGIN_VALUE, KBN_XSRF,
};
use gatehouse_api::leads::LEADS_BASE;
use gatehouse_api::security::{LoginRequest, LOGIN_PATH};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;

/// Every demo user's password.
pub const PASSWORD: &str = "changeme";

/// The headers the SPA sends with a request (`src/api/mod.rs`), by the server's own rules
/// (`gatehouse_api::headers`): `kbn-xsrf` on writes, the internal origin on `/internal/*`,
/// `elastic-api-version: 1` on the leads routes; and the session cookie, when there is one.
pub fn spa_headers<'a>(method: &str, path: &str, cookie: &'a str) -> Vec<(&'static str, &'a str)> {
    let required = required_headers(method, path);
    let mut headers = Vec::with_capacity(4);
    if required.internal_origin {
        headers.push((INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE));
    }
    if strip_space_prefix(path).0.starts_with(LEADS_BASE) {
        headers.push((API_VERSION, INTERNAL_API_VERSION));
    }
    if required.xsrf {
        headers.push((KBN_XSRF, "true"));
    }
    if !cookie.is_empty() {
        headers.push(("cookie", cookie));
    }
    headers
}

/// A reqwest client on one server, signed in as one user (or not yet). Clones share the
/// connection pool and the session.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    /// The `sid=…` cookie pair; empty before [`Client::login`].
    cookie: String,
}

impl Client {
    /// A client of the server at `base` (`http://127.0.0.1:port`), signed in as nobody.
    fn anonymous(base: &str) -> Result<Client> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(1)
            .build()
            .context("http client")?;
        Ok(Client {
            http,
            base: base.to_string(),
            cookie: String::new(),
        })
    }

    /// Signs in as `user` (password `changeme`) with a connection pool of its own.
    pub async fn login(base: &str, user: &str) -> Result<Client> {
        let mut client = Client::anonymous(base)?;
        let answer = client
            .request(Method::POST, LOGIN_PATH)
            .json(&LoginRequest::basic(user, PASSWORD, "/login"))
            .send()
            .await
            .with_context(|| format!("login as {user}"))?;
        if !answer.status().is_success() {
            bail!("login as {user}: {}", answer.status());
        }
        client.cookie = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|p| p.starts_with("sid="))
            .with_context(|| format!("login as {user} set no sid cookie"))?
            .to_string();
        Ok(client)
    }

    /// The session cookie pair, `sid=…`.
    pub fn cookie(&self) -> &str {
        &self.cookie
    }

    /// `http://host:port` of the server.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A request to `path` (with its query) on the server, with the SPA's headers.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let bare = path.split('?').next().unwrap_or(path);
        spa_headers(method.as_str(), bare, &self.cookie)
            .into_iter()
            .fold(
                self.http.request(method, format!("{}{path}", self.base)),
                |request, (name, value)| request.header(name, value),
            )
    }

    /// GETs `path` and reads its JSON answer, which must be a success.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let answer = self
            .request(Method::GET, path)
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        if !answer.status().is_success() {
            bail!("GET {path}: {}", answer.status());
        }
        answer.json().await.with_context(|| format!("GET {path}"))
    }

    /// Sends a JSON body to `path`; fails with the answer's status and text unless it succeeded.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
        what: &str,
    ) -> Result<()> {
        let answer = self
            .request(method, path)
            .json(body)
            .send()
            .await
            .with_context(|| what.to_string())?;
        if !answer.status().is_success() {
            bail!(
                "{what}: {}: {}",
                answer.status(),
                answer.text().await.unwrap_or_default()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_the_headers_the_spa_sends() {
        assert_eq!(
            spa_headers("GET", "/internal/entity_analytics/leads", "sid=a"),
            [
                (INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE),
                (API_VERSION, INTERNAL_API_VERSION),
                ("cookie", "sid=a")
            ]
        );
        assert_eq!(
            spa_headers("POST", "/internal/security/login", ""),
            [(INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE), (KBN_XSRF, "true")]
        );
        assert_eq!(
            spa_headers("PUT", "/api/dashboards/d1", "sid=b"),
            [(KBN_XSRF, "true"), ("cookie", "sid=b")]
        );
        assert_eq!(
            spa_headers(
                "GET",
                "/s/team/internal/entity_analytics/leads/privileges",
                ""
            ),
            [
                (INTERNAL_ORIGIN, INTERNAL_ORIGIN_VALUE),
                (API_VERSION, INTERNAL_API_VERSION)
            ]
        );
    }
}

//! Running Gatehouse for a team (README, "Running Gatehouse for your team"): the status a load
//! balancer polls, the configuration file under the flags and environment variables, the form of
//! the logs, and how browsers reach the server (HTTPS here or at a proxy in front). HTTPS itself is
//! served by `platform/tls.rs` and `platform/connections.rs`.

pub mod config_file;
pub mod logging;
pub mod status;

use anyhow::bail;

/// Whether browsers reach the server over HTTPS: its own certificate (`tls`), or a proxy in front
/// that terminates TLS at `public_url`. Checks `public_url` is an `http://` or `https://` address
/// with a host, refusing anything else (a typo such as `htps://` must not leave cookies without
/// `Secure`).
pub fn served_over_https(tls: bool, public_url: Option<&str>) -> anyhow::Result<bool> {
    let Some(url) = public_url else {
        return Ok(tls);
    };
    let lower = url.to_ascii_lowercase();
    let (https, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        bail!("--public-url {url} must start with https:// (or http://)");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("--public-url {url} has no host, or has spaces in it");
    }
    Ok(tls || https)
}

#[cfg(test)]
mod tests {
    use super::served_over_https;

    #[test]
    fn https_comes_from_our_certificate_or_the_proxy_s_public_url() {
        assert!(!served_over_https(false, None).unwrap());
        assert!(served_over_https(true, None).unwrap());
        assert!(served_over_https(false, Some("https://gatehouse.example.com")).unwrap());
        assert!(served_over_https(false, Some("HTTPS://gatehouse.example.com/base/")).unwrap());
        assert!(!served_over_https(false, Some("http://gatehouse.internal:5601")).unwrap());
        assert!(served_over_https(true, Some("http://gatehouse.internal")).unwrap());
    }

    #[test]
    fn a_public_url_that_is_not_one_is_refused() {
        for bad in [
            "htps://x",
            "gatehouse.example.com",
            "https://",
            "https:///path",
            "https://a b",
        ] {
            assert!(served_over_https(false, Some(bad)).is_err(), "{bad}");
        }
    }
}

//! Request headers and their values, as Kibana expects them (docs/headers-and-errors.md).

pub const KBN_XSRF: &str = "kbn-xsrf";
pub const INTERNAL_ORIGIN: &str = "x-elastic-internal-origin";
pub const INTERNAL_ORIGIN_VALUE: &str = "Kibana";
pub const API_VERSION: &str = "elastic-api-version";
/// Versioned internal routes (all leads routes).
pub const INTERNAL_API_VERSION: &str = "1";
/// Public versioned routes (`/api/dashboards`, `/api/security/role`, `/api/spaces`).
pub const PUBLIC_API_VERSION: &str = "2023-10-31";
pub const SESSION_COOKIE: &str = "sid";

/// Which of Kibana's headers a request to `path` must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequiredHeaders {
    pub xsrf: bool,
    pub internal_origin: bool,
}

pub fn required_headers(method: &str, path: &str) -> RequiredHeaders {
    let bare = strip_space_prefix(path).0;
    RequiredHeaders {
        xsrf: !matches!(method.to_ascii_uppercase().as_str(), "GET" | "HEAD"),
        internal_origin: bare.starts_with("/internal/"),
    }
}

/// Splits `/s/{space}/rest` into (`/rest`, Some(space)); other paths come back unchanged.
pub fn strip_space_prefix(path: &str) -> (&str, Option<&str>) {
    if let Some(rest) = path.strip_prefix("/s/") {
        let (id, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return (if tail.is_empty() { "/" } else { tail }, Some(id));
        }
    }
    (path, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_get_requests_need_xsrf_and_internal_routes_need_origin() {
        assert_eq!(
            required_headers("post", "/internal/entity_analytics/leads/generate"),
            RequiredHeaders {
                xsrf: true,
                internal_origin: true
            }
        );
        assert_eq!(
            required_headers("GET", "/api/dashboards"),
            RequiredHeaders {
                xsrf: false,
                internal_origin: false
            }
        );
        assert!(required_headers("GET", "/s/soc-emea/internal/security/me").internal_origin);
    }

    #[test]
    fn space_prefix_is_stripped_only_for_valid_ids() {
        assert_eq!(
            strip_space_prefix("/s/soc-emea/app/x"),
            ("/app/x", Some("soc-emea"))
        );
        assert_eq!(strip_space_prefix("/s/abc"), ("/", Some("abc")));
        assert_eq!(strip_space_prefix("/s/Bad/app"), ("/s/Bad/app", None));
        assert_eq!(strip_space_prefix("/app/x"), ("/app/x", None));
    }
}

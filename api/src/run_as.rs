//! "View as": a request that carries [`RUN_AS_HEADER`] is answered as that user, read-only
//! (docs/view-as.md). This module holds what the SPA and the server must agree on: the header,
//! which requests only read, and the two refusals' texts.

use serde::{Deserialize, Serialize};

use crate::headers::strip_space_prefix;
use crate::query_string;

/// Elasticsearch's run-as header: the user the request is answered as.
pub const RUN_AS_HEADER: &str = "es-security-runas-user";
/// The longest header value accepted (a username is at most 507 characters; docs/view-as.md).
pub const MAX_RUN_AS_BYTES: usize = 1_024;
/// The Elasticsearch action a refused run-as names: Kibana authenticates every request, with the
/// header, before it does anything else.
pub const RUN_AS_ACTION: &str = "cluster:admin/xpack/security/user/authenticate";

/// `POST` routes that only read (their body is a query, not a change), without the `/s/{space}`
/// prefix. Every other method but GET and HEAD changes something.
pub const READ_ONLY_POST_PATHS: &[&str] = &[
    crate::security::CAPABILITIES_PATH,
    crate::dashboards::BULK_GET_PROFILES_PATH,
    crate::dashboards::SUGGEST_PROFILES_PATH,
    crate::admin::ROLES_QUERY_PATH,
    crate::admin::ROLE_CHECK_INDICES_PATH,
    crate::access::EXPLAIN_PATH,
    crate::search::SEARCH_PATH,
    crate::panels::PANELS_QUERY_PATH,
    crate::saved_objects::EXPORT_PATH,
    crate::saved_objects::BULK_GET_PATH,
];

/// Elasticsearch requests of the console that only read although sent with `POST`
/// (docs/console.md), as the console writes their path.
const READ_ONLY_ES_POST_PATHS: &[&str] = &["_security/user/_has_privileges"];

fn is_reading_method(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

/// Whether a request (`path_and_query` as sent, with or without `/s/{space}`) only reads, and so
/// may be answered while viewing as another user. Unsure means no: a request this list does not
/// understand is refused, never let through.
pub fn is_read_only(method: &str, path_and_query: &str) -> bool {
    if is_reading_method(method) {
        return true;
    }
    if !method.eq_ignore_ascii_case("POST") {
        return false;
    }
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let path = strip_space_prefix(path).0;
    if READ_ONLY_POST_PATHS.contains(&path) {
        return true;
    }
    path == crate::admin::CONSOLE_PROXY_PATH && console_request_reads(query)
}

/// A console proxy request (`?path=&method=`) reads when the request it carries does: a GET or
/// HEAD, an Elasticsearch `POST` that only reads, or a `kbn:` route that only reads. A repeated
/// or undecodable parameter is not understood, so not read-only.
fn console_request_reads(query: &str) -> bool {
    let Some(pairs) = query_string::pairs(query) else {
        return false;
    };
    let single = |name: &str| {
        let mut values = pairs.iter().filter(|(key, _)| key == name);
        match (values.next(), values.next()) {
            (Some((_, value)), None) => Some(value.as_str()),
            _ => None,
        }
    };
    let (Some(method), Some(path)) = (single("method"), single("path")) else {
        return false;
    };
    if let Some(kibana_path) = path.strip_prefix("kbn:") {
        // The console refuses to call itself; never recurse into it here either.
        let bare = kibana_path.trim_start_matches('/');
        let proxy = crate::admin::CONSOLE_PROXY_PATH.trim_start_matches('/');
        return !bare.starts_with(proxy) && is_read_only(method, &format!("/{bare}"));
    }
    if is_reading_method(method) {
        return true;
    }
    let es_path = path.split(['?', '#']).next().unwrap_or("");
    method.eq_ignore_ascii_case("POST")
        && READ_ONLY_ES_POST_PATHS.contains(&es_path.trim_matches('/'))
}

/// The 403 message of any write while `caller` views as `name`.
pub fn read_only_message(name: &str, caller: &str) -> String {
    format!(
        "Viewing as [{name}] is read-only: [{caller}] cannot change anything while viewing as another user."
    )
}

/// Elasticsearch's reason when `caller` (with `roles`) may not run as `name`: the same for a
/// user that does not exist or is disabled, so the answer never tells which.
pub fn run_as_denied_reason(action: &str, caller: &str, roles: &[String], name: &str) -> String {
    format!(
        "action [{action}] is unauthorized for user [{caller}] with effective roles [{}], because user [{caller}] is unauthorized to run as [{name}]",
        roles.join(",")
    )
}

/// Who is viewing: `me`'s `run_by` while a request runs as another user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunBy {
    pub username: String,
    #[serde(default)]
    pub full_name: Option<String>,
}

/// A realm as Elasticsearch names it in `_authenticate` and Kibana's `me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Realm {
    pub name: String,
    #[serde(rename = "type")]
    pub realm_type: String,
}

/// Gatehouse's one realm: users stored in its own database.
pub const REALM_NAME: &str = "gatehouse";
pub const REALM_TYPE: &str = "native";

impl Realm {
    pub fn gatehouse() -> Realm {
        Realm {
            name: REALM_NAME.into(),
            realm_type: REALM_TYPE.into(),
        }
    }
}

/// The fields `GET /internal/security/me` carries besides [`crate::security::AuthenticatedUser`]'s:
/// read from the same body. `run_by` is present only while viewing as another user: then the
/// body's user is the viewed one, `run_by` the one viewing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MeRealms {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_realm: Option<Realm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_realm: Option<Realm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_by: Option<RunBy>,
}

/// Why a run-as header value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunAsHeaderError {
    Empty,
    TooLong { bytes: usize },
    NotText,
}

impl RunAsHeaderError {
    /// The 400 message naming the header.
    pub fn message(&self) -> String {
        match self {
            RunAsHeaderError::Empty => format!("[{RUN_AS_HEADER}]: the user name may not be empty"),
            RunAsHeaderError::TooLong { bytes } => format!(
                "[{RUN_AS_HEADER}]: value has length [{bytes}] but it must have a maximum length of [{MAX_RUN_AS_BYTES}]."
            ),
            RunAsHeaderError::NotText => {
                format!("[{RUN_AS_HEADER}]: the user name must be UTF-8 text")
            }
        }
    }
}

/// The user name a run-as header value names, checked for size first.
pub fn run_as_name(value: &[u8]) -> Result<&str, RunAsHeaderError> {
    if value.len() > MAX_RUN_AS_BYTES {
        return Err(RunAsHeaderError::TooLong { bytes: value.len() });
    }
    let name = std::str::from_utf8(value).map_err(|_| RunAsHeaderError::NotText)?;
    if name.trim().is_empty() {
        return Err(RunAsHeaderError::Empty);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pass_and_writes_do_not() {
        assert!(is_read_only("GET", "/api/dashboards"));
        assert!(is_read_only("head", "/s/soc-emea/api/dashboards"));
        assert!(!is_read_only("PUT", "/api/dashboards/x"));
        assert!(!is_read_only("DELETE", "/api/security/role/r"));
        assert!(!is_read_only("PATCH", "/api/saved_objects/_bulk_get"));
        assert!(!is_read_only("POST", "/api/dashboards"));
        assert!(!is_read_only(
            "POST",
            "/internal/entity_analytics/leads/generate"
        ));
        assert!(!is_read_only("POST", "/api/saved_objects/_import"));
    }

    #[test]
    fn posts_that_only_read_pass_in_every_space() {
        for path in READ_ONLY_POST_PATHS {
            assert!(is_read_only("POST", path), "{path}");
            assert!(
                is_read_only("POST", &format!("/s/soc-emea{path}")),
                "{path}"
            );
            assert!(is_read_only("POST", &format!("{path}?x=1")), "{path}");
        }
        assert!(!is_read_only("POST", "/api/core/capabilities/"));
        assert!(!is_read_only("POST", "/s/Bad/api/core/capabilities"));
    }

    #[test]
    fn console_requests_read_when_what_they_carry_reads() {
        let proxy = crate::admin::CONSOLE_PROXY_PATH;
        let reads = |query: &str| is_read_only("POST", &format!("{proxy}?{query}"));
        assert!(reads("path=_security%2Fuser&method=GET"));
        assert!(reads("method=head&path=_security/role"));
        assert!(reads("path=_security/user/_has_privileges&method=POST"));
        assert!(reads("path=kbn:/api/dashboards&method=GET"));
        assert!(reads("path=kbn:api/saved_objects/_bulk_get&method=POST"));
        assert!(!reads("path=_security/user/victor&method=PUT"));
        assert!(!reads("path=_security/role/x&method=POST"));
        assert!(!reads("path=kbn:/api/dashboards&method=POST"));
        assert!(
            !reads("path=kbn:/api/console/proxy%3Fpath%3Dx%26method%3DGET&method=POST"),
            "never through the console again"
        );
        assert!(!reads("path=_security/user&method=GET&method=PUT"));
        assert!(!reads("path=_security/user&path=_x&method=GET"));
        assert!(!reads("path=_security/user"));
        assert!(!reads("path=%zz&method=GET"));
        assert!(!is_read_only("PUT", &format!("{proxy}?path=_x&method=GET")));
    }

    #[test]
    fn refusal_texts_name_both_users() {
        assert_eq!(
            read_only_message("victor", "elastic"),
            "Viewing as [victor] is read-only: [elastic] cannot change anything while viewing as another user."
        );
        assert_eq!(
            run_as_denied_reason(RUN_AS_ACTION, "bob", &["viewer".into(), "x".into()], "victor"),
            "action [cluster:admin/xpack/security/user/authenticate] is unauthorized for user [bob] with effective roles [viewer,x], because user [bob] is unauthorized to run as [victor]"
        );
    }

    #[test]
    fn me_says_who_is_viewing_only_while_viewing() {
        let viewing: MeRealms = serde_json::from_str(
            r#"{"username":"victor","roles":["viewer"],"authentication_provider":{"type":"basic","name":"basic"},
                "authentication_realm":{"name":"gatehouse","type":"native"},
                "lookup_realm":{"name":"gatehouse","type":"native"},
                "run_by":{"username":"elastic","full_name":"Elastic Admin"}}"#,
        )
        .unwrap_or_default();
        assert_eq!(
            viewing.run_by,
            Some(RunBy {
                username: "elastic".into(),
                full_name: Some("Elastic Admin".into())
            })
        );
        assert_eq!(viewing.lookup_realm, Some(Realm::gatehouse()));
        let own: MeRealms = serde_json::from_str(r#"{"username":"victor"}"#).unwrap_or_default();
        assert_eq!(own.run_by, None);
    }

    #[test]
    fn header_values_have_a_size_and_are_text() {
        assert_eq!(run_as_name(b"victor"), Ok("victor"));
        assert_eq!(run_as_name(b" "), Err(RunAsHeaderError::Empty));
        assert_eq!(run_as_name(&[0xff]), Err(RunAsHeaderError::NotText));
        let long = vec![b'a'; MAX_RUN_AS_BYTES + 1];
        assert_eq!(
            run_as_name(&long),
            Err(RunAsHeaderError::TooLong { bytes: 1_025 })
        );
        assert!(run_as_name(&long).unwrap_err().message().contains("[1025]"));
        assert!(run_as_name(&long[..MAX_RUN_AS_BYTES]).is_ok());
    }
}

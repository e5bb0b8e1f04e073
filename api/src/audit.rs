//! The audit log as the API serves it (docs/audit-log.md): the list query and its validation
//! (the SPA builds the same query string from [`AuditQuery`]), the page answered, one event as the
//! audit file writes it, and the action names.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::query_string;

pub const AUDIT_PATH: &str = "/internal/gatehouse/security/audit";
pub const AUDIT_EXPORT_PATH: &str = "/internal/gatehouse/security/audit/_export";
/// The download's file name (`Content-Disposition: attachment`).
pub const EXPORT_FILE_NAME: &str = "gatehouse-audit.ndjson";
pub const EXPORT_CONTENT_TYPE: &str = "application/x-ndjson";
/// `true` on an export that stopped at [`MAX_EXPORT_EVENTS`].
pub const TRUNCATED_HEADER: &str = "x-gatehouse-truncated";
/// The most events one export carries, newest first; narrow the filters for older ones.
pub const MAX_EXPORT_EVENTS: usize = 10_000;
/// The capability (`GET /api/core/capabilities`, section `management`, key `security.audit_log`
/// as Kibana nests it: `{"management":{"security":{"audit_log":true}}}`).
pub const CAPABILITY_SECTION: &str = "management";
pub const CAPABILITY_APP: &str = "security";
pub const CAPABILITY_KEY: &str = "audit_log";

pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 500;
/// Pages beyond this are refused (page × perPage stays bounded); narrow the time range instead.
pub const MAX_PAGE: u32 = 10_000;
/// The longest value of any one query parameter.
pub const MAX_VALUE_BYTES: usize = 1_024;

/// The actions the server records, as Kibana and Elasticsearch name them.
/// The details key of an event that stands for many refusals, counted rather than recorded one
/// by one (docs/audit-log.md, "Refusals in bulk"): how many.
pub const REFUSALS_COUNTED: &str = "refusals_counted";

pub mod actions {
    pub const USER_LOGIN: &str = "user_login";
    pub const USER_LOGOUT: &str = "user_logout";
    pub const RUN_AS_GRANTED: &str = "run_as_granted";
    pub const RUN_AS_DENIED: &str = "run_as_denied";
    pub const USER_CREATE: &str = "user_create";
    pub const USER_UPDATE: &str = "user_update";
    pub const USER_DELETE: &str = "user_delete";
    pub const USER_PASSWORD_CHANGE: &str = "user_password_change";
    pub const USER_DISABLE: &str = "user_disable";
    pub const USER_ENABLE: &str = "user_enable";
    pub const ROLE_PUT: &str = "role_put";
    pub const ROLE_DELETE: &str = "role_delete";
    pub const SPACE_CREATE: &str = "space_create";
    pub const SPACE_UPDATE: &str = "space_update";
    pub const SPACE_DELETE: &str = "space_delete";
    pub const SAVED_OBJECT_CREATE: &str = "saved_object_create";
    pub const SAVED_OBJECT_UPDATE: &str = "saved_object_update";
    pub const SAVED_OBJECT_DELETE: &str = "saved_object_delete";
    pub const UPDATE_OBJECTS_OWNER: &str = "saved_object_update_objects_owner";
    pub const UPDATE_OBJECTS_ACCESS_MODE: &str = "saved_object_update_objects_access_mode";
    pub const SOURCE_CREATE: &str = "ws_source_create";
    pub const SOURCE_DELETE: &str = "ws_source_delete";
    pub const DOCUMENTS_CREATE: &str = "ws_documents_bulk_create";
    pub const DOCUMENTS_DESTROY: &str = "ws_documents_bulk_destroy";
    pub const IDENTITY_CREATE: &str = "ws_identity_create";
    pub const IDENTITY_UPDATE: &str = "ws_identity_update";
    pub const IDENTITY_DELETE: &str = "ws_identity_delete";
    pub const LEADS_CONNECTOR_UPDATE: &str = "entity_analytics_leads_connector_update";

    /// Every action above, for a filter's choices (the query accepts any name).
    pub const ALL: &[&str] = &[
        USER_LOGIN,
        USER_LOGOUT,
        RUN_AS_GRANTED,
        RUN_AS_DENIED,
        USER_CREATE,
        USER_UPDATE,
        USER_DELETE,
        USER_PASSWORD_CHANGE,
        USER_DISABLE,
        USER_ENABLE,
        ROLE_PUT,
        ROLE_DELETE,
        SPACE_CREATE,
        SPACE_UPDATE,
        SPACE_DELETE,
        SAVED_OBJECT_CREATE,
        SAVED_OBJECT_UPDATE,
        SAVED_OBJECT_DELETE,
        UPDATE_OBJECTS_OWNER,
        UPDATE_OBJECTS_ACCESS_MODE,
        SOURCE_CREATE,
        SOURCE_DELETE,
        DOCUMENTS_CREATE,
        DOCUMENTS_DESTROY,
        IDENTITY_CREATE,
        IDENTITY_UPDATE,
        IDENTITY_DELETE,
        LEADS_CONNECTOR_UPDATE,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    Success,
    Failure,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
        }
    }

    pub fn parse(text: &str) -> Option<AuditOutcome> {
        match text {
            "success" => Some(AuditOutcome::Success),
            "failure" => Some(AuditOutcome::Failure),
            _ => None,
        }
    }
}

/// What to list: every filter is optional and they all apply together. Text filters match
/// exactly; `object_id` matches an event that names that id among its objects; `from`/`to` are
/// inclusive bounds in milliseconds since the epoch (ISO-8601 instants on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    pub user: Option<String>,
    pub effective_user: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<AuditOutcome>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub space: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// `GET` [`AUDIT_PATH`]'s query: the filter and the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub filter: AuditFilter,
    /// 1-based, at most [`MAX_PAGE`].
    pub page: u32,
    /// 1..=[`MAX_PER_PAGE`].
    pub per_page: u32,
}

impl Default for AuditQuery {
    fn default() -> Self {
        Self {
            filter: AuditFilter::default(),
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

/// A refused query: the parameter and why, for a 400 that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQueryError {
    pub parameter: String,
    pub reason: String,
}

impl AuditQueryError {
    fn new(parameter: &str, reason: impl Into<String>) -> Self {
        Self {
            parameter: crate::text::cut_with_ellipsis(parameter, 64),
            reason: reason.into(),
        }
    }

    /// Kibana's validation message: `[request query.perPage]: …`.
    pub fn message(&self) -> String {
        format!("[request query.{}]: {}", self.parameter, self.reason)
    }
}

impl std::fmt::Display for AuditQueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

const TEXT_PARAMETERS: &[&str] = &[
    "user",
    "effectiveUser",
    "action",
    "objectType",
    "objectId",
    "space",
];

impl AuditFilter {
    fn text_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "user" => &mut self.user,
            "effectiveUser" => &mut self.effective_user,
            "action" => &mut self.action,
            "objectType" => &mut self.object_type,
            "objectId" => &mut self.object_id,
            "space" => &mut self.space,
            _ => return None,
        })
    }

    fn text(&self, name: &str) -> Option<&str> {
        match name {
            "user" => self.user.as_deref(),
            "effectiveUser" => self.effective_user.as_deref(),
            "action" => self.action.as_deref(),
            "objectType" => self.object_type.as_deref(),
            "objectId" => self.object_id.as_deref(),
            "space" => self.space.as_deref(),
            _ => None,
        }
    }

    /// The filter's parameters, percent-encoded, in a fixed order (only those set).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> = TEXT_PARAMETERS
            .iter()
            .filter_map(|name| self.text(name).map(|value| (*name, value.to_string())))
            .collect();
        if let Some(outcome) = self.outcome {
            pairs.push(("outcome", outcome.as_str().to_string()));
        }
        if let Some(from) = self.from_ms {
            pairs.push(("from", format_instant(from)));
        }
        if let Some(to) = self.to_ms {
            pairs.push(("to", format_instant(to)));
        }
        pairs
    }

    /// `user=…&…` for the filter alone (the export's query).
    pub fn to_query_string(&self) -> String {
        join_pairs(self.to_pairs())
    }
}

fn join_pairs(pairs: Vec<(&'static str, String)>) -> String {
    pairs
        .into_iter()
        .map(|(name, value)| format!("{name}={}", query_string::encode_component(&value)))
        .collect::<Vec<_>>()
        .join("&")
}

impl AuditQuery {
    /// Reads a raw query string (without `?`). Empty values count as absent (a form's empty
    /// field); unknown, repeated, oversized or malformed parameters are refused by name. With
    /// `paged: false` (the export) `page` and `perPage` are unknown parameters.
    pub fn parse(raw: &str, paged: bool) -> Result<AuditQuery, AuditQueryError> {
        let mut query = AuditQuery::default();
        let mut seen: Vec<String> = Vec::new();
        for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            if raw_name.len() > MAX_VALUE_BYTES || raw_value.len() > 3 * MAX_VALUE_BYTES {
                let name = query_string::decode_component(raw_name)
                    .unwrap_or_else(|| raw_name.to_string());
                return Err(AuditQueryError::new(
                    &name,
                    format!("value must have a maximum length of [{MAX_VALUE_BYTES}] bytes."),
                ));
            }
            let name = query_string::decode_component(raw_name).ok_or_else(|| {
                AuditQueryError::new(raw_name, "is not valid percent-encoded UTF-8.")
            })?;
            let value = query_string::decode_component(raw_value).ok_or_else(|| {
                AuditQueryError::new(&name, "is not valid percent-encoded UTF-8.")
            })?;
            if value.len() > MAX_VALUE_BYTES {
                return Err(AuditQueryError::new(
                    &name,
                    format!(
                        "value has length [{}] but it must have a maximum length of [{MAX_VALUE_BYTES}].",
                        value.len()
                    ),
                ));
            }
            if seen.contains(&name) {
                return Err(AuditQueryError::new(&name, "may be given only once."));
            }
            seen.push(name.clone());
            query.set(&name, value, paged)?;
        }
        if let (Some(from), Some(to)) = (query.filter.from_ms, query.filter.to_ms) {
            if from > to {
                return Err(AuditQueryError::new("from", "must not be later than [to]."));
            }
        }
        Ok(query)
    }

    fn set(&mut self, name: &str, value: String, paged: bool) -> Result<(), AuditQueryError> {
        if let Some(slot) = self.filter.text_mut(name) {
            *slot = Some(value).filter(|v| !v.is_empty());
            return Ok(());
        }
        if value.is_empty() && name != "page" && name != "perPage" {
            return match name {
                "outcome" | "from" | "to" => Ok(()),
                _ => Err(AuditQueryError::new(
                    name,
                    "definition for this key is missing",
                )),
            };
        }
        match name {
            "outcome" => {
                self.filter.outcome = Some(AuditOutcome::parse(&value).ok_or_else(|| {
                    AuditQueryError::new(name, "must be one of [success, failure].")
                })?);
            }
            "from" | "to" => {
                let ms = parse_instant(&value).ok_or_else(|| {
                    AuditQueryError::new(
                        name,
                        "must be an ISO-8601 instant, e.g. 2026-01-02T03:04:05Z.",
                    )
                })?;
                if name == "from" {
                    self.filter.from_ms = Some(ms);
                } else {
                    self.filter.to_ms = Some(ms);
                }
            }
            "page" if paged => self.page = bounded_number(name, &value, MAX_PAGE)?,
            "perPage" if paged => self.per_page = bounded_number(name, &value, MAX_PER_PAGE)?,
            _ => {
                return Err(AuditQueryError::new(
                    name,
                    "definition for this key is missing",
                ))
            }
        }
        Ok(())
    }

    /// The query string the SPA sends (without `?`): the filter, then `page` and `perPage`.
    pub fn to_query_string(&self) -> String {
        let mut pairs = self.filter.to_pairs();
        pairs.push(("page", self.page.to_string()));
        pairs.push(("perPage", self.per_page.to_string()));
        join_pairs(pairs)
    }

    /// Rows skipped before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.per_page)
    }
}

fn bounded_number(name: &str, value: &str, max: u32) -> Result<u32, AuditQueryError> {
    let number: u64 = value.parse().map_err(|_| {
        AuditQueryError::new(name, format!("expected a whole number from 1 to {max}."))
    })?;
    if number < 1 {
        return Err(AuditQueryError::new(
            name,
            "Value must be equal to or greater than [1].",
        ));
    }
    if number > u64::from(max) {
        return Err(AuditQueryError::new(
            name,
            format!("Value must be equal to or lower than [{max}]."),
        ));
    }
    Ok(number as u32)
}

/// `GET` [`AUDIT_PATH`]'s answer: events newest first, `total` matching the filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub events: Vec<AuditEvent>,
}

/// One event: a line of the audit file, an item of the page, a line of the export. Fields this
/// type does not name are kept in `other`, so the full event survives a round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    #[serde(rename = "@timestamp")]
    pub timestamp: String,
    pub event: EventFields,
    pub user: UserFields,
    #[serde(default)]
    pub kibana: KibanaFields,
    #[serde(default)]
    pub message: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventFields {
    /// The row's id, on events read back from the table (the API and the export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub action: String,
    #[serde(default)]
    pub category: Vec<String>,
    #[serde(rename = "type", default)]
    pub kind: Vec<String>,
    pub outcome: AuditOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFields {
    /// Who sent the request (for a failed login: the name tried).
    pub name: String,
    /// Their profile uid, when known.
    #[serde(default)]
    pub id: Option<String>,
    /// The user the request ran as, while viewing as another user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<EffectiveUser>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveUser {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KibanaFields {
    #[serde(default)]
    pub space_id: String,
    #[serde(default)]
    pub saved_object: SavedObjectFields,
    #[serde(default)]
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SavedObjectFields {
    #[serde(rename = "type", default)]
    pub object_type: String,
    #[serde(default)]
    pub ids: Vec<String>,
}

/// Whether the capabilities say the caller may read the audit log
/// (`{"management":{"security":{"audit_log":true}}}`); absent means no.
pub fn may_read_audit_log(capabilities: &crate::security::Capabilities) -> bool {
    capabilities
        .0
        .get(CAPABILITY_SECTION)
        .and_then(|section| section.get(CAPABILITY_APP))
        .and_then(|app| app.get(CAPABILITY_KEY))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

impl AuditEvent {
    /// The name of whoever the request ran as: the effective user when viewing as one.
    pub fn effective_name(&self) -> &str {
        self.user
            .effective
            .as_ref()
            .map_or(self.user.name.as_str(), |e| e.name.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// ISO-8601 instants
// ---------------------------------------------------------------------------------------------

pub use crate::instant::format_instant;

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM[:SS[.fff…]](Z|±HH:MM)` (a space for the
/// `T` too), years 1970..=9999. A time without a zone is refused: the same text would mean
/// different instants.
pub fn parse_instant(text: &str) -> Option<i64> {
    crate::instant::read(text)
        .filter(|read| read.has_time && read.has_zone && (1970..=9999).contains(&read.year))
        .map(|read| read.millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(raw: &str) -> Result<AuditQuery, AuditQueryError> {
        AuditQuery::parse(raw, true)
    }

    #[test]
    fn an_empty_query_is_the_first_page_of_everything() {
        assert_eq!(parse(""), Ok(AuditQuery::default()));
        assert_eq!(
            parse("user=&action=&outcome=&from="),
            Ok(AuditQuery::default())
        );
    }

    #[test]
    fn every_filter_is_read_and_written_back_the_same() {
        let raw =
            "user=elastic&effectiveUser=victor%20v&action=run_as_granted&objectType=dashboard\
                   &objectId=a%2Fb&space=soc-emea&outcome=failure\
                   &from=2026-01-02T03:04:05Z&to=2026-01-03T00:00:00.5%2B01:00&page=3&perPage=500";
        let query = parse(raw).expect("valid");
        assert_eq!(query.filter.user.as_deref(), Some("elastic"));
        assert_eq!(query.filter.effective_user.as_deref(), Some("victor v"));
        assert_eq!(query.filter.object_id.as_deref(), Some("a/b"));
        assert_eq!(query.filter.outcome, Some(AuditOutcome::Failure));
        assert_eq!(query.filter.from_ms, Some(1_767_323_045_000));
        assert_eq!(query.filter.to_ms, Some(1_767_394_800_500));
        assert_eq!(
            (query.page, query.per_page, query.offset()),
            (3, 500, 1_000)
        );
        assert_eq!(parse(&query.to_query_string()), Ok(query.clone()));
        assert_eq!(
            AuditQuery::parse(&query.filter.to_query_string(), false).map(|q| q.filter),
            Ok(query.filter)
        );
    }

    #[test]
    fn bad_parameters_are_refused_by_name() {
        let refused = |raw: &str| parse(raw).map_err(|e| e.parameter);
        assert_eq!(refused("perPage=501"), Err("perPage".into()));
        assert_eq!(refused("perPage=0"), Err("perPage".into()));
        assert_eq!(refused("page=10001"), Err("page".into()));
        assert_eq!(refused("page=-1"), Err("page".into()));
        assert_eq!(refused("page=1.5"), Err("page".into()));
        assert_eq!(refused("outcome=maybe"), Err("outcome".into()));
        assert_eq!(refused("from=yesterday"), Err("from".into()));
        assert_eq!(
            refused("from=2026-01-02T03:04:05"),
            Err("from".into()),
            "no zone"
        );
        assert_eq!(refused("to=2026-02-30T00:00:00Z"), Err("to".into()));
        assert_eq!(
            refused("from=2026-01-03T00:00:00Z&to=2026-01-02T00:00:00Z"),
            Err("from".into())
        );
        assert_eq!(refused("colour=red"), Err("colour".into()));
        assert_eq!(refused("user=a&user=b"), Err("user".into()));
        assert_eq!(refused("user=%zz"), Err("user".into()));
        let long = format!("user={}", "a".repeat(MAX_VALUE_BYTES + 1));
        assert_eq!(refused(&long), Err("user".into()));
        let encoded = format!("user={}", "%41".repeat(MAX_VALUE_BYTES + 1));
        assert_eq!(refused(&encoded), Err("user".into()));
        assert!(parse(&format!("user={}", "a".repeat(MAX_VALUE_BYTES))).is_ok());
        assert_eq!(
            AuditQuery::parse("page=2", false).map_err(|e| e.parameter),
            Err("page".into()),
            "the export has no pages"
        );
        assert_eq!(
            parse("perPage=501").unwrap_err().message(),
            "[request query.perPage]: Value must be equal to or lower than [500]."
        );
    }

    #[test]
    fn instants_round_trip_and_honour_offsets() {
        for ms in [0, 1_767_323_045_678, 253_402_300_799_999] {
            assert_eq!(parse_instant(&format_instant(ms)), Some(ms));
        }
        assert_eq!(
            format_instant(1_767_323_045_678),
            "2026-01-02T03:04:05.678Z"
        );
        assert_eq!(
            parse_instant("2026-01-02T04:04:05+01:00"),
            parse_instant("2026-01-02T03:04:05Z")
        );
        assert_eq!(parse_instant("2024-02-29T00:00Z"), Some(1_709_164_800_000));
        assert_eq!(parse_instant("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_instant("2026-01-02T24:00:00Z"), None);
        assert_eq!(parse_instant("2026-01-02T03:04:05.1x2Z"), None);
        assert_eq!(parse_instant("1969-12-31T23:59:59Z"), None);
    }

    #[test]
    fn an_event_line_reads_with_its_effective_user_and_keeps_unknown_fields() {
        let line = json!({
            "@timestamp": "2026-01-02T03:04:05.678Z",
            "event": { "id": "42", "action": "run_as_granted", "category": ["authentication"],
                       "type": ["access"], "outcome": "success" },
            "user": { "name": "elastic", "id": "u_elastic_0", "effective": { "name": "victor" } },
            "kibana": { "space_id": "default", "saved_object": { "type": "", "ids": [] }, "details": {} },
            "message": "",
            "trace": { "id": "t" }
        });
        let event: AuditEvent = serde_json::from_value(line.clone()).expect("reads");
        assert_eq!(event.effective_name(), "victor");
        assert_eq!(event.event.id.as_deref(), Some("42"));
        assert_eq!(event.event.outcome, AuditOutcome::Success);
        assert_eq!(serde_json::to_value(&event).ok(), Some(line));
        let page: AuditPage = serde_json::from_value(json!({
            "page": 1, "perPage": 50, "total": 1, "events": [event.clone()]
        }))
        .expect("page reads");
        assert_eq!(page.events, vec![event]);
    }

    #[test]
    fn the_capability_is_read_where_kibana_nests_it() {
        let caps = |value: Value| {
            serde_json::from_value::<crate::security::Capabilities>(value).unwrap_or_default()
        };
        assert!(may_read_audit_log(&caps(
            json!({"management":{"show":true,"security":{"audit_log":true}}})
        )));
        assert!(!may_read_audit_log(&caps(
            json!({"management":{"security":{"audit_log":false}}})
        )));
        assert!(!may_read_audit_log(&caps(
            json!({"management":{"show":true}})
        )));
    }

    #[test]
    fn an_event_without_effective_user_names_its_caller() {
        let event: AuditEvent = serde_json::from_value(json!({
            "@timestamp": "2026-01-02T03:04:05.678Z",
            "event": { "action": "user_login", "outcome": "failure" },
            "user": { "name": "mallory" }
        }))
        .expect("reads");
        assert_eq!(event.effective_name(), "mallory");
        assert!(serde_json::to_value(&event)
            .map(|v| v["user"].get("effective").is_none())
            .unwrap_or(false));
    }
}

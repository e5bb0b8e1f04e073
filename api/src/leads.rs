//! Threat-hunting leads: wire types (docs/leads.md) and the privilege → UI decisions.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

pub mod changes;
pub mod connector;

pub use changes::{
    AnyLeadChanges, ChangeKind, ChangesDigest, ChangesQuery, LeadChange, LeadChanges, LeadMirror,
};
pub use connector::{ChooseConnectorRequest, ChosenConnector, Connector};

pub const LEADS_BASE: &str = "/internal/entity_analytics/leads";
/// The changes feed (after the space prefix): [`changes`].
pub const LEADS_CHANGES_PATH: &str = "/internal/entity_analytics/leads/changes";
/// The space's chosen connector, `GET` and `PUT` (after the space prefix): [`connector`].
pub const LEADS_CONNECTOR_PATH: &str = "/internal/entity_analytics/leads/connector";
/// Kibana's actions API listing connectors (after the space prefix; public, not versioned).
pub const CONNECTORS_PATH: &str = "/api/actions/connectors";
pub const LEADS_INDEX_PATTERN: &str = ".entity_analytics.entity-leads-*";
pub const MAX_PER_PAGE: u32 = 100;
pub const DEFAULT_PER_PAGE: u32 = 20;
/// The page sizes the leads list offers.
pub const PAGE_SIZES: [u32; 4] = [10, DEFAULT_PER_PAGE, 50, MAX_PER_PAGE];
/// Kibana polls every 2 s, about 75 times, before it gives up.
pub const STATUS_POLL_MS: u32 = 2_000;
pub const STATUS_POLL_ATTEMPTS: u32 = 75;

pub fn leads_index(space: &str) -> String {
    format!(".entity_analytics.entity-leads-{space}")
}

pub mod texts {
    pub const SECTION_TITLE: &str = "Top threat hunting leads";
    pub const GENERATE: &str = "Generate";
    pub const REGENERATE: &str = "Regenerate";
    pub const EMPTY_TITLE: &str = "No hunting leads yet";
    pub const EMPTY_BODY: &str =
        "Generate leads to surface proactive threat hunting opportunities from your entity data.";
    /// The empty state for a user who may read leads but not generate them: "Generate leads…"
    /// would point at a button that is closed to them.
    pub const EMPTY_BODY_READ_ONLY: &str =
        "Leads appear here once someone allowed to generate them runs lead generation in this space.";
    pub const GENERATE_STARTED: &str = "Lead generation started successfully";
    pub const GENERATE_FAILED: &str = "Failed to generate leads";
    pub const FETCH_FAILED: &str = "Failed to fetch hunting leads";
    pub const STATUS_FAILED: &str = "Failed to fetch lead generation status";
    pub const GENERATE_SLOW: &str =
        "Lead generation is taking longer than expected. Results will appear when ready.";
    pub const INSUFFICIENT_PRIVILEGES: &str = "Insufficient privileges";
    pub const GENERATE_DONE: &str = "Lead generation finished";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexPrivileges {
    #[serde(default)]
    pub read: bool,
    #[serde(default)]
    pub write: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadsPrivileges {
    #[serde(default)]
    pub privileges: Value,
    #[serde(default)]
    pub has_all_required: bool,
    pub has_read_permissions: bool,
    pub has_write_permissions: bool,
}

impl LeadsPrivileges {
    pub fn new(read: bool, write: bool) -> Self {
        let index = serde_json::json!({ LEADS_INDEX_PATTERN: { "read": read, "write": write } });
        Self {
            privileges: serde_json::json!({ "elasticsearch": { "index": index }, "kibana": {} }),
            has_all_required: read && write,
            has_read_permissions: read,
            has_write_permissions: write,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Privilege {
    Read,
    Write,
}

impl Privilege {
    pub fn as_str(self) -> &'static str {
        match self {
            Privilege::Read => "read",
            Privilege::Write => "write",
        }
    }
}

/// What the leads section may show, decided once from `/privileges` and narrowed by later 403s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadsAccess {
    /// Privileges not known yet: render skeletons, hide and disable nothing.
    Loading,
    /// No read: the section is not rendered and no leads request is sent.
    Hidden,
    /// Read without write: leads shown, Generate/Regenerate/Dismiss disabled with a reason.
    ReadOnly,
    Full,
}

impl LeadsAccess {
    pub fn from_privileges(privileges: &LeadsPrivileges) -> Self {
        match (
            privileges.has_read_permissions,
            privileges.has_write_permissions,
        ) {
            (false, _) => LeadsAccess::Hidden,
            (true, false) => LeadsAccess::ReadOnly,
            (true, true) => LeadsAccess::Full,
        }
    }

    /// A 403 on a call proves the privilege is gone, whatever `/privileges` said earlier.
    pub fn after_denial(self, denied: Privilege) -> Self {
        match denied {
            Privilege::Read => LeadsAccess::Hidden,
            Privilege::Write if self == LeadsAccess::Full => LeadsAccess::ReadOnly,
            Privilege::Write => self,
        }
    }

    /// Whether a privileges answer read again on a recheck changes the section: it differs from
    /// the answer last applied (`last`), or the section moved since (a refusal narrowed it, or it
    /// is still loading) to something this answer does not bear out. An unchanged answer changes
    /// nothing, so a recheck every few seconds neither redraws nor re-reads the leads.
    pub fn reread_applies(self, last: Option<&LeadsPrivileges>, answer: &LeadsPrivileges) -> bool {
        last != Some(answer) || LeadsAccess::from_privileges(answer) != self
    }

    pub fn may_fetch(self) -> bool {
        matches!(self, LeadsAccess::ReadOnly | LeadsAccess::Full)
    }

    pub fn is_rendered(self) -> bool {
        self != LeadsAccess::Hidden
    }

    /// Why writing is closed, or `None` when it is open (or not decided yet).
    pub fn write_block_reason(self) -> Option<String> {
        (self == LeadsAccess::ReadOnly)
            .then(|| missing_privilege_text(Privilege::Write, "generate leads"))
    }
}

pub fn missing_privilege_text(privilege: Privilege, to_do: &str) -> String {
    format!(
        "You need the {} privilege on {LEADS_INDEX_PATTERN} to {to_do}. Ask an administrator to add it to your role.",
        privilege.as_str()
    )
}

/// What the hidden section's note names as missing: what the server named when it refused to
/// read leads (the leads index's `read`, or the Kibana privilege a route is tagged with when the
/// Security feature privilege is what is missing), else the index privilege `/privileges` said
/// is missing.
pub fn hidden_requirement(denial_message: Option<&str>, space: &str) -> crate::access::Requirement {
    denial_message
        .and_then(|message| crate::access::Requirement::from_denial_message(message, space))
        .unwrap_or_else(|| leads_requirement(Privilege::Read))
}

/// What a denial of `privilege` on the leads index was missing, for "Why?": the privileges the
/// server's checks accept (`write` implies `index`, `all` implies both).
pub fn leads_requirement(privilege: Privilege) -> crate::access::Requirement {
    match privilege {
        Privilege::Read => crate::access::Requirement::index(LEADS_INDEX_PATTERN, &["read", "all"]),
        Privilege::Write => {
            crate::access::Requirement::index(LEADS_INDEX_PATTERN, &["index", "write", "all"])
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityRef {
    #[serde(rename = "type")]
    pub entity_type: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub module_id: String,
    #[serde(rename = "type", default)]
    pub observation_type: String,
    #[serde(default)]
    pub score: f64,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub confidence: f64,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub metadata: Value,
}

impl Observation {
    /// The line under an observation in a lead's detail: "spike detection · score 87 ·
    /// confidence 90%" (the SPA's detail and the server's first paint).
    pub fn meta_text(&self) -> String {
        // Whole numbers, rounded as `{:.0}` does, but without float formatting: its code is
        // ~9 KB gzip of the app's first download (BENCHMARKS.md section 1).
        let whole = |value: f64| value.round_ties_even() as i64;
        format!(
            "{} · score {} · confidence {}%",
            self.module_id.replace('_', " "),
            whole(self.score),
            whole(self.confidence * 100.0)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: String,
    /// Every field but `id` may be left out by a role's field-level security.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub byline: String,
    #[serde(default)]
    pub description: String,
    /// Newest Kibana sends `entity`, older ones `entities: [..]`; both are read, with no
    /// buffering of the whole lead (a page of 100 leads is parsed on every page switch).
    #[serde(default, alias = "entities", deserialize_with = "entity_or_first")]
    pub entity: Option<EntityRef>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub priority: u8,
    #[serde(default)]
    pub chat_recommendations: Vec<String>,
    #[serde(default)]
    pub timestamp: String,
    #[serde(default = "default_staleness")]
    pub staleness: String,
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default)]
    pub observations: Vec<Observation>,
    #[serde(default)]
    pub execution_uuid: String,
    #[serde(default)]
    pub source_type: String,
    /// When a run first found this lead (our server keeps leads between runs; `timestamp` is
    /// when one last found it). Absent from Kibana's leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// Each priority change a later run made, oldest first (at most
    /// [`MAX_PRIORITY_HISTORY`]). Absent when the priority never changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority_history: Vec<PriorityChange>,
}

/// How many priority changes a lead keeps (the oldest go first).
pub const MAX_PRIORITY_HISTORY: usize = 20;

/// One priority change: the priority a run gave the lead, and when. The time is `at`, not
/// `timestamp`, so the lead's own `timestamp` stays the only key of that name before its
/// observations (server/src/leads/store.rs `locate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityChange {
    pub priority: u8,
    pub at: String,
}

fn default_staleness() -> String {
    "fresh".into()
}

fn default_status() -> String {
    "active".into()
}

/// `entity: {..}` (newest), `entities: [{..}, ..]` (older Kibana: the first one) or `null`.
fn entity_or_first<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<EntityRef>, D::Error> {
    struct EntityVisitor;
    impl<'de> serde::de::Visitor<'de> for EntityVisitor {
        type Value = Option<EntityRef>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an entity object, a list of entities or null")
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            EntityRef::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let first = seq.next_element::<EntityRef>()?;
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(first)
        }
    }
    deserializer.deserialize_any(EntityVisitor)
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeadList(pub Vec<Lead>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadsPage {
    pub leads: LeadList,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadsStatus {
    #[serde(default)]
    pub is_enabled: bool,
    #[serde(default)]
    pub index_exists: bool,
    #[serde(default)]
    pub total_leads: u64,
    #[serde(default)]
    pub last_run: Option<String>,
    /// The space's chosen connector, `null` until one is chosen.
    #[serde(default)]
    pub connector_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_execution_uuid: Option<String>,
    #[serde(default)]
    pub last_error: Option<String>,
}

/// What one `/status` poll means for a generate run the user started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenerationProgress {
    Running,
    Succeeded,
    Failed(String),
}

impl LeadsStatus {
    pub fn progress_of(&self, execution_uuid: &str) -> GenerationProgress {
        if self.last_execution_uuid.as_deref() != Some(execution_uuid) {
            return GenerationProgress::Running;
        }
        match &self.last_error {
            Some(error) if !error.is_empty() => GenerationProgress::Failed(error.clone()),
            _ => GenerationProgress::Succeeded,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateRequest {
    pub connector_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_leads: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateResponse {
    pub execution_uuid: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuccessResponse {
    pub success: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkUpdateRequest {
    pub ids: Vec<String>,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkUpdateResponse {
    pub updated: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortField {
    #[default]
    Priority,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindLeadsQuery {
    pub page: u32,
    pub per_page: u32,
    pub sort_field: SortField,
    pub sort_order: SortOrder,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl Default for FindLeadsQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            sort_field: SortField::Priority,
            sort_order: SortOrder::Desc,
            status: Some("active".into()),
        }
    }
}

impl SortField {
    /// The lead field it sorts by, as the wire names it (`sortField=priority`).
    pub fn wire_name(self) -> &'static str {
        match self {
            SortField::Priority => "priority",
            SortField::Timestamp => "timestamp",
        }
    }
}

impl FindLeadsQuery {
    pub fn to_query_string(&self) -> String {
        let field = self.sort_field.wire_name();
        let order = match self.sort_order {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        };
        let mut query = format!(
            "page={}&perPage={}&sortField={field}&sortOrder={order}",
            self.page.max(1),
            self.per_page.clamp(1, MAX_PER_PAGE)
        );
        if let Some(status) = &self.status {
            query.push_str("&status=");
            query.push_str(status);
        }
        query
    }
}

/// Where a page of leads stands among all of them, as the pagination under the cards says it
/// (the SPA's and the server's first paint alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagePosition {
    pub page: u32,
    pub pages: u32,
    pub first: u64,
    pub last: u64,
    pub total: u64,
}

impl PagePosition {
    /// Page `page` (from 1) of `per_page` leads (clamped as the query is), of which `shown`
    /// came, out of `total`. There is always a page 1, if empty.
    pub fn new(page: u32, per_page: u32, shown: usize, total: u64) -> Self {
        let page = page.max(1);
        let per_page = u64::from(per_page.clamp(1, MAX_PER_PAGE));
        let pages = u32::try_from(total.div_ceil(per_page))
            .unwrap_or(u32::MAX)
            .max(1);
        let first = u64::from(page - 1) * per_page + 1;
        let last = (first + shown as u64).saturating_sub(1);
        Self {
            page,
            pages,
            first,
            last,
            total,
        }
    }

    /// "21–40 of 45".
    pub fn range_text(&self) -> String {
        format!("{}–{} of {}", self.first, self.last, self.total)
    }

    /// "Page 2 of 3".
    pub fn page_text(&self) -> String {
        format!("Page {} of {}", self.page, self.pages)
    }

    pub fn is_first(&self) -> bool {
        self.page <= 1
    }

    pub fn is_last(&self) -> bool {
        self.page >= self.pages
    }
}

/// How urgent a lead is, in words: the one rule the badge's colour, a lead's title ("High risk
/// host …") and its risk tag follow, so a card never says "Low risk" beside a P10 badge
/// (docs/leads.md "What a card says").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LeadLevel {
    Low,
    Moderate,
    High,
    Critical,
}

impl LeadLevel {
    /// P9–P10 critical, P7–P8 high, P4–P6 moderate, P1–P3 low.
    pub fn of_priority(priority: u8) -> Self {
        match priority {
            9.. => Self::Critical,
            7..=8 => Self::High,
            4..=6 => Self::Moderate,
            _ => Self::Low,
        }
    }

    /// The level of a 0–100 score, through the priority it gives ([`priority_of_score`]).
    pub fn of_score(score: f64) -> Self {
        Self::of_priority(priority_of_score(score))
    }

    /// As a title says it: `Critical`, `High`, `Moderate`, `Low`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Critical => "Critical",
            Self::High => "High",
            Self::Moderate => "Moderate",
            Self::Low => "Low",
        }
    }

    /// As Elasticsearch names severities: `critical`, `high`, `medium`, `low`.
    pub fn severity(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Moderate => "medium",
            Self::Low => "low",
        }
    }
}

/// Priority 1–10 of a 0–100 score: a tenth, rounded up (0 is priority 1, over 100 is 10).
pub fn priority_of_score(score: f64) -> u8 {
    if score.is_nan() {
        return 1;
    }
    (score / 10.0).ceil().clamp(1.0, 10.0) as u8
}

/// The priority badge's classes, with its colour (10 is the most urgent; [`LeadLevel`]).
pub fn priority_badge_class(priority: u8) -> &'static str {
    if priority == 0 {
        return "priority-badge priority-hidden";
    }
    match LeadLevel::of_priority(priority) {
        LeadLevel::Critical => "priority-badge priority-critical",
        LeadLevel::High => "priority-badge priority-high",
        LeadLevel::Moderate => "priority-badge priority-medium",
        LeadLevel::Low => "priority-badge priority-low",
    }
}

/// A lead's priority as its badge says it: `P1`…`P10`, or `P–` when the lead came without one.
/// Real leads are 1–10; a lead arrives without a priority when a role's field-level security
/// leaves the field out, and a "P0" would read as a real, low priority.
pub fn priority_badge_text(priority: u8) -> String {
    match priority {
        0 => "P–".to_string(),
        p => format!("P{p}"),
    }
}

/// The detail view's priority: `Priority 7`, or that it is not shown to this user.
pub fn priority_text(priority: u8) -> String {
    match priority {
        0 => "Priority not shown".to_string(),
        p => format!("Priority {p}"),
    }
}

/// A lead's title, or a stand-in when field-level security left it out (a card's title is the
/// button that opens it: it must say something).
pub fn title_text(title: &str) -> &str {
    if title.trim().is_empty() {
        "Title not shown"
    } else {
        title
    }
}

/// The staleness label's classes: "staleness staleness-fresh".
pub fn staleness_class(staleness: &str) -> String {
    format!("staleness staleness-{staleness}")
}

/// The entity type's icon: a CSS mask over an inline SVG (style/main.css).
pub fn entity_icon_class(entity_type: &str) -> &'static str {
    match entity_type {
        "host" => "entity-icon entity-icon-host",
        "user" => "entity-icon entity-icon-user",
        "service" => "entity-icon entity-icon-service",
        _ => "entity-icon entity-icon-other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_observations_line_names_its_module_and_whole_numbers_rounded_as_format_would() {
        let mut observation: Observation = serde_json::from_value(serde_json::json!({
            "moduleId": "risk_analysis", "score": 86.5, "confidence": 0.905,
        }))
        .expect("an observation");
        assert_eq!(
            observation.meta_text(),
            format!(
                "risk analysis · score {:.0} · confidence {:.0}%",
                86.5_f64,
                0.905_f64 * 100.0
            )
        );
        for (score, confidence) in [(0.4, 0.0), (99.5, 1.0), (100.0, 0.125), (2.5, 0.333)] {
            observation.score = score;
            observation.confidence = confidence;
            assert!(observation.meta_text().ends_with(&format!(
                "score {score:.0} · confidence {:.0}%",
                confidence * 100.0
            )));
        }
    }

    #[test]
    fn leads_without_a_priority_or_title_say_so_instead_of_showing_p0_or_nothing() {
        assert_eq!(priority_badge_text(7), "P7");
        assert_eq!(priority_badge_text(0), "P–");
        assert_eq!(priority_text(10), "Priority 10");
        assert_eq!(priority_text(0), "Priority not shown");
        assert!(priority_badge_class(0).contains("priority-hidden"));
        assert!(priority_badge_class(1).contains("priority-low"));
        assert_eq!(title_text("Risky host"), "Risky host");
        assert_eq!(title_text(" "), "Title not shown");
    }

    #[test]
    fn a_hidden_section_names_the_privilege_the_server_refused() {
        use crate::access::Requirement;
        let feature = "API [GET /internal/entity_analytics/leads] is unauthorized for user, this action is granted by the Kibana privileges [securitySolution-entity-analytics]";
        assert_eq!(
            hidden_requirement(Some(feature), "default"),
            Requirement::KibanaApi {
                tag: "securitySolution-entity-analytics".into(),
                space: "default".into()
            }
        );
        let index = "security_exception: action [indices:data/read/search] is unauthorized for user [u] with effective roles [r] on indices [.entity_analytics.entity-leads-default], this action is granted by the index privileges [read,all]";
        assert_eq!(
            hidden_requirement(Some(index), "default"),
            Requirement::index(".entity_analytics.entity-leads-default", &["read", "all"])
        );
        // `/privileges` said no read, or the refusal named nothing: the index pattern's read.
        assert_eq!(
            hidden_requirement(None, "default"),
            leads_requirement(Privilege::Read)
        );
        assert_eq!(
            hidden_requirement(Some("Forbidden"), "default"),
            leads_requirement(Privilege::Read)
        );
    }

    #[test]
    fn the_badge_colour_and_the_level_word_are_one_rule() {
        let levels: Vec<(u8, &str, &str)> = (1..=10)
            .map(|p| {
                let level = LeadLevel::of_priority(p);
                (p, level.label(), priority_badge_class(p))
            })
            .collect();
        for (p, label, class) in &levels {
            let colour = match *label {
                "Critical" => "priority-critical",
                "High" => "priority-high",
                "Moderate" => "priority-medium",
                _ => "priority-low",
            };
            assert!(class.ends_with(colour), "P{p}: {label} but {class}");
        }
        // A tenth of the score, rounded up, with the ends held.
        assert_eq!(priority_of_score(0.0), 1);
        assert_eq!(priority_of_score(10.0), 1);
        assert_eq!(priority_of_score(10.1), 2);
        assert_eq!(priority_of_score(150.0), 10);
        assert_eq!(priority_of_score(f64::NAN), 1);
        assert_eq!(LeadLevel::of_score(80.0), LeadLevel::High);
        assert_eq!(LeadLevel::of_score(81.0), LeadLevel::Critical);
    }

    #[test]
    fn a_reread_applies_only_what_changed() {
        let read = LeadsPrivileges::new(true, false);
        let full = LeadsPrivileges::new(true, true);
        let none = LeadsPrivileges::new(false, false);
        // The same answer on a section that shows it: nothing to do.
        assert!(!LeadsAccess::ReadOnly.reread_applies(Some(&read), &read));
        assert!(!LeadsAccess::Hidden.reread_applies(Some(&none), &none));
        // Granted: read, then write, without a role being renamed.
        assert!(LeadsAccess::Hidden.reread_applies(Some(&none), &read));
        assert!(LeadsAccess::ReadOnly.reread_applies(Some(&read), &full));
        // Taken away.
        assert!(LeadsAccess::Full.reread_applies(Some(&full), &read));
        // A refusal narrowed the section although the answer did not change: the answer wins
        // again once the server says the privilege is there.
        assert!(LeadsAccess::ReadOnly.reread_applies(Some(&full), &full));
        assert!(LeadsAccess::Hidden.reread_applies(Some(&read), &read));
        // The first answer.
        assert!(LeadsAccess::Loading.reread_applies(None, &read));
        // Same booleans, other index privileges (another index of the pattern): a new answer.
        let mut other = read.clone();
        other.privileges =
            serde_json::json!({ "elasticsearch": { "index": { "other-*": { "read": true } } } });
        assert!(LeadsAccess::ReadOnly.reread_applies(Some(&read), &other));
    }

    #[test]
    fn access_follows_the_two_booleans() {
        for (read, write, access) in [
            (false, true, LeadsAccess::Hidden),
            (true, false, LeadsAccess::ReadOnly),
            (true, true, LeadsAccess::Full),
        ] {
            assert_eq!(
                LeadsAccess::from_privileges(&LeadsPrivileges::new(read, write)),
                access,
                "read {read}, write {write}"
            );
        }
    }

    #[test]
    fn privileges_parse_whatever_the_index_key() {
        let body = r#"{"privileges":{"elasticsearch":{"index":{".entity_analytics.entity-leads-default":{"read":true,"write":false}}},"kibana":{}},"has_all_required":false,"has_read_permissions":true,"has_write_permissions":false}"#;
        let privileges: LeadsPrivileges = serde_json::from_str(body).expect("contract body parses");
        assert_eq!(
            LeadsAccess::from_privileges(&privileges),
            LeadsAccess::ReadOnly
        );
    }

    #[test]
    fn loading_hides_and_disables_nothing() {
        assert!(LeadsAccess::Loading.is_rendered());
        assert!(!LeadsAccess::Loading.may_fetch());
        assert_eq!(LeadsAccess::Loading.write_block_reason(), None);
    }

    #[test]
    fn denials_downgrade_and_never_upgrade() {
        for (before, denied, after) in [
            (LeadsAccess::Full, Privilege::Write, LeadsAccess::ReadOnly),
            (LeadsAccess::Full, Privilege::Read, LeadsAccess::Hidden),
            (
                LeadsAccess::ReadOnly,
                Privilege::Write,
                LeadsAccess::ReadOnly,
            ),
            (LeadsAccess::Hidden, Privilege::Write, LeadsAccess::Hidden),
        ] {
            assert_eq!(
                before.after_denial(denied),
                after,
                "{before:?} after a {denied:?} denial"
            );
        }
    }

    #[test]
    fn read_only_reason_names_privilege_and_pattern() {
        let reason = LeadsAccess::ReadOnly
            .write_block_reason()
            .expect("read-only has a reason");
        assert_eq!(
            reason,
            "You need the write privilege on .entity_analytics.entity-leads-* to generate leads. Ask an administrator to add it to your role."
        );
        assert_eq!(LeadsAccess::Full.write_block_reason(), None);
    }

    #[test]
    fn leads_denials_are_fixed_with_the_test_plan_roles() {
        let write = crate::access::role_fix(&leads_requirement(Privilege::Write));
        assert!(write
            .console_request
            .starts_with("POST /_security/role/leads_full_access\n"));
        let read = crate::access::role_fix(&leads_requirement(Privilege::Read));
        assert_eq!(read.role_name, "leads_read_only");
    }

    #[test]
    fn both_lead_shapes_parse() {
        let body = r#"{"leads":[
            {"id":"a","title":"T","entity":{"type":"host","name":"web-01","id":"host:web-01"},"priority":7},
            {"id":"b","title":"U","entities":[{"type":"user","name":"bob"}],"priority":3,"tags":["x"]}
        ],"total":2,"page":1,"perPage":20}"#;
        let page: LeadsPage = serde_json::from_str(body).expect("both shapes parse");
        let leads = &page.leads.0;
        assert_eq!(
            leads[0].entity.as_ref().map(|e| e.name.as_str()),
            Some("web-01")
        );
        assert_eq!(
            leads[1].entity.as_ref().map(|e| e.entity_type.as_str()),
            Some("user")
        );
        assert_eq!(leads[1].status, "active");
        assert_eq!(page.per_page, 20);
    }

    #[test]
    fn a_missing_null_or_empty_entity_is_none_and_a_list_gives_its_first() {
        let body = r#"[
            {"id":"a","title":"T","priority":1},
            {"id":"b","title":"T","priority":1,"entity":null},
            {"id":"c","title":"T","priority":1,"entities":[]},
            {"id":"d","title":"T","priority":1,"entities":[{"type":"host","name":"h1"},{"type":"user","name":"u2"}]}
        ]"#;
        let list: LeadList = serde_json::from_str(body).expect("parses");
        let names: Vec<Option<&str>> = list
            .0
            .iter()
            .map(|lead| lead.entity.as_ref().map(|e| e.name.as_str()))
            .collect();
        assert_eq!(names, [None, None, None, Some("h1")]);
    }

    #[test]
    fn an_entity_of_the_wrong_type_is_an_error() {
        let body = r#"[{"id":"a","title":"T","priority":1,"entity":"web-01"}]"#;
        let error = serde_json::from_str::<LeadList>(body).expect_err("a string is no entity");
        assert!(error.to_string().contains("an entity object"), "{error}");
    }

    #[test]
    fn a_lead_with_a_wrong_type_is_an_error_not_a_default() {
        let body = r#"{"leads":[{"id":"a","title":"T","priority":"high"}],"total":1,"page":1,"perPage":20}"#;
        assert!(serde_json::from_str::<LeadsPage>(body).is_err());
    }

    #[test]
    fn kibanas_leads_parse_and_ours_leave_out_the_fields_kibana_lacks() {
        let body = r#"[{"id":"a","title":"T","priority":3}]"#;
        let list: LeadList = serde_json::from_str(body).expect("Kibana's lead parses");
        assert_eq!(list.0[0].first_seen, None);
        assert!(list.0[0].priority_history.is_empty());
        let out = serde_json::to_value(&list).expect("serializes");
        assert!(out[0].get("firstSeen").is_none() && out[0].get("priorityHistory").is_none());
        let kept = r#"[{"id":"a","priority":8,"firstSeen":"2026-01-01T00:00:00.000Z",
            "priorityHistory":[{"priority":8,"at":"2026-01-02T00:00:00.000Z"}]}]"#;
        let list: LeadList = serde_json::from_str(kept).expect("ours parses");
        assert_eq!(list.0[0].priority_history[0].priority, 8);
    }

    #[test]
    fn the_status_says_null_until_a_connector_is_chosen() {
        let out = serde_json::to_value(LeadsStatus::default()).expect("serializes");
        assert!(out["connectorId"].is_null() && out.get("connectorId").is_some());
    }

    #[test]
    fn serialized_leads_use_the_newest_shape() {
        let body =
            r#"[{"id":"b","title":"U","entities":[{"type":"user","name":"bob"}],"priority":3}]"#;
        let list: LeadList = serde_json::from_str(body).expect("legacy parses");
        let out = serde_json::to_value(&list).expect("serializes");
        assert_eq!(out[0]["entity"]["name"], "bob");
        assert!(out[0].get("entities").is_none());
    }

    #[test]
    fn generation_progress_waits_for_the_matching_run() {
        let mut status = LeadsStatus {
            last_execution_uuid: Some("old".into()),
            ..Default::default()
        };
        assert_eq!(status.progress_of("new"), GenerationProgress::Running);
        status.last_execution_uuid = Some("new".into());
        assert_eq!(status.progress_of("new"), GenerationProgress::Succeeded);
        status.last_error = Some("security_exception: no write".into());
        assert_eq!(
            status.progress_of("new"),
            GenerationProgress::Failed("security_exception: no write".into())
        );
    }

    #[test]
    fn find_query_clamps_and_counts_pages() {
        let query = FindLeadsQuery {
            page: 0,
            per_page: 500,
            ..Default::default()
        };
        assert_eq!(
            query.to_query_string(),
            "page=1&perPage=100&sortField=priority&sortOrder=desc&status=active"
        );
        let pages = |total| PagePosition::new(query.page, query.per_page, 0, total).pages;
        assert_eq!(pages(0), 1);
        assert_eq!(pages(101), 2);
    }

    #[test]
    fn the_pagination_says_where_a_page_stands() {
        let second = PagePosition::new(2, 20, 20, 45);
        assert_eq!(second.range_text(), "21–40 of 45");
        assert_eq!(second.page_text(), "Page 2 of 3");
        assert!(!second.is_first() && !second.is_last());
        let last = PagePosition::new(3, 20, 5, 45);
        assert_eq!(last.range_text(), "41–45 of 45");
        assert!(last.is_last());
        let only = PagePosition::new(0, 20, 2, 2);
        assert_eq!(
            (only.range_text(), only.page_text()),
            ("1–2 of 2".into(), "Page 1 of 1".into())
        );
        assert!(only.is_first() && only.is_last());
    }
}

//! The Audit log page's decisions (Stack Management → Audit log; the route and the event's fields
//! are docs/audit-log.md): the filters as the page's URL keeps them and as the audit API's query asks
//! for them, a time range as the instants it covers, the line a row shows for an event, and where
//! an event's user and object link to. Pure, so native tests reach every branch; the SPA only draws
//! them.

use serde_json::Value;

use crate::audit::{
    actions, parse_instant, AuditEvent, AuditFilter, AuditOutcome, AuditQuery, DEFAULT_PER_PAGE,
    MAX_VALUE_BYTES, REFUSALS_COUNTED,
};
use crate::query_string::encode_component;
use crate::text::thousands;

/// The texts the page shows, once.
pub mod texts {
    pub const TITLE: &str = "Audit log";
    pub const SUBTITLE: &str = "Who signed in, who changed users, roles, spaces and access to objects, and who viewed as whom: every event the server recorded, newest first.";
    pub const NOT_GRANTED_WHAT: &str = "read the audit log";
    pub const EMPTY: &str = "No audit events match these filters.";
    pub const RANGE_BACKWARDS: &str = "The start of the range is after its end.";
    pub const COPIED: &str = "Copied";
    pub const COPY_FAILED: &str = "The browser refused the clipboard: select the text and copy it.";
    pub const TRUNCATED: &str =
        "The download holds only the newest events of this filter: narrow it to get the rest.";
}

/// The words the page shows for each action the server writes. An action not listed here is
/// still shown, by its name.
pub const KNOWN_ACTIONS: &[(&str, &str)] = &[
    (actions::USER_LOGIN, "Sign-in"),
    (actions::USER_LOGOUT, "Sign-out"),
    (actions::RUN_AS_GRANTED, "View as another user"),
    (actions::RUN_AS_DENIED, "View as refused"),
    (actions::USER_CREATE, "User created"),
    (actions::USER_UPDATE, "User updated"),
    (actions::USER_DELETE, "User deleted"),
    (actions::USER_PASSWORD_CHANGE, "Password changed"),
    (actions::USER_DISABLE, "User deactivated"),
    (actions::USER_ENABLE, "User activated"),
    (actions::ROLE_PUT, "Role saved"),
    (actions::ROLE_DELETE, "Role deleted"),
    (actions::SPACE_CREATE, "Space created"),
    (actions::SPACE_UPDATE, "Space updated"),
    (actions::SPACE_DELETE, "Space deleted"),
    (actions::SAVED_OBJECT_CREATE, "Saved object created"),
    (actions::SAVED_OBJECT_UPDATE, "Saved object updated"),
    (actions::SAVED_OBJECT_DELETE, "Saved object deleted"),
    (actions::UPDATE_OBJECTS_OWNER, "Owner changed"),
    (actions::UPDATE_OBJECTS_ACCESS_MODE, "Access mode changed"),
    (actions::SOURCE_CREATE, "Search source created"),
    (actions::SOURCE_DELETE, "Search source deleted"),
    (actions::DOCUMENTS_CREATE, "Documents stored"),
    (actions::DOCUMENTS_DESTROY, "Documents deleted"),
    (actions::IDENTITY_CREATE, "Document permissions created"),
    (actions::IDENTITY_UPDATE, "Document permissions updated"),
    (actions::IDENTITY_DELETE, "Document permissions deleted"),
    (actions::LEADS_CONNECTOR_UPDATE, "Leads connector chosen"),
];

/// The words for `action`, or the action itself when the page does not know it.
pub fn action_label(action: &str) -> &str {
    KNOWN_ACTIONS
        .iter()
        .find(|(name, _)| *name == action)
        .map_or(action, |(_, label)| label)
}

/// The page sizes offered; the audit API takes 1..=500.
pub const PER_PAGE_CHOICES: [u32; 4] = [20, 50, 100, 200];

/// Which events by time: a span ending now, or two instants the user chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeRange {
    Last15Minutes,
    LastHour,
    #[default]
    LastDay,
    Last7Days,
    /// `from` and `to` of [`AuditFilters`], each optional.
    Custom,
}

impl TimeRange {
    pub const ALL: [TimeRange; 5] = [
        TimeRange::Last15Minutes,
        TimeRange::LastHour,
        TimeRange::LastDay,
        TimeRange::Last7Days,
        TimeRange::Custom,
    ];

    /// Its value in the page's URL (`range=`) and in the select.
    pub fn key(self) -> &'static str {
        match self {
            TimeRange::Last15Minutes => "15m",
            TimeRange::LastHour => "1h",
            TimeRange::LastDay => "24h",
            TimeRange::Last7Days => "7d",
            TimeRange::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TimeRange::Last15Minutes => "Last 15 minutes",
            TimeRange::LastHour => "Last hour",
            TimeRange::LastDay => "Last 24 hours",
            TimeRange::Last7Days => "Last 7 days",
            TimeRange::Custom => "Custom range",
        }
    }

    /// The range with this key; the default for anything else (a hand-edited URL).
    pub fn from_key(key: &str) -> TimeRange {
        TimeRange::ALL
            .into_iter()
            .find(|range| range.key() == key)
            .unwrap_or_default()
    }

    /// How far back a span ending now reaches; `None` for a custom range.
    fn span_ms(self) -> Option<i64> {
        const MINUTE: i64 = 60_000;
        match self {
            TimeRange::Last15Minutes => Some(15 * MINUTE),
            TimeRange::LastHour => Some(60 * MINUTE),
            TimeRange::LastDay => Some(24 * 60 * MINUTE),
            TimeRange::Last7Days => Some(7 * 24 * 60 * MINUTE),
            TimeRange::Custom => None,
        }
    }
}

/// Everything the page filters by, as its URL keeps it (so a link or a reload shows the same
/// events). Empty text means "any".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilters {
    pub user: String,
    pub effective_user: String,
    pub action: String,
    /// `success`, `failure` or empty.
    pub outcome: String,
    pub object_type: String,
    pub object_id: String,
    pub space: String,
    pub range: TimeRange,
    /// A custom range's bounds, ISO-8601 instants (the page turns the user's local times into
    /// them); ignored for the other ranges.
    pub from: String,
    pub to: String,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl Default for AuditFilters {
    fn default() -> Self {
        Self {
            user: String::new(),
            effective_user: String::new(),
            action: String::new(),
            outcome: String::new(),
            object_type: String::new(),
            object_id: String::new(),
            space: String::new(),
            range: TimeRange::default(),
            from: String::new(),
            to: String::new(),
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

/// The outcomes the filter offers.
pub const OUTCOMES: [&str; 2] = ["success", "failure"];

impl AuditFilters {
    /// The filters of the page's URL query (already decoded). Values the page would never write
    /// (an unknown range or outcome, a page size it does not offer, a page below 1, a bound that
    /// is not an instant) fall back to the default, so a hand-edited link still opens the page.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut filters = AuditFilters::default();
        for (key, value) in pairs {
            let text = bounded(value.trim());
            match key {
                "user" => filters.user = text,
                "effectiveUser" => filters.effective_user = text,
                "action" => filters.action = text,
                "outcome" if OUTCOMES.contains(&text.as_str()) => filters.outcome = text,
                "objectType" => filters.object_type = text,
                "objectId" => filters.object_id = text,
                "space" => filters.space = text,
                "range" => filters.range = TimeRange::from_key(&text),
                "from" if is_instant(&text) => filters.from = text,
                "to" if is_instant(&text) => filters.to = text,
                "page" => filters.page = text.parse().ok().filter(|&n| n >= 1).unwrap_or(1),
                "perPage" => {
                    filters.per_page = text
                        .parse()
                        .ok()
                        .filter(|n| PER_PAGE_CHOICES.contains(n))
                        .unwrap_or(DEFAULT_PER_PAGE)
                }
                _ => {}
            }
        }
        filters
    }

    /// The text filters, by their query name, in the order both queries list them.
    fn text_filters(&self) -> [(&'static str, &str); 7] {
        [
            ("user", &self.user),
            ("effectiveUser", &self.effective_user),
            ("action", &self.action),
            ("outcome", &self.outcome),
            ("objectType", &self.object_type),
            ("objectId", &self.object_id),
            ("space", &self.space),
        ]
    }

    /// The page's URL query (`?user=bob&range=1h`, empty for the defaults): only what differs
    /// from the default, so the plain page has a plain URL.
    pub fn page_query(&self) -> String {
        let mut parts = self.filter_parts();
        if self.range != TimeRange::default() {
            parts.push(format!("range={}", self.range.key()));
        }
        if self.range == TimeRange::Custom {
            parts.extend(self.custom_bounds());
        }
        if self.page != 1 {
            parts.push(format!("page={}", self.page));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            parts.push(format!("perPage={}", self.per_page));
        }
        query_string(parts)
    }

    /// The audit API's query for these filters at `now_ms`: the filter, the range as
    /// `from`/`to` instants, and the page. `with_page` is false for the download, which takes
    /// every event of the filter.
    pub fn api_query(&self, now_ms: i64, with_page: bool) -> String {
        let text = |value: &str| Some(value.to_string()).filter(|v| !v.is_empty());
        let (from_ms, to_ms) = match self.range.span_ms() {
            Some(span) => (Some(now_ms - span), None),
            None => (parse_instant(&self.from), parse_instant(&self.to)),
        };
        let filter = AuditFilter {
            user: text(&self.user),
            effective_user: text(&self.effective_user),
            action: text(&self.action),
            outcome: AuditOutcome::parse(&self.outcome),
            object_type: text(&self.object_type),
            object_id: text(&self.object_id),
            space: text(&self.space),
            from_ms,
            to_ms,
        };
        let query = if with_page {
            AuditQuery {
                filter,
                page: self.page,
                per_page: self.per_page,
            }
            .to_query_string()
        } else {
            filter.to_query_string()
        };
        if query.is_empty() {
            query
        } else {
            format!("?{query}")
        }
    }

    fn filter_parts(&self) -> Vec<String> {
        self.text_filters()
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", encode_component(value)))
            .collect()
    }

    fn custom_bounds(&self) -> Vec<String> {
        [("from", &self.from), ("to", &self.to)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", encode_component(value)))
            .collect()
    }

    /// What is wrong with a custom range, if anything: a start after the end finds nothing.
    pub fn range_problem(&self) -> Option<&'static str> {
        if self.range != TimeRange::Custom {
            return None;
        }
        let from = parse_instant(&self.from)?;
        let to = parse_instant(&self.to)?;
        (from > to).then_some(texts::RANGE_BACKWARDS)
    }

    /// Whether any filter narrows the events (beyond the default time range): the empty state
    /// then offers to clear them.
    pub fn is_narrowed(&self) -> bool {
        self.text_filters().iter().any(|(_, v)| !v.is_empty()) || self.range != TimeRange::default()
    }

    /// The same filters with one changed: back to the first page, since the old page number
    /// means nothing in a different set of events.
    pub fn changed(&self, change: impl FnOnce(&mut AuditFilters)) -> AuditFilters {
        let mut next = self.clone();
        change(&mut next);
        next.page = 1;
        next
    }

    /// The filters as applied: a box's surrounding spaces are not part of a name (the boxes keep
    /// them while the user types), back to the first page.
    pub fn applied(&self) -> AuditFilters {
        self.changed(|f| {
            for text in [
                &mut f.user,
                &mut f.effective_user,
                &mut f.action,
                &mut f.object_type,
                &mut f.object_id,
                &mut f.space,
            ] {
                *text = bounded(text.trim());
            }
        })
    }

    /// The same filters on page `page`.
    pub fn on_page(&self, page: u32) -> AuditFilters {
        AuditFilters {
            page: page.max(1),
            ..self.clone()
        }
    }
}

fn bounded(value: &str) -> String {
    if value.len() <= MAX_VALUE_BYTES {
        return value.to_string();
    }
    let mut end = MAX_VALUE_BYTES;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value[..end].to_string()
}

fn is_instant(value: &str) -> bool {
    parse_instant(value).is_some()
}

fn query_string(parts: Vec<String>) -> String {
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The pages of `total` events at `per_page` each (at least one, so "page 1 of 1" reads right).
pub fn page_count(total: u64, per_page: u32) -> u32 {
    let per_page = u64::from(per_page.max(1));
    u32::try_from(total.div_ceil(per_page).max(1)).unwrap_or(u32::MAX)
}

/// "Events 51–100 of 123" for page `page`; "No events" when there are none.
pub fn range_text(page: u32, per_page: u32, shown: usize, total: u64) -> String {
    if total == 0 || shown == 0 {
        return format!("No events (total {total})");
    }
    let first = u64::from(page.saturating_sub(1)) * u64::from(per_page) + 1;
    let last = first + shown as u64 - 1;
    format!("Events {first}–{last} of {total}")
}

/// Where a link from an event goes; the SPA turns it into its route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditLink {
    /// The Users page with this user's editor open.
    User(String),
    Role(String),
    Space(String),
    /// A dashboard, in the space the event happened in.
    Dashboard {
        space: String,
        id: String,
    },
}

/// One audit event as the table shows it: the fields read from the event's JSON (the shape of the
/// audit file's lines, docs/audit-log.md). A field the event lacks is empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditRow {
    /// The server's id of the event, or empty.
    pub id: String,
    pub timestamp: String,
    pub action: String,
    pub outcome: String,
    /// Who sent the request.
    pub user: String,
    /// Whom they viewed as, when they did.
    pub effective_user: Option<String>,
    pub space: String,
    pub object_type: String,
    pub object_ids: Vec<String>,
    pub message: String,
    /// How many refusals the event stands for, when it counts refusals in bulk.
    pub refusals_counted: Option<u64>,
}

impl AuditRow {
    pub fn of(event: &AuditEvent) -> AuditRow {
        AuditRow {
            id: event.event.id.clone().unwrap_or_default(),
            timestamp: event.timestamp.clone(),
            action: event.event.action.clone(),
            outcome: event.event.outcome.as_str().to_string(),
            user: event.user.name.clone(),
            effective_user: event.user.effective.as_ref().map(|e| e.name.clone()),
            space: event.kibana.space_id.clone(),
            object_type: event.kibana.saved_object.object_type.clone(),
            object_ids: event.kibana.saved_object.ids.clone(),
            message: event.message.clone(),
            refusals_counted: event
                .kibana
                .details
                .get(REFUSALS_COUNTED)
                .and_then(Value::as_u64),
        }
    }

    pub fn is_failure(&self) -> bool {
        self.outcome == "failure"
    }

    /// "dashboard soc-overview", "user bob", "dashboard a, b (+3 more)"; empty without an object.
    pub fn object_text(&self) -> String {
        const SHOWN_IDS: usize = 2;
        let ids = match self.object_ids.len() {
            0 => String::new(),
            n if n <= SHOWN_IDS => self.object_ids.join(", "),
            n => format!(
                "{} (+{} more)",
                self.object_ids[..SHOWN_IDS].join(", "),
                n - SHOWN_IDS
            ),
        };
        [self.object_type.as_str(), ids.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The line the row shows under its message: what happened, by whom, to what, how it ended.
    /// "Owner changed by elastic: dashboard soc-overview, succeeded";
    /// "Sign-in by bob, failed"; "View as another user by elastic as victor, succeeded".
    pub fn summary(&self) -> String {
        let who = match &self.effective_user {
            Some(effective) => format!("{} as {effective}", self.user),
            None => self.user.clone(),
        };
        let mut line = action_label(&self.action).to_string();
        if !who.is_empty() {
            line.push_str(&format!(" by {who}"));
        }
        let object = self.object_text();
        if !object.is_empty() {
            line.push_str(&format!(": {object}"));
        }
        match (self.outcome.as_str(), self.refusals_counted) {
            ("success", _) => line.push_str(", succeeded"),
            ("failure", Some(times)) => line.push_str(&format!(
                ", failed {} times (counted, not recorded one by one)",
                thousands(times)
            )),
            ("failure", None) => line.push_str(", failed"),
            _ => {}
        }
        line
    }

    /// Where the event's user links: their editor on the Users page.
    pub fn user_link(&self) -> Option<AuditLink> {
        (!self.user.is_empty()).then(|| AuditLink::User(self.user.clone()))
    }

    /// Where the event's object links, when it is one object the app has a page for. A deleted
    /// object's page says it is gone, which is still the answer the reader wants.
    pub fn object_link(&self) -> Option<AuditLink> {
        let [id] = self.object_ids.as_slice() else {
            return None;
        };
        if id.is_empty() {
            return None;
        }
        let id = id.clone();
        match self.object_type.as_str() {
            "dashboard" if !self.space.is_empty() => Some(AuditLink::Dashboard {
                space: self.space.clone(),
                id,
            }),
            "user" => Some(AuditLink::User(id)),
            "role" => Some(AuditLink::Role(id)),
            "space" => Some(AuditLink::Space(id)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::audit::format_instant;

    /// 2026-12-06T12:00:00Z.
    const NOON: i64 = 1_796_558_400_000;

    #[test]
    fn noon_is_what_the_tests_say() {
        assert_eq!(format_instant(NOON), "2026-12-06T12:00:00.000Z");
    }

    #[test]
    fn the_plain_page_has_a_plain_url_and_asks_for_the_last_day() {
        let filters = AuditFilters::from_query([]);
        assert_eq!(filters, AuditFilters::default());
        assert_eq!(filters.page_query(), "");
        assert_eq!(
            filters.api_query(NOON, true),
            "?from=2026-12-05T12%3A00%3A00.000Z&page=1&perPage=50"
        );
    }

    #[test]
    fn filters_survive_the_url_and_reach_the_api_encoded() {
        let query = [
            ("user", "elastic"),
            ("effectiveUser", "victor viewer"),
            ("action", "user_login"),
            ("outcome", "failure"),
            ("objectType", "dashboard"),
            ("objectId", "soc&overview"),
            ("space", "soc-emea"),
            ("range", "1h"),
            ("page", "3"),
            ("perPage", "20"),
        ];
        let filters = AuditFilters::from_query(query);
        assert_eq!(
            filters.page_query(),
            "?user=elastic&effectiveUser=victor%20viewer&action=user_login&outcome=failure&objectType=dashboard&objectId=soc%26overview&space=soc-emea&range=1h&page=3&perPage=20"
        );
        let api = filters.api_query(NOON, true);
        assert_eq!(
            api,
            "?user=elastic&effectiveUser=victor%20viewer&action=user_login&objectType=dashboard&objectId=soc%26overview&space=soc-emea&outcome=failure&from=2026-12-06T11%3A00%3A00.000Z&page=3&perPage=20"
        );
        // The server reads back exactly what the page meant.
        let read = AuditQuery::parse(&api[1..], true).expect("the server accepts it");
        assert_eq!(read.filter.object_id.as_deref(), Some("soc&overview"));
        assert_eq!(read.filter.from_ms, Some(NOON - 3_600_000));
        assert_eq!((read.page, read.per_page), (3, 20));
        // The download takes the whole filter, not one page of it.
        let export = filters.api_query(NOON, false);
        assert_eq!(
            export,
            "?user=elastic&effectiveUser=victor%20viewer&action=user_login&objectType=dashboard&objectId=soc%26overview&space=soc-emea&outcome=failure&from=2026-12-06T11%3A00%3A00.000Z"
        );
        assert!(AuditQuery::parse(&export[1..], false).is_ok());
    }

    #[test]
    fn each_span_reaches_back_its_length() {
        let from = |range: TimeRange| {
            AuditFilters {
                range,
                ..AuditFilters::default()
            }
            .api_query(NOON, false)
        };
        assert_eq!(
            from(TimeRange::Last15Minutes),
            "?from=2026-12-06T11%3A45%3A00.000Z"
        );
        assert_eq!(
            from(TimeRange::LastHour),
            "?from=2026-12-06T11%3A00%3A00.000Z"
        );
        assert_eq!(
            from(TimeRange::LastDay),
            "?from=2026-12-05T12%3A00%3A00.000Z"
        );
        assert_eq!(
            from(TimeRange::Last7Days),
            "?from=2026-11-29T12%3A00%3A00.000Z"
        );
        // A custom range without bounds is every event.
        assert_eq!(from(TimeRange::Custom), "");
    }

    #[test]
    fn a_custom_range_sends_its_bounds_and_says_when_they_are_backwards() {
        let filters = AuditFilters::from_query([
            ("range", "custom"),
            ("from", "2026-12-01T08:00:00.000Z"),
            ("to", "2026-12-02T08:00:00.000Z"),
        ]);
        assert_eq!(
            filters.api_query(NOON, false),
            "?from=2026-12-01T08%3A00%3A00.000Z&to=2026-12-02T08%3A00%3A00.000Z"
        );
        assert_eq!(
            filters.page_query(),
            "?range=custom&from=2026-12-01T08%3A00%3A00.000Z&to=2026-12-02T08%3A00%3A00.000Z"
        );
        assert_eq!(filters.range_problem(), None);
        let backwards = AuditFilters {
            from: filters.to.clone(),
            to: filters.from.clone(),
            ..filters.clone()
        };
        assert_eq!(backwards.range_problem(), Some(texts::RANGE_BACKWARDS));
        // Bounds belong to the custom range only.
        let hour = AuditFilters {
            range: TimeRange::LastHour,
            ..filters
        };
        assert_eq!(hour.page_query(), "?range=1h");
        assert_eq!(hour.range_problem(), None);
    }

    #[test]
    fn a_hand_edited_url_still_opens_the_page() {
        let long = "x".repeat(5_000);
        let filters = AuditFilters::from_query([
            ("range", "forever"),
            ("outcome", "maybe"),
            ("page", "0"),
            ("perPage", "100000"),
            ("from", "yesterday"),
            ("user", long.as_str()),
            ("unknown", "1"),
        ]);
        assert_eq!(filters.range, TimeRange::LastDay);
        assert_eq!(filters.outcome, "");
        assert_eq!(filters.page, 1);
        assert_eq!(filters.per_page, DEFAULT_PER_PAGE);
        assert_eq!(filters.from, "");
        assert_eq!(filters.user.len(), MAX_VALUE_BYTES);
        let accents = "é".repeat(600);
        let cut = AuditFilters::from_query([("user", accents.as_str())]);
        assert!(cut.user.len() <= MAX_VALUE_BYTES && cut.user.chars().all(|c| c == 'é'));
    }

    #[test]
    fn changing_a_filter_returns_to_the_first_page() {
        let on_three = AuditFilters::default().on_page(3);
        assert_eq!(on_three.page, 3);
        let changed = on_three.changed(|f| f.user = "bob".into());
        assert_eq!((changed.page, changed.user.as_str()), (1, "bob"));
        assert!(changed.is_narrowed());
        assert!(!AuditFilters::default().is_narrowed());
        assert_eq!(AuditFilters::default().on_page(0).page, 1);
        let typed = AuditFilters {
            user: " victor viewer ".into(),
            space: "soc-emea\t".into(),
            ..AuditFilters::default().on_page(4)
        };
        let applied = typed.applied();
        assert_eq!(
            (applied.user.as_str(), applied.space.as_str(), applied.page),
            ("victor viewer", "soc-emea", 1)
        );
    }

    #[test]
    fn pages_and_the_range_line() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(range_text(2, 50, 50, 123), "Events 51–100 of 123");
        assert_eq!(range_text(3, 50, 23, 123), "Events 101–123 of 123");
        assert_eq!(range_text(1, 50, 0, 0), "No events (total 0)");
    }

    fn event(value: Value) -> AuditEvent {
        serde_json::from_value(value).expect("an audit event")
    }

    fn access_mode_change() -> AuditEvent {
        event(json!({
            "@timestamp": "2026-12-06T11:59:00.000Z",
            "event": {"action": "saved_object_update_objects_access_mode", "category": ["database"],
                      "type": ["change"], "outcome": "success", "id": "42"},
            "user": {"name": "elastic", "id": "u_elastic_0"},
            "kibana": {"space_id": "soc-emea", "saved_object": {"type": "dashboard", "ids": ["soc-overview"]},
                       "details": {"access_mode": "default"}},
            "message": ""
        }))
    }

    #[test]
    fn a_row_reads_the_audit_files_fields() {
        let row = AuditRow::of(&access_mode_change());
        assert_eq!(row.id, "42");
        assert_eq!(row.timestamp, "2026-12-06T11:59:00.000Z");
        assert_eq!(row.user, "elastic");
        assert_eq!(row.effective_user, None);
        assert_eq!(row.space, "soc-emea");
        assert_eq!(row.object_text(), "dashboard soc-overview");
        assert!(!row.is_failure());
        assert_eq!(
            row.summary(),
            "Access mode changed by elastic: dashboard soc-overview, succeeded"
        );
        assert_eq!(
            row.object_link(),
            Some(AuditLink::Dashboard {
                space: "soc-emea".into(),
                id: "soc-overview".into()
            })
        );
        assert_eq!(row.user_link(), Some(AuditLink::User("elastic".into())));
    }

    #[test]
    fn a_failed_sign_in_and_a_view_as_read_as_such() {
        let failed = AuditRow::of(&event(json!({
            "@timestamp": "2026-12-06T11:00:00.000Z",
            "event": {"action": "user_login", "outcome": "failure", "id": "7"},
            "user": {"name": "bob"},
            "kibana": {"space_id": "default", "saved_object": {"type": "", "ids": []}},
            "message": "Invalid username or password"
        })));
        assert_eq!(failed.id, "7");
        assert!(failed.is_failure());
        assert_eq!(failed.summary(), "Sign-in by bob, failed");
        assert_eq!(failed.object_link(), None);
        let viewing = AuditRow::of(&event(json!({
            "@timestamp": "2026-12-06T11:00:00.000Z",
            "event": {"action": "run_as_granted", "outcome": "success"},
            "user": {"name": "elastic", "effective": {"name": "victor"}},
        })));
        assert_eq!(viewing.effective_user.as_deref(), Some("victor"));
        assert_eq!(
            viewing.summary(),
            "View as another user by elastic as victor, succeeded"
        );
    }

    #[test]
    fn an_event_counting_refusals_says_how_many_it_stands_for() {
        let counted = AuditRow::of(&event(json!({
            "@timestamp": "2026-12-06T11:00:00.000Z",
            "event": {"action": "saved_object_update_objects_access_mode", "outcome": "failure"},
            "user": {"name": "victor"},
            "kibana": {"space_id": "default", "saved_object": {"type": "dashboard", "ids": ["x"]},
                       "details": {"refusals_counted": 24924, "recorded_one_by_one": 20}},
        })));
        assert_eq!(counted.refusals_counted, Some(24_924));
        assert_eq!(
            counted.summary(),
            "Access mode changed by victor: dashboard x, failed 24,924 times (counted, not recorded one by one)"
        );
        let one = AuditRow::of(&event(json!({
            "@timestamp": "2026-12-06T11:00:00.000Z",
            "event": {"action": "saved_object_update_objects_access_mode", "outcome": "failure"},
            "user": {"name": "victor"},
            "kibana": {"space_id": "default", "details": {"refusals_counted": "many"}},
        })));
        assert_eq!(one.refusals_counted, None, "only a number counts");
        assert_eq!(one.summary(), "Access mode changed by victor, failed");
    }

    #[test]
    fn objects_link_to_their_pages_only_when_there_is_one() {
        let row = |object_type: &str, ids: Value| {
            AuditRow::of(&event(json!({
                "@timestamp": "2026-12-06T11:00:00.000Z",
                "event": {"action": "some_future_action", "outcome": "success"},
                "user": {"name": ""},
                "kibana": {"space_id": "default", "saved_object": {"type": object_type, "ids": ids}},
            })))
        };
        assert_eq!(
            row("user", json!(["victor"])).object_link(),
            Some(AuditLink::User("victor".into()))
        );
        assert_eq!(
            row("role", json!(["soc_emea_analyst"])).object_link(),
            Some(AuditLink::Role("soc_emea_analyst".into()))
        );
        assert_eq!(
            row("space", json!(["soc-emea"])).object_link(),
            Some(AuditLink::Space("soc-emea".into()))
        );
        assert_eq!(row("dashboard", json!(["a", "b"])).object_link(), None);
        assert_eq!(
            row("entity-analytics-leads-connector", json!(["x"])).object_link(),
            None
        );
        let many = row("dashboard", json!(["a", "b", "c", "d"]));
        assert_eq!(many.object_text(), "dashboard a, b (+2 more)");
        // An action the page does not know is shown by its name; nobody named, no "by".
        assert_eq!(
            many.summary(),
            "some_future_action: dashboard a, b (+2 more), succeeded"
        );
        assert_eq!(many.user_link(), None);
        assert_eq!(action_label("user_login"), "Sign-in");
    }

    #[test]
    fn every_action_the_server_names_has_words() {
        for action in actions::ALL {
            assert_ne!(action_label(action), *action, "{action} has no words");
        }
    }
}

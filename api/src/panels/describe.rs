//! What a query asks, in words ("Show the query"), and the leads list that shows the same leads
//! (docs/panels.md, "Tracing a number").

use super::catalogue::{catalogue, FieldValues};
use super::{FilterScalar, FilterValue, PanelQuery, PanelSource};
use crate::leads::SortField;

fn scalar_text(value: &FilterScalar) -> String {
    match value {
        FilterScalar::Text(text) => text.clone(),
        FilterScalar::Number(n) => n.to_string(),
        FilterScalar::Bool(b) => b.to_string(),
    }
}

fn condition_text(label: &str, value: &FilterValue) -> String {
    match value {
        FilterValue::Is(scalar) => format!("{label} is {}", scalar_text(scalar)),
        FilterValue::AnyOf(values) => {
            let values: Vec<String> = values.iter().map(scalar_text).collect();
            format!("{label} is one of {}", values.join(", "))
        }
        FilterValue::Range(range) => match (range.gte, range.lte) {
            (Some(gte), Some(lte)) => format!("{label} is {gte} to {lte}"),
            (Some(gte), None) => format!("{label} ≥ {gte}"),
            (None, Some(lte)) => format!("{label} ≤ {lte}"),
            (None, None) => format!("{label} is anything"),
        },
    }
}

/// One line saying what a query counts: `Count of leads where Status is active and Priority ≥ 8,
/// by Entity type (the 10 largest)`.
pub fn describe(query: &PanelQuery) -> String {
    let source = catalogue(query.source);
    let mut text = format!("Count of {}", source.counted);
    let conditions: Vec<String> = query
        .filter
        .iter()
        .map(|(key, value)| {
            let label = source.field(key).map_or(key.as_str(), |f| f.label);
            condition_text(label, value)
        })
        .collect();
    if !conditions.is_empty() {
        text.push_str(" where ");
        text.push_str(&conditions.join(" and "));
    }
    if let Some(group_by) = &query.group_by {
        let label = source
            .field(group_by)
            .map_or(group_by.as_str(), |f| f.label);
        text.push_str(&format!(
            ", by {label} (the {} largest)",
            query.effective_size()
        ));
    }
    if let (Some(interval), Some(time)) = (query.interval, source.time_field) {
        text.push_str(&format!(
            ", per {} of {} (the latest {})",
            interval.name(),
            time.label.to_lowercase(),
            query.effective_size()
        ));
    }
    text
}

/// The leads list a leads panel links to: the list filters by status and sorts by priority or
/// time; the conditions it cannot apply are named, so the link can say the list shows more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadsListLink {
    /// `None`: every status.
    pub status: Option<String>,
    pub sort_field: SortField,
    /// Labels of the panel's conditions the list does not apply ("Priority", "Entity type").
    pub not_applied: Vec<&'static str>,
}

impl LeadsListLink {
    /// Whether the list shows exactly the leads the panel counts.
    pub fn is_exact(&self) -> bool {
        self.not_applied.is_empty()
    }

    /// The list's find query string (`status=active&sortField=priority&sortOrder=desc`), in the
    /// leads find's own parameters.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(status) = &self.status {
            parts.push(format!("status={status}"));
        }
        parts.push(format!("sortField={}", self.sort_field.wire_name()));
        // The largest priorities or the newest leads first, as the panel shows them.
        parts.push("sortOrder=desc".to_string());
        parts.join("&")
    }
}

/// The leads list of a leads query; `None` for other sources.
pub fn leads_list_link(query: &PanelQuery) -> Option<LeadsListLink> {
    if query.source != PanelSource::Leads {
        return None;
    }
    let source = catalogue(PanelSource::Leads);
    let mut status = None;
    let mut not_applied = Vec::new();
    for (key, value) in &query.filter {
        let one_status = match (key.as_str(), value) {
            ("status", FilterValue::Is(FilterScalar::Text(s))) => Some(s.clone()),
            ("status", FilterValue::AnyOf(values)) if values.len() == 1 => match &values[0] {
                FilterScalar::Text(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        };
        match one_status {
            Some(s) => status = Some(s),
            None => not_applied.push(source.field(key).map_or("a field", |f| f.label)),
        }
    }
    let sort_field = if query.interval.is_some() {
        SortField::Timestamp
    } else {
        SortField::Priority
    };
    Some(LeadsListLink {
        status,
        sort_field,
        not_applied,
    })
}

/// The values the editor offers for a field with a closed set (`None` for free text, numbers and
/// booleans, which it asks for).
pub fn offered_values(source: PanelSource, field: &str) -> Option<&'static [&'static str]> {
    match catalogue(source).field(field)?.values {
        FieldValues::OneOf(values) => Some(values),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> PanelQuery {
        serde_json::from_str(text).expect("a query")
    }

    #[test]
    fn a_query_reads_as_one_line() {
        assert_eq!(
            describe(&query(
                r#"{"source":"leads","filter":{"status":"active","priority":{"gte":8}},"groupBy":"entityType"}"#
            )),
            "Count of leads where Priority ≥ 8 and Status is active, by Entity type (the 10 largest)"
        );
        assert_eq!(
            describe(&query(r#"{"source":"leads","interval":"day","size":14}"#)),
            "Count of leads, per day of generated (the latest 14)"
        );
        assert_eq!(
            describe(&query(
                r#"{"source":"audit","filter":{"outcome":["failure"]}}"#
            )),
            "Count of audit events where Outcome is one of failure"
        );
        assert_eq!(
            describe(&query(r#"{"source":"spaces"}"#)),
            "Count of spaces"
        );
    }

    #[test]
    fn a_leads_panel_links_to_the_list_and_says_what_the_list_cannot_filter() {
        let link = leads_list_link(&query(r#"{"source":"leads","filter":{"status":"active"}}"#))
            .expect("leads");
        assert!(link.is_exact());
        assert_eq!(
            link.query_string(),
            "status=active&sortField=priority&sortOrder=desc"
        );
        let link = leads_list_link(&query(
            r#"{"source":"leads","filter":{"priority":{"gte":8},"entityType":"host"},"interval":"day"}"#,
        ))
        .expect("leads");
        assert_eq!(link.status, None);
        assert_eq!(link.not_applied, ["Entity type", "Priority"]);
        assert_eq!(link.sort_field, SortField::Timestamp);
        assert!(!link.is_exact());
        assert_eq!(leads_list_link(&query(r#"{"source":"dashboards"}"#)), None);
    }

    #[test]
    fn closed_sets_are_offered() {
        assert_eq!(
            offered_values(PanelSource::Leads, "status"),
            Some(&["active", "dismissed", "expired"][..])
        );
        assert_eq!(offered_values(PanelSource::Leads, "entity"), None);
        assert_eq!(offered_values(PanelSource::Leads, "nope"), None);
    }
}

//! Dashboard panels that read real data (docs/panels.md): the query a panel stores, the route that
//! answers it, and the answer. A panel never shows a number that did not come from a [`PanelAnswer`]:
//! the server runs the query with the viewer's own privileges (index privileges and document-level
//! security for leads, visible documents for search), in the dashboard's space.
//!
//! - `POST /internal/gatehouse/panels/_query` (space-prefixed like every route) with a [`PanelQuery`]
//!   `{"source":"leads","metric":"count","filter":{"status":"active"},"groupBy":"priority","size":10}`
//!   answers a [`PanelAnswer`] `{"total":12,"buckets":[{"key":"9","count":3},…],"other":0}`.
//! - A dashboard's [`crate::dashboards::Panel`] carries its query under `query`; panels of a kind
//!   Gatehouse does not draw (Kibana's `lens`, `visualization`, `map`, …) carry none and are never drawn.

mod buckets;
mod catalogue;
mod describe;
mod rules;

pub use buckets::*;
pub use catalogue::*;
pub use describe::*;
pub use rules::*;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const PANELS_QUERY_PATH: &str = "/internal/gatehouse/panels/_query";

/// The panel kinds Gatehouse draws itself. Any other `type` (Kibana's `lens`, `visualization`,
/// `map`, …) is shown as "Drawn by Kibana", never as a chart.
pub const DRAWN_PANEL_TYPES: &[&str] = &["metric", "bar", "line", "table", "markdown"];

/// Where a panel's numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelSource {
    /// Threat-hunting leads of the dashboard's space, as the viewer may read them.
    Leads,
    /// Audit events (needs the privilege the audit log needs).
    Audit,
    /// Search documents, per source, as the viewer sees them.
    Search,
    /// Dashboards of the space (by access mode, by owner): what every dashboard reader may see.
    Dashboards,
    /// Spaces the viewer may see.
    Spaces,
    /// Users, for a viewer who may read users.
    Users,
}

/// What is counted. Only `count` for now; the field exists so a stored panel says what it shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelMetric {
    #[default]
    Count,
}

/// Width of a time bucket for panels over time (`line`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInterval {
    Hour,
    Day,
    Week,
}

/// One value a filter field may take.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterScalar {
    Text(String),
    Number(i64),
    Bool(bool),
}

/// A filter on one field: equal to a value, any of several, or within a numeric range.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    Is(FilterScalar),
    AnyOf(Vec<FilterScalar>),
    Range(FilterRange),
}

/// Inclusive bounds; at least one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gte: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lte: Option<i64>,
}

/// What a panel asks for. Which fields a source may filter and group by is part of the rules
/// the editor and the server share (this module's validation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PanelQuery {
    pub source: PanelSource,
    #[serde(default)]
    pub metric: PanelMetric,
    /// Field name → condition; all must hold.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub filter: BTreeMap<String, FilterValue>,
    /// Count per value of this field (bar, table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
    /// Count per time bucket (line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<TimeInterval>,
    /// How many buckets at most (the largest first for `groupBy`; the latest for `interval`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
}

/// The answer to a [`PanelQuery`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PanelAnswer {
    /// Everything the filter matches, as the viewer sees it.
    pub total: u64,
    /// Per `groupBy` value (largest first) or per time bucket (oldest first); empty otherwise.
    #[serde(default)]
    pub buckets: Vec<PanelBucket>,
    /// Matches outside the buckets answered (beyond `size`).
    #[serde(default)]
    pub other: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PanelBucket {
    /// The field's value, or the bucket's start as an ISO 8601 time.
    pub key: String,
    /// A display name where the key is an id (a space's or source's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_reads_the_shape_the_docs_give_and_writes_it_back_the_same() {
        let text = r#"{"source":"leads","metric":"count","filter":{"status":"active","priority":{"gte":7},"entityType":["host","user"]},"groupBy":"priority","size":5}"#;
        let query: PanelQuery = serde_json::from_str(text).expect("documented shape");
        assert_eq!(query.source, PanelSource::Leads);
        assert_eq!(
            query.filter.get("status"),
            Some(&FilterValue::Is(FilterScalar::Text("active".into())))
        );
        assert_eq!(
            query.filter.get("priority"),
            Some(&FilterValue::Range(FilterRange {
                gte: Some(7),
                lte: None
            }))
        );
        let again: PanelQuery =
            serde_json::from_str(&serde_json::to_string(&query).expect("serializes"))
                .expect("reads back");
        assert_eq!(again, query);
    }

    #[test]
    fn an_unknown_key_or_source_is_refused() {
        assert!(serde_json::from_str::<PanelQuery>(r#"{"source":"leads","groupby":"x"}"#).is_err());
        assert!(serde_json::from_str::<PanelQuery>(r#"{"source":"alerts"}"#).is_err());
    }
}

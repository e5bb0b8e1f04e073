//! The rules a panel query and a panel's type follow, shared by the editor (which offers only
//! what passes) and the server (which refuses the rest on save and on `_query`): docs/panels.md.
//! Messages name the field (`groupBy: …`); the caller puts where the query is in front
//! (`data.panels.2.query.`).

use super::catalogue::{catalogue, FieldValues, PanelField, SourceCatalogue};
use super::{FilterRange, FilterScalar, FilterValue, PanelQuery};
use crate::text::cut_with_ellipsis;

/// Buckets a panel answers when its query does not say.
pub const DEFAULT_SIZE: u32 = 10;
/// Most buckets a panel may ask for.
pub const MAX_SIZE: u32 = 50;
/// Most fields one filter may test.
pub const MAX_FILTER_FIELDS: usize = 8;
/// Most values one field's "any of" list may hold.
pub const MAX_FILTER_VALUES: usize = 20;
/// Longest text a filter value may be.
pub const MAX_FILTER_TEXT_CHARS: usize = 256;
/// Longest piece of a client's input echoed back in a message.
const MAX_ECHOED_CHARS: usize = 64;

impl PanelQuery {
    /// How many buckets the answer holds at most.
    pub fn effective_size(&self) -> u32 {
        self.size.unwrap_or(DEFAULT_SIZE)
    }
}

/// `text` cut to a size a message may repeat.
fn echoed(text: &str) -> String {
    cut_with_ellipsis(text, MAX_ECHOED_CHARS)
}

fn names<'a>(fields: impl Iterator<Item = &'a PanelField>) -> String {
    let names: Vec<&str> = fields.map(|f| f.name).collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Whether `query` asks only what its source holds, in sizes the server answers.
pub fn validate(query: &PanelQuery) -> Result<(), String> {
    let source = catalogue(query.source);
    let name = query.source.name();
    if query.filter.len() > MAX_FILTER_FIELDS {
        return Err(format!(
            "filter: at most {MAX_FILTER_FIELDS} fields may be filtered on"
        ));
    }
    for (key, value) in &query.filter {
        let field = source.field(key).filter(|f| f.filterable).ok_or_else(|| {
            format!(
                "filter.{}: {name} cannot be filtered by [{}]; use one of {}",
                echoed(key),
                echoed(key),
                names(source.filter_fields())
            )
        })?;
        check_filter_value(field, value).map_err(|m| format!("filter.{key}: {m}"))?;
    }
    if let Some(group_by) = &query.group_by {
        if source.field(group_by).filter(|f| f.groupable).is_none() {
            return Err(format!(
                "groupBy: {name} cannot be grouped by [{}]; use one of {}",
                echoed(group_by),
                names(source.group_fields())
            ));
        }
    }
    if query.interval.is_some() {
        if source.time_field.is_none() {
            return Err(format!(
                "interval: {name} have no time to count over; leads and audit events do"
            ));
        }
        if query.group_by.is_some() {
            return Err(
                "interval: a panel counts per field value (groupBy) or per time bucket (interval), not both"
                    .to_string(),
            );
        }
    }
    if let Some(size) = query.size {
        if !(1..=MAX_SIZE).contains(&size) {
            return Err(format!("size: must be 1 to {MAX_SIZE}"));
        }
    }
    Ok(())
}

fn check_filter_value(field: &PanelField, value: &FilterValue) -> Result<(), String> {
    match value {
        FilterValue::Is(scalar) => check_scalar(field, scalar),
        FilterValue::AnyOf(values) => {
            if values.is_empty() {
                return Err("an empty list matches nothing; leave the field out instead".into());
            }
            if values.len() > MAX_FILTER_VALUES {
                return Err(format!("at most {MAX_FILTER_VALUES} values"));
            }
            values.iter().try_for_each(|v| check_scalar(field, v))
        }
        FilterValue::Range(range) => check_range(field, range),
    }
}

fn check_scalar(field: &PanelField, value: &FilterScalar) -> Result<(), String> {
    match (field.values, value) {
        (FieldValues::OneOf(allowed), FilterScalar::Text(text)) => {
            if allowed.contains(&text.as_str()) {
                Ok(())
            } else {
                Err(format!(
                    "[{}] is not a {}; use one of {}",
                    echoed(text),
                    field.label.to_lowercase(),
                    allowed.join(", ")
                ))
            }
        }
        (FieldValues::Number { min, max }, FilterScalar::Number(n)) => {
            if (min..=max).contains(n) {
                Ok(())
            } else {
                Err(format!("must be {min} to {max}"))
            }
        }
        (FieldValues::Text, FilterScalar::Text(text)) => {
            if text.trim().is_empty() {
                Err("must not be empty".into())
            } else if text.chars().count() > MAX_FILTER_TEXT_CHARS {
                Err(format!(
                    "must be at most {MAX_FILTER_TEXT_CHARS} characters"
                ))
            } else {
                Ok(())
            }
        }
        (FieldValues::Bool, FilterScalar::Bool(_)) => Ok(()),
        (values, _) => Err(expected(values)),
    }
}

fn expected(values: FieldValues) -> String {
    match values {
        FieldValues::OneOf(allowed) => format!("expected one of {}", allowed.join(", ")),
        FieldValues::Number { min, max } => {
            format!("expected a number {min} to {max}, a list of them or a range {{\"gte\":…,\"lte\":…}}")
        }
        FieldValues::Text => "expected a text or a list of texts".into(),
        FieldValues::Bool => "expected true or false".into(),
    }
}

fn check_range(field: &PanelField, range: &FilterRange) -> Result<(), String> {
    let FieldValues::Number { min, max } = field.values else {
        return Err(format!(
            "a range is only for numbers; {}",
            expected(field.values)
        ));
    };
    if range.gte.is_none() && range.lte.is_none() {
        return Err("a range needs gte, lte or both".into());
    }
    for bound in [range.gte, range.lte].into_iter().flatten() {
        if !(min..=max).contains(&bound) {
            return Err(format!("range bounds must be {min} to {max}"));
        }
    }
    if let (Some(gte), Some(lte)) = (range.gte, range.lte) {
        if gte > lte {
            return Err(format!("gte ({gte}) is above lte ({lte})"));
        }
    }
    Ok(())
}

/// Whether a panel of `panel_type` may carry `query` (docs/panels.md, "Panel kinds"): `metric`
/// counts (no groupBy, no interval), `bar` and `table` need a `groupBy`, `line` an `interval`;
/// `markdown` and the kinds Gatehouse does not draw carry no query. A drawn kind without a
/// query is a panel not set up yet, which shows no number. Messages start with `query`.
pub fn validate_panel(panel_type: &str, query: Option<&PanelQuery>) -> Result<(), String> {
    let Some(query) = query else {
        return Ok(());
    };
    match panel_type {
        "metric" => {
            if query.group_by.is_some() {
                return Err(
                    "query.groupBy: a metric panel shows one count; use a bar or table panel to group"
                        .into(),
                );
            }
            if query.interval.is_some() {
                return Err(
                    "query.interval: a metric panel shows one count; use a line panel over time"
                        .into(),
                );
            }
        }
        "bar" | "table" => {
            if query.group_by.is_none() {
                return Err(format!(
                    "query.groupBy: a {panel_type} panel needs a field to group by; use one of {}",
                    names(catalogue(query.source).group_fields())
                ));
            }
        }
        "line" => {
            if query.interval.is_none() {
                return Err(
                    "query.interval: a line panel needs an interval (hour, day or week)".into(),
                );
            }
        }
        "markdown" => return Err("query: a markdown panel shows text and has no query".into()),
        other => {
            return Err(format!(
                "query: a [{}] panel is drawn by Kibana and has no query here; use metric, bar, line or table",
                echoed(other)
            ))
        }
    }
    validate(query).map_err(|m| format!("query.{m}"))
}

/// The catalogue entry of a query's `groupBy`, when it names one.
pub fn group_field(query: &PanelQuery) -> Option<&'static PanelField> {
    let source: &SourceCatalogue = catalogue(query.source);
    query.group_by.as_deref().and_then(|g| source.field(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> PanelQuery {
        serde_json::from_str(text).expect("a query")
    }

    fn refusal(text: &str) -> String {
        validate(&query(text)).expect_err(text)
    }

    #[test]
    fn the_documented_queries_pass() {
        for text in [
            r#"{"source":"leads","metric":"count","filter":{"status":"active"}}"#,
            r#"{"source":"leads","filter":{"priority":{"gte":8}},"groupBy":"entityType"}"#,
            r#"{"source":"leads","filter":{"entityType":["host","user"],"priority":[9,10]},"groupBy":"entity","size":50}"#,
            r#"{"source":"leads","interval":"day","size":14}"#,
            r#"{"source":"audit","filter":{"outcome":"failure"},"interval":"hour"}"#,
            r#"{"source":"dashboards","groupBy":"accessMode"}"#,
            r#"{"source":"search","groupBy":"source"}"#,
            r#"{"source":"users","filter":{"enabled":true},"groupBy":"role"}"#,
            r#"{"source":"spaces"}"#,
        ] {
            assert_eq!(validate(&query(text)), Ok(()), "{text}");
        }
    }

    #[test]
    fn a_refusal_names_the_field_and_what_would_do() {
        assert_eq!(
            refusal(r#"{"source":"leads","groupBy":"foo"}"#),
            "groupBy: leads cannot be grouped by [foo]; use one of status, priority, entityType, entity"
        );
        assert_eq!(
            refusal(r#"{"source":"leads","filter":{"severity":"high"}}"#),
            "filter.severity: leads cannot be filtered by [severity]; use one of status, priority, entityType, entity"
        );
        assert_eq!(
            refusal(r#"{"source":"leads","filter":{"status":"open"}}"#),
            "filter.status: [open] is not a status; use one of active, dismissed, expired"
        );
        assert_eq!(
            refusal(r#"{"source":"leads","filter":{"priority":{"gte":11}}}"#),
            "filter.priority: range bounds must be 1 to 10"
        );
        assert_eq!(
            refusal(r#"{"source":"leads","filter":{"priority":{"gte":9,"lte":3}}}"#),
            "filter.priority: gte (9) is above lte (3)"
        );
        assert!(refusal(r#"{"source":"leads","filter":{"priority":{}}}"#).contains("gte, lte"));
        assert!(
            refusal(r#"{"source":"leads","filter":{"priority":"high"}}"#)
                .starts_with("filter.priority: expected a number")
        );
        assert!(
            refusal(r#"{"source":"leads","filter":{"status":{"gte":1}}}"#)
                .starts_with("filter.status: a range is only for numbers")
        );
        assert!(refusal(r#"{"source":"leads","filter":{"entity":[]}}"#).contains("empty list"));
        assert_eq!(
            refusal(r#"{"source":"dashboards","interval":"day"}"#),
            "interval: dashboards have no time to count over; leads and audit events do"
        );
        assert!(
            refusal(r#"{"source":"leads","groupBy":"status","interval":"day"}"#)
                .contains("not both")
        );
        assert_eq!(
            refusal(r#"{"source":"spaces","groupBy":"name"}"#),
            "groupBy: spaces cannot be grouped by [name]; use one of none"
        );
        assert_eq!(
            refusal(r#"{"source":"users","filter":{"enabled":"yes"}}"#),
            "filter.enabled: expected true or false"
        );
    }

    #[test]
    fn every_input_has_a_size() {
        assert_eq!(
            refusal(r#"{"source":"leads","size":0}"#),
            "size: must be 1 to 50"
        );
        assert_eq!(
            refusal(r#"{"source":"leads","size":51}"#),
            "size: must be 1 to 50"
        );
        assert_eq!(
            query(r#"{"source":"leads"}"#).effective_size(),
            DEFAULT_SIZE
        );
        let long = "x".repeat(MAX_FILTER_TEXT_CHARS + 1);
        let text = format!(r#"{{"source":"leads","filter":{{"entity":"{long}"}}}}"#);
        assert_eq!(
            refusal(&text),
            "filter.entity: must be at most 256 characters"
        );
        let many: Vec<String> = (0..=MAX_FILTER_VALUES)
            .map(|i| format!("\"e{i}\""))
            .collect();
        let text = format!(
            r#"{{"source":"leads","filter":{{"entity":[{}]}}}}"#,
            many.join(",")
        );
        assert_eq!(refusal(&text), "filter.entity: at most 20 values");
        // An unknown name is echoed cut short, not whole.
        let key = "k".repeat(10_000);
        let text = format!(r#"{{"source":"leads","groupBy":"{key}"}}"#);
        assert!(refusal(&text).len() < 300);
    }

    #[test]
    fn a_panel_type_fits_its_query() {
        let count = query(r#"{"source":"leads","filter":{"status":"active"}}"#);
        let grouped = query(r#"{"source":"leads","groupBy":"priority"}"#);
        let timed = query(r#"{"source":"leads","interval":"day"}"#);
        assert_eq!(validate_panel("metric", Some(&count)), Ok(()));
        assert_eq!(validate_panel("bar", Some(&grouped)), Ok(()));
        assert_eq!(validate_panel("table", Some(&grouped)), Ok(()));
        assert_eq!(validate_panel("line", Some(&timed)), Ok(()));
        for (kind, query) in [("metric", &grouped), ("metric", &timed)] {
            assert!(validate_panel(kind, Some(query))
                .expect_err(kind)
                .starts_with("query."));
        }
        assert_eq!(
            validate_panel("bar", Some(&count)),
            Err("query.groupBy: a bar panel needs a field to group by; use one of status, priority, entityType, entity".into())
        );
        assert!(validate_panel("line", Some(&grouped))
            .expect_err("line")
            .starts_with("query.interval"));
        assert!(validate_panel("markdown", Some(&count))
            .expect_err("markdown")
            .starts_with("query: a markdown panel"));
        assert!(validate_panel("lens", Some(&count))
            .expect_err("lens")
            .contains("drawn by Kibana"));
        // Without a query every kind passes: text, Kibana's and drawn ones not set up yet.
        for kind in ["markdown", "lens", "map", "metric", "bar"] {
            assert_eq!(validate_panel(kind, None), Ok(()), "{kind}");
        }
        // The query's own rules apply under the type's, located under `query.`.
        let bad = query(r#"{"source":"leads","groupBy":"foo"}"#);
        assert!(validate_panel("bar", Some(&bad))
            .expect_err("bad")
            .starts_with("query.groupBy: leads cannot be grouped by [foo]"));
    }
}

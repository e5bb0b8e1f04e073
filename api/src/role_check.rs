//! Checking a role's index rows before saving it (docs/administration.md, "Checking index rows
//! before saving"): whether the server would accept each row, and for a row that grants read on
//! the current space's leads, how many of the leads the caller may read its query lets through
//! and which lead fields its field security leaves visible. The route is
//! [`crate::admin::ROLE_CHECK_INDICES_PATH`]; the sentence the role editor shows is
//! [`check_sentence`], pure so it is tested natively.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request: the index rows of a role exactly as the role API takes them
/// (`elasticsearch.indices` of `PUT /api/security/role/{name}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexRowsCheckRequest {
    pub indices: Vec<Value>,
}

/// The answer: one entry per row, in the request's order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexRowsCheck {
    pub rows: Vec<IndexRowCheck>,
}

/// One row's verdict.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexRowCheck {
    /// Whether saving the role would accept this row.
    pub accepted: bool,
    /// When refused: the message the role save's 400 would carry, naming the clause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When accepted and the row grants read on the current space's leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<LeadsPreview>,
}

/// What an accepted row lets through of the current space's leads, counted only among the
/// leads the caller itself may read (never a lead hidden from the caller).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadsPreview {
    /// The space's leads index the counts are of.
    pub index: String,
    /// Leads the caller may read that the row's query lets through.
    pub matching: u64,
    /// Leads the caller may read.
    pub readable: u64,
    /// Whether the row's field security leaves every lead field visible.
    pub all_fields: bool,
    /// The lead fields (wire names) the row's field security leaves visible.
    pub visible_fields: Vec<String>,
}

use crate::text::thousands;

/// The text the role editor shows under a checked row: the refusal as the server gave it, or
/// "Accepted — lets 1,234 of 5,000 leads in this space through; fields: …".
pub fn check_sentence(check: &IndexRowCheck) -> String {
    if !check.accepted {
        return check
            .message
            .clone()
            .unwrap_or_else(|| "The server refuses this row.".into());
    }
    let Some(preview) = &check.preview else {
        return "Accepted — this row grants no read on this space's leads, so there is nothing to preview.".into();
    };
    if preview.readable == 0 {
        return format!(
            "Accepted — you can read no leads in this space, so there is nothing to count; fields: {}.",
            fields_text(preview)
        );
    }
    let lead_word = if preview.readable == 1 {
        "lead"
    } else {
        "leads"
    };
    format!(
        "Accepted — lets {} of {} {lead_word} in this space through; fields: {}.",
        thousands(preview.matching),
        thousands(preview.readable),
        fields_text(preview)
    )
}

/// The answer's verdicts by form row: `positions[i]` is the form row the `i`th sent row came from
/// (`RoleForm::indices_to_send`). Verdicts the answer lacks are left out.
pub fn by_form_row(positions: &[usize], answer: IndexRowsCheck) -> Vec<(usize, IndexRowCheck)> {
    positions.iter().copied().zip(answer.rows).collect()
}

/// The first form row the server refuses, where the editor takes the user before saving.
pub fn first_refused(checks: &[(usize, IndexRowCheck)]) -> Option<usize> {
    checks
        .iter()
        .filter(|(_, check)| !check.accepted)
        .map(|(at, _)| *at)
        .min()
}

fn fields_text(preview: &LeadsPreview) -> String {
    if preview.all_fields {
        "all".into()
    } else if preview.visible_fields.is_empty() {
        "none".into()
    } else {
        preview.visible_fields.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(matching: u64, readable: u64, fields: &[&str]) -> IndexRowCheck {
        IndexRowCheck {
            accepted: true,
            message: None,
            preview: Some(LeadsPreview {
                index: ".entity_analytics.entity-leads-default".into(),
                matching,
                readable,
                all_fields: fields.is_empty(),
                visible_fields: fields.iter().map(|f| f.to_string()).collect(),
            }),
        }
    }

    #[test]
    fn verdicts_land_on_the_form_rows_they_were_sent_from() {
        let refused = IndexRowCheck {
            accepted: false,
            message: Some("no".into()),
            preview: None,
        };
        let answer = IndexRowsCheck {
            rows: vec![preview(1, 2, &[]), refused.clone(), refused],
        };
        let checks = by_form_row(&[1, 3, 4], answer);
        assert_eq!(
            checks.iter().map(|(at, _)| *at).collect::<Vec<_>>(),
            [1, 3, 4]
        );
        assert_eq!(first_refused(&checks), Some(3));
        assert_eq!(first_refused(&checks[..1]), None);
    }

    #[test]
    fn an_accepted_row_says_how_many_of_the_readable_leads_it_lets_through() {
        assert_eq!(
            check_sentence(&preview(1234, 5000, &[])),
            "Accepted — lets 1,234 of 5,000 leads in this space through; fields: all."
        );
        assert_eq!(
            check_sentence(&preview(0, 1, &["id", "entity.name"])),
            "Accepted — lets 0 of 1 lead in this space through; fields: id, entity.name."
        );
    }

    #[test]
    fn a_refused_row_shows_the_servers_message_as_given() {
        let refused = IndexRowCheck {
            accepted: false,
            message: Some(
                "[request body.elasticsearch.indices.0.query]: [script] is not supported".into(),
            ),
            preview: None,
        };
        assert_eq!(
            check_sentence(&refused),
            "[request body.elasticsearch.indices.0.query]: [script] is not supported"
        );
    }

    #[test]
    fn a_row_without_a_preview_or_without_readable_leads_says_why_there_is_no_count() {
        let no_leads = IndexRowCheck {
            accepted: true,
            ..IndexRowCheck::default()
        };
        assert!(check_sentence(&no_leads).contains("grants no read on this space's leads"));
        let nothing_readable = check_sentence(&preview(0, 0, &[]));
        assert!(
            nothing_readable.contains("you can read no leads"),
            "{nothing_readable}"
        );
        assert!(!nothing_readable.contains("0 of 0"));
    }

    #[test]
    fn the_answer_reads_back_in_camel_case_without_empty_options() {
        let wire = serde_json::to_value(IndexRowsCheck {
            rows: vec![preview(2, 3, &["id"])],
        })
        .expect("json");
        assert_eq!(wire["rows"][0]["preview"]["visibleFields"][0], "id");
        assert_eq!(wire["rows"][0]["preview"]["allFields"], false);
        assert!(wire["rows"][0].get("message").is_none());
        let back: IndexRowsCheck = serde_json::from_value(wire).expect("reads back");
        assert_eq!(back.rows[0].preview.as_ref().map(|p| p.matching), Some(2));
    }
}

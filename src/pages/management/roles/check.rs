//! "Check" on an index row and the check before saving (docs/administration.md, "Checking index
//! rows before saving"): the rows go to the server, which judges them as the save would; each
//! verdict is shown under its row as long as the row is unchanged. The sentence is
//! `gatehouse_api::role_check::check_sentence`, tested natively.

use std::collections::HashMap;

use gatehouse_api::role_check::{
    by_form_row, check_sentence, first_refused, IndexRowCheck, IndexRowsCheckRequest,
};
use wasm_bindgen::JsCast;

use super::*;
use crate::api::ApiClient;

/// Where one row's check is.
#[derive(Debug, Clone, PartialEq)]
pub enum RowCheck {
    Checking,
    Done(IndexRowCheck),
    /// The check did not get an answer (network, 5xx…): nothing the user typed is touched.
    Failed(String),
}

/// The checks by form row, each with the row as it was checked: a verdict is shown only while
/// the row still reads the same.
pub type RowChecks = RwSignal<HashMap<usize, (IndexRow, RowCheck)>>;

/// Sends every row of the form, as the save would, and records the verdicts of the rows in
/// `shown` (every sent row when `None`). Returns the first form row the server refuses, or
/// `Err` when there was no verdict.
pub(super) async fn check_rows(
    api: ApiClient,
    form: RoleForm,
    checks: RowChecks,
    shown: Option<usize>,
) -> Result<Option<usize>, String> {
    let sent = form.indices_to_send();
    let positions: Vec<usize> = sent.iter().map(|(at, _)| *at).collect();
    let marked: Vec<usize> = match shown {
        Some(at) => positions.iter().copied().filter(|p| *p == at).collect(),
        None => positions.clone(),
    };
    let record = |at: usize, state: RowCheck| {
        if let Some(row) = form.indices.get(at) {
            checks.update(|c| {
                c.insert(at, (row.clone(), state));
            });
        }
    };
    for at in &marked {
        record(*at, RowCheck::Checking);
    }
    let request = IndexRowsCheckRequest {
        indices: sent.into_iter().map(|(_, row)| row).collect(),
    };
    match api.check_index_rows(&request).await {
        Ok(answer) => {
            let verdicts = by_form_row(&positions, answer);
            for (at, verdict) in &verdicts {
                if marked.contains(at) {
                    record(*at, RowCheck::Done(verdict.clone()));
                }
            }
            Ok(first_refused(&verdicts))
        }
        Err(error) => {
            let text = format!("The rows could not be checked: {}", error.toast_text());
            for at in &marked {
                record(*at, RowCheck::Failed(text.clone()));
            }
            Err(text)
        }
    }
}

/// Scrolls to index row `at` and focuses it, so the refusal under it is in view.
pub(super) fn show_row(at: usize) {
    let Some(element) = document().get_element_by_id(&row_element_id(at)) else {
        return;
    };
    element.scroll_into_view();
    if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}

pub(super) fn row_element_id(at: usize) -> String {
    format!("role-index-row-{at}")
}

/// The verdict under row `i`, while the row reads as it did when checked.
#[component]
pub(super) fn RowCheckResult(
    i: usize,
    form: RwSignal<RoleForm>,
    checks: RowChecks,
) -> impl IntoView {
    let current = move || {
        let row = form.with(|f| f.indices.get(i).cloned())?;
        checks.with(|c| {
            c.get(&i)
                .filter(|(checked, _)| *checked == row)
                .map(|(_, state)| state.clone())
        })
    };
    move || {
        current().map(|state| match state {
            RowCheck::Checking => view! {
                <p class="muted small" role="status" data-testid="role-index-check-result">"Checking…"</p>
            }
            .into_any(),
            RowCheck::Done(verdict) => {
                let class = if verdict.accepted {
                    "inline-result inline-success"
                } else {
                    "inline-result inline-danger"
                };
                view! {
                    <p class=class role="status" data-testid="role-index-check-result"
                        data-accepted=verdict.accepted.to_string()>{check_sentence(&verdict)}</p>
                }
                .into_any()
            }
            RowCheck::Failed(text) => view! {
                <p class="inline-result inline-danger" role="alert" data-testid="role-index-check-result"
                    data-accepted="unknown">{text}</p>
            }
            .into_any(),
        })
    }
}

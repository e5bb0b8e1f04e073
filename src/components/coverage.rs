//! What one grant covers, as two table cells ("Documents", "Fields"): Effective access and "Why?"
//! draw it the same way (docs/effective-access.md). A query is shown as the role stores it,
//! wrapped rather than clipped, under its plain-words summary when it has one.

use gatehouse_api::access::{Coverage, DocumentsCovered};
use leptos::prelude::*;

#[component]
pub fn CoverageCells(coverage: Coverage) -> impl IntoView {
    let documents = coverage.documents_text();
    let fields = coverage.fields_text();
    let restricted_documents = coverage.documents != DocumentsCovered::All;
    let restricted_fields = !matches!(coverage.fields, gatehouse_api::access::FieldsCovered::All);
    let queries = match coverage.documents {
        DocumentsCovered::All => Vec::new(),
        DocumentsCovered::Matching { queries } => queries,
    };
    view! {
        <td class="coverage-cell" data-testid="coverage-documents">
            <span class:muted=!restricted_documents>{documents}</span>
            {queries.into_iter().map(|query| view! {
                <code class="coverage-query" title="The role's query">{query.query}</code>
                {query.unusable.map(|why| view! { <span class="missing small">{why}</span> })}
            }).collect_view()}
        </td>
        <td class="coverage-cell" data-testid="coverage-fields">
            <span class:muted=!restricted_fields>{fields}</span>
        </td>
    }
}

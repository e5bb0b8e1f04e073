//! The management lists' table and its placeholder while the list loads.

use leptos::prelude::*;

/// A `data-table` with one header cell per `headers` entry (an empty one is the actions column,
/// named for screen readers only) and `children` as its rows; inside a horizontal scroller unless
/// `scroll` is false.
#[component]
pub fn DataTable(
    class: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    headers: &'static [&'static str],
    #[prop(default = true)] scroll: bool,
    /// `children` are row groups, a `<tbody>` each (rows that share a `rowspan` cell), not rows.
    #[prop(optional)]
    row_groups: bool,
    children: Children,
) -> impl IntoView {
    let headers = headers
        .iter()
        .map(|&header| {
            if header.is_empty() {
                view! { <th scope="col"><span class="sr-only">"Actions"</span></th> }.into_any()
            } else {
                view! { <th scope="col">{header}</th> }.into_any()
            }
        })
        .collect_view();
    let body = if row_groups {
        children().into_any()
    } else {
        view! { <tbody>{children()}</tbody> }.into_any()
    };
    let table = view! {
        <table class=class data-testid=testid>
            <thead><tr>{headers}</tr></thead>
            {body}
        </table>
    };
    if scroll {
        view! { <div class="table-scroll">{table}</div> }.into_any()
    } else {
        table.into_any()
    }
}

/// Grey bars where a table will be, while its rows load.
#[component]
pub fn TableSkeleton(#[prop(optional)] class: &'static str) -> impl IntoView {
    view! { <div class=format!("{class}table-skeleton skeleton")><span></span><span></span><span></span></div> }
}

/// The rows of a filtered list, one `row` each, or when nothing is left the one row that says so:
/// `empty` is that row's column span, test id and text.
pub fn table_rows<T, V: IntoView + 'static>(
    items: Vec<T>,
    empty: (&'static str, &'static str, &'static str),
    row: impl FnMut(T) -> V,
) -> AnyView {
    let (colspan, testid, text) = empty;
    if items.is_empty() {
        return view! { <tr><td colspan=colspan class="empty-row muted" data-testid=testid>{text}</td></tr> }
            .into_any();
    }
    items.into_iter().map(row).collect_view().into_any()
}

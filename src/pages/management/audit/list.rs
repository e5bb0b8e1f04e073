//! The log itself: the filter bar, one page of events, the paging, and "Download as ndjson".

use gatehouse_api::audit::{AuditPage, EXPORT_FILE_NAME, MAX_EXPORT_EVENTS};
use gatehouse_api::audit_page::{page_count, range_text, texts, AuditFilters, PER_PAGE_CHOICES};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{AuditEventRows, AuditFilterBar};
use crate::api::expect_api;
use crate::components::{
    reloadable, save_ndjson_file, unique_id, DataTable, LoadError, PageHeader, TableSkeleton,
};
use crate::format::plural;
use crate::routes::audit_log_href;
use crate::state::expect_toasts;

/// The table's columns; the last one holds each row's disclosure button.
pub const AUDIT_COLUMNS: &[&str] = &[
    "Time", "User", "Action", "Outcome", "Space", "Object", "Message", "",
];

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

#[component]
pub fn AuditLogList() -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            AuditFilters::from_query(q.latest_values().map(|(key, value)| (key.as_ref(), value)))
        })
    });
    let navigate = use_navigate();
    let show = Callback::new(move |next: AuditFilters| {
        navigate(&audit_log_href(&next.page_query()), Default::default())
    });
    // "Last hour" means the hour before each read, a retry's included.
    let (events, reload) = reloadable(move || {
        let query = filters.get().api_query(now_ms(), true);
        async move { api.audit_events(&query).await }
    });
    let downloading = RwSignal::new(false);
    let download = move |_| {
        let query = filters.get_untracked().api_query(now_ms(), false);
        downloading.set(true);
        spawn_local(async move {
            match api.export_audit_events(&query).await {
                Ok(ndjson) => {
                    let count = ndjson
                        .lines()
                        .filter(|line| !line.trim().is_empty())
                        .count();
                    match save_ndjson_file(&ndjson, EXPORT_FILE_NAME) {
                        Ok(()) if count >= MAX_EXPORT_EVENTS => toasts.warning(
                            "Download ready",
                            &format!(
                                "{} saved as {EXPORT_FILE_NAME}. {}",
                                plural(count as u64, "event", "events"),
                                texts::TRUNCATED
                            ),
                        ),
                        Ok(()) => toasts.success(
                            "Download ready",
                            &format!(
                                "{} saved as {EXPORT_FILE_NAME}.",
                                plural(count as u64, "event", "events")
                            ),
                        ),
                        Err(why) => toasts.error("The download could not be saved", &why),
                    }
                }
                Err(error) => toasts.api_error("Download failed", &error),
            }
            let _ = downloading.try_set(false);
        });
    };
    view! {
        <PageHeader title=texts::TITLE subtitle=texts::SUBTITLE>
            <div class="row-actions">
                <button type="button" class="btn" data-testid="audit-download" disabled=move || downloading.get() aria-busy=move || downloading.get().then_some("true") on:click=download>
                    {move || if downloading.get() { "Preparing the download…" } else { "Download as ndjson" }}
                </button>
            </div>
        </PageHeader>
        <section class="panel">
            <AuditFilterBar filters on_apply=show />
            <Transition fallback=|| view! { <TableSkeleton /> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(page) => view! { <AuditTable page filters show /> }.into_any(),
                        Err(error) => view! {
                            <LoadError error on_retry=reload title="The audit log could not be read" testid="audit-load-error" retry_testid="audit-retry" />
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditTable(
    page: AuditPage,
    filters: Memo<AuditFilters>,
    show: Callback<AuditFilters>,
) -> impl IntoView {
    let shown = page.events.len();
    let (total, per_page) = (page.total, page.per_page.max(1));
    let current = page.page.max(1);
    let pages = page_count(total, per_page);
    let body = if page.events.is_empty() {
        let clear = move |_| show.run(AuditFilters::default());
        let narrowed = filters.with_untracked(AuditFilters::is_narrowed);
        view! {
            <tbody>
                <tr>
                    <td colspan=AUDIT_COLUMNS.len().to_string() class="empty-row muted" data-testid="audit-empty">
                        {texts::EMPTY}
                        {narrowed.then(|| view! { " "<button type="button" class="link-button" data-testid="audit-empty-clear" on:click=clear>"Clear filters"</button> })}
                    </td>
                </tr>
            </tbody>
        }
        .into_any()
    } else {
        page.events
            .into_iter()
            .map(|event| view! { <AuditEventRows event /> })
            .collect_view()
            .into_any()
    };
    let go_to = move |page: u32| show.run(filters.get_untracked().on_page(page));
    let per_page_id = unique_id("audit-per-page");
    let choose_per_page = move |value: String| {
        if let Ok(per_page) = value.parse::<u32>() {
            show.run(filters.get_untracked().changed(|f| f.per_page = per_page));
        }
    };
    view! {
        <DataTable class="data-table audit-table" testid="audit-table" headers=AUDIT_COLUMNS row_groups=true>
            {body}
        </DataTable>
        <nav class="audit-paging" aria-label="Audit log pages">
            <p class="muted small" data-testid="audit-total" role="status">{range_text(current, per_page, shown, total)}</p>
            <div class="audit-paging-controls">
                <label for=per_page_id.clone() class="small">"Rows per page"</label>
                <select id=per_page_id data-testid="audit-per-page" on:change:target=move |ev| choose_per_page(ev.target().value())>
                    {PER_PAGE_CHOICES.map(|n| view! { <option value=n.to_string() selected=n == per_page>{n.to_string()}</option> }).collect_view()}
                </select>
                <button type="button" class="btn btn-small" data-testid="audit-previous" disabled=current <= 1 on:click=move |_| go_to(current - 1)>"Previous"</button>
                <span class="small" data-testid="audit-page">{format!("Page {current} of {pages}")}</span>
                <button type="button" class="btn btn-small" data-testid="audit-next" disabled=current >= pages on:click=move |_| go_to(current + 1)>"Next"</button>
            </div>
        </nav>
    }
}

//! The Search app (`/app/search`): one search box over every source the user may read, results
//! with highlighted snippets, a source filter, paging, an empty state that suggests what to try,
//! and a document view. Those who manage search also get the document's Access panel, "Preview
//! as" another user, and sources management (documents pasted as JSON, identities with
//! permission chips).
//!
//! Everything the server sends is rendered as text: highlights are `<mark>` elements built from
//! the snippet's marker characters (`gatehouse_api::search::snippet_parts`), never HTML.

mod document;
mod related;
mod sources;

pub use document::*;
pub use related::*;
pub use sources::*;

use gatehouse_api::search::{
    document_tags, document_text, snippet_parts, BulkCreateResult, DocumentAccess,
    ExternalIdentity, IdentityUpdate, NewIdentity, PageRequest, SearchFilters, SearchRequest,
    SearchResponse, SearchResult, Source, UserProperty, APP_ID, DEFAULT_SEARCH_PAGE_SIZE,
    FEATURE_ID, MANAGE_CAPABILITY, MAX_BULK_DOCUMENTS, USERNAME_ATTRIBUTE,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use serde_json::Value;

use crate::api::expect_api;
use crate::components::{
    open_while_some, AppGate, DataTable, LoadError, Modal, PageHeader, SearchInput,
};
use crate::format::plural;
use crate::routes::document_href;
use crate::state::{expect_session, expect_toasts};

/// Queries the empty state offers.
const SUGGESTED_QUERIES: &[&str] = &["ransomware", "phishing", "credentials", "lateral movement"];

/// `path` under the space of the current page (`/s/{id}` unless it is the default space).
fn in_current_space(path: &str) -> String {
    let pathname = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let (space, _) = gatehouse_api::spaces::split_space_path(&pathname);
    format!("{}{path}", gatehouse_api::spaces::space_prefix(space))
}

/// An `http(s)` URL from a document, or nothing: other schemes (`javascript:`) never become links.
pub fn safe_link(url: &str) -> Option<String> {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.trim().to_string())
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let session = expect_session();
    let can_manage =
        Signal::derive(move || session.capabilities().get(FEATURE_ID, MANAGE_CAPABILITY));
    view! {
        <div class="page">
            <AppGate
                nav_link=APP_ID
                app="Search"
                reason="Your roles do not grant the Search feature privilege in this space."
                feature="workplaceSearch"
            >
                <SearchApp can_manage />
            </AppGate>
        </div>
    }
}

/// A document to show: where it lives and what the result called it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocRef {
    source: String,
    source_name: String,
    id: String,
    title: String,
}

#[component]
fn SearchApp(can_manage: Signal<bool>) -> impl IntoView {
    let api = expect_api();
    let session = expect_session();
    let params = use_query_map().get_untracked();
    let query = RwSignal::new(params.get("q").unwrap_or_default());
    let page = RwSignal::new(1u32);
    let source = RwSignal::new(params.get("source").unwrap_or_default());
    let preview_as = RwSignal::new(String::new());
    let reload = RwSignal::new(0u32);
    // `?source=S&doc=D` opens that document (a link from a lead's related runbooks).
    let open_doc = RwSignal::new(params.get("doc").and_then(|id| {
        let source = params.get("source").filter(|s| !s.is_empty())?;
        Some(DocRef {
            source_name: String::new(),
            title: id.clone(),
            source,
            id,
        })
    }));
    let managing = RwSignal::new(false);

    let sources = LocalResource::new(move || {
        reload.track();
        session.privileges_changed.track();
        async move { api.search_sources().await }
    });
    // "Preview as" needs to read users; a manager who cannot gets no picker.
    let users = LocalResource::new(move || {
        let manage = can_manage.get();
        async move {
            if manage {
                api.list_users().await.ok()
            } else {
                None
            }
        }
    });
    let results = LocalResource::new(move || {
        let request = SearchRequest {
            query: query.get(),
            page: PageRequest {
                current: page.get(),
                size: DEFAULT_SEARCH_PAGE_SIZE,
            },
            filters: SearchFilters {
                source: Some(source.get())
                    .filter(|s| !s.is_empty())
                    .into_iter()
                    .collect(),
                tags: Vec::new(),
            },
            as_user: Some(preview_as.get()).filter(|u| !u.is_empty()),
        };
        reload.track();
        session.privileges_changed.track();
        async move { api.search_documents(&request).await }
    });

    let set_query = move |text: String| {
        query.set(text);
        page.set(1);
    };

    view! {
        <PageHeader title="Search" subtitle="Runbooks and notes from every source you may read. Some documents are visible only to certain teams.">
            <Show when=move || can_manage.get()>
                <button
                    type="button"
                    class="btn"
                    data-testid="search-manage-toggle"
                    aria-expanded=move || managing.get().to_string()
                    on:click=move |_| managing.update(|m| *m = !*m)
                >
                    {move || if managing.get() { "Back to search" } else { "Manage sources" }}
                </button>
            </Show>
        </PageHeader>
        <Show
            when=move || !managing.get()
            fallback=move || view! { <SourcesManager on_changed=Callback::new(move |_| reload.update(|n| *n += 1)) /> }
        >
            <section class="panel">
                <form class="filters" role="search" on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                    <SearchInput placeholder="Search runbooks and notes" label="Search documents" testid="search-input" value=query on_input=Callback::new(move |value: String| set_query(value)) />
                    <FilterSelect label="Source" testid="search-source-filter" value=source page all="All sources">
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let list = sources.await.map(|p| p.results).unwrap_or_default();
                                list.into_iter().map(|s: Source| {
                                    let label = format!("{} ({})", s.name, plural(s.document_count, "document", "documents"));
                                    view! { <option value=s.id.clone() selected=move || source.get() == s.id>{label}</option> }
                                }).collect_view()
                            })}
                        </Transition>
                    </FilterSelect>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            users.await.map(|list| view! {
                                <FilterSelect label="Preview as" testid="search-preview-as" value=preview_as page all="Yourself">
                                    {list.into_iter().filter(|u| u.enabled).map(|u| {
                                        let label = match &u.full_name {
                                            Some(name) if !name.is_empty() => format!("{name} ({})", u.username),
                                            _ => u.username.clone(),
                                        };
                                        view! { <option value=u.username.clone()>{label}</option> }
                                    }).collect_view()}
                                </FilterSelect>
                            })
                        })}
                    </Transition>
                </form>
                <Show when=move || !preview_as.get().is_empty()>
                    <div class="callout callout-info" role="status" data-testid="search-preview-callout">
                        <p>
                            {move || format!("Previewing as {}: these are exactly the results {} would see.", preview_as.get(), preview_as.get())}
                            " "
                            <button type="button" class="link-button" data-testid="search-preview-stop" on:click=move |_| preview_as.set(String::new())>"Stop previewing"</button>
                        </p>
                    </div>
                </Show>
                <Transition fallback=|| view! { <div class="table-skeleton skeleton" aria-busy="true"><span></span><span></span><span></span></div> }>
                    {move || Suspend::new(async move {
                        match results.await {
                            Ok(response) if response.results.is_empty() && response.meta.page.current <= 1 => view! {
                                <EmptyState query source set_query=Callback::new(set_query) />
                            }.into_any(),
                            Ok(response) => view! { <ResultList response page open_doc /> }.into_any(),
                            Err(error) => view! {
                                <LoadError error title="The search failed" testid="search-error" retry_testid="search-retry" on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) />
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </Show>
        <DocumentDialog target=open_doc can_manage />
    }
}

/// Text with `<mark>` around the server's highlighted runs.
#[component]
pub fn Snippet(text: String) -> impl IntoView {
    snippet_parts(&text)
        .into_iter()
        .map(|(part, highlighted)| {
            if highlighted {
                view! { <mark>{part}</mark> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}

#[component]
fn ResultList(
    response: SearchResponse,
    page: RwSignal<u32>,
    open_doc: RwSignal<Option<DocRef>>,
) -> impl IntoView {
    let meta = response.meta.page;
    let current = meta.current.max(1);
    let total_pages = meta.total_pages.max(1);
    let first = u64::from(current - 1) * u64::from(meta.size) + 1;
    let last = (first + response.results.len() as u64).saturating_sub(1);
    let summary = if response.results.is_empty() {
        format!("No results on this page ({} in all)", meta.total_results)
    } else {
        format!(
            "{first}–{last} of {}",
            plural(meta.total_results, "result", "results")
        )
    };
    view! {
        <p class="muted small" data-testid="search-total" aria-live="polite">{summary}</p>
        <ul class="search-results" data-testid="search-results">
            {response.results.into_iter().map(|result| view! { <ResultItem result open_doc /> }).collect_view()}
        </ul>
        <nav class="pagination" aria-label="Result pages">
            <button type="button" class="btn" data-testid="search-prev" disabled={current <= 1} on:click=move |_| page.set(current - 1)>"‹ Previous"</button>
            <span data-testid="search-page">{format!("Page {current} of {total_pages}")}</span>
            <button type="button" class="btn" data-testid="search-next" disabled={current >= total_pages} on:click=move |_| page.set(current + 1)>"Next ›"</button>
        </nav>
    }
}

#[component]
fn ResultItem(result: SearchResult, open_doc: RwSignal<Option<DocRef>>) -> impl IntoView {
    let title = if result.title.trim().is_empty() {
        result.id.clone()
    } else {
        result.title.clone()
    };
    let target = DocRef {
        source: result.meta.source.clone(),
        source_name: result.meta.source_name.clone(),
        id: result.id.clone(),
        title: title.clone(),
    };
    let source_name = if result.meta.source_name.is_empty() {
        result.meta.source.clone()
    } else {
        result.meta.source_name.clone()
    };
    view! {
        <li class="search-result" data-testid="search-result" data-document-id=result.id.clone()>
            <h2>
                <button type="button" class="link-button row-title" data-testid="search-result-open" on:click=move |_| open_doc.set(Some(target.clone()))>
                    {title}
                </button>
            </h2>
            <p class="row-description" data-testid="search-result-snippet"><Snippet text=result.snippet /></p>
            <div class="toolbar">
                <span class="badge" data-testid="search-result-source">{source_name}</span>
                <ul class="tags" aria-label="Tags">
                    {result.tags.into_iter().map(|tag| view! { <li class="tag">{tag}</li> }).collect_view()}
                </ul>
            </div>
        </li>
    }
}

#[component]
fn EmptyState(
    query: RwSignal<String>,
    source: RwSignal<String>,
    set_query: Callback<String>,
) -> impl IntoView {
    let typed = query.get_untracked();
    let heading = if typed.trim().is_empty() {
        "No documents to show yet".to_string()
    } else {
        format!("No results for “{}”", typed.trim())
    };
    let filtered = !source.get_untracked().is_empty();
    view! {
        <div class="empty-state" data-testid="search-empty">
            <h2>{heading}</h2>
            <p class="muted">"Try:"</p>
            <ul class="plain-list">
                <li>"Checking the spelling, or using fewer words."</li>
                <li>
                    "A broader term, for example "
                    {SUGGESTED_QUERIES.iter().map(|q| view! {
                        <button type="button" class="btn btn-small" data-testid="search-suggestion" on:click=move |_| set_query.run(q.to_string())>{*q}</button>
                        " "
                    }).collect_view()}
                </li>
                {filtered.then(|| view! {
                    <li>
                        <button type="button" class="link-button" data-testid="search-clear-source" on:click=move |_| source.set(String::new())>
                            "Searching all sources"
                        </button>
                    </li>
                })}
            </ul>
            <p class="muted small">"Some documents are visible only to certain teams. If you expected one, ask an administrator about your search permissions."</p>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Document view and Access panel
// ---------------------------------------------------------------------------------------------

/// One filter of the results: a labelled select, its first option `all` (the empty value), then
/// `children`; a change starts the results again at page 1.
#[component]
fn FilterSelect(
    label: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    page: RwSignal<u32>,
    all: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <label class="inline-field">
            <span>{label}</span>
            <select
                data-testid=testid
                prop:value=move || value.get()
                on:change:target=move |ev| {
                    value.set(ev.target().value());
                    page.set(1);
                }
            >
                <option value="">{all}</option>
                {children()}
            </select>
        </label>
    }
}

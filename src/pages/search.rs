//! The Search app (`/app/search`): one search box over every source the user may read, results
//! with highlighted snippets, a source filter, paging, an empty state that suggests what to try,
//! and a document view. Those who manage search also get the document's Access panel, "Preview
//! as" another user, and sources management (documents pasted as JSON, identities with
//! permission chips).
//!
//! Everything the server sends is rendered as text: highlights are `<mark>` elements built from
//! the snippet's marker characters (`gatehouse_api::search::snippet_parts`), never HTML.

use gatehouse_api::search::{
    document_tags, document_text, snippet_parts, BulkCreateResult, DocumentAccess,
    ExternalIdentity, IdentityUpdate, NewIdentity, PageRequest, SearchFilters, SearchRequest,
    SearchResponse, SearchResult, Source, UserProperty, APP_ID, DEFAULT_SEARCH_PAGE_SIZE,
    FEATURE_ID, MANAGE_CAPABILITY, MAX_BULK_DOCUMENTS, USERNAME_ATTRIBUTE,
};
use gatehouse_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use serde_json::Value;

use crate::api::expect_api;
use crate::components::{open_while_some, AppForbidden, Modal};
use crate::state::{expect_session, expect_toasts};

/// The app's route.
pub use gatehouse_api::apps::SEARCH_APP_PATH;

/// Queries the empty state offers.
const SUGGESTED_QUERIES: &[&str] = &["ransomware", "phishing", "credentials", "lateral movement"];

/// `/app/search?q=<query>`: a link that opens the app on a query (e.g. from a lead).
pub fn search_href(query: &str) -> String {
    format!(
        "{SEARCH_APP_PATH}?q={}",
        String::from(js_sys::encode_uri_component(query))
    )
}

/// `/app/search?source=S&doc=D`: the app with one document open.
pub fn document_href(source: &str, id: &str) -> String {
    format!(
        "{SEARCH_APP_PATH}?source={}&doc={}",
        String::from(js_sys::encode_uri_component(source)),
        String::from(js_sys::encode_uri_component(id))
    )
}

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
    let allowed = move || session.capabilities().nav_link(APP_ID);
    let can_manage =
        Signal::derive(move || session.capabilities().get(FEATURE_ID, MANAGE_CAPABILITY));
    view! {
        <div class="page">
            <Show
                when=allowed
                fallback=|| view! {
                    <AppForbidden
                        app="Search"
                        reason="Your roles do not grant the Search feature privilege in this space."
                        feature="workplaceSearch"
                    />
                }
            >
                <SearchApp can_manage />
            </Show>
        </div>
    }
}

/// A document to show: where it lives and what the result called it.
#[derive(Debug, Clone, PartialEq)]
struct DocRef {
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
        <header class="page-header page-header-row">
            <div>
                <h1>"Search"</h1>
                <p class="muted">"Runbooks and notes from every source you may read. Some documents are visible only to certain teams."</p>
            </div>
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
        </header>
        <Show
            when=move || !managing.get()
            fallback=move || view! { <SourcesManager on_changed=Callback::new(move |_| reload.update(|n| *n += 1)) /> }
        >
            <section class="panel">
                <form class="filters" role="search" on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                    <input
                        type="search"
                        class="search-input"
                        placeholder="Search runbooks and notes"
                        aria-label="Search documents"
                        data-testid="search-input"
                        prop:value=move || query.get()
                        on:input:target=move |ev| set_query(ev.target().value())
                    />
                    <label class="inline-field">
                        <span>"Source"</span>
                        <select
                            data-testid="search-source-filter"
                            prop:value=move || source.get()
                            on:change:target=move |ev| {
                                source.set(ev.target().value());
                                page.set(1);
                            }
                        >
                            <option value="">"All sources"</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    let list = sources.await.map(|p| p.results).unwrap_or_default();
                                    list.into_iter().map(|s: Source| {
                                        let label = format!("{} ({})", s.name, plural(s.document_count, "document", "documents"));
                                        view! { <option value=s.id.clone() selected=move || source.get() == s.id>{label}</option> }
                                    }).collect_view()
                                })}
                            </Transition>
                        </select>
                    </label>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            users.await.map(|list| view! {
                                <label class="inline-field">
                                    <span>"Preview as"</span>
                                    <select
                                        data-testid="search-preview-as"
                                        prop:value=move || preview_as.get()
                                        on:change:target=move |ev| {
                                            preview_as.set(ev.target().value());
                                            page.set(1);
                                        }
                                    >
                                        <option value="">"Yourself"</option>
                                        {list.into_iter().filter(|u| u.enabled).map(|u| {
                                            let label = match &u.full_name {
                                                Some(name) if !name.is_empty() => format!("{name} ({})", u.username),
                                                _ => u.username.clone(),
                                            };
                                            view! { <option value=u.username.clone()>{label}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
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
                                <SearchError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) />
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </Show>
        <DocumentDialog target=open_doc can_manage />
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[component]
fn SearchError(error: ApiError, on_retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="callout callout-danger" role="alert" data-testid="search-error">
            <p class="callout-title">"The search failed"</p>
            <p>{error.toast_text()}</p>
            <button type="button" class="btn" data-testid="search-retry" on:click=move |_| on_retry.run(())>"Try again"</button>
        </div>
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
        <div class="search-results" role="list" data-testid="search-results">
            {response.results.into_iter().map(|result| view! { <ResultItem result open_doc /> }).collect_view()}
        </div>
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
        <article class="search-result" role="listitem" data-testid="search-result" data-document-id=result.id.clone()>
            <h3>
                <button type="button" class="link-button row-title" data-testid="search-result-open" on:click=move |_| open_doc.set(Some(target.clone()))>
                    {title}
                </button>
            </h3>
            <p class="row-description" data-testid="search-result-snippet"><Snippet text=result.snippet /></p>
            <div class="toolbar">
                <span class="badge" data-testid="search-result-source">{source_name}</span>
                <ul class="tags" aria-label="Tags">
                    {result.tags.into_iter().map(|tag| view! { <li class="tag">{tag}</li> }).collect_view()}
                </ul>
            </div>
        </article>
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

#[component]
fn DocumentDialog(target: RwSignal<Option<DocRef>>, can_manage: Signal<bool>) -> impl IntoView {
    let open = open_while_some(target);
    // The loaded document's own title, once known (a deep link only knows the id).
    let loaded_title = RwSignal::new(None::<String>);
    let title = Signal::derive(move || {
        loaded_title
            .get()
            .or_else(|| target.with(|t| t.as_ref().map(|d| d.title.clone())))
            .unwrap_or_else(|| "Document".to_string())
    });
    view! {
        <Modal open title testid="search-document" class="modal-wide">
            {move || target.get().map(|doc| {
                loaded_title.set(None);
                view! { <DocumentBody doc can_manage loaded_title /> }
            })}
        </Modal>
    }
}

#[component]
fn DocumentBody(
    doc: DocRef,
    can_manage: Signal<bool>,
    loaded_title: RwSignal<Option<String>>,
) -> impl IntoView {
    let api = expect_api();
    let (source, id) = (doc.source.clone(), doc.id.clone());
    let document = LocalResource::new(move || {
        let (source, id) = (source.clone(), id.clone());
        async move { api.search_document(&source, &id).await }
    });
    let source_name = if doc.source_name.is_empty() {
        doc.source.clone()
    } else {
        doc.source_name.clone()
    };
    let access_target = doc.clone();
    view! {
        <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span><span></span></div> }>
            {move || {
                let source_name = source_name.clone();
                Suspend::new(async move {
                    match document.await {
                        Ok(fields) => {
                            if let Some(title) = document_text(&fields, "title").filter(|t| !t.trim().is_empty()) {
                                loaded_title.set(Some(title.to_string()));
                            }
                            let body = document_text(&fields, "body").unwrap_or_default().to_string();
                            let url = document_text(&fields, "url").and_then(safe_link);
                            let kind = document_text(&fields, "type").map(str::to_string);
                            let created = document_text(&fields, "created_at").map(str::to_string);
                            let tags = document_tags(&fields);
                            view! {
                                <article data-testid="search-document-body">
                                    <p class="muted small">
                                        <span class="badge">{source_name}</span>
                                        {kind.map(|k| view! { " · "{k} })}
                                        {created.map(|c| view! { " · "{c} })}
                                    </p>
                                    <ul class="tags" aria-label="Tags">
                                        {tags.into_iter().map(|tag| view! { <li class="tag">{tag}</li> }).collect_view()}
                                    </ul>
                                    <div class="prose">
                                        {body.split("\n\n").map(|para| view! { <p>{para.to_string()}</p> }).collect_view()}
                                    </div>
                                    {url.map(|href| view! {
                                        <p class="small"><a href=href.clone() target="_blank" rel="noopener noreferrer">{href.clone()}</a></p>
                                    })}
                                </article>
                            }.into_any()
                        }
                        // A hidden document answers as a missing one: say only that.
                        Err(error) if error.status == 404 => view! {
                            <p class="muted" data-testid="search-document-missing">"This document is no longer available to you."</p>
                        }.into_any(),
                        Err(error) => view! {
                            <div class="callout callout-danger" role="alert"><p>{error.toast_text()}</p></div>
                        }.into_any(),
                    }
                })
            }}
        </Transition>
        <Show when=move || can_manage.get()>
            <AccessPanel doc=access_target.clone() />
        </Show>
    }
}

/// Who can and cannot see the document, with the reason (search managers who may read users).
#[component]
fn AccessPanel(doc: DocRef) -> impl IntoView {
    let api = expect_api();
    let access = LocalResource::new(move || {
        let (source, id) = (doc.source.clone(), doc.id.clone());
        async move { api.search_document_access(&source, &id).await }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(access) => view! { <AccessTable access /> }.into_any(),
                    // Without the right to read users the panel is simply not offered.
                    Err(error) if error.status == 403 || error.status == 404 => ().into_any(),
                    Err(error) => view! {
                        <p class="muted small" data-testid="access-panel-error">{format!("Access could not be loaded: {}", error.toast_text())}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn chips(items: &[String], empty: &'static str) -> AnyView {
    if items.is_empty() {
        return view! { <span class="muted">{empty}</span> }.into_any();
    }
    items
        .iter()
        .map(|p| view! { <code class="role-chip">{p.clone()}</code>" " })
        .collect_view()
        .into_any()
}

#[component]
fn AccessTable(access: DocumentAccess) -> impl IntoView {
    let seeing = access.users.iter().filter(|u| u.sees_it()).count();
    let total = access.users.len();
    view! {
        <section class="access-section" data-testid="access-panel" aria-label="Access">
            <h3>"Access"</h3>
            <p class="small">
                "Allowed: "{chips(&access.allow, "everyone (no allow list)")}
                " · Denied: "{chips(&access.deny, "nobody")}
            </p>
            <p class="muted small" data-testid="access-summary">{format!("{seeing} of {total} users can see this document.")}</p>
            <div class="table-scroll">
                <table class="data-table access-table">
                    <thead>
                        <tr><th scope="col">"User"</th><th scope="col">"Sees it"</th><th scope="col">"Reason"</th><th scope="col">"Permissions"</th></tr>
                    </thead>
                    <tbody>
                        {access.users.into_iter().map(|user| {
                            let sees = user.sees_it();
                            let name = match &user.full_name {
                                Some(full) if !full.is_empty() => format!("{full} ({})", user.username),
                                _ => user.username.clone(),
                            };
                            view! {
                                <tr data-testid="access-row" data-username=user.username.clone() data-sees=sees.to_string()>
                                    <td>{name}</td>
                                    <td>
                                        <span class=if sees { "status-badge status-ok" } else { "status-badge status-error" }>
                                            {if sees { "Can see" } else { "Cannot see" }}
                                        </span>
                                    </td>
                                    <td data-testid="access-reason">{user.reason()}</td>
                                    <td>{chips(&user.permissions, "none")}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Sources management
// ---------------------------------------------------------------------------------------------

#[component]
fn SourcesManager(on_changed: Callback<()>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let reload = RwSignal::new(0u32);
    let selected = RwSignal::new(None::<Source>);
    let new_name = RwSignal::new(String::new());
    let creating = RwSignal::new(false);
    let sources = LocalResource::new(move || {
        reload.track();
        async move { api.search_sources().await }
    });
    let changed = move || {
        reload.update(|n| *n += 1);
        on_changed.run(());
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked().trim().to_string();
        if name.is_empty() || creating.get_untracked() {
            return;
        }
        creating.set(true);
        spawn_local(async move {
            match api.create_search_source(&name).await {
                Ok(source) => {
                    toasts.success("Source created", &source.name);
                    new_name.set(String::new());
                    selected.set(Some(source));
                    changed();
                }
                Err(error) => toasts.api_error("Failed to create the source", &error),
            }
            creating.set(false);
        });
    };
    view! {
        <section class="panel" data-testid="sources-manager">
            <h2>"Sources"</h2>
            <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span></div> }>
                {move || Suspend::new(async move {
                    match sources.await {
                        Ok(page) => view! {
                            <table class="data-table" data-testid="sources-table">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Documents you can see"</th><th scope="col"></th></tr></thead>
                                <tbody>
                                    {page.results.into_iter().map(|source| {
                                        let pick = source.clone();
                                        let is_selected = {
                                            let id = source.id.clone();
                                            move || selected.with(|s| s.as_ref().is_some_and(|s| s.id == id))
                                        };
                                        view! {
                                            <tr data-testid="source-row" data-source-id=source.id.clone()>
                                                <td>{source.name.clone()}</td>
                                                <td>{source.document_count.to_string()}</td>
                                                <td>
                                                    <button type="button" class="btn btn-small" data-testid="source-open"
                                                        aria-pressed=move || is_selected().to_string()
                                                        on:click=move |_| selected.set(Some(pick.clone()))>"Manage"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <SearchError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                    }
                })}
            </Transition>
            <form class="inline-field" on:submit=create>
                <label class="field">
                    <span class="field-label">"New source"</span>
                    <input type="text" data-testid="source-name" placeholder="Source name"
                        prop:value=move || new_name.get()
                        on:input:target=move |ev| new_name.set(ev.target().value()) />
                </label>
                <button type="submit" class="btn btn-primary" data-testid="source-create" disabled=move || creating.get()>"Create source"</button>
            </form>
        </section>
        {move || selected.get().map(|source| view! {
            <SourceDetail source on_changed=Callback::new(move |_| changed()) on_deleted=Callback::new(move |_| { selected.set(None); changed(); }) />
        })}
    }
}

/// One line of a bulk upload's answer: the input's position, id and errors.
#[derive(Debug, Clone, PartialEq)]
struct BulkLine {
    position: usize,
    result: BulkCreateResult,
}

#[component]
fn SourceDetail(
    source: Source,
    on_changed: Callback<()>,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let source_id = StoredValue::new(source.id.clone());
    let json_text = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);
    let parse_error = RwSignal::new(None::<String>);
    let lines = RwSignal::new(Vec::<BulkLine>::new());
    let busy = RwSignal::new(false);

    let upload = move |_| {
        parse_error.set(None);
        let documents: Vec<Value> = match serde_json::from_str::<Value>(&json_text.get_untracked())
        {
            Ok(Value::Array(items)) => items,
            Ok(Value::Object(one)) => vec![Value::Object(one)],
            Ok(_) => {
                parse_error.set(Some(
                    "Paste a JSON array of documents (or one document object).".into(),
                ));
                return;
            }
            Err(error) => {
                parse_error.set(Some(format!("This is not valid JSON: {error}")));
                return;
            }
        };
        if documents.len() > MAX_BULK_DOCUMENTS {
            parse_error.set(Some(format!(
                "{} documents: send at most {MAX_BULK_DOCUMENTS} at a time.",
                documents.len()
            )));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api
                .bulk_create_documents(&source_id.get_value(), &documents)
                .await
            {
                Ok(response) => {
                    let stored = response
                        .results
                        .iter()
                        .filter(|r| r.errors.is_empty())
                        .count();
                    let failed = response.results.len() - stored;
                    lines.set(
                        response
                            .results
                            .into_iter()
                            .enumerate()
                            .map(|(position, result)| BulkLine { position, result })
                            .collect(),
                    );
                    if failed == 0 {
                        toasts.success(
                            "Documents stored",
                            &plural(stored as u64, "document", "documents"),
                        );
                    } else {
                        toasts.warning(
                            "Some documents were not stored",
                            &format!("{stored} stored, {failed} with errors: see each document's errors."),
                        );
                    }
                    on_changed.run(());
                }
                Err(error) => toasts.api_error("Failed to add documents", &error),
            }
            busy.set(false);
        });
    };

    let delete_source = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api.delete_search_source(&source_id.get_value()).await {
                Ok(deleted) => {
                    toasts.success("Source deleted", &deleted.name);
                    on_deleted.run(());
                }
                Err(error) => toasts.api_error("Failed to delete the source", &error),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="panel" data-testid="source-detail" data-source-id=source.id.clone()>
            <div class="section-title-row">
                <h2>{source.name.clone()}</h2>
                <button type="button" class="btn btn-small btn-ghost-danger" data-testid="source-delete" disabled=move || busy.get() on:click=delete_source>
                    "Delete source"
                </button>
            </div>
            <h3>"Add documents"</h3>
            <p class="muted small">
                "Drop a JSON file here or paste a JSON array of up to 100 documents, each with a string "<code>"id"</code>
                " and optional "<code>"title"</code>", "<code>"body"</code>", "<code>"url"</code>", "<code>"tags"</code>", "
                <code>"_allow_permissions"</code>" and "<code>"_deny_permissions"</code>
                ". Documents with errors are shown with their errors; the others are kept."
            </p>
            <label class="field field-wide">
                <span class="field-label">"Documents (JSON)"</span>
                <textarea class="code-input" rows="8" data-testid="bulk-json"
                    class:drop-target=move || dragging.get()
                    placeholder="Drop a .json file here, or paste its contents"
                    prop:value=move || json_text.get()
                    on:input:target=move |ev| json_text.set(ev.target().value())
                    on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        dragging.set(false);
                        let file = ev.data_transfer().and_then(|t| t.files()).and_then(|files| files.get(0));
                        if let Some(file) = file {
                            leptos::task::spawn_local(async move {
                                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                                    Ok(text) => json_text.set(text.as_string().unwrap_or_default()),
                                    Err(_) => parse_error.set(Some(format!("Could not read {}.", file.name()))),
                                }
                            });
                        }
                    }></textarea>
            </label>
            {move || parse_error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="bulk-parse-error">{e}</p> })}
            <button type="button" class="btn btn-primary" data-testid="bulk-upload" disabled=move || busy.get() on:click=upload>"Add documents"</button>
            <Show when=move || !lines.with(Vec::is_empty)>
                <ul class="plain-list" data-testid="bulk-results">
                    {move || lines.get().into_iter().map(|line| {
                        let ok = line.result.errors.is_empty();
                        let label = format!(
                            "#{} {}",
                            line.position + 1,
                            line.result.id.clone().unwrap_or_else(|| "(no id)".into())
                        );
                        view! {
                            <li data-testid="bulk-result" data-ok=ok.to_string()>
                                <strong>{label}</strong>" "
                                {if ok {
                                    view! { <span class="inline-success">"Stored"</span> }.into_any()
                                } else {
                                    view! {
                                        <ul class="inline-danger">
                                            {line.result.errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            <IdentitiesEditor source_id=source.id.clone() />
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// External identities: users with permission chips
// ---------------------------------------------------------------------------------------------

fn comma_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
fn IdentitiesEditor(source_id: String) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let source_id = StoredValue::new(source_id);
    let reload = RwSignal::new(0u32);
    let identities = LocalResource::new(move || {
        reload.track();
        let source = source_id.get_value();
        async move { api.search_identities(&source).await }
    });
    let refresh = move || reload.update(|n| *n += 1);

    let new_id = RwSignal::new(String::new());
    let new_user = RwSignal::new(String::new());
    let new_perms = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let user = new_user.get_untracked().trim().to_string();
        let identity = NewIdentity {
            external_user_id: new_id.get_untracked().trim().to_string(),
            external_user_properties: if user.is_empty() {
                Vec::new()
            } else {
                vec![UserProperty {
                    attribute_name: USERNAME_ATTRIBUTE.into(),
                    attribute_value: user,
                }]
            },
            permissions: comma_list(&new_perms.get_untracked()),
        };
        spawn_local(async move {
            match api
                .create_search_identity(&source_id.get_value(), &identity)
                .await
            {
                Ok(created) => {
                    toasts.success("Identity added", &created.external_user_id);
                    new_id.set(String::new());
                    new_user.set(String::new());
                    new_perms.set(String::new());
                    refresh();
                }
                Err(error) => toasts.api_error("Failed to add the identity", &error),
            }
        });
    };

    view! {
        <h3>"Identities"</h3>
        <p class="muted small">"Each identity gives the users it names a set of permissions in this source; a user's identities add up. Changes apply to their next search."</p>
        <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span></div> }>
            {move || Suspend::new(async move {
                match identities.await {
                    Ok(page) if page.results.is_empty() => view! { <p class="muted" data-testid="identities-empty">"No identities yet: only documents without an allow list are visible to anyone."</p> }.into_any(),
                    Ok(page) => view! {
                        <table class="data-table" data-testid="identities-table">
                            <thead><tr><th scope="col">"Identity"</th><th scope="col">"Users"</th><th scope="col">"Permissions"</th><th scope="col"></th></tr></thead>
                            <tbody>
                                {page.results.into_iter().map(|identity| view! {
                                    <IdentityRow identity source_id=source_id.get_value() on_changed=Callback::new(move |_| refresh()) />
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <SearchError error on_retry=Callback::new(move |_| refresh()) /> }.into_any(),
                }
            })}
        </Transition>
        <form class="form-grid" on:submit=create data-testid="identity-create-form">
            <label class="field"><span class="field-label">"Identity id"</span>
                <input type="text" data-testid="identity-new-id" placeholder="ir-lead" prop:value=move || new_id.get() on:input:target=move |ev| new_id.set(ev.target().value()) /></label>
            <label class="field"><span class="field-label">"User name"</span>
                <input type="text" data-testid="identity-new-user" placeholder="alice" prop:value=move || new_user.get() on:input:target=move |ev| new_user.set(ev.target().value()) /></label>
            <label class="field"><span class="field-label">"Permissions (comma-separated)"</span>
                <input type="text" data-testid="identity-new-permissions" placeholder="ir-team" prop:value=move || new_perms.get() on:input:target=move |ev| new_perms.set(ev.target().value()) /></label>
            <button type="submit" class="btn btn-primary" data-testid="identity-create">"Add identity"</button>
        </form>
    }
}

#[component]
fn IdentityRow(
    identity: ExternalIdentity,
    source_id: String,
    on_changed: Callback<()>,
) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let key = StoredValue::new((source_id, identity.external_user_id.clone()));
    let permissions = StoredValue::new(identity.permissions.clone());
    let adding = RwSignal::new(String::new());
    let save = move |next: Vec<String>| {
        let (source, id) = key.get_value();
        spawn_local(async move {
            let update = IdentityUpdate {
                external_user_properties: None,
                permissions: Some(next),
            };
            match api.update_search_identity(&source, &id, &update).await {
                Ok(_) => on_changed.run(()),
                Err(error) => toasts.api_error("Failed to update the identity", &error),
            }
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let extra = comma_list(&adding.get_untracked());
        if extra.is_empty() {
            return;
        }
        let mut next = permissions.get_value();
        next.extend(extra);
        adding.set(String::new());
        save(next);
    };
    let remove_identity = move |_| {
        let (source, id) = key.get_value();
        spawn_local(async move {
            match api.delete_search_identity(&source, &id).await {
                Ok(()) => on_changed.run(()),
                Err(error) => toasts.api_error("Failed to remove the identity", &error),
            }
        });
    };
    let users: Vec<String> = identity.usernames().map(str::to_string).collect();
    view! {
        <tr data-testid="identity-row" data-identity-id=identity.external_user_id.clone()>
            <td>{identity.external_user_id.clone()}</td>
            <td>{chips(&users, "no user")}</td>
            <td>
                {identity.permissions.iter().map(|p| {
                    let removed = p.clone();
                    let label = format!("Remove {p}");
                    view! {
                        <span class="role-chip" data-testid="identity-permission">
                            {p.clone()}
                            <button type="button" class="btn-icon-only" aria-label=label data-testid="identity-permission-remove"
                                on:click=move |_| save(permissions.get_value().into_iter().filter(|x| *x != removed).collect())>"×"</button>
                        </span>
                        " "
                    }
                }).collect_view()}
                <form class="inline-field" on:submit=add>
                    <input type="text" aria-label="Add permission" placeholder="Add permission" data-testid="identity-permission-input"
                        prop:value=move || adding.get() on:input:target=move |ev| adding.set(ev.target().value()) />
                    <button type="submit" class="btn btn-small" data-testid="identity-permission-add">"Add"</button>
                </form>
            </td>
            <td><button type="button" class="btn btn-small btn-ghost-danger" data-testid="identity-delete" on:click=remove_identity>"Remove"</button></td>
        </tr>
    }
}

// ---------------------------------------------------------------------------------------------
// Related runbooks (for a lead's detail)
// ---------------------------------------------------------------------------------------------

/// How many related documents a lead shows.
pub const RELATED_LIMIT: u32 = 5;

/// Documents sharing the most tags with a lead (its tags and entity type), only those the viewer
/// may see: the server filters them like any search. Renders nothing without the Search app, on
/// a server without it (404), or when nothing matches.
#[component]
pub fn RelatedRunbooks(
    /// The lead's tags.
    tags: Vec<String>,
    /// The lead's entity type (`host`, `user`, `service`), if any.
    entity_type: Option<String>,
) -> impl IntoView {
    let api = expect_api();
    let session = expect_session();
    let mut wanted = tags;
    if let Some(kind) = entity_type.filter(|k| !k.is_empty()) {
        if !wanted.contains(&kind) {
            wanted.push(kind);
        }
    }
    let related = LocalResource::new(move || {
        let allowed = session.capabilities().nav_link(APP_ID);
        session.privileges_changed.track();
        let request = SearchRequest {
            query: String::new(),
            page: PageRequest {
                current: 1,
                size: RELATED_LIMIT,
            },
            filters: SearchFilters {
                source: Vec::new(),
                tags: wanted.clone(),
            },
            as_user: None,
        };
        async move {
            if !allowed || request.filters.tags.is_empty() {
                return Vec::new();
            }
            api.search_documents(&request)
                .await
                .map(|r| r.results)
                .unwrap_or_default()
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let results = related.await;
                (!results.is_empty()).then(|| view! {
                    <section class="related-runbooks" data-testid="related-runbooks" aria-label="Related runbooks">
                        <h3>"Related runbooks"</h3>
                        <ul class="plain-list">
                            {results.into_iter().map(|r| {
                                let href = in_current_space(&document_href(&r.meta.source, &r.id));
                                let title = if r.title.trim().is_empty() { r.id.clone() } else { r.title.clone() };
                                view! {
                                    <li data-testid="related-runbook" data-document-id=r.id.clone()>
                                        <a href=href>{title}</a>
                                        <ul class="tags" aria-label="Tags">
                                            {r.tags.into_iter().map(|t| view! { <li class="tag">{t}</li> }).collect_view()}
                                        </ul>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

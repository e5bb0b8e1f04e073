//! A search result opened: the document, and for administrators who may see it and why.

use super::*;

#[component]
pub(super) fn DocumentDialog(
    target: RwSignal<Option<DocRef>>,
    can_manage: Signal<bool>,
) -> impl IntoView {
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
pub(super) fn DocumentBody(
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
pub(super) fn AccessPanel(doc: DocRef) -> impl IntoView {
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

pub(super) fn chips(items: &[String], empty: &'static str) -> AnyView {
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
pub(super) fn AccessTable(access: DocumentAccess) -> impl IntoView {
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
            <DataTable class="data-table access-table" headers=&["User", "Sees it", "Reason", "Permissions"]>
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
            </DataTable>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Sources management
// ---------------------------------------------------------------------------------------------

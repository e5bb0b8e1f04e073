//! Managing the Search app's sources: their documents (bulk upload) and the identities that may read them.

use super::*;
use crate::components::ReadOnlyWhileViewing;

#[component]
pub(super) fn SourcesManager(on_changed: Callback<()>) -> impl IntoView {
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
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Documents you can see"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
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
                        Err(error) => view! { <LoadError error title="The search failed" testid="search-error" retry_testid="search-retry" on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                    }
                })}
            </Transition>
            <ReadOnlyWhileViewing>
            <form class="inline-field" on:submit=create>
                <label class="field">
                    <span class="field-label">"New source"</span>
                    <input type="text" data-testid="source-name" placeholder="Source name"
                        prop:value=move || new_name.get()
                        on:input:target=move |ev| new_name.set(ev.target().value()) />
                </label>
                <button type="submit" class="btn btn-primary" data-testid="source-create" disabled=move || creating.get()>"Create source"</button>
            </form>
            </ReadOnlyWhileViewing>
        </section>
        {move || selected.get().map(|source| view! {
            <SourceDetail source on_changed=Callback::new(move |_| changed()) on_deleted=Callback::new(move |_| { selected.set(None); changed(); }) />
        })}
    }
}

/// One line of a bulk upload's answer: the input's position, id and errors.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BulkLine {
    position: usize,
    result: BulkCreateResult,
}

#[component]
pub(super) fn SourceDetail(
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

    let detail_id = source.id.clone();
    view! {
        <section class="panel" data-testid="source-detail" data-source-id=detail_id>
            <ReadOnlyWhileViewing>
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
            </ReadOnlyWhileViewing>
        </section>
    }
}

pub(super) fn comma_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
pub(super) fn IdentitiesEditor(source_id: String) -> impl IntoView {
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
                            <thead><tr><th scope="col">"Identity"</th><th scope="col">"Users"</th><th scope="col">"Permissions"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                            <tbody>
                                {page.results.into_iter().map(|identity| view! {
                                    <IdentityRow identity source_id=source_id.get_value() on_changed=Callback::new(move |_| refresh()) />
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <LoadError error title="The search failed" testid="search-error" retry_testid="search-retry" on_retry=Callback::new(move |_| refresh()) /> }.into_any(),
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
pub(super) fn IdentityRow(
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

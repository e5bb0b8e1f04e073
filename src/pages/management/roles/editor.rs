//! The role editor: name, description, cluster privileges, and the rows of index and Kibana privileges.

use super::*;
use crate::components::ReadOnlyWhileViewing;

/// The role editor; `initial` is the role being edited, `None` to create one.
#[component]
pub fn RoleEditor(initial: Option<KibanaRole>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let navigate = use_navigate();
    let creating = initial.is_none();
    let reserved = initial.as_ref().is_some_and(KibanaRole::is_reserved);
    let form = RwSignal::new(match &initial {
        Some(role) => RoleForm::from_role(role),
        None => RoleForm {
            indices: vec![IndexRow::default()],
            ..Default::default()
        },
    });
    let checks: RowChecks = RwSignal::new(Default::default());
    let submitted = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let name_taken = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    let errors = errors_once_submitted(submitted, move || {
        let mut errors = form.with(validate_role_form);
        if errors.name.is_none() && name_taken.get() {
            errors.name = Some(texts::NAME_TAKEN.into());
        }
        errors
    });
    let features = LocalResource::new(move || async move { api.list_features().await });
    let to_delete = RwSignal::new(None::<String>);

    let save = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if reserved {
                return;
            }
            submitted.set(true);
            let current = form.get_untracked();
            if !validate_role_form(&current).is_empty() || (creating && name_taken.get_untracked())
            {
                return;
            }
            saving.set(true);
            server_error.set(None);
            let navigate = navigate.clone();
            spawn_local(async move {
                // Refused rows stop the save where they are; without a verdict the save goes on
                // and the server applies the same rule to it.
                if current.needs_check() {
                    if let Ok(Some(at)) = check_rows(api, current.clone(), checks, None).await {
                        saving.set(false);
                        show_row(at);
                        return;
                    }
                }
                match api
                    .put_role(&current.name, &current.to_body(), creating)
                    .await
                {
                    Ok(()) => {
                        toasts.success(
                            if creating {
                                texts::CREATED
                            } else {
                                texts::UPDATED
                            },
                            &current.name,
                        );
                        navigate(ROLES_PATH, Default::default());
                    }
                    Err(error) if creating && error.status == 409 => name_taken.set(true),
                    Err(error) => {
                        server_error.set(Some(error.message.clone()));
                        toasts
                            .api_error(&format!("Failed to save role '{}'", current.name), &error);
                    }
                }
                saving.set(false);
            });
        }
    };

    let index_len = Memo::new(move |_| form.with(|f| f.indices.len()));
    let space_len = Memo::new(move |_| form.with(|f| f.kibana.len()));
    let cluster_options = Memo::new(move |_| {
        let mut options: Vec<String> = CLUSTER_PRIVILEGES.iter().map(|s| s.to_string()).collect();
        form.with(|f| {
            for extra in &f.cluster {
                if !options.contains(extra) {
                    options.push(extra.clone());
                }
            }
        });
        options
    });

    let title = if creating {
        texts::CREATE_ROLE
    } else {
        texts::EDIT_ROLE
    };
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href=space_path(ROLES_PATH)>{texts::TITLE}</a>" / "{title}</nav>
        <header class="page-header">
            <h1 data-testid="role-editor-title">{title}</h1>
            <p class="muted">"Set privileges on your Elasticsearch data and control access to your Gatehouse spaces."</p>
        </header>
        {reserved.then(|| view! {
            <div class="callout callout-info" role="status" data-testid="role-reserved-notice">
                <p class="callout-title">"This role is reserved"</p>
                <p>{texts::RESERVED_TIP}</p>
            </div>
        })}
        <form class="role-editor" on:submit=save novalidate data-testid="role-editor">
            <ReadOnlyWhileViewing>
            <fieldset class="role-editor-fields" disabled=reserved>
            <Show when=move || server_error.with(Option::is_some)>
                <div class="callout callout-danger" role="alert" data-testid="role-server-error">
                    <p class="callout-title">"The role was not saved"</p>
                    <p>{move || server_error.get().unwrap_or_default()}</p>
                </div>
            </Show>
            <section class="panel editor-section">
                <div class="form-grid">
                    <TextField
                        label="Role name"
                        testid="role-name"
                        autocomplete="off"
                        readonly=!creating
                        value=Signal::derive(move || form.with(|f| f.name.clone()))
                        on_input=Callback::new(move |value| {
                            name_taken.set(false);
                            form.update(|f| f.name = value);
                        })
                        error=Signal::derive(move || errors.with(|e| e.name.clone()))
                        error_testid="role-name-error"
                    >
                        {(!creating).then(|| view! { <span class="muted small">{texts::NAME_FIXED}</span> })}
                    </TextField>
                    <label class="field">
                        <span class="field-label">"Description"</span>
                        <input type="text" data-testid="role-description" prop:value=move || form.with(|f| f.description.clone()) on:input:target=move |ev| form.update(|f| f.description = ev.target().value()) />
                    </label>
                </div>
            </section>

            <section class="panel editor-section" aria-labelledby="es-title">
                <h2 id="es-title">"Elasticsearch"</h2>
                <h3>"Cluster privileges"</h3>
                <p class="muted small">"Manage the actions this role can perform against your cluster."</p>
                <div class="chip-options" data-testid="role-cluster">
                    <For each=move || cluster_options.get() key=|p| p.clone() let:privilege>
                        {
                            let checked = privilege.clone();
                            let toggled = privilege.clone();
                            view! {
                                <label class="chip-option">
                                    <input type="checkbox" value=privilege.clone() prop:checked=move || form.with(|f| f.cluster.contains(&checked))
                                        on:change:target=move |ev| {
                                            let on = ev.target().checked();
                                            form.update(|f| {
                                                f.cluster.retain(|p| p != &toggled);
                                                if on { f.cluster.push(toggled.clone()); }
                                            });
                                        } />
                                    <span>{privilege.clone()}</span>
                                </label>
                            }
                        }
                    </For>
                </div>
                {move || form.with(|f| (!f.run_as.is_empty()).then(|| format!("Run As privileges: {}", f.run_as.join(", ")))).map(|text| view! { <p class="muted small">{text}</p> })}

                <h3>"Index privileges"</h3>
                <p class="muted small">"Control access to the data in your cluster."</p>
                <div class="index-rows">
                    {move || (0..index_len.get()).map(|i| view! { <IndexRowEditor i form errors checks /> }).collect_view()}
                </div>
                <button type="button" class="btn btn-small" data-testid="role-add-index" on:click=move |_| form.update(|f| f.indices.push(IndexRow::default()))>
                    "Add index privilege"
                </button>
            </section>

            <section class="panel editor-section" aria-labelledby="kibana-title">
                <h2 id="kibana-title">"Kibana"</h2>
                <p class="muted small">"Privileges per space: All or Read for every feature, or Customize feature by feature."</p>
                <Show when=move || space_len.get() == 0>
                    <p class="muted" data-testid="role-no-kibana">"This role grants no access to Gatehouse apps."</p>
                </Show>
                <Transition fallback=|| view! { <p class="muted small">"Loading features…"</p> }>
                    {move || Suspend::new(async move {
                        let features = features.await;
                        let (list, error) = match features {
                            Ok(list) => (list, None),
                            Err(error) => (Vec::new(), Some(error)),
                        };
                        let list = StoredValue::new(list);
                        view! {
                            {error.map(|e: ApiError| view! { <p class="inline-result inline-danger" role="alert">{format!("Features could not be loaded: {}", e.toast_text())}</p> })}
                            <div class="space-rows">
                                {move || (0..space_len.get()).map(|i| view! { <SpaceRowEditor i form errors features=list /> }).collect_view()}
                            </div>
                        }
                    })}
                </Transition>
                <button type="button" class="btn btn-small" data-testid="role-add-space" on:click=move |_| form.update(|f| {
                    let spaces = if f.kibana.is_empty() { "*".to_string() } else { String::new() };
                    f.kibana.push(SpaceRow { spaces, ..Default::default() });
                })>
                    "Assign to space"
                </button>
            </section>
            </fieldset>

            <div class="editor-actions">
                {(!creating && !reserved).then(|| {
                    let name = form.with_untracked(|f| f.name.clone());
                    view! { <button type="button" class="btn btn-ghost-danger" data-testid="role-editor-delete" on:click=move |_| to_delete.set(Some(name.clone()))>"Delete role"</button> }
                })}
                <span class="spacer"></span>
                <a class="btn" href=space_path(ROLES_PATH)>{if reserved { "Back to roles" } else { "Cancel" }}</a>
                {(!reserved).then(|| view! {
                    <button type="submit" class="btn btn-primary" data-testid="role-save" disabled=move || saving.get()>
                        {if creating { "Create role" } else { "Update role" }}
                    </button>
                })}
            </div>
            </ReadOnlyWhileViewing>
        </form>
        <DeleteRoleDialog target=to_delete on_deleted=Callback::new(move |_| navigate(ROLES_PATH, Default::default())) />
    }
}

//! One row of the role editor: index privileges (with field and document security), or Kibana privileges in some spaces.

use super::*;

#[component]
pub(super) fn IndexRowEditor(
    i: usize,
    form: RwSignal<RoleForm>,
    errors: Memo<RoleFormErrors>,
    checks: RowChecks,
) -> impl IntoView {
    let api = expect_api();
    let read = move |get: fn(&IndexRow) -> String| {
        move || form.with(|f| f.indices.get(i).map(get).unwrap_or_default())
    };
    let set_row = move |set: fn(&mut IndexRow, String), value: String| {
        form.update(|f| {
            if let Some(row) = f.indices.get_mut(i) {
                set(row, value);
            }
        });
    };
    let write = move |set: fn(&mut IndexRow, String)| {
        move |ev: leptos::ev::Event| set_row(set, event_target_value(&ev))
    };
    let error = move |get: fn(&IndexRowErrors) -> Option<String>| {
        Signal::derive(move || errors.with(|e| e.indices.get(i).and_then(get)))
    };
    let options = move || {
        let mut options: Vec<String> = INDEX_PRIVILEGES.iter().map(|s| s.to_string()).collect();
        form.with_untracked(|f| {
            if let Some(row) = f.indices.get(i) {
                for extra in &row.privileges {
                    if !options.contains(extra) {
                        options.push(extra.clone());
                    }
                }
            }
        });
        options
    };
    let fls_open = RwSignal::new(form.with_untracked(|f| {
        f.indices
            .get(i)
            .is_some_and(|r| !r.grant_fields.is_empty() || !r.except_fields.is_empty())
    }));
    let dls_open = RwSignal::new(
        form.with_untracked(|f| f.indices.get(i).is_some_and(|r| !r.query.is_empty())),
    );
    let checking = move || checks.with(|c| matches!(c.get(&i), Some((_, RowCheck::Checking))));
    view! {
        <div class="index-row" data-testid="role-index-row" id=row_element_id(i) tabindex="-1">
            <div class="index-row-main">
                <TextField label="Indices" testid="role-index-names" placeholder=".entity_analytics.entity-leads-*, logs-*"
                    value=Signal::derive(read(|r| r.names.clone())) on_input=Callback::new(move |v| set_row(|r, v| r.names = v, v))
                    error=error(|e| e.names.clone()) error_testid="role-index-names-error" />
                <fieldset class="field">
                    <legend class="field-label">"Privileges"</legend>
                    <div class="chip-options" data-testid="role-index-privileges">
                        {options().into_iter().map(|privilege| {
                            let checked = privilege.clone();
                            let toggled = privilege.clone();
                            view! {
                                <label class="chip-option">
                                    <input type="checkbox" value=privilege.clone()
                                        prop:checked=move || form.with(|f| f.indices.get(i).is_some_and(|r| r.privileges.contains(&checked)))
                                        on:change:target=move |ev| {
                                            let on = ev.target().checked();
                                            form.update(|f| if let Some(row) = f.indices.get_mut(i) {
                                                row.privileges.retain(|p| p != &toggled);
                                                if on { row.privileges.push(toggled.clone()); }
                                            });
                                        } />
                                    <span>{privilege.clone()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <FieldError error=error(|e| e.privileges.clone()) testid="role-index-privileges-error" />
                </fieldset>
                <button type="button" class="btn btn-icon-only index-remove" aria-label="Remove this index privilege" title="Remove"
                    on:click=move |_| form.update(|f| { if i < f.indices.len() { f.indices.remove(i); } })>"×"</button>
            </div>
            <div class="index-row-options">
                <label class="inline-field">
                    <input type="checkbox" prop:checked=move || fls_open.get() on:change:target=move |ev| fls_open.set(ev.target().checked()) />
                    "Grant access to specific fields"
                </label>
                <label class="inline-field">
                    <input type="checkbox" data-testid="role-index-dls" prop:checked=move || dls_open.get() on:change:target=move |ev| dls_open.set(ev.target().checked()) />
                    "Grant read privileges to specific documents"
                </label>
            </div>
            <Show when=move || fls_open.get()>
                <div class="form-grid">
                    <label class="field">
                        <span class="field-label">"Granted fields"</span>
                        <input type="text" placeholder="*" prop:value=read(|r| r.grant_fields.clone()) on:input=write(|r, v| r.grant_fields = v) />
                    </label>
                    <label class="field">
                        <span class="field-label">"Denied fields"</span>
                        <input type="text" placeholder="ssn, card.number" prop:value=read(|r| r.except_fields.clone()) on:input=write(|r, v| r.except_fields = v) />
                    </label>
                </div>
            </Show>
            <Show when=move || dls_open.get()>
                <label class="field">
                    <span class="field-label">"Granted documents query"</span>
                    <textarea rows="4" class="code-input" data-testid="role-index-query" spellcheck="false" placeholder="{\"term\": {\"region\": \"emea\"}}"
                        aria-invalid=move || error(|e| e.query.clone()).get().is_some().then_some("true")
                        prop:value=read(|r| r.query.clone()) on:input=write(|r, v| r.query = v)></textarea>
                    <FieldError error=error(|e| e.query.clone()) testid="role-index-query-error" />
                </label>
            </Show>
            <Show when=move || fls_open.get() || dls_open.get()>
                <div class="index-row-check">
                    <button type="button" class="btn btn-small" data-testid="role-index-check"
                        title="Ask the server whether it accepts this row, and what it lets through of this space's leads"
                        disabled=checking
                        on:click=move |_| {
                            let current = form.get_untracked();
                            spawn_local(async move {
                                let _ = check_rows(api, current, checks, Some(i)).await;
                            });
                        }>
                        "Check"
                    </button>
                    <RowCheckResult i form checks />
                </div>
            </Show>
        </div>
    }
}

#[component]
pub(super) fn SpaceRowEditor(
    i: usize,
    form: RwSignal<RoleForm>,
    errors: Memo<RoleFormErrors>,
    features: StoredValue<Vec<FeatureInfo>>,
) -> impl IntoView {
    let base =
        Memo::new(move |_| form.with(|f| f.kibana.get(i).map(|r| r.base).unwrap_or_default()));
    let group = unique_id("base");
    let error = move |get: fn(&SpaceRowErrors) -> Option<String>| {
        Signal::derive(move || errors.with(|e| e.kibana.get(i).and_then(get)))
    };
    let set_base = move |value: BasePrivilege| {
        form.update(|f| {
            if let Some(row) = f.kibana.get_mut(i) {
                row.base = value;
            }
        })
    };
    let base_options = [
        BasePrivilege::All,
        BasePrivilege::Read,
        BasePrivilege::Customize,
    ]
    .into_iter()
    .map(|option| {
        let group = group.clone();
        view! {
            <label class="segment" class:segment-on=move || base.get() == option>
                <input type="radio" name=group value=option.label() data-testid="role-space-base"
                    prop:checked=move || base.get() == option on:change=move |_| set_base(option) />
                {option.label()}
            </label>
        }
    })
    .collect_view();
    let feature_rows = move || {
        features.with_value(|list| {
            list.iter()
                .map(|feature| view! { <FeaturePrivilegeRows i form feature=feature.clone() /> })
                .collect_view()
        })
    };
    view! {
        <div class="space-row" data-testid="role-space-row">
            <div class="space-row-head">
                <label class="field space-field">
                    <span class="field-label">"Spaces"</span>
                    <input type="text" data-testid="role-space-spaces" placeholder="* for all spaces, or ids: default, marketing"
                        aria-invalid=move || error(|e| e.spaces.clone()).get().is_some().then_some("true")
                        prop:value=move || form.with(|f| f.kibana.get(i).map(|r| r.spaces.clone()).unwrap_or_default())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            form.update(|f| if let Some(row) = f.kibana.get_mut(i) { row.spaces = value; });
                        } />
                    <SpacePicker form i />
                    <FieldError error=error(|e| e.spaces.clone()) testid="role-space-spaces-error" />
                </label>
                <div class="field">
                    <span class="field-label">"Privileges for all features"</span>
                    <div class="segmented" role="radiogroup" aria-label="Privileges for all features">{base_options}</div>
                    <FieldError error=error(|e| e.privilege.clone()) testid="role-space-privilege-error" />
                </div>
                <button type="button" class="btn btn-icon-only" aria-label="Remove these space privileges" title="Remove"
                    on:click=move |_| form.update(|f| { if i < f.kibana.len() { f.kibana.remove(i); } })>"×"</button>
            </div>
            <Show when=move || base.get() == BasePrivilege::Customize>
                <table class="privilege-table feature-table">
                    <thead><tr><th scope="col">"Feature"</th><th scope="col">"Privilege"</th></tr></thead>
                    <tbody>{feature_rows}</tbody>
                </table>
            </Show>
        </div>
    }
}

/// `Select spaces`: `* All Spaces` and every space the administrator can see, as toggles that
/// edit the list above (which still takes ids typed by hand, for spaces not created yet).
#[component]
pub(super) fn SpacePicker(form: RwSignal<RoleForm>, i: usize) -> impl IntoView {
    let api = expect_api();
    let spaces =
        LocalResource::new(move || async move { api.list_spaces().await.unwrap_or_default() });
    let selected = move |id: &str| {
        form.with(|f| {
            f.kibana
                .get(i)
                .is_some_and(|r| split_list(&r.spaces).iter().any(|s| s == id))
        })
    };
    let toggle = move |id: String| {
        form.update(|f| {
            if let Some(row) = f.kibana.get_mut(i) {
                row.spaces = toggle_space(&row.spaces, &id);
            }
        })
    };
    view! {
        <div class="space-picker" role="group" aria-label="Select spaces" data-testid="role-space-picker">
            <button type="button" class="chip-toggle" data-testid="role-space-all"
                aria-pressed=move || selected("*").to_string()
                on:click=move |_| toggle("*".to_string())>
                "* All Spaces"
            </button>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    spaces.await.into_iter().map(|space| {
                        let id = space.id.clone();
                        let pressed_id = space.id.clone();
                        view! {
                            <button type="button" class="chip-toggle" data-testid="role-space-option" data-space=space.id.clone()
                                aria-pressed=move || selected(&pressed_id).to_string()
                                on:click=move |_| toggle(id.clone())>
                                <SpaceAvatar space=space.clone() size="space-avatar-small" />
                                {space.name.clone()}
                            </button>
                        }
                    }).collect_view()
                })}
            </Transition>
        </div>
    }
}

//! The create and edit space form, with its live avatar preview and feature visibility.

use super::*;

/// The space form; `initial` is the space being edited, `None` to create one.
#[component]
pub fn SpaceEditor(initial: Option<Space>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let session = expect_session();
    let navigate = use_navigate();
    let creating = initial.is_none();
    let reserved = initial.as_ref().is_some_and(|s| s.is_reserved());
    let form = RwSignal::new(
        initial
            .as_ref()
            .map(SpaceForm::from_space)
            .unwrap_or_default(),
    );
    let initial = StoredValue::new(initial);
    let submitted = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let from_server = RwSignal::new(SpaceFormErrors::default());
    let errors = Memo::new(move |_| {
        let own = if submitted.get() {
            form.with(validate_space_form)
        } else {
            SpaceFormErrors::default()
        };
        own.merged(&from_server.get())
    });
    let features = LocalResource::new(move || async move { api.list_features().await });
    let to_delete = RwSignal::new(None::<Space>);
    let preview = Memo::new(move |_| form.with(SpaceForm::to_space));

    let edit = move |update: fn(&mut SpaceForm, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| update(f, value));
            from_server.set(SpaceFormErrors::default());
        }
    };

    let back = navigate.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        from_server.set(SpaceFormErrors::default());
        let current = form.get_untracked();
        if !validate_space_form(&current).is_empty() {
            return;
        }
        let mut space = current.to_space();
        space.reserved = reserved.then_some(true);
        let features_changed = initial.with_value(|i| {
            i.as_ref()
                .is_some_and(|old| old.disabled_features != space.disabled_features)
        });
        saving.set(true);
        let navigate = back.clone();
        spawn_local(async move {
            let result = if creating {
                api.create_space(&space).await
            } else {
                api.update_space(&space).await
            };
            match result {
                Ok(saved) => {
                    toasts.success(&texts::saved(&saved.name), "");
                    // Leaving disposes this form: nothing of it is touched afterwards.
                    navigate(SPACES_PATH, Default::default());
                    if features_changed && saved.id == current_space() {
                        // The header's apps follow the space's features: ask again now.
                        session.recheck(api).await;
                    }
                    return;
                }
                Err(error) => {
                    let placed = server_errors(&error);
                    from_server.set(placed);
                    toasts.api_error("Could not save space", &error);
                }
            }
            saving.set(false);
        });
    };

    let error_of = move |pick: fn(&SpaceFormErrors) -> Option<String>| {
        Signal::derive(move || errors.with(pick))
    };
    let invalid = move |pick: fn(&SpaceFormErrors) -> Option<String>| {
        move || errors.with(|e| pick(e).is_some()).then_some("true")
    };
    let title = if creating {
        texts::CREATE.to_string()
    } else {
        format!(
            "Edit space '{}'",
            initial.with_value(|i| i.as_ref().map(|s| s.name.clone()).unwrap_or_default())
        )
    };
    // What the avatar shows while a field is left empty: that field's placeholder.
    let with_cleared = move |clear: fn(&mut Space)| {
        let mut space = preview.get();
        clear(&mut space);
        space
    };
    let auto_color = move || with_cleared(|s| s.color = None).avatar_color();
    let auto_initials =
        move || with_cleared(|s| s.initials = None).avatar_initials(crate::format::upper_cased);
    let on_deleted = {
        let navigate = navigate.clone();
        Callback::new(move |_: String| navigate(SPACES_PATH, Default::default()))
    };

    view! {
        <header class="page-header page-header-row">
            <div>
                <h1 data-testid="space-form-title">{title}</h1>
                <p class="muted">
                    {if creating {
                        "A space has its own leads, dashboards and URL. Roles grant access to it, per space."
                    } else {
                        "Change how the space looks and which features it shows."
                    }}
                </p>
            </div>
            {(!creating).then(|| {
                let blocked = Signal::derive(move || reserved.then(|| texts::DEFAULT_RESERVED.to_string()));
                view! {
                    <GuardedButton
                        label="Delete space"
                        blocked
                        on_press=Callback::new(move |_| to_delete.set(initial.get_value()))
                        class="btn-ghost-danger"
                        testid="space-delete"
                    />
                }
            })}
        </header>
        <form class="form space-form" on:submit=submit novalidate data-testid="space-form">
            <FormError error=Signal::derive(move || errors.with(|e| e.other.clone())) testid="space-form-error" />
            <section class="panel space-form-section">
                <h2>"General"</h2>
                <div class="form-grid">
                    <TextField
                        label="Name"
                        testid="space-name"
                        autocomplete="off"
                        described_by="space-name-error"
                        value=Signal::derive(move || form.with(|f| f.name.clone()))
                        on_input=Callback::new(move |value| {
                            form.update(|f| f.set_name(value, creating));
                            from_server.set(SpaceFormErrors::default());
                        })
                        error=error_of(|e| e.name.clone())
                        error_testid="space-name-error"
                        error_id="space-name-error"
                    />
                    <TextField
                        label="URL identifier"
                        class="code-input"
                        testid="space-id"
                        autocomplete="off"
                        readonly=!creating
                        described_by="space-id-error space-id-help"
                        value=Signal::derive(move || form.with(|f| f.id.clone()))
                        on_input=Callback::new(move |value| {
                            form.update(|f| f.set_id(value));
                            from_server.set(SpaceFormErrors::default());
                        })
                        error=error_of(|e| e.id.clone())
                        error_testid="space-id-error"
                        error_id="space-id-error"
                    >
                        <span class="muted small" id="space-id-help">
                            {move || {
                                let id = form.with(|f| f.id.trim().to_string());
                                let shown = if id.is_empty() { "{identifier}".to_string() } else { id };
                                let pages = format!("{}/app/…", gatehouse_api::spaces::space_prefix(&shown));
                                if creating {
                                    format!("The space's pages live under {pages}")
                                } else {
                                    format!("The URL identifier cannot be changed. The space's pages live under {pages}")
                                }
                            }}
                        </span>
                    </TextField>
                    <label class="field field-wide">
                        <span class="field-label">"Description"<span class="muted small">" (optional)"</span></span>
                        <textarea
                            rows="2"
                            data-testid="space-description"
                            aria-invalid=invalid(|e| e.description.clone())
                            prop:value=move || form.with(|f| f.description.clone())
                            on:input=edit(|f, v| f.description = v)
                        ></textarea>
                        <FieldError error=error_of(|e| e.description.clone()) testid="space-description-error" id="space-description-error" />
                        <span class="muted small">{texts::DESCRIPTION_HELP}</span>
                    </label>
                </div>
            </section>
            <section class="panel space-form-section">
                <h2>"Avatar"</h2>
                <div class="space-avatar-editor">
                    <div class="space-preview" data-testid="space-preview" aria-label="Avatar preview">
                        {move || view! { <SpaceAvatar space=preview.get() size="space-avatar-large" /> }}
                        <div class="space-preview-text">
                            <strong>{move || preview.with(|s| if s.name.is_empty() { "Untitled space".to_string() } else { s.name.clone() })}</strong>
                            <span class="muted small">{move || preview.with(|s| s.description.clone().unwrap_or_default())}</span>
                        </div>
                    </div>
                    <label class="field">
                        <span class="field-label">"Initials"<span class="muted small">" (optional)"</span></span>
                        <input
                            type="text"
                            class="space-initials-input"
                            data-testid="space-initials"
                            autocomplete="off"
                            placeholder=auto_initials
                            aria-invalid=invalid(|e| e.initials.clone())
                            prop:value=move || form.with(|f| f.initials.clone())
                            on:input=edit(|f, v| f.initials = v)
                        />
                        <FieldError error=error_of(|e| e.initials.clone()) testid="space-initials-error" id="space-initials-error" />
                        <span class="muted small">"Up to two characters; empty uses the first letters of the name."</span>
                    </label>
                    <div class="field">
                        <span class="field-label" id="space-color-label">"Background color"<span class="muted small">" (optional)"</span></span>
                        <div class="space-color-row">
                            <input
                                type="color"
                                aria-labelledby="space-color-label"
                                data-testid="space-color-picker"
                                prop:value=move || form.with(|f| {
                                    if gatehouse_api::spaces::is_valid_color(f.color.trim()) { f.color.trim().to_ascii_lowercase() } else { auto_color() }
                                })
                                on:input=edit(|f, v| f.color = v)
                            />
                            <input
                                type="text"
                                class="code-input"
                                aria-labelledby="space-color-label"
                                data-testid="space-color"
                                autocomplete="off"
                                placeholder=auto_color
                                aria-invalid=invalid(|e| e.color.clone())
                                prop:value=move || form.with(|f| f.color.clone())
                                on:input=edit(|f, v| f.color = v)
                            />
                        </div>
                        <FieldError error=error_of(|e| e.color.clone()) testid="space-color-error" id="space-color-error" />
                        <span class="muted small">"A 6 digit hex color such as #6092c0; empty picks one from the name."</span>
                    </div>
                </div>
            </section>
            <section class="panel space-form-section" data-testid="space-features-section">
                <div class="section-title-row">
                    <h2>"Features"</h2>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            features.await.ok().map(|list| {
                                let total = list.len();
                                view! {
                                    <span class="muted small" data-testid="space-features-count">
                                        {move || {
                                            let visible = form.with(|f| list.iter().filter(|x| f.is_visible(&x.id)).count());
                                            format!("{visible} / {total} features visible")
                                        }}
                                    </span>
                                }
                            })
                        })}
                    </Transition>
                </div>
                <p class="muted small">{texts::FEATURES_HELP}</p>
                <Transition fallback=|| view! { <p class="muted small">"Loading features…"</p> }>
                    {move || Suspend::new(async move {
                        match features.await {
                            Ok(list) => feature_toggles(list, form).into_any(),
                            Err(error) => view! {
                                <p class="inline-result inline-danger" role="alert">{format!("Features could not be loaded: {}", error.toast_text())}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <div class="space-form-actions">
                <a class="btn" href=space_path(SPACES_PATH) data-testid="space-cancel">"Cancel"</a>
                <button type="submit" class="btn btn-primary" data-testid="space-save" disabled=move || saving.get()>
                    {if creating { texts::CREATE } else { texts::UPDATE }}
                </button>
            </div>
        </form>
        <DeleteSpaceDialog target=to_delete on_deleted />
    }
}

/// One checkbox per feature, grouped by category; unchecked = hidden in the space.
pub(super) fn feature_toggles(list: Vec<FeatureInfo>, form: RwSignal<SpaceForm>) -> impl IntoView {
    let mut groups: Vec<(String, Vec<FeatureInfo>)> = Vec::new();
    for feature in list {
        match groups
            .iter_mut()
            .find(|(c, _)| *c == feature.category.label)
        {
            Some((_, members)) => members.push(feature),
            None => groups.push((feature.category.label.clone(), vec![feature])),
        }
    }
    view! {
        <div class="space-feature-groups">
            {groups.into_iter().map(|(category, members)| view! {
                <fieldset class="space-feature-group">
                    <legend class="field-label">{category}</legend>
                    {members.into_iter().map(|feature| {
                        let id = StoredValue::new(feature.id.clone());
                        view! {
                            <label class="role-option">
                                <input
                                    type="checkbox"
                                    data-testid="space-feature"
                                    value=feature.id.clone()
                                    prop:checked=move || form.with(|f| f.is_visible(&id.get_value()))
                                    on:change:target=move |ev| {
                                        let visible = ev.target().checked();
                                        form.update(|f| f.set_visible(&id.get_value(), visible));
                                    }
                                />
                                <span>{feature.name.clone()}</span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            }).collect_view()}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Who can enter (beyond Kibana)
// ---------------------------------------------------------------------------------------------

//! The create/edit user form in its dialog.

use super::*;

#[component]
pub(super) fn UserFormDialog(
    editing: RwSignal<Option<Editing>>,
    usernames: RwSignal<Vec<String>>,
    on_saved: Callback<()>,
    password_for: RwSignal<Option<String>>,
) -> impl IntoView {
    let open = open_while_some(editing);
    let title = Signal::derive(move || match editing.get() {
        Some(Editing::Edit(user)) => format!("Edit user '{}'", user.username),
        _ => "Create user".to_string(),
    });
    view! {
        <Modal open title testid="user-form-dialog" class="modal-wide">
            {move || editing.get().map(|mode| view! { <UserFormBody mode usernames open on_saved password_for /> })}
        </Modal>
    }
}

/// The create/edit form itself; exported for component tests.
#[component]
pub(super) fn UserFormBody(
    mode: Editing,
    usernames: RwSignal<Vec<String>>,
    open: RwSignal<bool>,
    on_saved: Callback<()>,
    password_for: RwSignal<Option<String>>,
) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let existing = match &mode {
        Editing::Edit(user) => Some(user.clone()),
        Editing::Create => None,
    };
    let creating = existing.is_none();
    let form = RwSignal::new(match &existing {
        Some(user) => UserForm {
            username: user.username.clone(),
            full_name: user.full_name.clone().unwrap_or_default(),
            email: user.email.clone().unwrap_or_default(),
            roles: user.roles.clone(),
            ..Default::default()
        },
        None => UserForm::default(),
    });
    let submitted = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    let errors = Memo::new(move |_| {
        if !submitted.get() {
            return UserFormErrors::default();
        }
        usernames.with(|names| form.with(|f| validate_user_form(f, creating, names)))
    });
    let existing = StoredValue::new(existing);

    let roles = LocalResource::new(move || async move { api.list_roles().await });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let current = form.get_untracked();
        let problems =
            usernames.with_untracked(|names| validate_user_form(&current, creating, names));
        if !problems.is_empty() {
            return;
        }
        let request = existing.with_value(|user| put_user_request(&current, user.as_ref()));
        saving.set(true);
        server_error.set(None);
        spawn_local(async move {
            match api.put_user(&request).await {
                Ok(()) => {
                    let title = if creating {
                        "Created user"
                    } else {
                        "Updated user"
                    };
                    toasts.success(title, &request.username);
                    open.set(false);
                    on_saved.run(());
                }
                Err(error) => {
                    server_error.set(Some(error.toast_text()));
                    toasts.api_error(
                        &format!("Failed to save user '{}'", request.username),
                        &error,
                    );
                }
            }
            saving.set(false);
        });
    };

    let set = move |update: fn(&mut UserForm, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| update(f, value));
        }
    };
    let toggle_role = move |role: String, checked: bool| {
        form.update(|f| {
            f.roles.retain(|r| r != &role);
            if checked {
                f.roles.push(role);
            }
        });
    };

    view! {
        <form class="form" on:submit=submit novalidate data-testid="user-form">
            <FormError error=server_error />
            <div class="form-grid">
                <label class="field">
                    <span class="field-label">"Username"</span>
                    <input
                        type="text"
                        data-testid="user-username"
                        autocomplete="off"
                        readonly=!creating
                        aria-invalid=move || errors.with(|e| e.username.is_some()).then_some("true")
                        aria-describedby="user-username-error"
                        prop:value=move || form.with(|f| f.username.clone())
                        on:input=set(|f, v| f.username = v)
                    />
                    <FieldError error=Signal::derive(move || errors.with(|e| e.username.clone())) testid="user-username-error" id="user-username-error" />
                    {(!creating).then(|| view! { <span class="muted small">{texts::USERNAME_FIXED}</span> })}
                </label>
                <label class="field">
                    <span class="field-label">"Full name"</span>
                    <input type="text" data-testid="user-full-name" autocomplete="off" prop:value=move || form.with(|f| f.full_name.clone()) on:input=set(|f, v| f.full_name = v) />
                </label>
                <label class="field field-wide">
                    <span class="field-label">"Email address"</span>
                    <input
                        type="text"
                        inputmode="email"
                        data-testid="user-email"
                        autocomplete="off"
                        aria-invalid=move || errors.with(|e| e.email.is_some()).then_some("true")
                        prop:value=move || form.with(|f| f.email.clone())
                        on:input=set(|f, v| f.email = v)
                    />
                    <FieldError error=Signal::derive(move || errors.with(|e| e.email.clone())) testid="user-email-error" id="user-email-error" />
                </label>
                {creating.then(|| view! {
                    <label class="field">
                        <span class="field-label">"Password"</span>
                        <input
                            type="password"
                            data-testid="user-password"
                            autocomplete="new-password"
                            aria-invalid=move || errors.with(|e| e.password.is_some()).then_some("true")
                            prop:value=move || form.with(|f| f.password.clone())
                            on:input=set(|f, v| f.password = v)
                        />
                        <FieldError error=Signal::derive(move || errors.with(|e| e.password.clone())) testid="user-password-error" id="user-password-error" />
                        <Show when=move || errors.with(|e| e.password.is_none())>
                            <span class="muted small">{texts::PASSWORD_TOO_SHORT}</span>
                        </Show>
                    </label>
                    <label class="field">
                        <span class="field-label">"Confirm password"</span>
                        <input
                            type="password"
                            data-testid="user-confirm-password"
                            autocomplete="new-password"
                            aria-invalid=move || errors.with(|e| e.confirm_password.is_some()).then_some("true")
                            prop:value=move || form.with(|f| f.confirm_password.clone())
                            on:input=set(|f, v| f.confirm_password = v)
                        />
                        <FieldError error=Signal::derive(move || errors.with(|e| e.confirm_password.clone())) testid="user-confirm-password-error" id="user-confirm-password-error" />
                    </label>
                })}
            </div>
            <fieldset class="role-picker">
                <legend class="field-label">"Roles"</legend>
                <div class="role-options">
                <Transition fallback=|| view! { <p class="muted small">"Loading roles…"</p> }>
                    {move || Suspend::new(async move {
                        match roles.await {
                            Ok(list) => list.into_iter().map(|role| {
                                let name = role.name.clone();
                                let checked_name = name.clone();
                                let reserved = role.is_reserved();
                                view! {
                                    <label class="role-option">
                                        <input
                                            type="checkbox"
                                            data-testid="user-role"
                                            value=name.clone()
                                            prop:checked=move || form.with(|f| f.roles.contains(&checked_name))
                                            on:change:target=move |ev| toggle_role(name.clone(), ev.target().checked())
                                        />
                                        <span>{role.name.clone()}</span>
                                        {reserved.then(|| view! { <span class="badge badge-reserved">"Reserved"</span> })}
                                    </label>
                                }
                            }).collect_view().into_any(),
                            Err(error) => view! {
                                <p class="inline-result inline-danger" role="alert">{format!("Roles could not be loaded: {}", error.toast_text())}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
                </div>
                <p class="muted small">{move || form.with(|f| if f.roles.is_empty() { "No roles: this user can sign in but open nothing.".to_string() } else { format!("Selected: {}", f.roles.join(", ")) })}</p>
            </fieldset>
            <div class="modal-actions">
                {(!creating).then(|| {
                    let username = form.with_untracked(|f| f.username.clone());
                    view! {
                        <button type="button" class="btn btn-ghost actions-start" data-testid="user-change-password" on:click=move |_| {
                            open.set(false);
                            password_for.set(Some(username.clone()));
                        }>"Change password"</button>
                    }
                })}
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="btn btn-primary" data-testid="user-form-submit" disabled=move || saving.get()>
                    {if creating { "Create user" } else { "Update user" }}
                </button>
            </div>
        </form>
    }
}

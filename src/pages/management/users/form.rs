//! The create/edit user form in its dialog.

use super::*;
use crate::components::ReadOnlyWhileViewing;

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
    let errors = errors_once_submitted(submitted, move || {
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
        Callback::new(move |value: String| form.update(|f| update(f, value)))
    };
    let value = move |pick: fn(&UserForm) -> String| Signal::derive(move || form.with(pick));
    let error = move |pick: fn(&UserFormErrors) -> Option<String>| {
        Signal::derive(move || errors.with(pick))
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
            <ReadOnlyWhileViewing>
            <FormError error=server_error />
            <div class="form-grid">
                <TextField
                    label="Username" testid="user-username" autocomplete="off" readonly=!creating described_by="user-username-error"
                    value=value(|f| f.username.clone()) on_input=set(|f, v| f.username = v)
                    error=error(|e| e.username.clone()) error_testid="user-username-error" error_id="user-username-error"
                >
                    {(!creating).then(|| view! { <span class="muted small">{texts::USERNAME_FIXED}</span> })}
                </TextField>
                <TextField
                    label="Full name" testid="user-full-name" autocomplete="off"
                    value=value(|f| f.full_name.clone()) on_input=set(|f, v| f.full_name = v)
                />
                <TextField
                    label="Email address" wide=true inputmode="email" testid="user-email" autocomplete="off"
                    value=value(|f| f.email.clone()) on_input=set(|f, v| f.email = v)
                    error=error(|e| e.email.clone()) error_testid="user-email-error" error_id="user-email-error"
                />
                {creating.then(|| view! {
                    <TextField
                        label="Password" kind="password" testid="user-password" autocomplete="new-password"
                        value=value(|f| f.password.clone()) on_input=set(|f, v| f.password = v)
                        error=error(|e| e.password.clone()) error_testid="user-password-error" error_id="user-password-error"
                    >
                        <Show when=move || errors.with(|e| e.password.is_none())>
                            <span class="muted small">{texts::PASSWORD_TOO_SHORT}</span>
                        </Show>
                    </TextField>
                    <TextField
                        label="Confirm password" kind="password" testid="user-confirm-password" autocomplete="new-password"
                        value=value(|f| f.confirm_password.clone()) on_input=set(|f, v| f.confirm_password = v)
                        error=error(|e| e.confirm_password.clone()) error_testid="user-confirm-password-error" error_id="user-confirm-password-error"
                    />
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
            </ReadOnlyWhileViewing>
        </form>
    }
}

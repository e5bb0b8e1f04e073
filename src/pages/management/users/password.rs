//! Changing a user's password (their own asks for the current one).

use super::*;
use crate::components::ReadOnlyWhileViewing;

#[component]
pub(super) fn ChangePasswordDialog(username: RwSignal<Option<String>>) -> impl IntoView {
    let open = open_while_some(username);
    let title = Signal::derive(move || {
        format!(
            "Change password for '{}'",
            username.get().unwrap_or_default()
        )
    });
    view! {
        <Modal open title testid="user-password-dialog">
            {move || username.get().map(|user| view! { <ChangePasswordForm username=user open /> })}
        </Modal>
    }
}

#[component]
pub(super) fn ChangePasswordForm(username: String, open: RwSignal<bool>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let session = expect_session();
    let own = session.user().is_some_and(|u| u.username == username);
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let current_error = RwSignal::new(None::<String>);
    let errors = errors_once_submitted(submitted, move || {
        validate_new_password(&password.get(), &confirm.get())
    });
    let username = StoredValue::new(username);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        current_error.set(None);
        let (p, c) = validate_new_password(&password.get_untracked(), &confirm.get_untracked());
        if own && current.get_untracked().is_empty() {
            current_error.set(Some(texts::ENTER_CURRENT_PASSWORD.into()));
            return;
        }
        if p.is_some() || c.is_some() {
            return;
        }
        let request = ChangePasswordRequest {
            new_password: password.get_untracked(),
            password: own.then(|| current.get_untracked()),
        };
        saving.set(true);
        spawn_local(async move {
            let user = username.get_value();
            match api.change_user_password(&user, &request).await {
                Ok(()) => {
                    toasts.success(texts::PASSWORD_CHANGED, &user);
                    open.set(false);
                }
                Err(error) if own && error.status == 403 => {
                    current_error.set(Some(texts::INVALID_PASSWORD.into()));
                }
                Err(error) => {
                    toasts.api_error(&format!("Failed to change password for '{user}'"), &error)
                }
            }
            saving.set(false);
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate data-testid="user-password-form">
            <ReadOnlyWhileViewing>
            {own.then(|| view! {
                <label class="field">
                    <span class="field-label">"Current password"</span>
                    <input type="password" data-testid="user-current-password" autocomplete="current-password" prop:value=move || current.get() on:input:target=move |ev| current.set(ev.target().value()) />
                    <FieldError error=current_error testid="user-current-password-error" id="user-current-password-error" />
                </label>
            })}
            <label class="field">
                <span class="field-label">"New password"</span>
                <input type="password" data-testid="user-new-password" autocomplete="new-password" prop:value=move || password.get() on:input:target=move |ev| password.set(ev.target().value()) />
                <FieldError error=Signal::derive(move || errors.get().0) testid="user-new-password-error" id="user-new-password-error" />
                <Show when=move || errors.with(|e| e.0.is_none())>
                    <span class="muted small">{texts::PASSWORD_TOO_SHORT}</span>
                </Show>
            </label>
            <label class="field">
                <span class="field-label">"Confirm password"</span>
                <input type="password" data-testid="user-new-password-confirm" autocomplete="new-password" prop:value=move || confirm.get() on:input:target=move |ev| confirm.set(ev.target().value()) />
                <FieldError error=Signal::derive(move || errors.get().1) testid="user-new-password-confirm-error" id="user-new-password-confirm-error" />
            </label>
            {(!own).then(|| view! { <p class="callout callout-info">"The user's open sessions end when their password changes."</p> })}
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="btn btn-primary" data-testid="user-password-submit" disabled=move || saving.get()>"Change password"</button>
            </div>
            </ReadOnlyWhileViewing>
        </form>
    }
}

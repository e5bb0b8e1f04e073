//! Asking before a destructive write (delete, deactivate): the one dialog every list uses.

use leptos::prelude::*;

use super::{open_while_some, Modal};
use crate::api::{expect_api, ApiClient};
use crate::state::{expect_toasts, Toasts};

/// Open while `target` holds something. "Cancel" closes it; the danger button dispatches
/// `action` on the target, and stays disabled while it runs (so a double click writes once).
/// The dialog closes when the action answers `true` (it did the write and said so); on `false`
/// it stays open for another try.
#[component]
pub fn ConfirmDialog<T>(
    target: RwSignal<Option<T>>,
    action: Action<T, bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] body: Signal<String>,
    #[prop(into)] confirm_label: Signal<String>,
    testid: &'static str,
    confirm_testid: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let open = open_while_some(target);
    Effect::new(move |_| {
        if action.value().get() == Some(true) {
            open.set(false);
        }
    });
    let confirm = move |_| {
        if let Some(target) = target.get_untracked() {
            action.dispatch(target);
        }
    };
    view! {
        <Modal open title testid>
            <p>{move || body.get()}</p>
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="btn btn-danger" data-testid=confirm_testid disabled=move || action.pending().get() on:click=confirm>
                    {move || confirm_label.get()}
                </button>
            </div>
        </Modal>
    }
}

/// The action behind a [`ConfirmDialog`]: `write` runs on a copy of the target, with the API
/// client to write with and the toasts to report on, and answers whether it succeeded.
pub fn confirm_action<T, Fut>(
    write: impl Fn(ApiClient, Toasts, T) -> Fut + 'static,
) -> Action<T, bool>
where
    T: Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + 'static,
{
    let api = expect_api();
    let toasts = expect_toasts();
    Action::new_unsync(move |target: &T| write(api, toasts, target.clone()))
}

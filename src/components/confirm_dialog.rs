//! Asking before a destructive write (delete, deactivate): the one dialog every list uses.
//!
//! The dialog, its busy flag and the Leptos `Action` behind the danger button are built once, in
//! [`confirm_dialog`], for every list: the lists' own types only reach the thin layer that picks
//! the target and starts the write. Generic over the target, the whole dialog and its action were
//! compiled once per list (users, roles, dashboards) into the split modules (transfer size:
//! BENCHMARKS.md section 1).

use std::future::Future;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture};
use leptos::prelude::*;

use super::{open_while_some, Modal};
use crate::api::{expect_api, ApiClient};
use crate::state::{expect_toasts, Toasts};

/// The write a [`ConfirmDialog`] runs on its target: made by [`confirm_action`].
pub struct ConfirmAction<T: 'static>(
    StoredValue<Rc<dyn Fn(T) -> LocalBoxFuture<'static, bool>>, LocalStorage>,
);

impl<T: 'static> Clone for ConfirmAction<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for ConfirmAction<T> {}

/// The write behind a [`ConfirmDialog`]: `write` runs on a copy of the target, with the API
/// client to write with and the toasts to report on, and answers whether it succeeded.
pub fn confirm_action<T, Fut>(
    write: impl Fn(ApiClient, Toasts, T) -> Fut + 'static,
) -> ConfirmAction<T>
where
    T: 'static,
    Fut: Future<Output = bool> + 'static,
{
    let api = expect_api();
    let toasts = expect_toasts();
    let write: Rc<dyn Fn(T) -> LocalBoxFuture<'static, bool>> =
        Rc::new(move |target| write(api, toasts, target).boxed_local());
    ConfirmAction(StoredValue::new_local(write))
}

/// Open while `target` holds something. "Cancel" closes it; the danger button runs `action` on
/// the target, and stays disabled while it runs (so a double click writes once). The dialog
/// closes when the write answers `true` (it did the write and said so); on `false` it stays open
/// for another try.
#[component]
pub fn ConfirmDialog<T>(
    target: RwSignal<Option<T>>,
    action: ConfirmAction<T>,
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
    let start: Rc<dyn Fn() -> Option<LocalBoxFuture<'static, bool>>> = Rc::new(move || {
        let target = target.get_untracked()?;
        action.0.with_value(|write| Some(write(target)))
    });
    confirm_dialog(
        open,
        start,
        ConfirmTexts {
            title,
            body,
            confirm_label,
            testid,
            confirm_testid,
        },
    )
}

/// What a [`ConfirmDialog`] says, and its test ids.
struct ConfirmTexts {
    title: Signal<String>,
    body: Signal<String>,
    confirm_label: Signal<String>,
    testid: &'static str,
    confirm_testid: &'static str,
}

/// The dialog itself, the same for every target: `start` begins the write on the current target
/// (`None` when there is none any more).
fn confirm_dialog(
    open: RwSignal<bool>,
    start: Rc<dyn Fn() -> Option<LocalBoxFuture<'static, bool>>>,
    texts: ConfirmTexts,
) -> AnyView {
    let ConfirmTexts {
        title,
        body,
        confirm_label,
        testid,
        confirm_testid,
    } = texts;
    let action: Action<(), bool> = Action::new_unsync(move |_: &()| {
        let write = start();
        async move {
            match write {
                Some(write) => write.await,
                None => false,
            }
        }
    });
    Effect::new(move |_| {
        if action.value().get() == Some(true) {
            open.set(false);
        }
    });
    view! {
        <Modal open title testid>
            <p>{move || body.get()}</p>
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="btn btn-danger" data-testid=confirm_testid disabled=move || action.pending().get() on:click=move |_| { action.dispatch(()); }>
                    {move || confirm_label.get()}
                </button>
            </div>
        </Modal>
    }
    .into_any()
}

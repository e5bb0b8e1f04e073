//! Modal on the native `<dialog>` with `showModal()`: the browser traps focus, Escape closes it,
//! and focus returns to whatever opened it.

use leptos::html::Dialog;
use leptos::prelude::*;

use super::unique_id;

/// A modal bound to a selection: open while `selection` holds something, and clearing it when
/// the modal closes (Escape, close button). Each side writes only on a real change, or the two
/// effects would wake each other forever.
pub fn open_while_some<T: Send + Sync + 'static>(selection: RwSignal<Option<T>>) -> RwSignal<bool> {
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if selection.with(Option::is_some) && !open.get_untracked() {
            open.set(true);
        }
    });
    Effect::new(move |_| {
        if !open.get() && selection.with_untracked(Option::is_some) {
            selection.set(None);
        }
    });
    open
}

#[component]
pub fn Modal(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(optional)] testid: &'static str,
    #[prop(optional)] class: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let title_id = unique_id("modal-title");
    let labelled_by = title_id.clone();

    Effect::new(move |_| {
        let Some(element) = dialog.get() else { return };
        if open.get() {
            if !element.open() {
                // Only fails when the element is not connected; then there is nothing to show.
                let _ = element.show_modal();
            }
        } else if element.open() {
            element.close();
        }
    });

    view! {
        <dialog
            node_ref=dialog
            class=format!("modal {class}")
            data-testid=testid
            aria-labelledby=labelled_by
            on:close=move |_| open.set(false)
        >
            <header class="modal-header">
                <h2 id=title_id>{move || title.get()}</h2>
                <button type="button" class="btn btn-icon-only" aria-label="Close" on:click=move |_| open.set(false)>
                    "×"
                </button>
            </header>
            <div class="modal-body">
                <Show when=move || open.get()>{children()}</Show>
            </div>
        </dialog>
    }
}

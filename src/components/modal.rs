//! Modal on the native `<dialog>` with `showModal()`: the page behind it is inert, Escape closes
//! it, focus starts inside it (its first control, or one marked `autofocus`), Tab and Shift+Tab
//! stay in it, and closing it gives focus back to whatever had it before (the main content when
//! that is gone, e.g. a dismissed lead's card).

use leptos::html::Dialog;
use leptos::prelude::*;

use super::focus::{focus_main, focused, keep_tab_within, refocus};
use super::unique_id;

/// A modal bound to a selection: open while `selection` holds something, and clearing it when
/// the modal closes (Escape, close button). Each side writes only on a real change, or the two
/// effects would wake each other forever.
pub fn open_while_some<T: Send + Sync + 'static>(selection: RwSignal<Option<T>>) -> RwSignal<bool> {
    let open = RwSignal::new(false);
    // Both ways: a selection dropped by the page (its object is gone) closes the dialog, rather
    // than leaving it open and empty.
    Effect::new(move |_| {
        let selected = selection.with(Option::is_some);
        if selected != open.get_untracked() {
            open.set(selected);
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
    // What had focus when the dialog opened: it gets it back on close.
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);

    Effect::new(move |_| {
        let Some(element) = dialog.get() else { return };
        if open.get() {
            if !element.open() {
                opener.set_value(focused());
                // Only fails when the element is not connected; then there is nothing to show.
                let _ = element.show_modal();
            }
        } else if element.open() {
            element.close();
        }
    });
    // `close` comes after every way of closing: Escape, the close button, `open` set false.
    let give_focus_back = move || {
        let had_focus = opener.try_update_value(Option::take).flatten();
        if !had_focus.is_some_and(|element| refocus(&element)) {
            focus_main();
        }
    };

    view! {
        <dialog
            node_ref=dialog
            class=format!("modal {class}")
            data-testid=testid
            aria-labelledby=labelled_by
            on:close=move |_| {
                open.set(false);
                give_focus_back();
            }
            on:keydown=move |ev| {
                if let Some(element) = dialog.get_untracked() {
                    keep_tab_within(&ev, &element);
                }
            }
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

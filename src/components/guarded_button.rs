//! A button that can be closed to the user *with a reason*. A blocked button stays focusable
//! (`aria-disabled`, not `disabled`) so keyboard users reach it, ignores activation, and shows
//! its reason in a tooltip on hover and on focus, tied with `aria-describedby`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::reactive::effect::RenderEffect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::unique_id;

#[component]
pub fn GuardedButton(
    #[prop(into)] label: Signal<String>,
    /// `Some(reason)` closes the button and explains why.
    #[prop(into)]
    blocked: Signal<Option<String>>,
    #[prop(into)] on_press: Callback<()>,
    /// A run in progress: the button is disabled for everyone, without a tooltip.
    #[prop(optional, into)]
    busy: Signal<bool>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] testid: &'static str,
    #[prop(optional)] icon: &'static str,
) -> impl IntoView {
    let tooltip_id = unique_id("tooltip");
    let open = RwSignal::new(false);
    let is_blocked = move || blocked.with(Option::is_some);
    let describedby = {
        let tooltip_id = tooltip_id.clone();
        move || is_blocked().then(|| tooltip_id.clone())
    };
    view! {
        <span class="tooltip-anchor" use:tooltip_triggers=(Signal::derive(is_blocked), open)>
            <button
                type="button"
                class=format!("btn {class}")
                data-testid=testid
                aria-disabled=move || is_blocked().then_some("true")
                aria-describedby=describedby
                aria-busy=move || busy.get().then_some("true")
                disabled=move || busy.get()
                on:click=move |ev| {
                    if is_blocked() || busy.get_untracked() {
                        ev.prevent_default();
                        return;
                    }
                    on_press.run(());
                }
            >
                {(!icon.is_empty()).then(|| view! { <span class="btn-icon" aria-hidden="true">{icon}</span> })}
                {move || label.get()}
            </button>
            <Show when=is_blocked>
                <span
                    role="tooltip"
                    id=tooltip_id.clone()
                    class="tooltip"
                    class:tooltip-open=move || open.get()
                >
                    {move || blocked.get().unwrap_or_default()}
                </span>
            </Show>
        </span>
    }
}

/// Hover, focus and Escape open and close the tooltip, with listeners on the anchor that exist
/// only while the button is blocked: an open button has no tooltip, and a page of 100 lead cards
/// otherwise added and removed 500 listeners per page switch (issue 6, list rendering).
fn tooltip_triggers(anchor: web_sys::Element, (blocked, open): (Signal<bool>, RwSignal<bool>)) {
    let listeners = Rc::new(RefCell::new(Vec::<Listener>::new()));
    let effect = RenderEffect::new(move |_| {
        let mut listeners = listeners.borrow_mut();
        if !blocked.get() {
            listeners.clear();
            let _ = open.try_set(false);
        } else if listeners.is_empty() {
            let set = |value: bool| {
                move |_: web_sys::Event| {
                    let _ = open.try_set(value);
                }
            };
            *listeners = vec![
                Listener::new(&anchor, "mouseenter", set(true)),
                Listener::new(&anchor, "mouseleave", set(false)),
                // `focusin`/`focusout` reach the anchor from the button inside it.
                Listener::new(&anchor, "focusin", set(true)),
                Listener::new(&anchor, "focusout", set(false)),
                Listener::new(&anchor, "keydown", move |ev: web_sys::Event| {
                    let escape = ev
                        .dyn_ref::<web_sys::KeyboardEvent>()
                        .is_some_and(|key| key.key() == "Escape");
                    if escape {
                        let _ = open.try_set(false);
                    }
                }),
            ];
        }
    });
    // Kept, and dropped with its listeners, by the button's owner.
    StoredValue::new_local(effect);
}

/// An event listener removed when dropped.
struct Listener {
    target: web_sys::Element,
    event: &'static str,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    fn new(
        target: &web_sys::Element,
        event: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        Self {
            target: target.clone(),
            event,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

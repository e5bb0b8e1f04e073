//! A button that can be closed to the user *with a reason*. A blocked button stays focusable
//! (`aria-disabled`, not `disabled`) so keyboard users reach it, ignores activation, and shows
//! its reason in a tooltip on hover and on focus, tied with `aria-describedby`.

use std::cell::RefCell;
use std::rc::Rc;

use gatehouse_api::view_as::closed_reason;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::reactive::effect::RenderEffect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::unique_id;

/// A button's text: most never change, and a fixed one costs no reactive effect.
pub enum ButtonLabel {
    Fixed(&'static str),
    Live(Signal<String>),
}

impl From<&'static str> for ButtonLabel {
    fn from(text: &'static str) -> Self {
        Self::Fixed(text)
    }
}

impl From<Signal<String>> for ButtonLabel {
    fn from(text: Signal<String>) -> Self {
        Self::Live(text)
    }
}

#[component]
pub fn GuardedButton(
    #[prop(into)] label: ButtonLabel,
    /// `Some(reason)` closes the button and explains why.
    #[prop(into)]
    blocked: Signal<Option<String>>,
    #[prop(into)] on_press: Callback<()>,
    /// A run in progress: the button is closed for everyone, without a tooltip. Closed with
    /// `aria-disabled`, not `disabled`, so a keyboard user who pressed it keeps focus on it (a
    /// disabled button drops focus to the page). Buttons that never run anything long leave it
    /// out and carry no `aria-busy` effect.
    #[prop(optional, into)]
    busy: Option<Signal<bool>>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] testid: &'static str,
    /// The button only reads (an export): it stays open while viewing as another user.
    #[prop(optional)]
    reads_only: bool,
) -> impl IntoView {
    // Every other guarded button changes something: while viewing as another user it is closed
    // with the view's reason, after the viewed user's own (`gatehouse_api::view_as`).
    let viewing_as = use_context::<crate::state::Session>()
        .filter(|_| !reads_only)
        .map(|session| session.viewing_as);
    let blocked = match viewing_as {
        Some(viewing_as) => Signal::derive(move || {
            viewing_as.with(|view| closed_reason(blocked.get(), view.as_ref()))
        }),
        None => blocked,
    };
    let tooltip_id = unique_id("tooltip");
    let is_blocked = move || blocked.with(Option::is_some);
    let describedby = {
        let tooltip_id = tooltip_id.clone();
        move || is_blocked().then(|| tooltip_id.clone())
    };
    view! {
        <span class="tooltip-anchor" use:reason_tooltip=(blocked, tooltip_id)>
            <button
                type="button"
                class=format!("btn {class}")
                data-testid=testid
                aria-disabled=move || {
                    (is_blocked() || busy.is_some_and(|busy| busy.get())).then_some("true")
                }
                aria-describedby=describedby
                aria-busy=busy.map(|busy| move || busy.get().then_some("true"))
                on:click=move |ev| {
                    if is_blocked() || busy.is_some_and(|busy| busy.get_untracked()) {
                        ev.prevent_default();
                        return;
                    }
                    on_press.run(());
                }
            >
                {match label {
                    ButtonLabel::Fixed(text) => Either::Left(text),
                    ButtonLabel::Live(text) => Either::Right(move || text.get()),
                }}
            </button>
        </span>
    }
}

/// The reason's tooltip, in the anchor while the button is blocked, opened by hover and focus and
/// closed by Escape. It is built by hand, with its listeners, only for a blocked button: an open
/// one costs a single effect and no DOM. The lead cards' Dismiss buttons are closed the same way
/// by `super::lead_card`, with one set of listeners for the whole list.
fn reason_tooltip(anchor: web_sys::Element, (blocked, id): (Signal<Option<String>>, String)) {
    let shown = Rc::new(RefCell::new(None::<ShownTooltip>));
    let effect = RenderEffect::new(move |_| {
        let mut shown = shown.borrow_mut();
        match blocked.get() {
            None => {
                if let Some(tooltip) = shown.take() {
                    tooltip.element.remove();
                }
            }
            Some(reason) => {
                if shown.is_none() {
                    *shown = ShownTooltip::new(&anchor, &id);
                }
                if let Some(tooltip) = shown.as_ref() {
                    tooltip.element.set_text_content(Some(&reason));
                }
            }
        }
    });
    // Kept, and dropped with its listeners, by the button's owner.
    StoredValue::new_local(effect);
}

struct ShownTooltip {
    element: web_sys::Element,
    _listeners: [Listener; 5],
}

impl ShownTooltip {
    fn new(anchor: &web_sys::Element, id: &str) -> Option<Self> {
        let element = document().create_element("span").ok()?;
        let _ = element.set_attribute("role", "tooltip");
        element.set_id(id);
        element.set_class_name("tooltip");
        // First, so that it is in place even before the button is mounted; it is absolutely
        // positioned, and hidden from assistive technology until opened.
        let _ = anchor.prepend_with_node_1(&element);
        let open = |open: bool| {
            let element = element.clone();
            move |_: web_sys::Event| {
                let _ = element.class_list().toggle_with_force("tooltip-open", open);
            }
        };
        let close_on_escape = {
            let close = open(false);
            move |ev: web_sys::Event| {
                let escape = ev
                    .dyn_ref::<web_sys::KeyboardEvent>()
                    .is_some_and(|key| key.key() == "Escape");
                if escape {
                    close(ev);
                }
            }
        };
        let listeners = [
            Listener::new(anchor, "mouseenter", open(true)),
            Listener::new(anchor, "mouseleave", open(false)),
            // `focusin`/`focusout` reach the anchor from the button inside it.
            Listener::new(anchor, "focusin", open(true)),
            Listener::new(anchor, "focusout", open(false)),
            Listener::new(anchor, "keydown", close_on_escape),
        ];
        Some(Self {
            element,
            _listeners: listeners,
        })
    }
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

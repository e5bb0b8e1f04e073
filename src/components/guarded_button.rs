//! A button that can be closed to the user *with a reason*. A blocked button stays focusable
//! (`aria-disabled`, not `disabled`) so keyboard users reach it, ignores activation, and shows
//! its reason in a tooltip on hover and on focus, tied with `aria-describedby`.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

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
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    };
    view! {
        <span
            class="tooltip-anchor"
            on:mouseenter=move |_| open.set(true)
            on:mouseleave=move |_| open.set(false)
        >
            <button
                type="button"
                class=format!("btn {class}")
                data-testid=testid
                aria-disabled=move || is_blocked().then_some("true")
                aria-describedby=describedby
                aria-busy=move || busy.get().then_some("true")
                disabled=move || busy.get()
                on:focus=move |_| open.set(true)
                on:blur=move |_| open.set(false)
                on:keydown=on_keydown
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

//! A piece of text with an explanation: focusable, so the tooltip opens by keyboard too.

use leptos::prelude::*;

use super::unique_id;

#[component]
pub fn TextTooltip(
    #[prop(into)] text: Signal<String>,
    #[prop(into)] tip: String,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let id = unique_id("tooltip");
    let open = RwSignal::new(false);
    view! {
        <span class="tooltip-anchor" on:mouseenter=move |_| open.set(true) on:mouseleave=move |_| open.set(false)>
            <span
                class="tooltip-trigger"
                tabindex="0"
                data-testid=testid
                aria-describedby=id.clone()
                on:focus=move |_| open.set(true)
                on:blur=move |_| open.set(false)
            >
                {move || text.get()}
            </span>
            <span role="tooltip" id=id class="tooltip tooltip-left" class:tooltip-open=move || open.get()>{tip}</span>
        </span>
    }
}

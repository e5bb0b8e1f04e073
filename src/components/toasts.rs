//! One always-mounted live region for every toast; each toast's timer pauses while the pointer
//! is over it or focus is inside it, so nobody loses a message they are reading. The same region
//! says what no toast says (a page opened, a toast repeated, a run started: `Toasts::announce`,
//! the words chosen in `gatehouse_api::announce`), so a screen reader has one place to listen.

use std::time::Duration;

use gatehouse_api::toasts::{Toast, ToastKind};
use leptos::prelude::*;

use super::WhyDialog;
use crate::state::expect_toasts;

const TICK_MS: u64 = 100;

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = expect_toasts();
    view! {
        <div id="toasts" class="toast-region" role="region" aria-label="Notifications" aria-live="polite" aria-relevant="additions text">
            <For
                each=move || toasts.list.with(|list| list.toasts().to_vec())
                key=|toast| toast.id
                children=move |toast| view! { <ToastItem toast /> }
            />
            // Keyed by its number: each announcement is a new node, an addition the region reads.
            <For
                each=move || toasts.announcement.get().into_iter()
                key=|(number, _)| *number
                children=|(_, words)| view! { <p class="sr-only" data-testid="announcer">{words}</p> }
            />
        </div>
        <WhyDialog requirement=toasts.why title="Why was this refused?" />
    }
}

#[component]
fn ToastItem(toast: Toast) -> impl IntoView {
    let toasts = expect_toasts();
    let id = toast.id;
    let count = Memo::new(move |_| toasts.list.with(|list| list.count_of(id)).unwrap_or(1));
    let hovered = RwSignal::new(false);
    let focused = RwSignal::new(false);
    let lifetime = u64::from(toast.kind.lifetime_ms());
    let remaining = RwSignal::new(lifetime);

    // A repeat of the same toast means the problem is still there: give it a full lifetime again.
    Effect::new(move |previous: Option<u32>| {
        let now = count.get();
        if previous.is_some_and(|before| before != now) {
            remaining.set(lifetime);
        }
        now
    });

    if let Ok(handle) = set_interval_with_handle(
        move || {
            if hovered.get_untracked() || focused.get_untracked() {
                return;
            }
            let left = remaining.get_untracked().saturating_sub(TICK_MS);
            remaining.set(left);
            if left == 0 {
                toasts.dismiss(id);
            }
        },
        Duration::from_millis(TICK_MS),
    ) {
        on_cleanup(move || handle.clear());
    }

    let (icon, role) = match toast.kind {
        ToastKind::Success => ("✓", "status"),
        ToastKind::Warning => ("!", "status"),
        ToastKind::Error => ("✕", "alert"),
    };
    let has_text = !toast.text.is_empty();
    let why = toast.why.clone();
    view! {
        <div
            class=format!("toast toast-{}", toast.kind.as_str())
            data-testid="toast"
            role=role
            on:mouseenter=move |_| hovered.set(true)
            on:mouseleave=move |_| hovered.set(false)
            on:focusin=move |_| focused.set(true)
            on:focusout=move |_| focused.set(false)
        >
            <span class="toast-icon" aria-hidden="true">{icon}</span>
            <div class="toast-body">
                <p class="toast-title">
                    {toast.title.clone()}
                    <Show when=move || { count.get() > 1 }>
                        <span class="toast-count" title="Times this happened" aria-hidden="true">{move || format!("×{}", count.get())}</span>
                    </Show>
                </p>
                <Show when=move || has_text>
                    <p class="toast-text">{toast.text.clone()}</p>
                </Show>
                {why.map(|requirement| {
                    let requirement = StoredValue::new(requirement);
                    view! {
                        <button type="button" class="link-button toast-why" data-testid="toast-why" on:click=move |_| toasts.explain(requirement.get_value())>
                            "Why?"
                        </button>
                    }
                })}
            </div>
            <button
                type="button"
                class="toast-dismiss"
                aria-label="Dismiss notification"
                on:click=move |_| toasts.dismiss(id)
            >
                "×"
            </button>
        </div>
    }
}

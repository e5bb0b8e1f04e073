//! The toast region: always mounted, collapses repeats, dismisses, pauses on hover.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::components::ToastRegion;
use gatehouse::state::Toasts;
use leptos::prelude::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn repeats_collapse_with_a_count_and_dismiss_removes() {
    let root = container();
    let toasts = Toasts::new();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(toasts);
        view! { <ToastRegion /> }
    });
    let root: Element = root.unchecked_into();
    let region = query(&root, "#toasts").expect("the region is mounted before any toast");
    assert_eq!(region.get_attribute("aria-live").as_deref(), Some("polite"));

    toasts.error("Failed to fetch hunting leads", "boom (403)");
    toasts.error("Failed to fetch hunting leads", "boom (403)");
    wait_for("one toast with ×2", || {
        query_all(&root, "[data-testid=toast]").len() == 1
            && region.text_content().unwrap_or_default().contains("×2")
    })
    .await;

    click(&query(&root, ".toast-dismiss").expect("dismiss button"));
    wait_for("toast gone", || {
        query_all(&root, "[data-testid=toast]").is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_hovered_toast_does_not_expire() {
    let root = container();
    let toasts = Toasts::new();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(toasts);
        view! { <ToastRegion /> }
    });
    let root: Element = root.unchecked_into();
    toasts.success("Saved", "");
    wait_for("toast", || query(&root, ".toast-success").is_some()).await;
    let toast = query(&root, ".toast-success").expect("toast");
    toast
        .dispatch_event(&web_sys::MouseEvent::new("mouseenter").expect("event"))
        .expect("dispatched");
    // Success toasts live 5 s; hovered, it must still be there after 6 s.
    gloo_timers::future::TimeoutFuture::new(6_000).await;
    assert!(
        query(&root, ".toast-success").is_some(),
        "hover pauses the timer"
    );
    toast
        .dispatch_event(&web_sys::MouseEvent::new("mouseleave").expect("event"))
        .expect("dispatched");
    for _ in 0..80 {
        if query(&root, ".toast-success").is_none() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    panic!("the toast should expire once the pointer leaves");
}

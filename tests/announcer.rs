//! What a screen reader hears besides the toasts, and where focus goes around a dialog: the route
//! announcer says a new page's name in the toast region (the one polite live region) and names
//! the tab; words said twice are two additions; a repeated toast is said whole; a modal takes
//! focus, keeps Tab inside and gives focus back to its opener.

#![cfg(target_arch = "wasm32")]

mod support;

use gatehouse::components::{Modal, PageAnnouncer, ToastRegion};
use gatehouse::state::Toasts;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos_router::components::Router;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// The words the region says now, if any.
fn announcement(root: &Element) -> Option<String> {
    query(root, "#toasts [data-testid=announcer]").and_then(|e| e.text_content())
}

fn focused_testid() -> Option<String> {
    document()
        .active_element()
        .and_then(|e| e.get_attribute("data-testid"))
}

/// A Tab (or Shift+Tab) keydown sent to whatever has focus, as the browser sends it.
fn press_tab(shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key("Tab");
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    let target = document().active_element().expect("something has focus");
    target.dispatch_event(&event).expect("dispatched");
}

#[wasm_bindgen_test]
async fn a_navigation_is_said_in_the_toast_region_and_names_the_tab() {
    let toasts = Toasts::new();
    let root = container();
    let before = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .expect("the test page's address");
    // The load starts on a page with a name (the test page's own `/` only sends the user on).
    history()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/app/dashboards"))
        .expect("an address on the same origin");
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        provide_context(toasts);
        view! {
            <Router>
                <ToastRegion />
                <PageAnnouncer />
                <a href="/app/management/security/roles" data-testid="to-roles">"Roles"</a>
                <a href="/app/management/security/roles?sort=name" data-testid="to-sorted-roles">"Sorted"</a>
            </Router>
        }
    }));
    let root: Element = root.unchecked_into();
    TimeoutFuture::new(50).await;
    assert_eq!(
        announcement(&root),
        None,
        "the first page of a load is read by the screen reader itself"
    );
    assert_eq!(document().title(), "Dashboards - Gatehouse");

    click(&testid(&root, "to-roles").expect("the link"));
    wait_for("the page's name said", || {
        announcement(&root).as_deref() == Some("Roles")
    })
    .await;
    assert_eq!(document().title(), "Roles - Gatehouse");

    // Only the query changes: the same page, nothing new to say.
    let said = query(&root, "#toasts [data-testid=announcer]").expect("said");
    click(&testid(&root, "to-sorted-roles").expect("the link"));
    TimeoutFuture::new(100).await;
    let still = query(&root, "#toasts [data-testid=announcer]").expect("still said");
    assert!(
        said.is_same_node(Some(&still)),
        "a query change is not a new announcement"
    );

    // Leave the test page's address as it was for the tests after this one.
    let _ = history().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&before));
}

fn history() -> web_sys::History {
    web_sys::window()
        .and_then(|w| w.history().ok())
        .expect("history")
}

#[wasm_bindgen_test]
async fn the_same_words_twice_are_two_additions_and_a_repeated_toast_is_said_whole() {
    let toasts = Toasts::new();
    let root = container();
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        provide_context(toasts);
        view! { <ToastRegion /> }
    }));
    let root: Element = root.unchecked_into();
    let region = query(&root, "#toasts").expect("the region");
    assert_attribute(&region, "aria-live", "polite");

    toasts.announce("Generating leads…");
    wait_for("the words", || {
        announcement(&root).as_deref() == Some("Generating leads…")
    })
    .await;
    let first = query(&root, "[data-testid=announcer]").expect("said");
    toasts.announce("Generating leads…");
    wait_for("a new node for the same words", || {
        query(&root, "[data-testid=announcer]").is_some_and(|now| !now.is_same_node(Some(&first)))
    })
    .await;
    assert_eq!(
        query_all(&root, "[data-testid=announcer]").len(),
        1,
        "only the last words stay"
    );

    toasts.error("Failed to fetch hunting leads", "boom (403)");
    TimeoutFuture::new(50).await;
    assert_eq!(
        announcement(&root).as_deref(),
        Some("Generating leads…"),
        "a new toast is heard as it is added, not said twice"
    );
    toasts.error("Failed to fetch hunting leads", "boom (403)");
    wait_for("the repeat said whole", || {
        announcement(&root).as_deref()
            == Some("Error again: Failed to fetch hunting leads. boom (403)")
    })
    .await;
    let count = query(&root, ".toast-count").expect("the visible count");
    assert_attribute(&count, "aria-hidden", "true");
}

#[wasm_bindgen_test]
async fn a_modal_takes_focus_keeps_tab_inside_and_gives_focus_back() {
    let open = RwSignal::new(false);
    let root = container();
    std::mem::forget(leptos::mount::mount_to(root.clone(), move || {
        view! {
            <button type="button" data-testid="opener" on:click=move |_| open.set(true)>"Open"</button>
            <Modal open title="Keys" testid="keys-modal">
                <input type="text" data-testid="first-field" />
                <button type="button" data-testid="last-button">"Last"</button>
            </Modal>
        }
    }));
    let root: Element = root.unchecked_into();
    let opener: HtmlElement = testid(&root, "opener").expect("opener").unchecked_into();
    opener.focus().expect("focusable");
    click(&opener);
    wait_for("the dialog open with focus inside", || {
        query(&root, "dialog[open]").is_some()
            && document()
                .active_element()
                .is_some_and(|e| e.closest("dialog[open]").ok().flatten().is_some())
    })
    .await;

    // From the last control Tab wraps to the first (the header's Close), and back.
    let last: HtmlElement = testid(&root, "last-button").expect("last").unchecked_into();
    last.focus().expect("focusable");
    press_tab(false);
    let first = document().active_element().expect("focus");
    assert_eq!(
        first.get_attribute("aria-label").as_deref(),
        Some("Close"),
        "Tab from the last control goes to the first"
    );
    press_tab(true);
    assert_eq!(
        focused_testid().as_deref(),
        Some("last-button"),
        "Shift+Tab from the first goes to the last"
    );
    // In between, Tab is the browser's own.
    let field: HtmlElement = testid(&root, "first-field")
        .expect("field")
        .unchecked_into();
    field.focus().expect("focusable");
    press_tab(false);
    assert_eq!(focused_testid().as_deref(), Some("first-field"));

    open.set(false);
    wait_for("focus back on the opener", || {
        query(&root, "dialog[open]").is_none() && focused_testid().as_deref() == Some("opener")
    })
    .await;
}

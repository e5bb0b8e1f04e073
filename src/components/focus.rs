//! Where keyboard focus goes when something opens, closes or disappears: the one set of helpers
//! the modal, the menus and the lists use, so every flow can be done with the keyboard alone
//! (ARCHITECTURE.md, "Keyboard and screen readers").

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// What Tab can reach. Disabled controls and `tabindex="-1"` are left out, as the browser does.
const TABBABLE: &str =
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
     select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

/// The element that has focus now, if any but the page itself.
pub fn focused() -> Option<HtmlElement> {
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into::<HtmlElement>()
        .ok()
}

/// Elements under `root` matching `selector` that are on screen, in document order.
pub fn shown_within(root: &Element, selector: &str) -> Vec<HtmlElement> {
    let Ok(nodes) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into::<HtmlElement>().ok())
        // No boxes: `hidden`, `display: none` or inside something that is.
        .filter(|element| element.offset_width() > 0 || element.offset_height() > 0)
        .collect()
}

/// Whatever Tab can reach under `root`, in order.
pub fn tabbable_within(root: &Element) -> Vec<HtmlElement> {
    shown_within(root, TABBABLE)
}

/// Focuses `element` if it is still on the page; `false` when it is gone.
pub fn refocus(element: &HtmlElement) -> bool {
    element.is_connected() && element.focus().is_ok()
}

/// Focuses the page's main content (a fallback when what had focus is gone: `#main` takes focus
/// by script only, `tabindex="-1"`).
pub fn focus_main() {
    let main = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(main) = main {
        let _ = main.focus();
    }
}

/// Keeps Tab and Shift+Tab inside `root`: from its last control Tab goes to its first, from the
/// first Shift+Tab goes to the last. A modal `<dialog>` makes the page behind it inert, but Tab
/// would still leave it for the browser's own controls.
pub fn keep_tab_within(event: &KeyboardEvent, root: &Element) {
    if event.key() != "Tab" {
        return;
    }
    let controls = tabbable_within(root);
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        event.prevent_default();
        return;
    };
    let here = focused();
    let inside = here
        .as_ref()
        .is_some_and(|element| root.contains(Some(element)));
    let wrap_to = if event.shift_key() {
        (!inside || here.as_ref() == Some(first)).then_some(last)
    } else {
        (!inside || here.as_ref() == Some(last)).then_some(first)
    };
    if let Some(target) = wrap_to {
        event.prevent_default();
        let _ = target.focus();
    }
}

/// Arrow keys, Home and End move focus among `items` (a menu's entries); true when the key was
/// one of them, so the caller leaves it alone.
pub fn move_among(event: &KeyboardEvent, items: &[HtmlElement]) -> bool {
    if items.is_empty() {
        return false;
    }
    let here = focused();
    let at = items.iter().position(|item| Some(item) == here.as_ref());
    let last = items.len() - 1;
    let next = match event.key().as_str() {
        "ArrowDown" => at.map_or(0, |i| if i == last { 0 } else { i + 1 }),
        "ArrowUp" => at.map_or(last, |i| if i == 0 { last } else { i - 1 }),
        "Home" => 0,
        "End" => last,
        _ => return false,
    };
    event.prevent_default();
    let _ = items[next].focus();
    true
}

/// True when nothing but the page itself has focus: what had it was removed.
pub fn focus_is_lost() -> bool {
    focused().is_none_or(|element| element.tag_name().eq_ignore_ascii_case("BODY"))
}

/// How long [`refocus_after_removal`] waits for the element to go.
const REMOVAL_WAIT_MS: u32 = 10_000;
const REMOVAL_POLL_MS: u32 = 50;

/// Once `gone` has left the page (a dismissed lead's card, when the list is read again), gives
/// focus to `next()` if focus went with it, so a keyboard user goes on from where they were
/// instead of from the top of the page; to the main content when `next()` finds nothing.
pub async fn refocus_after_removal(gone: Element, next: impl Fn() -> Option<HtmlElement>) {
    let mut waited = 0;
    while gone.is_connected() {
        if waited >= REMOVAL_WAIT_MS {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(REMOVAL_POLL_MS).await;
        waited += REMOVAL_POLL_MS;
    }
    if !focus_is_lost() {
        return;
    }
    match next() {
        Some(element) if refocus(&element) => {}
        _ => focus_main(),
    }
}

/// After a navigation without a reload: when focus was on the page itself, or on something the
/// old page took with it (a form's submit button, the button that opened the new page), it goes
/// to the new page's main content, as a reload would start the user at the new page. Focus the
/// user moved on themselves, or a header link that stays, is left alone.
pub async fn follow_navigation(was_focused: Option<HtmlElement>) {
    let mut waited = 0;
    while waited < REMOVAL_WAIT_MS {
        let gone = was_focused.as_ref().is_none_or(|element| {
            !element.is_connected() || element.tag_name().eq_ignore_ascii_case("BODY")
        });
        if focus_is_lost() {
            if gone && main_is_shown() {
                focus_main();
                return;
            }
        } else if focused() != was_focused {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(REMOVAL_POLL_MS).await;
        waited += REMOVAL_POLL_MS;
    }
}

fn main_is_shown() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .is_some_and(|main| main.offset_height() > 0)
}

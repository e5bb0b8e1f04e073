//! The server's first paint of the leads page (`server/src/leads/first_paint.rs`): the page as the app
//! will draw it, sent in `index.html` so the leads are on screen before the wasm has arrived.
//! While it is in the page, the stylesheet keeps the app's own nodes hidden (`.first-paint`
//! in style/main.css); the app removes it once its own page is up, and the next frame shows the
//! app in its place.

use std::time::Duration;

use leptos::prelude::{document, set_timeout};

const ELEMENT_ID: &str = "first-paint";

/// However the app's start goes (a slow answer, an error page), it shows itself by then: the
/// first paint is inert, and must not stand in for the app for long.
const AT_THE_LATEST: Duration = Duration::from_secs(3);

/// Whether the page still shows the first paint. An effect that returns when it is gone reads
/// no signal after that, and is never run again.
pub fn is_shown() -> bool {
    document().get_element_by_id(ELEMENT_ID).is_some()
}

/// Removes the first paint, if the page has one: the app's own page is what the user sees from
/// the next frame on. Once it is gone, a call is one lookup by id.
pub fn release() {
    if let Some(element) = document().get_element_by_id(ELEMENT_ID) {
        element.remove();
    }
}

/// [`release`] after [`AT_THE_LATEST`], whatever happened by then.
pub fn release_at_the_latest() {
    set_timeout(release, AT_THE_LATEST);
}

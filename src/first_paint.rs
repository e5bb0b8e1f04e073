//! The server's first paint of the leads page (`server/src/leads/first_paint.rs`): the page as the app
//! will draw it, sent in `index.html` so the leads are on screen before the wasm has arrived.
//! While it is in the page, the stylesheet keeps the app's own nodes hidden (`.first-paint`
//! in style/main.css); the app removes it once its own page is up, and the next frame shows the
//! app in its place.
//!
//! The page also carries the answers it was drawn from (`gatehouse_api::leads_page::carried`): the
//! app's first request for each takes it instead of asking the server again.

use std::cell::RefCell;
use std::time::Duration;

use gatehouse_api::leads_page::carried::{self, CarriedAnswers};
use leptos::prelude::{document, set_timeout, window};

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

thread_local! {
    /// Read out of the page by the first request that finds them there.
    static CARRIED: RefCell<CarriedAnswers> = RefCell::default();
}

/// The answers in the page, if they are still there; the element goes with the reading.
fn read_carried() -> Option<CarriedAnswers> {
    let element = document().get_element_by_id(carried::ELEMENT_ID)?;
    let text = element.text_content().unwrap_or_default();
    element.remove();
    Some(serde_json::from_str(&text).unwrap_or_default())
}

/// The first paint's answer to this request (`path` without the space prefix), once; `None`
/// for anything else, when the page is older than an answer may be, and while the tab views as
/// another user (the page was drawn for the caller).
pub fn take_carried_answer(
    method: &str,
    path: &str,
    version: Option<&str>,
    body: Option<&str>,
) -> Option<String> {
    CARRIED.with_borrow_mut(|answers| {
        if let Some(in_page) = read_carried() {
            *answers = in_page;
        }
        // After the page load's first requests this (and one lookup by id) is all it costs.
        if answers.answers.is_empty() {
            return None;
        }
        let fresh = window()
            .performance()
            .is_some_and(|clock| clock.now() <= carried::MAX_AGE_MS);
        if !fresh || crate::state::view_as::run_as_username().is_some() {
            answers.answers.clear();
            return None;
        }
        answers.take(
            &crate::state::space::current_prefix(),
            method,
            path,
            version,
            body,
        )
    })
}

/// Drops the carried answers: the session changed, so they were someone else's.
pub fn forget_carried_answers() {
    drop(read_carried());
    CARRIED.with_borrow_mut(|answers| answers.answers.clear());
}

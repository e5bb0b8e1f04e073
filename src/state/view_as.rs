//! "View as": the user this tab views the app as (docs/administration.md, "View as"). Kept in
//! the tab's `sessionStorage`, so a reload keeps the view and another tab is not affected; the
//! run-as header every request carries is read from here by `ApiClient`. Starting and stopping
//! load the session again exactly as a sign-in does, so every page shows the viewed user's
//! navigation, sections and closed controls.

use std::cell::RefCell;

use gatehouse_api::view_as::{view_holds, ViewingAs};
use leptos::prelude::*;

use crate::api::ApiClient;
use crate::state::web_storage;
use crate::state::{Session, Toasts};

const STORAGE_KEY: &str = "gatehouse:view_as";

thread_local! {
    /// The run-as username for requests: read from storage once, then kept by [`keep`].
    static RUN_AS: RefCell<Option<String>> = RefCell::new(stored().map(|view| view.username));
}

/// The view this tab kept, if any (unreadable storage or contents mean none).
pub fn stored() -> Option<ViewingAs> {
    let text = web_storage::session()?.get_item(STORAGE_KEY).ok()??;
    serde_json::from_str(&text).ok()
}

/// The user requests run as, while viewing.
pub fn run_as_username() -> Option<String> {
    RUN_AS.with(|run_as| run_as.borrow().clone())
}

/// Keeps `view` (or its end) for the requests and for a reload.
pub(crate) fn keep(view: Option<&ViewingAs>) {
    RUN_AS.with(|run_as| *run_as.borrow_mut() = view.map(|view| view.username.clone()));
    let Some(storage) = web_storage::session() else {
        return;
    };
    let _ = match view.and_then(|view| serde_json::to_string(view).ok()) {
        Some(text) => storage.set_item(STORAGE_KEY, &text),
        None => storage.remove_item(STORAGE_KEY),
    };
}

/// Starts viewing as `view.username`. The server is asked first: a refused view (the caller may
/// not run as that user, or the user is unknown or deactivated) leaves the caller's own view and
/// says why in a toast with the server's message. A granted view is kept in the tab and the page
/// is loaded again, as the viewed user's from its first request: nothing of the caller's pages,
/// their resources or their pending answers outlives the change of user.
pub async fn start(api: ApiClient, toasts: Toasts, view: ViewingAs, reload: PageReload) {
    // Only the requests see the view until the server has said yes: the page stays as it is.
    keep(Some(&view));
    api.forget_early_reads();
    let refused = match api.me_with_run_by().await {
        Ok(me) if view_holds(&view, &me) => None,
        Ok(_) => Some(format!(
            "The server did not run the request as {}.",
            view.username
        )),
        Err(error) => Some(error.toast_text()),
    };
    if let Some(reason) = refused {
        keep(None);
        api.forget_early_reads();
        toasts.error(
            &format!("Could not view as {}", view.display_name()),
            &reason,
        );
        return;
    }
    reload.0.run(());
}

/// Stops viewing: the caller's own view, on the same page, loaded again for them.
pub fn stop(session: Session, reload: PageReload) {
    session.set_viewing_as(None);
    reload.0.run(());
}

/// Loads the page again at the same address (the browser's reload), for a change of user; a
/// component test provides its own in the context, as it provides the transport.
#[derive(Clone, Copy)]
pub struct PageReload(pub Callback<()>);

impl PageReload {
    /// The one in the context, else the browser's. Call it in a component's body.
    pub fn from_context() -> Self {
        use_context::<PageReload>().unwrap_or_else(|| {
            PageReload(Callback::new(|_| {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }))
        })
    }
}

/// Who the tab views the app as, for a control that closes itself in a view; never anyone where
/// no session is provided (a component mounted on its own).
pub fn viewing_as() -> Signal<Option<ViewingAs>> {
    match leptos::prelude::use_context::<super::Session>() {
        Some(session) => session.viewing_as.into(),
        None => Signal::stored(None),
    }
}

//! The route announcer: the tab's title for each page, and the page's name said by the one live
//! region (the toast region) after a navigation without a reload.

use gatehouse_api::announce::{document_title, RouteAnnouncer};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_location;

use crate::routes::page_name;
use crate::state::Toasts;

/// Names each page in the tab's title and, after a navigation without a reload, has the one live
/// region (the toast region) say the new page's name, as a reload would have a screen reader read
/// the new document (what is said and when: `gatehouse_api::announce`); focus lost with the old
/// page goes to the new page's main content.
#[component]
pub fn PageAnnouncer() -> impl IntoView {
    let location = use_location();
    let toasts = expect_context::<Toasts>();
    let announcer = StoredValue::new(RouteAnnouncer::default());
    Effect::new(move |_| {
        let pathname = location.pathname.get();
        let app_path = gatehouse_api::spaces::split_space_path(&pathname).1;
        let page = page_name(app_path);
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&document_title(page));
        }
        let Some(navigated) = announcer
            .try_update_value(|announcer| announcer.page_shown(app_path, page))
            .flatten()
        else {
            return;
        };
        if let Some(words) = navigated.say {
            toasts.announce(words);
        }
        spawn_local(super::focus::follow_navigation(super::focus::focused()));
    });
}

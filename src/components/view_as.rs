//! "View as" in the app: the banner on every page while the tab views the app as another user
//! (whose view it is, that it is read-only, and Stop, which returns to the caller's own view on
//! the same page), and the "View as NAME" button of the Users and Effective access pages.

use gatehouse_api::admin::KibanaRole;
use gatehouse_api::view_as::{may_view_as, ViewingAs};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::expect_api;
use crate::state::{expect_session, expect_toasts, view_as};

#[component]
pub fn ViewAsBanner() -> impl IntoView {
    let session = expect_session();
    let reload = view_as::PageReload::from_context();
    let stopping = RwSignal::new(false);
    let stop = move |_| {
        stopping.set(true);
        view_as::stop(session, reload);
    };
    move || {
        session.viewing_as.get().map(|view| {
            let stop_label = format!("Stop viewing as {}", view.display_name());
            view! {
                // A named region: the banner is found among the landmarks, and its sentence is
                // read with it (it is not a live region: the page around it changes at once).
                <section class="view-as-banner" aria-label="View as" data-testid="view-as-banner">
                    <svg class="view-as-icon" viewBox="0 0 16 16" aria-hidden="true">
                        <path d="M8 3C4.4 3 1.7 5.5 1 8c.7 2.5 3.4 5 7 5s6.3-2.5 7-5c-.7-2.5-3.4-5-7-5zm0 8a3 3 0 110-6 3 3 0 010 6z" fill="currentColor" />
                    </svg>
                    <span class="view-as-text" data-testid="view-as-text">{view.banner_text()}</span>
                    <span class="view-as-separator" aria-hidden="true">"·"</span>
                    <button
                        type="button"
                        class="btn btn-small view-as-stop"
                        data-testid="view-as-stop"
                        aria-label=stop_label
                        disabled=move || stopping.get()
                        on:click=stop
                    >
                        "Stop"
                    </button>
                </section>
            }
        })
    }
}

/// The roles' descriptors, read once for a page that offers "View as": the caller's `run_as`
/// patterns are in them. Empty (so nothing is offered) until they arrive, when the caller may not
/// read roles, or while the tab already views as someone.
pub fn run_as_roles() -> Signal<Vec<KibanaRole>> {
    let api = expect_api();
    let session = expect_session();
    let roles = RwSignal::new(Vec::new());
    if session.viewing_as.with_untracked(Option::is_none) {
        spawn_local(async move {
            if let Ok(list) = api.list_roles().await {
                let _ = roles.try_set(list);
            }
        });
    }
    roles.into()
}

/// "View as NAME", shown only when the signed-in user's roles may run as `username` (the server
/// decides again when the view starts). `compact` shows "View as" with the name for screen
/// readers only, for a table row that already names the user.
#[component]
pub fn ViewAsButton(
    username: String,
    full_name: Option<String>,
    roles: Signal<Vec<KibanaRole>>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let session = expect_session();
    let api = expect_api();
    let toasts = expect_toasts();
    let reload = view_as::PageReload::from_context();
    let starting = RwSignal::new(false);
    let target = StoredValue::new(username);
    let may = move || {
        session.viewing_as.with(Option::is_none)
            && session.user().is_some_and(|me| {
                roles.with(|roles| {
                    target.with_value(|target| may_view_as(&me.username, &me.roles, roles, target))
                })
            })
    };
    let display = full_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| target.get_value());
    let start = move |_| {
        let Some(caller) = session.username_untracked() else {
            return;
        };
        let view = ViewingAs {
            username: target.get_value(),
            full_name: full_name.clone(),
            caller,
        };
        starting.set(true);
        spawn_local(async move {
            view_as::start(api, toasts, view, reload).await;
            let _ = starting.try_set(false);
        });
    };
    move || {
        may().then(|| {
            let start = start.clone();
            let label = if compact {
                view! { "View as"<span class="sr-only">" "{display.clone()}</span> }.into_any()
            } else {
                view! { "View as "{display.clone()} }.into_any()
            };
            view! {
                <button
                    type="button"
                    class=if compact { "btn btn-small btn-ghost" } else { "btn" }
                    data-testid="view-as"
                    data-username=target.get_value()
                    disabled=move || starting.get()
                    on:click=start
                >
                    {label}
                </button>
            }
        })
    }
}

/// A part of a page whose controls change something and are not guarded one by one (a form's
/// fields and its Save, a source's documents and identities): while the tab views the app as
/// another user it is one disabled `<fieldset>`, so no control in it can be used, under a note
/// that says why (docs/view-as.md, "Read-only").
#[component]
pub fn ReadOnlyWhileViewing(children: Children) -> impl IntoView {
    let session = expect_session();
    let reason = move || {
        session
            .viewing_as
            .with(|view| view.as_ref().map(ViewingAs::read_only_reason))
    };
    view! {
        {move || reason().map(|text| view! {
            <p class="view-as-note" role="note" data-testid="view-as-note">{text}</p>
        })}
        <fieldset class="view-as-fieldset" disabled=move || reason().is_some()>
            {children()}
        </fieldset>
    }
}

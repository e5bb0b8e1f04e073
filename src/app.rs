//! Routes, the signed-in shell (header, nav) and the session gate around every app page.

use std::time::Duration;

use gatehouse_api::apps::{visible_apps, APP_LINKS};
use gatehouse_api::security::Capabilities;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::Lazy;

use crate::api::{expect_api, ApiClient, Transport};
use crate::components::spaces::{SpaceGate, SpaceSwitcher};
use crate::components::{PageAnnouncer, ToastRegion, ViewAsBanner};
use crate::format::upper_cased;
use crate::lazy_routes::{
    AccessRoute, AuditLogRoute, DashboardRoute, DashboardsPages, DashboardsRoute, DevToolsPages,
    DevToolsRoute, ManagementPages, RoleEditRoute, RolesRoute, SavedObjectsRoute, SearchPages,
    SearchRoute, SpaceCreateRoute, SpaceEditRoute, SpacesRoute, UsersRoute,
};
use crate::pages::{EntityAnalyticsPage, LoginPage, NotFound, SpaceSelectorPage};
use crate::state::{expect_session, space_path, Profiles, Session, SessionStatus, Toasts};

use crate::routes::{
    replacing, route_pattern, ACCESS_PATH, ENTITY_ANALYTICS_PATH, HOME_PATH, LOGIN_PATH,
    SPACE_SELECTOR_PATH, USERS_PATH,
};

/// What the SPA adds to each of [`APP_LINKS`], in the same order.
struct NavExtras {
    testid: &'static str,
    /// Fetches the app's wasm module ahead of a click (`src/lazy_routes.rs`).
    prefetch: fn(),
}

const NAV_EXTRAS: [NavExtras; APP_LINKS.len()] = [
    NavExtras {
        testid: "nav-entity-analytics",
        prefetch: || {},
    },
    NavExtras {
        testid: "nav-dashboards",
        prefetch: DashboardsPages::prefetch,
    },
    NavExtras {
        testid: "nav-dev-tools",
        prefetch: DevToolsPages::prefetch,
    },
    NavExtras {
        testid: "nav-management",
        prefetch: ManagementPages::prefetch,
    },
    NavExtras {
        testid: "nav-search",
        prefetch: SearchPages::prefetch,
    },
];

/// The first app this user may open, for `/` and for after login.
pub fn home_path(capabilities: &Capabilities) -> Option<&'static str> {
    visible_apps(capabilities).next().map(|app| app.href)
}

#[component]
pub fn App(transport: Transport) -> impl IntoView {
    let api = ApiClient::new(transport);
    let session = Session::new();
    provide_context(api);
    provide_context(session);
    provide_context(Toasts::new());
    provide_context(Profiles::new());
    provide_context(crate::pages::leads::UnseenLeadChanges::new());
    api.set_on_unauthenticated(Callback::new(move |_| session.sign_out_locally()));
    read_first_page_early(api);
    spawn_local(async move { session.refresh(api).await });
    watch_privileges(session, api);

    let (is_routing, set_is_routing) = signal(false);
    view! {
        <Router base=crate::state::space::current_prefix() set_is_routing>
            <ToastRegion />
            <PageAnnouncer />
            <RouteLoading is_routing />
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=route_pattern!(LOGIN_PATH) view=LoginPage />
                <ParentRoute path=leptos_router::path!("") view=Shell>
                    <Route path=route_pattern!(HOME_PATH) view=Home />
                    <Route path=route_pattern!(ENTITY_ANALYTICS_PATH) view=EntityAnalyticsPage />
                    <Route path=route_pattern!(DASHBOARDS_PATH) view={Lazy::<DashboardsRoute>::new()} />
                    <Route path=route_pattern!(DASHBOARD_ROUTE) view={Lazy::<DashboardRoute>::new()} />
                    <Route path=route_pattern!(DEV_TOOLS_PATH) view={Lazy::<DevToolsRoute>::new()} />
                    <Route path=route_pattern!(ACCESS_PATH) view={Lazy::<AccessRoute>::new()} />
                    <Route path=route_pattern!(SEARCH_APP_PATH) view={Lazy::<SearchRoute>::new()} />
                    <Route path=route_pattern!(SPACES_PATH) view={Lazy::<SpacesRoute>::new()} />
                    <Route path=route_pattern!(SPACE_CREATE_PATH) view={Lazy::<SpaceCreateRoute>::new()} />
                    <Route path=route_pattern!(SPACE_EDIT_ROUTE) view={Lazy::<SpaceEditRoute>::new()} />
                    <Route path=route_pattern!(SAVED_OBJECTS_PATH) view={Lazy::<SavedObjectsRoute>::new()} />
                    <Route path=route_pattern!(SPACE_SELECTOR_PATH) view=SpaceSelectorPage />
                    <Route path=route_pattern!(MANAGEMENT_PATH) view=|| view! { <Redirect path=USERS_PATH /> } />
                    <Route path=route_pattern!(USERS_PATH) view={Lazy::<UsersRoute>::new()} />
                    <Route path=route_pattern!(ROLES_PATH) view={Lazy::<RolesRoute>::new()} />
                    <Route path=route_pattern!(ROLE_CREATE_PATH) view={Lazy::<RoleEditRoute>::new()} />
                    <Route path=route_pattern!(ROLE_EDIT_ROUTE) view={Lazy::<RoleEditRoute>::new()} />
                    <Route path=route_pattern!(AUDIT_LOG_PATH) view={Lazy::<AuditLogRoute>::new()} />
                    <Route path=route_pattern!(NOT_FOUND_ROUTE) view=NotFound />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// How long opening a page may take before the loading bar shows: most pages open at once, and a
/// bar flashing on every click would be noise.
const ROUTE_LOADING_DELAY: Duration = Duration::from_millis(150);

/// A thin bar across the top while the router waits for a page, in practice a page's wasm module
/// being fetched the first time it is opened (`src/lazy_routes.rs`): without it a click on a slow
/// connection looks ignored, since the old page stays up until the new one is ready.
#[component]
fn RouteLoading(is_routing: ReadSignal<bool>) -> impl IntoView {
    let visible = RwSignal::new(false);
    Effect::new(move |_| {
        if is_routing.get() {
            set_timeout(
                move || {
                    if is_routing.try_get_untracked() == Some(true) {
                        visible.try_set(true);
                    }
                },
                ROUTE_LOADING_DELAY,
            );
        } else {
            visible.set(false);
        }
    });
    view! {
        <div
            class="route-loading"
            data-testid="route-loading"
            role="progressbar"
            aria-label="Opening page"
            hidden=move || !visible.get()
        ></div>
    }
}

/// The reads the page being loaded makes once the session is known, sent now beside the
/// session's own requests instead of after them (time to leads: BENCHMARKS.md section 3).
fn read_first_page_early(api: ApiClient) {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let (space, app_path) = gatehouse_api::spaces::split_space_path(&path);
    if app_path.starts_with(LOGIN_PATH) {
        return;
    }
    api.read_session_early();
    api.read_spaces_early((!crate::state::space::in_default_space()).then_some(space));
    if app_path == ENTITY_ANALYTICS_PATH {
        api.read_leads_early();
    }
}

/// How often an open tab asks whether an administrator changed the user's access.
const PRIVILEGE_RECHECK: Duration =
    Duration::from_millis(gatehouse_api::security::PRIVILEGE_RECHECK_MS);

/// Live downgrade and upgrade: while the tab is visible, and at once when it regains focus,
/// ask the server again; a change updates what the app shows without a reload and says so.
/// Access that grows takes the same path as access taken away: the nav and every app gate read
/// the capabilities, and sections whose finer privileges the capabilities do not show ask again
/// on each recheck ([`Session::rechecked`]).
fn watch_privileges(session: Session, api: ApiClient) {
    let toasts = expect_context::<Toasts>();
    let checking = StoredValue::new(false);
    let recheck = move || {
        if checking.get_value() {
            return;
        }
        checking.set_value(true);
        spawn_local(async move {
            if session.recheck(api).await {
                toasts.warning(
                    "Your privileges changed",
                    "An administrator changed your roles. Gatehouse now shows what you may do.",
                );
            }
            checking.set_value(false);
        });
    };
    let visible = || {
        web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| !d.hidden())
    };
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if visible() {
                recheck();
            }
        },
        PRIVILEGE_RECHECK,
    ) {
        on_cleanup(move || handle.clear());
    }
    let focus = window_event_listener(leptos::ev::focus, move |_| recheck());
    on_cleanup(move || focus.remove());
}

/// Pages behind sign-in: a missing or expired session sends the user to login and back.
#[component]
fn Shell() -> impl IntoView {
    let session = expect_session();
    let api = expect_api();
    let location = use_location();
    let navigate = use_navigate();

    Effect::new(move |_| {
        if session.status.get() == SessionStatus::SignedOut {
            // leptos_router's `search` has no leading `?`.
            let search = location.search.get_untracked();
            // The router's base (`/s/{id}`) is added back when login navigates to `next`.
            let pathname = location.pathname.get_untracked();
            let path = gatehouse_api::spaces::split_space_path(&pathname)
                .1
                .to_string();
            let here = if search.is_empty() {
                path
            } else {
                format!("{path}?{search}")
            };
            let next = js_sys::encode_uri_component(&here);
            navigate(&format!("{LOGIN_PATH}?next={next}"), replacing());
        }
    });

    // The space this page load works in becomes the user's last one, once the user is on one of
    // its pages (not `Select your space`, which is on the way to one). A view as another user is
    // read-only, theirs as well as the caller's (docs/view-as.md): nothing is stored then.
    let remembered = StoredValue::new(false);
    Effect::new(move |_| {
        let signed_in = matches!(session.status.get(), SessionStatus::SignedIn { .. });
        let choosing = location.pathname.get().ends_with(SPACE_SELECTOR_PATH);
        let viewing_as = session.viewing_as.with(Option::is_some);
        if signed_in && !choosing && !viewing_as && !remembered.get_value() {
            remembered.set_value(true);
            crate::state::space::remember_current_space(api);
        }
    });

    // The server's first paint is of the leads page of a signed-in user: anything else on screen
    // is the app's to show at once.
    Effect::new(move |_| {
        if !crate::first_paint::is_shown() {
            return;
        }
        let signed_in = matches!(
            session.status.get(),
            SessionStatus::Checking | SessionStatus::SignedIn { .. }
        );
        // The server drew the caller's own leads: not the page of a user viewed as.
        let viewing_as = session.viewing_as.with_untracked(Option::is_some);
        if !signed_in || viewing_as || !location.pathname.get().ends_with(ENTITY_ANALYTICS_PATH) {
            crate::first_paint::release();
        }
    });

    move || {
        match session.status.get() {
        SessionStatus::Checking | SessionStatus::SignedOut => {
            view! { <div class="page-loading" aria-busy="true" aria-label="Loading Gatehouse"><div class="spinner"></div></div> }.into_any()
        }
        SessionStatus::Unavailable(error) => view! {
            <main class="outage" data-testid="outage">
                <div class="panel outage-panel" role="alert">
                    <h1>"Gatehouse can't reach its server"</h1>
                    <p>{error.toast_text()}</p>
                    <button type="button" class="btn btn-primary" data-testid="outage-retry" on:click=move |_| {
                        session.status.set(SessionStatus::Checking);
                        spawn_local(async move { session.refresh(api).await });
                    }>"Try again"</button>
                </div>
            </main>
        }
        .into_any(),
        SessionStatus::SignedIn { .. } => view! {
            <Header />
            <ViewAsBanner />
            <SpaceGate>
                <main class="app-main" id="main" tabindex="-1">
                    <Outlet />
                </main>
            </SpaceGate>
        }
        .into_any(),
    }
    }
}

#[component]
fn Header() -> impl IntoView {
    let session = expect_session();
    let api = expect_api();
    let location = use_location();
    let navigate = use_navigate();
    let signing_out = RwSignal::new(false);

    let sign_out = move |_| {
        let navigate = navigate.clone();
        signing_out.set(true);
        let user = session.username_untracked();
        spawn_local(async move {
            // Even if the server is unreachable the local session must end: the user asked to leave.
            let _ = api.logout().await;
            // Signing out on purpose discards unsaved drafts; a 401 keeps them for the way back.
            crate::state::session::drafts::clear_all();
            // And the console's requests: the next person at this browser must not see them.
            if let Some(user) = user {
                crate::state::console_storage::forget_user(&user);
            }
            // A sign-out ends a view as another user too: the next sign-in starts afresh.
            session.set_viewing_as(None);
            session.sign_out_locally();
            navigate(LOGIN_PATH, replacing());
        });
    };

    let user = move || session.user();
    let unseen_leads = use_context::<crate::pages::leads::UnseenLeadChanges>();
    let nav = move || {
        let capabilities = session.capabilities();
        APP_LINKS
            .iter()
            .zip(&NAV_EXTRAS)
            .filter(|(app, _)| capabilities.nav_link(app.nav_link))
            .map(|(app, extras)| {
                let href = space_path(app.href);
                let matches = href.clone();
                let current = move || {
                    location
                        .pathname
                        .get()
                        .starts_with(&matches)
                        .then_some("page")
                };
                let prefetch = extras.prefetch;
                // What changed in the leads since the last visit, not yet opened.
                let badge = (app.href == ENTITY_ANALYTICS_PATH).then_some(unseen_leads).flatten().map(|unseen| {
                    move || {
                        let count = unseen.0.get();
                        (count > 0).then(|| view! {
                            <span class="nav-badge" data-testid="nav-leads-badge" title="Leads changed since your last visit">
                                {count.to_string()}<span class="sr-only">" changes since your last visit"</span>
                            </span>
                        })
                    }
                });
                view! {
                    <a
                        href=href
                        class="nav-link"
                        data-testid=extras.testid
                        aria-current=current
                        on:pointerenter=move |_| prefetch()
                        on:focus=move |_| prefetch()
                    >
                        {app.label}
                        {badge}
                    </a>
                }
            })
            .collect_view()
    };

    view! {
        <header class="app-header">
            // Focused by hand: the router takes every same-origin link as a navigation, so the
            // browser would neither scroll to nor focus `#main`.
            <a class="skip-link" href="#main" on:click=move |ev| {
                ev.prevent_default();
                crate::components::focus::focus_main();
            }>"Skip to content"</a>
            <a href=space_path(HOME_PATH) class="brand" aria-label="Gatehouse home">
                <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
                    <rect width="32" height="32" rx="7" fill="#24344d" />
                    <path d="M9 25V13l7-5 7 5v12h-5v-6h-4v6z" fill="#36c5b5" />
                </svg>
                <span class="brand-name">"Gatehouse"</span>
            </a>
            <SpaceSwitcher />
            <nav class="app-nav" aria-label="Apps">{nav}</nav>
            <div class="header-user">
                <span class="avatar" aria-hidden="true">{move || user().map(|u| u.initials(upper_cased)).unwrap_or_default()}</span>
                <a href=space_path(ACCESS_PATH) class="user-name" data-testid="user-menu" title=move || user().map(|u| format!("{}: see your effective access", u.username)).unwrap_or_default()>
                    {move || user().map(|u| u.display_name().to_string()).unwrap_or_default()}
                </a>
                <button type="button" class="btn btn-ghost" data-testid="sign-out" on:click=sign_out disabled=move || signing_out.get()>
                    "Sign out"
                </button>
            </div>
        </header>
    }
}

#[component]
fn Home() -> impl IntoView {
    let session = expect_session();
    let navigate = use_navigate();
    let home = Memo::new(move |_| home_path(&session.capabilities()));
    Effect::new(move |_| {
        if let Some(path) = home.get() {
            navigate(path, replacing());
        }
    });
    move || {
        home.get().is_none().then(|| {
            view! {
                <section class="panel empty-state">
                    <h1>"No apps available"</h1>
                    <p>"Your roles do not grant access to any Gatehouse app. Ask an administrator to add a Kibana feature privilege to one of your roles."</p>
                    <p><a href=space_path(ACCESS_PATH) data-testid="home-access">"See what your roles grant"</a></p>
                </section>
            }
        })
    }
}

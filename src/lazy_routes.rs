//! Pages whose code is not in the first download (issue 6, transfer size).
//!
//! The release build (`cargo xtask test|bench`, feature `split`) cuts each of these pages out of
//! the main wasm module; the router fetches its module the first time the page is opened and
//! keeps it. Everything the sign-in page, the shell and the leads page need stays in the main
//! module, so opening Gatehouse on the leads page downloads none of them. Builds without the
//! feature (`trunk serve`, the wasm tests) link every page in and take the same async path, so
//! the router behaves the same in both.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// One lazily loaded page: `$route` for `<Route view=Lazy::<$route>::new()>`, `$split` the name
/// of its module, `$page` the component.
macro_rules! lazy_page {
    ($route:ident, $split:ident, $page:path) => {
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($split, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $split() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
            Ok($page().into_any())
        }

        #[cfg(not(feature = "split"))]
        async fn $split() -> Result<AnyView, std::convert::Infallible> {
            Ok($page().into_any())
        }

        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                $split()
                    .await
                    .unwrap_or_else(|_| view! { <PageLoadFailed /> }.into_any())
            }
        }
    };
}

lazy_page!(
    DashboardsRoute,
    dashboards_page,
    crate::pages::DashboardsPage
);
lazy_page!(DashboardRoute, dashboard_page, crate::pages::DashboardPage);
lazy_page!(DevToolsRoute, dev_tools_page, crate::pages::DevToolsPage);
lazy_page!(AccessRoute, access_page, crate::pages::EffectiveAccessPage);
lazy_page!(SearchRoute, search_page, crate::pages::SearchPage);
lazy_page!(SpacesRoute, spaces_page, crate::pages::SpacesManagementPage);
lazy_page!(
    SpaceCreateRoute,
    space_create_page,
    crate::pages::SpaceCreatePage
);
lazy_page!(SpaceEditRoute, space_edit_page, crate::pages::SpaceEditPage);
lazy_page!(UsersRoute, users_page, crate::pages::UsersPage);
lazy_page!(RolesRoute, roles_page, crate::pages::RolesPage);
lazy_page!(RoleEditRoute, role_edit_page, crate::pages::RoleEditPage);

/// The page's module could not be fetched (offline, a proxy's error page): say so instead of
/// leaving the previous page up or stopping the app. A reload fetches it anew.
#[component]
fn PageLoadFailed() -> impl IntoView {
    let reload = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    view! {
        <div class="panel outage-panel" role="alert" data-testid="page-load-failed">
            <h1>"This page could not be loaded"</h1>
            <p>"Gatehouse could not download this page's code. Check your connection, then try again."</p>
            <button type="button" class="btn btn-primary" data-testid="page-load-retry" on:click=reload>"Try again"</button>
        </div>
    }
}

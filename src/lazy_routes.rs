//! Pages whose code is not in the first download (transfer size: BENCHMARKS.md section 1).
//!
//! The release build (`cargo xtask dist|test|bench`, feature `split`) cuts these pages out of the
//! main wasm module, in four modules: Dashboards, Dev Tools, Search and Management. The router
//! fetches a page's module the first time one of its pages is opened and keeps it. Sign-in, the
//! shell, the space selector and the leads page stay in the main module, so opening Gatehouse on
//! the leads page fetches none of them. A module per group rather than per page: the splitter
//! puts the code two modules share into chunks of their own, one per combination, so eleven
//! modules made 156 files and up to 78 requests for one page; four make 15 files.
//!
//! Builds without the feature (`trunk serve`, the wasm tests) link every page in and take the
//! same async path, so the router behaves the same in both.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// One module of pages: `$module` is its name and the function that renders one of its pages,
/// `$pages` the enum naming them, `$preload` the function that only fetches the module.
macro_rules! page_module {
    ($module:ident, $preload:ident, $pages:ident { $($page:ident => $component:path),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum $pages {
            $($page),+
        }

        impl $pages {
            /// Starts fetching the module when a visit is likely (the pointer is over a link to
            /// one of its pages, or the link has focus), so the page opens without waiting. A
            /// failure is left to the visit, which reports it.
            pub fn prefetch() {
                leptos::task::spawn_local(async {
                    let _ = $preload().await;
                });
            }
        }

        #[cfg(not(feature = "split"))]
        async fn $preload() -> Result<(), std::convert::Infallible> {
            Ok(())
        }

        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split(
            $module,
            wasm_split_path = ::leptos::wasm_split,
            fallible,
            preload($preload)
        )]
        fn $module(page: $pages) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
            Ok(match page {
                $($pages::$page => $component().into_any()),+
            })
        }

        #[cfg(not(feature = "split"))]
        async fn $module(page: $pages) -> Result<AnyView, std::convert::Infallible> {
            Ok(match page {
                $($pages::$page => $component().into_any()),+
            })
        }
    };
}

/// `$route` for `<Route view={Lazy::<$route>::new()}>`: the page `$page` of module `$module`.
macro_rules! lazy_route {
    ($route:ident, $module:ident($page:expr)) => {
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                $module($page)
                    .await
                    .unwrap_or_else(|_| view! { <PageLoadFailed /> }.into_any())
            }
        }
    };
}

page_module!(dashboards_pages, preload_dashboards_pages, DashboardsPages {
    List => crate::pages::DashboardsPage,
    View => crate::pages::DashboardPage,
});
page_module!(dev_tools_pages, preload_dev_tools_pages, DevToolsPages {
    Console => crate::pages::DevToolsPage,
});
page_module!(search_pages, preload_search_pages, SearchPages {
    Search => crate::pages::SearchPage,
});
page_module!(management_pages, preload_management_pages, ManagementPages {
    Users => crate::pages::UsersPage,
    Roles => crate::pages::RolesPage,
    RoleEdit => crate::pages::RoleEditPage,
    Access => crate::pages::EffectiveAccessPage,
    Spaces => crate::pages::SpacesManagementPage,
    SpaceCreate => crate::pages::SpaceCreatePage,
    SpaceEdit => crate::pages::SpaceEditPage,
    SavedObjects => crate::pages::SavedObjectsPage,
    AuditLog => crate::pages::AuditLogPage,
});

lazy_route!(DashboardsRoute, dashboards_pages(DashboardsPages::List));
lazy_route!(DashboardRoute, dashboards_pages(DashboardsPages::View));
lazy_route!(DevToolsRoute, dev_tools_pages(DevToolsPages::Console));
lazy_route!(SearchRoute, search_pages(SearchPages::Search));
lazy_route!(UsersRoute, management_pages(ManagementPages::Users));
lazy_route!(RolesRoute, management_pages(ManagementPages::Roles));
lazy_route!(RoleEditRoute, management_pages(ManagementPages::RoleEdit));
lazy_route!(AccessRoute, management_pages(ManagementPages::Access));
lazy_route!(SpacesRoute, management_pages(ManagementPages::Spaces));
lazy_route!(
    SpaceCreateRoute,
    management_pages(ManagementPages::SpaceCreate)
);
lazy_route!(SpaceEditRoute, management_pages(ManagementPages::SpaceEdit));
lazy_route!(
    SavedObjectsRoute,
    management_pages(ManagementPages::SavedObjects)
);

lazy_route!(AuditLogRoute, management_pages(ManagementPages::AuditLog));

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

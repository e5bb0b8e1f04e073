//! Gatehouse SPA: a privilege-aware security console. See ARCHITECTURE.md.

pub mod api;
pub mod app;
pub mod components;
pub mod format;
pub mod lazy_routes;
pub mod pages;
pub mod state;

pub use app::App;

/// Entry point of the browser build.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| {
        leptos::view! { <App transport=api::browser_transport() /> }
    });
}

//! What a page shows when a read failed: the reason and a button to try again.

use gatehouse_api::ApiError;
use leptos::prelude::*;

/// The failed read's reason under `title`, with "Try again" calling `on_retry`. The test ids
/// default to the pages' `load-error` / `load-error-retry`.
#[component]
pub fn LoadError(
    error: ApiError,
    on_retry: Callback<()>,
    #[prop(default = "Something went wrong")] title: &'static str,
    #[prop(default = "load-error")] testid: &'static str,
    #[prop(default = "load-error-retry")] retry_testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="callout callout-danger" role="alert" data-testid=testid>
            <p class="callout-title">{title}</p>
            <p>{error.toast_text()}</p>
            <button type="button" class="btn" data-testid=retry_testid on:click=move |_| on_retry.run(())>"Try again"</button>
        </div>
    }
}

/// A read that can be done again: the resource `read` fills, and the callback that reads again
/// (for [`LoadError`]'s "Try again", or after a write changed what was read).
pub fn reloadable<T, Fut>(read: impl Fn() -> Fut + 'static) -> (LocalResource<T>, Callback<()>)
where
    T: 'static,
    Fut: std::future::Future<Output = T> + 'static,
{
    let generation = RwSignal::new(0u32);
    let resource = LocalResource::new(move || {
        generation.track();
        read()
    });
    (
        resource,
        Callback::new(move |_| generation.update(|n| *n += 1)),
    )
}

/// What a page about one object says when the object is not there (deleted, or never was):
/// `title`, and a link back to the list.
#[component]
pub fn NotThere(
    testid: &'static str,
    #[prop(into)] title: String,
    back_href: &'static str,
    back_label: &'static str,
) -> impl IntoView {
    view! {
        <section class="panel empty-state" data-testid=testid>
            <h2>{title}</h2>
            <p class="muted">"It may have been deleted."</p>
            <a class="btn" href=crate::state::space_path(back_href)>{back_label}</a>
        </section>
    }
}

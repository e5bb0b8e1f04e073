use gatehouse_api::access::{AccessLevel, Requirement};
use leptos::prelude::*;

use crate::state::{expect_session, expect_toasts};

/// Shown instead of an app the user's roles do not open: says so, and why, rather than erroring.
/// With `feature`, a "Why?" explains which of the user's roles were checked for it.
#[component]
pub fn AppForbidden(
    app: &'static str,
    reason: &'static str,
    #[prop(optional)] feature: &'static str,
) -> impl IntoView {
    let toasts = expect_toasts();
    let why = move |_| {
        toasts.explain(Requirement::Feature {
            feature: feature.to_string(),
            level: AccessLevel::Read,
            space: "default".to_string(),
        })
    };
    view! {
        <section class="panel empty-state" data-testid="app-forbidden" role="status">
            <div class="empty-icon" aria-hidden="true">"⊘"</div>
            <h2>{format!("You don't have access to {app}")}</h2>
            <p class="muted">
                {reason}" Ask an administrator to add it to one of your roles."
                {(!feature.is_empty()).then(|| view! {
                    " "<button type="button" class="link-button" data-testid="app-forbidden-why" on:click=why>"Why?"</button>
                })}
            </p>
            <a class="btn" href=crate::state::space_path("/")>"Go to an app you can open"</a>
        </section>
    }
}

/// `children` when the user's roles open the app whose nav link is `nav_link` in this space,
/// [`AppForbidden`] (with `app`, `reason` and `feature`) otherwise.
#[component]
pub fn AppGate(
    nav_link: &'static str,
    app: &'static str,
    reason: &'static str,
    #[prop(optional)] feature: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let session = expect_session();
    let allowed = move || session.capabilities().nav_link(nav_link);
    view! {
        <Show when=allowed fallback=move || view! { <AppForbidden app reason feature /> }>
            {children()}
        </Show>
    }
}

/// An app's page: its title and what it is for, then `children` (the app behind its [`AppGate`]).
#[component]
pub fn AppPage(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="page">
            <header class="page-header">
                <h1>{title}</h1>
                <p class="muted">{subtitle}</p>
            </header>
            {children()}
        </div>
    }
}

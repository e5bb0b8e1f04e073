use leptos::prelude::*;

/// Shown instead of an app the user's roles do not open: says so, and why, rather than erroring.
#[component]
pub fn AppForbidden(app: &'static str, reason: &'static str) -> impl IntoView {
    view! {
        <section class="panel empty-state" data-testid="app-forbidden" role="status">
            <div class="empty-icon" aria-hidden="true">"⊘"</div>
            <h2>{format!("You don't have access to {app}")}</h2>
            <p class="muted">{reason}" Ask an administrator to add it to one of your roles."</p>
            <a class="btn" href="/">"Go to an app you can open"</a>
        </section>
    }
}

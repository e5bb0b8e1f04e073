use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel empty-state not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <a class="btn btn-primary" href=crate::state::space_path("/")>"Go to Gatehouse"</a>
        </section>
    }
}

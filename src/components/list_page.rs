//! The top of a list page: its title, what it is for, its actions, and the search box above the
//! list.

use leptos::prelude::*;

/// The page's title and subtitle, with `children` (its actions: create, manage) at the right.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(into)] subtitle: String,
    children: Children,
) -> impl IntoView {
    view! {
        <header class="page-header page-header-row">
            <div>
                <h1>{title}</h1>
                <p class="muted">{subtitle}</p>
            </div>
            {children()}
        </header>
    }
}

/// A search box that filters the list below: `value` is what it shows, `on_input` gets each
/// change.
#[component]
pub fn SearchInput(
    placeholder: &'static str,
    label: &'static str,
    testid: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
) -> impl IntoView {
    view! {
        <input
            type="search"
            class="search-input"
            placeholder=placeholder
            aria-label=label
            data-testid=testid
            prop:value=move || value.get()
            on:input:target=move |ev| on_input.run(ev.target().value())
        />
    }
}

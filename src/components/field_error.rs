//! A form field's problem, said under the field.

use leptos::prelude::*;

/// `error` under its field while there is one; `id` (for `aria-describedby`) when the field
/// points at it.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<String>>,
    testid: &'static str,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <span class="field-error" id=id role="alert" data-testid=testid>{move || error.get().unwrap_or_default()}</span>
        </Show>
    }
}

/// What stopped the whole form (the server's refusal), above its fields while there is one.
#[component]
pub fn FormError(
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <div class="callout callout-danger" role="alert" data-testid=testid>{move || error.get().unwrap_or_default()}</div>
        </Show>
    }
}

/// A form's errors, checked by `check` once `submitted` is set (the first submit) and none
/// before: a form does not greet its user with errors for fields not yet filled in.
pub fn errors_once_submitted<E>(
    submitted: RwSignal<bool>,
    check: impl Fn() -> E + Send + Sync + 'static,
) -> Memo<E>
where
    E: Default + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| {
        if submitted.get() {
            check()
        } else {
            E::default()
        }
    })
}

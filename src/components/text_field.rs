//! One labelled text input of a form (one line, or several in [`TextAreaField`]): its label, the input, the field's error under it and any
//! hint after that, so each form states only what differs from field to field.

use leptos::prelude::*;

use super::FieldError;

/// A `<label class="field">` around a one-line input. Every optional attribute is left off the
/// input when it is not given; `aria-invalid` is there only while `error` holds one.
#[component]
pub fn TextField(
    label: &'static str,
    value: Signal<String>,
    on_input: Callback<String>,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] name: Option<&'static str>,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] described_by: Option<&'static str>,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    /// Spans the form's two columns.
    #[prop(optional)]
    wide: bool,
    /// The field's error, shown under the input with `error_testid` (and `error_id`).
    #[prop(optional)]
    error: Option<Signal<Option<String>>>,
    #[prop(optional)] error_testid: &'static str,
    #[prop(optional)] error_id: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let invalid = move || {
        error
            .is_some_and(|e| e.with(Option::is_some))
            .then_some("true")
    };
    let error_view = error.map(|error| match error_id {
        Some(id) => view! { <FieldError error testid=error_testid id /> }.into_any(),
        None => view! { <FieldError error testid=error_testid /> }.into_any(),
    });
    view! {
        <label class=if wide { "field field-wide" } else { "field" }>
            <span class="field-label">{label}</span>
            <input
                id=id
                name=name
                type=kind
                class=class
                inputmode=inputmode
                data-testid=testid
                placeholder=placeholder
                autocomplete=autocomplete
                autofocus=autofocus
                required=required
                readonly=readonly
                aria-invalid=invalid
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input:target=move |ev| on_input.run(ev.target().value())
            />
            {error_view}
            {children.map(|children| children())}
        </label>
    }
}

/// A `<label class="field">` around a multi-line input `rows` high.
#[component]
pub fn TextAreaField(
    label: &'static str,
    value: Signal<String>,
    on_input: Callback<String>,
    #[prop(default = 2)] rows: u32,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            <textarea rows=rows prop:value=move || value.get() on:input:target=move |ev| on_input.run(ev.target().value())></textarea>
        </label>
    }
}

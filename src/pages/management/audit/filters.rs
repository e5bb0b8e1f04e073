//! The filter bar: who, whom they viewed as, what, how it ended, on what, where and when. The bar
//! edits a draft; "Apply" puts it in the URL, which is what the table reads, so the filters a
//! table shows are always the ones a link to the page would show.

use gatehouse_api::audit::actions;
use gatehouse_api::audit_page::{action_label, AuditFilters, TimeRange, OUTCOMES};
use leptos::prelude::*;

use crate::components::unique_id;
use crate::format::{instant_of_local_input, local_input_value};

#[component]
pub fn AuditFilterBar(
    /// The filters the URL holds now.
    filters: Memo<AuditFilters>,
    /// Called with the filters to show (from Apply or Clear).
    on_apply: Callback<AuditFilters>,
) -> impl IntoView {
    let draft = RwSignal::new(filters.get_untracked());
    // A link, Back or Clear changes the URL: the bar shows what the table shows.
    Effect::new(move |_| draft.set(filters.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_apply.run(draft.get_untracked().applied());
    };
    let clear = move |_| on_apply.run(AuditFilters::default().on_page(1));
    let range_problem = move || draft.with(AuditFilters::range_problem);
    let custom = move || draft.with(|f| f.range == TimeRange::Custom);
    let action_options = Signal::derive(move || {
        let chosen = draft.with(|f| f.action.clone());
        let mut options = vec![(String::new(), "Any action".to_string())];
        options.extend(actions::ALL.iter().map(|&action| {
            (
                action.to_string(),
                format!("{} ({action})", action_label(action)),
            )
        }));
        // An action the list does not know (from a link) stays choosable rather than lost.
        if !chosen.is_empty() && !actions::ALL.contains(&chosen.as_str()) {
            options.push((chosen.clone(), chosen));
        }
        options
    });
    let outcome_options = Signal::derive(|| {
        std::iter::once((String::new(), "Any outcome".to_string()))
            .chain(OUTCOMES.map(|o| (o.to_string(), outcome_label(o).to_string())))
            .collect::<Vec<_>>()
    });
    let range_options = Signal::derive(|| {
        TimeRange::ALL
            .map(|range| (range.key().to_string(), range.label().to_string()))
            .to_vec()
    });
    view! {
        <form class="audit-filters" data-testid="audit-filters" on:submit=submit aria-label="Filter audit events">
            <TextFilter label="User" testid="audit-filter-user" draft field=|f| &mut f.user read=|f| f.user.clone() />
            <TextFilter label="Viewed as" testid="audit-filter-effective-user" draft field=|f| &mut f.effective_user read=|f| f.effective_user.clone() />
            <SelectFilter label="Action" testid="audit-filter-action" value=Signal::derive(move || draft.with(|f| f.action.clone())) options=action_options on_change=Callback::new(move |value: String| draft.update(|f| f.action = value)) />
            <SelectFilter label="Outcome" testid="audit-filter-outcome" value=Signal::derive(move || draft.with(|f| f.outcome.clone())) options=outcome_options on_change=Callback::new(move |value: String| draft.update(|f| f.outcome = value)) />
            <TextFilter label="Object type" testid="audit-filter-object-type" draft field=|f| &mut f.object_type read=|f| f.object_type.clone() />
            <TextFilter label="Object id" testid="audit-filter-object-id" draft field=|f| &mut f.object_id read=|f| f.object_id.clone() />
            <TextFilter label="Space" testid="audit-filter-space" draft field=|f| &mut f.space read=|f| f.space.clone() />
            <SelectFilter label="Time" testid="audit-filter-range" value=Signal::derive(move || draft.with(|f| f.range.key().to_string())) options=range_options on_change=Callback::new(move |value: String| draft.update(|f| f.range = TimeRange::from_key(&value))) />
            <Show when=custom>
                <InstantFilter label="From" testid="audit-filter-from" draft field=|f| &mut f.from read=|f| f.from.clone() />
                <InstantFilter label="To" testid="audit-filter-to" draft field=|f| &mut f.to read=|f| f.to.clone() />
            </Show>
            <div class="audit-filter-actions">
                <button type="submit" class="btn btn-primary" data-testid="audit-apply">"Apply"</button>
                <button type="button" class="btn btn-ghost" data-testid="audit-clear" on:click=clear>"Clear filters"</button>
            </div>
            {move || range_problem().map(|problem| view! { <p class="field-error" role="alert" data-testid="audit-range-problem">{problem}</p> })}
        </form>
    }
}

/// "Success" / "Failure": the words of an outcome, for the filter and the badge.
pub fn outcome_label(outcome: &str) -> &str {
    match outcome {
        "success" => "Success",
        "failure" => "Failure",
        other => other,
    }
}

/// A labelled text box editing one text field of the draft.
#[component]
fn TextFilter(
    label: &'static str,
    testid: &'static str,
    draft: RwSignal<AuditFilters>,
    field: fn(&mut AuditFilters) -> &mut String,
    read: fn(&AuditFilters) -> String,
) -> impl IntoView {
    let id = unique_id("audit-filter");
    view! {
        <div class="audit-filter">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type="text"
                class="search-input"
                data-testid=testid
                maxlength=gatehouse_api::audit::MAX_VALUE_BYTES.to_string()
                prop:value=move || draft.with(read)
                on:input:target=move |ev| {
                    let value = ev.target().value();
                    draft.update(|f| *field(f) = value);
                }
            />
        </div>
    }
}

/// A labelled `datetime-local` editing one bound of the custom range: the box shows local time,
/// the draft keeps the instant.
#[component]
fn InstantFilter(
    label: &'static str,
    testid: &'static str,
    draft: RwSignal<AuditFilters>,
    field: fn(&mut AuditFilters) -> &mut String,
    read: fn(&AuditFilters) -> String,
) -> impl IntoView {
    let id = unique_id("audit-filter");
    view! {
        <div class="audit-filter">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type="datetime-local"
                class="search-input"
                data-testid=testid
                prop:value=move || local_input_value(&draft.with(read))
                on:change:target=move |ev| {
                    let instant = instant_of_local_input(&ev.target().value()).unwrap_or_default();
                    draft.update(|f| *field(f) = instant);
                }
            />
        </div>
    }
}

/// A labelled select of `options` (value, words), `value` chosen.
#[component]
fn SelectFilter(
    label: &'static str,
    testid: &'static str,
    value: Signal<String>,
    options: Signal<Vec<(String, String)>>,
    on_change: Callback<String>,
) -> impl IntoView {
    let id = unique_id("audit-filter");
    // `selected` on the options rather than the select's value: the value would be set before
    // the options exist.
    let rendered = move || {
        let chosen = value.get();
        options
            .get()
            .into_iter()
            .map(|(option, words)| {
                let selected = option == chosen;
                view! { <option value=option selected=selected>{words}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="audit-filter">
            <label for=id.clone()>{label}</label>
            <select id=id data-testid=testid on:change:target=move |ev| on_change.run(ev.target().value())>
                {rendered}
            </select>
        </div>
    }
}

//! One panel in the dashboard editor: its title and kind, the data it counts (source, group-by or
//! interval, filters) chosen from the shared field catalogue (`gatehouse_api::panels`), the
//! shared rule's verdict on it, and a live preview of its answer.

use gatehouse_api::dashboards::Panel;
use gatehouse_api::panels::{
    catalogue, validate_panel, FieldValues, FilterRange, FilterScalar, FilterValue, PanelField,
    PanelMetric, PanelQuery, PanelSource, TimeInterval, CATALOGUE,
};
use leptos::prelude::*;

use super::panels::{PanelData, PanelKind};

/// The kinds the editor offers (any other type a dashboard holds is kept as it is).
pub(super) const PANEL_TYPES: [(&str, &str); 5] = [
    ("metric", "Metric"),
    ("line", "Line chart"),
    ("bar", "Bar chart"),
    ("table", "Table"),
    ("markdown", "Text"),
];

const INTERVALS: [(TimeInterval, &str); 3] = [
    (TimeInterval::Hour, "Per hour"),
    (TimeInterval::Day, "Per day"),
    (TimeInterval::Week, "Per week"),
];

fn edit(panels: RwSignal<Vec<Panel>>, index: usize, change: impl FnOnce(&mut Panel)) {
    panels.update(|p| {
        if let Some(panel) = p.get_mut(index) {
            change(panel);
        }
    });
}

fn edit_query(panels: RwSignal<Vec<Panel>>, index: usize, change: impl FnOnce(&mut PanelQuery)) {
    edit(panels, index, |panel| {
        if let Some(query) = panel.query.as_mut() {
            change(query);
        }
    });
}

/// A query over `source` that `panel_type` can draw: grouped for bars and tables, over time for
/// lines, a plain count for metrics.
fn query_for(panel_type: &str, source: PanelSource, filter: Option<&PanelQuery>) -> PanelQuery {
    let entry = catalogue(source);
    let mut query = PanelQuery {
        source,
        metric: PanelMetric::Count,
        filter: filter.map(|q| q.filter.clone()).unwrap_or_default(),
        group_by: None,
        interval: None,
        size: None,
    };
    match panel_type {
        "bar" | "table" => {
            query.group_by = filter
                .and_then(|q| q.group_by.clone())
                .or_else(|| entry.group_fields().next().map(|f| f.name.to_string()));
        }
        "line" => {
            query.interval = entry
                .time_field
                .map(|_| filter.and_then(|q| q.interval).unwrap_or(TimeInterval::Day));
        }
        _ => {}
    }
    query
}

/// The first problem the shared rule finds in the editor's panels, as "Panel N: …".
pub(super) fn first_problem(panels: &[Panel]) -> Option<String> {
    panels.iter().enumerate().find_map(|(i, panel)| {
        validate_panel(&panel.panel_type, panel.query.as_ref())
            .err()
            .map(|message| format!("Panel {}: {message}", i + 1))
    })
}

#[component]
pub(super) fn PanelForm(index: usize, panels: RwSignal<Vec<Panel>>) -> impl IntoView {
    let panel = Memo::new(move |_| panels.with(|p| p.get(index).cloned()));
    let panel_type = Memo::new(move |_| {
        panel.with(|p| p.as_ref().map(|p| p.panel_type.clone()).unwrap_or_default())
    });
    let kind = Memo::new(move |_| PanelKind::of(&panel_type.get()));
    let query = Memo::new(move |_| panel.with(|p| p.as_ref().and_then(|p| p.query.clone())));
    let source = Memo::new(move |_| query.with(|q| q.as_ref().map(|q| q.source)));
    let problem = Memo::new(move |_| {
        panel.with(|p| {
            p.as_ref()
                .and_then(|p| validate_panel(&p.panel_type, p.query.as_ref()).err())
        })
    });
    let n = index + 1;

    let set_type = move |value: String| {
        edit(panels, index, |panel| {
            let reads_data = PanelKind::of(&value).reads_data();
            panel.query = match (&panel.query, reads_data) {
                (Some(old), true) => Some(query_for(&value, old.source, Some(old))),
                _ => None,
            };
            panel.panel_type = value;
        })
    };
    let set_source = move |value: String| {
        let chosen = PanelSource::ALL.into_iter().find(|s| s.name() == value);
        edit(panels, index, |panel| {
            panel.query = chosen.map(|source| query_for(&panel.panel_type, source, None));
        })
    };
    // The type a dashboard holds that the editor does not offer (Kibana's `lens`, …) stays an
    // option, so opening the editor changes nothing by itself.
    let other_type = move || {
        let current = panel_type.get();
        (!PANEL_TYPES.iter().any(|(v, _)| *v == current)).then(|| {
            let label = format!("{current} (drawn by Kibana)");
            view! { <option value=current.clone() prop:selected=true>{label}</option> }
        })
    };

    view! {
        <div class="panel-form" data-testid="panel-form">
            <div class="panel-editor-row">
                <input type="text" aria-label=format!("Panel {n} title")
                    prop:value=move || panel.with(|p| p.as_ref().map(|p| p.title.clone()).unwrap_or_default())
                    on:input:target=move |ev| edit(panels, index, |panel| panel.title = ev.target().value()) />
                <select aria-label=format!("Panel {n} type") on:change:target=move |ev| set_type(ev.target().value())>
                    {PANEL_TYPES.iter().map(|(value, label)| view! {
                        <option value=*value prop:selected=move || panel_type.get() == *value>{*label}</option>
                    }).collect_view()}
                    {other_type}
                </select>
                <button type="button" class="btn btn-small btn-ghost-danger" aria-label=format!("Remove panel {n}")
                    on:click=move |_| panels.update(|p| { if index < p.len() { p.remove(index); } })>"Remove"</button>
            </div>
            <Show when=move || kind.get() == PanelKind::Markdown>
                <textarea rows="2" aria-label=format!("Panel {n} text")
                    prop:value=move || panel.with(|p| p.as_ref().and_then(|p| p.description.clone()).unwrap_or_default())
                    on:input:target=move |ev| edit(panels, index, |panel| panel.description = Some(ev.target().value()))></textarea>
            </Show>
            <Show when=move || kind.get().reads_data()>
                <div class="panel-form-data">
                    <label class="inline-field">
                        <span>"Data"</span>
                        <select aria-label=format!("Panel {n} source") data-testid="panel-source" on:change:target=move |ev| set_source(ev.target().value())>
                            <option value="" prop:selected=move || source.get().is_none()>"Not chosen"</option>
                            {CATALOGUE.iter().map(|entry| {
                                let this = entry.source;
                                view! { <option value=this.name() prop:selected=move || source.get() == Some(this)>{entry.label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {move || source.get().map(|source| view! { <Shape index panels source kind /> })}
                </div>
                {move || source.get().map(|source| view! { <Filters index panels source query /> })}
            </Show>
            {move || problem.get().map(|message| view! {
                <p class="field-error" role="alert" data-testid="panel-form-error">{message}</p>
            })}
            <Preview kind query problem />
        </div>
    }
}

/// Group-by (bar, table) or interval (line) of the panel's query.
#[component]
fn Shape(
    index: usize,
    panels: RwSignal<Vec<Panel>>,
    source: PanelSource,
    kind: Memo<PanelKind>,
) -> impl IntoView {
    let n = index + 1;
    let entry = catalogue(source);
    let current = Memo::new(move |_| {
        panels.with(|p| {
            p.get(index)
                .and_then(|p| p.query.as_ref())
                .map(|q| (q.group_by.clone(), q.interval))
        })
    });
    move || {
        match kind.get() {
        PanelKind::Bar | PanelKind::Table => view! {
            <label class="inline-field">
                <span>"Group by"</span>
                <select aria-label=format!("Panel {n} group by") on:change:target=move |ev| {
                    let value = ev.target().value();
                    edit_query(panels, index, |q| q.group_by = Some(value));
                }>
                    {entry.group_fields().map(|field| {
                        let name = field.name;
                        view! { <option value=name prop:selected=move || current.with(|c| c.as_ref().and_then(|c| c.0.as_deref()) == Some(name))>{field.label}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        PanelKind::Line if entry.time_field.is_some() => view! {
            <label class="inline-field">
                <span>"Over time"</span>
                <select aria-label=format!("Panel {n} interval") on:change:target=move |ev| {
                    let value = ev.target().value();
                    let chosen = INTERVALS.iter().find(|(i, _)| i.name() == value).map(|(i, _)| *i);
                    edit_query(panels, index, |q| q.interval = chosen);
                }>
                    {INTERVALS.iter().map(|(interval, label)| {
                        let interval = *interval;
                        view! { <option value=interval.name() prop:selected=move || current.with(|c| c.as_ref().and_then(|c| c.1) == Some(interval))>{*label}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        PanelKind::Line => view! {
            <span class="muted small">{format!("{} carry no time: choose another source for a line chart.", entry.label)}</span>
        }
        .into_any(),
        _ => ().into_any(),
    }
    }
}

/// One control per filterable field of the source; an empty control sets no condition.
#[component]
fn Filters(
    index: usize,
    panels: RwSignal<Vec<Panel>>,
    source: PanelSource,
    query: Memo<Option<PanelQuery>>,
) -> impl IntoView {
    let fields: Vec<&'static PanelField> = catalogue(source).filter_fields().collect();
    if fields.is_empty() {
        return ().into_any();
    }
    view! {
        <details class="panel-form-filters" open=move || query.with(|q| q.as_ref().is_some_and(|q| !q.filter.is_empty()))>
            <summary>"Filters"</summary>
            <div class="panel-form-filter-grid">
                {fields.into_iter().map(|field| view! { <FilterControl index panels field query /> }).collect_view()}
            </div>
        </details>
    }
    .into_any()
}

#[component]
fn FilterControl(
    index: usize,
    panels: RwSignal<Vec<Panel>>,
    field: &'static PanelField,
    query: Memo<Option<PanelQuery>>,
) -> impl IntoView {
    let n = index + 1;
    let name = field.name;
    let current =
        Memo::new(move |_| query.with(|q| q.as_ref().and_then(|q| q.filter.get(name).cloned())));
    let set = move |value: Option<FilterValue>| {
        edit_query(panels, index, |q| match value {
            Some(value) => {
                q.filter.insert(name.to_string(), value);
            }
            None => {
                q.filter.remove(name);
            }
        })
    };
    let label = format!("Panel {n} filter {}", field.label);
    let control = match field.values {
        FieldValues::OneOf(values) => {
            let is = move |v: &str| {
                current.with(|c| matches!(c, Some(FilterValue::Is(FilterScalar::Text(t))) if t == v))
            };
            view! {
                <select aria-label=label on:change:target=move |ev| {
                    let value = ev.target().value();
                    set((!value.is_empty()).then_some(FilterValue::Is(FilterScalar::Text(value))));
                }>
                    <option value="" prop:selected=move || current.with(Option::is_none)>"Any"</option>
                    {values.iter().map(|v| view! { <option value=*v prop:selected=move || is(v)>{*v}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        FieldValues::Bool => view! {
            <select aria-label=label on:change:target=move |ev| {
                let value = ev.target().value();
                set(match value.as_str() { "true" => Some(FilterValue::Is(FilterScalar::Bool(true))), "false" => Some(FilterValue::Is(FilterScalar::Bool(false))), _ => None });
            }>
                <option value="" prop:selected=move || current.with(Option::is_none)>"Any"</option>
                <option value="true" prop:selected=move || current.get() == Some(FilterValue::Is(FilterScalar::Bool(true)))>"Yes"</option>
                <option value="false" prop:selected=move || current.get() == Some(FilterValue::Is(FilterScalar::Bool(false)))>"No"</option>
            </select>
        }
        .into_any(),
        FieldValues::Text => view! {
            <input type="text" aria-label=label placeholder="Any"
                prop:value=move || current.with(|c| match c { Some(FilterValue::Is(FilterScalar::Text(t))) => t.clone(), _ => String::new() })
                on:change:target=move |ev| {
                    let value = ev.target().value().trim().to_string();
                    set((!value.is_empty()).then_some(FilterValue::Is(FilterScalar::Text(value))));
                } />
        }
        .into_any(),
        FieldValues::Number { min, max } => {
            let bound = move |upper: bool| {
                current.with(|c| match c {
                    Some(FilterValue::Range(r)) => if upper { r.lte } else { r.gte },
                    Some(FilterValue::Is(FilterScalar::Number(v))) => Some(*v),
                    _ => None,
                })
                .map(|v| v.to_string())
                .unwrap_or_default()
            };
            let set_bound = move |upper: bool, text: String| {
                let value = text.trim().parse::<i64>().ok();
                let mut range = current.with_untracked(|c| match c {
                    Some(FilterValue::Range(r)) => r.clone(),
                    Some(FilterValue::Is(FilterScalar::Number(v))) => FilterRange { gte: Some(*v), lte: Some(*v) },
                    _ => FilterRange::default(),
                });
                if upper { range.lte = value } else { range.gte = value }
                set((range.gte.is_some() || range.lte.is_some()).then_some(FilterValue::Range(range)));
            };
            view! {
                <span class="panel-form-range">
                    <input type="number" min=min max=max aria-label=format!("{label} at least") placeholder="from"
                        prop:value=move || bound(false) on:change:target=move |ev| set_bound(false, ev.target().value()) />
                    <span aria-hidden="true">"–"</span>
                    <input type="number" min=min max=max aria-label=format!("{label} at most") placeholder="to"
                        prop:value=move || bound(true) on:change:target=move |ev| set_bound(true, ev.target().value()) />
                </span>
            }
            .into_any()
        }
    };
    view! {
        <label class="inline-field">
            <span>{field.label}</span>
            {control}
        </label>
    }
}

/// The panel's answer as it would be drawn, once its query passes the shared rule.
#[component]
fn Preview(
    kind: Memo<PanelKind>,
    query: Memo<Option<PanelQuery>>,
    problem: Memo<Option<String>>,
) -> impl IntoView {
    let valid = Memo::new(move |_| {
        if problem.with(Option::is_some) {
            None
        } else {
            query.get()
        }
    });
    // The last valid query: the preview keeps asking it while a change is half made.
    let shown = Memo::new(move |last: Option<&Option<PanelQuery>>| {
        valid.get().or_else(|| last.cloned().flatten())
    });
    let ready = Memo::new(move |_| kind.get().reads_data() && valid.with(Option::is_some));
    move || {
        let kind = kind.get();
        ready.get().then(|| {
            let query = Signal::derive(move || {
                shown
                    .get()
                    .unwrap_or_else(|| query_for("metric", PanelSource::Leads, None))
            });
            view! {
                <div class="panel-preview" data-testid="panel-preview" aria-label="Preview">
                    <p class="muted small">"Preview"</p>
                    <PanelData query kind />
                </div>
            }
        })
    }
}

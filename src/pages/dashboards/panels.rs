//! A dashboard's panels, drawn from their data answers alone (docs/panels.md). Every number a
//! panel shows is a [`PanelAnswer`]'s: while the answer is on its way the panel is a skeleton,
//! when it cannot come (refused, failed) the panel says why, and a panel Gatehouse does not draw
//! (Kibana's `lens`, `visualization`, `map`, …) shows its title and type, never a chart.

use gatehouse_api::access::Requirement;
use gatehouse_api::dashboards::Panel;
use gatehouse_api::panels::{
    catalogue, describe, group_field, leads_list_link, PanelAnswer, PanelBucket, PanelQuery,
    PanelSource, TimeInterval,
};
use gatehouse_api::ApiError;
use leptos::prelude::*;

use crate::api::expect_api;
use crate::components::unique_id;
use crate::routes::ENTITY_ANALYTICS_PATH;
use crate::state::space::{current_prefix, current_space};
use crate::state::{expect_toasts, space_path};

/// Where a real Kibana serves its own pages, when this build of the SPA was made to run against
/// one (README, "Using a real Kibana instead"): `GATEHOUSE_KIBANA_URL=https://kibana.example:5601`
/// at build time. Against Gatehouse's own server it is unset, and panels only Kibana draws say
/// they cannot be drawn here instead of linking anywhere.
const KIBANA_URL: Option<&str> = option_env!("GATEHOUSE_KIBANA_URL");

/// How a panel is shown, from its `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    Metric,
    Bar,
    Line,
    Table,
    Markdown,
    /// Any other type: only Kibana draws it.
    Undrawn,
}

impl PanelKind {
    pub fn of(panel_type: &str) -> Self {
        match panel_type {
            "metric" => PanelKind::Metric,
            "bar" => PanelKind::Bar,
            "line" => PanelKind::Line,
            "table" => PanelKind::Table,
            "markdown" => PanelKind::Markdown,
            _ => PanelKind::Undrawn,
        }
    }

    /// Kinds whose content is a data answer.
    pub fn reads_data(self) -> bool {
        matches!(
            self,
            PanelKind::Metric | PanelKind::Bar | PanelKind::Line | PanelKind::Table
        )
    }
}

/// What a source's rows are called ("No leads match", "leads").
pub fn source_noun(source: PanelSource) -> &'static str {
    catalogue(source).counted
}

/// The leads list showing the leads a leads panel counts, as far as the list can filter (its
/// URL's `status`, `sortField` and `sortOrder`, read by the leads page); `(href, the conditions
/// it does not apply)`.
fn leads_list(query: &PanelQuery) -> Option<(String, Vec<&'static str>)> {
    let link = leads_list_link(query)?;
    let href = format!(
        "{}?{}",
        space_path(ENTITY_ANALYTICS_PATH),
        link.query_string()
    );
    Some((href, link.not_applied))
}

/// Kibana's own page of this dashboard, when the app runs against a Kibana (see [`KIBANA_URL`]).
fn kibana_dashboard_href(dashboard_id: &str) -> Option<String> {
    KIBANA_URL.map(|base| {
        format!(
            "{}{}/app/dashboards#/view/{}",
            base.trim_end_matches('/'),
            current_prefix(),
            String::from(js_sys::encode_uri_component(dashboard_id))
        )
    })
}

/// One panel of a dashboard, as its kind and its data say.
#[component]
pub fn PanelCard(
    panel: Panel,
    dashboard_id: String,
    /// The viewer may edit the dashboard: a panel with no data chosen says how to choose.
    #[prop(into)]
    may_edit: Signal<bool>,
) -> impl IntoView {
    let kind = PanelKind::of(&panel.panel_type);
    let title = if panel.title.trim().is_empty() {
        "Untitled panel".to_string()
    } else {
        panel.title.clone()
    };
    let description = panel
        .description
        .clone()
        .filter(|d| !d.trim().is_empty() && kind != PanelKind::Markdown);
    let body = match (kind, panel.query.clone()) {
        (PanelKind::Markdown, _) => view! {
            <p class="panel-text" data-testid="panel-text">{panel.description.clone().unwrap_or_default()}</p>
        }
        .into_any(),
        (PanelKind::Undrawn, _) => view! { <UndrawnPanel panel_type=panel.panel_type.clone() dashboard_id /> }.into_any(),
        (_, None) => view! {
            <div class="panel-state" data-testid="panel-no-data">
                <p class="panel-state-title">"No data chosen yet"</p>
                <Show when=move || may_edit.get()>
                    <p class="muted small">"Edit the dashboard and choose a source for this panel."</p>
                </Show>
            </div>
        }
        .into_any(),
        (kind, Some(query)) => view! { <QueriedPanel query kind /> }.into_any(),
    };
    view! {
        <li class="panel dashboard-panel" data-testid="dashboard-panel" data-panel-type=panel.panel_type.clone()>
            <h2>{title}</h2>
            {body}
            {description.map(|d| view! { <p class="muted small">{d}</p> })}
        </li>
    }
}

/// A panel of a type only Kibana draws: its type and where to open it, never a chart.
#[component]
fn UndrawnPanel(panel_type: String, dashboard_id: String) -> impl IntoView {
    let shown_type = if panel_type.trim().is_empty() {
        "unknown".to_string()
    } else {
        panel_type
    };
    let href = kibana_dashboard_href(&dashboard_id);
    view! {
        <div class="panel-state panel-undrawn" data-testid="panel-undrawn">
            <p><span class="badge">{shown_type}</span></p>
            {match href {
                Some(href) => view! {
                    <p>"Drawn by Kibana — "<a href=href target="_blank" rel="noopener noreferrer" data-testid="panel-kibana-link">"open it there"</a></p>
                }.into_any(),
                None => view! {
                    <p>"Drawn by Kibana"</p>
                    <p class="muted small">"Gatehouse cannot draw this kind of panel here: open the dashboard in Kibana to see it."</p>
                }.into_any(),
            }}
        </div>
    }
}

/// A panel with a query: its answer drawn as `kind`, the query on demand, and for leads the
/// leads list filtered the same way.
#[component]
fn QueriedPanel(query: PanelQuery, kind: PanelKind) -> impl IntoView {
    let shown = RwSignal::new(false);
    let details_id = unique_id("panel-query");
    let words = describe(&query);
    let json = serde_json::to_string_pretty(&query).unwrap_or_default();
    let leads_link = leads_list(&query);
    let answer_query = Signal::stored(query);
    // A viewer refused the data is not sent on to a list that refuses them too.
    let refused = RwSignal::new(false);
    let leads_link = move || leads_link.clone().filter(|_| !refused.get());
    view! {
        <PanelData query=answer_query kind refused />
        <div class="panel-footer">
            <button type="button" class="link-button small" data-testid="panel-show-query"
                aria-expanded=move || shown.get().to_string() aria-controls=details_id.clone()
                on:click=move |_| shown.update(|s| *s = !*s)>
                {move || if shown.get() { "Hide the query" } else { "Show the query" }}
            </button>
            {move || leads_link().map(|(href, not_applied)| view! {
                <a class="small" href=href data-testid="panel-leads-link">"Open these leads"</a>
                {(!not_applied.is_empty()).then(|| view! {
                    <span class="muted small" data-testid="panel-leads-link-note">
                        {format!("(the list filters by status only, not by {})", not_applied.join(", ").to_lowercase())}
                    </span>
                })}
            })}
        </div>
        <div id=details_id class="panel-query" data-testid="panel-query" hidden=move || !shown.get()>
            <p>{words}</p>
            <pre class="code-block">{json}</pre>
        </div>
    }
}

/// The answer to `query`, drawn as `kind`: a skeleton until it is in, then the numbers, an empty
/// state, the refusal (with "Why?") or the error. Also the editor's preview.
#[component]
pub fn PanelData(
    #[prop(into)] query: Signal<PanelQuery>,
    kind: PanelKind,
    /// Set while the server refuses the viewer this data.
    #[prop(optional)]
    refused: Option<RwSignal<bool>>,
) -> impl IntoView {
    let api = expect_api();
    let attempt = RwSignal::new(0u32);
    let answer = LocalResource::new(move || {
        attempt.track();
        let query = query.get();
        async move { (api.panel_query(&query).await, query) }
    });
    let retry = Callback::new(move |_| attempt.update(|n| *n += 1));
    view! {
        <Suspense fallback=|| view! { <PanelSkeleton /> }>
            {move || Suspend::new(async move {
                let (result, query) = answer.await;
                if let Some(refused) = refused {
                    refused.try_set(matches!(&result, Err(error) if error.status == 403));
                }
                match result {
                    Ok(answer) if answer.total == 0 && answer.buckets.is_empty() => view! {
                        <div class="panel-state" data-testid="panel-empty">
                            <p class="panel-state-title">{format!("No {} match", source_noun(query.source))}</p>
                        </div>
                    }.into_any(),
                    Ok(answer) => draw(kind, &query, answer),
                    Err(error) if error.status == 403 => view! { <PanelClosed error /> }.into_any(),
                    // The space turns off the app the data belongs to: its routes answer 404 too
                    // (docs/panels.md).
                    Err(error) if error.status == 404 => view! {
                        <div class="panel-state" data-testid="panel-unavailable">
                            <p class="panel-state-title">"Not available in this space"</p>
                            <p class="small">"This space turns off the app this panel's data comes from."</p>
                        </div>
                    }.into_any(),
                    Err(error) => view! {
                        <div class="panel-state panel-error" role="alert" data-testid="panel-error">
                            <p class="panel-state-title">"This panel could not be loaded"</p>
                            <p class="small">{error.message.clone()}</p>
                            <button type="button" class="btn btn-small" data-testid="panel-retry" on:click=move |_| retry.run(())>"Try again"</button>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Loading: grey bars, no digits.
#[component]
fn PanelSkeleton() -> impl IntoView {
    view! {
        <div class="panel-skeleton skeleton" data-testid="panel-loading" aria-busy="true">
            <span></span><span></span><span></span>
            <span class="sr-only">"Loading the panel's data"</span>
        </div>
    }
}

/// The viewer may not read this panel's data: what is missing, from the server's refusal, and
/// "Why?" with the roles that would grant it.
#[component]
fn PanelClosed(error: ApiError) -> impl IntoView {
    let toasts = expect_toasts();
    let requirement = Requirement::from_denial_message(&error.message, &current_space());
    let needed = requirement
        .as_ref()
        .map(Requirement::describe)
        .unwrap_or_else(|| error.message.clone());
    view! {
        <div class="panel-state panel-closed" data-testid="panel-closed">
            <p class="panel-state-title">"Closed to you"</p>
            <p class="small" data-testid="panel-closed-reason">"Needed: "{needed}</p>
            {requirement.map(|requirement| {
                let requirement = StoredValue::new(requirement);
                view! {
                    <button type="button" class="btn btn-small" data-testid="panel-why"
                        on:click=move |_| toasts.explain(requirement.get_value())>"Why?"</button>
                }
            })}
        </div>
    }
}

fn draw(kind: PanelKind, query: &PanelQuery, answer: PanelAnswer) -> AnyView {
    let noun = source_noun(query.source);
    let field = group_field(query)
        .map(|f| f.label.to_string())
        .or_else(|| query.group_by.clone())
        .unwrap_or_else(|| "Value".to_string());
    match kind {
        PanelKind::Bar if !answer.buckets.is_empty() => bars(&field, answer),
        PanelKind::Line if !answer.buckets.is_empty() => line(query.interval, answer),
        PanelKind::Table if !answer.buckets.is_empty() => table(&field, answer),
        // A metric, or a chart whose query asks for no buckets: the total is what there is.
        _ => view! {
            <div class="panel-metric-block">
                <p class="panel-metric" data-testid="panel-metric">{answer.total.to_string()}</p>
                <p class="muted small">{noun}</p>
            </div>
        }
        .into_any(),
    }
}

/// The largest bucket's count, at least 1: what bars and lines are scaled to.
fn largest_count(answer: &PanelAnswer) -> u64 {
    answer
        .buckets
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(0)
        .max(1)
}

fn bucket_name(bucket: &PanelBucket) -> String {
    bucket.label.clone().unwrap_or_else(|| bucket.key.clone())
}

fn bars(field: &str, answer: PanelAnswer) -> AnyView {
    let max = largest_count(&answer);
    let other = answer.other;
    view! {
        <p class="muted small panel-caption" aria-hidden="true">{format!("Count per {}", field.to_lowercase())}</p>
        <ul class="panel-bars" data-testid="panel-bars" aria-label=format!("Count per {field}")>
            {answer.buckets.into_iter().map(|bucket| {
                let width = format!("width:{}%", (bucket.count * 100 / max).max(1));
                view! {
                    <li>
                        <span class="panel-bar-label" title=bucket_name(&bucket)>{bucket_name(&bucket)}</span>
                        <span class="panel-bar-track" aria-hidden="true"><span class="panel-bar-fill" style=width></span></span>
                        <span class="panel-bar-value">{bucket.count.to_string()}</span>
                    </li>
                }
            }).collect_view()}
            {(other > 0).then(|| view! {
                <li class="muted"><span class="panel-bar-label">"Other"</span><span class="panel-bar-track"></span><span class="panel-bar-value">{other.to_string()}</span></li>
            })}
        </ul>
    }
    .into_any()
}

/// A time bucket's key, short: the day (`2026-12-01`), or day and hour for hourly buckets.
fn time_label(key: &str, interval: Option<TimeInterval>) -> String {
    match interval {
        Some(TimeInterval::Hour) => key
            .get(5..16)
            .map(|s| s.replace('T', " "))
            .unwrap_or_else(|| key.to_string()),
        _ => key.get(..10).unwrap_or(key).to_string(),
    }
}

fn line(interval: Option<TimeInterval>, answer: PanelAnswer) -> AnyView {
    const WIDTH: u64 = 300;
    const HEIGHT: u64 = 100;
    let max = largest_count(&answer);
    let last = answer.buckets.len().saturating_sub(1).max(1) as u64;
    let points = answer
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let x = i as u64 * WIDTH / last;
            let y = HEIGHT - b.count * (HEIGHT - 4) / max - 2;
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let first_label = answer
        .buckets
        .first()
        .map(|b| time_label(&b.key, interval))
        .unwrap_or_default();
    let last_label = answer
        .buckets
        .last()
        .map(|b| time_label(&b.key, interval))
        .unwrap_or_default();
    let peak = answer.buckets.iter().map(|b| b.count).max().unwrap_or(0);
    // One bucket is one point, which a line cannot show: a single column, one label.
    let single = answer.buckets.len() == 1;
    let column_top = HEIGHT - peak * (HEIGHT - 4) / max - 2;
    view! {
        <figure class="panel-line" data-testid="panel-line">
            <p class="panel-line-peak muted small" aria-hidden="true">{format!("peak {peak}")}</p>
            <svg class="panel-chart" viewBox="0 0 300 100" preserveAspectRatio="none" aria-hidden="true">
                {if single {
                    view! { <line x1="150" x2="150" y1="100" y2=column_top.to_string() stroke="currentColor" stroke-width="14" /> }.into_any()
                } else {
                    view! { <polyline points=points fill="none" stroke="currentColor" stroke-width="2.5" vector-effect="non-scaling-stroke" /> }.into_any()
                }}
            </svg>
            <figcaption class="panel-line-axis muted small" aria-hidden="true">
                {if single {
                    view! { <span class="panel-line-only">{first_label}</span> }.into_any()
                } else {
                    view! { <span>{first_label}</span><span>{last_label}</span> }.into_any()
                }}
            </figcaption>
            <table class="sr-only">
                <caption>"Count per time bucket"</caption>
                <tbody>
                    {answer.buckets.iter().map(|b| view! {
                        <tr><th scope="row">{time_label(&b.key, interval)}</th><td>{b.count.to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
    .into_any()
}

fn table(field: &str, answer: PanelAnswer) -> AnyView {
    let other = answer.other;
    view! {
        <table class="panel-table" data-testid="panel-table">
            <thead><tr><th scope="col">{field.to_string()}</th><th scope="col">"Count"</th></tr></thead>
            <tbody>
                {answer.buckets.into_iter().map(|bucket| view! {
                    <tr><td>{bucket_name(&bucket)}</td><td>{bucket.count.to_string()}</td></tr>
                }).collect_view()}
                {(other > 0).then(|| view! { <tr class="muted"><td>"Other"</td><td>{other.to_string()}</td></tr> })}
            </tbody>
        </table>
    }
    .into_any()
}

//! One event: its row (time, who, what, how it ended, where, on what, why) and, behind the row's
//! disclosure button, the whole event as JSON with a Copy button. Every value is the server's and
//! is drawn as text.

use gatehouse_api::audit::AuditEvent;
use gatehouse_api::audit_page::{action_label, texts, AuditLink, AuditRow};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{outcome_label, AUDIT_COLUMNS};
use crate::components::{copy_text, unique_id};
use crate::format::local_time;
use crate::routes::{dashboard_href, role_edit_href, space_edit_path, user_edit_href};
use crate::state::space::{current_space, path_in_space};
use crate::state::space_path;

/// The event's rows: one `<tbody>`, so the row and its details stay together.
#[component]
pub fn AuditEventRows(event: AuditEvent) -> impl IntoView {
    let row = AuditRow::of(&event);
    let json = serde_json::to_string_pretty(&event).unwrap_or_default();
    let expanded = RwSignal::new(false);
    let detail_id = unique_id("audit-event");
    let summary = row.summary();
    let time = local_time(&row.timestamp);
    let effective = row.effective_user.clone().map(|name| {
        view! { " "<span class="muted">"as "</span><a href=space_path(&user_edit_href(&name)) data-testid="audit-effective-user">{name.clone()}</a> }
    });
    let user = match row.user_link() {
        Some(link) => link_view(link, row.user.clone(), "audit-user"),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let object = match row.object_link() {
        Some(link) => link_view(link, row.object_text(), "audit-object"),
        None => view! { <span data-testid="audit-object">{row.object_text()}</span> }.into_any(),
    };
    let failure = row.is_failure();
    // The visible word starts the name (WCAG 2.5.3); the summary says which event.
    let toggle_label = format!("Details: {summary}");
    view! {
        <tbody class="audit-event" data-testid="audit-event" data-action=row.action.clone() data-outcome=row.outcome.clone() data-user=row.user.clone()>
            <tr data-testid="audit-row" class:audit-row-failure=failure>
                <td class="audit-time"><time datetime=row.timestamp.clone() title=row.timestamp.clone() data-testid="audit-time">{time}</time></td>
                <td class="audit-user">{user}{effective}</td>
                <td><span class="audit-action" title=row.action.clone() data-testid="audit-action">{action_label(&row.action).to_string()}</span></td>
                <td>{outcome_badge(&row.outcome)}</td>
                <td data-testid="audit-space">{row.space.clone()}</td>
                <td>{object}</td>
                <td class="audit-message">
                    <span class="audit-summary" data-testid="audit-summary">{summary}</span>
                    {(!row.message.is_empty()).then(|| view! { <span class="audit-message-text muted small" data-testid="audit-message">{row.message.clone()}</span> })}
                </td>
                <td>
                    <button
                        type="button"
                        class="btn btn-small btn-ghost audit-expand"
                        data-testid="audit-expand"
                        aria-expanded=move || expanded.get().to_string()
                        aria-controls=detail_id.clone()
                        aria-label=toggle_label
                        on:click=move |_| expanded.update(|open| *open = !*open)
                    >
                        <span aria-hidden="true">{move || if expanded.get() { "▾" } else { "▸" }}</span>" Details"
                    </button>
                </td>
            </tr>
            <tr class="audit-detail" id=detail_id hidden=move || !expanded.get() data-testid="audit-detail">
                <td colspan=AUDIT_COLUMNS.len().to_string()>
                    <EventJson json />
                </td>
            </tr>
        </tbody>
    }
}

/// The event as pretty JSON, and Copy.
#[component]
fn EventJson(json: String) -> impl IntoView {
    let json = StoredValue::new(json);
    // What the status line says after a copy: "Copied", or how to copy by hand.
    let said = RwSignal::new("");
    let copy = move |_| {
        spawn_local(async move {
            let copied = copy_text(json.get_value()).await;
            let _ = said.try_set(if copied {
                texts::COPIED
            } else {
                texts::COPY_FAILED
            });
        });
    };
    // The JSON is a region of its own: it scrolls, so the keyboard must reach it, and its name
    // says what it is.
    view! {
        <div class="audit-json-actions">
            <button type="button" class="btn btn-small" data-testid="audit-copy" on:click=copy>
                {move || if said.get() == texts::COPIED { "Copied" } else { "Copy" }}
            </button>
            <span class="muted small" role="status" data-testid="audit-copy-status">{move || said.get()}</span>
        </div>
        <div class="audit-json-scroll" role="region" tabindex="0" aria-label="The full event as JSON">
            <pre class="code-block audit-json" data-testid="audit-json">{json.get_value()}</pre>
        </div>
    }
}

/// "✓ Success" / "✕ Failure": the word says it, the colour only repeats it.
fn outcome_badge(outcome: &str) -> AnyView {
    let (class, mark) = match outcome {
        "success" => ("badge audit-outcome audit-outcome-success", "✓"),
        "failure" => ("badge audit-outcome audit-outcome-failure", "✕"),
        _ => ("badge audit-outcome", ""),
    };
    view! {
        <span class=class data-testid="audit-outcome">
            {(!mark.is_empty()).then(|| view! { <span aria-hidden="true">{mark}" "</span> })}
            {outcome_label(outcome).to_string()}
        </span>
    }
    .into_any()
}

/// A link from an event to the page of its user or object, with `text` as its words.
fn link_view(link: AuditLink, text: String, testid: &'static str) -> AnyView {
    match link {
        AuditLink::User(name) => {
            view! { <a href=space_path(&user_edit_href(&name)) data-testid=testid>{text}</a> }
                .into_any()
        }
        AuditLink::Role(name) => {
            view! { <a href=space_path(&role_edit_href(&name)) data-testid=testid>{text}</a> }
                .into_any()
        }
        AuditLink::Space(id) => {
            view! { <a href=space_path(&space_edit_path(&id)) data-testid=testid>{text}</a> }
                .into_any()
        }
        AuditLink::Dashboard { space, id } if space == current_space() => {
            view! { <a href=space_path(&dashboard_href(&id)) data-testid=testid>{text}</a> }
                .into_any()
        }
        // Another space is a full page load, as switching space always is.
        AuditLink::Dashboard { space, id } => view! {
            <a href=path_in_space(&space, &dashboard_href(&id)) rel="external" data-testid=testid>{text}</a>
        }
        .into_any(),
    }
}

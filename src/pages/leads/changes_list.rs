//! The "What changed" dialog's list, grouped as the summary counts it: new, re-prioritised (old
//! → new priority) and resolved. Opened through `LazyDialogBody`: not in the first download.

use std::sync::Arc;

use gatehouse_api::leads::{priority_badge_class, priority_badge_text, title_text};
use gatehouse_api::leads_page::what_changed::{Change, ChangedLead, WhatChanged};
use leptos::prelude::*;

#[component]
pub(crate) fn WhatChangedList(seen: Arc<WhatChanged>) -> impl IntoView {
    let group = |heading: &'static str, key: &'static str, pick: fn(&Change) -> bool| {
        let leads: Vec<ChangedLead> = seen
            .leads
            .iter()
            .filter(|l| pick(&l.change))
            .cloned()
            .collect();
        (!leads.is_empty()).then(|| {
            view! {
                <section class="changes-group" data-testid=format!("changes-{key}")>
                    <h3>{heading}" ("{leads.len()}")"</h3>
                    <ul class="plain-list changes-list">
                        {leads.into_iter().map(changed_lead).collect_view()}
                    </ul>
                </section>
            }
        })
    };
    view! {
        <div class="what-changed-list">
            {group("New", "new", |c| *c == Change::New)}
            {group("Re-prioritised", "reprioritised", |c| matches!(c, Change::Reprioritised { .. }))}
            {group("Resolved", "resolved", |c| *c == Change::Resolved)}
            {seen.truncated.then(|| view! {
                <p class="muted small">"More changed than one visit lists; the leads list shows where things stand now."</p>
            })}
        </div>
    }
}

fn changed_lead(changed: ChangedLead) -> impl IntoView {
    let priority = changed.lead.as_ref().map_or(0, |lead| lead.priority);
    let title = changed.lead.as_ref().map_or_else(
        || "A lead this page had not shown you".to_string(),
        |lead| title_text(&lead.title).to_string(),
    );
    let status = changed
        .lead
        .as_ref()
        .map_or_else(|| "removed".to_string(), |lead| lead.status.clone());
    let detail = match changed.change {
        Change::New => None,
        Change::Reprioritised { from } => Some(format!("P{from} → P{priority}")),
        Change::Resolved => Some(status),
    };
    view! {
        <li class="changed-lead" data-testid="changed-lead" data-lead-id=changed.id>
            {(priority > 0).then(|| view! { <span class=priority_badge_class(priority)>{priority_badge_text(priority)}</span> })}
            <span class="changed-title">{title}</span>
            {detail.map(|d| view! { <span class="muted small changed-detail">{d}</span> })}
        </li>
    }
}

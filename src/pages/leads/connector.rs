//! The connector picker in the section header (docs/leads.md "Connector"): the connectors
//! Kibana's actions API lists, the space's choice, and changing it. Generate stays closed until
//! the space has one (`gatehouse_api::leads_page::connector_gate`).

use std::sync::Arc;

use gatehouse_api::leads::{missing_privilege_text, Connector, LeadsAccess, Privilege};
use gatehouse_api::leads_page::connector_gate::{
    chosen_name, connector_for_generate, generate_block,
};
use leptos::html::Select;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::LeadsState;
use crate::components::GuardedButton;

/// The connectors and the space's choice, as far as they are known.
#[derive(Clone, Copy)]
pub(super) struct ConnectorChoice {
    /// `None` until listed, or when the list could not be read.
    offered: RwSignal<Option<Arc<[Connector]>>>,
    /// `None` until the space's choice is read; then its connector id, if it has one.
    chosen: RwSignal<Option<Option<String>>>,
    saving: RwSignal<bool>,
}

impl ConnectorChoice {
    pub(super) fn new() -> Self {
        Self {
            offered: RwSignal::new(None),
            chosen: RwSignal::new(None),
            saving: RwSignal::new(false),
        }
    }

    /// The list and the space's choice are read (the list is set first).
    pub(super) fn is_known(&self) -> bool {
        self.chosen.with(Option::is_some)
    }

    /// The space's choice is read and there is none (or it is no longer offered).
    pub(super) fn none_chosen(&self) -> bool {
        let chosen = self.chosen.get();
        chosen.is_some()
            && self.offered.with(|offered| {
                connector_for_generate(chosen.flatten().as_deref(), offered.as_deref()).is_none()
            })
    }

    /// The connector Generate sends, read when it is pressed.
    pub(super) fn for_generate(&self) -> Option<String> {
        let chosen = self.chosen.get_untracked().flatten();
        self.offered
            .with_untracked(|offered| connector_for_generate(chosen.as_deref(), offered.as_deref()))
    }
}

/// Why Generate is closed: `write` first, then the connector.
pub(super) fn generate_blocked(state: LeadsState) -> Signal<Option<String>> {
    let choice = state.connector;
    Signal::derive(move || {
        choice.chosen.with(|chosen| {
            choice.offered.with(|offered| {
                generate_block(
                    state.access.get(),
                    chosen.as_ref().map(Option::as_deref),
                    offered.as_deref(),
                )
            })
        })
    })
}

/// Reads the list and the space's choice side by side, once the leads may be read.
pub(super) fn load_connectors(state: LeadsState) {
    spawn_local(async move {
        let (offered, chosen) =
            futures::join!(state.api.list_connectors(), state.api.leads_connector());
        match offered {
            Ok(list) => {
                let _ = state.connectors_denial.try_set(None);
                let _ = state.connector.offered.try_set(Some(list.into()));
            }
            // Said in the page's privileges callout, not in a toast.
            Err(error) if error.is_permission_denied() => {
                let _ = state.connectors_denial.try_set(Some(error.message.clone()));
            }
            Err(error) => state.toasts.api_error(FETCH_FAILED, &error),
        }
        match chosen {
            Ok(chosen) => {
                let _ = state.connector.chosen.try_set(Some(chosen.connector_id));
            }
            // A Kibana without the route: the connector its status names is the choice
            // (docs/leads.md "Connector").
            Err(error) if error.status == 404 && !error.is_index_not_found() => {
                let named = state
                    .api
                    .leads_status()
                    .await
                    .ok()
                    .and_then(|status| status.connector_id);
                let _ = state.connector.chosen.try_set(Some(named));
            }
            Err(error) => {
                // A refusal hides the leads, with the callout saying why and the leads' own
                // toast; no index yet is no choice yet.
                if error.is_permission_denied() {
                    state.refused_read(&error);
                } else if !error.is_index_not_found() {
                    state.toasts.api_error(FETCH_FAILED, &error);
                }
                let _ = state.connector.chosen.try_set(Some(None));
            }
        }
    });
}

const FETCH_FAILED: &str = "Failed to fetch connectors";

/// A `<select>` for a user who may write; for one who may not, a closed button naming the
/// space's choice, its reason on hover and on keyboard focus (as Generate's).
#[component]
pub(super) fn ConnectorPicker(state: LeadsState) -> impl IntoView {
    let choice = state.connector;
    let own_read_only = move || state.access.get() == LeadsAccess::ReadOnly;
    // Choosing is a write: closed while viewing as another user too.
    let viewing_as = crate::state::view_as::viewing_as();
    let read_only = move || own_read_only() || viewing_as.with(Option::is_some);
    let name = Signal::derive(move || {
        choice.chosen.with(|chosen| {
            choice.offered.with(|offered| {
                chosen_name(
                    chosen.as_ref().and_then(Option::as_deref),
                    offered.as_deref(),
                )
            })
        })
    });
    move || {
        if read_only() {
            let label = Signal::derive(move || format!("Connector: {}", name.get()));
            let blocked = Signal::derive(move || {
                let own = own_read_only()
                    .then(|| missing_privilege_text(Privilege::Write, "choose the connector"));
                viewing_as.with(|view| gatehouse_api::view_as::closed_reason(own, view.as_ref()))
            });
            view! {
                <GuardedButton label blocked on_press=Callback::new(|_| {}) class="connector-closed" testid="leads-connector" />
            }
            .into_any()
        } else {
            view! { <ConnectorSelect state /> }.into_any()
        }
    }
}

#[component]
fn ConnectorSelect(state: LeadsState) -> impl IntoView {
    let choice = state.connector;
    let select = NodeRef::<Select>::new();
    let current = move || choice.chosen.get().flatten();
    // The options: every usable connector, and the space's choice even when the list could not
    // be read (then it is the only one).
    let options = move || {
        let chosen = current();
        let listed: Vec<(String, String)> = choice.offered.with(|offered| match offered {
            Some(offered) => offered
                .iter()
                .filter(|c| c.is_usable())
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect(),
            None => chosen.iter().map(|id| (id.clone(), id.clone())).collect(),
        });
        let none_chosen = !listed.iter().any(|(id, _)| Some(id) == chosen.as_ref());
        view! {
            <option value="" disabled selected=none_chosen>"Choose a connector…"</option>
            {listed.into_iter().map(|(id, name)| {
                let selected = Some(&id) == chosen.as_ref();
                view! { <option value=id selected=selected>{name}</option> }
            }).collect_view()}
        }
    };
    let on_change = move |_| {
        let Some(element) = select.get_untracked() else {
            return;
        };
        let wanted = element.value();
        let before = choice.chosen.get_untracked().flatten();
        if choice.saving.get_untracked() {
            // One choice at a time: the one being saved stays shown.
            element.set_value(before.as_deref().unwrap_or(""));
            return;
        }
        if wanted.is_empty() || Some(&wanted) == before.as_ref() {
            return;
        }
        choice.saving.set(true);
        spawn_local(async move {
            match state.api.choose_leads_connector(&wanted).await {
                Ok(chosen) => {
                    let name = choice.offered.with_untracked(|offered| {
                        chosen_name(chosen.connector_id.as_deref(), offered.as_deref())
                    });
                    state.toasts.success("Connector chosen", &name);
                    let _ = choice.chosen.try_set(Some(chosen.connector_id));
                }
                Err(error) => {
                    state
                        .toasts
                        .api_error("Failed to choose the connector", &error);
                    if error.is_permission_denied() {
                        state.denied(Privilege::Write);
                    }
                    // Back to what the space still uses.
                    if let Some(element) = select.get_untracked() {
                        element.set_value(before.as_deref().unwrap_or(""));
                    }
                }
            }
            let _ = choice.saving.try_set(false);
        });
    };
    view! {
        <label class="inline-field connector-field">
            <span>"Connector"</span>
            <select
                node_ref=select
                data-testid="leads-connector"
                // Closed until the space's choice is read. Not `disabled` while a choice is
                // saved: that would drop a keyboard user's focus to the page (ARCHITECTURE.md,
                // "Keyboard and screen readers"); a change meanwhile is put back instead.
                disabled=move || choice.chosen.with(Option::is_none)
                aria-disabled=move || choice.saving.get().then_some("true")
                aria-busy=move || choice.saving.get().then_some("true")
                on:change=on_change
            >
                {options}
            </select>
        </label>
    }
}

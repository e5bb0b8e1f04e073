//! A dashboard's editor: title, description and panels (kind, data and a live preview), kept
//! as a draft in the tab while it differs from the saved dashboard.

use crate::components::ReadOnlyWhileViewing;
use gatehouse_api::dashboards::{Dashboard, DashboardData, Panel, UpdateDashboard};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use super::list::required_title;
use super::panel_form::{first_problem, PanelForm};
use crate::api::expect_api;
use crate::components::{TextAreaField, TextField};
use crate::state::session::drafts;
use crate::state::{expect_session, expect_toasts};

/// The editor's fields, kept in `sessionStorage` (see [`drafts`]) while they differ from the
/// saved dashboard, so a session that ends mid-edit does not lose them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Draft {
    title: String,
    description: String,
    panels: Vec<Panel>,
    /// The version the edit started from, sent with the save (a newer one on the server → 409).
    version: Option<String>,
}

impl Draft {
    pub(super) fn name(dashboard_id: &str) -> String {
        format!("dashboard/{dashboard_id}")
    }

    /// The signed-in user's draft of this dashboard, if they left one.
    pub(super) fn load(user: &str, dashboard_id: &str) -> Option<Draft> {
        drafts::load(user, &Self::name(dashboard_id))
            .and_then(|json| serde_json::from_str(&json).ok())
    }

    pub(super) fn same_content(&self, data: &DashboardData) -> bool {
        self.title == data.title
            && self.description == data.description
            && self.panels == data.panels
    }
}

#[component]
pub(super) fn DashboardEditor(
    current: RwSignal<Option<Dashboard>>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let session = expect_session();
    let Some(original) = current.get_untracked() else {
        return ().into_any();
    };
    let id = StoredValue::new(original.id.clone());
    // Unsaved edits this user left on this dashboard come back into the form.
    let user = StoredValue::new(session.username_untracked());
    let draft_name = StoredValue::new(Draft::name(&original.id));
    let draft = user
        .get_value()
        .and_then(|user| Draft::load(&user, &original.id))
        .filter(|draft| !draft.same_content(&original.data));
    let restored = RwSignal::new(draft.is_some());
    let start = draft.unwrap_or_else(|| Draft {
        title: original.data.title.clone(),
        description: original.data.description.clone(),
        panels: original.data.panels.clone(),
        version: original.meta.version.clone(),
    });
    let next_panel = StoredValue::new(start.panels.len().max(original.data.panels.len()));
    let title = RwSignal::new(start.title);
    let description = RwSignal::new(start.description);
    let panels = RwSignal::new(start.panels);
    let version = RwSignal::new(start.version);
    let access_control = StoredValue::new(original.data.access_control.clone());
    let error = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(false);
    let saving = RwSignal::new(false);

    // While the form differs from the saved dashboard, keep it in the tab's session storage; a
    // session that ends now (expiry, password change) sends the user to login and back here.
    Effect::new(move |_| {
        let draft = Draft {
            title: title.get(),
            description: description.get(),
            panels: panels.get(),
            version: version.get(),
        };
        let Some(user) = user.get_value() else {
            return;
        };
        let dirty = current.with_untracked(|saved| {
            saved
                .as_ref()
                .is_none_or(|saved| !draft.same_content(&saved.data))
        });
        match serde_json::to_string(&draft) {
            Ok(json) if dirty => drafts::save(&user, &draft_name.get_value(), &json),
            _ => drafts::clear(&user, &draft_name.get_value()),
        }
    });
    let forget_draft = move || {
        if let Some(user) = user.get_value() {
            drafts::clear(&user, &draft_name.get_value());
        }
        restored.set(false);
    };
    let discard = move |_| {
        forget_draft();
        if let Some(saved) = current.get_untracked() {
            title.set(saved.data.title);
            description.set(saved.data.description);
            panels.set(saved.data.panels);
            version.set(saved.meta.version);
        }
        error.set(None);
        conflict.set(false);
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(name) = required_title(title, error) else {
            return;
        };
        // The server refuses the same (docs/panels.md); saying so here loses no round trip.
        if let Some(problem) = panels.with_untracked(|p| first_problem(p)) {
            error.set(Some(problem));
            return;
        }
        saving.set(true);
        error.set(None);
        let body = UpdateDashboard {
            data: DashboardData {
                title: name,
                description: description.get_untracked().trim().to_string(),
                panels: panels.get_untracked(),
                access_control: access_control
                    .get_value()
                    .map(|ac| gatehouse_api::dashboards::DataAccessControl { owner: None, ..ac }),
            },
            version: version.get_untracked(),
        };
        spawn_local(async move {
            match api.update_dashboard(&id.get_value(), &body).await {
                Ok(saved) => {
                    forget_draft();
                    toasts.success("Dashboard saved", &saved.data.title);
                    current.set(Some(saved));
                    editing.set(false);
                }
                Err(err) if err.status == 409 => {
                    conflict.set(true);
                    error.set(Some(err.message));
                }
                Err(err) => {
                    if err.is_permission_denied() {
                        toasts.api_error("You can no longer edit this dashboard", &err);
                    }
                    error.set(Some(err.toast_text()));
                }
            }
            saving.set(false);
        });
    };

    // Take the newest version from the server but keep what the user typed.
    let load_latest = move |_| {
        spawn_local(async move {
            match api.get_dashboard(&id.get_value()).await {
                Ok(latest) => {
                    version.set(latest.meta.version.clone());
                    current.set(Some(latest));
                    conflict.set(false);
                    error.set(Some("Loaded the latest version. Your edits are still here: review them and save again.".into()));
                }
                Err(err) => error.set(Some(err.toast_text())),
            }
        });
    };

    view! {
        <form class="panel form editor" on:submit=save data-testid="dashboard-editor" novalidate>
            <ReadOnlyWhileViewing>
            <h1>"Edit dashboard"</h1>
            <Show when=move || restored.get()>
                <div class="callout callout-warning" role="status" data-testid="dashboard-draft-restored">
                    <p><strong>"Unsaved changes restored"</strong></p>
                    <p>"These edits were not saved before you left this page. Review them and save, or discard them to go back to the saved dashboard."</p>
                    <button type="button" class="btn" data-testid="dashboard-draft-discard" on:click=discard>"Discard changes"</button>
                </div>
            </Show>
            <Show when=move || error.with(Option::is_some)>
                <div class=move || if conflict.get() { "callout callout-warning" } else { "callout callout-danger" } role="alert" data-testid="dashboard-save-error">
                    <p>{move || error.get().unwrap_or_default()}</p>
                    <Show when=move || conflict.get()>
                        <button type="button" class="btn" on:click=load_latest>"Load latest version, keep my edits"</button>
                    </Show>
                </div>
            </Show>
            <TextField label="Title" testid="dashboard-edit-title" value=title.into() on_input=Callback::new(move |v| title.set(v)) />
            <TextAreaField label="Description" value=description.into() on_input=Callback::new(move |v| description.set(v)) />
            <fieldset class="panels-editor">
                <legend>"Panels"</legend>
                <For each=move || 0..panels.with(Vec::len) key=|index| *index let:index>
                    <PanelForm index panels />
                </For>
                <button type="button" class="btn btn-small" data-testid="dashboard-add-panel" on:click=move |_| {
                    let n = next_panel.get_value() + 1;
                    next_panel.set_value(n);
                    panels.update(|p| p.push(Panel { id: format!("panel-{n}"), title: format!("Panel {n}"), panel_type: "metric".into(), description: None, query: None }));
                }>"Add panel"</button>
            </fieldset>
            <div class="modal-actions">
                <button type="button" class="btn" data-testid="dashboard-cancel" on:click=move |_| {
                    forget_draft();
                    editing.set(false);
                }>"Cancel"</button>
                <button type="submit" class="btn btn-primary" data-testid="dashboard-save" disabled=move || saving.get()>"Save"</button>
            </div>
            </ReadOnlyWhileViewing>
        </form>
    }
    .into_any()
}

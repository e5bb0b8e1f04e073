//! One dashboard: view mode for everyone; edit for those the server will let edit; Share dialog.

use gatehouse_api::dashboards::{
    share_permissions, texts, Dashboard, DashboardData, Panel, UpdateDashboard,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use super::list::{required_title, DashboardRights};
use crate::api::expect_api;
use crate::components::LoadError;
use crate::components::{GuardedButton, ShareDialog};
use crate::format::relative_time;
use crate::state::session::drafts;
use crate::state::{expect_profiles, expect_session, expect_toasts, space_path};

const PANEL_TYPES: [(&str, &str); 5] = [
    ("metric", "Metric"),
    ("line", "Line chart"),
    ("bar", "Bar chart"),
    ("table", "Table"),
    ("markdown", "Text"),
];

/// The editor's fields, kept in `sessionStorage` (see [`drafts`]) while they differ from the
/// saved dashboard, so a session that ends mid-edit does not lose them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Draft {
    title: String,
    description: String,
    panels: Vec<Panel>,
    /// The version the edit started from, sent with the save (a newer one on the server → 409).
    version: Option<String>,
}

impl Draft {
    fn name(dashboard_id: &str) -> String {
        format!("dashboard/{dashboard_id}")
    }

    /// The signed-in user's draft of this dashboard, if they left one.
    fn load(user: &str, dashboard_id: &str) -> Option<Draft> {
        drafts::load(user, &Self::name(dashboard_id))
            .and_then(|json| serde_json::from_str(&json).ok())
    }

    fn same_content(&self, data: &DashboardData) -> bool {
        self.title == data.title
            && self.description == data.description
            && self.panels == data.panels
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let api = expect_api();
    let session = expect_session();
    let toasts = expect_toasts();
    let profiles = expect_profiles();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let rights = DashboardRights::load(api);
    let retry = RwSignal::new(0u32);
    let current = RwSignal::new(None::<Dashboard>);
    let editing = RwSignal::new(false);
    let share_open = RwSignal::new(false);

    // The first load (and a retry after a failed one). Later changes update `current` in place,
    // so the page is not re-rendered and focus can return to the button that opened a dialog.
    let loaded = LocalResource::new(move || {
        let id = id.get();
        retry.track();
        async move {
            let result = api.get_dashboard(&id).await;
            if let Ok(dashboard) = &result {
                profiles.ensure(api, dashboard.owner().map(str::to_string));
                let _ = current.try_set(Some(dashboard.clone()));
            }
            result
        }
    });

    // `?mode=edit` (the list's Edit action) opens the editor once the dashboard is known editable;
    // so do unsaved edits this user left here (e.g. when their session ended mid-edit).
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let wants_edit = query.with(|q| q.get("mode")).as_deref() == Some("edit");
        let Some(dashboard) = current.get() else {
            return false;
        };
        let has_draft = session
            .username_untracked()
            .and_then(|user| Draft::load(&user, &dashboard.id))
            .is_some_and(|draft| !draft.same_content(&dashboard.data));
        if (wants_edit || has_draft) && rights.edit_block(&dashboard).is_none() {
            editing.set(true);
        }
        true
    });

    let permissions = Signal::derive(move || {
        current
            .get()
            .map(|d| {
                share_permissions(
                    rights.profile_uid.get().as_deref(),
                    rights.is_admin.get(),
                    &d,
                )
            })
            .unwrap_or(share_permissions(
                None,
                false,
                &Dashboard {
                    id: String::new(),
                    data: DashboardData::default(),
                    meta: Default::default(),
                },
            ))
    });
    let edit_block = Signal::derive(move || current.get().and_then(|d| rights.edit_block(&d)));
    let refresh = Callback::new(move |_| {
        spawn_local(async move {
            match api.get_dashboard(&id.get_untracked()).await {
                Ok(dashboard) => {
                    let _ = current.try_set(Some(dashboard));
                }
                Err(error) => toasts.api_error("Failed to reload dashboard", &error),
            }
        });
    });

    view! {
        <div class="page">
            <p class="breadcrumbs"><a href=space_path("/app/dashboards")>"Dashboards"</a>" / "<span>{move || current.get().map(|d| d.data.title).unwrap_or_default()}</span></p>
            <Show when=move || current.with(Option::is_some) fallback=move || view! {
            <Transition fallback=|| view! { <div class="panel skeleton table-skeleton"><span></span><span></span></div> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Err(error) if error.status == 404 => view! {
                            <section class="panel empty-state" data-testid="dashboard-missing">
                                <h1>"Dashboard not found"</h1>
                                <p class="muted">"It may have been deleted, or the link may be wrong."</p>
                                <a class="btn" href=space_path("/app/dashboards")>"Back to dashboards"</a>
                            </section>
                        }.into_any(),
                        Err(error) => {
                            if error.status != 403 {
                                toasts.api_error("Failed to load dashboard", &error);
                            }
                            view! { <LoadError error on_retry=Callback::new(move |_| retry.update(|n| *n += 1)) /> }.into_any()
                        }
                        Ok(_) => ().into_any(),
                    }
                })}
            </Transition>
            }>
                <Show
                    when=move || editing.get()
                    fallback=move || view! { <DashboardView current edit_block editing share_open /> }
                >
                    <DashboardEditor current editing />
                </Show>
            </Show>
            <ShareDialog
                open=share_open
                dashboard=current
                permissions
                on_changed=refresh
            />
        </div>
    }
}

#[component]
fn DashboardView(
    current: RwSignal<Option<Dashboard>>,
    edit_block: Signal<Option<String>>,
    editing: RwSignal<bool>,
    share_open: RwSignal<bool>,
) -> impl IntoView {
    let profiles = expect_profiles();
    let owner = move || {
        current
            .with(|d| d.as_ref().and_then(|d| d.owner().map(str::to_string)))
            .map(|uid| profiles.name_of(&uid))
    };
    view! {
        <header class="page-header page-header-row">
            <div>
                <h1 data-testid="dashboard-title">{move || current.get().map(|d| d.data.title).unwrap_or_default()}</h1>
                <p class="muted">{move || current.get().map(|d| d.data.description).unwrap_or_default()}</p>
                <p class="muted small dashboard-meta">
                    {move || owner().map(|name| view! { <span data-testid="dashboard-owner-name">"Owned by "{name}</span> })}
                    {move || current.get().filter(Dashboard::is_write_restricted).map(|_| view! {
                        <span class="badge badge-restricted" title="Only the owner and administrators can change it">{texts::CAN_VIEW}</span>
                    })}
                    {move || current.get().and_then(|d| d.meta.updated_at).map(|at| view! { <span>"Updated "{relative_time(&at)}</span> })}
                </p>
            </div>
            <div class="toolbar">
                <button type="button" class="btn" data-testid="dashboard-share" on:click=move |_| share_open.set(true)>"Share"</button>
                <GuardedButton
                    label="Edit"
                    blocked=edit_block
                    on_press=Callback::new(move |_| editing.set(true))
                    class="btn-primary"
                    testid="dashboard-edit"
                />
            </div>
        </header>
        <ul class="panel-grid" data-testid="dashboard-panels">
            {move || {
                let panels = current.get().map(|d| d.data.panels).unwrap_or_default();
                if panels.is_empty() {
                    return view! { <li class="panel empty-state">"This dashboard has no panels yet."</li> }.into_any();
                }
                panels.into_iter().enumerate().map(|(index, panel)| view! { <PanelCard panel index /> }).collect_view().into_any()
            }}
        </ul>
    }
}

/// A panel drawn as a small, deterministic illustration of its type.
#[component]
fn PanelCard(panel: Panel, index: usize) -> impl IntoView {
    let seed = panel.title.bytes().fold(index as u32 * 7 + 3, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    });
    let values: Vec<u32> = (0..12)
        .map(|i| 20 + (seed.wrapping_mul(i * 2 + 1).wrapping_add(i * 13) % 75))
        .collect();
    let visual = match panel.panel_type.as_str() {
        "metric" => view! { <p class="panel-metric">{(seed % 900 + 100).to_string()}</p> }.into_any(),
        "line" => {
            let points = values.iter().enumerate().map(|(i, v)| format!("{},{}", i * 20, 100 - v)).collect::<Vec<_>>().join(" ");
            view! { <svg class="panel-chart" viewBox="0 0 220 100" preserveAspectRatio="none" aria-hidden="true"><polyline points=points fill="none" stroke="#0b64dd" stroke-width="2.5" /></svg> }.into_any()
        }
        "table" => {
            let lower = panel.title.to_lowercase();
            let noun = ["rule", "user", "service", "host"].into_iter().find(|noun| lower.contains(noun)).unwrap_or("item");
            view! {
                <table class="panel-table" aria-hidden="true">
                    {values.iter().take(4).enumerate().map(|(i, v)| view! { <tr><td>{format!("{noun}-{:02}", i + 1)}</td><td>{v.to_string()}</td></tr> }).collect_view()}
                </table>
            }.into_any()
        }
        "markdown" => view! { <p class="muted">{panel.description.clone().unwrap_or_default()}</p> }.into_any(),
        _ => view! {
            <div class="panel-bars" aria-hidden="true">
                {values.iter().map(|v| view! { <span style=format!("height:{v}%")></span> }).collect_view()}
            </div>
        }.into_any(),
    };
    view! {
        <li class="panel dashboard-panel" data-testid="dashboard-panel">
            <h3>{panel.title.clone()}</h3>
            {visual}
            <Show when={
                let show = panel.panel_type != "markdown" && panel.description.as_deref().is_some_and(|d| !d.is_empty());
                move || show
            }>
                <p class="muted small">{panel.description.clone().unwrap_or_default()}</p>
            </Show>
        </li>
    }
}

#[component]
fn DashboardEditor(current: RwSignal<Option<Dashboard>>, editing: RwSignal<bool>) -> impl IntoView {
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
            <label class="field">
                <span class="field-label">"Title"</span>
                <input type="text" data-testid="dashboard-edit-title" prop:value=move || title.get() on:input:target=move |ev| title.set(ev.target().value()) />
            </label>
            <label class="field">
                <span class="field-label">"Description"</span>
                <textarea rows="2" prop:value=move || description.get() on:input:target=move |ev| description.set(ev.target().value())></textarea>
            </label>
            <fieldset class="panels-editor">
                <legend>"Panels"</legend>
                {move || panels.get().into_iter().enumerate().map(|(index, panel)| view! {
                    <div class="panel-editor-row">
                        <input type="text" aria-label=format!("Panel {} title", index + 1) prop:value=panel.title.clone()
                            on:input:target=move |ev| panels.update(|p| if let Some(panel) = p.get_mut(index) { panel.title = ev.target().value() }) />
                        <select aria-label=format!("Panel {} type", index + 1)
                            on:change:target=move |ev| panels.update(|p| if let Some(panel) = p.get_mut(index) { panel.panel_type = ev.target().value() })>
                            {PANEL_TYPES.iter().map(|(value, label)| view! { <option value=*value selected={panel.panel_type == *value}>{*label}</option> }).collect_view()}
                        </select>
                        <button type="button" class="btn btn-small btn-ghost-danger" aria-label=format!("Remove panel {}", index + 1)
                            on:click=move |_| panels.update(|p| { if index < p.len() { p.remove(index); } })>"Remove"</button>
                    </div>
                }).collect_view()}
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
        </form>
    }
    .into_any()
}

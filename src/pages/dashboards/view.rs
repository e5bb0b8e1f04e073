//! One dashboard: view mode for everyone; edit for those the server will let edit; Share dialog.

use gatehouse_api::dashboards::{share_permissions, texts, Dashboard, DashboardData};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::editor::{DashboardEditor, Draft};
use super::list::DashboardRights;
use super::panels::PanelCard;
use crate::api::expect_api;
use crate::components::LoadError;
use crate::components::{GuardedButton, ShareDialog};
use crate::format::relative_time;
use crate::state::{expect_profiles, expect_session, expect_toasts, space_path};

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
                let dashboard_id = current.with(|d| d.as_ref().map(|d| d.id.clone())).unwrap_or_default();
                let may_edit = Signal::derive(move || edit_block.get().is_none());
                panels.into_iter().map(|panel| view! { <PanelCard panel dashboard_id=dashboard_id.clone() may_edit /> }).collect_view().into_any()
            }}
        </ul>
    }
}

//! Dashboards list: search, paging, owner names, the "Can view" badge, and edit/delete closed
//! with a reason on write-restricted dashboards the user does not own.

use gatehouse_api::dashboards::{
    share_permissions, texts, CreateDashboard, Dashboard, DashboardAccessMode, DashboardList,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::{expect_api, ApiClient};
use crate::components::{
    confirm_action, AppGate, ConfirmDialog, DataTable, FormError, GuardedButton, LoadError, Modal,
    PageHeader, SearchInput, TableSkeleton, TextAreaField, TextField,
};
use crate::format::relative_time;
use crate::routes::dashboard_href;
use crate::state::{expect_profiles, expect_session, expect_toasts};

const PER_PAGE: u32 = 20;
pub const READ_ONLY_REASON: &str = "You have read-only access to dashboards in this space.";

/// The dashboard's title, trimmed; `None` (with the reason in `error`) when the server's rule
/// (`gatehouse_api::rules::dashboard_title`) refuses it.
pub(super) fn required_title(
    title: RwSignal<String>,
    error: RwSignal<Option<String>>,
) -> Option<String> {
    let name = title.get_untracked().trim().to_string();
    match gatehouse_api::rules::dashboard_title(&name) {
        Ok(()) => Some(name),
        Err(gatehouse_api::rules::TitleProblem::Empty) => {
            error.set(Some("Enter a title.".into()));
            None
        }
        Err(gatehouse_api::rules::TitleProblem::TooLong { max }) => {
            error.set(Some(format!("A title is at most {max} characters.")));
            None
        }
    }
}

/// What the signed-in user may do with dashboards, decided once per page.
#[derive(Clone, Copy)]
pub struct DashboardRights {
    pub profile_uid: Signal<Option<String>>,
    pub can_write: Signal<bool>,
    pub is_admin: RwSignal<bool>,
    /// Viewing as another user closes every change, after their own reasons.
    pub viewing_as: RwSignal<Option<gatehouse_api::view_as::ViewingAs>>,
}

impl DashboardRights {
    pub fn load(api: ApiClient) -> Self {
        let session = expect_session();
        let is_admin = RwSignal::new(false);
        spawn_local(async move {
            // Kibana without access control answers 404: nobody is an admin of it then.
            if let Ok(access) = api.dashboards_global_access().await {
                let _ = is_admin.try_set(access.is_globally_authorized);
            }
        });
        Self {
            profile_uid: Signal::derive(move || session.user().and_then(|u| u.profile_uid)),
            can_write: Signal::derive(move || {
                session.capabilities().get("dashboard", "showWriteControls")
            }),
            is_admin,
            viewing_as: session.viewing_as,
        }
    }

    /// Why editing `dashboard` is closed to this user, if it is.
    pub fn edit_block(&self, dashboard: &Dashboard) -> Option<String> {
        let own = if !self.can_write.get() {
            Some(READ_ONLY_REASON.into())
        } else {
            let permissions = share_permissions(
                self.profile_uid.get().as_deref(),
                self.is_admin.get(),
                dashboard,
            );
            permissions.edit_reason().map(str::to_string)
        };
        // Also keeps `?mode=edit` from opening the editor in a view.
        self.viewing_as
            .with(|view| gatehouse_api::view_as::closed_reason(own, view.as_ref()))
    }
}

#[component]
pub fn DashboardsPage() -> impl IntoView {
    view! {
        <div class="page">
            <AppGate nav_link="dashboards" app="Dashboards" reason="Your roles do not grant the Dashboard feature privilege in this space.">
                <DashboardList />
            </AppGate>
        </div>
    }
}

#[component]
fn DashboardList() -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let profiles = expect_profiles();
    let rights = DashboardRights::load(api);
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(1u32);
    let reload = RwSignal::new(0u32);
    let create_open = RwSignal::new(false);
    let to_delete = RwSignal::new(None::<Dashboard>);

    let list = LocalResource::new(move || {
        let search = search.get();
        let page = page.get();
        reload.track();
        async move {
            let result = api.list_dashboards(&search, page, PER_PAGE).await;
            match &result {
                Ok(list) => profiles.ensure(
                    api,
                    list.dashboards
                        .iter()
                        .filter_map(|d| d.owner().map(str::to_string)),
                ),
                Err(error) if error.status != 404 => {
                    toasts.api_error("Failed to load dashboards", error)
                }
                Err(_) => {}
            }
            result
        }
    });

    let create_block =
        Signal::derive(move || (!rights.can_write.get()).then(|| READ_ONLY_REASON.to_string()));
    view! {
        <PageHeader title="Dashboards" subtitle="Shared views of your security data. Owners can restrict who may change theirs.">
            <GuardedButton
                label="Create dashboard"
                blocked=create_block
                on_press=Callback::new(move |_| create_open.set(true))
                class="btn-primary"
                testid="dashboard-create"
            />
        </PageHeader>
        <section class="panel">
            <div class="filters">
                <SearchInput placeholder="Search dashboards by title" label="Search dashboards" testid="dashboard-search" value=search on_input=Callback::new(move |value: String| {
                        search.set(value);
                        page.set(1);
                    }) />
            </div>
            <Transition fallback=|| view! { <TableSkeleton /> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! { <DashboardTable list rights page to_delete /> }.into_any(),
                        Err(error) if error.status == 404 => view! {
                            <div class="empty-state" data-testid="dashboards-unavailable">
                                <h2>"Dashboards are not available"</h2>
                                <p class="muted">"This server does not provide the dashboards API."</p>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <CreateDashboardDialog open=create_open />
        <DeleteDashboardDialog target=to_delete on_deleted=Callback::new(move |_| reload.update(|n| *n += 1)) />
    }
}

#[component]
fn DashboardTable(
    list: DashboardList,
    rights: DashboardRights,
    page: RwSignal<u32>,
    to_delete: RwSignal<Option<Dashboard>>,
) -> impl IntoView {
    let profiles = expect_profiles();
    let navigate = use_navigate();
    if list.dashboards.is_empty() {
        return view! {
            <div class="empty-state" data-testid="dashboards-empty">
                <h2>"No dashboards found"</h2>
                <p class="muted">"Try another search, or create a dashboard."</p>
            </div>
        }
        .into_any();
    }
    let total_pages = u32::try_from(list.total.div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX)
        .max(1);
    let current = list.page.max(1);
    let rows = list
        .dashboards
        .into_iter()
        .map(|dashboard| {
            let href = dashboard_href(&dashboard.id);
            let owner = dashboard.owner().map(str::to_string);
            let restricted = dashboard.is_write_restricted();
            let block = {
                let dashboard = dashboard.clone();
                Signal::derive(move || rights.edit_block(&dashboard))
            };
            let navigate = navigate.clone();
            let edit_href = format!("{href}?mode=edit");
            let delete_target = dashboard.clone();
            view! {
                <tr data-testid="dashboard-row" data-dashboard-id=dashboard.id.clone()>
                    <td>
                        <a href=crate::state::space_path(&href) class="row-title">{dashboard.data.title.clone()}</a>
                        <p class="muted small row-description">{dashboard.data.description.clone()}</p>
                    </td>
                    <td data-testid="dashboard-owner">{move || owner.as_deref().map(|uid| profiles.name_of(uid)).unwrap_or_else(|| "—".into())}</td>
                    <td>
                        {if restricted {
                            view! { <span class="badge badge-restricted" data-testid="badge-can-view" title="Everybody in the space can view; only the owner and admins can edit">{texts::CAN_VIEW}</span> }.into_any()
                        } else {
                            view! { <span class="badge">{texts::CAN_EDIT}</span> }.into_any()
                        }}
                    </td>
                    <td class="muted small">{dashboard.meta.updated_at.as_deref().map(relative_time).unwrap_or_default()}</td>
                    <td>
                        <div class="row-actions">
                        <GuardedButton
                            label="Edit"
                            blocked=block
                            on_press=Callback::new(move |_| navigate(&edit_href, Default::default()))
                            class="btn-small"
                            testid="dashboard-edit"
                        />
                        <GuardedButton
                            label="Delete"
                            blocked=block
                            on_press=Callback::new(move |_| to_delete.set(Some(delete_target.clone())))
                            class="btn-small btn-ghost-danger"
                            testid="dashboard-delete"
                        />
                        </div>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable class="data-table" testid="dashboard-table" headers=&["Title", "Owner", "Everybody in the space", "Updated", ""] scroll=false>
            {rows}
        </DataTable>
        <nav class="pagination" aria-label="Dashboard pages">
            <span class="muted">{format!("{} dashboards", list.total)}</span>
            <button type="button" class="btn" disabled={current <= 1} on:click=move |_| page.set(current - 1)>"‹ Previous"</button>
            <span>{format!("Page {current} of {total_pages}")}</span>
            <button type="button" class="btn" disabled={current >= total_pages} on:click=move |_| page.set(current + 1)>"Next ›"</button>
        </nav>
    }
    .into_any()
}

#[component]
fn CreateDashboardDialog(open: RwSignal<bool>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let mode = RwSignal::new(DashboardAccessMode::Default);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(name) = required_title(title, error) else {
            return;
        };
        saving.set(true);
        error.set(None);
        let body = CreateDashboard::new(
            &name,
            description.get_untracked().trim(),
            mode.get_untracked(),
        );
        let navigate = navigate.clone();
        spawn_local(async move {
            match api.create_dashboard(&body).await {
                Ok(created) => {
                    toasts.success("Dashboard created", &created.data.title);
                    open.set(false);
                    title.set(String::new());
                    description.set(String::new());
                    navigate(&dashboard_href(&created.id), Default::default());
                }
                Err(err) => error.set(Some(err.toast_text())),
            }
            saving.set(false);
        });
    };
    view! {
        <Modal open title="Create dashboard".to_string() testid="dashboard-create-dialog">
            <form class="form" on:submit=submit.clone() novalidate>
                <FormError error=error />
                <TextField label="Title" testid="dashboard-title-input" required=true value=title.into() on_input=Callback::new(move |v| title.set(v)) />
                <TextAreaField label="Description" value=description.into() on_input=Callback::new(move |v| description.set(v)) />
                <label class="field">
                    <span class="field-label">{texts::EVERYBODY_IN_SPACE}</span>
                    <select data-testid="dashboard-mode-input" on:change:target=move |ev| mode.set(DashboardAccessMode::parse(&ev.target().value()).unwrap_or_default())>
                        <option value="default" selected>{texts::CAN_EDIT}</option>
                        <option value="write_restricted">{texts::CAN_VIEW}</option>
                    </select>
                    <span class="muted small">"With “Can view”, only you and administrators can change this dashboard."</span>
                </label>
                <div class="modal-actions">
                    <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="btn btn-primary" data-testid="dashboard-create-submit" disabled=move || saving.get()>"Create"</button>
                </div>
            </form>
        </Modal>
    }
}

/// Asks before deleting the dashboard `target`; `on_deleted` runs once the server has deleted it.
#[component]
fn DeleteDashboardDialog(
    target: RwSignal<Option<Dashboard>>,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let action = confirm_action(move |api, toasts, dashboard: Dashboard| async move {
        let result = api.delete_dashboard(&dashboard.id).await;
        let done = ("Dashboard deleted", dashboard.data.title.as_str());
        toasts.report_write(result, done, "Failed to delete dashboard", on_deleted)
    });
    let body = Signal::derive(move || {
        format!(
            "Delete “{}”? This cannot be undone.",
            target.get().map(|d| d.data.title).unwrap_or_default()
        )
    });
    view! {
        <ConfirmDialog
            target
            action
            title="Delete dashboard".to_string()
            body
            confirm_label="Delete".to_string()
            testid="dashboard-delete-dialog"
            confirm_testid="dashboard-delete-confirm"
        />
    }
}

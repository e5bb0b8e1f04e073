//! The roles list, with `Reserved` badges and delete.

use super::*;
use crate::format::SearchFolded;

#[component]
pub(super) fn ReservedBadge() -> impl IntoView {
    let id = unique_id("tooltip");
    let open = RwSignal::new(false);
    view! {
        <span class="tooltip-anchor" on:mouseenter=move |_| open.set(true) on:mouseleave=move |_| open.set(false)>
            <span class="badge badge-reserved" tabindex="0" data-testid="role-reserved" aria-describedby=id.clone()
                on:focus=move |_| open.set(true) on:blur=move |_| open.set(false)>
                {texts::RESERVED}
            </span>
            <span role="tooltip" id=id class="tooltip tooltip-start" class:tooltip-open=move || open.get()>{texts::RESERVED_TIP}</span>
        </span>
    }
}

#[component]
pub fn RolesPage() -> impl IntoView {
    view! {
        <ManagementPage>
            <RolesList />
        </ManagementPage>
    }
}

#[component]
pub fn RolesList() -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let navigate = use_navigate();
    let search = RwSignal::new(String::new());
    let show_reserved = RwSignal::new(true);
    let denied = RwSignal::new(false);
    let to_delete = RwSignal::new(None::<String>);
    let (roles, reload) = reloadable(move || async move {
        let result = api.list_roles().await;
        match &result {
            Ok(_) => denied.set(false),
            Err(error) if error.status == 403 => denied.set(true),
            Err(error) => toasts.api_error("Failed to load roles", error),
        }
        result
    });
    let create = {
        let navigate = navigate.clone();
        move |_| navigate(ROLE_CREATE_PATH, Default::default())
    };
    view! {
        <PageHeader title=texts::TITLE subtitle=texts::SUBTITLE>
            <Show when=move || !denied.get()>
                <button type="button" class="btn btn-primary" data-testid="role-create" on:click=create.clone()>{texts::CREATE_ROLE}</button>
            </Show>
        </PageHeader>
        <section class="panel">
            <div class="filters" class:hidden=move || denied.get()>
                <SearchInput placeholder="Search roles" label="Search roles" testid="role-search" value=search on_input=Callback::new(move |value: String| search.set(value)) />
                <label class="inline-field switch-field">
                    <input type="checkbox" role="switch" data-testid="role-show-reserved" prop:checked=move || show_reserved.get() on:change:target=move |ev| show_reserved.set(ev.target().checked()) />
                    {texts::SHOW_RESERVED}
                </label>
            </div>
            <Transition fallback=|| view! { <TableSkeleton /> }>
                {move || Suspend::new(async move {
                    match roles.await {
                        Ok(list) => view! { <RolesTable list search show_reserved to_delete /> }.into_any(),
                        Err(error) if error.status == 403 => view! { <NoPermission what="roles" /> }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=reload /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <DeleteRoleDialog target=to_delete on_deleted=reload />
    }
}

#[component]
pub(super) fn RolesTable(
    list: Vec<KibanaRole>,
    search: RwSignal<String>,
    show_reserved: RwSignal<bool>,
    to_delete: RwSignal<Option<String>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let list = StoredValue::new(list);
    let rows = move || {
        let needle = search.get().trim().search_folded();
        let reserved_too = show_reserved.get();
        let matching: Vec<KibanaRole> = list.with_value(|roles| {
            roles
                .iter()
                .filter(|r| reserved_too || !r.is_reserved())
                .filter(|r| needle.is_empty() || r.name.search_folded().contains(&needle))
                .cloned()
                .collect()
        });
        let empty = ("4", "roles-empty", "No roles match your search.");
        table_rows(matching, empty, |role| {
            let reserved = role.is_reserved();
            let href = role_edit_href(&role.name);
            let block = Signal::derive(move || reserved.then(|| texts::RESERVED_TIP.to_string()));
            let navigate = navigate.clone();
            let edit_href = href.clone();
            let name = role.name.clone();
            let summary = role_summary(&role)
                .into_iter()
                .map(|line| view! { <li>{line}</li> })
                .collect_view();
            view! {
                <tr data-testid="role-row" data-role=role.name.clone()>
                    <td>
                        <a href=space_path(&href) class="row-title" data-testid="role-link">{role.name.clone()}</a>
                        {reserved.then(|| view! { <ReservedBadge /> })}
                    </td>
                    <td class="muted">{role.description.clone().unwrap_or_default()}</td>
                    <td><ul class="privilege-summary">{summary}</ul></td>
                    <td>
                        <div class="row-actions">
                            <GuardedButton label="Edit" blocked=block on_press=Callback::new(move |_| navigate(&edit_href, Default::default())) class="btn-small" testid="role-edit" />
                            <GuardedButton label="Delete" blocked=block on_press=Callback::new(move |_| to_delete.set(Some(name.clone()))) class="btn-small btn-ghost-danger" testid="role-delete" />
                        </div>
                    </td>
                </tr>
            }
        })
    };
    view! {
        <DataTable class="data-table roles-table" testid="roles-table" headers=&["Role", "Description", "Grants", ""]>
            {rows}
        </DataTable>
    }
}

#[component]
pub(super) fn DeleteRoleDialog(
    target: RwSignal<Option<String>>,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let action = confirm_action(move |api, toasts, name: String| async move {
        let result = api.delete_role(&name).await;
        let failed = format!("Failed to delete role '{name}'");
        toasts.report_write(result, (texts::DELETED, &name), &failed, on_deleted)
    });
    view! {
        <ConfirmDialog
            target
            action
            title=Signal::derive(move || format!("Delete role '{}'?", target.get().unwrap_or_default()))
            body="Users with this role lose what it grants on their next request. This cannot be undone.".to_string()
            confirm_label="Delete role".to_string()
            testid="role-delete-dialog"
            confirm_testid="role-delete-confirm"
        />
    }
}

/// `/app/management/security/roles/edit[/:name]`.
#[component]
pub fn RoleEditPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.with(|p| p.get("name")).filter(|n| !n.is_empty()));
    view! {
        <ManagementPage>
            {move || match name.get() {
                None => view! { <RoleEditor initial=None /> }.into_any(),
                Some(name) => view! { <LoadRole name /> }.into_any(),
            }}
        </ManagementPage>
    }
}

#[component]
pub(super) fn LoadRole(name: String) -> impl IntoView {
    let api = expect_api();
    let name = StoredValue::new(name);
    let (role, reload) = reloadable(move || async move { api.get_role(&name.get_value()).await });
    view! {
        <Transition fallback=|| view! { <TableSkeleton class="panel " /> }>
            {move || Suspend::new(async move {
                match role.await {
                    Ok(role) => view! { <RoleEditor initial=Some(role) /> }.into_any(),
                    Err(error) if error.status == 403 => view! { <section class="panel"><NoPermission what="roles" /></section> }.into_any(),
                    Err(error) if error.status == 404 => view! {
                        <NotThere testid="role-not-found" title=format!("Role '{}' was not found", name.get_value()) back_href=ROLES_PATH back_label="Back to roles" />
                    }.into_any(),
                    Err(error) => view! { <LoadError error on_retry=reload /> }.into_any(),
                }
            })}
        </Transition>
    }
}

//! Stack Management → Security → Users: the list, with deactivate/activate and delete, here; the
//! create/edit form and the password change beside it. The form's checks and request are
//! `gatehouse_api::rules::user_form`, tested natively.

mod confirm;
mod form;
mod password;

pub use confirm::*;
pub use form::*;
pub use password::*;

use gatehouse_api::admin::{ChangePasswordRequest, User};
use gatehouse_api::rules::user_form::{
    is_reserved_user, put_user_request, texts, validate_new_password, validate_user_form, UserForm,
    UserFormErrors,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::expect_api;
use crate::components::{
    confirm_action, errors_once_submitted, open_while_some, table_rows, ConfirmDialog, DataTable,
    FieldError, FormError, GuardedButton, LoadError, ManagementPage, Modal, NoPermission,
    PageHeader, SearchInput, TableSkeleton, TextField,
};
use crate::components::{run_as_roles, ViewAsButton};
use crate::format::SearchFolded;
use crate::routes::access_path_for;
use crate::state::{expect_session, expect_toasts, space_path};

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <ManagementPage>
            <UsersList />
        </ManagementPage>
    }
}

/// What the user form dialog is open for.
#[derive(Debug, Clone, PartialEq)]
pub enum Editing {
    Create,
    Edit(User),
}

/// The write the confirmation dialog asks about, and on whom.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirm {
    Delete(String),
    Deactivate(String),
}

/// The users table with its dialogs; everything reads the list through one resource.
#[component]
pub fn UsersList() -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let reload = RwSignal::new(0u32);
    let search = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Editing>);
    let password_for = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(None::<Confirm>);
    let usernames = RwSignal::new(Vec::<String>::new());
    let denied = RwSignal::new(false);
    // A link from another page (an audit event's user) names the user whose editor opens, once:
    // a reload after a save must not open it again.
    // Read from the address bar, not the router's query, so the list also stands without a
    // router around it (as the component tests mount it).
    let edit_from_link = StoredValue::new(
        window()
            .location()
            .search()
            .ok()
            .and_then(|search| gatehouse_api::query_string::pairs(search.trim_start_matches('?')))
            .and_then(|pairs| pairs.into_iter().find(|(key, _)| key == "edit"))
            .map(|(_, name)| name)
            .filter(|name| !name.is_empty()),
    );

    let users = LocalResource::new(move || {
        reload.track();
        async move {
            let result = api.list_users().await;
            match &result {
                Ok(list) => {
                    denied.set(false);
                    usernames.set(list.iter().map(|u| u.username.clone()).collect());
                    if let Some(name) = edit_from_link.try_update_value(Option::take).flatten() {
                        if let Some(user) = list.iter().find(|u| u.username == name) {
                            editing.set(Some(Editing::Edit(user.clone())));
                        }
                    }
                }
                Err(error) if error.status == 403 => denied.set(true),
                Err(error) => toasts.api_error("Failed to load users", error),
            }
            result
        }
    });
    let on_saved = Callback::new(move |_| reload.update(|n| *n += 1));

    view! {
        <PageHeader title="Users" subtitle="Create and manage users who can sign in to Gatehouse, and assign their roles.">
            <Show when=move || !denied.get()>
                <button type="button" class="btn btn-primary" data-testid="user-create" on:click=move |_| editing.set(Some(Editing::Create))>
                    "Create user"
                </button>
            </Show>
        </PageHeader>
        <section class="panel">
            <div class="filters" class:hidden=move || denied.get()>
                <SearchInput placeholder="Search users by name, email or role" label="Search users" testid="user-search" value=search on_input=Callback::new(move |value: String| search.set(value)) />
            </div>
            <Transition fallback=|| view! { <TableSkeleton /> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! { <UsersTable list search editing confirm on_saved /> }.into_any(),
                        Err(error) if error.status == 403 => view! { <NoPermission what="users" /> }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <UserFormDialog editing usernames on_saved password_for />
        <ChangePasswordDialog username=password_for />
        <ConfirmUserDialog pending=confirm on_done=on_saved />
    }
}

#[component]
fn UsersTable(
    list: Vec<User>,
    search: RwSignal<String>,
    editing: RwSignal<Option<Editing>>,
    confirm: RwSignal<Option<Confirm>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let session = expect_session();
    let me = Signal::derive(move || session.user().map(|u| u.username).unwrap_or_default());
    let run_as_roles = run_as_roles();
    let list = StoredValue::new(list);
    let rows = move || {
        let needle = search.get().trim().search_folded();
        let matching: Vec<User> = list.with_value(|users| {
            users
                .iter()
                .filter(|u| {
                    needle.is_empty()
                        || u.username.search_folded().contains(&needle)
                        || u.full_name
                            .as_deref()
                            .unwrap_or("")
                            .search_folded()
                            .contains(&needle)
                        || u.email
                            .as_deref()
                            .unwrap_or("")
                            .search_folded()
                            .contains(&needle)
                        || u.roles.iter().any(|r| r.search_folded().contains(&needle))
                })
                .cloned()
                .collect()
        });
        let empty = ("6", "users-empty", "No users match your search.");
        table_rows(matching, empty, |user| {
            let username = user.username.clone();
            let is_me = {
                let username = username.clone();
                move || me.get() == username
            };
            let self_block = {
                let is_me = is_me.clone();
                Signal::derive(move || {
                    is_me().then(|| {
                        "You can't deactivate or delete the user you are signed in as.".to_string()
                    })
                })
            };
            let edit_user = user.clone();
            let (u2, u3) = (username.clone(), username.clone());
            let enabled = user.enabled;
            let toggle = Callback::new(move |_| {
                if enabled {
                    confirm.set(Some(Confirm::Deactivate(u2.clone())));
                } else {
                    let username = u2.clone();
                    spawn_local(async move {
                        match api.set_user_enabled(&username, true).await {
                            Ok(()) => {
                                toasts.success("Activated user", &username);
                                on_saved.run(());
                            }
                            Err(error) => toasts.api_error(
                                &format!("Failed to activate user '{username}'"),
                                &error,
                            ),
                        }
                    });
                }
            });
            let roles = user
                .roles
                .iter()
                .map(|role| view! { <span class="badge badge-role">{role.clone()}</span> })
                .collect_view();
            view! {
                <tr data-testid="user-row" data-username=username.clone() class:row-disabled=!enabled>
                    <td>
                        <button type="button" class="link-button row-title" data-testid="user-edit" on:click=move |_| editing.set(Some(Editing::Edit(edit_user.clone())))>
                            {username.clone()}
                        </button>
                        {is_reserved_user(&user).then(|| view! { <span class="badge badge-reserved">"Reserved"</span> })}
                    </td>
                    <td>{user.full_name.clone().unwrap_or_default()}</td>
                    <td>{user.email.clone().unwrap_or_default()}</td>
                    <td><div class="badge-list">{roles}</div></td>
                    <td>
                        {if enabled {
                            view! { <span class="status-dot status-dot-on">"Active"</span> }.into_any()
                        } else {
                            view! { <span class="badge badge-deactivated" data-testid="user-deactivated" title=texts::DEACTIVATED>"Deactivated"</span> }.into_any()
                        }}
                    </td>
                    <td>
                        <div class="row-actions">
                            <a class="btn btn-small btn-ghost" data-testid="user-access" href=space_path(&access_path_for(&username))>"Access"</a>
                            // The server refuses a deactivated user: not offered.
                            {enabled.then(|| view! {
                                <ViewAsButton username=username.clone() full_name=user.full_name.clone() roles=run_as_roles compact=true />
                            })}
                            <GuardedButton
                                label=Signal::derive(move || if enabled { "Deactivate".to_string() } else { "Activate".to_string() })
                                blocked=self_block
                                on_press=toggle
                                class="btn-small"
                                testid="user-toggle"
                            />
                            <GuardedButton
                                label="Delete"
                                blocked=self_block
                                on_press=Callback::new(move |_| confirm.set(Some(Confirm::Delete(u3.clone()))))
                                class="btn-small btn-ghost-danger"
                                testid="user-delete"
                            />
                        </div>
                    </td>
                </tr>
            }
        })
    };
    view! {
        <DataTable class="data-table users-table" testid="users-table" headers=&["User Name", "Full Name", "Email Address", "Roles", "Status", ""]>
            {rows}
        </DataTable>
        <p class="muted small table-count">{move || list.with_value(|l| format!("{} users", l.len()))}</p>
    }
}

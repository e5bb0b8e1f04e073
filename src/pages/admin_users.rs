//! Stack Management → Security → Users: list, create, edit, change password, deactivate/activate
//! and delete, with Kibana's texts (contract §7.2, §7.5). The validation is plain functions so
//! it is tested on its own.

use gatehouse_api::admin::{
    ChangePasswordRequest, PutUserRequest, User, MAX_USERNAME_LENGTH, MIN_PASSWORD_LENGTH,
};
use gatehouse_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::expect_api;
use crate::components::{open_while_some, AppForbidden, GuardedButton, Modal};
use crate::pages::dashboards::LoadError;
use crate::pages::effective_access::ACCESS_PATH;
use crate::state::{expect_session, expect_toasts, space_path};

pub const USERS_PATH: &str = "/app/management/security/users";
pub const ROLES_PATH: &str = "/app/management/security/roles";

pub mod texts {
    pub const ENTER_USERNAME: &str = "Enter a username.";
    pub const USERNAME_SPACES: &str = "Username must not contain leading or trailing spaces.";
    pub const USERNAME_PRINTABLE: &str =
        "Username must contain only letters, numbers, spaces, punctuation and printable symbols.";
    pub const ENTER_PASSWORD: &str = "Enter a password.";
    pub const PASSWORD_TOO_SHORT: &str = "Password must be at least 6 characters.";
    pub const PASSWORDS_DIFFER: &str = "Passwords do not match.";
    pub const INVALID_EMAIL: &str = "Enter a valid email address.";
    pub const USERNAME_FIXED: &str = "User name cannot be changed after account creation.";
    pub const INVALID_PASSWORD: &str = "Invalid password.";
    pub const PASSWORD_CHANGED: &str = "Password successfully changed";
    pub const DEACTIVATED: &str = "This user has been deactivated and can't access Gatehouse.";
    pub const ENTER_CURRENT_PASSWORD: &str = "Enter your current password.";

    pub fn username_too_long(max: usize) -> String {
        format!("Username must not exceed {max} characters.")
    }

    pub fn user_exists(username: &str) -> String {
        format!("User '{username}' already exists.")
    }
}

/// What the user form holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserForm {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub password: String,
    pub confirm_password: String,
    pub roles: Vec<String>,
}

/// One message per field, `None` when the field is fine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserFormErrors {
    pub username: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub confirm_password: Option<String>,
}

impl UserFormErrors {
    pub fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.email.is_none()
            && self.password.is_none()
            && self.confirm_password.is_none()
    }
}

pub fn validate_username(username: &str, existing: &[String]) -> Option<String> {
    if username.is_empty() {
        return Some(texts::ENTER_USERNAME.into());
    }
    if username.chars().count() > MAX_USERNAME_LENGTH {
        return Some(texts::username_too_long(MAX_USERNAME_LENGTH));
    }
    if username.trim() != username {
        return Some(texts::USERNAME_SPACES.into());
    }
    if username.chars().any(char::is_control) {
        return Some(texts::USERNAME_PRINTABLE.into());
    }
    if existing.iter().any(|u| u == username) {
        return Some(texts::user_exists(username));
    }
    None
}

/// A new password and its confirmation: `(password error, confirmation error)`.
pub fn validate_new_password(password: &str, confirm: &str) -> (Option<String>, Option<String>) {
    let password_error = if password.is_empty() {
        Some(texts::ENTER_PASSWORD.to_string())
    } else if password.chars().count() < MIN_PASSWORD_LENGTH {
        Some(texts::PASSWORD_TOO_SHORT.to_string())
    } else {
        None
    };
    let confirm_error = (password_error.is_none() && password != confirm)
        .then(|| texts::PASSWORDS_DIFFER.to_string());
    (password_error, confirm_error)
}

pub fn validate_email(email: &str) -> Option<String> {
    let email = email.trim();
    if email.is_empty() {
        return None;
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    (!valid).then(|| texts::INVALID_EMAIL.to_string())
}

/// Validates the form; `existing` are the usernames already taken (only checked on create).
pub fn validate_user_form(form: &UserForm, creating: bool, existing: &[String]) -> UserFormErrors {
    let mut errors = UserFormErrors {
        email: validate_email(&form.email),
        ..Default::default()
    };
    if creating {
        errors.username = validate_username(&form.username, existing);
        let (password, confirm) = validate_new_password(&form.password, &form.confirm_password);
        errors.password = password;
        errors.confirm_password = confirm;
    }
    errors
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The request the form sends; an edit keeps the user's metadata and enabled flag.
pub fn put_user_request(form: &UserForm, existing: Option<&User>) -> PutUserRequest {
    PutUserRequest {
        username: form.username.clone(),
        password: existing.is_none().then(|| form.password.clone()),
        roles: form.roles.clone(),
        full_name: non_empty(&form.full_name),
        email: non_empty(&form.email),
        metadata: existing
            .map(|u| u.metadata.clone())
            .filter(|m| m.as_object().is_some_and(|o| !o.is_empty())),
        enabled: Some(existing.map(|u| u.enabled).unwrap_or(true)),
    }
}

fn is_reserved_user(user: &User) -> bool {
    user.metadata
        .get("_reserved")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// Stack Management's side navigation and content area.
#[component]
pub fn ManagementShell(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let current = move |href: &'static str| {
        let href = space_path(href);
        move || location.pathname.get().starts_with(&href).then_some("page")
    };
    view! {
        <div class="management-layout">
            <nav class="management-nav panel" aria-label="Stack Management">
                <p class="management-nav-title">"Stack Management"</p>
                <p class="management-nav-group">"Security"</p>
                <a href=space_path(USERS_PATH) class="management-link" data-testid="management-users" aria-current=current(USERS_PATH)>"Users"</a>
                <a href=space_path(ROLES_PATH) class="management-link" data-testid="management-roles" aria-current=current(ROLES_PATH)>"Roles"</a>
                <a href=space_path(ACCESS_PATH) class="management-link" data-testid="management-access" aria-current=current(ACCESS_PATH)>"Effective access"</a>
                <p class="management-nav-group">"Kibana"</p>
                <a href=space_path(crate::components::spaces::SPACES_MANAGEMENT_PATH) class="management-link" data-testid="management-spaces" aria-current=current(crate::components::spaces::SPACES_MANAGEMENT_PATH)>"Spaces"</a>
            </nav>
            <div class="management-content page">{children()}</div>
        </div>
    }
}

/// What a user without the privilege sees instead of a list.
#[component]
pub fn NoPermission(what: &'static str) -> impl IntoView {
    let toasts = crate::state::expect_toasts();
    // Listing users or roles is `read_security`; `manage_security` and `all` imply it.
    let why = move |_| {
        toasts.explain(gatehouse_api::access::Requirement::cluster(&[
            "read_security",
            "manage_security",
            "all",
        ]))
    };
    view! {
        <section class="empty-state" data-testid="management-no-permission" role="status">
            <div class="empty-icon" aria-hidden="true">"⊘"</div>
            <h2>{format!("You need permission to manage {what}")}</h2>
            <p class="muted">
                "Contact your system administrator. "
                <button type="button" class="link-button" data-testid="management-why" on:click=why>"Why?"</button>
            </p>
        </section>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let session = expect_session();
    let allowed = move || session.capabilities().nav_link("management");
    view! {
        <Show
            when=allowed
            fallback=|| view! {
                <div class="page">
                    <AppForbidden app="Stack Management" reason="Your roles do not grant the Stack Management feature privilege (management) in this space." feature="management" />
                </div>
            }
        >
            <ManagementShell>
                <UsersList />
            </ManagementShell>
        </Show>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Editing {
    Create,
    Edit(User),
}

#[derive(Debug, Clone, PartialEq)]
enum Confirm {
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

    let users = LocalResource::new(move || {
        reload.track();
        async move {
            let result = api.list_users().await;
            match &result {
                Ok(list) => {
                    denied.set(false);
                    usernames.set(list.iter().map(|u| u.username.clone()).collect());
                }
                Err(error) if error.status == 403 => denied.set(true),
                Err(error) => toasts.api_error("Failed to load users", error),
            }
            result
        }
    });
    let on_saved = Callback::new(move |_| reload.update(|n| *n += 1));

    view! {
        <header class="page-header page-header-row">
            <div>
                <h1>"Users"</h1>
                <p class="muted">"Create and manage users who can sign in to Gatehouse, and assign their roles."</p>
            </div>
            <Show when=move || !denied.get()>
                <button type="button" class="btn btn-primary" data-testid="user-create" on:click=move |_| editing.set(Some(Editing::Create))>
                    "Create user"
                </button>
            </Show>
        </header>
        <section class="panel">
            <div class="filters" class:hidden=move || denied.get()>
                <input
                    type="search"
                    class="search-input"
                    placeholder="Search users by name, email or role"
                    aria-label="Search users"
                    data-testid="user-search"
                    prop:value=move || search.get()
                    on:input:target=move |ev| search.set(ev.target().value())
                />
            </div>
            <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span><span></span><span></span></div> }>
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
    let list = StoredValue::new(list);
    let rows = move || {
        let needle = search.get().trim().to_lowercase();
        let matching: Vec<User> = list.with_value(|users| {
            users
                .iter()
                .filter(|u| {
                    needle.is_empty()
                        || u.username.to_lowercase().contains(&needle)
                        || u.full_name
                            .as_deref()
                            .unwrap_or("")
                            .to_lowercase()
                            .contains(&needle)
                        || u.email
                            .as_deref()
                            .unwrap_or("")
                            .to_lowercase()
                            .contains(&needle)
                        || u.roles.iter().any(|r| r.to_lowercase().contains(&needle))
                })
                .cloned()
                .collect()
        });
        if matching.is_empty() {
            return view! {
                <tr><td colspan="6" class="empty-row muted" data-testid="users-empty">"No users match your search."</td></tr>
            }
            .into_any();
        }
        matching
            .into_iter()
            .map(|user| {
                let username = user.username.clone();
                let is_me = {
                    let username = username.clone();
                    move || me.get() == username
                };
                let self_block = {
                    let is_me = is_me.clone();
                    Signal::derive(move || is_me().then(|| "You can't deactivate or delete the user you are signed in as.".to_string()))
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
                                Err(error) => toasts.api_error(&format!("Failed to activate user '{username}'"), &error),
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
                                <a class="btn btn-small btn-ghost" data-testid="user-access" href=space_path(&crate::pages::effective_access::access_path_for(&username))>"Access"</a>
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
            .collect_view()
            .into_any()
    };
    view! {
        <div class="table-scroll">
        <table class="data-table users-table" data-testid="users-table">
            <thead>
                <tr>
                    <th scope="col">"User Name"</th>
                    <th scope="col">"Full Name"</th>
                    <th scope="col">"Email Address"</th>
                    <th scope="col">"Roles"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
        <p class="muted small table-count">{move || list.with_value(|l| format!("{} users", l.len()))}</p>
    }
}

#[component]
fn FieldError(#[prop(into)] error: Signal<Option<String>>, id: &'static str) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <span class="field-error" id=id role="alert" data-testid=id>{move || error.get().unwrap_or_default()}</span>
        </Show>
    }
}

#[component]
fn UserFormDialog(
    editing: RwSignal<Option<Editing>>,
    usernames: RwSignal<Vec<String>>,
    on_saved: Callback<()>,
    password_for: RwSignal<Option<String>>,
) -> impl IntoView {
    let open = open_while_some(editing);
    let title = Signal::derive(move || match editing.get() {
        Some(Editing::Edit(user)) => format!("Edit user '{}'", user.username),
        _ => "Create user".to_string(),
    });
    view! {
        <Modal open title testid="user-form-dialog" class="modal-wide">
            {move || editing.get().map(|mode| view! { <UserFormBody mode usernames open on_saved password_for /> })}
        </Modal>
    }
}

/// The create/edit form itself; exported for component tests.
#[component]
fn UserFormBody(
    mode: Editing,
    usernames: RwSignal<Vec<String>>,
    open: RwSignal<bool>,
    on_saved: Callback<()>,
    password_for: RwSignal<Option<String>>,
) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let existing = match &mode {
        Editing::Edit(user) => Some(user.clone()),
        Editing::Create => None,
    };
    let creating = existing.is_none();
    let form = RwSignal::new(match &existing {
        Some(user) => UserForm {
            username: user.username.clone(),
            full_name: user.full_name.clone().unwrap_or_default(),
            email: user.email.clone().unwrap_or_default(),
            roles: user.roles.clone(),
            ..Default::default()
        },
        None => UserForm::default(),
    });
    let submitted = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    let errors = Memo::new(move |_| {
        if !submitted.get() {
            return UserFormErrors::default();
        }
        usernames.with(|names| form.with(|f| validate_user_form(f, creating, names)))
    });
    let existing = StoredValue::new(existing);

    let roles = LocalResource::new(move || async move { api.list_roles().await });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let current = form.get_untracked();
        let problems =
            usernames.with_untracked(|names| validate_user_form(&current, creating, names));
        if !problems.is_empty() {
            return;
        }
        let request = existing.with_value(|user| put_user_request(&current, user.as_ref()));
        saving.set(true);
        server_error.set(None);
        spawn_local(async move {
            match api.put_user(&request).await {
                Ok(()) => {
                    let title = if creating {
                        "Created user"
                    } else {
                        "Updated user"
                    };
                    toasts.success(title, &request.username);
                    open.set(false);
                    on_saved.run(());
                }
                Err(error) => {
                    server_error.set(Some(error.toast_text()));
                    toasts.api_error(
                        &format!("Failed to save user '{}'", request.username),
                        &error,
                    );
                }
            }
            saving.set(false);
        });
    };

    let set = move |update: fn(&mut UserForm, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| update(f, value));
        }
    };
    let toggle_role = move |role: String, checked: bool| {
        form.update(|f| {
            f.roles.retain(|r| r != &role);
            if checked {
                f.roles.push(role);
            }
        });
    };

    view! {
        <form class="form" on:submit=submit novalidate data-testid="user-form">
            <Show when=move || server_error.with(Option::is_some)>
                <div class="callout callout-danger" role="alert">{move || server_error.get().unwrap_or_default()}</div>
            </Show>
            <div class="form-grid">
                <label class="field">
                    <span class="field-label">"Username"</span>
                    <input
                        type="text"
                        data-testid="user-username"
                        autocomplete="off"
                        readonly=!creating
                        aria-invalid=move || errors.with(|e| e.username.is_some()).then_some("true")
                        aria-describedby="user-username-error"
                        prop:value=move || form.with(|f| f.username.clone())
                        on:input=set(|f, v| f.username = v)
                    />
                    <FieldError error=Signal::derive(move || errors.with(|e| e.username.clone())) id="user-username-error" />
                    {(!creating).then(|| view! { <span class="muted small">{texts::USERNAME_FIXED}</span> })}
                </label>
                <label class="field">
                    <span class="field-label">"Full name"</span>
                    <input type="text" data-testid="user-full-name" autocomplete="off" prop:value=move || form.with(|f| f.full_name.clone()) on:input=set(|f, v| f.full_name = v) />
                </label>
                <label class="field field-wide">
                    <span class="field-label">"Email address"</span>
                    <input
                        type="text"
                        inputmode="email"
                        data-testid="user-email"
                        autocomplete="off"
                        aria-invalid=move || errors.with(|e| e.email.is_some()).then_some("true")
                        prop:value=move || form.with(|f| f.email.clone())
                        on:input=set(|f, v| f.email = v)
                    />
                    <FieldError error=Signal::derive(move || errors.with(|e| e.email.clone())) id="user-email-error" />
                </label>
                {creating.then(|| view! {
                    <label class="field">
                        <span class="field-label">"Password"</span>
                        <input
                            type="password"
                            data-testid="user-password"
                            autocomplete="new-password"
                            aria-invalid=move || errors.with(|e| e.password.is_some()).then_some("true")
                            prop:value=move || form.with(|f| f.password.clone())
                            on:input=set(|f, v| f.password = v)
                        />
                        <FieldError error=Signal::derive(move || errors.with(|e| e.password.clone())) id="user-password-error" />
                        <Show when=move || errors.with(|e| e.password.is_none())>
                            <span class="muted small">{texts::PASSWORD_TOO_SHORT}</span>
                        </Show>
                    </label>
                    <label class="field">
                        <span class="field-label">"Confirm password"</span>
                        <input
                            type="password"
                            data-testid="user-confirm-password"
                            autocomplete="new-password"
                            aria-invalid=move || errors.with(|e| e.confirm_password.is_some()).then_some("true")
                            prop:value=move || form.with(|f| f.confirm_password.clone())
                            on:input=set(|f, v| f.confirm_password = v)
                        />
                        <FieldError error=Signal::derive(move || errors.with(|e| e.confirm_password.clone())) id="user-confirm-password-error" />
                    </label>
                })}
            </div>
            <fieldset class="role-picker">
                <legend class="field-label">"Roles"</legend>
                <div class="role-options">
                <Transition fallback=|| view! { <p class="muted small">"Loading roles…"</p> }>
                    {move || Suspend::new(async move {
                        match roles.await {
                            Ok(list) => list.into_iter().map(|role| {
                                let name = role.name.clone();
                                let checked_name = name.clone();
                                let reserved = role.is_reserved();
                                view! {
                                    <label class="role-option">
                                        <input
                                            type="checkbox"
                                            data-testid="user-role"
                                            value=name.clone()
                                            prop:checked=move || form.with(|f| f.roles.contains(&checked_name))
                                            on:change:target=move |ev| toggle_role(name.clone(), ev.target().checked())
                                        />
                                        <span>{role.name.clone()}</span>
                                        {reserved.then(|| view! { <span class="badge badge-reserved">"Reserved"</span> })}
                                    </label>
                                }
                            }).collect_view().into_any(),
                            Err(error) => view! {
                                <p class="inline-result inline-danger" role="alert">{format!("Roles could not be loaded: {}", error.toast_text())}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
                </div>
                <p class="muted small">{move || form.with(|f| if f.roles.is_empty() { "No roles: this user can sign in but open nothing.".to_string() } else { format!("Selected: {}", f.roles.join(", ")) })}</p>
            </fieldset>
            <div class="modal-actions">
                {(!creating).then(|| {
                    let username = form.with_untracked(|f| f.username.clone());
                    view! {
                        <button type="button" class="btn btn-ghost actions-start" data-testid="user-change-password" on:click=move |_| {
                            open.set(false);
                            password_for.set(Some(username.clone()));
                        }>"Change password"</button>
                    }
                })}
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="btn btn-primary" data-testid="user-form-submit" disabled=move || saving.get()>
                    {if creating { "Create user" } else { "Update user" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn ChangePasswordDialog(username: RwSignal<Option<String>>) -> impl IntoView {
    let open = open_while_some(username);
    let title = Signal::derive(move || {
        format!(
            "Change password for '{}'",
            username.get().unwrap_or_default()
        )
    });
    view! {
        <Modal open title testid="user-password-dialog">
            {move || username.get().map(|user| view! { <ChangePasswordForm username=user open /> })}
        </Modal>
    }
}

#[component]
fn ChangePasswordForm(username: String, open: RwSignal<bool>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let session = expect_session();
    let own = session.user().is_some_and(|u| u.username == username);
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let current_error = RwSignal::new(None::<String>);
    let errors = Memo::new(move |_| {
        if !submitted.get() {
            return (None, None);
        }
        validate_new_password(&password.get(), &confirm.get())
    });
    let username = StoredValue::new(username);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        current_error.set(None);
        let (p, c) = validate_new_password(&password.get_untracked(), &confirm.get_untracked());
        if own && current.get_untracked().is_empty() {
            current_error.set(Some(texts::ENTER_CURRENT_PASSWORD.into()));
            return;
        }
        if p.is_some() || c.is_some() {
            return;
        }
        let request = ChangePasswordRequest {
            new_password: password.get_untracked(),
            password: own.then(|| current.get_untracked()),
        };
        saving.set(true);
        spawn_local(async move {
            let user = username.get_value();
            match api.change_user_password(&user, &request).await {
                Ok(()) => {
                    toasts.success(texts::PASSWORD_CHANGED, &user);
                    open.set(false);
                }
                Err(error) if own && error.status == 403 => {
                    current_error.set(Some(texts::INVALID_PASSWORD.into()));
                }
                Err(error) => {
                    toasts.api_error(&format!("Failed to change password for '{user}'"), &error)
                }
            }
            saving.set(false);
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate data-testid="user-password-form">
            {own.then(|| view! {
                <label class="field">
                    <span class="field-label">"Current password"</span>
                    <input type="password" data-testid="user-current-password" autocomplete="current-password" prop:value=move || current.get() on:input:target=move |ev| current.set(ev.target().value()) />
                    <FieldError error=current_error id="user-current-password-error" />
                </label>
            })}
            <label class="field">
                <span class="field-label">"New password"</span>
                <input type="password" data-testid="user-new-password" autocomplete="new-password" prop:value=move || password.get() on:input:target=move |ev| password.set(ev.target().value()) />
                <FieldError error=Signal::derive(move || errors.get().0) id="user-new-password-error" />
                <Show when=move || errors.with(|e| e.0.is_none())>
                    <span class="muted small">{texts::PASSWORD_TOO_SHORT}</span>
                </Show>
            </label>
            <label class="field">
                <span class="field-label">"Confirm password"</span>
                <input type="password" data-testid="user-new-password-confirm" autocomplete="new-password" prop:value=move || confirm.get() on:input:target=move |ev| confirm.set(ev.target().value()) />
                <FieldError error=Signal::derive(move || errors.get().1) id="user-new-password-confirm-error" />
            </label>
            {(!own).then(|| view! { <p class="callout callout-info">"The user's open sessions end when their password changes."</p> })}
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="btn btn-primary" data-testid="user-password-submit" disabled=move || saving.get()>"Change password"</button>
            </div>
        </form>
    }
}

#[component]
fn ConfirmUserDialog(pending: RwSignal<Option<Confirm>>, on_done: Callback<()>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let open = open_while_some(pending);
    let busy = RwSignal::new(false);
    let title = Signal::derive(move || match pending.get() {
        Some(Confirm::Delete(u)) => format!("Delete user '{u}'?"),
        Some(Confirm::Deactivate(u)) => format!("Deactivate user '{u}'?"),
        None => String::new(),
    });
    let run = move |_| {
        let Some(action) = pending.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let (result, done, failed): (Result<(), ApiError>, String, String) = match &action {
                Confirm::Delete(u) => (
                    api.delete_user(u).await,
                    "Deleted user".to_string(),
                    format!("Failed to delete user '{u}'"),
                ),
                Confirm::Deactivate(u) => (
                    api.set_user_enabled(u, false).await,
                    "Deactivated user".to_string(),
                    format!("Failed to deactivate user '{u}'"),
                ),
            };
            match result {
                Ok(()) => {
                    let who = match &action {
                        Confirm::Delete(u) | Confirm::Deactivate(u) => u.clone(),
                    };
                    toasts.success(&done, &who);
                    open.set(false);
                    on_done.run(());
                }
                Err(error) => toasts.api_error(&failed, &error),
            }
            busy.set(false);
        });
    };
    view! {
        <Modal open title testid="user-confirm-dialog">
            <p>{move || match pending.get() {
                Some(Confirm::Delete(_)) => "This user will be permanently deleted and their access to Gatehouse removed. This cannot be undone.",
                Some(Confirm::Deactivate(_)) => "This user will no longer be able to sign in, and their open sessions end at once. You can activate them again later.",
                None => "",
            }}</p>
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="btn btn-danger" data-testid="user-confirm" disabled=move || busy.get() on:click=run>
                    {move || match pending.get() {
                        Some(Confirm::Delete(_)) => "Delete user",
                        _ => "Deactivate user",
                    }}
                </button>
            </div>
        </Modal>
    }
}

//! Stack Management → Security → Roles: the list with `Reserved` badges, and the role editor
//! (cluster privileges, index privilege rows with field and document security, Kibana
//! privileges per space), with Kibana's texts (contract §7.1, §7.5). Validation and the request
//! body are plain functions so they are tested on their own.

use std::collections::BTreeMap;

use gatehouse_api::admin::{FeatureInfo, KibanaRole, MAX_ROLE_NAME_LENGTH};
use gatehouse_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde_json::{json, Value};

use crate::api::expect_api;
use crate::components::spaces::SpaceAvatar;
use crate::components::{open_while_some, unique_id, AppForbidden, GuardedButton, Modal};
use crate::pages::admin_users::{ManagementShell, NoPermission, ROLES_PATH};
use crate::pages::dashboards::LoadError;
use crate::state::{expect_session, expect_toasts, space_path};

pub mod texts {
    pub const TITLE: &str = "Roles";
    pub const SUBTITLE: &str =
        "Apply roles to groups of users and manage permissions across the stack.";
    pub const SHOW_RESERVED: &str = "Show reserved roles";
    pub const CREATE_ROLE: &str = "Create role";
    pub const EDIT_ROLE: &str = "Edit role";
    pub const RESERVED: &str = "Reserved";
    pub const RESERVED_TIP: &str = "Reserved roles are built-in and cannot be edited or removed.";
    pub const NAME_REQUIRED: &str = "Please provide a role name.";
    pub const NAME_TOO_LONG: &str = "Name must not exceed 1024 characters.";
    pub const NAME_SPACES: &str = "Name must not contain leading or trailing spaces.";
    pub const NAME_PRINTABLE: &str =
        "Name must contain only letters, numbers, spaces, punctuation and printable symbols.";
    pub const NAME_FIXED: &str = "Once the role is created you can no longer edit its name.";
    pub const NAME_TAKEN: &str = "A role with this name already exists.";
    pub const INDEX_REQUIRED: &str = "Enter or select at least one index pattern";
    pub const PRIVILEGE_REQUIRED_INDEX: &str = "Enter or select at least one action";
    pub const SPACE_REQUIRED: &str = "At least one space is required";
    pub const PRIVILEGE_REQUIRED: &str = "Privilege is required";
    pub const CREATED: &str = "Created role";
    pub const UPDATED: &str = "Updated role";
    pub const DELETED: &str = "Deleted role";
}

pub const CLUSTER_PRIVILEGES: [&str; 4] = ["all", "monitor", "manage_security", "read_security"];
pub const INDEX_PRIVILEGES: [&str; 11] = [
    "all",
    "read",
    "write",
    "index",
    "create",
    "create_index",
    "delete",
    "delete_index",
    "manage",
    "monitor",
    "view_index_metadata",
];

pub fn validate_role_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some(texts::NAME_REQUIRED.into());
    }
    if name.chars().count() > MAX_ROLE_NAME_LENGTH {
        return Some(texts::NAME_TOO_LONG.into());
    }
    if name.trim() != name {
        return Some(texts::NAME_SPACES.into());
    }
    if name.chars().any(char::is_control) {
        return Some(texts::NAME_PRINTABLE.into());
    }
    None
}

/// Comma- or newline-separated entries, trimmed, empty ones dropped.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The granted documents query must be JSON; on failure, where it breaks.
pub fn check_query(query: &str) -> Result<(), String> {
    if query.trim().is_empty() {
        return Ok(());
    }
    match serde_json::from_str::<Value>(query) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) => Err(
            "The query must be a JSON object, for example {\"term\": {\"region\": \"emea\"}}."
                .into(),
        ),
        Err(err) => {
            let message = err.to_string();
            let message = match message.rfind(" at line ") {
                Some(index) => message[..index].to_string(),
                None => message,
            };
            Err(format!(
                "Invalid JSON at line {}, column {}: {message}.",
                err.line(),
                err.column()
            ))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexRow {
    pub names: String,
    pub privileges: Vec<String>,
    pub grant_fields: String,
    pub except_fields: String,
    pub query: String,
    pub allow_restricted_indices: bool,
}

impl IndexRow {
    pub fn is_blank(&self) -> bool {
        split_list(&self.names).is_empty()
            && self.privileges.is_empty()
            && self.query.trim().is_empty()
            && self.grant_fields.trim().is_empty()
            && self.except_fields.trim().is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexRowErrors {
    pub names: Option<String>,
    pub privileges: Option<String>,
    pub query: Option<String>,
}

impl IndexRowErrors {
    pub fn is_empty(&self) -> bool {
        self.names.is_none() && self.privileges.is_none() && self.query.is_none()
    }
}

pub fn validate_index_row(row: &IndexRow) -> IndexRowErrors {
    if row.is_blank() {
        return IndexRowErrors::default();
    }
    IndexRowErrors {
        names: split_list(&row.names)
            .is_empty()
            .then(|| texts::INDEX_REQUIRED.to_string()),
        privileges: row
            .privileges
            .is_empty()
            .then(|| texts::PRIVILEGE_REQUIRED_INDEX.to_string()),
        query: check_query(&row.query).err(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasePrivilege {
    #[default]
    All,
    Read,
    Customize,
}

impl BasePrivilege {
    pub fn label(self) -> &'static str {
        match self {
            BasePrivilege::All => "All",
            BasePrivilege::Read => "Read",
            BasePrivilege::Customize => "Customize",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceRow {
    /// Space ids, `*` for all spaces.
    pub spaces: String,
    pub base: BasePrivilege,
    /// Feature id → `all` / `read`; absent means None.
    pub features: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceRowErrors {
    pub spaces: Option<String>,
    pub privilege: Option<String>,
}

impl SpaceRowErrors {
    pub fn is_empty(&self) -> bool {
        self.spaces.is_none() && self.privilege.is_none()
    }
}

fn valid_space_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Per row: spaces present and well-formed, no space in two rows, a privilege chosen.
pub fn validate_space_rows(rows: &[SpaceRow]) -> Vec<SpaceRowErrors> {
    let mut seen: Vec<String> = Vec::new();
    rows.iter()
        .map(|row| {
            let spaces = split_list(&row.spaces);
            let mut errors = SpaceRowErrors::default();
            if spaces.is_empty() {
                errors.spaces = Some(texts::SPACE_REQUIRED.into());
            } else if let Some(bad) = spaces.iter().find(|s| s.as_str() != "*" && !valid_space_id(s)) {
                errors.spaces = Some(format!(
                    "Space '{bad}' is not a space id: use lower case a-z, 0-9, '_' and '-', or * for all spaces."
                ));
            } else if spaces.len() > 1 && spaces.iter().any(|s| s == "*") {
                errors.spaces = Some("* (all spaces) cannot be combined with other spaces.".into());
            } else {
                let repeated: Vec<&String> = spaces.iter().filter(|s| seen.contains(s)).collect();
                if !repeated.is_empty() {
                    errors.spaces = Some(format!(
                        "More than one privilege is applied to the following spaces: [{}]",
                        repeated.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
                    ));
                }
                seen.extend(spaces);
            }
            if row.base == BasePrivilege::Customize && row.features.is_empty() {
                errors.privilege = Some(texts::PRIVILEGE_REQUIRED.into());
            }
            errors
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleForm {
    pub name: String,
    pub description: String,
    pub cluster: Vec<String>,
    pub run_as: Vec<String>,
    pub indices: Vec<IndexRow>,
    pub kibana: Vec<SpaceRow>,
    pub metadata: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleFormErrors {
    pub name: Option<String>,
    pub indices: Vec<IndexRowErrors>,
    pub kibana: Vec<SpaceRowErrors>,
}

impl RoleFormErrors {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.indices.iter().all(IndexRowErrors::is_empty)
            && self.kibana.iter().all(SpaceRowErrors::is_empty)
    }
}

pub fn validate_role_form(form: &RoleForm) -> RoleFormErrors {
    RoleFormErrors {
        name: validate_role_name(&form.name),
        indices: form.indices.iter().map(validate_index_row).collect(),
        kibana: validate_space_rows(&form.kibana),
    }
}

impl RoleForm {
    pub fn from_role(role: &KibanaRole) -> Self {
        let mut metadata = role.metadata.clone();
        if let Some(object) = metadata.as_object_mut() {
            object.retain(|key, _| !key.starts_with('_'));
        }
        Self {
            name: role.name.clone(),
            description: role.description.clone().unwrap_or_default(),
            cluster: role.elasticsearch.cluster.clone(),
            run_as: role.elasticsearch.run_as.clone(),
            indices: role
                .elasticsearch
                .indices
                .iter()
                .map(|index| IndexRow {
                    names: index.names.join(", "),
                    privileges: index.privileges.clone(),
                    grant_fields: index
                        .field_security
                        .as_ref()
                        .and_then(|f| f.grant.as_ref())
                        .map(|g| g.join(", "))
                        .unwrap_or_default(),
                    except_fields: index
                        .field_security
                        .as_ref()
                        .and_then(|f| f.except.as_ref())
                        .map(|g| g.join(", "))
                        .unwrap_or_default(),
                    query: index
                        .query
                        .as_deref()
                        .map(|q| match serde_json::from_str::<Value>(q) {
                            Ok(value) => serde_json::to_string_pretty(&value)
                                .unwrap_or_else(|_| q.to_string()),
                            Err(_) => q.to_string(),
                        })
                        .unwrap_or_default(),
                    allow_restricted_indices: index.allow_restricted_indices,
                })
                .collect(),
            kibana: role
                .kibana
                .iter()
                .map(|entry| SpaceRow {
                    spaces: entry.spaces.join(", "),
                    base: if entry.base.iter().any(|b| b == "all") {
                        BasePrivilege::All
                    } else if entry.base.iter().any(|b| b == "read") {
                        BasePrivilege::Read
                    } else {
                        BasePrivilege::Customize
                    },
                    features: entry
                        .feature
                        .iter()
                        .filter_map(|(id, privileges)| {
                            privileges.first().map(|p| (id.clone(), p.clone()))
                        })
                        .collect(),
                })
                .collect(),
            metadata,
        }
    }

    /// The `PUT /api/security/role/{name}` body (no name, no reserved or transient keys).
    pub fn to_body(&self) -> Value {
        let indices: Vec<Value> = self
            .indices
            .iter()
            .filter(|row| !row.is_blank())
            .map(|row| {
                let mut index = json!({
                    "names": split_list(&row.names),
                    "privileges": row.privileges,
                    "allow_restricted_indices": row.allow_restricted_indices,
                });
                let grant = split_list(&row.grant_fields);
                let except = split_list(&row.except_fields);
                if !grant.is_empty() || !except.is_empty() {
                    let grant = if grant.is_empty() {
                        vec!["*".to_string()]
                    } else {
                        grant
                    };
                    index["field_security"] = json!({ "grant": grant, "except": except });
                }
                if !row.query.trim().is_empty() {
                    // Stored compact, as Kibana sends it.
                    let query = serde_json::from_str::<Value>(&row.query)
                        .map(|v| v.to_string())
                        .unwrap_or_else(|_| row.query.trim().to_string());
                    index["query"] = Value::String(query);
                }
                index
            })
            .collect();
        let kibana: Vec<Value> = self
            .kibana
            .iter()
            .map(|row| {
                let (base, feature) = match row.base {
                    BasePrivilege::All => (vec!["all"], BTreeMap::new()),
                    BasePrivilege::Read => (vec!["read"], BTreeMap::new()),
                    BasePrivilege::Customize => (
                        vec![],
                        row.features
                            .iter()
                            .map(|(id, p)| (id.clone(), vec![p.clone()]))
                            .collect::<BTreeMap<_, _>>(),
                    ),
                };
                json!({ "base": base, "feature": feature, "spaces": split_list(&row.spaces) })
            })
            .collect();
        let mut body = json!({
            "elasticsearch": { "cluster": self.cluster, "indices": indices, "run_as": self.run_as },
            "kibana": kibana,
        });
        if !self.description.trim().is_empty() {
            body["description"] = Value::String(self.description.trim().to_string());
        }
        if self.metadata.as_object().is_some_and(|o| !o.is_empty()) {
            body["metadata"] = self.metadata.clone();
        }
        body
    }
}

/// A short, readable summary of what a role grants, for the list.
fn role_summary(role: &KibanaRole) -> Vec<String> {
    let mut out = Vec::new();
    if !role.elasticsearch.cluster.is_empty() {
        out.push(format!(
            "cluster: {}",
            role.elasticsearch.cluster.join(", ")
        ));
    }
    for index in &role.elasticsearch.indices {
        out.push(format!(
            "{}: {}",
            index.names.join(", "),
            index.privileges.join(", ")
        ));
    }
    for entry in &role.kibana {
        let spaces = if entry.spaces.iter().any(|s| s == "*") {
            "all spaces".to_string()
        } else {
            entry.spaces.join(", ")
        };
        if !entry.base.is_empty() {
            out.push(format!("Kibana {} in {spaces}", entry.base.join(", ")));
        } else {
            let features: Vec<String> = entry
                .feature
                .iter()
                .map(|(id, p)| format!("{id} {}", p.join("/")))
                .collect();
            out.push(format!("Kibana {} in {spaces}", features.join(", ")));
        }
    }
    out
}

#[component]
fn ReservedBadge() -> impl IntoView {
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

fn management_allowed() -> impl Fn() -> bool + Copy {
    let session = expect_session();
    move || session.capabilities().nav_link("management")
}

fn forbidden() -> impl IntoView {
    view! {
        <div class="page">
            <AppForbidden app="Stack Management" reason="Your roles do not grant the Stack Management feature privilege (management) in this space." feature="management" />
        </div>
    }
}

#[component]
pub fn RolesPage() -> impl IntoView {
    view! {
        <Show when=management_allowed() fallback=forbidden>
            <ManagementShell>
                <RolesList />
            </ManagementShell>
        </Show>
    }
}

pub fn role_edit_href(name: &str) -> String {
    format!(
        "{ROLES_PATH}/edit/{}",
        crate::api::encode_path_segment(name)
    )
}

#[component]
pub fn RolesList() -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let navigate = use_navigate();
    let reload = RwSignal::new(0u32);
    let search = RwSignal::new(String::new());
    let show_reserved = RwSignal::new(true);
    let denied = RwSignal::new(false);
    let to_delete = RwSignal::new(None::<String>);
    let roles = LocalResource::new(move || {
        reload.track();
        async move {
            let result = api.list_roles().await;
            match &result {
                Ok(_) => denied.set(false),
                Err(error) if error.status == 403 => denied.set(true),
                Err(error) => toasts.api_error("Failed to load roles", error),
            }
            result
        }
    });
    let create = {
        let navigate = navigate.clone();
        move |_| navigate(&format!("{ROLES_PATH}/edit"), Default::default())
    };
    view! {
        <header class="page-header page-header-row">
            <div>
                <h1>{texts::TITLE}</h1>
                <p class="muted">{texts::SUBTITLE}</p>
            </div>
            <Show when=move || !denied.get()>
                <button type="button" class="btn btn-primary" data-testid="role-create" on:click=create.clone()>{texts::CREATE_ROLE}</button>
            </Show>
        </header>
        <section class="panel">
            <div class="filters" class:hidden=move || denied.get()>
                <input
                    type="search"
                    class="search-input"
                    placeholder="Search roles"
                    aria-label="Search roles"
                    data-testid="role-search"
                    prop:value=move || search.get()
                    on:input:target=move |ev| search.set(ev.target().value())
                />
                <label class="inline-field switch-field">
                    <input type="checkbox" role="switch" data-testid="role-show-reserved" prop:checked=move || show_reserved.get() on:change:target=move |ev| show_reserved.set(ev.target().checked()) />
                    {texts::SHOW_RESERVED}
                </label>
            </div>
            <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span><span></span><span></span></div> }>
                {move || Suspend::new(async move {
                    match roles.await {
                        Ok(list) => view! { <RolesTable list search show_reserved to_delete /> }.into_any(),
                        Err(error) if error.status == 403 => view! { <NoPermission what="roles" /> }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <DeleteRoleDialog target=to_delete on_deleted=Callback::new(move |_| reload.update(|n| *n += 1)) />
    }
}

#[component]
fn RolesTable(
    list: Vec<KibanaRole>,
    search: RwSignal<String>,
    show_reserved: RwSignal<bool>,
    to_delete: RwSignal<Option<String>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let list = StoredValue::new(list);
    let rows = move || {
        let needle = search.get().trim().to_lowercase();
        let reserved_too = show_reserved.get();
        let matching: Vec<KibanaRole> = list.with_value(|roles| {
            roles
                .iter()
                .filter(|r| reserved_too || !r.is_reserved())
                .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle))
                .cloned()
                .collect()
        });
        if matching.is_empty() {
            return view! { <tr><td colspan="4" class="empty-row muted" data-testid="roles-empty">"No roles match your search."</td></tr> }.into_any();
        }
        matching
            .into_iter()
            .map(|role| {
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
            .collect_view()
            .into_any()
    };
    view! {
        <div class="table-scroll">
            <table class="data-table roles-table" data-testid="roles-table">
                <thead>
                    <tr>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Grants"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn DeleteRoleDialog(target: RwSignal<Option<String>>, on_deleted: Callback<()>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let open = open_while_some(target);
    let busy = RwSignal::new(false);
    let confirm = move |_| {
        let Some(name) = target.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match api.delete_role(&name).await {
                Ok(()) => {
                    toasts.success(texts::DELETED, &name);
                    open.set(false);
                    on_deleted.run(());
                }
                Err(error) => toasts.api_error(&format!("Failed to delete role '{name}'"), &error),
            }
            busy.set(false);
        });
    };
    view! {
        <Modal open title=Signal::derive(move || format!("Delete role '{}'?", target.get().unwrap_or_default())) testid="role-delete-dialog">
            <p>"Users with this role lose what it grants on their next request. This cannot be undone."</p>
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="btn btn-danger" data-testid="role-delete-confirm" disabled=move || busy.get() on:click=confirm>"Delete role"</button>
            </div>
        </Modal>
    }
}

/// `/app/management/security/roles/edit[/:name]`.
#[component]
pub fn RoleEditPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.with(|p| p.get("name")).filter(|n| !n.is_empty()));
    view! {
        <Show when=management_allowed() fallback=forbidden>
            <ManagementShell>
                {move || match name.get() {
                    None => view! { <RoleEditor initial=None /> }.into_any(),
                    Some(name) => view! { <LoadRole name /> }.into_any(),
                }}
            </ManagementShell>
        </Show>
    }
}

#[component]
fn LoadRole(name: String) -> impl IntoView {
    let api = expect_api();
    let name = StoredValue::new(name);
    let reload = RwSignal::new(0u32);
    let role = LocalResource::new(move || {
        reload.track();
        async move { api.get_role(&name.get_value()).await }
    });
    view! {
        <Transition fallback=|| view! { <div class="panel table-skeleton skeleton"><span></span><span></span><span></span></div> }>
            {move || Suspend::new(async move {
                match role.await {
                    Ok(role) => view! { <RoleEditor initial=Some(role) /> }.into_any(),
                    Err(error) if error.status == 403 => view! { <section class="panel"><NoPermission what="roles" /></section> }.into_any(),
                    Err(error) if error.status == 404 => view! {
                        <section class="panel empty-state" data-testid="role-not-found">
                            <h2>{format!("Role '{}' was not found", name.get_value())}</h2>
                            <p class="muted">"It may have been deleted."</p>
                            <a class="btn" href=space_path(ROLES_PATH)>"Back to roles"</a>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ErrorText(#[prop(into)] error: Signal<Option<String>>, testid: &'static str) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <span class="field-error" role="alert" data-testid=testid>{move || error.get().unwrap_or_default()}</span>
        </Show>
    }
}

/// The role editor; `initial` is the role being edited, `None` to create one.
#[component]
pub fn RoleEditor(initial: Option<KibanaRole>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let navigate = use_navigate();
    let creating = initial.is_none();
    let reserved = initial.as_ref().is_some_and(KibanaRole::is_reserved);
    let form = RwSignal::new(match &initial {
        Some(role) => RoleForm::from_role(role),
        None => RoleForm {
            indices: vec![IndexRow::default()],
            ..Default::default()
        },
    });
    let submitted = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let name_taken = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    let errors = Memo::new(move |_| {
        if !submitted.get() {
            return RoleFormErrors::default();
        }
        let mut errors = form.with(validate_role_form);
        if errors.name.is_none() && name_taken.get() {
            errors.name = Some(texts::NAME_TAKEN.into());
        }
        errors
    });
    let features = LocalResource::new(move || async move { api.list_features().await });
    let to_delete = RwSignal::new(None::<String>);

    let save = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if reserved {
                return;
            }
            submitted.set(true);
            let current = form.get_untracked();
            if !validate_role_form(&current).is_empty() || (creating && name_taken.get_untracked())
            {
                return;
            }
            saving.set(true);
            server_error.set(None);
            let navigate = navigate.clone();
            spawn_local(async move {
                match api
                    .put_role(&current.name, &current.to_body(), creating)
                    .await
                {
                    Ok(()) => {
                        toasts.success(
                            if creating {
                                texts::CREATED
                            } else {
                                texts::UPDATED
                            },
                            &current.name,
                        );
                        navigate(ROLES_PATH, Default::default());
                    }
                    Err(error) if creating && error.status == 409 => name_taken.set(true),
                    Err(error) => {
                        server_error.set(Some(error.message.clone()));
                        toasts
                            .api_error(&format!("Failed to save role '{}'", current.name), &error);
                    }
                }
                saving.set(false);
            });
        }
    };

    let index_len = Memo::new(move |_| form.with(|f| f.indices.len()));
    let space_len = Memo::new(move |_| form.with(|f| f.kibana.len()));
    let cluster_options = Memo::new(move |_| {
        let mut options: Vec<String> = CLUSTER_PRIVILEGES.iter().map(|s| s.to_string()).collect();
        form.with(|f| {
            for extra in &f.cluster {
                if !options.contains(extra) {
                    options.push(extra.clone());
                }
            }
        });
        options
    });

    let title = if creating {
        texts::CREATE_ROLE
    } else {
        texts::EDIT_ROLE
    };
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href=space_path(ROLES_PATH)>{texts::TITLE}</a>" / "{title}</nav>
        <header class="page-header">
            <h1 data-testid="role-editor-title">{title}</h1>
            <p class="muted">"Set privileges on your Elasticsearch data and control access to your Gatehouse spaces."</p>
        </header>
        {reserved.then(|| view! {
            <div class="callout callout-info" role="status" data-testid="role-reserved-notice">
                <p class="callout-title">"This role is reserved"</p>
                <p>{texts::RESERVED_TIP}</p>
            </div>
        })}
        <form class="role-editor" on:submit=save novalidate data-testid="role-editor">
            <fieldset class="role-editor-fields" disabled=reserved>
            <Show when=move || server_error.with(Option::is_some)>
                <div class="callout callout-danger" role="alert" data-testid="role-server-error">
                    <p class="callout-title">"The role was not saved"</p>
                    <p>{move || server_error.get().unwrap_or_default()}</p>
                </div>
            </Show>
            <section class="panel editor-section">
                <div class="form-grid">
                    <label class="field">
                        <span class="field-label">"Role name"</span>
                        <input
                            type="text"
                            data-testid="role-name"
                            autocomplete="off"
                            readonly=!creating
                            aria-invalid=move || errors.with(|e| e.name.is_some()).then_some("true")
                            prop:value=move || form.with(|f| f.name.clone())
                            on:input:target=move |ev| {
                                name_taken.set(false);
                                form.update(|f| f.name = ev.target().value());
                            }
                        />
                        <ErrorText error=Signal::derive(move || errors.with(|e| e.name.clone())) testid="role-name-error" />
                        {(!creating).then(|| view! { <span class="muted small">{texts::NAME_FIXED}</span> })}
                    </label>
                    <label class="field">
                        <span class="field-label">"Description"</span>
                        <input type="text" data-testid="role-description" prop:value=move || form.with(|f| f.description.clone()) on:input:target=move |ev| form.update(|f| f.description = ev.target().value()) />
                    </label>
                </div>
            </section>

            <section class="panel editor-section" aria-labelledby="es-title">
                <h2 id="es-title">"Elasticsearch"</h2>
                <h3>"Cluster privileges"</h3>
                <p class="muted small">"Manage the actions this role can perform against your cluster."</p>
                <div class="chip-options" data-testid="role-cluster">
                    <For each=move || cluster_options.get() key=|p| p.clone() let:privilege>
                        {
                            let checked = privilege.clone();
                            let toggled = privilege.clone();
                            view! {
                                <label class="chip-option">
                                    <input type="checkbox" value=privilege.clone() prop:checked=move || form.with(|f| f.cluster.contains(&checked))
                                        on:change:target=move |ev| {
                                            let on = ev.target().checked();
                                            form.update(|f| {
                                                f.cluster.retain(|p| p != &toggled);
                                                if on { f.cluster.push(toggled.clone()); }
                                            });
                                        } />
                                    <span>{privilege.clone()}</span>
                                </label>
                            }
                        }
                    </For>
                </div>
                {move || form.with(|f| (!f.run_as.is_empty()).then(|| format!("Run As privileges: {}", f.run_as.join(", ")))).map(|text| view! { <p class="muted small">{text}</p> })}

                <h3>"Index privileges"</h3>
                <p class="muted small">"Control access to the data in your cluster."</p>
                <div class="index-rows">
                    {move || (0..index_len.get()).map(|i| view! { <IndexRowEditor i form errors /> }).collect_view()}
                </div>
                <button type="button" class="btn btn-small" data-testid="role-add-index" on:click=move |_| form.update(|f| f.indices.push(IndexRow::default()))>
                    "Add index privilege"
                </button>
            </section>

            <section class="panel editor-section" aria-labelledby="kibana-title">
                <h2 id="kibana-title">"Kibana"</h2>
                <p class="muted small">"Privileges per space: All or Read for every feature, or Customize feature by feature."</p>
                <Show when=move || space_len.get() == 0>
                    <p class="muted" data-testid="role-no-kibana">"This role grants no access to Gatehouse apps."</p>
                </Show>
                <Transition fallback=|| view! { <p class="muted small">"Loading features…"</p> }>
                    {move || Suspend::new(async move {
                        let features = features.await;
                        let (list, error) = match features {
                            Ok(list) => (list, None),
                            Err(error) => (Vec::new(), Some(error)),
                        };
                        let list = StoredValue::new(list);
                        view! {
                            {error.map(|e: ApiError| view! { <p class="inline-result inline-danger" role="alert">{format!("Features could not be loaded: {}", e.toast_text())}</p> })}
                            <div class="space-rows">
                                {move || (0..space_len.get()).map(|i| view! { <SpaceRowEditor i form errors features=list /> }).collect_view()}
                            </div>
                        }
                    })}
                </Transition>
                <button type="button" class="btn btn-small" data-testid="role-add-space" on:click=move |_| form.update(|f| {
                    let spaces = if f.kibana.is_empty() { "*".to_string() } else { String::new() };
                    f.kibana.push(SpaceRow { spaces, ..Default::default() });
                })>
                    "Assign to space"
                </button>
            </section>
            </fieldset>

            <div class="editor-actions">
                {(!creating && !reserved).then(|| {
                    let name = form.with_untracked(|f| f.name.clone());
                    view! { <button type="button" class="btn btn-ghost-danger" data-testid="role-editor-delete" on:click=move |_| to_delete.set(Some(name.clone()))>"Delete role"</button> }
                })}
                <span class="spacer"></span>
                <a class="btn" href=space_path(ROLES_PATH)>{if reserved { "Back to roles" } else { "Cancel" }}</a>
                {(!reserved).then(|| view! {
                    <button type="submit" class="btn btn-primary" data-testid="role-save" disabled=move || saving.get()>
                        {if creating { "Create role" } else { "Update role" }}
                    </button>
                })}
            </div>
        </form>
        <DeleteRoleDialog target=to_delete on_deleted=Callback::new(move |_| navigate(ROLES_PATH, Default::default())) />
    }
}

#[component]
fn IndexRowEditor(
    i: usize,
    form: RwSignal<RoleForm>,
    errors: Memo<RoleFormErrors>,
) -> impl IntoView {
    let read = move |get: fn(&IndexRow) -> String| {
        move || form.with(|f| f.indices.get(i).map(get).unwrap_or_default())
    };
    let write = move |set: fn(&mut IndexRow, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| {
                if let Some(row) = f.indices.get_mut(i) {
                    set(row, value);
                }
            });
        }
    };
    let error = move |get: fn(&IndexRowErrors) -> Option<String>| {
        Signal::derive(move || errors.with(|e| e.indices.get(i).and_then(get)))
    };
    let options = move || {
        let mut options: Vec<String> = INDEX_PRIVILEGES.iter().map(|s| s.to_string()).collect();
        form.with_untracked(|f| {
            if let Some(row) = f.indices.get(i) {
                for extra in &row.privileges {
                    if !options.contains(extra) {
                        options.push(extra.clone());
                    }
                }
            }
        });
        options
    };
    let fls_open = RwSignal::new(form.with_untracked(|f| {
        f.indices
            .get(i)
            .is_some_and(|r| !r.grant_fields.is_empty() || !r.except_fields.is_empty())
    }));
    let dls_open = RwSignal::new(
        form.with_untracked(|f| f.indices.get(i).is_some_and(|r| !r.query.is_empty())),
    );
    view! {
        <div class="index-row" data-testid="role-index-row">
            <div class="index-row-main">
                <label class="field">
                    <span class="field-label">"Indices"</span>
                    <input type="text" data-testid="role-index-names" placeholder=".entity_analytics.entity-leads-*, logs-*"
                        aria-invalid=move || error(|e| e.names.clone()).get().is_some().then_some("true")
                        prop:value=read(|r| r.names.clone()) on:input=write(|r, v| r.names = v) />
                    <ErrorText error=error(|e| e.names.clone()) testid="role-index-names-error" />
                </label>
                <fieldset class="field">
                    <legend class="field-label">"Privileges"</legend>
                    <div class="chip-options" data-testid="role-index-privileges">
                        {options().into_iter().map(|privilege| {
                            let checked = privilege.clone();
                            let toggled = privilege.clone();
                            view! {
                                <label class="chip-option">
                                    <input type="checkbox" value=privilege.clone()
                                        prop:checked=move || form.with(|f| f.indices.get(i).is_some_and(|r| r.privileges.contains(&checked)))
                                        on:change:target=move |ev| {
                                            let on = ev.target().checked();
                                            form.update(|f| if let Some(row) = f.indices.get_mut(i) {
                                                row.privileges.retain(|p| p != &toggled);
                                                if on { row.privileges.push(toggled.clone()); }
                                            });
                                        } />
                                    <span>{privilege.clone()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <ErrorText error=error(|e| e.privileges.clone()) testid="role-index-privileges-error" />
                </fieldset>
                <button type="button" class="btn btn-icon-only index-remove" aria-label="Remove this index privilege" title="Remove"
                    on:click=move |_| form.update(|f| { if i < f.indices.len() { f.indices.remove(i); } })>"×"</button>
            </div>
            <div class="index-row-options">
                <label class="inline-field">
                    <input type="checkbox" prop:checked=move || fls_open.get() on:change:target=move |ev| fls_open.set(ev.target().checked()) />
                    "Grant access to specific fields"
                </label>
                <label class="inline-field">
                    <input type="checkbox" data-testid="role-index-dls" prop:checked=move || dls_open.get() on:change:target=move |ev| dls_open.set(ev.target().checked()) />
                    "Grant read privileges to specific documents"
                </label>
            </div>
            <Show when=move || fls_open.get()>
                <div class="form-grid">
                    <label class="field">
                        <span class="field-label">"Granted fields"</span>
                        <input type="text" placeholder="*" prop:value=read(|r| r.grant_fields.clone()) on:input=write(|r, v| r.grant_fields = v) />
                    </label>
                    <label class="field">
                        <span class="field-label">"Denied fields"</span>
                        <input type="text" placeholder="ssn, card.number" prop:value=read(|r| r.except_fields.clone()) on:input=write(|r, v| r.except_fields = v) />
                    </label>
                </div>
            </Show>
            <Show when=move || dls_open.get()>
                <label class="field">
                    <span class="field-label">"Granted documents query"</span>
                    <textarea rows="4" class="code-input" data-testid="role-index-query" spellcheck="false" placeholder="{\"term\": {\"region\": \"emea\"}}"
                        aria-invalid=move || error(|e| e.query.clone()).get().is_some().then_some("true")
                        prop:value=read(|r| r.query.clone()) on:input=write(|r, v| r.query = v)></textarea>
                    <ErrorText error=error(|e| e.query.clone()) testid="role-index-query-error" />
                </label>
            </Show>
        </div>
    }
}

#[component]
fn SpaceRowEditor(
    i: usize,
    form: RwSignal<RoleForm>,
    errors: Memo<RoleFormErrors>,
    features: StoredValue<Vec<FeatureInfo>>,
) -> impl IntoView {
    let base =
        Memo::new(move |_| form.with(|f| f.kibana.get(i).map(|r| r.base).unwrap_or_default()));
    let group = unique_id("base");
    let error = move |get: fn(&SpaceRowErrors) -> Option<String>| {
        Signal::derive(move || errors.with(|e| e.kibana.get(i).and_then(get)))
    };
    let set_base = move |value: BasePrivilege| {
        form.update(|f| {
            if let Some(row) = f.kibana.get_mut(i) {
                row.base = value;
            }
        })
    };
    let base_options = [
        BasePrivilege::All,
        BasePrivilege::Read,
        BasePrivilege::Customize,
    ]
    .into_iter()
    .map(|option| {
        let group = group.clone();
        view! {
            <label class="segment" class:segment-on=move || base.get() == option>
                <input type="radio" name=group value=option.label() data-testid="role-space-base"
                    prop:checked=move || base.get() == option on:change=move |_| set_base(option) />
                {option.label()}
            </label>
        }
    })
    .collect_view();
    let feature_rows = move || {
        features.with_value(|list| {
            list.iter()
                .map(|feature| {
                    let id = feature.id.clone();
                    let group = unique_id("feature");
                    let levels = [("all", "All"), ("read", "Read"), ("none", "None")]
                        .into_iter()
                        .map(|(value, label)| {
                            let id_checked = id.clone();
                            let id_set = id.clone();
                            let group = group.clone();
                            let current = move || {
                                form.with(|f| {
                                    f.kibana
                                        .get(i)
                                        .and_then(|r| r.features.get(&id_checked).cloned())
                                        .unwrap_or_else(|| "none".into())
                                })
                            };
                            let on = {
                                let current = current.clone();
                                move || current() == value
                            };
                            let on_class = on.clone();
                            view! {
                                <label class="segment segment-small" class:segment-on=on_class>
                                    <input type="radio" name=group value=value prop:checked=on on:change=move |_| {
                                        form.update(|f| if let Some(row) = f.kibana.get_mut(i) {
                                            if value == "none" { row.features.remove(&id_set); } else { row.features.insert(id_set.clone(), value.to_string()); }
                                        });
                                    } />
                                    {label}
                                </label>
                            }
                        })
                        .collect_view();
                    view! {
                        <tr data-testid="role-feature-row" data-feature=feature.id.clone()>
                            <td>
                                <span class="feature-name">{feature.name.clone()}</span>
                                <span class="muted small feature-category">{feature.category.label.clone()}</span>
                            </td>
                            <td><div class="segmented" role="radiogroup" aria-label=format!("{} privilege", feature.name)>{levels}</div></td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="space-row" data-testid="role-space-row">
            <div class="space-row-head">
                <label class="field space-field">
                    <span class="field-label">"Spaces"</span>
                    <input type="text" data-testid="role-space-spaces" placeholder="* for all spaces, or ids: default, marketing"
                        aria-invalid=move || error(|e| e.spaces.clone()).get().is_some().then_some("true")
                        prop:value=move || form.with(|f| f.kibana.get(i).map(|r| r.spaces.clone()).unwrap_or_default())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            form.update(|f| if let Some(row) = f.kibana.get_mut(i) { row.spaces = value; });
                        } />
                    <SpacePicker form i />
                    <ErrorText error=error(|e| e.spaces.clone()) testid="role-space-spaces-error" />
                </label>
                <div class="field">
                    <span class="field-label">"Privileges for all features"</span>
                    <div class="segmented" role="radiogroup" aria-label="Privileges for all features">{base_options}</div>
                    <ErrorText error=error(|e| e.privilege.clone()) testid="role-space-privilege-error" />
                </div>
                <button type="button" class="btn btn-icon-only" aria-label="Remove these space privileges" title="Remove"
                    on:click=move |_| form.update(|f| { if i < f.kibana.len() { f.kibana.remove(i); } })>"×"</button>
            </div>
            <Show when=move || base.get() == BasePrivilege::Customize>
                <table class="privilege-table feature-table">
                    <thead><tr><th scope="col">"Feature"</th><th scope="col">"Privilege"</th></tr></thead>
                    <tbody>{feature_rows}</tbody>
                </table>
            </Show>
        </div>
    }
}

/// Adds or removes one space in a comma-separated list; `*` (all spaces) stands alone.
pub fn toggle_space(list: &str, id: &str) -> String {
    let mut spaces = split_list(list);
    if id == "*" {
        return if spaces.iter().any(|s| s == "*") {
            String::new()
        } else {
            "*".to_string()
        };
    }
    spaces.retain(|s| s != "*");
    if let Some(at) = spaces.iter().position(|s| s == id) {
        spaces.remove(at);
    } else {
        spaces.push(id.to_string());
    }
    spaces.join(", ")
}

/// `Select spaces`: `* All Spaces` and every space the administrator can see, as toggles that
/// edit the list above (which still takes ids typed by hand, for spaces not created yet).
#[component]
fn SpacePicker(form: RwSignal<RoleForm>, i: usize) -> impl IntoView {
    let api = expect_api();
    let spaces =
        LocalResource::new(move || async move { api.list_spaces().await.unwrap_or_default() });
    let selected = move |id: &str| {
        form.with(|f| {
            f.kibana
                .get(i)
                .is_some_and(|r| split_list(&r.spaces).iter().any(|s| s == id))
        })
    };
    let toggle = move |id: String| {
        form.update(|f| {
            if let Some(row) = f.kibana.get_mut(i) {
                row.spaces = toggle_space(&row.spaces, &id);
            }
        })
    };
    view! {
        <div class="space-picker" role="group" aria-label="Select spaces" data-testid="role-space-picker">
            <button type="button" class="chip-toggle" data-testid="role-space-all"
                aria-pressed=move || selected("*").to_string()
                on:click=move |_| toggle("*".to_string())>
                "* All Spaces"
            </button>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    spaces.await.into_iter().map(|space| {
                        let id = space.id.clone();
                        let pressed_id = space.id.clone();
                        view! {
                            <button type="button" class="chip-toggle" data-testid="role-space-option" data-space=space.id.clone()
                                aria-pressed=move || selected(&pressed_id).to_string()
                                on:click=move |_| toggle(id.clone())>
                                <SpaceAvatar space=space.clone() size="space-avatar-small" />
                                {space.name.clone()}
                            </button>
                        }
                    }).collect_view()
                })}
            </Transition>
        </div>
    }
}

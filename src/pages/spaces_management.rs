//! Stack Management → Kibana → Spaces (contract §8): the list, the create and edit form (live
//! avatar preview, feature visibility), delete with a confirmation that names what goes with the
//! space, and — beyond Kibana (kibana#27002, #38051) — who can enter each space and at what level.
//! The form logic is plain functions so it is tested on its own.

use gatehouse_api::access::AccessLevel;
use gatehouse_api::admin::FeatureInfo;
use gatehouse_api::space_access::{
    FeatureLevel, MemberEntry, RoleEntry, SpaceAccessReport, SpaceContents, SpaceLevel,
};
use gatehouse_api::spaces::{validate_space, Space, DEFAULT_SPACE_ID};
use gatehouse_api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::expect_api;
use crate::components::spaces::{
    enter_space, SpaceAvatar, SPACES_MANAGEMENT_PATH, SPACE_SELECTOR_PATH,
};
use crate::components::{open_while_some, GuardedButton, Modal};
use crate::pages::admin_roles::role_edit_href;
use crate::pages::admin_users::ManagementShell;
use crate::pages::dashboards::LoadError;
use crate::pages::effective_access::access_path_for;
use crate::state::{current_space, expect_session, expect_toasts, space_path};

pub const SPACES_PATH: &str = SPACES_MANAGEMENT_PATH;
pub const SPACE_CREATE_PATH: &str = "/app/management/kibana/spaces/create";

/// `/app/management/kibana/spaces/edit/{id}`.
pub fn space_edit_path(id: &str) -> String {
    format!("{SPACES_PATH}/edit/{}", crate::api::encode_path_segment(id))
}

/// Kibana's texts (spaces management and its `SpaceValidator`).
pub mod texts {
    pub const TITLE: &str = "Spaces";
    pub const SUBTITLE: &str =
        "Organize your dashboards and other saved objects into meaningful categories.";
    pub const CREATE: &str = "Create space";
    pub const UPDATE: &str = "Update space";
    pub const NO_PERMISSION: &str = "You need permission to manage spaces";
    pub const NO_PERMISSION_HELP: &str = "Contact your system administrator. Creating, editing and deleting spaces needs the Kibana privilege All in every space (*), as the kibana_admin role grants.";
    pub const ENTER_NAME: &str = "Enter a name.";
    pub const NAME_TOO_LONG: &str = "Name must not exceed 1024 characters.";
    pub const DESCRIPTION_TOO_LONG: &str = "Description must not exceed 2000 characters.";
    pub const ENTER_ID: &str = "Enter a URL identifier.";
    pub const ID_CHARACTERS: &str =
        "URL identifier can only contain a-z, 0-9, and the characters \"_\" and \"-\".";
    pub const INITIALS_TOO_LONG: &str = "Enter no more than 2 characters.";
    pub const INVALID_COLOR: &str = "Enter a valid HEX color code.";
    pub const DESCRIPTION_HELP: &str = "The description appears on the space selection screen.";
    pub const FEATURES_HELP: &str = "Hidden features are removed from the user interface in this space, even for users whose roles grant them, and their routes answer 404 here. To secure access to features, manage security roles.";
    pub const DELETE_BODY: &str = "will be permanently deleted.";
    pub const DELETE_CONFIRM: &str = "Delete space and all contents";
    pub const DELETE_CURRENT: &str =
        "You will be redirected to choose a different space if you continue.";
    pub const DEFAULT_RESERVED: &str =
        "The default space cannot be deleted because it is reserved.";
    pub const ACCESS_TITLE: &str = "Who can enter this space";
    pub const ACCESS_DENIED: &str = "Listing roles and users needs the read_security cluster privilege (manage_security and all include it).";

    pub fn saved(name: &str) -> String {
        format!("Space '{name}' was saved.")
    }

    pub fn deleted(name: &str) -> String {
        format!("Deleted space '{name}'")
    }

    pub fn delete_title(name: &str) -> String {
        format!("Delete space '{name}'?")
    }

    pub fn delete_current(name: &str) -> String {
        format!("You are about to delete your current space ({name}).")
    }
}

// ---------------------------------------------------------------------------------------------
// The form, as plain data and functions
// ---------------------------------------------------------------------------------------------

/// Kibana's identifier from a name: lower case, every character but `a-z`, `0-9` and `_`
/// becomes `-`.
pub fn derive_space_id(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// What the space form holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceForm {
    pub id: String,
    pub name: String,
    pub description: String,
    pub initials: String,
    pub color: String,
    pub disabled_features: Vec<String>,
    /// Kept as it is (the form does not edit images).
    pub image_url: Option<String>,
    /// The user typed the identifier: it no longer follows the name.
    pub id_edited: bool,
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl SpaceForm {
    pub fn from_space(space: &Space) -> Self {
        SpaceForm {
            id: space.id.clone(),
            name: space.name.clone(),
            description: space.description.clone().unwrap_or_default(),
            initials: space.initials.clone().unwrap_or_default(),
            color: space.color.clone().unwrap_or_default(),
            disabled_features: space.disabled_features.clone(),
            image_url: space.image_url.clone(),
            id_edited: true,
        }
    }

    /// The body sent to the spaces API; empty optional fields are left out.
    pub fn to_space(&self) -> Space {
        Space {
            id: self.id.trim().to_string(),
            name: self.name.trim().to_string(),
            description: non_empty(&self.description),
            color: non_empty(&self.color),
            initials: non_empty(&self.initials),
            image_url: self.image_url.clone().filter(|i| !i.is_empty()),
            disabled_features: self.disabled_features.clone(),
            reserved: None,
        }
    }

    /// A new name; while creating, the identifier follows it until the user types one.
    pub fn set_name(&mut self, name: String, creating: bool) {
        if creating && !self.id_edited {
            self.id = derive_space_id(&name);
        }
        self.name = name;
    }

    pub fn set_id(&mut self, id: String) {
        self.id_edited = true;
        self.id = id;
    }

    pub fn is_visible(&self, feature: &str) -> bool {
        !self.disabled_features.iter().any(|f| f == feature)
    }

    /// Unchecking a feature puts its id into `disabledFeatures`.
    pub fn set_visible(&mut self, feature: &str, visible: bool) {
        self.disabled_features.retain(|f| f != feature);
        if !visible {
            self.disabled_features.push(feature.to_string());
        }
    }
}

/// One message per field, `None` when the field is fine; `other` for what has no field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpaceFormErrors {
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub initials: Option<String>,
    pub color: Option<String>,
    pub other: Option<String>,
}

impl SpaceFormErrors {
    pub fn is_empty(&self) -> bool {
        *self == SpaceFormErrors::default()
    }

    fn slot(&mut self, field: &str) -> &mut Option<String> {
        match field {
            "id" => &mut self.id,
            "name" => &mut self.name,
            "description" => &mut self.description,
            "initials" => &mut self.initials,
            "color" => &mut self.color,
            _ => &mut self.other,
        }
    }

    /// The server's word wins for the field it names.
    pub fn merged(&self, server: &SpaceFormErrors) -> SpaceFormErrors {
        SpaceFormErrors {
            id: server.id.clone().or_else(|| self.id.clone()),
            name: server.name.clone().or_else(|| self.name.clone()),
            description: server
                .description
                .clone()
                .or_else(|| self.description.clone()),
            initials: server.initials.clone().or_else(|| self.initials.clone()),
            color: server.color.clone().or_else(|| self.color.clone()),
            other: server.other.clone().or_else(|| self.other.clone()),
        }
    }
}

/// Every problem of the form, each under its field: the rules are the server's
/// ([`validate_space`], asked again after each problem so all fields are checked), the texts
/// Kibana's form shows; plus the form's own length limits.
pub fn validate_space_form(form: &SpaceForm) -> SpaceFormErrors {
    let mut errors = SpaceFormErrors::default();
    let mut space = form.to_space();
    // One round per field at most.
    for _ in 0..8 {
        let Err((field, message)) = validate_space(&space) else {
            break;
        };
        match field {
            "id" => {
                errors.id = Some(if space.id.is_empty() {
                    texts::ENTER_ID.to_string()
                } else {
                    texts::ID_CHARACTERS.to_string()
                });
                space.id = "valid".into();
            }
            "name" => {
                errors.name = Some(texts::ENTER_NAME.to_string());
                space.name = "valid".into();
            }
            "initials" => {
                errors.initials = Some(texts::INITIALS_TOO_LONG.to_string());
                space.initials = None;
            }
            "color" => {
                errors.color = Some(texts::INVALID_COLOR.to_string());
                space.color = None;
            }
            "imageUrl" => {
                errors.other = Some(format!("Avatar image: {message}"));
                space.image_url = None;
            }
            "disabledFeatures" => {
                errors.other = Some(format!("Features: {message}"));
                space.disabled_features.clear();
            }
            _ => {
                errors.other = Some(message);
                break;
            }
        }
    }
    if errors.name.is_none() && form.name.chars().count() > 1024 {
        errors.name = Some(texts::NAME_TOO_LONG.to_string());
    }
    if form.description.chars().count() > 2000 {
        errors.description = Some(texts::DESCRIPTION_TOO_LONG.to_string());
    }
    errors
}

/// Where the server's refusal belongs: a 409 is about the identifier, a 400
/// `[request body.<field>]: <text>` under that field (with the server's text), anything else
/// above the form.
pub fn server_errors(error: &ApiError) -> SpaceFormErrors {
    let mut errors = SpaceFormErrors::default();
    if error.status == 409 {
        errors.id = Some(error.message.clone());
        return errors;
    }
    if error.status == 400 {
        if let Some((field, text)) = error
            .message
            .strip_prefix("[request body.")
            .and_then(|rest| rest.split_once("]: "))
        {
            let field = field.split('.').next().unwrap_or(field);
            let slot = errors.slot(field);
            *slot = Some(text.to_string());
            if errors.other.is_some() {
                errors.other = Some(error.message.clone());
            }
            return errors;
        }
    }
    errors.other = Some(error.toast_text());
    errors
}

/// `4 / 5 features visible`; without the registry, the count of hidden ones.
pub fn features_summary(space: &Space, features: Option<&[FeatureInfo]>) -> String {
    match features {
        Some(features) if !features.is_empty() => {
            let visible = features
                .iter()
                .filter(|f| !space.is_feature_disabled(&f.id))
                .count();
            format!("{visible} / {} features visible", features.len())
        }
        _ => match space.disabled_features.len() {
            0 => "All features visible".to_string(),
            1 => "1 feature hidden".to_string(),
            n => format!("{n} features hidden"),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

/// Only those who may manage spaces (`spaces.manage`) get the pages; everyone else is told so.
#[component]
fn ManageGate(children: ChildrenFn) -> impl IntoView {
    let session = expect_session();
    let may_manage = move || session.capabilities().get("spaces", "manage");
    view! {
        <Show when=may_manage fallback=|| view! { <NoSpacesPermission /> }>
            {children()}
        </Show>
    }
}

#[component]
fn NoSpacesPermission() -> impl IntoView {
    view! {
        <header class="page-header">
            <h1>{texts::TITLE}</h1>
            <p class="muted">{texts::SUBTITLE}</p>
        </header>
        <section class="panel empty-state" data-testid="spaces-no-permission" role="status">
            <div class="empty-icon" aria-hidden="true">"⊘"</div>
            <h2>{texts::NO_PERMISSION}</h2>
            <p class="muted">{texts::NO_PERMISSION_HELP}</p>
        </section>
    }
}

/// `/app/management/kibana/spaces`.
#[component]
pub fn SpacesManagementPage() -> impl IntoView {
    view! {
        <ManagementShell>
            <ManageGate><SpacesList /></ManageGate>
        </ManagementShell>
    }
}

/// `/app/management/kibana/spaces/create`.
#[component]
pub fn SpaceCreatePage() -> impl IntoView {
    view! {
        <ManagementShell>
            <ManageGate><SpaceEditor initial=None /></ManageGate>
        </ManagementShell>
    }
}

/// `/app/management/kibana/spaces/edit/:id`.
#[component]
pub fn SpaceEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    view! {
        <ManagementShell>
            <ManageGate>
                {move || view! { <LoadSpace id=id.get() /> }}
            </ManageGate>
        </ManagementShell>
    }
}

#[component]
fn LoadSpace(id: String) -> impl IntoView {
    let api = expect_api();
    let id = StoredValue::new(id);
    let reload = RwSignal::new(0u32);
    let space = LocalResource::new(move || {
        reload.track();
        async move { api.get_space(&id.get_value()).await }
    });
    view! {
        <Transition fallback=|| view! { <div class="panel table-skeleton skeleton"><span></span><span></span><span></span></div> }>
            {move || Suspend::new(async move {
                match space.await {
                    Ok(space) => view! {
                        <SpaceEditor initial=Some(space.clone()) />
                        <SpaceAccessPanel id=space.id.clone() />
                    }.into_any(),
                    Err(error) if error.status == 404 || error.status == 403 => view! {
                        <section class="panel empty-state" data-testid="space-not-found">
                            <h2>{format!("Space '{}' was not found", id.get_value())}</h2>
                            <p class="muted">"It may have been deleted."</p>
                            <a class="btn" href=space_path(SPACES_PATH)>"Back to spaces"</a>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

// ---------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------

#[component]
pub fn SpacesList() -> impl IntoView {
    let api = expect_api();
    let reload = RwSignal::new(0u32);
    let search = RwSignal::new(String::new());
    let to_delete = RwSignal::new(None::<Space>);
    let spaces = LocalResource::new(move || {
        reload.track();
        async move { api.list_spaces().await }
    });
    let features = LocalResource::new(move || async move { api.list_features().await.ok() });
    let on_deleted = Callback::new(move |_: String| reload.update(|n| *n += 1));
    view! {
        <header class="page-header page-header-row">
            <div>
                <h1>{texts::TITLE}</h1>
                <p class="muted">{texts::SUBTITLE}</p>
            </div>
            <a class="btn btn-primary" data-testid="space-create" href=space_path(SPACE_CREATE_PATH)>{texts::CREATE}</a>
        </header>
        <section class="panel">
            <div class="filters">
                <input
                    type="search"
                    class="search-input"
                    placeholder="Search spaces by name, identifier or description"
                    aria-label="Search spaces"
                    data-testid="spaces-search-table"
                    prop:value=move || search.get()
                    on:input:target=move |ev| search.set(ev.target().value())
                />
            </div>
            <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span><span></span><span></span></div> }>
                {move || Suspend::new(async move {
                    let features = features.await;
                    match spaces.await {
                        Ok(list) => view! { <SpacesTable list features search to_delete /> }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <DeleteSpaceDialog target=to_delete on_deleted />
    }
}

fn matches(space: &Space, needle: &str) -> bool {
    needle.is_empty()
        || space.name.to_lowercase().contains(needle)
        || space.id.contains(needle)
        || space
            .description
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .contains(needle)
}

#[component]
fn SpacesTable(
    list: Vec<Space>,
    features: Option<Vec<FeatureInfo>>,
    search: RwSignal<String>,
    to_delete: RwSignal<Option<Space>>,
) -> impl IntoView {
    let count = list.len();
    let list = StoredValue::new(list);
    let features = StoredValue::new(features);
    let here = current_space();
    let rows = move || {
        let needle = search.get().trim().to_lowercase();
        let shown: Vec<Space> = list.with_value(|spaces| {
            spaces
                .iter()
                .filter(|s| matches(s, &needle))
                .cloned()
                .collect()
        });
        if shown.is_empty() {
            return view! {
                <tr><td colspan="5" class="empty-row muted" data-testid="spaces-empty">"No spaces match your search."</td></tr>
            }
            .into_any();
        }
        shown
            .into_iter()
            .map(|space| {
                let edit = space_path(&space_edit_path(&space.id));
                let summary = features.with_value(|f| features_summary(&space, f.as_deref()));
                let hidden_names = features.with_value(|f| {
                    let names: Vec<String> = space
                        .disabled_features
                        .iter()
                        .map(|id| {
                            f.as_deref()
                                .and_then(|list| list.iter().find(|x| &x.id == id))
                                .map(|x| x.name.clone())
                                .unwrap_or_else(|| id.clone())
                        })
                        .collect();
                    (!names.is_empty()).then(|| format!("Hidden: {}", names.join(", ")))
                });
                let reserved = space.is_reserved() || space.id == DEFAULT_SPACE_ID;
                let blocked = Signal::derive(move || reserved.then(|| texts::DEFAULT_RESERVED.to_string()));
                let is_current = space.id == here;
                let target = space.clone();
                view! {
                    <tr data-testid="space-row" data-space=space.id.clone()>
                        <td>
                            <div class="space-cell">
                                <SpaceAvatar space=space.clone() />
                                <a class="row-title" href=edit.clone() data-testid="space-name-link">{space.name.clone()}</a>
                                {reserved.then(|| view! { <span class="badge badge-reserved">"Reserved"</span> })}
                                {is_current.then(|| view! { <span class="badge" data-testid="space-current">"Current"</span> })}
                            </div>
                        </td>
                        <td class="space-description">{space.description.clone().unwrap_or_default()}</td>
                        <td><span data-testid="space-features" title=hidden_names>{summary}</span></td>
                        <td><code>{space.id.clone()}</code></td>
                        <td>
                            <div class="row-actions">
                                <a class="btn btn-small" href=edit data-testid="space-edit">"Edit"</a>
                                <GuardedButton
                                    label="Delete"
                                    blocked
                                    on_press=Callback::new(move |_| to_delete.set(Some(target.clone())))
                                    class="btn-small btn-ghost-danger"
                                    testid="space-delete"
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
            <table class="data-table spaces-table" data-testid="spaces-table">
                <thead>
                    <tr>
                        <th scope="col">"Space"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Features"</th>
                        <th scope="col">"Identifier"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="muted small table-count">{format!("{count} {}", if count == 1 { "space" } else { "spaces" })}</p>
    }
}

// ---------------------------------------------------------------------------------------------
// Delete
// ---------------------------------------------------------------------------------------------

/// Asks before deleting `target`, naming what goes with it; `on_deleted` gets the id.
#[component]
pub fn DeleteSpaceDialog(
    target: RwSignal<Option<Space>>,
    on_deleted: Callback<String>,
) -> impl IntoView {
    let open = open_while_some(target);
    let title = Signal::derive(move || {
        target
            .get()
            .map(|s| texts::delete_title(&s.name))
            .unwrap_or_default()
    });
    view! {
        <Modal open title testid="space-delete-dialog">
            {move || target.get().map(|space| view! { <DeleteSpaceBody space open on_deleted /> })}
        </Modal>
    }
}

#[component]
fn DeleteSpaceBody(
    space: Space,
    open: RwSignal<bool>,
    on_deleted: Callback<String>,
) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let id = StoredValue::new(space.id.clone());
    let name = StoredValue::new(space.name.clone());
    let contents =
        LocalResource::new(move || async move { api.space_contents(&id.get_value()).await });
    let is_current = space.id == current_space();
    let confirm = move |_| {
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            let (id, name) = (id.get_value(), name.get_value());
            match api.delete_space(&id).await {
                Ok(()) => {
                    toasts.success(&texts::deleted(&name), "");
                    if is_current {
                        // The page's space is gone: choose another, as Kibana does.
                        enter_space(DEFAULT_SPACE_ID, SPACE_SELECTOR_PATH);
                        return;
                    }
                    // Closing disposes this body: nothing of it is touched afterwards.
                    open.set(false);
                    on_deleted.run(id);
                    return;
                }
                Err(error) => {
                    failed.set(Some(error.toast_text()));
                    toasts.api_error(&format!("Could not delete space '{name}'"), &error);
                }
            }
            busy.set(false);
        });
    };
    view! {
        <div class="space-delete">
            <p>
                "The space " <strong>{space.name.clone()}</strong> " (" <code>{space.id.clone()}</code> ") and "
                <strong>"all contents"</strong> " " {texts::DELETE_BODY}
            </p>
            <Transition fallback=|| view! { <p class="muted" data-testid="space-delete-counting">"Counting what is in this space…"</p> }>
                {move || Suspend::new(async move {
                    match contents.await {
                        Ok(contents) => contents_view(contents).into_any(),
                        Err(error) => view! {
                            <div class="callout callout-warning" role="status" data-testid="space-delete-contents-unknown">
                                <p class="callout-title">"Could not count what is in this space"</p>
                                <p>{error.toast_text()}</p>
                                <p>"Deleting it still deletes all its leads and dashboards."</p>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            <p class="muted small">
                {format!("Roles that name this space keep their entries: a space created later with the identifier '{}' is open to them again.", space.id)}
            </p>
            {is_current.then(|| view! {
                <div class="callout callout-warning" role="status" data-testid="space-delete-current">
                    <p>{texts::delete_current(&space.name)} " " {texts::DELETE_CURRENT}</p>
                </div>
            })}
            <Show when=move || failed.with(Option::is_some)>
                <div class="callout callout-danger" role="alert" data-testid="space-delete-error">{move || failed.get().unwrap_or_default()}</div>
            </Show>
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="btn btn-danger" data-testid="space-delete-confirm" disabled=move || busy.get() on:click=confirm>
                    {texts::DELETE_CONFIRM}
                </button>
            </div>
        </div>
    }
}

fn contents_view(contents: SpaceContents) -> impl IntoView {
    if contents.is_empty() {
        view! { <p data-testid="space-delete-contents">"It holds no leads and no dashboards."</p> }
            .into_any()
    } else {
        view! {
            <p data-testid="space-delete-contents">
                "Deleting it also deletes " <strong>{contents.describe()}</strong> "."
            </p>
        }
        .into_any()
    }
}

// ---------------------------------------------------------------------------------------------
// Create and edit
// ---------------------------------------------------------------------------------------------

#[component]
fn FieldError(#[prop(into)] error: Signal<Option<String>>, id: &'static str) -> impl IntoView {
    view! {
        <Show when=move || error.with(Option::is_some)>
            <span class="field-error" id=id role="alert" data-testid=id>{move || error.get().unwrap_or_default()}</span>
        </Show>
    }
}

/// The space form; `initial` is the space being edited, `None` to create one.
#[component]
pub fn SpaceEditor(initial: Option<Space>) -> impl IntoView {
    let api = expect_api();
    let toasts = expect_toasts();
    let session = expect_session();
    let navigate = use_navigate();
    let creating = initial.is_none();
    let reserved = initial.as_ref().is_some_and(|s| s.is_reserved());
    let form = RwSignal::new(
        initial
            .as_ref()
            .map(SpaceForm::from_space)
            .unwrap_or_default(),
    );
    let initial = StoredValue::new(initial);
    let submitted = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let from_server = RwSignal::new(SpaceFormErrors::default());
    let errors = Memo::new(move |_| {
        let own = if submitted.get() {
            form.with(validate_space_form)
        } else {
            SpaceFormErrors::default()
        };
        own.merged(&from_server.get())
    });
    let features = LocalResource::new(move || async move { api.list_features().await });
    let to_delete = RwSignal::new(None::<Space>);
    let preview = Memo::new(move |_| form.with(SpaceForm::to_space));

    let edit = move |update: fn(&mut SpaceForm, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| update(f, value));
            from_server.set(SpaceFormErrors::default());
        }
    };

    let back = navigate.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        from_server.set(SpaceFormErrors::default());
        let current = form.get_untracked();
        if !validate_space_form(&current).is_empty() {
            return;
        }
        let mut space = current.to_space();
        space.reserved = reserved.then_some(true);
        let features_changed = initial.with_value(|i| {
            i.as_ref()
                .is_some_and(|old| old.disabled_features != space.disabled_features)
        });
        saving.set(true);
        let navigate = back.clone();
        spawn_local(async move {
            let result = if creating {
                api.create_space(&space).await
            } else {
                api.update_space(&space).await
            };
            match result {
                Ok(saved) => {
                    toasts.success(&texts::saved(&saved.name), "");
                    // Leaving disposes this form: nothing of it is touched afterwards.
                    navigate(SPACES_PATH, Default::default());
                    if features_changed && saved.id == current_space() {
                        // The header's apps follow the space's features: ask again now.
                        session.recheck(api).await;
                    }
                    return;
                }
                Err(error) => {
                    let placed = server_errors(&error);
                    from_server.set(placed);
                    toasts.api_error("Could not save space", &error);
                }
            }
            saving.set(false);
        });
    };

    let error_of = move |pick: fn(&SpaceFormErrors) -> Option<String>| {
        Signal::derive(move || errors.with(pick))
    };
    let invalid = move |pick: fn(&SpaceFormErrors) -> Option<String>| {
        move || errors.with(|e| pick(e).is_some()).then_some("true")
    };
    let title = if creating {
        texts::CREATE.to_string()
    } else {
        format!(
            "Edit space '{}'",
            initial.with_value(|i| i.as_ref().map(|s| s.name.clone()).unwrap_or_default())
        )
    };
    let auto_color = move || {
        preview.with(|s| {
            Space {
                color: None,
                ..s.clone()
            }
            .avatar_color()
        })
    };
    let auto_initials = move || {
        preview.with(|s| {
            Space {
                initials: None,
                ..s.clone()
            }
            .avatar_initials()
        })
    };
    let on_deleted = {
        let navigate = navigate.clone();
        Callback::new(move |_: String| navigate(SPACES_PATH, Default::default()))
    };

    view! {
        <header class="page-header page-header-row">
            <div>
                <h1 data-testid="space-form-title">{title}</h1>
                <p class="muted">
                    {if creating {
                        "A space has its own leads, dashboards and URL. Roles grant access to it, per space."
                    } else {
                        "Change how the space looks and which features it shows."
                    }}
                </p>
            </div>
            {(!creating).then(|| {
                let blocked = Signal::derive(move || reserved.then(|| texts::DEFAULT_RESERVED.to_string()));
                view! {
                    <GuardedButton
                        label="Delete space"
                        blocked
                        on_press=Callback::new(move |_| to_delete.set(initial.get_value()))
                        class="btn-ghost-danger"
                        testid="space-delete"
                    />
                }
            })}
        </header>
        <form class="form space-form" on:submit=submit novalidate data-testid="space-form">
            <Show when=move || errors.with(|e| e.other.is_some())>
                <div class="callout callout-danger" role="alert" data-testid="space-form-error">
                    {move || errors.with(|e| e.other.clone()).unwrap_or_default()}
                </div>
            </Show>
            <section class="panel space-form-section">
                <h2>"General"</h2>
                <div class="form-grid">
                    <label class="field">
                        <span class="field-label">"Name"</span>
                        <input
                            type="text"
                            data-testid="space-name"
                            autocomplete="off"
                            aria-invalid=invalid(|e| e.name.clone())
                            aria-describedby="space-name-error"
                            prop:value=move || form.with(|f| f.name.clone())
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                form.update(|f| f.set_name(value, creating));
                                from_server.set(SpaceFormErrors::default());
                            }
                        />
                        <FieldError error=error_of(|e| e.name.clone()) id="space-name-error" />
                    </label>
                    <label class="field">
                        <span class="field-label">"URL identifier"</span>
                        <input
                            type="text"
                            class="code-input"
                            data-testid="space-id"
                            autocomplete="off"
                            readonly=!creating
                            aria-invalid=invalid(|e| e.id.clone())
                            aria-describedby="space-id-error space-id-help"
                            prop:value=move || form.with(|f| f.id.clone())
                            on:input=edit(|f, v| f.set_id(v))
                        />
                        <FieldError error=error_of(|e| e.id.clone()) id="space-id-error" />
                        <span class="muted small" id="space-id-help">
                            {move || {
                                let id = form.with(|f| f.id.trim().to_string());
                                let shown = if id.is_empty() { "{identifier}".to_string() } else { id };
                                let pages = format!("{}/app/…", gatehouse_api::spaces::space_prefix(&shown));
                                if creating {
                                    format!("The space's pages live under {pages}")
                                } else {
                                    format!("The URL identifier cannot be changed. The space's pages live under {pages}")
                                }
                            }}
                        </span>
                    </label>
                    <label class="field field-wide">
                        <span class="field-label">"Description"<span class="muted small">" (optional)"</span></span>
                        <textarea
                            rows="2"
                            data-testid="space-description"
                            aria-invalid=invalid(|e| e.description.clone())
                            prop:value=move || form.with(|f| f.description.clone())
                            on:input=edit(|f, v| f.description = v)
                        ></textarea>
                        <FieldError error=error_of(|e| e.description.clone()) id="space-description-error" />
                        <span class="muted small">{texts::DESCRIPTION_HELP}</span>
                    </label>
                </div>
            </section>
            <section class="panel space-form-section">
                <h2>"Avatar"</h2>
                <div class="space-avatar-editor">
                    <div class="space-preview" data-testid="space-preview" aria-label="Avatar preview">
                        {move || view! { <SpaceAvatar space=preview.get() size="space-avatar-large" /> }}
                        <div class="space-preview-text">
                            <strong>{move || preview.with(|s| if s.name.is_empty() { "Untitled space".to_string() } else { s.name.clone() })}</strong>
                            <span class="muted small">{move || preview.with(|s| s.description.clone().unwrap_or_default())}</span>
                        </div>
                    </div>
                    <label class="field">
                        <span class="field-label">"Initials"<span class="muted small">" (optional)"</span></span>
                        <input
                            type="text"
                            class="space-initials-input"
                            data-testid="space-initials"
                            autocomplete="off"
                            placeholder=auto_initials
                            aria-invalid=invalid(|e| e.initials.clone())
                            prop:value=move || form.with(|f| f.initials.clone())
                            on:input=edit(|f, v| f.initials = v)
                        />
                        <FieldError error=error_of(|e| e.initials.clone()) id="space-initials-error" />
                        <span class="muted small">"Up to two characters; empty uses the first letters of the name."</span>
                    </label>
                    <div class="field">
                        <span class="field-label" id="space-color-label">"Background color"<span class="muted small">" (optional)"</span></span>
                        <div class="space-color-row">
                            <input
                                type="color"
                                aria-labelledby="space-color-label"
                                data-testid="space-color-picker"
                                prop:value=move || form.with(|f| {
                                    if gatehouse_api::spaces::is_valid_color(f.color.trim()) { f.color.trim().to_lowercase() } else { auto_color() }
                                })
                                on:input=edit(|f, v| f.color = v)
                            />
                            <input
                                type="text"
                                class="code-input"
                                aria-labelledby="space-color-label"
                                data-testid="space-color"
                                autocomplete="off"
                                placeholder=auto_color
                                aria-invalid=invalid(|e| e.color.clone())
                                prop:value=move || form.with(|f| f.color.clone())
                                on:input=edit(|f, v| f.color = v)
                            />
                        </div>
                        <FieldError error=error_of(|e| e.color.clone()) id="space-color-error" />
                        <span class="muted small">"A 6 digit hex color such as #6092c0; empty picks one from the name."</span>
                    </div>
                </div>
            </section>
            <section class="panel space-form-section" data-testid="space-features-section">
                <div class="section-title-row">
                    <h2>"Features"</h2>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            features.await.ok().map(|list| {
                                let total = list.len();
                                view! {
                                    <span class="muted small" data-testid="space-features-count">
                                        {move || {
                                            let visible = form.with(|f| list.iter().filter(|x| f.is_visible(&x.id)).count());
                                            format!("{visible} / {total} features visible")
                                        }}
                                    </span>
                                }
                            })
                        })}
                    </Transition>
                </div>
                <p class="muted small">{texts::FEATURES_HELP}</p>
                <Transition fallback=|| view! { <p class="muted small">"Loading features…"</p> }>
                    {move || Suspend::new(async move {
                        match features.await {
                            Ok(list) => feature_toggles(list, form).into_any(),
                            Err(error) => view! {
                                <p class="inline-result inline-danger" role="alert">{format!("Features could not be loaded: {}", error.toast_text())}</p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <div class="space-form-actions">
                <a class="btn" href=space_path(SPACES_PATH) data-testid="space-cancel">"Cancel"</a>
                <button type="submit" class="btn btn-primary" data-testid="space-save" disabled=move || saving.get()>
                    {if creating { texts::CREATE } else { texts::UPDATE }}
                </button>
            </div>
        </form>
        <DeleteSpaceDialog target=to_delete on_deleted />
    }
}

/// One checkbox per feature, grouped by category; unchecked = hidden in the space.
fn feature_toggles(list: Vec<FeatureInfo>, form: RwSignal<SpaceForm>) -> impl IntoView {
    let mut groups: Vec<(String, Vec<FeatureInfo>)> = Vec::new();
    for feature in list {
        match groups
            .iter_mut()
            .find(|(c, _)| *c == feature.category.label)
        {
            Some((_, members)) => members.push(feature),
            None => groups.push((feature.category.label.clone(), vec![feature])),
        }
    }
    view! {
        <div class="space-feature-groups">
            {groups.into_iter().map(|(category, members)| view! {
                <fieldset class="space-feature-group">
                    <legend class="field-label">{category}</legend>
                    {members.into_iter().map(|feature| {
                        let id = StoredValue::new(feature.id.clone());
                        view! {
                            <label class="role-option">
                                <input
                                    type="checkbox"
                                    data-testid="space-feature"
                                    value=feature.id.clone()
                                    prop:checked=move || form.with(|f| f.is_visible(&id.get_value()))
                                    on:change:target=move |ev| {
                                        let visible = ev.target().checked();
                                        form.update(|f| f.set_visible(&id.get_value(), visible));
                                    }
                                />
                                <span>{feature.name.clone()}</span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            }).collect_view()}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Who can enter (beyond Kibana)
// ---------------------------------------------------------------------------------------------

/// The roles that let their holders into the space and the users who can enter, with levels.
#[component]
pub fn SpaceAccessPanel(id: String) -> impl IntoView {
    let api = expect_api();
    let id = StoredValue::new(id);
    let reload = RwSignal::new(0u32);
    let report = LocalResource::new(move || {
        reload.track();
        async move { api.space_access(&id.get_value()).await }
    });
    view! {
        <section class="panel access-section" data-testid="space-access" id="who-can-enter">
            <h2>{texts::ACCESS_TITLE}</h2>
            <p class="muted small">"Each role that lets its holders in on its own, with the level it grants here, and each user who can enter, with what all their roles add up to. Changes to roles apply on the user's next request."</p>
            <Transition fallback=|| view! { <div class="table-skeleton skeleton"><span></span><span></span></div> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <AccessReport report /> }.into_any(),
                        Err(error) if error.status == 403 => view! {
                            <div class="callout callout-info" role="status" data-testid="space-access-denied">
                                <p class="callout-title">"You can't see who can enter this space"</p>
                                <p>{texts::ACCESS_DENIED}</p>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <LoadError error on_retry=Callback::new(move |_| reload.update(|n| *n += 1)) /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn level_badge(level: SpaceLevel) -> impl IntoView {
    let class = match level {
        SpaceLevel::All => "badge level level-all",
        SpaceLevel::Read => "badge level level-read",
        SpaceLevel::Customize => "badge level level-customize",
    };
    view! { <span class=class data-testid="space-level">{level.label()}</span> }
}

/// The level, and for `Customize` the features it grants (hidden ones marked).
fn privilege_cell(level: SpaceLevel, features: &[FeatureLevel]) -> impl IntoView {
    let granted: Vec<FeatureLevel> = features
        .iter()
        .filter(|f| f.level != AccessLevel::None)
        .cloned()
        .collect();
    let details = (level == SpaceLevel::Customize).then(|| {
        if granted.is_empty() {
            view! { <span class="muted small">"Enter only: no feature"</span> }.into_any()
        } else {
            view! {
                <span class="space-feature-chips">
                    {granted.into_iter().map(|f| {
                        let title = f.hidden.then_some("Hidden in this space: nobody sees it here");
                        let class = if f.hidden { "role-chip space-chip-hidden" } else { "role-chip" };
                        view! { <span class=class title=title data-testid="space-feature-level">{format!("{} · {}", f.name, f.level.label())}</span> }
                    }).collect_view()}
                </span>
            }
            .into_any()
        }
    });
    view! { <div class="space-privilege">{level_badge(level)}{details}</div> }
}

fn role_link(role: &str) -> impl IntoView {
    view! { <a class="role-chip" href=space_path(&role_edit_href(role))>{role.to_string()}</a> }
}

#[component]
fn AccessReport(report: SpaceAccessReport) -> impl IntoView {
    let hidden: Vec<String> = report
        .roles
        .first()
        .map(|r| {
            r.features
                .iter()
                .filter(|f| f.hidden)
                .map(|f| f.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let summary = format!(
        "{} {} can enter through {} {}.",
        report.users.len(),
        if report.users.len() == 1 {
            "user"
        } else {
            "users"
        },
        report.roles.len(),
        if report.roles.len() == 1 {
            "role"
        } else {
            "roles"
        }
    );
    view! {
        <p class="space-access-summary" data-testid="space-access-summary">{summary}</p>
        {(!hidden.is_empty()).then(|| view! {
            <p class="callout callout-info" data-testid="space-access-hidden">
                {format!("Hidden in this space: {}. Nobody sees them here, whatever their roles grant.", hidden.join(", "))}
            </p>
        })}
        <h3 class="space-access-heading">"Roles"</h3>
        <div class="table-scroll">
            <table class="data-table access-table space-access-table" data-testid="space-access-roles">
                <thead><tr>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Privilege here"</th>
                    <th scope="col">"Granted for"</th>
                    <th scope="col">"Users"</th>
                </tr></thead>
                <tbody>
                    {report.roles.into_iter().map(|role| view! { <RoleRow role /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <h3 class="space-access-heading">"Users"</h3>
        {if report.users.is_empty() {
            view! { <p class="muted" data-testid="space-access-no-users">"No user can enter this space."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="data-table access-table space-access-table" data-testid="space-access-users">
                        <thead><tr>
                            <th scope="col">"User"</th>
                            <th scope="col">"Privilege here"</th>
                            <th scope="col">"Through roles"</th>
                        </tr></thead>
                        <tbody>
                            {report.users.into_iter().map(|user| view! { <MemberRow user /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn RoleRow(role: RoleEntry) -> impl IntoView {
    let scope = match (role.all_spaces, role.this_space) {
        (true, true) => "All spaces, and this space by name",
        (true, false) => "All spaces (*)",
        _ => "This space",
    };
    let users = if role.users.is_empty() {
        view! { <span class="muted small">"No users"</span> }.into_any()
    } else {
        view! {
            <span class="badge-list">
                {role.users.iter().map(|u| view! {
                    <a class="role-chip" href=space_path(&access_path_for(u))>{u.clone()}</a>
                }).collect_view()}
            </span>
        }
        .into_any()
    };
    view! {
        <tr data-testid="space-access-role" data-role=role.role.clone()>
            <td>
                {role_link(&role.role)}
                {role.reserved.then(|| view! { <span class="badge badge-reserved">"Reserved"</span> })}
            </td>
            <td>
                {privilege_cell(role.level, &role.features)}
                {role.manages_spaces.then(|| view! { <span class="muted small">"Also manages spaces"</span> })}
            </td>
            <td class="muted small">{scope}</td>
            <td>{users}</td>
        </tr>
    }
}

#[component]
fn MemberRow(user: MemberEntry) -> impl IntoView {
    view! {
        <tr data-testid="space-access-user" data-username=user.username.clone() class:row-disabled=!user.enabled>
            <td>
                <a class="row-title" href=space_path(&access_path_for(&user.username))>{user.username.clone()}</a>
                {user.full_name.clone().map(|n| view! { <span class="muted small space-full-name">{n}</span> })}
                {(!user.enabled).then(|| view! { <span class="badge badge-deactivated">"Deactivated"</span> })}
            </td>
            <td>{privilege_cell(user.level, &user.features)}</td>
            <td>
                <span class="badge-list">
                    {user.roles.iter().map(|r| role_link(r)).collect_view()}
                </span>
            </td>
        </tr>
    }
}

//! Stack Management → Kibana → Spaces: the list, the create and edit form (live avatar preview,
//! feature visibility), delete with a confirmation that names what goes with the space, and —
//! beyond Kibana (kibana#27002, #38051) — who can enter each space and at what level. The form's
//! checks are `gatehouse_api::rules::space_form`, tested natively.

mod access;
mod delete;
mod editor;
mod list;

pub use access::*;
pub use delete::*;
pub use editor::*;
pub use list::*;

use gatehouse_api::access::AccessLevel;
use gatehouse_api::admin::FeatureInfo;
use gatehouse_api::rules::space_form::*;
use gatehouse_api::space_access::{
    FeatureLevel, MemberEntry, RoleEntry, SpaceAccessReport, SpaceContents, SpaceLevel,
};
use gatehouse_api::spaces::{Space, DEFAULT_SPACE_ID};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::expect_api;
use crate::components::spaces::{enter_space, SpaceAvatar};
use crate::components::{
    level_badge, open_while_some, reloadable, table_rows, DataTable, FieldError, FormError,
    GuardedButton, LoadError, ManagementShell, Modal, NotThere, PageHeader, SearchInput,
    TableSkeleton, TextField,
};
use crate::format::plural;
use crate::routes::{
    access_path_for, role_edit_href, space_edit_path, SPACES_PATH, SPACE_CREATE_PATH,
    SPACE_SELECTOR_PATH,
};
use crate::state::{current_space, expect_session, expect_toasts, space_path};

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
    let (space, reload) = reloadable(move || async move { api.get_space(&id.get_value()).await });
    view! {
        <Transition fallback=|| view! { <TableSkeleton class="panel " /> }>
            {move || Suspend::new(async move {
                match space.await {
                    Ok(space) => view! {
                        <SpaceEditor initial=Some(space.clone()) />
                        <SpaceAccessPanel id=space.id.clone() />
                    }.into_any(),
                    Err(error) if error.status == 404 || error.status == 403 => view! {
                        <NotThere testid="space-not-found" title=format!("Space '{}' was not found", id.get_value()) back_href=SPACES_PATH back_label="Back to spaces" />
                    }.into_any(),
                    Err(error) => view! { <LoadError error on_retry=reload /> }.into_any(),
                }
            })}
        </Transition>
    }
}

// ---------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------

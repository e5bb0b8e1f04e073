//! Stack Management → Kibana → Saved objects: the space's dashboards as saved objects, export of
//! a selection to an ndjson file, and import of one (file picker or drop, the conflict choice,
//! "Keep owner and protection" for those who manage access control) with a result screen and a
//! retry of the conflicts. Which actions are open and why, the import's query and the result's
//! groups are `gatehouse_api::saved_objects_page`, tested natively.

mod import;
mod list;
mod result;

pub use import::*;
pub use list::*;
pub use result::*;

use gatehouse_api::saved_objects_page::{texts, SavedObjectsRights};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::expect_api;
use crate::components::ManagementPage;
use crate::state::expect_session;

/// `/app/management/kibana/objects`: Stack Management's guard, then the list for those who may
/// read dashboards here and the reason for everyone else.
#[component]
pub fn SavedObjectsPage() -> impl IntoView {
    view! {
        <ManagementPage>
            <SavedObjectsGate />
        </ManagementPage>
    }
}

#[component]
fn SavedObjectsGate() -> impl IntoView {
    let rights = load_rights();
    view! {
        <Show when=move || rights.get().can_read fallback=|| view! { <NoSavedObjects /> }>
            <SavedObjectsList rights />
        </Show>
    }
}

/// What the user may do here: from the session's capabilities, and whether they manage access
/// control (`manage_access_control`), which the server answers once per page.
fn load_rights() -> Signal<SavedObjectsRights> {
    let api = expect_api();
    let session = expect_session();
    let manages = RwSignal::new(false);
    spawn_local(async move {
        // Without access control (404) nobody may keep owners: the box stays closed.
        if let Ok(access) = api.dashboards_global_access().await {
            let _ = manages.try_set(access.is_globally_authorized);
        }
    });
    Signal::derive(move || {
        let capabilities = session.capabilities();
        SavedObjectsRights {
            can_read: capabilities.get("dashboard", "show"),
            can_write: capabilities.get("dashboard", "showWriteControls"),
            manages_access_control: manages.get(),
        }
    })
}

#[component]
fn NoSavedObjects() -> impl IntoView {
    view! {
        <header class="page-header">
            <h1>{texts::TITLE}</h1>
            <p class="muted">{texts::SUBTITLE}</p>
        </header>
        <section class="panel empty-state" data-testid="saved-objects-no-permission" role="status">
            <div class="empty-icon" aria-hidden="true">"⊘"</div>
            <h2>"You can't see saved objects here"</h2>
            <p class="muted">{texts::NO_DASHBOARDS}</p>
        </section>
    }
}

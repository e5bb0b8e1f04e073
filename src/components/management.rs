//! Stack Management's frame: the side navigation beside each of its pages, and what a user
//! without the privilege sees instead.

use leptos::prelude::*;

use super::{AppForbidden, AppPage};
use gatehouse_api::audit::may_read_audit_log;

use crate::routes::{
    ACCESS_PATH, AUDIT_LOG_PATH, ROLES_PATH, SAVED_OBJECTS_PATH, SPACES_PATH, USERS_PATH,
};
use crate::state::{expect_session, expect_toasts, space_path};

/// Stack Management's side navigation and content area.
#[component]
pub fn ManagementShell(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let session = expect_session();
    // Reading audit events is `read_security`, which the capability reports; the entry is hidden
    // rather than closed, as Kibana hides management apps the user cannot open.
    let audit_log = move || may_read_audit_log(&session.capabilities());
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
                <Show when=audit_log>
                    <a href=space_path(AUDIT_LOG_PATH) class="management-link" data-testid="management-audit-log" aria-current=current(AUDIT_LOG_PATH)>"Audit log"</a>
                </Show>
                <p class="management-nav-group">"Kibana"</p>
                <a href=space_path(SPACES_PATH) class="management-link" data-testid="management-spaces" aria-current=current(SPACES_PATH)>"Spaces"</a>
                <a href=space_path(SAVED_OBJECTS_PATH) class="management-link" data-testid="management-saved-objects" aria-current=current(SAVED_OBJECTS_PATH)>"Saved objects"</a>
            </nav>
            <div class="management-content page">{children()}</div>
        </div>
    }
}

/// Whether the user's roles grant Stack Management (`management`) in this space.
pub fn management_allowed() -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    let session = expect_session();
    move || session.capabilities().nav_link("management")
}

/// A Stack Management page: `children` in the shell for those granted the feature, the reason
/// for everyone else.
#[component]
pub fn ManagementPage(children: ChildrenFn) -> impl IntoView {
    let shell = move || {
        let children = children.clone();
        view! { <ManagementShell>{children()}</ManagementShell> }
    };
    view! {
        <Show
            when=management_allowed()
            fallback=|| view! {
                <AppPage title="Stack Management" subtitle="Users, roles, spaces and saved objects of this deployment.">
                    <AppForbidden app="Stack Management" reason="Your roles do not grant the Stack Management feature privilege (management) in this space." feature="management" />
                </AppPage>
            }
        >
            {shell()}
        </Show>
    }
}

/// What a user without the privilege sees instead of a list: "You need permission to {verb}
/// {what}".
#[component]
pub fn NoPermission(
    what: &'static str,
    #[prop(default = "manage")] verb: &'static str,
) -> impl IntoView {
    let toasts = expect_toasts();
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
            <h2>{format!("You need permission to {verb} {what}")}</h2>
            <p class="muted">
                "Contact your system administrator. "
                <button type="button" class="link-button" data-testid="management-why" on:click=why>"Why?"</button>
            </p>
        </section>
    }
}

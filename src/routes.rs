//! Every path of the app, in one table: the router matches them (`route_pattern!`) and links
//! build theirs from the same constants and functions.

use crate::api::encode_path_segment;

/// Declares each path once as a constant, and `route_pattern!(NAME)`, the router's pattern of the
/// same path (`leptos_router::path!` takes only a literal, so the literal is written here once for
/// both).
macro_rules! route_table {
    ($($(#[$doc:meta])* $name:ident = $path:tt,)*) => {
        $($(#[$doc])* pub const $name: &str = $path;)*

        /// The router's pattern of a path in the table: `route_pattern!(USERS_PATH)`.
        macro_rules! route_pattern {
            $(($name) => { ::leptos_router::path!($path) };)*
        }
        pub(crate) use route_pattern;
    };
}

route_table! {
    LOGIN_PATH = "/login",
    /// Sends the user on to the first app they may open.
    HOME_PATH = "/",
    ENTITY_ANALYTICS_PATH = "/app/security/entity_analytics",
    DASHBOARDS_PATH = "/app/dashboards",
    /// One dashboard: [`dashboard_href`].
    DASHBOARD_ROUTE = "/app/dashboards/view/:id",
    DEV_TOOLS_PATH = "/app/dev_tools",
    /// The effective access of a user: [`access_path_for`].
    ACCESS_PATH = "/app/access",
    SEARCH_APP_PATH = "/app/search",
    SPACE_SELECTOR_PATH = "/spaces/space_selector",
    /// Stack Management: opens on its users.
    MANAGEMENT_PATH = "/app/management",
    USERS_PATH = "/app/management/security/users",
    ROLES_PATH = "/app/management/security/roles",
    /// A new role's editor.
    ROLE_CREATE_PATH = "/app/management/security/roles/edit",
    /// A role's editor: [`role_edit_href`].
    ROLE_EDIT_ROUTE = "/app/management/security/roles/edit/:name",
    /// Who did what, filtered by the URL's query: [`audit_log_href`].
    AUDIT_LOG_PATH = "/app/management/security/audit",
    SPACES_PATH = "/app/management/kibana/spaces",
    SPACE_CREATE_PATH = "/app/management/kibana/spaces/create",
    /// A space's editor: [`space_edit_path`].
    SPACE_EDIT_ROUTE = "/app/management/kibana/spaces/edit/:id",
    /// Export and import of the space's dashboards.
    SAVED_OBJECTS_PATH = "/app/management/kibana/objects",
    /// Whatever no other route matches.
    NOT_FOUND_ROUTE = "/*any",
}

/// Byte equality, usable in a constant: the app paths the server also knows live in
/// `gatehouse_api::apps`, and must stay the ones the router matches.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const _: () = {
    use gatehouse_api::apps;
    assert!(same(ENTITY_ANALYTICS_PATH, apps::ENTITY_ANALYTICS_PATH));
    assert!(same(DASHBOARDS_PATH, apps::DASHBOARDS_PATH));
    assert!(same(DEV_TOOLS_PATH, apps::DEV_TOOLS_PATH));
    assert!(same(MANAGEMENT_PATH, apps::MANAGEMENT_PATH));
    assert!(same(SEARCH_APP_PATH, apps::SEARCH_APP_PATH));
};

/// `/app/dashboards/view/{id}`.
pub fn dashboard_href(id: &str) -> String {
    format!("{DASHBOARDS_PATH}/view/{}", encode_path_segment(id))
}

/// `/app/management/security/roles/edit/{name}`.
pub fn role_edit_href(name: &str) -> String {
    format!("{ROLE_CREATE_PATH}/{}", encode_path_segment(name))
}

/// `/app/management/security/users?edit={username}`: the Users page with that user's editor open.
pub fn user_edit_href(username: &str) -> String {
    format!("{USERS_PATH}?edit={}", encode_query(username))
}

/// `/app/management/security/audit{query}`, the query from
/// `gatehouse_api::audit_page::AuditFilters::page_query`.
pub fn audit_log_href(query: &str) -> String {
    format!("{AUDIT_LOG_PATH}{query}")
}

/// `/app/management/kibana/spaces/edit/{id}`.
pub fn space_edit_path(id: &str) -> String {
    format!("{SPACES_PATH}/edit/{}", encode_path_segment(id))
}

/// `/app/access?user={username}`: what `username` may do.
pub fn access_path_for(username: &str) -> String {
    format!("{ACCESS_PATH}?user={}", encode_path_segment(username))
}

/// `/app/search?q=<query>`: a link that opens the app on a query (e.g. from a lead).
pub fn search_href(query: &str) -> String {
    format!("{SEARCH_APP_PATH}?q={}", encode_query(query))
}

/// `/app/search?source=S&doc=D`: the app with one document open.
pub fn document_href(source: &str, id: &str) -> String {
    format!(
        "{SEARCH_APP_PATH}?source={}&doc={}",
        encode_query(source),
        encode_query(id)
    )
}

fn encode_query(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// Navigation that takes the place of the current history entry: the page being left was only a
/// way station (a redirect, signing in or out), so Back should not return to it.
pub fn replacing() -> leptos_router::NavigateOptions {
    leptos_router::NavigateOptions {
        replace: true,
        ..Default::default()
    }
}

/// What the page at `app_path` (without the space prefix and query) is called: the tab's title
/// and the words the route announcer says (`gatehouse_api::announce`). Empty for `/` and
/// `/app/management`, which only send the user on.
pub fn page_name(app_path: &str) -> &'static str {
    let under = |prefix: &str| {
        app_path == prefix
            || app_path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    // The longest paths first: a role's editor is under the roles list.
    if app_path == HOME_PATH || app_path == MANAGEMENT_PATH {
        ""
    } else if under(LOGIN_PATH) {
        "Sign in"
    } else if under(ENTITY_ANALYTICS_PATH) {
        "Entity analytics"
    } else if under(&format!("{DASHBOARDS_PATH}/view")) {
        "Dashboard"
    } else if under(DASHBOARDS_PATH) {
        "Dashboards"
    } else if under(DEV_TOOLS_PATH) {
        "Dev Tools"
    } else if under(ACCESS_PATH) {
        "Effective access"
    } else if under(SEARCH_APP_PATH) {
        "Search"
    } else if under(SPACE_SELECTOR_PATH) {
        gatehouse_api::spaces::texts::SELECT_TITLE
    } else if under(ROLE_CREATE_PATH) {
        if app_path == ROLE_CREATE_PATH {
            "Create role"
        } else {
            "Edit role"
        }
    } else if under(ROLES_PATH) {
        "Roles"
    } else if under(AUDIT_LOG_PATH) {
        gatehouse_api::audit_page::texts::TITLE
    } else if under(USERS_PATH) {
        "Users"
    } else if under(SPACE_CREATE_PATH) {
        "Create space"
    } else if under(&format!("{SPACES_PATH}/edit")) {
        "Edit space"
    } else if under(SPACES_PATH) {
        "Spaces"
    } else {
        "Page not found"
    }
}

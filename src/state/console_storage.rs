//! Where the Dev Tools console keeps what the user typed and sent: `localStorage`, under keys
//! that name the user and the server, so a browser shared by several people (or pointed at
//! several Gatehouse servers) never shows one user's requests to another (docs/console.md,
//! "History"). Signing out removes the signed-out user's entries, and those an older Gatehouse
//! left under keys that named nobody.
//!
//! Storage that is missing or full (private mode, quota) only means starting afresh.

use crate::state::web_storage::{self, local as storage};

/// What the console keeps: the requests sent and the editor's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleItem {
    History,
    Buffer,
}

impl ConsoleItem {
    /// The key an older Gatehouse used for every user; now only ever removed.
    fn unscoped_key(self) -> &'static str {
        match self {
            ConsoleItem::History => "gatehouse.console.history",
            ConsoleItem::Buffer => "gatehouse.console.buffer",
        }
    }
}

/// The path the SPA is served under (Trunk's `public_url`, and the server's static files from
/// `/`): with the origin, what tells one Gatehouse server from another in the same browser.
const BASE_PATH: &str = "/";

/// This page's server: its origin and base path.
pub fn this_server() -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{BASE_PATH}")
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// `gatehouse.console.history:<user>@<server>`, both encoded so neither can forge the other's
/// part (a username holding `@` or `:` stays inside its own part).
pub fn key(item: ConsoleItem, user: &str, server: &str) -> String {
    format!(
        "{}:{}@{}",
        item.unscoped_key(),
        encode(user),
        encode(server)
    )
}

pub fn load(item: ConsoleItem, user: &str) -> Option<String> {
    storage()?
        .get_item(&key(item, user, &this_server()))
        .ok()
        .flatten()
}

pub fn save(item: ConsoleItem, user: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&key(item, user, &this_server()), value);
    }
}

pub fn remove(item: ConsoleItem, user: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(item, user, &this_server()));
    }
}

/// At sign-out: `user`'s history and editor text on this server, and whatever was kept under
/// the old keys that named no user.
pub fn forget_user(user: &str) {
    let Some(storage) = storage() else { return };
    let server = this_server();
    let items = [ConsoleItem::History, ConsoleItem::Buffer];
    let doomed: Vec<String> = items
        .iter()
        .flat_map(|&item| [key(item, user, &server), item.unscoped_key().to_string()])
        .collect();
    web_storage::remove_keys(&storage, |k| doomed.iter().any(|d| d == k));
}

//! The space this page load works in: read once from the URL (`/s/{id}/…`, none = `default`).
//! Switching space is a full page load, as in Kibana, so nothing here is reactive: the router's
//! base, every link and every API call carry the same prefix for the life of the page.

use std::cell::OnceCell;

use gatehouse_api::spaces::{space_prefix, split_space_path, DEFAULT_SPACE_ID};

thread_local! {
    static CURRENT: OnceCell<String> = const { OnceCell::new() };
}

/// The id of the space of this page load.
pub fn current_space() -> String {
    CURRENT.with(|cell| {
        cell.get_or_init(|| {
            let path = web_sys::window()
                .and_then(|w| w.location().pathname().ok())
                .unwrap_or_default();
            split_space_path(&path).0.to_string()
        })
        .clone()
    })
}

pub fn in_default_space() -> bool {
    current_space() == DEFAULT_SPACE_ID
}

/// `/s/{id}` in a named space, empty in `default`: the router's base and the API prefix.
pub fn current_prefix() -> String {
    space_prefix(&current_space())
}

/// An app path (`/app/…`) as a link in the current space.
pub fn space_path(path: &str) -> String {
    format!("{}{path}", current_prefix())
}

/// An app path in another space, for the switcher (a full page load).
pub fn path_in_space(space: &str, path: &str) -> String {
    format!("{}{path}", space_prefix(space))
}

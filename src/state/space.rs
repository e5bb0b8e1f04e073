//! The space this page load works in: read once from the URL (`/s/{id}/…`, none = `default`).
//! Switching space is a full page load, as in Kibana, so nothing here is reactive: the router's
//! base, every link and every API call carry the same prefix for the life of the page.
//!
//! The space is also remembered on the user's profile on the server, and a sign-in without a
//! destination goes back to it (docs/spaces.md "The last space").

use std::cell::OnceCell;

use gatehouse_api::last_space::{
    last_space_of, last_space_update, needs_storing, PROFILE_DATA_KEY,
};
use gatehouse_api::spaces::{space_prefix, split_space_path, DEFAULT_SPACE_ID};
use leptos::task::spawn_local;

use crate::api::ApiClient;

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

/// The last space the signed-in user worked in, as their profile says; nothing when it says
/// nothing or cannot be read.
pub async fn last_space(api: ApiClient) -> Option<String> {
    let profile = api.profile_data(PROFILE_DATA_KEY).await.ok()?;
    last_space_of(&profile.data)
}

/// Stores this page load's space as the user's last one when their profile says another.
/// Switching space loads the page anew, so this runs once per switch. A failure (an outage, a
/// read-only view as another user) is not the user's concern: nothing is said, and the next
/// page load tries again.
pub fn remember_current_space(api: ApiClient) {
    spawn_local(async move {
        let Ok(profile) = api.profile_data(PROFILE_DATA_KEY).await else {
            return;
        };
        let stored = last_space_of(&profile.data);
        let current = current_space();
        if needs_storing(&current, stored.as_deref()) {
            let _ = api.update_profile_data(&last_space_update(&current)).await;
        }
    });
}

//! The browser's Web Storage. A store that is missing or full (private mode, quota) only means
//! starting afresh, so nothing here fails.

/// The origin's `localStorage`, kept across tabs and restarts.
pub fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// This tab's `sessionStorage`.
pub fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Removes every key of `storage` that `doomed` picks. The keys are listed first: removing one
/// renumbers the rest.
pub fn remove_keys(storage: &web_sys::Storage, doomed: impl Fn(&str) -> bool) {
    let n = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..n)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| doomed(k))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

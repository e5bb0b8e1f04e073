//! "What changed" since the user's last visit (docs/leads.md "What changed"), fed by the leads
//! changes cursor. The cursor is kept in localStorage per server, user and space; a first visit
//! starts following from now, and a cursor the server no longer accepts (400) starts again from
//! now, said quietly in the summary. The list itself is a lazy dialog (`src/lazy_dialogs.rs`).

use std::sync::Arc;

use gatehouse_api::leads::ChangesQuery;
use gatehouse_api::leads_page::what_changed::{
    cursor_storage_key, WhatChanged, CHANGES_PAGE_SIZE, CURSOR_KEY_PREFIX, MAX_CHANGE_PAGES,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::LeadsState;
use crate::components::{open_while_some, Modal};
use crate::lazy_dialogs::{DialogBody, LazyDialogBody};
use crate::state::web_storage::{self, local as storage};
use crate::state::Session;

/// The count on the leads nav entry: what changed that the user has not opened yet. Provided by
/// the app shell, set by the leads section.
#[derive(Clone, Copy)]
pub struct UnseenLeadChanges(pub RwSignal<u32>);

impl UnseenLeadChanges {
    pub fn new() -> Self {
        Self(RwSignal::new(0))
    }
}

impl Default for UnseenLeadChanges {
    fn default() -> Self {
        Self::new()
    }
}

/// Said when the kept cursor was refused: nothing is listed, and the next visit lists again.
pub const RESTARTED_NOTICE: &str =
    "What changed before now could not be listed (your last visit is too long ago). Changes are followed from now on.";

/// The section's view of the feed.
#[derive(Clone, Copy)]
pub(super) struct Changes {
    seen: RwSignal<Arc<WhatChanged>>,
    notice: RwSignal<Option<&'static str>>,
    /// Where this visit is in the feed; `None` before its first answer.
    cursor: RwSignal<Option<String>>,
    /// A follow under way: a second one waits for the next call instead of reading twice.
    following: RwSignal<bool>,
    /// The list open in its dialog.
    shown: RwSignal<Option<Arc<WhatChanged>>>,
    /// This user's key in this space on this server.
    key: StoredValue<String>,
    /// The nav entry's count, when the app shell shows one.
    unseen: Option<UnseenLeadChanges>,
}

impl Changes {
    pub(super) fn new() -> Self {
        let user = use_context::<Session>()
            .and_then(|session| session.username_untracked())
            .unwrap_or_default();
        let server = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let space = crate::state::space::current_space();
        Self {
            seen: RwSignal::new(Arc::default()),
            notice: RwSignal::new(None),
            cursor: RwSignal::new(None),
            following: RwSignal::new(false),
            shown: RwSignal::new(None),
            key: StoredValue::new(cursor_storage_key(&server, &user, &space)),
            unseen: use_context::<UnseenLeadChanges>(),
        }
    }
}

fn load_cursor(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Storage that is missing or full only means the next visit starts from now. An empty cursor
/// (Kibana's `null`: nothing changed yet) is not one: the next read asks for now again.
fn store_cursor(key: &str, cursor: &str) {
    if cursor.is_empty() {
        return;
    }
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, cursor);
    }
}

/// Removes every kept cursor, so each user's next visit starts from now. Not done at sign-out:
/// "since your last visit" must survive signing out, and a cursor is only a position in the
/// feed, keyed by user, telling nothing of the leads themselves.
pub fn forget_all_cursors() {
    if let Some(storage) = storage() {
        web_storage::remove_keys(&storage, |k| k.starts_with(CURSOR_KEY_PREFIX));
    }
}

/// Reads what changed since this visit's cursor (or the kept one, on its first call) and adds it
/// to the list. Every answer's cursor is kept as soon as its changes are in the list, so a
/// failure half way loses nothing and lists nothing twice.
pub(super) fn follow(state: LeadsState) {
    let changes = state.changes;
    if changes.following.get_untracked() {
        return;
    }
    changes.following.set(true);
    spawn_local(async move {
        let key = changes.key.get_value();
        let since = changes.cursor.get_untracked().or_else(|| load_cursor(&key));
        let mut seen = WhatChanged::clone(&changes.seen.get_untracked());
        let mut restart = since.is_none();
        if let Some(mut cursor) = since {
            for page in 1..=MAX_CHANGE_PAGES {
                let query = ChangesQuery {
                    since: Some(cursor.clone()),
                    size: Some(CHANGES_PAGE_SIZE),
                };
                match state.api.leads_changes(&query).await {
                    Ok(answer) => {
                        seen.apply_all(&answer.changes);
                        if answer.cursor.is_empty() {
                            break;
                        }
                        cursor = answer.cursor;
                        store_cursor(&key, &cursor);
                        let _ = changes.cursor.try_set(Some(cursor.clone()));
                        if !answer.has_more {
                            break;
                        }
                        seen.truncated = page == MAX_CHANGE_PAGES;
                    }
                    Err(error) if error.status == 400 => {
                        let _ = changes.notice.try_set(Some(RESTARTED_NOTICE));
                        restart = true;
                        break;
                    }
                    // Quiet: the list and its own errors are what the section shows.
                    Err(_) => break,
                }
            }
        }
        if restart {
            if let Ok(now) = state.api.leads_changes(&ChangesQuery::default()).await {
                store_cursor(&key, &now.cursor);
                let _ = changes
                    .cursor
                    .try_set(Some(now.cursor).filter(|c| !c.is_empty()));
            }
        }
        let count = seen.digest().total();
        let _ = changes.seen.try_set(Arc::new(seen));
        if let Some(unseen) = changes.unseen {
            let _ = unseen.0.try_set(count);
        }
        let _ = changes.following.try_set(false);
    });
}

/// One line under the header: the counts and "Show", or the quiet notice; nothing when nothing
/// changed.
#[component]
pub(super) fn WhatChangedSummary(state: LeadsState) -> impl IntoView {
    let changes = state.changes;
    let open = open_while_some(changes.shown);
    let any = move || changes.seen.with(|seen| !seen.leads.is_empty());
    let show = move |_| {
        if let Some(unseen) = changes.unseen {
            unseen.0.set(0);
        }
        changes.shown.set(Some(changes.seen.get_untracked()));
    };
    view! {
        <Show when=move || any() || changes.notice.with(Option::is_some)>
            <div class="what-changed" role="status" data-testid="leads-what-changed">
                <Show when=any>
                    <span class="what-changed-title">"Since your last visit: "</span>
                    <span data-testid="leads-what-changed-summary">{move || changes.seen.with(|seen| seen.summary_text())}</span>" "
                    <button type="button" class="link-button" data-testid="leads-what-changed-open" on:click=show>"Show what changed"</button>
                </Show>
                {move || changes.notice.get().map(|notice| view! { <span class="muted small" data-testid="leads-changes-notice">{notice}</span> })}
            </div>
        </Show>
        <Modal open title="What changed since your last visit" testid="leads-what-changed-dialog" class="modal-wide">
            {move || changes.shown.get().map(|seen| view! { <LazyDialogBody body=DialogBody::WhatChanged(seen) /> })}
        </Modal>
    }
}

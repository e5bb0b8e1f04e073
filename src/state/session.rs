//! Who is signed in and what Kibana says they may open.

use gatehouse_api::security::{AuthenticatedUser, Capabilities};
use gatehouse_api::view_as::{view_holds, MeAnswer, ViewingAs};
use gatehouse_api::ApiError;
use leptos::prelude::*;

use crate::api::ApiClient;

#[derive(Debug, Clone, PartialEq)]
pub enum SessionStatus {
    /// `/me` has not answered yet.
    Checking,
    SignedOut,
    SignedIn {
        user: AuthenticatedUser,
        capabilities: Capabilities,
    },
    /// The server could not be asked (network, 5xx): not the same as being signed out.
    Unavailable(ApiError),
}

#[derive(Clone, Copy)]
pub struct Session {
    pub status: RwSignal<SessionStatus>,
    /// Bumped whenever a re-check finds the user's roles or capabilities changed, so sections
    /// that asked the server for finer privileges ask again.
    pub privileges_changed: RwSignal<u32>,
    /// Bumped after every re-check the server answered, whether or not `me` and the
    /// capabilities changed: a section whose privileges depend on more than those (the leads
    /// section's answer depends on the roles' index privileges, which an administrator can change
    /// without renaming a role) asks again and compares its own answer.
    pub rechecked: RwSignal<u32>,
    /// The user this tab views the app as ("View as", `super::view_as`): every request runs as
    /// them and every write control is closed.
    pub viewing_as: RwSignal<Option<ViewingAs>>,
}

pub fn expect_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(SessionStatus::Checking),
            privileges_changed: RwSignal::new(0),
            rechecked: RwSignal::new(0),
            viewing_as: RwSignal::new(super::view_as::stored()),
        }
    }

    /// Asks the server who we are; a 401 means signed out, anything else is an outage.
    pub async fn refresh(&self, api: ApiClient) {
        // Both at once: the second answer no longer waits a round trip behind the first.
        let (mut me, mut capabilities) = futures::join!(api.me_with_run_by(), api.capabilities());
        if self.view_ended_by(&me) {
            // Asked again without the run-as header: the caller's own session.
            api.forget_early_reads();
            (me, capabilities) = futures::join!(api.me_with_run_by(), api.capabilities());
        }
        let next = match me.map(|answer| answer.user) {
            Ok(user) => match capabilities {
                Ok(capabilities) => SessionStatus::SignedIn { user, capabilities },
                Err(err) if err.is_unauthenticated() => SessionStatus::SignedOut,
                Err(err) => SessionStatus::Unavailable(err),
            },
            Err(err) if err.is_unauthenticated() => SessionStatus::SignedOut,
            Err(err) => SessionStatus::Unavailable(err),
        };
        if let SessionStatus::SignedIn { user, .. } = &next {
            // Someone else's unsaved edits must not stay in a tab another user now holds.
            drafts::keep_only(&user.username);
        }
        self.status.set(next);
    }

    /// Asks again while signed in; reports whether what the user may do changed. A 401 ends the
    /// session through the client's unauthenticated hook; an outage changes nothing.
    pub async fn recheck(&self, api: ApiClient) -> bool {
        let SessionStatus::SignedIn {
            user: before_user,
            capabilities: before_caps,
        } = self.status.get_untracked()
        else {
            return false;
        };
        let (me, capabilities) = futures::join!(api.me_with_run_by(), api.capabilities());
        if self.view_ended_by(&me) {
            // The caller may no longer view as that user: back to their own view.
            self.status.set(SessionStatus::Checking);
            self.refresh(api).await;
            self.privileges_changed.update(|n| *n += 1);
            return true;
        }
        let (Ok(MeAnswer { user, .. }), Ok(capabilities)) = (me, capabilities) else {
            return false;
        };
        if !matches!(self.status.get_untracked(), SessionStatus::SignedIn { .. }) {
            return false;
        }
        let changed = user.roles != before_user.roles || capabilities != before_caps;
        if changed {
            self.status
                .set(SessionStatus::SignedIn { user, capabilities });
            self.privileges_changed.update(|n| *n += 1);
        }
        self.rechecked.update(|n| *n += 1);
        changed
    }

    pub fn sign_out_locally(&self) {
        self.status.set(SessionStatus::SignedOut);
    }

    /// Starts (`Some`) or ends a view as another user, for the requests, a reload and the pages.
    pub fn set_viewing_as(&self, view: Option<ViewingAs>) {
        super::view_as::keep(view.as_ref());
        self.viewing_as.set(view);
    }

    /// Ends the tab's view when `me`'s answer shows it no longer holds: the server refused the
    /// run-as (403: the caller lost the right, or the user is gone or deactivated) or answered
    /// for someone else (another user signed in to the tab). A 401 or an outage proves nothing.
    fn view_ended_by(&self, me: &Result<MeAnswer, ApiError>) -> bool {
        let Some(view) = self.viewing_as.get_untracked() else {
            return false;
        };
        let ended = match me {
            Ok(answer) => !view_holds(&view, answer),
            Err(error) => error.status == 403,
        };
        if ended {
            self.set_viewing_as(None);
        }
        ended
    }

    /// The signed-in user's name, without tracking (for keys, not for what is shown).
    pub fn username_untracked(&self) -> Option<String> {
        self.status.with_untracked(|status| match status {
            SessionStatus::SignedIn { user, .. } => Some(user.username.clone()),
            _ => None,
        })
    }

    pub fn user(&self) -> Option<AuthenticatedUser> {
        match self.status.get() {
            SessionStatus::SignedIn { user, .. } => Some(user),
            _ => None,
        }
    }

    pub fn capabilities(&self) -> Capabilities {
        match self.status.get() {
            SessionStatus::SignedIn { capabilities, .. } => capabilities,
            _ => Capabilities::default(),
        }
    }
}

/// Unsaved form contents kept in the tab's `sessionStorage`, so a session that ends mid-edit
/// (idle expiry, a password change elsewhere) does not take what the user typed with it: the
/// login page sends them back to the same page, which offers the draft again.
///
/// Every key carries the username: a draft is only ever offered to the user who typed it, and
/// signing in as someone else removes every other user's drafts from the tab. Storage that is
/// missing or full (private mode, quota) just means no draft: nothing here can fail the page.
pub mod drafts {
    use crate::state::web_storage::{self, session as storage};

    const PREFIX: &str = "gatehouse:draft:";

    fn encode(s: &str) -> String {
        String::from(js_sys::encode_uri_component(s))
    }

    fn user_prefix(user: &str) -> String {
        format!("{PREFIX}{}:", encode(user))
    }

    /// `what` names the form, e.g. `dashboard/<id>`.
    fn key(user: &str, what: &str) -> String {
        format!("{}{}", user_prefix(user), encode(what))
    }

    pub fn save(user: &str, what: &str, value: &str) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(&key(user, what), value);
        }
    }

    pub fn load(user: &str, what: &str) -> Option<String> {
        storage()?.get_item(&key(user, what)).ok().flatten()
    }

    pub fn clear(user: &str, what: &str) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(&key(user, what));
        }
    }

    /// Removes every draft in the tab (for an explicit sign-out: the user chose to leave).
    pub fn clear_all() {
        if let Some(storage) = storage() {
            web_storage::remove_keys(&storage, |k| k.starts_with(PREFIX));
        }
    }

    /// Removes every draft that does not belong to `user`.
    pub fn keep_only(user: &str) {
        let Some(storage) = storage() else { return };
        let mine = user_prefix(user);
        web_storage::remove_keys(&storage, |k| k.starts_with(PREFIX) && !k.starts_with(&mine));
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

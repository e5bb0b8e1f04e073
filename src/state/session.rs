//! Who is signed in and what Kibana says they may open.

use gatehouse_api::security::{AuthenticatedUser, Capabilities};
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
}

pub fn expect_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(SessionStatus::Checking),
            privileges_changed: RwSignal::new(0),
        }
    }

    /// Asks the server who we are; a 401 means signed out, anything else is an outage.
    pub async fn refresh(&self, api: ApiClient) {
        let next = match api.me().await {
            Ok(user) => match api.capabilities().await {
                Ok(capabilities) => SessionStatus::SignedIn { user, capabilities },
                Err(err) if err.is_unauthenticated() => SessionStatus::SignedOut,
                Err(err) => SessionStatus::Unavailable(err),
            },
            Err(err) if err.is_unauthenticated() => SessionStatus::SignedOut,
            Err(err) => SessionStatus::Unavailable(err),
        };
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
        let (Ok(user), Ok(capabilities)) = (api.me().await, api.capabilities().await) else {
            return false;
        };
        let changed = user.roles != before_user.roles || capabilities != before_caps;
        if changed && matches!(self.status.get_untracked(), SessionStatus::SignedIn { .. }) {
            self.status
                .set(SessionStatus::SignedIn { user, capabilities });
            self.privileges_changed.update(|n| *n += 1);
        }
        changed
    }

    pub fn sign_out_locally(&self) {
        self.status.set(SessionStatus::SignedOut);
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

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

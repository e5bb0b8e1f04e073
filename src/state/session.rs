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
}

pub fn expect_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(SessionStatus::Checking),
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

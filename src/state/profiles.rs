//! Names for profile uids, fetched once per uid with `_bulk_get` and shared by every page.

use std::collections::{HashMap, HashSet};

use gatehouse_api::security::UserProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;

#[derive(Clone, Copy)]
pub struct Profiles {
    known: RwSignal<HashMap<String, UserProfile>>,
    requested: StoredValue<HashSet<String>>,
}

pub fn expect_profiles() -> Profiles {
    expect_context::<Profiles>()
}

impl Profiles {
    pub fn new() -> Self {
        Self {
            known: RwSignal::new(HashMap::new()),
            requested: StoredValue::new(HashSet::new()),
        }
    }

    /// Fetches the profiles not asked for yet; a failure leaves the uid shown as "Unknown user".
    pub fn ensure(&self, api: ApiClient, uids: impl IntoIterator<Item = String>) {
        let missing: Vec<String> = uids
            .into_iter()
            .filter(|uid| !uid.is_empty())
            .filter(|uid| {
                self.requested
                    .try_update_value(|asked| asked.insert(uid.clone()))
                    .unwrap_or(false)
            })
            .collect();
        if missing.is_empty() {
            return;
        }
        let known = self.known;
        spawn_local(async move {
            if let Ok(profiles) = api.bulk_get_profiles(missing).await {
                let _ = known.try_update(|known| {
                    for profile in profiles {
                        known.insert(profile.uid.clone(), profile);
                    }
                });
            }
        });
    }

    pub fn remember(&self, profile: UserProfile) {
        self.known.update(|known| {
            known.insert(profile.uid.clone(), profile);
        });
    }

    /// Full name, else username; "Unknown user" until (or unless) the profile resolves.
    pub fn name_of(&self, uid: &str) -> String {
        self.known.with(|known| {
            known
                .get(uid)
                .map(|p| {
                    p.user
                        .full_name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| p.user.username.clone())
                })
                .unwrap_or_else(|| "Unknown user".to_string())
        })
    }
}

impl Default for Profiles {
    fn default() -> Self {
        Self::new()
    }
}

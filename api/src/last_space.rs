//! The last space a user worked in, kept on their user profile on the server (Kibana 9.5 does
//! the same) and chosen after sign-in (docs/spaces.md "The last space").

use serde::{Deserialize, Serialize};

use crate::spaces::{is_valid_space_id, Space, DEFAULT_SPACE_ID};

/// Kibana's route for a user's own profile data: a JSON object merged into it.
pub const PROFILE_DATA_PATH: &str = "/internal/security/user_profile/_data";
/// The top-level key of the profile data Gatehouse keeps (`?dataPath=gatehouse` reads it).
pub const PROFILE_DATA_KEY: &str = "gatehouse";

/// What Gatehouse keeps under [`PROFILE_DATA_KEY`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatehouseProfileData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_space: Option<String>,
}

/// The body that stores `space` as the last one: `{"gatehouse":{"lastSpace":"soc-emea"}}`.
pub fn last_space_update(space: &str) -> serde_json::Value {
    serde_json::json!({ PROFILE_DATA_KEY: { "lastSpace": space } })
}

/// The last space read from a profile's `data`; nothing when absent or not a space id.
pub fn last_space_of(data: &serde_json::Value) -> Option<String> {
    let kept: GatehouseProfileData =
        serde_json::from_value(data.get(PROFILE_DATA_KEY)?.clone()).ok()?;
    kept.last_space.filter(|id| is_valid_space_id(id))
}

/// Where a sign-in without a destination lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// The last space the user worked in, which they may still enter.
    Space(String),
    /// `Select your space`: several spaces and none remembered (or no longer open to them).
    Selector,
    /// The first app of the default space.
    Home,
}

/// `last` is the remembered space, `spaces` the ones the user may enter now.
pub fn landing(last: Option<&str>, spaces: &[Space]) -> Landing {
    match last {
        Some(id) if spaces.iter().any(|s| s.id == id) => Landing::Space(id.to_string()),
        _ if spaces.len() > 1 => Landing::Selector,
        _ => Landing::Home,
    }
}

/// Whether the page load in `current` should store it as the last space: it differs from what
/// the profile says (nothing stored counts as the default space: the landing is the same).
pub fn needs_storing(current: &str, stored: Option<&str>) -> bool {
    current != stored.unwrap_or(DEFAULT_SPACE_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(id: &str) -> Space {
        Space::named(id, id)
    }

    #[test]
    fn sign_in_lands_in_the_last_space_only_while_the_user_may_enter_it() {
        let both = [space("default"), space("soc-emea")];
        assert_eq!(
            landing(Some("soc-emea"), &both),
            Landing::Space("soc-emea".into())
        );
        assert_eq!(
            landing(Some("default"), &both),
            Landing::Space("default".into())
        );
        // Access to it was taken away, or it was deleted: as if nothing were remembered.
        assert_eq!(landing(Some("soc-apac"), &both), Landing::Selector);
        assert_eq!(landing(None, &both), Landing::Selector);
        assert_eq!(
            landing(Some("soc-emea"), &[space("default")]),
            Landing::Home
        );
        assert_eq!(landing(None, &[]), Landing::Home);
    }

    #[test]
    fn the_last_space_reads_from_the_profile_data_and_ignores_anything_else() {
        let data = serde_json::json!({ "gatehouse": { "lastSpace": "soc-emea" }, "avatar": {} });
        assert_eq!(last_space_of(&data), Some("soc-emea".into()));
        assert_eq!(last_space_of(&serde_json::json!({})), None);
        assert_eq!(
            last_space_of(&serde_json::json!({ "gatehouse": { "lastSpace": 3 } })),
            None
        );
        assert_eq!(
            last_space_of(&serde_json::json!({ "gatehouse": { "lastSpace": "../x" } })),
            None
        );
        assert_eq!(
            last_space_of(&last_space_update("soc-emea")),
            Some("soc-emea".into())
        );
    }

    #[test]
    fn a_page_load_stores_its_space_only_when_it_changed() {
        assert!(!needs_storing("soc-emea", Some("soc-emea")));
        assert!(needs_storing("default", Some("soc-emea")));
        assert!(needs_storing("soc-emea", None));
        assert!(!needs_storing("default", None));
    }
}

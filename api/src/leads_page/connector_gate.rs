//! Generate and the space's connector (docs/leads.md "Connector"): Generate stays closed, with
//! its reason, until the space has a connector that can run.

use crate::leads::connector::{connector_to_use, CHOOSE_CONNECTOR_FIRST};
use crate::leads::{missing_privilege_text, ChosenConnector, Connector, LeadsAccess, Privilege};

/// The empty state for a user who may generate while the space has no connector: Generate is
/// closed until one is chosen, so "Generate leads…" alone would point at a closed button.
pub const EMPTY_BODY_CHOOSE_CONNECTOR: &str =
    "Choose a connector, then generate leads to surface proactive threat hunting opportunities from your entity data.";

/// Generate's reason while the space's choice has not been read yet.
pub const CHECKING_CONNECTOR: &str = "Checking which connector this space uses…";

/// The connector Generate runs with: the space's choice, if it is still offered and usable. When
/// the list could not be read (`offered` is `None`), the choice is sent as it is and the server
/// checks it.
pub fn connector_for_generate(
    chosen: Option<&str>,
    offered: Option<&[Connector]>,
) -> Option<String> {
    let chosen = chosen?;
    match offered {
        None => Some(chosen.to_string()),
        Some(offered) => {
            let choice = ChosenConnector {
                connector_id: Some(chosen.to_string()),
            };
            connector_to_use(&choice, offered).map(|connector| connector.id.clone())
        }
    }
}

/// Why Generate is closed, or `None` when it is open. `chosen` is `None` until the space's
/// choice is read. A missing `write` comes first: choosing a connector would not open it.
pub fn generate_block(
    access: LeadsAccess,
    chosen: Option<Option<&str>>,
    offered: Option<&[Connector]>,
) -> Option<String> {
    if access == LeadsAccess::ReadOnly {
        return Some(missing_privilege_text(Privilege::Write, "generate leads"));
    }
    let Some(chosen) = chosen else {
        return Some(CHECKING_CONNECTOR.to_string());
    };
    connector_for_generate(chosen, offered)
        .is_none()
        .then(|| CHOOSE_CONNECTOR_FIRST.to_string())
}

/// The name the picker shows for the space's choice: the connector's name when it is listed,
/// else its id, else that none is chosen.
pub fn chosen_name(chosen: Option<&str>, offered: Option<&[Connector]>) -> String {
    let Some(id) = chosen else {
        return "none chosen".to_string();
    };
    offered
        .and_then(|offered| offered.iter().find(|c| c.id == id))
        .map_or_else(|| id.to_string(), |c| c.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered() -> Vec<Connector> {
        let mut broken = Connector::builtin();
        broken.id = "no-secrets".into();
        broken.is_missing_secrets = true;
        vec![Connector::builtin(), broken]
    }

    #[test]
    fn generate_is_closed_until_a_usable_connector_is_chosen() {
        let offered = offered();
        let full = LeadsAccess::Full;
        assert_eq!(
            generate_block(full, None, Some(&offered)).as_deref(),
            Some(CHECKING_CONNECTOR)
        );
        assert_eq!(
            generate_block(full, Some(None), Some(&offered)).as_deref(),
            Some(CHOOSE_CONNECTOR_FIRST)
        );
        assert_eq!(
            generate_block(full, Some(Some("gatehouse-default")), Some(&offered)),
            None
        );
        // Chosen once, since deleted or broken: closed again.
        for gone in ["deleted", "no-secrets"] {
            assert_eq!(
                generate_block(full, Some(Some(gone)), Some(&offered)).as_deref(),
                Some(CHOOSE_CONNECTOR_FIRST)
            );
        }
        // The list could not be read: the choice is trusted, the server checks it.
        assert_eq!(generate_block(full, Some(Some("deleted")), None), None);
        assert_eq!(
            connector_for_generate(Some("deleted"), None).as_deref(),
            Some("deleted")
        );
    }

    #[test]
    fn a_read_only_user_is_told_about_write_not_about_the_connector() {
        let reason = generate_block(LeadsAccess::ReadOnly, Some(None), None).unwrap_or_default();
        assert!(reason.contains("write privilege"), "{reason}");
    }

    #[test]
    fn the_picker_names_the_choice() {
        let offered = offered();
        assert_eq!(
            chosen_name(Some("gatehouse-default"), Some(&offered)),
            "Gatehouse scoring (built in, no LLM)"
        );
        assert_eq!(chosen_name(Some("gone"), Some(&offered)), "gone");
        assert_eq!(chosen_name(None, None), "none chosen");
    }
}

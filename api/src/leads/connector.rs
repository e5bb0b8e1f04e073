//! Connectors: the list Kibana's actions API answers, and the one a space has chosen for lead
//! generation (docs/leads.md "Connector").

use serde::{Deserialize, Serialize};

/// The id of the connector our server offers: its built-in scorer (docs/leads.md "What a card
/// says"). Kept from the days it was hard-coded, so stored choices and scripts still name it.
pub const BUILTIN_CONNECTOR_ID: &str = "gatehouse-default";
/// Its name as the picker shows it: it says plainly that no language model is involved.
pub const BUILTIN_CONNECTOR_NAME: &str = "Gatehouse scoring (built in, no LLM)";
/// The connector type id Gatehouse gives its built-in scorer (Kibana's are `.gen-ai`,
/// `.bedrock`, …; a leading dot marks Kibana's own types, so ours has none).
pub const BUILTIN_CONNECTOR_TYPE: &str = "gatehouse-scoring";

/// One connector, as `GET /api/actions/connectors` lists it (Kibana's snake_case shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connector {
    pub id: String,
    pub name: String,
    pub connector_type_id: String,
    #[serde(default)]
    pub is_preconfigured: bool,
    #[serde(default)]
    pub is_deprecated: bool,
    #[serde(default)]
    pub is_missing_secrets: bool,
    #[serde(default)]
    pub referenced_by_count: u64,
}

impl Connector {
    /// The connector our server offers, preconfigured (no one can edit or delete it).
    pub fn builtin() -> Self {
        Self {
            id: BUILTIN_CONNECTOR_ID.into(),
            name: BUILTIN_CONNECTOR_NAME.into(),
            connector_type_id: BUILTIN_CONNECTOR_TYPE.into(),
            is_preconfigured: true,
            is_deprecated: false,
            is_missing_secrets: false,
            referenced_by_count: 0,
        }
    }

    /// Whether the picker should offer it: a connector missing its secrets cannot run.
    pub fn is_usable(&self) -> bool {
        !self.is_missing_secrets
    }
}

/// The space's chosen connector: the answer of `GET` and `PUT …/leads/connector`.
/// `connectorId` is `null` until someone chooses one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChosenConnector {
    #[serde(default)]
    pub connector_id: Option<String>,
}

/// The body of `PUT …/leads/connector`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChooseConnectorRequest {
    pub connector_id: String,
}

/// The 400 text for a connector id no connector has (`PUT …/connector`, generate, enable).
pub fn unknown_connector_text(connector_id: &str) -> String {
    format!("[request body]: connectorId: Connector '{connector_id}' does not exist")
}

/// Why Generate is closed while no connector is chosen (the button's tooltip).
pub const CHOOSE_CONNECTOR_FIRST: &str = "Choose a connector first";

/// The connector Generate should run with: the space's choice if it is still offered, else none
/// (Generate then stays closed with [`CHOOSE_CONNECTOR_FIRST`]).
pub fn connector_to_use<'a>(
    chosen: &ChosenConnector,
    offered: &'a [Connector],
) -> Option<&'a Connector> {
    let chosen = chosen.connector_id.as_deref()?;
    offered
        .iter()
        .find(|connector| connector.id == chosen && connector.is_usable())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kibanas_connector_list_parses_and_ours_serializes_the_same_way() {
        let body = r#"[{"id":"abc","name":"OpenAI","connector_type_id":".gen-ai","is_preconfigured":false,
            "is_deprecated":false,"is_missing_secrets":false,"referenced_by_count":2,"config":{"apiProvider":"OpenAI"},
            "is_system_action":false}]"#;
        let list: Vec<Connector> = serde_json::from_str(body).expect("Kibana's shape parses");
        assert_eq!(list[0].connector_type_id, ".gen-ai");
        assert_eq!(list[0].referenced_by_count, 2);
        let ours = serde_json::to_value(Connector::builtin()).expect("serializes");
        assert_eq!(ours["id"], "gatehouse-default");
        assert_eq!(ours["is_preconfigured"], true);
        assert!(ours["name"].as_str().is_some_and(|n| n.contains("no LLM")));
    }

    #[test]
    fn the_chosen_connector_is_null_until_chosen() {
        let none = serde_json::to_string(&ChosenConnector::default()).expect("serializes");
        assert_eq!(none, r#"{"connectorId":null}"#);
        let parsed: ChosenConnector = serde_json::from_str("{}").expect("absent is none");
        assert_eq!(parsed.connector_id, None);
        let request: ChooseConnectorRequest =
            serde_json::from_str(r#"{"connectorId":"gatehouse-default"}"#).expect("parses");
        assert_eq!(request.connector_id, BUILTIN_CONNECTOR_ID);
    }

    #[test]
    fn generate_uses_the_chosen_connector_only_while_it_is_offered_and_usable() {
        let offered = [Connector::builtin()];
        let chosen = |id: &str| ChosenConnector {
            connector_id: Some(id.into()),
        };
        assert_eq!(
            connector_to_use(&chosen(BUILTIN_CONNECTOR_ID), &offered).map(|c| c.id.as_str()),
            Some(BUILTIN_CONNECTOR_ID)
        );
        assert_eq!(connector_to_use(&chosen("deleted"), &offered), None);
        assert_eq!(
            connector_to_use(&ChosenConnector::default(), &offered),
            None
        );
        let broken = Connector {
            is_missing_secrets: true,
            ..Connector::builtin()
        };
        assert_eq!(
            connector_to_use(&chosen(BUILTIN_CONNECTOR_ID), &[broken]),
            None
        );
        assert_eq!(
            unknown_connector_text("gpt-9"),
            "[request body]: connectorId: Connector 'gpt-9' does not exist"
        );
    }
}

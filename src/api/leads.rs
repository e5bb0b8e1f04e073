//! The leads routes that came with keeping leads between runs (docs/leads.md): the connectors
//! Kibana's actions API lists, the space's chosen connector, and the changes feed.

use gatehouse_api::leads::changes::AnyLeadChanges;
use gatehouse_api::leads::{
    ChangesQuery, ChooseConnectorRequest, ChosenConnector, Connector, LeadChanges, CONNECTORS_PATH,
    LEADS_CHANGES_PATH, LEADS_CONNECTOR_PATH,
};
use gatehouse_api::ApiError;

use super::{ApiClient, Method, LEADS};

impl ApiClient {
    /// Kibana's public actions API: no version header.
    pub async fn list_connectors(&self) -> Result<Vec<Connector>, ApiError> {
        self.call(Method::Get, CONNECTORS_PATH, None, None).await
    }

    pub async fn leads_connector(&self) -> Result<ChosenConnector, ApiError> {
        self.call(Method::Get, LEADS_CONNECTOR_PATH, LEADS, None)
            .await
    }

    pub async fn choose_leads_connector(
        &self,
        connector_id: &str,
    ) -> Result<ChosenConnector, ApiError> {
        let body = ChooseConnectorRequest {
            connector_id: connector_id.to_string(),
        };
        self.call_json(Method::Put, LEADS_CONNECTOR_PATH, LEADS, &body)
            .await
    }

    /// The changes after `query.since`, or (without it) no changes and the cursor of now. Our
    /// server's answer or Kibana 9.5's (docs/leads.md "Changes"); Kibana's `null` cursor reads
    /// as an empty one.
    pub async fn leads_changes(&self, query: &ChangesQuery) -> Result<LeadChanges, ApiError> {
        let query = query.to_query_string();
        let path = if query.is_empty() {
            LEADS_CHANGES_PATH.to_string()
        } else {
            format!("{LEADS_CHANGES_PATH}?{query}")
        };
        self.call::<AnyLeadChanges>(Method::Get, &path, LEADS, None)
            .await
            .map(AnyLeadChanges::into_changes)
    }
}

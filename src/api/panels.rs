//! Dashboard panels' data (`gatehouse_api::panels`, docs/panels.md): one route answers a panel's
//! query, in the current space, with the viewer's own privileges.

use gatehouse_api::panels::{PanelAnswer, PanelQuery, PANELS_QUERY_PATH};
use gatehouse_api::ApiError;

use super::{ApiClient, Method};

impl ApiClient {
    pub async fn panel_query(&self, query: &PanelQuery) -> Result<PanelAnswer, ApiError> {
        self.call_json(Method::Post, PANELS_QUERY_PATH, None, query)
            .await
    }
}

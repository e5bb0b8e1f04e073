//! Gatehouse's own space routes (`gatehouse_api::space_access`): who can enter a space, and
//! what deleting it removes.

use gatehouse_api::space_access::{
    space_access_path, space_contents_path, SpaceAccessReport, SpaceContents,
};
use gatehouse_api::ApiError;

use super::{ApiClient, Method};

impl ApiClient {
    /// The roles and users that can enter the space, with their levels (needs `read_security`).
    pub async fn space_access(&self, id: &str) -> Result<SpaceAccessReport, ApiError> {
        self.call(Method::Get, &space_access_path(id), None, None)
            .await
    }

    /// How many leads and dashboards the space holds (needs the privilege to manage spaces).
    pub async fn space_contents(&self, id: &str) -> Result<SpaceContents, ApiError> {
        self.call(Method::Get, &space_contents_path(id), None, None)
            .await
    }
}

//! Kibana's spaces API (docs/spaces.md).

use gatehouse_api::admin::encode_path_segment;
use gatehouse_api::spaces::{Space, SPACES_API_VERSION, SPACES_PATH};
use gatehouse_api::ApiError;

use super::{ApiClient, Method};

fn space_url(id: &str) -> String {
    format!("{SPACES_PATH}/{}", encode_path_segment(id))
}

impl ApiClient {
    /// See [`ApiClient::read_early`]: the header's space list, and the check of the space the
    /// page load is in (`None` for the default space, which needs none).
    pub fn read_spaces_early(&self, space: Option<&str>) {
        self.read_early(Method::Get, SPACES_PATH, Some(SPACES_API_VERSION), None);
        if let Some(id) = space {
            self.read_early(Method::Get, &space_url(id), Some(SPACES_API_VERSION), None);
        }
    }

    /// The spaces the user may enter, sorted by name (403 when none).
    pub async fn list_spaces(&self) -> Result<Vec<Space>, ApiError> {
        self.call(Method::Get, SPACES_PATH, Some(SPACES_API_VERSION), None)
            .await
    }

    pub async fn get_space(&self, id: &str) -> Result<Space, ApiError> {
        self.call(Method::Get, &space_url(id), Some(SPACES_API_VERSION), None)
            .await
    }

    pub async fn create_space(&self, space: &Space) -> Result<Space, ApiError> {
        self.call_json(Method::Post, SPACES_PATH, Some(SPACES_API_VERSION), space)
            .await
    }

    pub async fn update_space(&self, space: &Space) -> Result<Space, ApiError> {
        self.call_json(
            Method::Put,
            &space_url(&space.id),
            Some(SPACES_API_VERSION),
            space,
        )
        .await
    }

    pub async fn delete_space(&self, id: &str) -> Result<(), ApiError> {
        self.send_only(
            Method::Delete,
            &space_url(id),
            Some(SPACES_API_VERSION),
            None,
        )
        .await
    }
}

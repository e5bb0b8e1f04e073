//! The role editor's check of index rows before saving (`gatehouse_api::role_check`).

use gatehouse_api::admin::ROLE_CHECK_INDICES_PATH;
use gatehouse_api::role_check::{IndexRowsCheck, IndexRowsCheckRequest};
use gatehouse_api::ApiError;

use super::{ApiClient, Method};

impl ApiClient {
    /// Whether saving would accept each row, with a leads preview for the current space (needs
    /// `manage_security`, as saving the role does).
    pub async fn check_index_rows(
        &self,
        request: &IndexRowsCheckRequest,
    ) -> Result<IndexRowsCheck, ApiError> {
        self.call_json(Method::Post, ROLE_CHECK_INDICES_PATH, None, request)
            .await
    }
}

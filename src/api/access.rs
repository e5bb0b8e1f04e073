//! Gatehouse's own access routes: effective access and "Why?" (`gatehouse_api::access`).

use gatehouse_api::access::{
    effective_access_path, EffectiveAccess, Explanation, Requirement, EXPLAIN_PATH,
};
use gatehouse_api::ApiError;

use super::{ApiClient, Method};

impl ApiClient {
    pub async fn effective_access(&self, username: &str) -> Result<EffectiveAccess, ApiError> {
        self.call(Method::Get, &effective_access_path(username), None, None)
            .await
    }

    pub async fn explain(&self, requirement: &Requirement) -> Result<Explanation, ApiError> {
        self.call_json(Method::Post, EXPLAIN_PATH, None, requirement)
            .await
    }
}

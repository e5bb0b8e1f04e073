//! The audit log's reads (docs/audit-log.md): one page of events, and the ndjson download of every
//! event of a filter. The queries are `gatehouse_api::audit_page::AuditFilters`'s.

use gatehouse_api::audit::{AuditPage, AUDIT_EXPORT_PATH, AUDIT_PATH};
use gatehouse_api::ApiError;

use super::{ApiClient, Method};

impl ApiClient {
    /// `GET /internal/gatehouse/security/audit{query}`: one page of events, newest first.
    pub async fn audit_events(&self, query: &str) -> Result<AuditPage, ApiError> {
        self.call(Method::Get, &format!("{AUDIT_PATH}{query}"), None, None)
            .await
    }

    /// `GET /internal/gatehouse/security/audit/_export{query}`: the filter's events as ndjson
    /// text. A success that is not ndjson (a proxy's page) is an error, never a file.
    pub async fn export_audit_events(&self, query: &str) -> Result<String, ApiError> {
        let response = self
            .send(
                Method::Get,
                &format!("{AUDIT_EXPORT_PATH}{query}"),
                None,
                None,
            )
            .await?;
        Self::ndjson_text(response, "the download was not an ndjson file")
    }
}

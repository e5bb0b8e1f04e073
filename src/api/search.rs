//! The Search app's calls: sources, documents, identities and search in the Workplace Search
//! shape (`gatehouse_api::search`, docs/search.md).

use gatehouse_api::search::{
    bulk_create_path, document_access_path, document_path, identities_path, identity_path,
    source_path, BulkCreateResponse, Document, DocumentAccess, ExternalIdentity, IdentityUpdate,
    NewIdentity, NewSource, Paged, SearchRequest, SearchResponse, Source, MAX_PAGE_SIZE,
    SEARCH_PATH, SOURCES_PATH,
};
use gatehouse_api::ApiError;
use serde_json::Value;

use super::{ApiClient, Method};

impl ApiClient {
    pub async fn search_documents(
        &self,
        request: &SearchRequest,
    ) -> Result<SearchResponse, ApiError> {
        self.call_json(Method::Post, SEARCH_PATH, None, request)
            .await
    }

    /// The first 100 sources (with the caller's document counts).
    pub async fn search_sources(&self) -> Result<Paged<Source>, ApiError> {
        let path = format!("{SOURCES_PATH}?page%5Bcurrent%5D=1&page%5Bsize%5D={MAX_PAGE_SIZE}");
        self.call(Method::Get, &path, None, None).await
    }

    pub async fn create_search_source(&self, name: &str) -> Result<Source, ApiError> {
        let body = NewSource {
            name: name.to_string(),
        };
        self.call_json(Method::Post, SOURCES_PATH, None, &body)
            .await
    }

    pub async fn delete_search_source(&self, source: &str) -> Result<Source, ApiError> {
        self.call(Method::Delete, &source_path(source), None, None)
            .await
    }

    pub async fn search_document(&self, source: &str, id: &str) -> Result<Document, ApiError> {
        self.call(Method::Get, &document_path(source, id), None, None)
            .await
    }

    /// **ext**: who can and cannot see a document (needs manage + read users).
    pub async fn search_document_access(
        &self,
        source: &str,
        id: &str,
    ) -> Result<DocumentAccess, ApiError> {
        self.call(Method::Get, &document_access_path(source, id), None, None)
            .await
    }

    /// Up to 100 documents as sent (objects or not): one result per input, in order.
    pub async fn bulk_create_documents(
        &self,
        source: &str,
        documents: &[Value],
    ) -> Result<BulkCreateResponse, ApiError> {
        self.call_json(Method::Post, &bulk_create_path(source), None, &documents)
            .await
    }

    /// The first 100 identities of a source.
    pub async fn search_identities(
        &self,
        source: &str,
    ) -> Result<Paged<ExternalIdentity>, ApiError> {
        let path = format!(
            "{}?page%5Bcurrent%5D=1&page%5Bsize%5D={MAX_PAGE_SIZE}",
            identities_path(source)
        );
        self.call(Method::Get, &path, None, None).await
    }

    pub async fn create_search_identity(
        &self,
        source: &str,
        identity: &NewIdentity,
    ) -> Result<ExternalIdentity, ApiError> {
        self.call_json(Method::Post, &identities_path(source), None, identity)
            .await
    }

    pub async fn update_search_identity(
        &self,
        source: &str,
        external_user_id: &str,
        update: &IdentityUpdate,
    ) -> Result<ExternalIdentity, ApiError> {
        self.call_json(
            Method::Put,
            &identity_path(source, external_user_id),
            None,
            update,
        )
        .await
    }

    pub async fn delete_search_identity(
        &self,
        source: &str,
        external_user_id: &str,
    ) -> Result<(), ApiError> {
        self.send_only(
            Method::Delete,
            &identity_path(source, external_user_id),
            None,
            None,
        )
        .await
    }
}

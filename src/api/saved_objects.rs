//! The saved-objects API of the Saved objects page: list, export (the ndjson text), import and
//! the retry of an import's conflicts (multipart, with the file's text as its `file` part).

use gatehouse_api::dashboards::SavedObjectRef;
use gatehouse_api::saved_objects::{
    ExportRequest, FindResponse, ImportResponse, ImportRetry, EXPORT_PATH, FIND_PATH,
    IMPORT_FILE_FIELD, IMPORT_PATH, MAX_FIND_PER_PAGE, RESOLVE_IMPORT_ERRORS_PATH, RETRIES_FIELD,
};
use gatehouse_api::saved_objects_page::retry_query;
use gatehouse_api::ApiError;

use super::{ApiClient, FormField, Method, PUBLIC};

/// A file chosen for import: its name and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    pub name: String,
    pub text: String,
}

impl ImportFile {
    fn field(&self) -> FormField {
        FormField {
            name: IMPORT_FILE_FIELD,
            file_name: Some(self.name.clone()),
            text: self.text.clone(),
        }
    }
}

impl ApiClient {
    /// The space's dashboards as saved objects, most recently updated first (the server's
    /// largest page: the page lists them all).
    pub async fn find_saved_objects(&self) -> Result<FindResponse, ApiError> {
        let path = format!(
            "{FIND_PATH}?type=dashboard&perPage={MAX_FIND_PER_PAGE}&sortField=updated_at&sortOrder=desc"
        );
        self.call(Method::Get, &path, PUBLIC, None).await
    }

    /// The ndjson export of `objects` with what they reference. A success that is not ndjson (a
    /// proxy's page) is an error, never a file saved with the wrong contents.
    pub async fn export_saved_objects(
        &self,
        objects: Vec<SavedObjectRef>,
    ) -> Result<String, ApiError> {
        let body = Self::json(&ExportRequest {
            include_references_deep: true,
            ..ExportRequest::objects(objects)
        })?;
        let response = self
            .send(Method::Post, EXPORT_PATH, PUBLIC, Some(body))
            .await?;
        Self::ndjson_text(response, "the export was not an ndjson file")
    }

    /// `POST /api/saved_objects/_import{query}` (`gatehouse_api::saved_objects_page::import_query`).
    pub async fn import_saved_objects(
        &self,
        file: &ImportFile,
        query: &str,
    ) -> Result<ImportResponse, ApiError> {
        let path = format!("{IMPORT_PATH}{query}");
        self.call_form(&path, PUBLIC, vec![file.field()]).await
    }

    /// Imports again, from the same file, only the objects in `retries`, as each says.
    pub async fn resolve_import_errors(
        &self,
        file: &ImportFile,
        retries: &[ImportRetry],
        keep_access_control: bool,
    ) -> Result<ImportResponse, ApiError> {
        let retries = FormField {
            name: RETRIES_FIELD,
            file_name: None,
            text: Self::json(&retries)?,
        };
        let path = format!(
            "{RESOLVE_IMPORT_ERRORS_PATH}{}",
            retry_query(keep_access_control)
        );
        self.call_form(&path, PUBLIC, vec![file.field(), retries])
            .await
    }
}

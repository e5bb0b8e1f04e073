//! The multipart body of `_import` and `_resolve_import_errors` (docs/saved-objects.md, "Import"):
//! the field `file` (the export file) and, for retries, the field `retries` (JSON). The whole
//! body is already capped by the request rules (`platform::kibana::body_limit`); the retries have
//! their own, smaller, size.

use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartRejection};
use gatehouse_api::saved_objects::{
    messages, ImportRetry, IMPORT_FILE_FIELD, MAX_IMPORT_EXPORT_OBJECTS, RETRIES_FIELD,
};

use super::objects::bad_request;
use crate::platform::error::AppResult;
use crate::platform::kibana::BODY_LIMIT;

/// What an import request uploaded.
pub struct Upload {
    pub file: Bytes,
    pub retries: Option<Bytes>,
}

fn not_multipart(detail: impl std::fmt::Display) -> crate::platform::error::AppError {
    bad_request(format!(
        "[request body]: expected a multipart/form-data body with the export file in the field [{IMPORT_FILE_FIELD}] ({detail})"
    ))
}

/// Reads the fields, once the caller is authorized. Other fields are skipped.
pub async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> AppResult<Upload> {
    let mut multipart = multipart.map_err(|rejection| not_multipart(rejection.body_text()))?;
    let mut file = None;
    let mut retries = None;
    while let Some(field) = multipart.next_field().await.map_err(not_multipart)? {
        match field.name() {
            Some(IMPORT_FILE_FIELD) => file = Some(field.bytes().await.map_err(not_multipart)?),
            Some(RETRIES_FIELD) => {
                let bytes = field.bytes().await.map_err(not_multipart)?;
                if bytes.len() > BODY_LIMIT {
                    return Err(bad_request(format!(
                        "[request body.{RETRIES_FIELD}]: must be at most {BODY_LIMIT} bytes"
                    )));
                }
                retries = Some(bytes);
            }
            _ => {}
        }
    }
    let file = file.ok_or_else(|| bad_request(messages::MISSING_FILE))?;
    Ok(Upload { file, retries })
}

/// The retries of `_resolve_import_errors`: a JSON list of at most
/// [`MAX_IMPORT_EXPORT_OBJECTS`] retries.
pub fn parse_retries(bytes: Option<&Bytes>) -> AppResult<Vec<ImportRetry>> {
    let Some(bytes) = bytes else {
        return Err(bad_request(format!(
            "[request body.{RETRIES_FIELD}]: expected the retries, a JSON list, in the multipart field [{RETRIES_FIELD}]"
        )));
    };
    let retries: Vec<ImportRetry> = serde_json::from_slice(bytes)
        .map_err(|e| bad_request(format!("[request body.{RETRIES_FIELD}]: {e}")))?;
    if retries.len() > MAX_IMPORT_EXPORT_OBJECTS {
        return Err(bad_request(format!(
            "[request body.{RETRIES_FIELD}]: Array must contain at most {MAX_IMPORT_EXPORT_OBJECTS} element(s)"
        )));
    }
    Ok(retries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_a_bounded_json_list() {
        let one = Bytes::from_static(br#"[{"type":"dashboard","id":"a","overwrite":true}]"#);
        let parsed = parse_retries(Some(&one)).expect("parses");
        assert!(parsed[0].overwrite && !parsed[0].ignore_missing_references);
        assert!(parse_retries(None).is_err());
        assert!(parse_retries(Some(&Bytes::from_static(b"{}"))).is_err());
        let many = serde_json::to_vec(&vec![
            ImportRetry::overwrite("dashboard", "a");
            MAX_IMPORT_EXPORT_OBJECTS + 1
        ])
        .expect("serializes");
        assert!(parse_retries(Some(&Bytes::from(many))).is_err());
    }
}

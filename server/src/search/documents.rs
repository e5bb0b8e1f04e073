//! Document validation: what a document may hold before it is stored.

use std::collections::BTreeSet;

use gatehouse_api::search::{
    BulkCreateResult, Document, ALLOW_PERMISSIONS, DENY_PERMISSIONS, HIGHLIGHT_END, HIGHLIGHT_START,
};
use serde_json::{json, Value};

use super::*;

// ---------------------------------------------------------------------------------------------
// Documents: validation
// ---------------------------------------------------------------------------------------------

/// A document that passed validation, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDocument {
    pub id: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    /// Every field as sent (including `id` and the permission lists, normalised).
    pub fields: Document,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string_list(name: &str, value: &Value, errors: &mut Vec<String>) -> Vec<String> {
    let Some(items) = value.as_array() else {
        errors.push(format!(
            "'{name}' must be an array of strings, not {}",
            json_kind(value)
        ));
        return Vec::new();
    };
    let mut out = BTreeSet::new();
    for item in items {
        match item.as_str() {
            Some(s) if s.trim().is_empty() => {
                errors.push(format!("'{name}' must not contain empty strings"));
                return Vec::new();
            }
            Some(s) if s.chars().count() > MAX_PERMISSION_CHARS => {
                errors.push(format!(
                    "'{name}' entries must be at most {MAX_PERMISSION_CHARS} characters"
                ));
                return Vec::new();
            }
            Some(s) => {
                out.insert(s.to_string());
            }
            None => {
                errors.push(format!(
                    "'{name}' must be an array of strings, but contains {}",
                    json_kind(item)
                ));
                return Vec::new();
            }
        }
    }
    if out.len() > MAX_PERMISSIONS {
        errors.push(format!(
            "'{name}' must have at most {MAX_PERMISSIONS} entries"
        ));
        return Vec::new();
    }
    out.into_iter().collect()
}

fn valid_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_FIELD_NAME_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Removes the highlight markers from text that goes into the index, so a snippet's markers can
/// only come from the server.
pub fn index_text(text: &str) -> String {
    text.chars()
        .filter(|c| *c != HIGHLIGHT_START && *c != HIGHLIGHT_END)
        .collect()
}

/// Checks one `bulk_create` input. On failure, the result entry with every error found.
pub fn validate_document(value: &Value) -> Result<ValidDocument, BulkCreateResult> {
    let Some(object) = value.as_object() else {
        return Err(BulkCreateResult {
            id: None,
            errors: vec![format!(
                "Document must be a JSON object, not {}",
                json_kind(value)
            )],
        });
    };
    let mut errors = Vec::new();
    let id = match object.get("id") {
        None | Some(Value::Null) => {
            errors.push("Missing required key 'id'".to_string());
            None
        }
        Some(Value::String(id)) => {
            if id.trim().is_empty() {
                errors.push("'id' must not be empty".to_string());
            } else if id.chars().count() > MAX_ID_CHARS {
                errors.push(format!("'id' must be at most {MAX_ID_CHARS} characters"));
            }
            Some(id.clone())
        }
        Some(other) => {
            errors.push(format!("'id' must be a string, not {}", json_kind(other)));
            None
        }
    };
    let mut allow = Vec::new();
    let mut deny = Vec::new();
    let mut tags = Vec::new();
    for (name, field) in object {
        if name == ALLOW_PERMISSIONS {
            allow = string_list(name, field, &mut errors);
            continue;
        }
        if name == DENY_PERMISSIONS {
            deny = string_list(name, field, &mut errors);
            continue;
        }
        if !valid_field_name(name) {
            errors.push(format!(
                "Invalid field name '{}': use 1 to {MAX_FIELD_NAME_CHARS} lower-case letters, digits and underscores",
                name.chars().take(80).collect::<String>()
            ));
            continue;
        }
        if name.starts_with('_') {
            errors.push(format!("'{name}' is a reserved field name"));
            continue;
        }
        let size = serde_json::to_string(field).map(|s| s.len()).unwrap_or(0);
        if size > MAX_FIELD_BYTES {
            errors.push(format!(
                "'{name}' is too large: {size} bytes (the limit is {MAX_FIELD_BYTES})"
            ));
            continue;
        }
        if TEXT_FIELDS.contains(&name.as_str()) && !matches!(field, Value::String(_) | Value::Null)
        {
            errors.push(format!(
                "'{name}' must be a string, not {}",
                json_kind(field)
            ));
        }
        if name == "tags" {
            tags = string_list(name, field, &mut errors);
        }
    }
    if !errors.is_empty() {
        return Err(BulkCreateResult { id, errors });
    }
    let id = id.unwrap_or_default();
    let mut fields = object.clone();
    fields.insert(ALLOW_PERMISSIONS.into(), json!(allow));
    fields.insert(DENY_PERMISSIONS.into(), json!(deny));
    let text = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .map(index_text)
            .unwrap_or_default()
    };
    Ok(ValidDocument {
        title: text("title"),
        body: text("body"),
        id,
        tags,
        fields,
        allow,
        deny,
    })
}

/// The document as the caller may read it: without the permission lists unless they manage the
/// source.
pub fn public_fields(mut fields: Document, manager: bool) -> Document {
    if !manager {
        fields.remove(ALLOW_PERMISSIONS);
        fields.remove(DENY_PERMISSIONS);
    }
    fields
}

//! Dashboards as Kibana saved objects (docs/saved-objects.md, "The saved object"): the stored
//! dashboard with its references in Kibana's shape, attributes read back into content, the sizes
//! of references, and the Boom bodies every route shares.

use axum::http::StatusCode;
use gatehouse_api::dashboards::{DashboardData, ObjectError};
use gatehouse_api::saved_objects::{
    DashboardAttributes, ObjectFailure, Reference, SavedObject, DASHBOARD_TYPE,
};
use rusqlite::Connection;
use serde_json::json;

use crate::authz::ObjectActor;
use crate::dashboards::routes::object_error;
use crate::dashboards::store::{self, Content, StoredDashboard};
use crate::platform::audit::{AuditEvent, Outcome};
use crate::platform::db;
use crate::platform::error::AppError;

/// Most references one object may hold.
pub const MAX_REFERENCES: usize = 100;
/// Characters of a reference's name, type or id.
pub const MAX_REFERENCE_CHARS: usize = 256;

/// A stored dashboard as Kibana sends it.
pub fn to_saved_object(dashboard: &StoredDashboard, references: Vec<Reference>) -> SavedObject {
    SavedObject {
        id: dashboard.id.clone(),
        object_type: DASHBOARD_TYPE.to_string(),
        attributes: DashboardAttributes::new(
            &dashboard.content.title,
            &dashboard.content.description,
            &dashboard.content.panels,
        ),
        references,
        access_control: dashboard.access.clone(),
        namespaces: Some(vec![dashboard.space.clone()]),
        created_at: Some(db::iso_millis(dashboard.created_at)),
        updated_at: Some(db::iso_millis(dashboard.updated_at)),
        created_by: dashboard.created_by.clone(),
        updated_by: dashboard.updated_by.clone(),
        version: Some(dashboard.version.to_string()),
    }
}

/// One dashboard of the space with its references, if it is there.
pub fn load_object(
    conn: &Connection,
    space: &str,
    id: &str,
) -> anyhow::Result<Option<SavedObject>> {
    let Some(dashboard) = store::get(conn, space, id)? else {
        return Ok(None);
    };
    let references = store::references(conn, space, id)?;
    Ok(Some(to_saved_object(&dashboard, references)))
}

/// Attributes as dashboard content, checked by the dashboards' own rules; a problem names its
/// attribute (`attributes.title: …`, `attributes.panelsJSON.2.type: …`).
pub fn content_of(attributes: &DashboardAttributes) -> Result<Content, String> {
    let panels = attributes.panels()?;
    store::validate_content(DashboardData {
        title: attributes.title.clone(),
        description: attributes.description.clone(),
        panels,
        access_control: None,
    })
    .map_err(|message| {
        message
            .strip_prefix("data.panels")
            .map(|rest| format!("attributes.panelsJSON{rest}"))
            .or_else(|| {
                message
                    .strip_prefix("data.")
                    .map(|rest| format!("attributes.{rest}"))
            })
            .unwrap_or(message)
    })
}

/// References have a size: at most [`MAX_REFERENCES`], each part at most
/// [`MAX_REFERENCE_CHARS`] characters and not empty (type and id).
pub fn check_references(references: &[Reference]) -> Result<(), String> {
    if references.len() > MAX_REFERENCES {
        return Err(format!(
            "references: at most {MAX_REFERENCES} references are allowed"
        ));
    }
    for (i, reference) in references.iter().enumerate() {
        for (field, value) in [
            ("name", &reference.name),
            ("type", &reference.object_type),
            ("id", &reference.id),
        ] {
            if value.chars().count() > MAX_REFERENCE_CHARS {
                return Err(format!(
                    "references.{i}.{field}: must be at most {MAX_REFERENCE_CHARS} characters"
                ));
            }
            if field != "name" && value.is_empty() {
                return Err(format!("references.{i}.{field}: must not be empty"));
            }
        }
    }
    Ok(())
}

/// `{"id","type","error":{…}}` of a bulk answer.
pub fn failure(
    id: &str,
    object_type: &str,
    status: StatusCode,
    message: impl Into<String>,
) -> ObjectFailure {
    ObjectFailure {
        id: id.to_string(),
        object_type: object_type.to_string(),
        error: object_error(status, message),
    }
}

/// A failure from the Boom error a single request would have answered.
pub fn failure_from(id: &str, object_type: &str, error: ObjectError) -> ObjectFailure {
    ObjectFailure {
        id: id.to_string(),
        object_type: object_type.to_string(),
        error,
    }
}

pub fn bad_request(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::BAD_REQUEST, message)
}

pub fn forbidden(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::FORBIDDEN, message)
}

/// The audit event of one object written (or refused) by `actor`; the caller adds details.
pub fn object_event(
    actor: &ObjectActor,
    space: &str,
    action: &'static str,
    outcome: Outcome,
    id: &str,
) -> AuditEvent {
    AuditEvent {
        ts_ms: db::now_millis(),
        action,
        outcome,
        username: actor.username.clone(),
        effective_user: None,
        profile_uid: Some(actor.profile_uid.clone()),
        space: space.to_string(),
        object_type: DASHBOARD_TYPE.to_string(),
        object_ids: vec![id.to_string()],
        details: json!({}),
        message: String::new(),
    }
}

/// The event of a whole request before its outcome is known: written only when the request is
/// refused as a whole (every object blocked), naming the objects.
pub fn request_event<'a>(
    actor: &ObjectActor,
    space: &str,
    action: &'static str,
    ids: impl IntoIterator<Item = &'a str>,
) -> AuditEvent {
    AuditEvent {
        object_ids: ids.into_iter().map(str::to_string).collect(),
        ..object_event(actor, space, action, Outcome::Failure, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_problems_name_the_attribute() {
        let empty = DashboardAttributes::new("  ", "", &[]);
        assert_eq!(
            content_of(&empty).unwrap_err(),
            "attributes.title: a dashboard needs a title"
        );
        let bad_panel = DashboardAttributes {
            panels_json: r#"[{"id":"a","type":"<b>"}]"#.into(),
            ..DashboardAttributes::new("T", "", &[])
        };
        assert!(content_of(&bad_panel)
            .unwrap_err()
            .starts_with("attributes.panelsJSON.0.type"));
        assert!(content_of(&DashboardAttributes::new("T", "d", &[])).is_ok());
    }

    #[test]
    fn references_have_sizes() {
        let reference = |id: &str| Reference {
            name: "panel_0".into(),
            object_type: DASHBOARD_TYPE.into(),
            id: id.into(),
        };
        assert!(check_references(&[reference("a")]).is_ok());
        assert_eq!(
            check_references(&[reference("a"), reference("")]).unwrap_err(),
            "references.1.id: must not be empty"
        );
        let long = "x".repeat(MAX_REFERENCE_CHARS + 1);
        assert!(check_references(&[reference(&long)]).is_err());
        let many = vec![reference("a"); MAX_REFERENCES + 1];
        assert!(check_references(&many).is_err());
    }
}

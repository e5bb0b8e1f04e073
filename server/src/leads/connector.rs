//! Connectors (docs/leads.md "Connector"): the list Kibana's actions API answers, where our
//! server offers only its built-in scorer, and the connector each space has chosen for lead
//! generation, kept in `lead_status.connector_id` (what `/status` says as `connectorId`).

use axum::extract::State;
use axum::Json;
use gatehouse_api::leads::connector::unknown_connector_text;
use gatehouse_api::leads::{leads_index, ChooseConnectorRequest, ChosenConnector, Connector};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

use super::routes::{bad_request, require};
use crate::authz::{Guarded, IndexAction, LeadsApi};
use crate::platform::audit::{AuditEvent, Outcome};
use crate::platform::db;
use crate::platform::error::{AppError, AppResult};
use crate::platform::kibana::UnparsedJson;
use crate::AppState;

/// The audit action of choosing a space's connector.
pub const CHOOSE_CONNECTOR_ACTION: &str = "entity_analytics_leads_connector_update";
/// Longest connector id taken: it is stored with the space's settings and every run.
pub const MAX_CONNECTOR_ID_CHARS: usize = 256;

/// The connectors lead generation can run with: our built-in scorer alone (no LLM connectors
/// exist in our server).
pub fn offered_connectors() -> Vec<Connector> {
    vec![Connector::builtin()]
}

/// A connector id that is not blank, of a connector id's size, and names an offered connector:
/// PUT `…/connector`, generate and enable take the same rule. 400 (siem) otherwise.
pub fn check_connector(connector_id: &str) -> AppResult<()> {
    if connector_id.trim().is_empty() {
        return Err(bad_request(
            "[request body]: connectorId: String must contain at least 1 character(s)",
        ));
    }
    if connector_id.chars().count() > MAX_CONNECTOR_ID_CHARS {
        return Err(bad_request(format!(
            "[request body]: connectorId: String must contain at most {MAX_CONNECTOR_ID_CHARS} character(s)"
        )));
    }
    if !offered_connectors().iter().any(|c| c.id == connector_id) {
        return Err(bad_request(unknown_connector_text(connector_id)));
    }
    Ok(())
}

/// The space's chosen connector, `None` until one is chosen.
pub fn chosen_connector(conn: &Connection, space: &str) -> rusqlite::Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT connector_id FROM lead_status WHERE space = ?1")?
        .query_row([space], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

fn choose(conn: &Connection, space: &str, connector_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO lead_status (space, connector_id) VALUES (?1, ?2)
         ON CONFLICT (space) DO UPDATE SET connector_id = excluded.connector_id",
        params![space, connector_id],
    )?;
    Ok(())
}

/// `GET /api/actions/connectors`: what `/status` needs (the leads index `read`), in the
/// request's space.
pub(super) async fn list(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
) -> AppResult<Json<Vec<Connector>>> {
    require(
        &principal.subject,
        &leads_index(space.id()),
        IndexAction::Search,
    )?;
    Ok(Json(offered_connectors()))
}

/// `GET …/leads/connector`: what `/status` needs.
pub(super) async fn get(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
) -> AppResult<Json<ChosenConnector>> {
    require(
        &principal.subject,
        &leads_index(space.id()),
        IndexAction::Search,
    )?;
    let space = space.0;
    let connector_id = state
        .db
        .read(move |conn| Ok(chosen_connector(conn, &space)?))
        .await?;
    Ok(Json(ChosenConnector { connector_id }))
}

/// `PUT …/leads/connector`: the leads index `write` (the bulk action a generate run needs, with
/// its refusal's text), checked before the body is read; audited, refusals included.
pub(super) async fn put(
    Guarded {
        principal, space, ..
    }: Guarded<LeadsApi>,
    State(state): State<AppState>,
    body: UnparsedJson<ChooseConnectorRequest>,
) -> AppResult<Json<ChosenConnector>> {
    let event = AuditEvent {
        ts_ms: db::now_millis(),
        action: CHOOSE_CONNECTOR_ACTION,
        outcome: Outcome::Failure,
        username: principal.username().to_string(),
        effective_user: None,
        profile_uid: Some(principal.user.profile_uid.clone()),
        space: space.id().to_string(),
        object_type: "entity-analytics-leads-connector".into(),
        object_ids: Vec::new(),
        details: json!({}),
        message: String::new(),
    };
    let index = leads_index(space.id());
    if let Err(refused) = require(&principal.subject, &index, IndexAction::Bulk) {
        return state
            .write_audited(event, move |_, _| Err::<Json<ChosenConnector>, _>(refused))
            .await;
    }
    let body = body.parse()?;
    check_connector(&body.connector_id)?;
    let (space, connector_id) = (space.0, body.connector_id);
    let event = AuditEvent {
        object_ids: vec![connector_id.clone()],
        details: json!({ "connector_id": connector_id }),
        ..event
    };
    state
        .write_audited(event, move |tx, event| {
            let previous = chosen_connector(tx, &space).map_err(anyhow::Error::from)?;
            choose(tx, &space, &connector_id).map_err(anyhow::Error::from)?;
            event.details["previous"] = json!(previous);
            Ok::<_, AppError>(Json(ChosenConnector {
                connector_id: Some(connector_id),
            }))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn message(e: AppError) -> String {
        match e {
            AppError::Siem { message, status } => {
                assert_eq!(status, StatusCode::BAD_REQUEST);
                message
            }
            other => panic!("expected a siem error, got {other:?}"),
        }
    }

    #[test]
    fn only_offered_connectors_of_a_connector_ids_size_are_taken() {
        assert!(check_connector("gatehouse-default").is_ok());
        assert_eq!(
            message(check_connector("gpt-4o").unwrap_err()),
            "[request body]: connectorId: Connector 'gpt-4o' does not exist"
        );
        assert_eq!(
            message(check_connector(&"c".repeat(MAX_CONNECTOR_ID_CHARS + 1)).unwrap_err()),
            "[request body]: connectorId: String must contain at most 256 character(s)"
        );
        assert_eq!(
            message(check_connector(" ").unwrap_err()),
            "[request body]: connectorId: String must contain at least 1 character(s)"
        );
    }
}

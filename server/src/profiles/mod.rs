//! What a user keeps on their own profile (Kibana's user-profile `data`): stored on the server, so
//! it follows the user from browser to browser. Gatehouse keeps the last space the user worked in
//! (`{"gatehouse":{"lastSpace":"soc-emea"}}`, docs/spaces.md "The last space").
//!
//! - `POST /internal/security/user_profile/_data` merges a JSON object into the caller's own
//!   profile data (objects key by key, anything else replaced; `null` removes a key), as
//!   Elasticsearch's update of profile data does. 200 with an empty body.
//! - `GET /internal/security/user_profile?dataPath=gatehouse` answers the caller's profile with
//!   the top-level keys `dataPath` names (comma-separated, `*` for all) in `data`; without
//!   `dataPath`, `data` stays `{}` as before.
//!
//! Only ever the caller's own profile: the routes take no uid. Bounded: a body over
//! [`MAX_DATA_BODY_BYTES`], or data that would grow over [`MAX_PROFILE_DATA_BYTES`], is refused
//! with a 400 naming the limit and stores nothing.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use gatehouse_api::last_space::PROFILE_DATA_PATH;
use gatehouse_api::security::UserProfile;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::platform::error::{AppError, AppResult};
use crate::platform::kibana::UnparsedJson;
use crate::platform::session::Principal;
use crate::AppState;

/// The largest `_data` body read: a few preferences, not documents.
pub const MAX_DATA_BODY_BYTES: usize = 4 * 1024;
/// The largest a profile's stored data may grow to, as JSON.
pub const MAX_PROFILE_DATA_BYTES: usize = 16 * 1024;
/// The largest `dataPath` read.
pub const MAX_DATA_PATH_BYTES: usize = 1024;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route(PROFILE_DATA_PATH, post(update_data))
}

fn bad_request(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::BAD_REQUEST, message)
}

/// Merges `update` into `stored`: objects key by key, `null` removes the key, anything else
/// replaces what was there.
pub fn merge(stored: &mut Map<String, Value>, update: Map<String, Value>) {
    for (key, value) in update {
        match value {
            Value::Null => {
                stored.remove(&key);
            }
            Value::Object(inner) => match stored.get_mut(&key) {
                Some(Value::Object(existing)) => merge(existing, inner),
                _ => {
                    let mut fresh = Map::new();
                    merge(&mut fresh, inner);
                    stored.insert(key, Value::Object(fresh));
                }
            },
            other => {
                stored.insert(key, other);
            }
        }
    }
}

/// The top-level keys of `data` that `data_path` names (comma-separated, `*` for all).
pub fn select(data: &Map<String, Value>, data_path: &str) -> Map<String, Value> {
    let wanted: Vec<&str> = data_path
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if wanted.contains(&"*") {
        return data.clone();
    }
    data.iter()
        .filter(|(key, _)| wanted.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

fn stored_data(conn: &Connection, uid: &str) -> anyhow::Result<Map<String, Value>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT data FROM user_profile_data WHERE uid = ?1",
            params![uid],
            |row| row.get(0),
        )
        .optional()?;
    // Only this module writes the column, always an object; anything else reads as empty.
    Ok(match text.map(|t| serde_json::from_str(&t)) {
        Some(Ok(Value::Object(map))) => map,
        _ => Map::new(),
    })
}

async fn update_data(
    principal: Arc<Principal>,
    State(state): State<AppState>,
    body: UnparsedJson<Value>,
) -> AppResult<Response> {
    // Signed in is all it takes (the session layer saw to it): the profile is the caller's own.
    if body.bytes().len() > MAX_DATA_BODY_BYTES {
        return Err(bad_request(format!(
            "[request body]: profile data is [{}] bytes, but cannot be greater than [{MAX_DATA_BODY_BYTES}]",
            body.bytes().len()
        )));
    }
    let Value::Object(update) = body.parse()? else {
        return Err(bad_request(
            "[request body]: expected value of type [object]",
        ));
    };
    let uid = principal.user.profile_uid.clone();
    // Nothing cached is derived from profile data: the caches keep their answers.
    let stored = state
        .db
        .write_bookkeeping(move |conn| {
            let tx = conn.transaction()?;
            let mut data = stored_data(&tx, &uid)?;
            merge(&mut data, update);
            let text = Value::Object(data).to_string();
            if text.len() > MAX_PROFILE_DATA_BYTES {
                return Ok(Err(text.len()));
            }
            tx.execute(
                "INSERT INTO user_profile_data (uid, data) VALUES (?1, ?2)
                 ON CONFLICT (uid) DO UPDATE SET data = excluded.data",
                params![uid, text],
            )?;
            tx.commit()?;
            Ok(Ok(()))
        })
        .await?;
    if let Err(size) = stored {
        return Err(bad_request(format!(
            "[request body]: the profile's data would be [{size}] bytes, but cannot be greater than [{MAX_PROFILE_DATA_BYTES}]"
        )));
    }
    Ok(StatusCode::OK.into_response())
}

/// `dataPath` of a query string, if it names any.
fn data_path(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == "dataPath")
        .map(|(_, value)| value.into_owned())
}

/// The caller's profile with the top-level keys of its data that the query's `dataPath` names
/// (`GET /internal/security/user_profile`, whose profile `security::routes` builds: the caller's,
/// under run-as the user viewed). Without `dataPath`, `data` stays as it is.
pub(crate) async fn with_requested_data(
    state: &AppState,
    mut profile: UserProfile,
    query: Option<&str>,
) -> AppResult<UserProfile> {
    let Some(paths) = data_path(query) else {
        return Ok(profile);
    };
    if paths.len() > MAX_DATA_PATH_BYTES {
        return Err(bad_request(format!(
            "[request query.dataPath]: value has length [{}] but it must have a maximum length of [{MAX_DATA_PATH_BYTES}].",
            paths.len()
        )));
    }
    let uid = profile.uid.clone();
    let data = state.db.read(move |conn| stored_data(conn, &uid)).await?;
    profile.data = Value::Object(select(&data, &paths));
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn merging_keeps_other_keys_replaces_values_and_removes_nulls() {
        let mut stored = object(
            json!({"gatehouse": {"lastSpace": "default", "theme": "dark"}, "avatar": {"initials": "EL"}}),
        );
        merge(
            &mut stored,
            object(json!({"gatehouse": {"lastSpace": "soc-emea"}})),
        );
        assert_eq!(
            Value::Object(stored.clone()),
            json!({"gatehouse": {"lastSpace": "soc-emea", "theme": "dark"}, "avatar": {"initials": "EL"}})
        );
        merge(
            &mut stored,
            object(json!({"avatar": null, "gatehouse": {"theme": 3}})),
        );
        assert_eq!(
            Value::Object(stored),
            json!({"gatehouse": {"lastSpace": "soc-emea", "theme": 3}})
        );
    }

    #[test]
    fn a_nested_null_in_a_new_object_stores_nothing_for_it() {
        let mut stored = Map::new();
        merge(
            &mut stored,
            object(json!({"gatehouse": {"lastSpace": null}})),
        );
        assert_eq!(Value::Object(stored), json!({"gatehouse": {}}));
    }

    #[test]
    fn data_path_picks_top_level_keys() {
        let data = object(json!({"gatehouse": {"lastSpace": "x"}, "avatar": {"color": "#fff"}}));
        assert_eq!(
            Value::Object(select(&data, "gatehouse")),
            json!({"gatehouse": {"lastSpace": "x"}})
        );
        assert_eq!(
            Value::Object(select(&data, "avatar, gatehouse")),
            Value::Object(data.clone())
        );
        assert_eq!(
            Value::Object(select(&data, "*")),
            Value::Object(data.clone())
        );
        assert_eq!(Value::Object(select(&data, "nothing")), json!({}));
        assert_eq!(Value::Object(select(&data, "")), json!({}));
    }

    #[test]
    fn data_path_is_read_from_the_query() {
        assert_eq!(
            data_path(Some("dataPath=gatehouse")),
            Some("gatehouse".into())
        );
        assert_eq!(data_path(Some("a=1&dataPath=x%2Cy")), Some("x,y".into()));
        assert_eq!(data_path(Some("a=1")), None);
        assert_eq!(data_path(None), None);
    }
}

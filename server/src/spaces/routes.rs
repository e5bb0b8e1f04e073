//! Kibana's spaces API (docs/spaces.md) and the per-request space rules: an API call into an
//! unknown space is a 404, and into a space where its feature is disabled a 404 too.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use gatehouse_api::spaces::{
    validate_space, Space, ACTIVE_SPACE_PATH, DEFAULT_SPACE_ID, SPACES_PATH,
};
use serde_json::{json, Value};

use crate::admin::routes::{actor, audited};
use crate::admin::AdminError;
use crate::platform::error::{AppError, AppResult};
use crate::platform::kibana::{JsonBody, Space as RequestSpace};
use crate::platform::session::Principal;
use crate::spaces::store::{self as spaces, may_manage_spaces};
use crate::AppState;

pub const SPACE_CREATE: &str = gatehouse_api::audit::actions::SPACE_CREATE;
pub const SPACE_UPDATE: &str = gatehouse_api::audit::actions::SPACE_UPDATE;
pub const SPACE_DELETE: &str = gatehouse_api::audit::actions::SPACE_DELETE;

const SPACE_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "color",
    "initials",
    "imageUrl",
    "disabledFeatures",
    "_reserved",
    "solution",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route(SPACES_PATH, get(list).post(create))
        .route(
            &format!("{SPACES_PATH}/{{id}}"),
            get(get_one).put(update).delete(delete),
        )
        .route(ACTIVE_SPACE_PATH, get(active_space))
}

/// API requests into an unknown space are 404s; into a space that disables the path's feature,
/// 404s as well (whatever the caller's privileges). Static files are left to the SPA, which shows
/// the space selector for an unknown space.
pub async fn space_rules(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !(path.starts_with("/api/") || path.starts_with("/internal/")) {
        return next.run(request).await;
    }
    let space_id = request
        .extensions()
        .get::<RequestSpace>()
        .map(|s| s.id().to_string())
        .unwrap_or_else(|| DEFAULT_SPACE_ID.to_string());
    let Some(space) = state.spaces.get(&space_id) else {
        return AppError::boom(
            StatusCode::NOT_FOUND,
            format!("Saved object [space/{space_id}] not found"),
        )
        .into_response();
    };
    if spaces::feature_of_path(path).is_some_and(|f| space.is_feature_disabled(f)) {
        return AppError::not_found().into_response();
    }
    next.run(request).await
}

fn bad_request(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::BAD_REQUEST, message)
}

fn forbidden(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::FORBIDDEN, message)
}

async fn list(
    State(state): State<AppState>,
    principal: Arc<Principal>,
) -> AppResult<Json<Vec<Space>>> {
    let spaces = spaces::enterable(&principal.subject, &state.spaces);
    if spaces.is_empty() {
        return Err(forbidden("Forbidden"));
    }
    Ok(Json(spaces))
}

/// 403 before 404: a user who may not enter `id` learns nothing about whether it exists.
async fn get_one(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Path(id): Path<String>,
) -> AppResult<Json<Space>> {
    if !crate::authz::is_space_member(&principal.subject, &id) {
        return Err(forbidden(format!("Unauthorized to get {id} space")));
    }
    state
        .spaces
        .get(&id)
        .map(Json)
        .ok_or_else(AppError::not_found)
}

/// The request's space, to its members only (like `get_one`, 403 before anything else).
async fn active_space(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<RequestSpace>,
) -> AppResult<Json<Space>> {
    if !crate::authz::is_space_member(&principal.subject, space.id()) {
        return Err(forbidden(format!(
            "Unauthorized to get {} space",
            space.id()
        )));
    }
    state
        .spaces
        .get(space.id())
        .map(Json)
        .ok_or_else(AppError::not_found)
}

/// A space body as Kibana validates it: unknown keys and wrong types are 400s with its texts.
fn parse_space(body: &Value, path_id: Option<&str>) -> AppResult<Space> {
    let map = body
        .as_object()
        .ok_or_else(|| bad_request("[request body]: expected a plain object value"))?;
    if let Some(key) = map.keys().find(|k| !SPACE_KEYS.contains(&k.as_str())) {
        return Err(bad_request(format!(
            "[request body.{key}]: definition for this key is missing"
        )));
    }
    let mut body = body.clone();
    if let Some(id) = path_id {
        body["id"] = json!(id);
    }
    let space: Space =
        serde_json::from_value(body).map_err(|e| bad_request(format!("[request body]: {e}")))?;
    validate_space(&space)
        .map_err(|(field, message)| bad_request(format!("[request body.{field}]: {message}")))?;
    Ok(Space {
        name: space.name.trim().to_string(),
        ..space
    })
}

async fn create(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(request_space): Extension<RequestSpace>,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Json<Space>> {
    if !may_manage_spaces(&principal.subject) {
        return Err(forbidden("Unauthorized to create spaces"));
    }
    let space = parse_space(&body, None)?;
    let to_store = space.clone();
    let created = audited(
        &state,
        actor(&principal, request_space.id()),
        SPACE_CREATE,
        "space",
        space.id.clone(),
        move |tx| {
            if spaces::insert(tx, &to_store)? {
                Ok((true, json!({ "space": to_store })))
            } else {
                Err(AdminError::Conflict(format!(
                    "A space with the identifier {} already exists.",
                    to_store.id
                )))
            }
        },
    )
    .await?;
    let space = Space {
        reserved: None,
        ..space
    };
    if created {
        state.spaces.put(space.clone());
    }
    Ok(Json(space))
}

async fn update(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(request_space): Extension<RequestSpace>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Json<Space>> {
    if !may_manage_spaces(&principal.subject) {
        return Err(forbidden("Unauthorized to update spaces"));
    }
    let mut space = parse_space(&body, Some(&id))?;
    space.reserved = (id == DEFAULT_SPACE_ID).then_some(true);
    let to_store = space.clone();
    audited(
        &state,
        actor(&principal, request_space.id()),
        SPACE_UPDATE,
        "space",
        id.clone(),
        move |tx| {
            if spaces::update(tx, &to_store)? {
                Ok(((), json!({ "space": to_store })))
            } else {
                Err(AdminError::NotFound("Not Found".into()))
            }
        },
    )
    .await?;
    state.spaces.put(space.clone());
    Ok(Json(space))
}

async fn delete(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(request_space): Extension<RequestSpace>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if !may_manage_spaces(&principal.subject) {
        return Err(forbidden("Unauthorized to delete spaces"));
    }
    if id == DEFAULT_SPACE_ID {
        return Err(bad_request(format!(
            "The {id} space cannot be deleted because it is reserved."
        )));
    }
    let target = id.clone();
    audited(
        &state,
        actor(&principal, request_space.id()),
        SPACE_DELETE,
        "space",
        id.clone(),
        move |tx| match spaces::delete(tx, &target)? {
            Some(deleted) => Ok(((), json!({ "deleted": deleted }))),
            None => Err(AdminError::NotFound("Not Found".into())),
        },
    )
    .await?;
    state.spaces.remove(&id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

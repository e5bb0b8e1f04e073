//! Kibana's user API (`/internal/security/users`), role API
//! (`/api/security/role`) and feature listing (`/api/features`). Every operation here is
//! also reachable through the Dev Tools console (`admin::console`), which shares the `op_*`
//! functions and answers their errors in Elasticsearch's shape instead of Boom.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use gatehouse_api::access::{
    EffectiveAccess, Explanation, Requirement, EFFECTIVE_ACCESS_PATH, EXPLAIN_PATH,
};
use gatehouse_api::admin::{
    ChangePasswordRequest, FeatureInfo, KibanaRole, RoleDescriptor, RoleQueryResponse, User,
    FEATURES_PATH, ROLES_PATH, ROLES_QUERY_PATH, USERS_PATH,
};
use serde_json::Value;

use crate::admin::access::{self, SpaceRef};
use crate::admin::{self, roles, Actor, AdminError, AdminResult, UserChange};
use crate::authz::{SecurityAction, Subject};
use crate::platform::error::{AppError, AppResult};
use crate::platform::kibana::{JsonBody, JsonOrDefault, Space, UnparsedJson};
use crate::platform::password;
use crate::platform::session::Principal;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(USERS_PATH, get(list_users))
        .route(
            &format!("{USERS_PATH}/{{username}}"),
            get(get_user).post(put_user).delete(delete_user),
        )
        .route(
            &format!("{USERS_PATH}/{{username}}/password"),
            post(change_password),
        )
        .route(
            &format!("{USERS_PATH}/{{username}}/_disable"),
            post(set_enabled::<false>),
        )
        .route(
            &format!("{USERS_PATH}/{{username}}/_enable"),
            post(set_enabled::<true>),
        )
        .route(ROLES_PATH, get(list_roles))
        .route(ROLES_QUERY_PATH, post(query_roles))
        .route(
            &format!("{ROLES_PATH}/{{name}}"),
            get(get_role).put(put_role).delete(delete_role),
        )
        .route(FEATURES_PATH, get(features))
        .route(
            gatehouse_api::admin::ROLE_CHECK_INDICES_PATH,
            post(admin::role_check::check_indices),
        )
        .route(
            &format!("{EFFECTIVE_ACCESS_PATH}/{{username}}"),
            get(effective_access),
        )
        .route(EXPLAIN_PATH, post(explain))
}

pub fn actor(principal: &Principal, space: &str) -> Actor {
    Actor {
        username: principal.user.username.clone(),
        profile_uid: Some(principal.user.profile_uid.clone()),
        space: space.to_string(),
    }
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// Records a refused change without doing it: refusals are audited like every change, but
/// nothing is parsed, hashed or written for them first.
async fn audit_refusal<T: Send + 'static>(
    state: &AppState,
    actor: Actor,
    (action, object_type): (&'static str, &'static str),
    target: &str,
    refusal: AdminError,
) -> AdminResult<T> {
    audited(
        state,
        actor,
        action,
        object_type,
        target.to_string(),
        move |_| Err(refusal),
    )
    .await
}

/// Runs an audited change on the writer.
pub async fn audited<T: Send + 'static>(
    state: &AppState,
    actor: Actor,
    action: &'static str,
    object_type: &'static str,
    target: String,
    change: impl FnOnce(&rusqlite::Transaction<'_>) -> AdminResult<(T, Value)> + Send + 'static,
) -> AdminResult<T> {
    let log = state.audit.clone();
    state
        .db
        .write(move |conn| {
            Ok(admin::audited(
                conn,
                &log,
                &actor,
                action,
                object_type,
                &target,
                change,
            ))
        })
        .await?
}

// ---------------------------------------------------------------------------------------------
// Operations shared with the console
// ---------------------------------------------------------------------------------------------

pub async fn op_list_users(state: &AppState, subject: &Subject) -> AdminResult<Vec<User>> {
    admin::require(subject, SecurityAction::UserGet)?;
    state.db.read(|conn| Ok(admin::list_users(conn))).await?
}

pub async fn op_get_user(state: &AppState, subject: &Subject, username: &str) -> AdminResult<User> {
    admin::require(subject, SecurityAction::UserGet)?;
    let name = username.to_string();
    state
        .db
        .read(move |conn| Ok(admin::get_user(conn, &name)))
        .await??
        .ok_or_else(|| admin::user_not_found(username))
}

/// The fields of a user body, validated; `require_password_on_create` as Elasticsearch does.
pub struct UserBody {
    pub password: Option<String>,
    pub roles: Vec<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub metadata: Option<Value>,
    pub enabled: Option<bool>,
}

/// The keys of a user body; Kibana's route also takes `username` (Elasticsearch's has it in the
/// path only).
const USER_BODY_KEYS: &[&str] = &[
    "password",
    "roles",
    "full_name",
    "email",
    "metadata",
    "enabled",
];

/// Parses a user body (`{username?, password?, roles, full_name?, email?, metadata?, enabled?}`),
/// rejecting unknown keys.
pub fn parse_user_body(body: &Value, takes_username: bool) -> AdminResult<UserBody> {
    let map = body
        .as_object()
        .ok_or_else(|| AdminError::invalid_both("[request body]: expected a plain object value"))?;
    for key in map.keys() {
        if !(USER_BODY_KEYS.contains(&key.as_str()) || (takes_username && key == "username")) {
            return Err(AdminError::invalid(
                format!("[request body.{key}]: definition for this key is missing"),
                format!("failed to parse add user request. unexpected field [{key}]"),
            ));
        }
    }
    let text = |key: &str| -> AdminResult<Option<String>> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(AdminError::invalid_both(format!(
                "[request body.{key}]: expected value of type [string]"
            ))),
        }
    };
    let roles = match map.get("roles") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    AdminError::invalid_both(
                        "[request body.roles]: expected value of type [string]",
                    )
                })
            })
            .collect::<AdminResult<_>>()?,
        Some(_) => {
            return Err(AdminError::invalid_both(
                "[request body.roles]: expected value of type [array]",
            ))
        }
    };
    let enabled = match map.get("enabled") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(AdminError::invalid_both(
                "[request body.enabled]: expected value of type [boolean]",
            ))
        }
    };
    Ok(UserBody {
        password: text("password")?,
        roles,
        full_name: text("full_name")?,
        email: text("email")?,
        metadata: map.get("metadata").cloned(),
        enabled,
    })
}

/// Create or update; returns the user (never its password) and whether it was created.
/// Authorized first (docs/administration.md#users): a refused caller's body is neither validated
/// nor hashed, only the refusal audited.
pub async fn op_put_user(
    state: &AppState,
    subject: &Subject,
    actor: Actor,
    username: &str,
    body: UserBody,
) -> AdminResult<(User, bool)> {
    let allowed = admin::require(subject, SecurityAction::UserPut);
    let exists = {
        let name = username.to_string();
        state
            .db
            .read(move |conn| Ok(crate::admin::user_store::get_user(conn, &name)?.is_some()))
            .await?
    };
    let action = if exists {
        admin::USER_UPDATE
    } else {
        admin::USER_CREATE
    };
    if let Err(denied) = allowed {
        return audit_refusal(state, actor, (action, "user"), username, denied).await;
    }
    admin::validate_user_change(
        username,
        body.password.as_deref(),
        &body.roles,
        body.metadata.as_ref(),
    )?;
    let password_hash = match body.password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let change = UserChange {
        username: username.to_string(),
        password_hash,
        roles: body.roles,
        full_name: body.full_name,
        email: body.email,
        metadata: body.metadata,
        enabled: body.enabled,
    };
    audited(
        state,
        actor,
        action,
        "user",
        username.to_string(),
        move |tx| {
            let details = serde_json::json!({
                "roles": change.roles,
                "enabled": change.enabled,
                "password_changed": change.password_hash.is_some(),
            });
            let result = admin::put_user(tx, change)?;
            Ok((result, details))
        },
    )
    .await
}

/// A password change as either surface asks it: whose, the new password (and the body field it
/// came in, for the validation text), and for your own account the current one.
pub struct PasswordChange {
    pub username: String,
    pub new_password: String,
    pub new_password_field: &'static str,
    pub current_password: Option<String>,
}

/// Changes a password (docs/administration.md#passwords). Your own account needs the current
/// password, checked under the password-guess limiter shared with login (429 once locked; a
/// wrong guess counts like a failed login) and keeps the session it came with; someone else's
/// needs `manage_security`. Either way every other session of that user ends. Nothing is hashed
/// before the caller is known to be allowed: a refusal is audited and costs no argon2 run.
pub async fn op_change_password(
    state: &AppState,
    principal: &Principal,
    actor: Actor,
    address: Option<IpAddr>,
    change: PasswordChange,
) -> AdminResult<()> {
    let PasswordChange {
        username,
        new_password,
        new_password_field,
        current_password,
    } = change;
    let action = admin::USER_PASSWORD_CHANGE;
    let own = principal.user.username == username;
    if !own {
        if let Err(denied) = admin::require(&principal.subject, SecurityAction::UserChangePassword)
        {
            return audit_refusal(state, actor, (action, "user"), &username, denied).await;
        }
    }
    admin::validate_password(new_password_field, &new_password)?;
    if own {
        let attempt = match state.login_limiter.begin(&username, address) {
            Ok(attempt) => attempt,
            Err(retry_after) => {
                tracing::warn!(
                    username,
                    ?address,
                    retry_after,
                    "password change rate limited"
                );
                return Err(AdminError::too_many_attempts(retry_after));
            }
        };
        // No current password is a wrong guess that needs no argon2 run to refuse.
        let current_ok = match current_password {
            Some(given) => {
                let stored = principal.user.password_hash.clone();
                match password::verify(stored, given).await {
                    Ok(ok) => ok,
                    Err(busy) => {
                        state.login_limiter.not_checked(attempt);
                        return Err(busy.into());
                    }
                }
            }
            None => false,
        };
        if !current_ok {
            let refusal = AdminError::Forbidden("Invalid password.".into());
            return audit_refusal(state, actor, (action, "user"), &username, refusal).await;
        }
        state.login_limiter.succeeded(attempt);
    } else {
        // The caller may manage users, so whether this one exists is theirs to know; asked
        // before hashing so an unknown name costs no argon2 run.
        let name = username.clone();
        let exists = state
            .db
            .read(move |conn| Ok(crate::admin::user_store::get_user(conn, &name)?.is_some()))
            .await?;
        if !exists {
            return Err(admin::user_not_found(&username));
        }
    }
    let new_hash = password::hash(new_password).await?;
    let keep = own.then(|| principal.session_hash.clone());
    let name = username.clone();
    audited(state, actor, action, "user", username, move |tx| {
        admin::change_password(tx, &name, &new_hash, keep.as_deref())?;
        Ok(((), serde_json::json!({ "own": own })))
    })
    .await
}

pub async fn op_delete_user(
    state: &AppState,
    subject: &Subject,
    actor: Actor,
    username: &str,
) -> AdminResult<()> {
    let subject = subject.clone();
    let name = username.to_string();
    audited(
        state,
        actor,
        admin::USER_DELETE,
        "user",
        name.clone(),
        move |tx| {
            admin::require(&subject, SecurityAction::UserDelete)?;
            if admin::delete_user(tx, &name)? {
                Ok(((), serde_json::json!({})))
            } else {
                Err(admin::user_not_found(&name))
            }
        },
    )
    .await
}

pub async fn op_set_enabled(
    state: &AppState,
    subject: &Subject,
    actor: Actor,
    username: &str,
    enabled: bool,
) -> AdminResult<()> {
    let subject = subject.clone();
    let name = username.to_string();
    let action = if enabled {
        admin::USER_ENABLE
    } else {
        admin::USER_DISABLE
    };
    audited(state, actor, action, "user", name.clone(), move |tx| {
        admin::require(&subject, SecurityAction::UserSetEnabled)?;
        admin::set_enabled(tx, &subject.username, &name, enabled)?;
        Ok(((), serde_json::json!({ "enabled": enabled })))
    })
    .await
}

pub async fn op_get_role(
    state: &AppState,
    subject: &Subject,
    name: &str,
) -> AdminResult<RoleDescriptor> {
    admin::require(subject, SecurityAction::RoleGet)?;
    let n = name.to_string();
    state
        .db
        .read(move |conn| roles::get_role(conn, &n))
        .await?
        .ok_or_else(roles::role_not_found)
}

pub async fn op_all_roles(
    state: &AppState,
    subject: &Subject,
) -> AdminResult<Vec<(String, RoleDescriptor)>> {
    admin::require(subject, SecurityAction::RoleGet)?;
    Ok(state.db.read(roles::all_roles).await?)
}

/// Stores a role; returns whether it was created.
pub async fn op_put_role(
    state: &AppState,
    subject: &Subject,
    actor: Actor,
    name: &str,
    role: RoleDescriptor,
    create_only: bool,
) -> AdminResult<bool> {
    let subject = subject.clone();
    let n = name.to_string();
    audited(
        state,
        actor,
        admin::ROLE_PUT,
        "role",
        n.clone(),
        move |tx| {
            admin::require(&subject, SecurityAction::RolePut)?;
            admin::check_served_queries(&role)?;
            let details = serde_json::to_value(&role).map_err(anyhow::Error::from)?;
            let created = roles::put_role(tx, &n, &role, create_only)?;
            Ok((
                created,
                serde_json::json!({ "created": created, "role": details }),
            ))
        },
    )
    .await
}

pub async fn op_delete_role(
    state: &AppState,
    subject: &Subject,
    actor: Actor,
    name: &str,
) -> AdminResult<()> {
    let subject = subject.clone();
    let n = name.to_string();
    audited(
        state,
        actor,
        admin::ROLE_DELETE,
        "role",
        n.clone(),
        move |tx| {
            admin::require(&subject, SecurityAction::RoleDelete)?;
            if roles::delete_role(tx, &n)? {
                Ok(((), serde_json::json!({})))
            } else {
                Err(roles::role_not_found())
            }
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Kibana routes: users
// ---------------------------------------------------------------------------------------------

async fn list_users(
    State(state): State<AppState>,
    principal: Arc<Principal>,
) -> AppResult<Json<Vec<User>>> {
    Ok(Json(op_list_users(&state, &principal.subject).await?))
}

async fn get_user(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Path(username): Path<String>,
) -> AppResult<Json<User>> {
    Ok(Json(
        op_get_user(&state, &principal.subject, &username).await?,
    ))
}

async fn put_user(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(username): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Json<User>> {
    let body = parse_user_body(&body, true)?;
    let actor = actor(&principal, space.id());
    let (user, _) = op_put_user(&state, &principal.subject, actor, &username, body).await?;
    Ok(Json(user))
}

async fn delete_user(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(username): Path<String>,
) -> AppResult<Response> {
    op_delete_user(
        &state,
        &principal.subject,
        actor(&principal, space.id()),
        &username,
    )
    .await?;
    Ok(no_content())
}

/// `_disable` and `_enable`: one handler, the state it sets fixed per route.
async fn set_enabled<const ENABLED: bool>(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(username): Path<String>,
) -> AppResult<Response> {
    op_set_enabled(
        &state,
        &principal.subject,
        actor(&principal, space.id()),
        &username,
        ENABLED,
    )
    .await?;
    Ok(no_content())
}

/// `POST /internal/security/users/{u}/password` ([`op_change_password`]).
async fn change_password(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(username): Path<String>,
    JsonBody(body): JsonBody<ChangePasswordRequest>,
) -> AppResult<Response> {
    let address = peer.map(|Extension(ConnectInfo(addr))| addr.ip());
    let change = PasswordChange {
        username,
        new_password: body.new_password,
        new_password_field: "newPassword",
        current_password: body.password,
    };
    let actor = actor(&principal, space.id());
    op_change_password(&state, &principal, actor, address, change).await?;
    Ok(no_content())
}

// ---------------------------------------------------------------------------------------------
// Kibana routes: roles and features
// ---------------------------------------------------------------------------------------------

async fn list_roles(
    State(state): State<AppState>,
    principal: Arc<Principal>,
) -> AppResult<Json<Vec<KibanaRole>>> {
    let roles = op_all_roles(&state, &principal.subject).await?;
    Ok(Json(
        roles
            .iter()
            .map(|(name, role)| admin::descriptor_to_kibana(name, role))
            .collect(),
    ))
}

async fn get_role(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Path(name): Path<String>,
) -> AppResult<Json<KibanaRole>> {
    let role = op_get_role(&state, &principal.subject, &name).await?;
    Ok(Json(admin::descriptor_to_kibana(&name, &role)))
}

fn create_only(query: Option<&str>) -> bool {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .any(|(k, v)| k == "createOnly" && v == "true")
}

async fn put_role(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    body: UnparsedJson<Value>,
) -> AppResult<Response> {
    // Authorize first: a refused caller's name and body are neither parsed nor validated.
    if let Err(denied) = admin::require(&principal.subject, SecurityAction::RolePut) {
        let actor = actor(&principal, space.id());
        return Ok(audit_refusal(&state, actor, (admin::ROLE_PUT, "role"), &name, denied).await?);
    }
    admin::validate_role_name(&name)?;
    let role = admin::kibana_body_to_descriptor(&body.parse_or_default()?)?;
    op_put_role(
        &state,
        &principal.subject,
        actor(&principal, space.id()),
        &name,
        role,
        create_only(query.as_deref()),
    )
    .await?;
    Ok(no_content())
}

async fn delete_role(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    Path(name): Path<String>,
) -> AppResult<Response> {
    op_delete_role(
        &state,
        &principal.subject,
        actor(&principal, space.id()),
        &name,
    )
    .await?;
    Ok(no_content())
}

/// The `_query` body's schema (Kibana's `@kbn/config-schema` texts): `query` string, `from`/`size`
/// non-negative integers, `sort.direction` `asc|desc`, `filters.showReservedRoles` boolean.
fn validate_role_query(body: &Value) -> AppResult<()> {
    let bad = |field: &str, expected: &str, got: &Value| {
        AppError::boom(
            StatusCode::BAD_REQUEST,
            format!(
                "[request body.{field}]: expected value of type [{expected}] but got [{}]",
                admin::type_name(got)
            ),
        )
    };
    let Some(object) = body.as_object() else {
        return match body {
            Value::Null => Ok(()),
            other => Err(AppError::boom(
                StatusCode::BAD_REQUEST,
                format!(
                    "[request body]: expected value of type [Object] but got [{}]",
                    admin::type_name(other)
                ),
            )),
        };
    };
    let present = |key: &str| object.get(key).filter(|v| !v.is_null());
    if let Some(v) = present("query").filter(|v| !v.is_string()) {
        return Err(bad("query", "string", v));
    }
    for key in ["from", "size"] {
        if let Some(v) = present(key) {
            if v.as_u64().is_none() {
                return Err(if v.is_number() {
                    AppError::boom(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "[request body.{key}]: Value must be equal to or greater than [0]."
                        ),
                    )
                } else {
                    bad(key, "number", v)
                });
            }
        }
    }
    if let Some(sort) = present("sort") {
        if !sort.is_object() {
            return Err(bad("sort", "Object", sort));
        }
        if let Some(d) = sort.get("direction").filter(|v| !v.is_null()) {
            if !d.as_str().is_some_and(|d| matches!(d, "asc" | "desc")) {
                return Err(AppError::boom(
                    StatusCode::BAD_REQUEST,
                    "[request body.sort.direction]: types that failed validation:\n- [request body.sort.direction.0]: expected value to equal [asc]\n- [request body.sort.direction.1]: expected value to equal [desc]",
                ));
            }
        }
    }
    if let Some(filters) = present("filters") {
        if !filters.is_object() {
            return Err(bad("filters", "Object", filters));
        }
        if let Some(v) = filters
            .get("showReservedRoles")
            .filter(|v| !v.is_null() && !v.is_boolean())
        {
            return Err(bad("filters.showReservedRoles", "boolean", v));
        }
    }
    Ok(())
}

/// `POST /api/security/role/_query`: `query` matches `*{query}*` on the name, case-insensitive.
async fn query_roles(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    JsonOrDefault(body): JsonOrDefault<Value>,
) -> AppResult<Json<RoleQueryResponse>> {
    validate_role_query(&body)?;
    let roles = op_all_roles(&state, &principal.subject).await?;
    let needle = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let show_reserved = body
        .pointer("/filters/showReservedRoles")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let from = body.get("from").and_then(Value::as_u64).unwrap_or(0) as usize;
    let size = body.get("size").and_then(Value::as_u64).unwrap_or(25) as usize;
    let descending = body
        .pointer("/sort/direction")
        .and_then(Value::as_str)
        .is_some_and(|d| d.eq_ignore_ascii_case("desc"));
    let mut matching: Vec<KibanaRole> = roles
        .iter()
        .filter(|(name, _)| name.to_lowercase().contains(&needle))
        .filter(|(name, _)| show_reserved || !roles::is_reserved(name))
        .map(|(name, role)| admin::descriptor_to_kibana(name, role))
        .collect();
    if descending {
        matching.reverse();
    }
    let total = matching.len();
    let page: Vec<KibanaRole> = matching.into_iter().skip(from).take(size).collect();
    Ok(Json(RoleQueryResponse {
        count: page.len(),
        roles: page,
        total,
    }))
}

async fn features(_principal: Arc<Principal>) -> Json<Vec<FeatureInfo>> {
    Json(admin::features())
}

// ---------------------------------------------------------------------------------------------
// Gatehouse's own: effective access and "Why?"
// ---------------------------------------------------------------------------------------------

/// Anyone may see their own access; someone else's needs `read_security` (as reading the user
/// and their roles does).
async fn effective_access(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Path(username): Path<String>,
) -> AppResult<Json<EffectiveAccess>> {
    if principal.user.username != username {
        admin::require(&principal.subject, SecurityAction::UserGet)?;
    }
    let name = username.clone();
    let found = state
        .db
        .read(move |conn| {
            Ok((|| -> AdminResult<_> {
                let Some(user) =
                    crate::admin::user_store::get_user(conn, &name).map_err(anyhow::Error::from)?
                else {
                    return Ok(None);
                };
                let subject = crate::admin::user_store::subject_of(conn, &user)?;
                let mut roles = Vec::with_capacity(user.roles.len());
                for role in &user.roles {
                    roles.push((role.clone(), roles::get_role(conn, role)?));
                }
                Ok(Some((subject, roles)))
            })())
        })
        .await??;
    let (subject, roles) = found.ok_or_else(|| admin::user_not_found(&username))?;
    let spaces = state.spaces.all();
    let reported: Vec<SpaceRef<'_>> = spaces
        .iter()
        .map(|s| SpaceRef {
            id: &s.id,
            name: &s.name,
        })
        .collect();
    Ok(Json(access::effective_access(&subject, &roles, &reported)))
}

/// Explains a requirement for the caller, against every role that exists.
async fn explain(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    JsonBody(requirement): JsonBody<Requirement>,
) -> AppResult<Json<Explanation>> {
    let roles = state.db.read(roles::all_roles).await?;
    Ok(Json(access::explain(
        &principal.subject,
        &requirement,
        &roles,
    )))
}

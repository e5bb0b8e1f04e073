//! Login, logout, the current user, their profile and their UI capabilities (docs/sessions-and-capabilities.md).

use std::sync::Arc;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use axum::{Extension, Json};
use gatehouse_api::audit::actions;
use gatehouse_api::run_as::{MeRealms, Realm, RunBy};
use gatehouse_api::security::{
    AuthenticatedUser, AuthenticationProvider, Capabilities, CapabilitiesRequest, LoginRequest,
    LoginResponse, ProfileUser, UserProfile, CAPABILITIES_PATH, INVALID_CREDENTIALS, LOGIN_PATH,
    LOGOUT_PATH, ME_PATH, USER_PROFILE_PATH,
};
use rusqlite::OptionalExtension;
use serde_json::json;

use crate::admin::user_store as users;
use crate::platform::audit::{AuditEvent, Outcome};
use crate::platform::error::{AppError, AppResult, RetryLater};
use crate::platform::kibana::{JsonBody, JsonOrDefault, Space};
use crate::platform::password;
use crate::platform::session::{self, Principal};
use crate::{authz, AppState};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route(LOGIN_PATH, post(login))
        .route(LOGOUT_PATH, post(logout_post).get(logout_get))
        .route(ME_PATH, get(me))
        .route(USER_PROFILE_PATH, get(user_profile))
        .route(CAPABILITIES_PATH, post(capabilities))
}

fn invalid_credentials() -> AppError {
    AppError::boom(StatusCode::UNAUTHORIZED, INVALID_CREDENTIALS)
}

/// Where to send the user after login: the `next` parameter of `currentURL` when it is a
/// same-origin path, else `/`.
pub fn login_location(current_url: &str) -> String {
    let query = current_url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .filter(|next| {
            next.starts_with('/')
                && !next.starts_with("//")
                && !next.starts_with("/\\")
                && !next.chars().any(|c| c.is_control() || c == '\\')
        })
        .unwrap_or_else(|| "/".to_string())
}

/// 429 for a locked username or address (Boom shape, `Retry-After` in seconds): the one answer
/// of the password-guess limiter on Kibana's routes.
pub(crate) fn too_many_attempts(retry_after_secs: u64) -> AppError {
    AppError::RetryLater(RetryLater::too_many_attempts(retry_after_secs))
}

/// A sign-in or sign-out as Kibana's audit logger records it (docs/audit-log.md): `username` is
/// the name tried on a failed login. Recorded after the answer is decided; a failed write is
/// logged, never turned into a refusal.
async fn record_session_event(
    state: &AppState,
    action: &'static str,
    outcome: Outcome,
    username: &str,
    profile_uid: Option<String>,
    space: &str,
) {
    let message = match (action, outcome) {
        (actions::USER_LOGOUT, _) => {
            format!("User [{username}] is logging out using basic provider [name=basic]")
        }
        (_, Outcome::Success) => {
            format!("User [{username}] has logged in using basic provider [name=basic]")
        }
        (_, Outcome::Failure) => {
            "Failed attempt to login using basic provider [name=basic]".to_string()
        }
    };
    let event = AuditEvent {
        ts_ms: crate::platform::db::now_millis(),
        action,
        outcome,
        username: username.to_string(),
        effective_user: None,
        profile_uid,
        space: space.to_string(),
        object_type: String::new(),
        object_ids: Vec::new(),
        details: json!({ "authentication_provider": "basic", "authentication_type": "basic" }),
        message,
    };
    if let Err(error) = state.write_audit_events(vec![event]).await {
        tracing::error!(
            error = format!("{error:#}"),
            action,
            "could not record a session event"
        );
    }
}

pub async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    space: Option<Extension<Space>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<LoginRequest>,
) -> AppResult<Response> {
    let space = space.map_or_else(
        || crate::platform::kibana::DEFAULT_SPACE.to_string(),
        |Extension(space)| space.id().to_string(),
    );
    let LoginRequest {
        provider_type,
        params,
        current_url,
        ..
    } = body;
    let username = params.username;
    // Checked before the password, so a correct password during a lockout still gets 429.
    let address = peer.map(|Extension(ConnectInfo(addr))| addr.ip());
    let attempt = match state.login_limiter.begin(&username, address) {
        Ok(attempt) => attempt,
        Err(retry_after) => {
            tracing::warn!(username, ?address, retry_after, "login rate limited");
            return Err(too_many_attempts(retry_after));
        }
    };
    let user = {
        let username = username.clone();
        state
            .db
            .read(move |conn| Ok(users::get_user(conn, &username)?))
            .await?
    };
    let profile_uid = user.as_ref().map(|u| u.profile_uid.clone());
    let password = params.password;
    // The same work whether the user exists or not, so timing does not reveal user names; one
    // of the bounded argon2 turns (platform::password), 503 when none comes free in time.
    let accepted =
        match password::bounded(move || credentials_accepted(user.as_ref(), &password)).await {
            Ok(accepted) => accepted,
            Err(busy) => {
                state.login_limiter.not_checked(attempt);
                return Err(busy.into());
            }
        };
    if !accepted || provider_type != "basic" {
        tracing::info!(username, "failed login");
        // Only attempts whose password was checked are recorded: the limiter's 429s and the busy
        // 503s are not, so the limiter bounds these rows too (docs/audit-log.md).
        record_session_event(
            &state,
            actions::USER_LOGIN,
            Outcome::Failure,
            &username,
            None,
            &space,
        )
        .await;
        return Err(invalid_credentials());
    }

    state.login_limiter.succeeded(attempt);
    let previous = session::session_token(&headers);
    let limits = state.session_limits();
    let token = {
        let username = username.clone();
        state
            .db
            .write(move |conn| {
                session::create_session(conn, &username, previous.as_deref(), limits)
            })
            .await?
    };
    tracing::info!(username, "login");
    record_session_event(
        &state,
        actions::USER_LOGIN,
        Outcome::Success,
        &username,
        profile_uid,
        &space,
    )
    .await;
    let location = login_location(&current_url);
    Ok((
        [(
            header::SET_COOKIE,
            session::session_cookie(&token, state.settings.https),
        )],
        Json(LoginResponse { location }),
    )
        .into_response())
}

/// The login decision: exactly one argon2 verification whether the user exists or not (the
/// dummy hash for unknown users), so timing does not reveal user names. Disabled users are
/// refused after the same work.
pub fn credentials_accepted(user: Option<&users::UserRecord>, password: &str) -> bool {
    match user {
        Some(user) => password::verify_password(&user.password_hash, password) && user.enabled,
        None => {
            password::dummy_verify(password);
            false
        }
    }
}

/// Deletes the request's session and records `user_logout` for its user (nothing is recorded
/// when there was no live session to end).
async fn end_session(state: &AppState, headers: &HeaderMap) -> AppResult<()> {
    if let Some(token) = session::session_token(headers) {
        let ended = state
            .db
            .write(move |conn| {
                let user = conn
                    .query_row(
                        "SELECT s.username, u.profile_uid FROM sessions s
                         LEFT JOIN users u ON u.username = s.username WHERE s.id_hash = ?1",
                        [session::token_hash(&token)],
                        |row| Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?)),
                    )
                    .optional()?;
                session::delete_session(conn, &token)?;
                Ok(user)
            })
            .await?;
        if let Some((username, profile_uid)) = ended {
            let space = crate::platform::kibana::DEFAULT_SPACE;
            record_session_event(
                state,
                actions::USER_LOGOUT,
                Outcome::Success,
                &username,
                profile_uid,
                space,
            )
            .await;
        }
    }
    Ok(())
}

/// `POST /api/security/logout`: 200 JSON, session row deleted, cookie cleared.
pub async fn logout_post(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    end_session(&state, &headers).await?;
    Ok((
        [(
            header::SET_COOKIE,
            session::clear_session_cookie(state.settings.https),
        )],
        Json(json!({ "location": "/login?msg=LOGGED_OUT" })),
    )
        .into_response())
}

/// `GET /api/security/logout`: as Kibana, ends the session and redirects to the login page.
pub async fn logout_get(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    end_session(&state, &headers).await?;
    Ok((
        StatusCode::FOUND,
        [
            (
                header::SET_COOKIE,
                session::clear_session_cookie(state.settings.https),
            ),
            (
                header::LOCATION,
                header::HeaderValue::from_static("/login?msg=LOGGED_OUT"),
            ),
        ],
    )
        .into_response())
}

pub fn authenticated_user(principal: &Principal) -> AuthenticatedUser {
    let user = &principal.user;
    AuthenticatedUser {
        username: user.username.clone(),
        roles: user.roles.clone(),
        full_name: user.full_name.clone(),
        email: user.email.clone(),
        profile_uid: Some(user.profile_uid.clone()),
        authentication_provider: AuthenticationProvider {
            provider_type: "basic".into(),
            name: "basic".into(),
        },
        enabled: user.enabled,
    }
}

/// `me`: the user the request is answered as, with the realms Elasticsearch names and, while
/// viewing as another user, who is viewing (`run_by`; docs/view-as.md).
pub async fn me(principal: Arc<Principal>) -> AppResult<Json<serde_json::Value>> {
    let realms = MeRealms {
        authentication_realm: Some(Realm::gatehouse()),
        lookup_realm: Some(Realm::gatehouse()),
        run_by: principal.run_by.as_ref().map(|caller| RunBy {
            username: caller.user.username.clone(),
            full_name: caller.user.full_name.clone(),
        }),
    };
    let mut body =
        serde_json::to_value(authenticated_user(&principal)).map_err(anyhow::Error::from)?;
    if let (Some(fields), serde_json::Value::Object(extra)) = (
        body.as_object_mut(),
        serde_json::to_value(realms).map_err(anyhow::Error::from)?,
    ) {
        fields.extend(extra);
    }
    Ok(Json(body))
}

pub fn user_profile_of(user: &users::UserRecord) -> UserProfile {
    UserProfile {
        uid: user.profile_uid.clone(),
        enabled: user.enabled,
        user: ProfileUser {
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            email: user.email.clone(),
            roles: user.roles.clone(),
        },
        data: json!({}),
    }
}

/// The caller's profile, with the data its `dataPath` asks for (`profiles`).
pub async fn user_profile(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    RawQuery(query): RawQuery,
) -> AppResult<Json<UserProfile>> {
    let profile = user_profile_of(&principal.user);
    let profile = crate::profiles::with_requested_data(&state, profile, query.as_deref()).await?;
    Ok(Json(profile))
}

pub async fn capabilities(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Extension(space): Extension<Space>,
    JsonOrDefault(_request): JsonOrDefault<CapabilitiesRequest>,
) -> Json<Capabilities> {
    let mut capabilities = authz::capabilities(&principal.subject, space.id());
    if let Some(stored) = state.spaces.get(space.id()) {
        crate::spaces::store::apply_disabled_features(&mut capabilities, &stored);
    }
    Json(Capabilities(capabilities))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_with_password(password: &str) -> users::UserRecord {
        users::UserRecord {
            username: "bob".into(),
            password_hash: password::hash_password(password).unwrap(),
            full_name: None,
            email: None,
            enabled: true,
            roles: vec![],
            metadata: json!({}),
            profile_uid: "u_bob_0".into(),
        }
    }

    /// Replaces a timed test: an unknown user costs one argon2 verification, exactly as a wrong
    /// password does (the dummy hash's parameters are pinned in `password`'s tests).
    #[test]
    fn unknown_users_do_the_same_argon2_work_as_wrong_passwords() {
        let bob = user_with_password("right-password");
        let runs = |user: Option<&users::UserRecord>, pw: &str| {
            let before = password::verifications();
            let accepted = credentials_accepted(user, pw);
            (accepted, password::verifications() - before)
        };
        assert_eq!(runs(Some(&bob), "wrong-password"), (false, 1));
        assert_eq!(runs(None, "wrong-password"), (false, 1));
        assert_eq!(runs(None, "right-password"), (false, 1));
        assert_eq!(runs(Some(&bob), "right-password"), (true, 1));
        let disabled = users::UserRecord {
            enabled: false,
            ..bob
        };
        assert_eq!(runs(Some(&disabled), "right-password"), (false, 1));
    }

    #[test]
    fn login_location_accepts_only_same_origin_paths() {
        assert_eq!(login_location("/login"), "/");
        assert_eq!(
            login_location("http://localhost:5601/login?next=%2Fapp%2Fdashboards"),
            "/app/dashboards"
        );
        assert_eq!(
            login_location("/login?next=/app/security/entity_analytics%3Fx%3D1#h"),
            "/app/security/entity_analytics?x=1"
        );
        assert_eq!(login_location("/login?next=%2F%2Fevil.example"), "/");
        assert_eq!(login_location("/login?next=https://evil.example"), "/");
        assert_eq!(login_location("/login?next=/%5Cevil"), "/");
    }
}

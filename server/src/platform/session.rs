//! Server-side sessions behind the `sid` cookie, and the [`Principal`] extractor every protected
//! route uses.
//!
//! The cookie carries 256 random bits; the database stores only their SHA-256, so a copy of the
//! database does not hand out live sessions. Sessions expire after `idle_timeout` without use, and
//! after `lifespan` from sign-in however busy they are (Kibana's `xpack.security.session.idleTimeout`
//! and `lifespan`; docs/sessions-and-capabilities.md), so a stolen cookie kept alive by polling
//! still dies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use gatehouse_api::headers::SESSION_COOKIE;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::admin::user_store::{self as users, UserRecord};
use crate::authz::Subject;
use crate::platform::error::AppError;
use crate::AppState;

/// The user a request is answered as, with resolved roles: the signed-in user, or the user they
/// view as (docs/view-as.md), then with `run_by` the signed-in one.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserRecord,
    pub subject: Subject,
    /// The session's: the signed-in user's, also while they view as another user.
    pub session_hash: String,
    /// Who is viewing as this user, when the request carries the run-as header.
    pub run_by: Option<Arc<Principal>>,
}

impl Principal {
    pub fn username(&self) -> &str {
        &self.user.username
    }
}

pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    crate::hex(&bytes)
}

pub fn token_hash(token: &str) -> String {
    crate::hex(&Sha256::digest(token.as_bytes()))
}

/// The `sid` cookie's value, if the request sent one.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

/// The `Secure` attribute when browsers reach the server over HTTPS (its own certificate or a
/// proxy's, `--public-url https://…`): the browser then never sends the cookie over plain HTTP,
/// not even the first time someone types `http://`.
fn secure_attribute(https: bool) -> &'static str {
    if https {
        "; Secure"
    } else {
        ""
    }
}

pub fn session_cookie(token: &str, https: bool) -> HeaderValue {
    let secure = secure_attribute(https);
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("sid=; HttpOnly; SameSite=Strict; Path=/"))
}

pub fn clear_session_cookie(https: bool) -> HeaderValue {
    let secure = secure_attribute(https);
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; \
         Expires=Thu, 01 Jan 1970 00:00:00 GMT{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("sid=; Path=/; Max-Age=0"))
}

/// Creates a session for `username`, deleting the one the request came with (a new id on every
/// login) and any expired ones. Returns the cookie token.
pub fn create_session(
    conn: &mut Connection,
    username: &str,
    previous_token: Option<&str>,
    limits: SessionLimits,
) -> anyhow::Result<String> {
    let token = new_token();
    let now = crate::platform::db::now_secs();
    let tx = conn.transaction()?;
    if let Some(previous) = previous_token {
        tx.execute(
            "DELETE FROM sessions WHERE id_hash = ?1",
            [token_hash(previous)],
        )?;
    }
    tx.execute(
        "DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2",
        [now - limits.idle_secs, now - limits.lifespan_secs],
    )?;
    tx.execute(
        "INSERT INTO sessions (id_hash, username, created_at, last_seen) VALUES (?1, ?2, ?3, ?3)",
        params![token_hash(&token), username, now],
    )?;
    tx.commit()?;
    Ok(token)
}

pub fn delete_session(conn: &Connection, token: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE id_hash = ?1",
        [token_hash(token)],
    )
}

/// How long a session lives: `idle_secs` without a request, `lifespan_secs` from sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_secs: i64,
    pub lifespan_secs: i64,
}

impl SessionLimits {
    /// Whether a session created at `created_at` and last used at `last_seen` is over either limit.
    pub fn expired(self, now: i64, created_at: i64, last_seen: i64) -> bool {
        now - last_seen > self.idle_secs || now - created_at > self.lifespan_secs
    }
}

enum Lookup {
    Missing,
    Expired,
    Found {
        user: Box<UserRecord>,
        created_at: i64,
        last_seen: i64,
        subject: Subject,
    },
}

fn lookup(conn: &Connection, hash: &str, limits: SessionLimits) -> anyhow::Result<Lookup> {
    let mut stmt = conn.prepare_cached(
        "SELECT username, created_at, last_seen FROM sessions WHERE id_hash = ?1",
    )?;
    let row: Option<(String, i64, i64)> = stmt
        .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((username, created_at, last_seen)) = row else {
        return Ok(Lookup::Missing);
    };
    if limits.expired(crate::platform::db::now_secs(), created_at, last_seen) {
        return Ok(Lookup::Expired);
    }
    let Some(user) = users::get_user(conn, &username)? else {
        return Ok(Lookup::Missing);
    };
    if !user.enabled {
        return Ok(Lookup::Missing);
    }
    let subject = users::subject_of(conn, &user)?;
    Ok(Lookup::Found {
        user: Box::new(user),
        created_at,
        last_seen,
        subject,
    })
}

/// Principals already resolved from their sessions, reused while nothing has been written to the
/// database since (a change to a user, a role or a session is a write), so a page's burst of
/// requests resolves the caller's roles once instead of once per request.
#[derive(Debug, Default)]
pub struct PrincipalCache {
    entries: Mutex<HashMap<String, CachedPrincipal>>,
    /// Users viewed as (docs/view-as.md), by session and viewed name, with the database
    /// generation they were read at; the caller's own entry is checked first on every request.
    viewed: Mutex<HashMap<ViewKey, (u64, Arc<Principal>)>>,
}

/// A view's key in the cache: the session's hash and the viewed user's name.
type ViewKey = (String, String);

#[derive(Debug)]
struct CachedPrincipal {
    principal: Arc<Principal>,
    last_seen: i64,
    created_at: i64,
    generation: u64,
}

/// Past this many sessions the cache starts again empty rather than grow.
const CACHED_PRINCIPALS: usize = 10_000;

impl PrincipalCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedPrincipal>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached principal, unless the database changed since it was read or the session is
    /// due a `last_seen` refresh or an expiry check (those take the full path).
    fn get(
        &self,
        hash: &str,
        generation: u64,
        now: i64,
        refresh_after: i64,
        limits: SessionLimits,
    ) -> Option<Arc<Principal>> {
        let entries = self.entries();
        let cached = entries.get(hash)?;
        (cached.generation == generation
            && now - cached.last_seen < refresh_after
            && !limits.expired(now, cached.created_at, cached.last_seen))
        .then(|| cached.principal.clone())
    }

    /// The user `name` as viewed in session `hash`, unless the database changed since it was read.
    pub(crate) fn viewed(&self, hash: &str, name: &str, generation: u64) -> Option<Arc<Principal>> {
        let viewed = self
            .viewed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (hash.to_string(), name.to_string());
        viewed
            .get(&key)
            .filter(|(read_at, _)| *read_at == generation)
            .map(|(_, principal)| principal.clone())
    }

    pub(crate) fn put_viewed(
        &self,
        hash: &str,
        name: &str,
        generation: u64,
        principal: Arc<Principal>,
    ) {
        let mut viewed = self
            .viewed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (hash.to_string(), name.to_string());
        if viewed.len() >= CACHED_PRINCIPALS && !viewed.contains_key(&key) {
            viewed.clear();
        }
        viewed.insert(key, (generation, principal));
    }

    fn put(&self, hash: String, cached: CachedPrincipal) {
        let mut entries = self.entries();
        if entries.len() >= CACHED_PRINCIPALS && !entries.contains_key(&hash) {
            entries.clear();
        }
        entries.insert(hash, cached);
    }
}

/// Loads the principal behind a session token, expiring idle sessions and refreshing `last_seen`.
pub async fn load_principal(state: &AppState, token: &str) -> Result<Arc<Principal>, AppError> {
    let hash = token_hash(token);
    let limits = state.session_limits();
    // Refresh at a fraction of the idle timeout, not on every request.
    let refresh_after = (limits.idle_secs / 10).clamp(0, 60);
    // Read before the database, so a write that lands after this cannot be missed.
    let generation = state.db.generation();
    let now = crate::platform::db::now_secs();
    if let Some(principal) = state
        .principals
        .get(&hash, generation, now, refresh_after, limits)
    {
        return Ok(principal);
    }
    let found = {
        let hash = hash.clone();
        state
            .db
            .read(move |conn| lookup(conn, &hash, limits))
            .await?
    };
    match found {
        Lookup::Missing => Err(AppError::unauthenticated()),
        Lookup::Expired => {
            let hash = hash.clone();
            state
                .db
                .write(move |conn| {
                    Ok(conn.execute("DELETE FROM sessions WHERE id_hash = ?1", [hash])?)
                })
                .await?;
            Err(AppError::unauthenticated())
        }
        Lookup::Found {
            user,
            created_at,
            last_seen,
            subject,
        } => {
            let refresh = now - last_seen >= refresh_after;
            if refresh {
                let hash = hash.clone();
                state
                    .db
                    .write_bookkeeping(move |conn| {
                        Ok(conn.execute(
                            "UPDATE sessions SET last_seen = ?1 WHERE id_hash = ?2",
                            params![now, hash],
                        )?)
                    })
                    .await?;
            }
            let principal = Arc::new(Principal {
                user: *user,
                subject,
                session_hash: hash.clone(),
                run_by: None,
            });
            // A refresh leaves the generation as it was (`Db::write_bookkeeping`).
            state.principals.put(
                hash,
                CachedPrincipal {
                    principal: principal.clone(),
                    last_seen: if refresh { now } else { last_seen },
                    created_at,
                    generation,
                },
            );
            Ok(principal)
        }
    }
}

/// Routes a client calls without a session: signing in and out, the status a load balancer polls
/// (it shows more to a signed-in caller itself, docs/status.md), and the test-only fault control,
/// which exists only on loopback test servers.
const SESSIONLESS_PATHS: &[&str] = &[
    gatehouse_api::security::LOGIN_PATH,
    gatehouse_api::security::LOGOUT_PATH,
    crate::deployment::status::STATUS_PATH,
    crate::platform::faults::FAULTS_PATH,
];

/// Whether `token` names a live session of an enabled user, read only: no `last_seen` refresh, no
/// removal of an expired session (for `/api/status`, which never writes; docs/status.md).
pub async fn is_signed_in(state: &AppState, token: &str) -> bool {
    let hash = token_hash(token);
    let limits = state.session_limits();
    let generation = state.db.generation();
    let now = crate::platform::db::now_secs();
    if state
        .principals
        .get(&hash, generation, now, i64::MAX, limits)
        .is_some()
    {
        return true;
    }
    matches!(
        state.db.read(move |conn| lookup(conn, &hash, limits)).await,
        Ok(Lookup::Found { .. })
    )
}

/// Every API route (`/api/*`, `/internal/*`) needs a session, checked before anything else about
/// the request — the space it names, its body — so a client that is not signed in learns nothing,
/// not even which spaces exist (Kibana authenticates before its spaces interceptor runs;
/// docs/headers-and-errors.md). The principal is kept for the route's own extractor.
pub async fn require_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use crate::authz::RequiredPrivilege;
    use axum::response::IntoResponse;
    let path = request.uri().path();
    let is_api = path.starts_with("/api/") || path.starts_with("/internal/");
    if !is_api || SESSIONLESS_PATHS.contains(&path) {
        return next.run(request).await;
    }
    // The search routes answer every refusal in their own shape (docs/search.md).
    let shape = if path.starts_with("/api/ws/") {
        crate::search::routes::SearchRead::shape
    } else {
        std::convert::identity
    };
    let Some(token) = session_token(request.headers()) else {
        return shape(AppError::unauthenticated()).into_response();
    };
    let caller = match load_principal(&state, &token).await {
        Ok(caller) => caller,
        Err(refusal) => return shape(refusal).into_response(),
    };
    // The run-as header (docs/view-as.md) may swap the principal for the viewed user's.
    let viewed = {
        let space = request
            .extensions()
            .get::<crate::platform::kibana::Space>()
            .map_or(crate::platform::kibana::DEFAULT_SPACE, |space| space.id());
        let path_and_query = request
            .uri()
            .path_and_query()
            .map_or(request.uri().path(), |p| p.as_str());
        crate::security::run_as::effective_principal(
            &state,
            caller,
            crate::security::run_as::RunAsRequest {
                method: request.method(),
                path_and_query,
                headers: request.headers(),
                space,
            },
        )
        .await
    };
    match viewed {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(refusal) => shape(refusal).into_response(),
    }
}

impl FromRequestParts<AppState> for Arc<Principal> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Arc<Principal>>() {
            return Ok(principal.clone());
        }
        let token = session_token(&parts.headers).ok_or_else(AppError::unauthenticated)?;
        let principal = load_principal(state, &token).await?;
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_hex_and_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), t);
    }

    #[test]
    fn sessions_expire_when_idle_or_past_their_lifespan() {
        let limits = SessionLimits {
            idle_secs: 60,
            lifespan_secs: 600,
        };
        assert!(!limits.expired(1_000, 900, 990));
        assert!(limits.expired(1_000, 900, 930), "idle for 70 s");
        assert!(
            limits.expired(1_000, 300, 999),
            "used a second ago, signed in 700 s ago"
        );
        assert!(!limits.expired(1_000, 400, 999), "exactly at the lifespan");
    }

    #[test]
    fn the_cookie_is_secure_only_when_browsers_come_over_https() {
        let plain = session_cookie("abc", false);
        let plain = plain.to_str().unwrap();
        assert!(
            plain.starts_with("sid=abc; HttpOnly; SameSite=Strict"),
            "{plain}"
        );
        assert!(!plain.contains("Secure"), "{plain}");
        let secure = session_cookie("abc", true);
        assert!(secure.to_str().unwrap().ends_with("; Secure"), "{secure:?}");
        let cleared = clear_session_cookie(true);
        let cleared = cleared.to_str().unwrap();
        assert!(
            cleared.contains("Max-Age=0") && cleared.ends_with("; Secure"),
            "{cleared}"
        );
        assert!(!clear_session_cookie(false)
            .to_str()
            .unwrap()
            .contains("Secure"));
    }

    #[test]
    fn cookie_parsing() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sid=abc; b=2"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc"));
        headers.insert(header::COOKIE, HeaderValue::from_static("xsid=abc; sid="));
        assert_eq!(session_token(&headers), None);
    }
}

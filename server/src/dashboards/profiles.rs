//! User-profile lookups for names and the owner picker: `POST /internal/security/user_profile/_bulk_get`
//! and **ext** `POST /internal/security/user_profile/_suggest`.
//!
//! Both need the `bulkGetUserProfiles` API privilege (dashboard read or all grants it) and show
//! only members of the request's space (users who may enter it), plus, for `_bulk_get`, anyone
//! who owns a dashboard there, so an owner's name resolves even after they lose access. Other
//! users' roles are never shown.

use std::collections::HashSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use gatehouse_api::dashboards::{
    BulkGetProfiles, SuggestProfiles, BULK_GET_PROFILES_PATH, DEFAULT_SUGGEST_SIZE,
    SUGGEST_PROFILES_PATH,
};
use gatehouse_api::security::{is_valid_profile_uid, UserProfile};
use rusqlite::Connection;

use crate::admin::user_store::{self as users, UserRecord};
use crate::authz::{self, Guarded, UserProfiles};
use crate::dashboards::store as dashboards;
use crate::platform::error::{AppError, AppResult};
use crate::platform::kibana::JsonBody;
use crate::security::routes::user_profile_of;
use crate::AppState;

pub const MAX_BULK_GET_UIDS: usize = 1000;
pub const MAX_SUGGEST_SIZE: u32 = 100;
pub const MAX_SUGGEST_NAME_CHARS: usize = 256;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(BULK_GET_PROFILES_PATH, post(bulk_get))
        .route(SUGGEST_PROFILES_PATH, post(suggest))
}

fn bad_request(message: impl Into<String>) -> AppError {
    AppError::boom(StatusCode::BAD_REQUEST, message)
}

fn is_member(conn: &Connection, user: &UserRecord, space: &str) -> anyhow::Result<bool> {
    Ok(authz::is_space_member(
        &users::subject_of(conn, user)?,
        space,
    ))
}

/// A profile as another user may see it: no roles.
fn visible_profile(user: &UserRecord, is_self: bool) -> UserProfile {
    let mut profile = user_profile_of(user);
    if !is_self {
        profile.user.roles.clear();
    }
    profile
}

async fn bulk_get(
    Guarded {
        principal, space, ..
    }: Guarded<UserProfiles>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<BulkGetProfiles>,
) -> AppResult<Json<Vec<UserProfile>>> {
    if body.uids.len() > MAX_BULK_GET_UIDS {
        return Err(bad_request(format!(
            "[request body.uids]: array size is [{}], but cannot be greater than [{MAX_BULK_GET_UIDS}]",
            body.uids.len()
        )));
    }
    let caller = principal.user.username.clone();
    let profiles = state
        .db
        .read(move |conn| {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for uid in body.uids {
                if !is_valid_profile_uid(&uid) || !seen.insert(uid.clone()) {
                    continue;
                }
                let Some(user) = users::get_user_by_profile_uid(conn, &uid)? else {
                    continue;
                };
                let is_self = user.username == caller;
                if is_self
                    || is_member(conn, &user, space.id())?
                    || dashboards::owns_any(conn, space.id(), &uid)?
                {
                    out.push(visible_profile(&user, is_self));
                }
            }
            Ok(out)
        })
        .await?;
    Ok(Json(profiles))
}

/// How well `needle` (lower-case) names a user: 0 a name starts with it, 1 a word of a name
/// does, 2 a name contains it; `None` no match. An empty needle matches everyone equally.
pub fn match_rank(user: &UserRecord, needle: &str) -> Option<u8> {
    if needle.is_empty() {
        return Some(3);
    }
    [Some(user.username.as_str()), user.full_name.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(|name| {
            let name = name.to_lowercase();
            if name.starts_with(needle) {
                Some(0)
            } else if name
                .split(|c: char| c.is_whitespace() || c == '_' || c == '-' || c == '.')
                .any(|word| word.starts_with(needle))
            {
                Some(1)
            } else if name.contains(needle) {
                Some(2)
            } else {
                None
            }
        })
        .min()
}

async fn suggest(
    Guarded {
        principal, space, ..
    }: Guarded<UserProfiles>,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<SuggestProfiles>,
) -> AppResult<Json<Vec<UserProfile>>> {
    if body.name.chars().count() > MAX_SUGGEST_NAME_CHARS {
        return Err(bad_request(format!(
            "[request body.name]: value has length [{}] but it must have a maximum length of [{MAX_SUGGEST_NAME_CHARS}].",
            body.name.chars().count()
        )));
    }
    let size = body.size.unwrap_or(DEFAULT_SUGGEST_SIZE);
    if !(1..=MAX_SUGGEST_SIZE).contains(&size) {
        return Err(bad_request(format!(
            "[request body.size]: Value must be between 1 and {MAX_SUGGEST_SIZE}, received [{size}]"
        )));
    }
    let needle = body.name.trim().to_lowercase();
    let caller = principal.user.username.clone();
    let profiles = state
        .db
        .read(move |conn| {
            let mut ranked = Vec::new();
            for user in users::all_users(conn)? {
                if !user.enabled {
                    continue;
                }
                let Some(rank) = match_rank(&user, &needle) else {
                    continue;
                };
                if is_member(conn, &user, space.id())? {
                    let display = user
                        .full_name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| user.username.clone())
                        .to_lowercase();
                    ranked.push((rank, display, user));
                }
            }
            ranked.sort_by(|a, b| (a.0, &a.1, &a.2.username).cmp(&(b.0, &b.1, &b.2.username)));
            Ok(ranked
                .into_iter()
                .take(size as usize)
                .map(|(_, _, user)| visible_profile(&user, user.username == caller))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(profiles))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(username: &str, full_name: Option<&str>) -> UserRecord {
        UserRecord {
            username: username.into(),
            password_hash: String::new(),
            full_name: full_name.map(Into::into),
            email: None,
            enabled: true,
            roles: vec![],
            metadata: serde_json::json!({}),
            profile_uid: format!("u_{username}_0"),
        }
    }

    #[test]
    fn names_match_by_prefix_word_and_substring() {
        let alice = user("alice", Some("Alice Analyst"));
        assert_eq!(match_rank(&alice, "ali"), Some(0));
        assert_eq!(match_rank(&alice, "ana"), Some(1));
        assert_eq!(match_rank(&alice, "lys"), Some(2));
        assert_eq!(match_rank(&alice, "bob"), None);
        assert_eq!(match_rank(&user("leads_read_user", None), "read"), Some(1));
        assert_eq!(match_rank(&alice, ""), Some(3));
    }
}

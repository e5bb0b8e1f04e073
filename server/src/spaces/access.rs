//! Gatehouse's own space routes (`gatehouse_api::space_access`): who can enter a space and at
//! what level, through which role (kibana#27002, #38051), and what the space holds before it is
//! deleted. Every answer is computed with the functions the route guards ask, one role at a
//! time to say which role lets whom in.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use gatehouse_api::admin::RoleDescriptor;
use gatehouse_api::leads::leads_index;
use gatehouse_api::security::KIBANA_APPLICATION;
use gatehouse_api::space_access::{
    FeatureLevel, MemberEntry, RoleEntry, SpaceAccessReport, SpaceContents, SpaceLevel,
    SPACES_INTERNAL_PATH,
};
use gatehouse_api::spaces::Space;

use crate::admin::access::feature_level;
use crate::admin::user_store::{self as users, UserRecord};
use crate::admin::{self, roles, AdminError, AdminResult};
use crate::authz::{self, SecurityAction, Subject, FEATURES};
use crate::platform::error::{AppError, AppResult};
use crate::platform::session::Principal;
use crate::spaces::store::may_manage_spaces;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            &format!("{SPACES_INTERNAL_PATH}/{{id}}/access"),
            get(space_access),
        )
        .route(
            &format!("{SPACES_INTERNAL_PATH}/{{id}}/contents"),
            get(space_contents),
        )
}

fn space_not_found(id: &str) -> AppError {
    AppError::boom(
        StatusCode::NOT_FOUND,
        format!("Saved object [space/{id}] not found"),
    )
}

fn internal(e: anyhow::Error) -> AppError {
    AdminError::Internal(e).into()
}

fn single(name: &str, role: &RoleDescriptor) -> Subject {
    Subject {
        username: String::new(),
        role_names: vec![name.to_string()],
        roles: vec![role.clone()],
    }
}

/// Every feature's level for `subject` in `space`, marked hidden where the space disables it.
fn feature_levels(subject: &Subject, space: &Space) -> Vec<FeatureLevel> {
    FEATURES
        .iter()
        .map(|feature| FeatureLevel {
            id: feature.id.to_string(),
            name: feature.name.to_string(),
            level: feature_level(subject, &space.id, feature),
            hidden: space.is_feature_disabled(feature.id),
        })
        .collect()
}

fn level_of(features: &[FeatureLevel]) -> SpaceLevel {
    let levels: Vec<_> = features.iter().map(|f| f.level).collect();
    SpaceLevel::of(&levels)
}

/// The role with only its Kibana grants on named resources (not `*`): does it let its holders
/// in by naming this space?
fn without_global_grants(role: &RoleDescriptor) -> RoleDescriptor {
    let mut named = role.clone();
    for grant in &mut named.applications {
        grant.resources.retain(|r| r != "*");
    }
    named.applications.retain(|g| !g.resources.is_empty());
    named
}

/// Who can enter `space`: the roles that grant `login:` there on their own (with their level and
/// holders), and every user who can (with what their roles add up to). `roles` are every role
/// that exists; `users` every user with their resolved subject.
pub fn space_access_report(
    space: &Space,
    roles: &[(String, RoleDescriptor, bool)],
    users: &[(UserRecord, Subject)],
) -> SpaceAccessReport {
    let role_entries: Vec<RoleEntry> = roles
        .iter()
        .filter_map(|(name, role, reserved)| {
            let subject = single(name, role);
            if !authz::is_space_member(&subject, &space.id) {
                return None;
            }
            let features = feature_levels(&subject, space);
            let all_spaces = authz::application_grants(&subject, KIBANA_APPLICATION, "*")
                .allows(authz::LOGIN_ACTION);
            let this_space =
                authz::is_space_member(&single(name, &without_global_grants(role)), &space.id);
            Some(RoleEntry {
                role: name.clone(),
                reserved: *reserved,
                level: level_of(&features),
                all_spaces,
                this_space,
                features,
                manages_spaces: may_manage_spaces(&subject),
                users: users
                    .iter()
                    .filter(|(user, _)| user.roles.iter().any(|r| r == name))
                    .map(|(user, _)| user.username.clone())
                    .collect(),
            })
        })
        .collect();
    let members = users
        .iter()
        .filter(|(_, subject)| authz::is_space_member(subject, &space.id))
        .map(|(user, subject)| {
            let features = feature_levels(subject, space);
            MemberEntry {
                username: user.username.clone(),
                full_name: user.full_name.clone().filter(|n| !n.trim().is_empty()),
                enabled: user.enabled,
                level: level_of(&features),
                features,
                roles: user
                    .roles
                    .iter()
                    .filter(|r| role_entries.iter().any(|e| &e.role == *r))
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    SpaceAccessReport {
        space: space.id.clone(),
        name: space.name.clone(),
        roles: role_entries,
        users: members,
    }
}

/// Needs `read_security` (it names users and their roles, as the user listing does); 403 is
/// answered before 404.
async fn space_access(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Path(id): Path<String>,
) -> AppResult<Json<SpaceAccessReport>> {
    admin::require(&principal.subject, SecurityAction::UserGet)?;
    let space = state.spaces.get(&id).ok_or_else(|| space_not_found(&id))?;
    let (roles, members) = state
        .db
        .read(|conn| {
            Ok((|| -> AdminResult<_> {
                let roles: Vec<(String, RoleDescriptor, bool)> = roles::all_roles(conn)?
                    .into_iter()
                    .map(|(name, descriptor)| {
                        let reserved = roles::is_reserved(&name);
                        (name, descriptor, reserved)
                    })
                    .collect();
                let mut members = Vec::new();
                for user in users::all_users(conn).map_err(anyhow::Error::from)? {
                    let subject = users::subject_of(conn, &user)?;
                    members.push((user, subject));
                }
                Ok((roles, members))
            })())
        })
        .await
        .map_err(internal)??;
    Ok(Json(space_access_report(&space, &roles, &members)))
}

/// For the delete confirmation, so only those who may delete spaces ask; 403 before 404.
async fn space_contents(
    State(state): State<AppState>,
    principal: Arc<Principal>,
    Path(id): Path<String>,
) -> AppResult<Json<SpaceContents>> {
    if !may_manage_spaces(&principal.subject) {
        return Err(AppError::boom(
            StatusCode::FORBIDDEN,
            format!("Unauthorized to get the contents of the {id} space"),
        ));
    }
    if state.spaces.get(&id).is_none() {
        return Err(space_not_found(&id));
    }
    let contents = state
        .db
        .read(move |conn| {
            let leads = crate::leads::count_leads(conn, &leads_index(&id), None)?;
            let dashboards: i64 = conn.query_row(
                "SELECT COUNT(*) FROM dashboards WHERE space = ?1",
                [&id],
                |r| r.get(0),
            )?;
            Ok(SpaceContents {
                leads,
                dashboards: u64::try_from(dashboards).unwrap_or(0),
            })
        })
        .await
        .map_err(internal)?;
    Ok(Json(contents))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_api::access::AccessLevel;
    use serde_json::json;

    fn record(username: &str, roles: &[&str]) -> UserRecord {
        UserRecord {
            username: username.into(),
            password_hash: String::new(),
            full_name: None,
            email: None,
            enabled: true,
            roles: roles.iter().map(|r| r.to_string()).collect(),
            metadata: json!({}),
            profile_uid: format!("u_{username}"),
        }
    }

    fn kibana(privileges: &[&str], resources: &[&str]) -> RoleDescriptor {
        RoleDescriptor {
            applications: vec![authz::app_grant(KIBANA_APPLICATION, privileges, resources)],
            ..RoleDescriptor::default()
        }
    }

    #[test]
    fn roles_are_reported_with_their_level_scope_and_holders() {
        let space = Space {
            id: "soc".into(),
            name: "SOC".into(),
            disabled_features: vec!["dev_tools".into()],
            ..Space::default_space()
        };
        let roles = vec![
            (
                "kibana_admin".to_string(),
                authz::reserved_role("kibana_admin").unwrap_or_default(),
                true,
            ),
            (
                "soc_reader".to_string(),
                kibana(&["space_read"], &["space:soc"]),
                false,
            ),
            (
                "dash".to_string(),
                kibana(&["feature_dashboard.all"], &["space:soc"]),
                false,
            ),
            (
                "elsewhere".to_string(),
                kibana(&["space_all"], &["space:other"]),
                false,
            ),
        ];
        let subject = |user: &UserRecord| Subject {
            username: user.username.clone(),
            role_names: user.roles.clone(),
            roles: roles
                .iter()
                .filter(|(n, _, _)| user.roles.contains(n))
                .map(|(_, r, _)| r.clone())
                .collect(),
        };
        let users: Vec<(UserRecord, Subject)> = [
            record("ann", &["soc_reader", "dash"]),
            record("ben", &["elsewhere"]),
            record("cid", &["kibana_admin"]),
        ]
        .into_iter()
        .map(|u| {
            let s = subject(&u);
            (u, s)
        })
        .collect();
        let report = space_access_report(&space, &roles, &users);
        let names: Vec<&str> = report.roles.iter().map(|r| r.role.as_str()).collect();
        assert_eq!(names, ["kibana_admin", "soc_reader", "dash"]);
        let admin = &report.roles[0];
        assert_eq!(
            (admin.level, admin.all_spaces, admin.this_space),
            (SpaceLevel::All, true, false)
        );
        assert!(admin.manages_spaces && admin.reserved);
        assert_eq!(admin.users, ["cid"]);
        let reader = &report.roles[1];
        assert_eq!(
            (reader.level, reader.all_spaces, reader.this_space),
            (SpaceLevel::Read, false, true)
        );
        let dash = &report.roles[2];
        assert_eq!(dash.level, SpaceLevel::Customize);
        let dashboard = dash.features.iter().find(|f| f.id == "dashboard");
        assert_eq!(dashboard.map(|f| f.level), Some(AccessLevel::All));
        assert!(dash
            .features
            .iter()
            .any(|f| f.id == "dev_tools" && f.hidden && f.level == AccessLevel::None));

        let members: Vec<&str> = report.users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(members, ["ann", "cid"], "ben's role names another space");
        let ann = &report.users[0];
        assert_eq!(ann.roles, ["soc_reader", "dash"]);
        assert_eq!(
            ann.level,
            SpaceLevel::Customize,
            "read everywhere, all on one"
        );
        assert_eq!(
            ann.features
                .iter()
                .find(|f| f.id == "dashboard")
                .map(|f| f.level),
            Some(AccessLevel::All)
        );
    }
}

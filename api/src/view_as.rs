//! "View as": the SPA runs as another user through Elasticsearch's run-as header, read-only
//! (docs/administration.md, "View as"). The decisions here are pure so the SPA's buttons and
//! its tests agree: who may be viewed as, which user a stored view belongs to, and why a write
//! control is closed while viewing.

use serde::{Deserialize, Serialize};

use crate::admin::KibanaRole;
use crate::doc_query::wildcard_matches;
use crate::run_as::{MeRealms, Realm, RunBy};
use crate::security::{AuthenticatedUser, AuthenticationProvider};

/// Who the tab is viewing as, and who asked: kept in the tab's storage so a reload keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewingAs {
    /// The user every request runs as.
    pub username: String,
    #[serde(default)]
    pub full_name: Option<String>,
    /// The signed-in user who started the view: a tab another user signs in to drops it.
    pub caller: String,
}

impl ViewingAs {
    /// The name the banner and the reasons show: the full name when there is one.
    pub fn display_name(&self) -> &str {
        self.full_name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or(&self.username)
    }

    /// Why every write control is closed while viewing.
    pub fn read_only_reason(&self) -> String {
        format!("Viewing as {} is read-only", self.display_name())
    }

    /// The banner's sentence, before its Stop button.
    pub fn banner_text(&self) -> String {
        format!("Viewing as {} — read-only", self.display_name())
    }
}

/// Why a write control is closed: the viewed user's own reason first (so the view shows exactly
/// what they would see), else, while viewing as someone, that the view is read-only.
pub fn closed_reason(own: Option<String>, viewing: Option<&ViewingAs>) -> Option<String> {
    own.or_else(|| viewing.map(ViewingAs::read_only_reason))
}

/// `GET /internal/security/me` read with its realms and `run_by` (absent when not running as
/// anyone), from the same body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "MeBody")]
pub struct MeAnswer {
    pub realms: MeRealms,
    pub user: AuthenticatedUser,
}

/// `me`'s body as one flat struct, split into [`MeAnswer`]'s parts once read. Not two
/// `#[serde(flatten)]` fields: flattening buffers the body in serde's generic content tree first,
/// and its parser was the largest part of reading `me` in the app's first download
/// (docs/start-set.md).
#[derive(Deserialize)]
struct MeBody {
    username: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    profile_uid: Option<String>,
    authentication_provider: AuthenticationProvider,
    #[serde(default = "crate::security::enabled_when_absent")]
    enabled: bool,
    #[serde(default)]
    authentication_realm: Option<Realm>,
    #[serde(default)]
    lookup_realm: Option<Realm>,
    #[serde(default)]
    run_by: Option<RunBy>,
}

impl From<MeBody> for MeAnswer {
    fn from(body: MeBody) -> Self {
        MeAnswer {
            realms: MeRealms {
                authentication_realm: body.authentication_realm,
                lookup_realm: body.lookup_realm,
                run_by: body.run_by,
            },
            user: AuthenticatedUser {
                username: body.username,
                roles: body.roles,
                full_name: body.full_name,
                email: body.email,
                profile_uid: body.profile_uid,
                authentication_provider: body.authentication_provider,
                enabled: body.enabled,
            },
        }
    }
}

/// Whether a stored view still holds for `me`'s answer: the server ran the request as the viewed
/// user on behalf of the caller who started it. Anything else (another user signed in, the server
/// ignored the header) ends the view.
pub fn view_holds(viewing: &ViewingAs, me: &MeAnswer) -> bool {
    me.user.username == viewing.username
        && me
            .realms
            .run_by
            .as_ref()
            .is_some_and(|run_by| run_by.username == viewing.caller)
}

/// Whether `caller`, holding `caller_roles` (names), may view as `target`: one of those roles'
/// `run_as` patterns covers the name, with the server's pattern rule (`authz::wildcard_match`
/// is [`wildcard_matches`]). Viewing as yourself shows nothing new, so it is never offered; the
/// server still decides (an unknown or disabled target is refused there).
pub fn may_view_as(
    caller: &str,
    caller_roles: &[String],
    roles: &[KibanaRole],
    target: &str,
) -> bool {
    target != caller
        && roles
            .iter()
            .filter(|role| caller_roles.contains(&role.name))
            .flat_map(|role| &role.elasticsearch.run_as)
            .any(|pattern| wildcard_matches(pattern, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn victor() -> ViewingAs {
        ViewingAs {
            username: "victor".into(),
            full_name: Some("Victor Viewer".into()),
            caller: "elastic".into(),
        }
    }

    fn role(name: &str, run_as: &[&str]) -> KibanaRole {
        serde_json::from_value(serde_json::json!({
            "name": name,
            "elasticsearch": {"cluster": [], "indices": [], "run_as": run_as},
            "kibana": []
        }))
        .unwrap()
    }

    fn me(body: serde_json::Value) -> MeAnswer {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn reasons_and_banner_name_the_viewed_user() {
        assert_eq!(
            victor().read_only_reason(),
            "Viewing as Victor Viewer is read-only"
        );
        assert_eq!(
            victor().banner_text(),
            "Viewing as Victor Viewer — read-only"
        );
        let no_name = ViewingAs {
            full_name: Some("  ".into()),
            ..victor()
        };
        assert_eq!(no_name.read_only_reason(), "Viewing as victor is read-only");
    }

    #[test]
    fn the_viewed_users_own_reason_comes_first() {
        let own = Some("You have read-only access to dashboards.".to_string());
        assert_eq!(closed_reason(own.clone(), Some(&victor())), own);
        assert_eq!(
            closed_reason(None, Some(&victor())).as_deref(),
            Some("Viewing as Victor Viewer is read-only")
        );
        assert_eq!(closed_reason(own.clone(), None), own);
        assert_eq!(closed_reason(None, None), None);
    }

    #[test]
    fn run_as_patterns_of_the_callers_own_roles_decide() {
        let roles = [
            role("superuser", &["*"]),
            role("helpdesk", &["vic*", "al?ce"]),
            role("dashboard_editor", &[]),
        ];
        let elastic = ["superuser".to_string()];
        assert!(may_view_as("elastic", &elastic, &roles, "victor"));
        assert!(!may_view_as("elastic", &elastic, &roles, "elastic"));
        let helpdesk = ["helpdesk".to_string()];
        assert!(may_view_as("hd", &helpdesk, &roles, "victor"));
        assert!(may_view_as("hd", &helpdesk, &roles, "alice"));
        assert!(!may_view_as("hd", &helpdesk, &roles, "bob"));
        assert!(!may_view_as("hd", &helpdesk, &roles, "alicia"));
        // A role the caller does not hold grants nothing, however wide its patterns.
        let bob = ["dashboard_editor".to_string()];
        assert!(!may_view_as("bob", &bob, &roles, "victor"));
        assert!(!may_view_as("bob", &[], &roles, "victor"));
    }

    #[test]
    fn a_view_holds_only_for_its_caller_and_user() {
        let user = serde_json::json!({
            "username": "victor", "full_name": "Victor Viewer", "roles": ["dashboard_viewer"],
            "authentication_provider": {"type": "basic", "name": "basic"},
        });
        let mut viewed = user.clone();
        viewed["run_by"] = serde_json::json!({"username": "elastic", "full_name": "Elastic"});
        let answer = me(viewed.clone());
        assert_eq!(answer.user.username, "victor");
        assert!(view_holds(&victor(), &answer));
        // The header was not honoured: the answer is nobody's run-as.
        assert!(!view_holds(&victor(), &me(user)));
        // Someone else signed in to the tab and runs as victor too.
        viewed["run_by"]["username"] = "alice".into();
        assert!(!view_holds(&victor(), &me(viewed)));
    }

    #[test]
    fn me_reads_the_user_and_the_realms_from_one_body() {
        let answer = me(serde_json::json!({
            "username": "victor", "roles": ["dashboard_viewer"], "email": "v@example.com",
            "profile_uid": "u_victor_0", "authentication_provider": {"type": "basic", "name": "basic"},
            "authentication_realm": {"name": "gatehouse", "type": "native"},
            "lookup_realm": {"name": "gatehouse", "type": "native"},
            "authentication_type": "realm", "elastic_cloud_user": false,
        }));
        assert_eq!(answer.user.roles, ["dashboard_viewer"]);
        assert_eq!(answer.user.email.as_deref(), Some("v@example.com"));
        assert_eq!(answer.user.profile_uid.as_deref(), Some("u_victor_0"));
        assert!(
            answer.user.enabled,
            "a body without `enabled` is an enabled user"
        );
        assert_eq!(answer.realms.authentication_realm, Some(Realm::gatehouse()));
        assert_eq!(answer.realms.lookup_realm, Some(Realm::gatehouse()));
        assert_eq!(answer.realms.run_by, None);
        let disabled = me(serde_json::json!({
            "username": "victor", "enabled": false,
            "authentication_provider": {"type": "basic", "name": "basic"},
        }));
        assert!(!disabled.user.enabled);
        assert!(
            serde_json::from_value::<MeAnswer>(serde_json::json!({"username": "victor"})).is_err(),
            "the provider is required, as AuthenticatedUser requires it"
        );
    }
}

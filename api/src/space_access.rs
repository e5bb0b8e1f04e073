//! Who can enter a space, and at what level (kibana#27002, #38051: Kibana cannot answer "who has
//! access to this space?"), and what a space holds before it is deleted. Gatehouse's own routes,
//! under `/internal/gatehouse/spaces/{id}`.

use serde::{Deserialize, Serialize};

use crate::access::AccessLevel;
use crate::admin::encode_path_segment;

pub const SPACES_INTERNAL_PATH: &str = "/internal/gatehouse/spaces";

/// `GET`: [`SpaceAccessReport`]; needs `read_security` (as listing users and roles does).
pub fn space_access_path(id: &str) -> String {
    format!("{SPACES_INTERNAL_PATH}/{}/access", encode_path_segment(id))
}

/// `GET`: [`SpaceContents`]; needs the privilege to manage spaces (it is for the delete
/// confirmation).
pub fn space_contents_path(id: &str) -> String {
    format!(
        "{SPACES_INTERNAL_PATH}/{}/contents",
        encode_path_segment(id)
    )
}

/// The level of a role (or a user) in one space, as the role editor names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceLevel {
    /// Every feature at `All`.
    All,
    /// Every feature at `Read`.
    Read,
    /// Feature by feature (see the feature list).
    Customize,
}

impl SpaceLevel {
    pub fn label(self) -> &'static str {
        match self {
            SpaceLevel::All => "All",
            SpaceLevel::Read => "Read",
            SpaceLevel::Customize => "Customize",
        }
    }

    /// `All` when every feature is at `All`, `Read` when every one is at `Read`, else
    /// `Customize` (no features at all counts as `Customize`: entry without any feature).
    pub fn of(levels: &[AccessLevel]) -> SpaceLevel {
        if !levels.is_empty() && levels.iter().all(|l| *l == AccessLevel::All) {
            SpaceLevel::All
        } else if !levels.is_empty() && levels.iter().all(|l| *l == AccessLevel::Read) {
            SpaceLevel::Read
        } else {
            SpaceLevel::Customize
        }
    }
}

/// One feature's level in the space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureLevel {
    pub id: String,
    pub name: String,
    pub level: AccessLevel,
    /// The space hides the feature (`disabledFeatures`): whatever the level, nobody sees it here.
    #[serde(default)]
    pub hidden: bool,
}

/// A role that lets its holders enter the space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleEntry {
    pub role: String,
    /// Built in (`superuser`, `kibana_admin`, `editor`, `viewer`).
    #[serde(default)]
    pub reserved: bool,
    pub level: SpaceLevel,
    /// Entry comes from a grant on every space (`*`).
    #[serde(default)]
    pub all_spaces: bool,
    /// Entry comes from a grant naming this space (or a pattern covering it).
    #[serde(default)]
    pub this_space: bool,
    #[serde(default)]
    pub features: Vec<FeatureLevel>,
    /// Also creates, edits and deletes spaces (the global `all` privilege).
    #[serde(default)]
    pub manages_spaces: bool,
    /// The users holding the role, by user name.
    #[serde(default)]
    pub users: Vec<String>,
}

/// A user who can enter the space, with what all their roles add up to there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberEntry {
    pub username: String,
    #[serde(default)]
    pub full_name: Option<String>,
    pub enabled: bool,
    pub level: SpaceLevel,
    #[serde(default)]
    pub features: Vec<FeatureLevel>,
    /// Their roles that let them in on their own.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// `GET /internal/gatehouse/spaces/{id}/access`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceAccessReport {
    pub space: String,
    pub name: String,
    /// Sorted by role name.
    pub roles: Vec<RoleEntry>,
    /// Sorted by user name.
    pub users: Vec<MemberEntry>,
}

/// `GET /internal/gatehouse/spaces/{id}/contents`: what deleting the space deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SpaceContents {
    pub leads: u64,
    pub dashboards: u64,
}

impl SpaceContents {
    pub fn is_empty(&self) -> bool {
        self.leads == 0 && self.dashboards == 0
    }

    /// `40 leads and 3 dashboards`, `1 dashboard`, `nothing else`.
    pub fn describe(&self) -> String {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let parts: Vec<String> = [
            (self.leads, "lead", "leads"),
            (self.dashboards, "dashboard", "dashboards"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| plural(n, one, many))
        .collect();
        if parts.is_empty() {
            "nothing else".to_string()
        } else {
            parts.join(" and ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_space_level_is_all_or_read_only_when_every_feature_agrees() {
        use AccessLevel::{All, None, Read};
        assert_eq!(SpaceLevel::of(&[All, All]), SpaceLevel::All);
        assert_eq!(SpaceLevel::of(&[Read, Read]), SpaceLevel::Read);
        assert_eq!(SpaceLevel::of(&[All, Read]), SpaceLevel::Customize);
        assert_eq!(SpaceLevel::of(&[All, None]), SpaceLevel::Customize);
        assert_eq!(SpaceLevel::of(&[]), SpaceLevel::Customize);
        assert_eq!(SpaceLevel::Customize.label(), "Customize");
    }

    #[test]
    fn contents_read_as_a_sentence() {
        let c = |leads, dashboards| SpaceContents { leads, dashboards }.describe();
        assert_eq!(c(40, 3), "40 leads and 3 dashboards");
        assert_eq!(c(0, 1), "1 dashboard");
        assert_eq!(c(1, 0), "1 lead");
        assert_eq!(c(0, 0), "nothing else");
        assert!(SpaceContents::default().is_empty());
    }

    #[test]
    fn paths_encode_the_id() {
        assert_eq!(
            space_access_path("soc-emea"),
            "/internal/gatehouse/spaces/soc-emea/access"
        );
        assert_eq!(
            space_contents_path("a b"),
            "/internal/gatehouse/spaces/a%20b/contents"
        );
    }
}

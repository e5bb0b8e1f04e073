//! Effective access and "Why?": what a user may do, which role grants it, and for every denial
//! the missing privilege, the roles that would grant it and the role to add. Kibana has neither
//! (kibana#34897, #64698, #24879); these are Gatehouse's own routes, under `/internal/gatehouse`.
//!
//! A denial is described by a [`Requirement`]. The SPA gets one either from what it was about to
//! do (the leads page knows it needs `write`) or by parsing a 403's message
//! ([`Requirement::from_denial_message`]); the server explains it for the caller
//! ([`Explanation`]). [`role_fix`] is pure, so the SPA can still show the fix when the server
//! cannot explain (a real Kibana has no explain route).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::admin::encode_path_segment;
use crate::leads::LEADS_INDEX_PATTERN;

pub const EFFECTIVE_ACCESS_PATH: &str = "/internal/gatehouse/security/effective_access";
pub const EXPLAIN_PATH: &str = "/internal/gatehouse/security/_explain";

pub fn effective_access_path(username: &str) -> String {
    format!("{EFFECTIVE_ACCESS_PATH}/{}", encode_path_segment(username))
}

/// A Kibana feature privilege level, as the role editor shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    None,
    Read,
    All,
}

impl AccessLevel {
    pub fn label(self) -> &'static str {
        match self {
            AccessLevel::None => "None",
            AccessLevel::Read => "Read",
            AccessLevel::All => "All",
        }
    }

    /// The feature privilege name that grants this level (`None` has none).
    pub fn privilege(self) -> Option<&'static str> {
        match self {
            AccessLevel::None => None,
            AccessLevel::Read => Some("read"),
            AccessLevel::All => Some("all"),
        }
    }
}

/// One thing a user may lack. Index and cluster requirements are met by any one of `privileges`
/// (Elasticsearch's "this action is granted by the … privileges [a,b]").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requirement {
    Index {
        index: String,
        privileges: Vec<String>,
    },
    Cluster {
        privileges: Vec<String>,
    },
    /// A Kibana feature at a level in a space.
    Feature {
        feature: String,
        level: AccessLevel,
        space: String,
    },
    /// A Kibana route's API tag (`this action is granted by the Kibana privileges [tag]`).
    KibanaApi {
        tag: String,
        space: String,
    },
}

impl Requirement {
    pub fn index(index: &str, privileges: &[&str]) -> Self {
        Requirement::Index {
            index: index.to_string(),
            privileges: privileges.iter().map(|p| p.to_string()).collect(),
        }
    }

    pub fn cluster(privileges: &[&str]) -> Self {
        Requirement::Cluster {
            privileges: privileges.iter().map(|p| p.to_string()).collect(),
        }
    }

    /// What the requirement is, in one sentence a user can act on.
    pub fn describe(&self) -> String {
        match self {
            Requirement::Index { index, privileges } => {
                format!("{} on {index}.", privilege_phrase("index", privileges))
            }
            Requirement::Cluster { privileges } => {
                format!("{}.", privilege_phrase("cluster", privileges))
            }
            Requirement::Feature {
                feature,
                level,
                space,
            } => format!(
                "The Kibana privilege {} on the {feature} feature in the {space} space.",
                level.label()
            ),
            Requirement::KibanaApi { tag, space } => format!(
                "A Kibana feature privilege that grants the API tag {tag} in the {space} space."
            ),
        }
    }

    /// Reads the requirement out of a 403's message, in the three wordings our server and
    /// Elasticsearch/Kibana use. `space` is where the request was made (Kibana's message omits it).
    pub fn from_denial_message(message: &str, space: &str) -> Option<Requirement> {
        if let Some(privileges) = bracketed_after(message, "granted by the index privileges [") {
            let index = bracketed_after(message, " on indices [")?;
            let index = index.split(',').next()?.trim().to_string();
            return Some(Requirement::Index {
                index,
                privileges: split_list(&privileges),
            });
        }
        if let Some(privileges) = bracketed_after(message, "granted by the cluster privileges [") {
            return Some(Requirement::Cluster {
                privileges: split_list(&privileges),
            });
        }
        if let Some(tags) = bracketed_after(message, "granted by the Kibana privileges [") {
            let tag = split_list(&tags).into_iter().next()?;
            return Some(Requirement::KibanaApi {
                tag,
                space: space.to_string(),
            });
        }
        None
    }
}

/// "The index privilege read" or "One of the index privileges index, write or all".
fn privilege_phrase(kind: &str, privileges: &[String]) -> String {
    match privileges {
        [] => format!("An {kind} privilege"),
        [one] => format!("The {kind} privilege {one}"),
        [init @ .., last] => format!("One of the {kind} privileges {} or {last}", init.join(", ")),
    }
}

/// The text between `marker` and the next `]`.
fn bracketed_after(message: &str, marker: &str) -> Option<String> {
    let start = message.find(marker)? + marker.len();
    let rest = &message[start..];
    let end = rest.find(']')?;
    Some(rest[..end].to_string())
}

fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A role that would meet a requirement, as a Dev Tools console request an administrator can
/// paste (index and cluster roles through Elasticsearch's API, Kibana privileges through Kibana's
/// role API with a `kbn:` path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleFix {
    pub role_name: String,
    pub console_request: String,
}

/// The narrowest privilege that meets an any-of list: the first one named, since Elasticsearch
/// lists the narrow ones first (`create_doc,create,index,write,all`), except that the leads index
/// is fixed with the test plan's own roles.
pub fn role_fix(requirement: &Requirement) -> RoleFix {
    match requirement {
        Requirement::Index { index, privileges } => {
            let wants_write =
                privileges.iter().any(|p| p != "read" && p != "all") || privileges.is_empty();
            let leads = index.starts_with(".entity_analytics.entity-leads-");
            let (role_name, names, granted): (String, String, Vec<String>) = if leads {
                if wants_write {
                    (
                        "leads_full_access".into(),
                        LEADS_INDEX_PATTERN.into(),
                        vec!["read".into(), "write".into(), "create_index".into()],
                    )
                } else {
                    (
                        "leads_read_only".into(),
                        LEADS_INDEX_PATTERN.into(),
                        vec!["read".into()],
                    )
                }
            } else {
                let privilege = narrowest(privileges);
                (
                    format!("{}_{privilege}", role_stem(index)),
                    index.clone(),
                    vec![privilege],
                )
            };
            console(
                &format!("POST /_security/role/{role_name}"),
                role_name.clone(),
                json!({ "indices": [{ "names": [names], "privileges": granted }] }),
            )
        }
        Requirement::Cluster { privileges } => {
            let privilege = narrowest(privileges);
            let role_name = format!("{privilege}_role");
            console(
                &format!("POST /_security/role/{role_name}"),
                role_name.clone(),
                json!({ "cluster": [privilege] }),
            )
        }
        Requirement::Feature {
            feature,
            level,
            space,
        } => {
            let privilege = level.privilege().unwrap_or("read");
            let role_name = format!("{}_{privilege}", role_stem(feature));
            console(
                &format!("PUT kbn:/api/security/role/{role_name}"),
                role_name.clone(),
                json!({ "kibana": [{ "base": [], "feature": { feature.as_str(): [privilege] }, "spaces": [space] }] }),
            )
        }
        Requirement::KibanaApi { tag, space } => {
            let (feature, privilege) = feature_for_api_tag(tag);
            let role_name = format!("{}_{privilege}", role_stem(feature));
            console(
                &format!("PUT kbn:/api/security/role/{role_name}"),
                role_name.clone(),
                json!({ "kibana": [{ "base": [], "feature": { feature: [privilege] }, "spaces": [space] }] }),
            )
        }
    }
}

fn console(request_line: &str, role_name: String, body: serde_json::Value) -> RoleFix {
    let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
    RoleFix {
        role_name,
        console_request: format!("{request_line}\n{pretty}"),
    }
}

fn narrowest(privileges: &[String]) -> String {
    privileges
        .first()
        .cloned()
        .unwrap_or_else(|| "all".to_string())
}

/// A role-name stem from an index or feature name: `.entity_analytics.entity-leads-*` →
/// `entity_analytics_entity_leads`.
fn role_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let parts: Vec<&str> = stem.split('_').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "custom".to_string()
    } else {
        parts.join("_")
    }
}

/// The feature and level whose privilege carries an API tag, for the client-side fix. The server
/// answers from its registry; this mirrors the tags the SPA's own routes are guarded by.
fn feature_for_api_tag(tag: &str) -> (&'static str, &'static str) {
    match tag {
        "securitySolution" | "securitySolution-entity-analytics" | "lists-read" => {
            ("securitySolution", "read")
        }
        "lists-all" => ("securitySolution", "all"),
        "console" => ("dev_tools", "read"),
        "bulkGetUserProfiles" | "dashboardUsageStats" => ("dashboard", "read"),
        "management" => ("management", "read"),
        _ => ("securitySolution", "read"),
    }
}

/// One of the user's roles and whether it meets the requirement on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleVerdict {
    pub role: String,
    pub grants: bool,
    /// The role name is assigned but no such role exists (it grants nothing, as in Elasticsearch).
    #[serde(default)]
    pub missing: bool,
    /// For an index requirement the role meets: the documents and fields it covers there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covers: Option<Coverage>,
}

/// `POST /internal/gatehouse/security/_explain`: a requirement explained for the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub requirement: Requirement,
    pub description: String,
    /// The caller meets it now (the denial was before a role change, or it is not a role matter).
    pub granted: bool,
    pub your_roles: Vec<RoleVerdict>,
    /// Existing roles that meet it on their own, to assign instead of creating one; `None` when
    /// the caller may not read roles (`read_security`): other roles are not theirs to see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granting_roles: Option<Vec<String>>,
    pub fix: RoleFix,
}

/// Who grants one privilege or level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantedBy {
    pub privilege: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureAccess {
    pub id: String,
    pub name: String,
    pub category: String,
    /// The primary privilege held (`minimal_all` is `All`: sub-feature privileges are in
    /// `sub_features`).
    pub level: AccessLevel,
    /// The roles that grant `level` (empty for `None`).
    pub roles: Vec<String>,
    /// Each of the feature's sub-feature privileges (none for most features).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_features: Vec<SubFeatureAccess>,
}

/// One sub-feature privilege of a feature, as the user holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubFeatureAccess {
    pub id: String,
    /// As the role editor names it (the sub-feature's name, or "sub-feature: privilege" when the
    /// sub-feature has several privileges).
    pub name: String,
    pub granted: bool,
    /// `level`'s primary privilege (`all`, `read`) includes it: holding the level without it
    /// means a customised (`minimal_*`) grant.
    pub included_in_level: bool,
}

impl FeatureAccess {
    /// The level as Kibana's role editor reads it: the primary privilege, then the sub-feature
    /// privileges that differ from what it includes ("All, without: Manage sources and document
    /// permissions"; plain "All" for `all`).
    pub fn level_text(&self) -> String {
        let names = |pick: &dyn Fn(&SubFeatureAccess) -> bool| -> Vec<&str> {
            self.sub_features
                .iter()
                .filter(|s| pick(s))
                .map(|s| s.name.as_str())
                .collect()
        };
        let without = names(&|s| s.included_in_level && !s.granted);
        let with = names(&|s| !s.included_in_level && s.granted);
        let mut text = self.level.label().to_string();
        if self.level != AccessLevel::None && !without.is_empty() {
            text.push_str(&format!(", without: {}", without.join(", ")));
        }
        if !with.is_empty() {
            text.push_str(&format!(", with: {}", with.join(", ")));
        }
        text
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpaceAccess {
    pub space: String,
    pub name: String,
    /// Holds `login:` there.
    pub can_enter: bool,
    pub features: Vec<FeatureAccess>,
}

/// Index privileges on one pattern, as the user's roles name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexAccess {
    pub pattern: String,
    pub privileges: Vec<GrantedBy>,
    /// Each role entry naming the pattern, with its privileges and what it covers.
    #[serde(default)]
    pub grants: Vec<GrantCoverage>,
}

/// A named data set the app reads and writes, checked the way its routes check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataCheck {
    pub label: String,
    pub index: String,
    pub privilege: String,
    pub granted: bool,
    pub roles: Vec<String>,
    /// Per role in `roles`, in the same order: the documents and fields it covers for this check.
    #[serde(default)]
    pub coverage: Vec<GrantCoverage>,
}

/// Which documents a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentsCovered {
    All,
    /// Those any of the queries matches.
    Matching {
        queries: Vec<CoveredQuery>,
    },
}

/// One role query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CoveredQuery {
    /// The query as the role stores it, as compact JSON.
    pub query: String,
    /// In plain words (`entity.type is host`), when the query is short and simple enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Why the server cannot use it (it predates the check at save): it lets no document through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unusable: Option<String>,
}

/// Which fields a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldsCovered {
    All,
    /// Those any of the rules grants.
    Only {
        rules: Vec<FieldRuleCovered>,
    },
}

/// One `field_security`: the `grant` patterns (`*` when the role names none) minus `except`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRuleCovered {
    pub grant: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
}

impl FieldRuleCovered {
    /// "All fields except priority", "title, entity.*", "entity.* except entity.id".
    pub fn text(&self) -> String {
        let every = self.grant.iter().any(|g| g == "*");
        let granted = if every {
            "All fields".to_string()
        } else if self.grant.is_empty() {
            "No field".to_string()
        } else {
            self.grant.join(", ")
        };
        if self.except.is_empty() || self.grant.is_empty() {
            granted
        } else {
            format!("{granted} except {}", self.except.join(", "))
        }
    }
}

/// What one grant lets its holder see: which documents and which of their fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    pub documents: DocumentsCovered,
    pub fields: FieldsCovered,
}

impl Coverage {
    pub fn is_unrestricted(&self) -> bool {
        self.documents == DocumentsCovered::All && self.fields == FieldsCovered::All
    }

    /// "All documents", the query's summary, or "Documents matching the query" when it has none.
    pub fn documents_text(&self) -> String {
        match &self.documents {
            DocumentsCovered::All => "All documents".into(),
            DocumentsCovered::Matching { queries } => {
                let each: Vec<String> = queries
                    .iter()
                    .map(|q| match (&q.unusable, &q.summary) {
                        (Some(_), _) => "no document (the query cannot be used)".to_string(),
                        (None, Some(summary)) => summary.clone(),
                        (None, None) => "the query below".to_string(),
                    })
                    .collect();
                match each.as_slice() {
                    [] => "No document".into(),
                    [one] => format!("Where {one}"),
                    many => format!("Where {}", many.join(", or where ")),
                }
            }
        }
    }

    /// "All fields", or each rule's fields (any of them counts).
    pub fn fields_text(&self) -> String {
        match &self.fields {
            FieldsCovered::All => "All fields".into(),
            FieldsCovered::Only { rules } => {
                let each: Vec<String> = rules.iter().map(FieldRuleCovered::text).collect();
                if each.is_empty() {
                    "No field".into()
                } else {
                    each.join("; or ")
                }
            }
        }
    }
}

/// One role's grant on an index pattern or for a data check, and what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantCoverage {
    pub role: String,
    /// The privileges of the role's entry (index patterns only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub privileges: Vec<String>,
    #[serde(flatten)]
    pub coverage: Coverage,
}

/// How several grants combine, said once under a table whose grants differ; `None` when there is
/// one grant or they all cover the same. The rule is the server's (docs/privileges.md,
/// "Document- and field-level security").
pub fn combination_note<'a>(
    coverages: impl IntoIterator<Item = &'a Coverage>,
) -> Option<&'static str> {
    let coverages: Vec<&Coverage> = coverages.into_iter().collect();
    let first = coverages.first()?;
    coverages.iter().any(|c| c != first).then_some(
        "These grants add up: a document is visible when any of these roles lets it through \
         (a role without a query lets every document through), and a field when any of them grants it.",
    )
}

/// `GET /internal/gatehouse/security/effective_access/{username}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveAccess {
    pub username: String,
    pub roles: Vec<RoleVerdict>,
    pub cluster: Vec<GrantedBy>,
    pub spaces: Vec<SpaceAccess>,
    pub indices: Vec<IndexAccess>,
    pub data: Vec<DataCheck>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_denials_parse_from_our_and_siem_messages() {
        let message = "security_exception: action [indices:data/write/bulk] is unauthorized for user [leads_read_user] with effective roles [kibana_admin,leads_read_only] on indices [.entity_analytics.entity-leads-default], this action is granted by the index privileges [create_doc,create,index,write,all]";
        assert_eq!(
            Requirement::from_denial_message(message, "default"),
            Some(Requirement::index(
                ".entity_analytics.entity-leads-default",
                &["create_doc", "create", "index", "write", "all"]
            ))
        );
    }

    #[test]
    fn cluster_and_kibana_denials_parse() {
        let cluster = "action [cluster:admin/xpack/security/role/put] is unauthorized for user [bob] with effective roles [viewer], this action is granted by the cluster privileges [manage_security,all]";
        assert_eq!(
            Requirement::from_denial_message(cluster, "default"),
            Some(Requirement::cluster(&["manage_security", "all"]))
        );
        let kibana = "API [GET /internal/entity_analytics/leads/privileges] is unauthorized for user, this action is granted by the Kibana privileges [securitySolution-entity-analytics]";
        assert_eq!(
            Requirement::from_denial_message(kibana, "soc"),
            Some(Requirement::KibanaApi {
                tag: "securitySolution-entity-analytics".into(),
                space: "soc".into()
            })
        );
    }

    #[test]
    fn messages_without_a_privilege_are_not_requirements() {
        assert_eq!(
            Requirement::from_denial_message("Unable to update dashboard", "default"),
            None
        );
        assert_eq!(
            Requirement::from_denial_message("granted by the index privileges [read", "default"),
            None
        );
    }

    #[test]
    fn leads_fixes_are_the_test_plan_roles() {
        let write = role_fix(&Requirement::index(LEADS_INDEX_PATTERN, &["write"]));
        assert_eq!(write.role_name, "leads_full_access");
        let (line, body) = write.console_request.split_once('\n').unwrap_or_default();
        assert_eq!(line, "POST /_security/role/leads_full_access");
        let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(body["indices"][0]["privileges"][1], "write");
        let read = role_fix(&Requirement::index(
            ".entity_analytics.entity-leads-default",
            &["read", "all"],
        ));
        assert_eq!(read.role_name, "leads_read_only");
    }

    #[test]
    fn other_fixes_grant_the_narrowest_privilege() {
        let fix = role_fix(&Requirement::index(
            "logs-*",
            &["create_doc", "write", "all"],
        ));
        assert_eq!(fix.role_name, "logs_create_doc");
        assert!(fix.console_request.contains("\"create_doc\""));
        let fix = role_fix(&Requirement::cluster(&["manage_security", "all"]));
        assert_eq!(
            fix.console_request.lines().next(),
            Some("POST /_security/role/manage_security_role")
        );
        let fix = role_fix(&Requirement::Feature {
            feature: "dashboard".into(),
            level: AccessLevel::All,
            space: "default".into(),
        });
        assert_eq!(fix.role_name, "dashboard_all");
        assert!(fix
            .console_request
            .starts_with("PUT kbn:/api/security/role/dashboard_all\n"));
        let body: serde_json::Value = fix
            .console_request
            .split_once('\n')
            .and_then(|(_, b)| serde_json::from_str(b).ok())
            .unwrap_or_default();
        assert_eq!(body["kibana"][0]["feature"]["dashboard"][0], "all");
        assert_eq!(body["kibana"][0]["spaces"][0], "default");
    }

    #[test]
    fn descriptions_read_as_sentences() {
        assert_eq!(
            Requirement::index("logs-*", &["index", "write", "all"]).describe(),
            "One of the index privileges index, write or all on logs-*."
        );
        assert_eq!(
            Requirement::cluster(&["manage_security"]).describe(),
            "The cluster privilege manage_security."
        );
    }

    fn search_feature(level: AccessLevel, manage: bool) -> FeatureAccess {
        FeatureAccess {
            id: "workplaceSearch".into(),
            name: "Search".into(),
            category: "Search".into(),
            level,
            roles: vec!["r".into()],
            sub_features: vec![SubFeatureAccess {
                id: "manage_sources".into(),
                name: "Manage sources and document permissions".into(),
                granted: manage,
                included_in_level: level == AccessLevel::All,
            }],
        }
    }

    #[test]
    fn a_customised_level_names_the_sub_features_it_lacks_or_adds() {
        for (level, manage, text) in [
            (AccessLevel::All, true, "All"),
            (
                AccessLevel::All,
                false,
                "All, without: Manage sources and document permissions",
            ),
            (AccessLevel::Read, false, "Read"),
            (
                AccessLevel::Read,
                true,
                "Read, with: Manage sources and document permissions",
            ),
            (AccessLevel::None, false, "None"),
        ] {
            assert_eq!(
                search_feature(level, manage).level_text(),
                text,
                "{level:?}, manage_sources {manage}"
            );
        }
    }

    fn hosts_without_priority() -> Coverage {
        Coverage {
            documents: DocumentsCovered::Matching {
                queries: vec![CoveredQuery {
                    query: r#"{"term":{"entity.type":"host"}}"#.into(),
                    summary: Some("entity.type is host".into()),
                    unusable: None,
                }],
            },
            fields: FieldsCovered::Only {
                rules: vec![FieldRuleCovered {
                    grant: vec!["*".into()],
                    except: vec!["priority".into()],
                }],
            },
        }
    }

    #[test]
    fn coverage_reads_as_documents_and_fields() {
        let restricted = hosts_without_priority();
        assert_eq!(restricted.documents_text(), "Where entity.type is host");
        assert_eq!(restricted.fields_text(), "All fields except priority");
        assert!(!restricted.is_unrestricted());
        let only = FieldRuleCovered {
            grant: vec!["title".into(), "entity.*".into()],
            except: vec!["entity.id".into()],
        };
        assert_eq!(only.text(), "title, entity.* except entity.id");
        let unusable = Coverage {
            documents: DocumentsCovered::Matching {
                queries: vec![CoveredQuery {
                    query: r#"{"nested":{}}"#.into(),
                    summary: None,
                    unusable: Some("[nested] is not supported".into()),
                }],
            },
            fields: FieldsCovered::All,
        };
        assert_eq!(
            unusable.documents_text(),
            "Where no document (the query cannot be used)"
        );
        // The wire shape: tagged by `kind`, flattened into the grant.
        let grant = GrantCoverage {
            role: "hosts".into(),
            privileges: vec![],
            coverage: restricted,
        };
        let wire = serde_json::to_value(&grant).unwrap_or_default();
        assert_eq!(wire["documents"]["kind"], "matching");
        assert_eq!(wire["fields"]["rules"][0]["except"][0], "priority");
        assert!(wire.get("privileges").is_none());
        assert_eq!(
            serde_json::from_value::<GrantCoverage>(wire).ok(),
            Some(grant)
        );
    }

    #[test]
    fn differing_grants_get_the_combination_note() {
        let all = Coverage {
            documents: DocumentsCovered::All,
            fields: FieldsCovered::All,
        };
        let hosts = hosts_without_priority();
        assert_eq!(combination_note([&hosts]), None);
        assert_eq!(combination_note([&hosts, &hosts.clone()]), None);
        assert!(combination_note([&hosts, &all]).is_some_and(|n| n.contains("any of these roles")));
        assert_eq!(combination_note(std::iter::empty()), None);
    }

    #[test]
    fn requirements_round_trip_as_tagged_json() {
        let requirement = Requirement::Feature {
            feature: "dev_tools".into(),
            level: AccessLevel::Read,
            space: "default".into(),
        };
        let text = serde_json::to_string(&requirement).unwrap_or_default();
        assert!(text.contains(r#""kind":"feature""#));
        assert!(text.contains(r#""level":"read""#));
        assert_eq!(
            serde_json::from_str::<Requirement>(&text).ok(),
            Some(requirement)
        );
    }
}

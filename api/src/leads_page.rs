//! The leads page's own decisions (docs/leads.md "The leads page"): the one callout listing every
//! privilege the page lacks. Pure, so the SPA renders what these say and the native tests pin it.

pub mod carried;
pub mod connector_gate;
pub mod what_changed;

use crate::access::{AccessLevel, Requirement};
use crate::leads::{hidden_requirement, leads_requirement, LeadsAccess, Privilege};

/// A part of the leads page a privilege opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PagePart {
    /// The list of leads, their status and what changed.
    ReadLeads,
    /// Generate, dismiss and choosing the connector.
    WriteLeads,
    /// The connector list (Kibana's actions API).
    Connectors,
    /// A lead's related runbooks (the Search app).
    RelatedRunbooks,
}

impl PagePart {
    /// The callout line's stable name (`data-testid` suffix).
    pub fn key(self) -> &'static str {
        match self {
            PagePart::ReadLeads => "read",
            PagePart::WriteLeads => "write",
            PagePart::Connectors => "connectors",
            PagePart::RelatedRunbooks => "runbooks",
        }
    }

    /// What the user cannot do, as the line's start.
    pub fn consequence(self) -> &'static str {
        match self {
            PagePart::ReadLeads => "Hunting leads are hidden.",
            PagePart::WriteLeads => {
                "You cannot generate or dismiss leads, or choose the connector."
            }
            PagePart::Connectors => "The connector list is hidden.",
            PagePart::RelatedRunbooks => "A lead's related runbooks are hidden.",
        }
    }

    /// The "Why?" dialog's title.
    pub fn why_title(self) -> &'static str {
        match self {
            PagePart::ReadLeads => "Why can't I see hunting leads?",
            PagePart::WriteLeads => "Why can't I generate leads?",
            PagePart::Connectors => "Why can't I see the connectors?",
            PagePart::RelatedRunbooks => "Why can't I see related runbooks?",
        }
    }
}

/// One line of the page's privileges callout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPrivilege {
    pub part: PagePart,
    /// What is missing, as the server named it when it could (for "Why?").
    pub requirement: Requirement,
}

impl MissingPrivilege {
    /// What the roles lack, in words: the index privilege and the index or pattern the server
    /// named, or the Kibana privilege.
    pub fn missing_text(&self) -> String {
        match &self.requirement {
            Requirement::Index { index, privileges } => {
                // `write` is how users and our other texts name what `index`, `write` or
                // `all` grant (`missing_privilege_text`).
                let privilege = match self.part {
                    PagePart::WriteLeads => "write",
                    _ => privileges.first().map(String::as_str).unwrap_or("read"),
                };
                format!("Your roles do not grant the {privilege} privilege on {index}.")
            }
            Requirement::KibanaApi { tag, space } => {
                format!("Your roles do not grant the Kibana privilege {tag} in the {space} space.")
            }
            Requirement::Feature { feature, level, space } => format!(
                "Your roles do not grant the {} privilege on the {feature} feature in the {space} space.",
                level.label().to_ascii_lowercase()
            ),
            other => other.describe(),
        }
    }
}

/// The callout's line above its list: whether something is hidden, so "hidden for privileges" is
/// never read as "no data".
pub fn callout_intro(lines: &[MissingPrivilege]) -> &'static str {
    if lines.iter().any(|line| line.part == PagePart::ReadLeads) {
        "Hidden because of your roles, not because there is nothing to show:"
    } else {
        "Closed because of your roles:"
    }
}

/// What the page knows about the caller's privileges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAccessFacts<'a> {
    pub access: LeadsAccess,
    /// The message of the 403 that hid the leads, if one did.
    pub read_denial: Option<&'a str>,
    /// `/privileges` said `write` is missing (known even when `read` is missing too).
    pub write_missing: bool,
    /// The message of the 403 the connector list got, if it got one.
    pub connectors_denial: Option<&'a str>,
    /// Whether the Search app is open to the caller (its nav link).
    pub search_app: bool,
    pub space: &'a str,
}

/// Every privilege the page lacks, one line each, in the page's order; empty while the leads
/// privileges are not known yet. A Kibana feature privilege that hid the leads is the only leads
/// line: without it no leads route answers, so the index privileges cannot be known.
pub fn missing_privileges(facts: &PageAccessFacts) -> Vec<MissingPrivilege> {
    let mut lines = Vec::new();
    let line = |part, requirement| MissingPrivilege { part, requirement };
    match facts.access {
        LeadsAccess::Loading => return lines,
        LeadsAccess::Hidden => {
            let requirement = hidden_requirement(facts.read_denial, facts.space);
            let by_feature = matches!(requirement, Requirement::KibanaApi { .. });
            lines.push(line(PagePart::ReadLeads, requirement));
            if facts.write_missing && !by_feature {
                lines.push(line(
                    PagePart::WriteLeads,
                    leads_requirement(Privilege::Write),
                ));
            }
        }
        LeadsAccess::ReadOnly => {
            lines.push(line(
                PagePart::WriteLeads,
                leads_requirement(Privilege::Write),
            ));
        }
        LeadsAccess::Full => {}
    }
    if let Some(message) = facts.connectors_denial {
        let requirement = Requirement::from_denial_message(message, facts.space).unwrap_or(
            Requirement::Feature {
                feature: "actions".into(),
                level: AccessLevel::Read,
                space: facts.space.to_string(),
            },
        );
        lines.push(line(PagePart::Connectors, requirement));
    }
    if !facts.search_app {
        lines.push(line(
            PagePart::RelatedRunbooks,
            Requirement::Feature {
                feature: "search".into(),
                level: AccessLevel::Read,
                space: facts.space.to_string(),
            },
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(access: LeadsAccess) -> PageAccessFacts<'static> {
        PageAccessFacts {
            access,
            read_denial: None,
            write_missing: access != LeadsAccess::Full,
            connectors_denial: None,
            search_app: true,
            space: "default",
        }
    }

    fn parts(lines: &[MissingPrivilege]) -> Vec<PagePart> {
        lines.iter().map(|l| l.part).collect()
    }

    #[test]
    fn a_full_user_with_every_app_lacks_nothing() {
        assert!(missing_privileges(&facts(LeadsAccess::Full)).is_empty());
        assert!(missing_privileges(&facts(LeadsAccess::Loading)).is_empty());
    }

    #[test]
    fn a_read_only_user_lacks_write_on_the_leads_pattern() {
        let lines = missing_privileges(&facts(LeadsAccess::ReadOnly));
        assert_eq!(parts(&lines), [PagePart::WriteLeads]);
        assert_eq!(
            lines[0].missing_text(),
            "Your roles do not grant the write privilege on .entity_analytics.entity-leads-*."
        );
    }

    #[test]
    fn a_user_without_access_lacks_read_and_write_one_line_each() {
        let lines = missing_privileges(&facts(LeadsAccess::Hidden));
        assert_eq!(parts(&lines), [PagePart::ReadLeads, PagePart::WriteLeads]);
        assert_eq!(
            lines[0].missing_text(),
            "Your roles do not grant the read privilege on .entity_analytics.entity-leads-*."
        );
    }

    #[test]
    fn a_feature_privilege_refusal_is_named_as_such_and_alone_for_the_leads() {
        let message = "API [GET /internal/entity_analytics/leads/privileges] is unauthorized for user, this action is granted by the Kibana privileges [securitySolution-entity-analytics]";
        let lines = missing_privileges(&PageAccessFacts {
            read_denial: Some(message),
            ..facts(LeadsAccess::Hidden)
        });
        assert_eq!(parts(&lines), [PagePart::ReadLeads]);
        assert_eq!(
            lines[0].missing_text(),
            "Your roles do not grant the Kibana privilege securitySolution-entity-analytics in the default space."
        );
    }

    #[test]
    fn an_index_refusal_names_the_index_the_server_named() {
        let message = "security_exception: action [indices:data/read/search] is unauthorized for user [bob] with effective roles [kibana_admin] on indices [.entity_analytics.entity-leads-soc], this action is granted by the index privileges [read,all]";
        let lines = missing_privileges(&PageAccessFacts {
            read_denial: Some(message),
            write_missing: false,
            ..facts(LeadsAccess::Hidden)
        });
        assert_eq!(parts(&lines), [PagePart::ReadLeads]);
        assert_eq!(
            lines[0].missing_text(),
            "Your roles do not grant the read privilege on .entity_analytics.entity-leads-soc."
        );
    }

    #[test]
    fn other_features_the_page_uses_get_their_own_lines() {
        let message = "API [GET /api/actions/connectors] is unauthorized for user, this action is granted by the Kibana privileges [actions:read]";
        let lines = missing_privileges(&PageAccessFacts {
            connectors_denial: Some(message),
            search_app: false,
            ..facts(LeadsAccess::Full)
        });
        assert_eq!(
            parts(&lines),
            [PagePart::Connectors, PagePart::RelatedRunbooks]
        );
        assert_eq!(
            lines[0].missing_text(),
            "Your roles do not grant the Kibana privilege actions:read in the default space."
        );
        assert_eq!(
            lines[1].missing_text(),
            "Your roles do not grant the read privilege on the search feature in the default space."
        );
        // A refusal in no known wording still gets a line.
        let lines = missing_privileges(&PageAccessFacts {
            connectors_denial: Some("Forbidden"),
            ..facts(LeadsAccess::Full)
        });
        assert_eq!(parts(&lines), [PagePart::Connectors]);
    }
}

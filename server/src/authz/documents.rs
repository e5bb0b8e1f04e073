//! Document- and field-level security (docs/privileges.md, "Document- and field-level
//! security"): which documents of an index, and which of their fields, a subject's index grants
//! let it see for an action.
//!
//! As in Elasticsearch, only the grants that allow the action on the index count. A document is
//! visible when any of them lets it through (a grant without `query` lets every document
//! through); a field is visible when any of them grants it (a grant without `field_security`
//! grants every field). A stored query that cannot be used (it predates the check at save)
//! lets nothing through.

use gatehouse_api::admin::{FieldSecurity, IndexPrivileges};
use gatehouse_api::doc_query::{self, DocQuery, Schema};
use serde_json::Value;

use super::*;

/// The leads index of every space: the indices whose role queries are checked at save and
/// applied on read.
pub const SERVED_INDEX_PATTERNS: &[&str] = &[gatehouse_api::leads::LEADS_INDEX_PATTERN];

/// Which documents pass.
#[derive(Debug, Clone, PartialEq)]
pub enum DocumentFilter {
    All,
    /// Those matching any of the queries (none: no document).
    AnyOf(Vec<DocQuery>),
}

/// One grant's `field_security`, with `grant` defaulting to every field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRule {
    pub grant: Vec<String>,
    pub except: Vec<String>,
}

impl FieldRule {
    fn from(security: &FieldSecurity) -> Self {
        FieldRule {
            grant: security.grant.clone().unwrap_or_else(|| vec!["*".into()]),
            except: security.except.clone().unwrap_or_default(),
        }
    }

    fn allows(&self, path: &str) -> bool {
        self.grant.iter().any(|p| wildcard_match(p, path))
            && !self.except.iter().any(|p| wildcard_match(p, path))
    }
}

/// Which fields pass.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldFilter {
    All,
    /// Those any rule allows.
    AnyOf(Vec<FieldRule>),
}

/// What a subject may see of an index for one action.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentAccess {
    pub documents: DocumentFilter,
    pub fields: FieldFilter,
    /// A stable text of the grants that shaped this access (`None` when nothing is filtered), so
    /// answers built for one access can be kept and reused for the same one.
    pub key: Option<String>,
}

/// The fields every reader gets whatever its field security: the document's id, as
/// Elasticsearch always answers `_id`.
pub const ALWAYS_VISIBLE_FIELDS: &[&str] = &["id"];

impl DocumentAccess {
    pub fn is_unrestricted(&self) -> bool {
        self.documents == DocumentFilter::All && self.fields == FieldFilter::All
    }

    /// Does every field pass (no field security narrows it)?
    pub fn sees_every_field(&self) -> bool {
        self.fields == FieldFilter::All
    }

    /// Can which documents pass change with time alone? Yes when a query tests `staleness`,
    /// which a lead's age decides at read time.
    pub fn changes_with_time(&self) -> bool {
        match &self.documents {
            DocumentFilter::All => false,
            DocumentFilter::AnyOf(queries) => queries.iter().any(|q| q.mentions("staleness")),
        }
    }

    /// The top-level fields of a document (`entity` for `entity.type`) that some query looks at:
    /// all a reader needs to decide whether a document passes.
    pub fn fields_tested(&self, schema: Schema) -> Vec<&'static str> {
        let DocumentFilter::AnyOf(queries) = &self.documents else {
            return Vec::new();
        };
        let mut tested: Vec<&'static str> = schema
            .iter()
            .filter(|(path, _)| queries.iter().any(|q| q.mentions(path)))
            .map(|(path, _)| path.split('.').next().unwrap_or(path))
            .collect();
        tested.sort_unstable();
        tested.dedup();
        tested
    }

    /// Is the document (its wire JSON) visible?
    pub fn sees(&self, doc: &Value) -> bool {
        match &self.documents {
            DocumentFilter::All => true,
            DocumentFilter::AnyOf(queries) => queries.iter().any(|q| q.matches(doc)),
        }
    }

    /// Is the field at dotted `path` visible?
    pub fn sees_field(&self, path: &str) -> bool {
        match &self.fields {
            FieldFilter::All => true,
            FieldFilter::AnyOf(rules) => {
                ALWAYS_VISIBLE_FIELDS.contains(&path) || rules.iter().any(|r| r.allows(path))
            }
        }
    }

    /// Removes the fields that are not visible (absent, not null). An object keeps the fields
    /// visible under it, and goes when none is; array elements are kept in place.
    pub fn project(&self, doc: &mut Value) {
        if self.fields == FieldFilter::All {
            return;
        }
        if let Value::Object(map) = doc {
            map.retain(|key, value| self.keep(key, value));
        }
    }

    fn keep(&self, path: &str, value: &mut Value) -> bool {
        match value {
            Value::Object(map) => {
                map.retain(|key, inner| self.keep(&format!("{path}.{key}"), inner));
                !map.is_empty() || self.sees_field(path)
            }
            Value::Array(items) if items.iter().any(Value::is_object) => {
                for item in items.iter_mut() {
                    if let Value::Object(map) = item {
                        map.retain(|key, inner| self.keep(&format!("{path}.{key}"), inner));
                    }
                }
                items.retain(|item| !matches!(item, Value::Object(m) if m.is_empty()));
                !items.is_empty() || self.sees_field(path)
            }
            _ => self.sees_field(path),
        }
    }
}

/// Does this grant allow `action` on `index`?
fn grants_action(grant: &IndexPrivileges, index: &str, action: IndexAction) -> bool {
    grant.privileges.iter().any(|held| {
        action
            .granted_by()
            .iter()
            .any(|p| index_privilege_implies(held, p))
    }) && grant
        .names
        .iter()
        .any(|name| grant_name_covers(name, index))
}

/// One kind of rule (`rule`) of the grants that apply: `None` when one such grant has none,
/// which means no limit of that kind; else every grant's rule (none at all without a grant).
fn rules_of<'g, R>(
    grants: &[&'g IndexPrivileges],
    rule: impl Fn(&'g IndexPrivileges) -> Option<R>,
) -> Option<Vec<R>> {
    grants.iter().map(|g| rule(g)).collect()
}

/// What `subject` may see of `index` for `action`, its queries read against `schema`. A subject
/// with no grant for the action sees nothing (the route refuses it before asking).
pub fn document_access(
    subject: &Subject,
    index: &str,
    action: IndexAction,
    schema: Schema,
) -> DocumentAccess {
    let grants: Vec<&IndexPrivileges> = subject
        .roles
        .iter()
        .flat_map(|role| &role.indices)
        .filter(|grant| grants_action(grant, index, action))
        .collect();
    let documents =
        rules_of(&grants, |g| g.query.as_deref()).map_or(DocumentFilter::All, |queries| {
            DocumentFilter::AnyOf(
                queries
                    .into_iter()
                    .map(|text| {
                        doc_query::parse_role_query(&Value::from(text), schema)
                            .unwrap_or(DocQuery::MatchNone)
                    })
                    .collect(),
            )
        });
    let fields = rules_of(&grants, |g| g.field_security.as_ref())
        .map_or(FieldFilter::All, |rules| {
            FieldFilter::AnyOf(rules.into_iter().map(FieldRule::from).collect())
        });
    let mut access = DocumentAccess {
        documents,
        fields,
        key: None,
    };
    if !access.is_unrestricted() {
        let mut parts: Vec<String> = grants
            .iter()
            .map(|g| {
                let query = match access.documents {
                    DocumentFilter::All => "",
                    _ => g.query.as_deref().unwrap_or(""),
                };
                let fields = match access.fields {
                    FieldFilter::All => String::new(),
                    _ => serde_json::to_string(&g.field_security).unwrap_or_default(),
                };
                format!("{query}\u{1f}{fields}")
            })
            .collect();
        parts.sort();
        parts.dedup();
        access.key = Some(parts.join("\u{1e}"));
    }
    access
}

/// Why a role cannot be stored: a `query` on an index the server serves that uses a clause or
/// field outside the supported subset. `None` when every such query is usable; queries on other
/// indices are not looked at.
pub fn unusable_role_query(indices: &[IndexPrivileges], schema: Schema) -> Option<(usize, String)> {
    indices
        .iter()
        .enumerate()
        .find_map(|(i, grant)| unusable_grant_query(grant, schema).map(|message| (i, message)))
}

/// [`unusable_role_query`] for one grant: why its `query` cannot be stored, if it cannot.
pub fn unusable_grant_query(grant: &IndexPrivileges, schema: Schema) -> Option<String> {
    let query = grant.query.as_deref()?;
    let served = grant.names.iter().any(|name| {
        SERVED_INDEX_PATTERNS
            .iter()
            .any(|served| patterns_overlap(name, served))
    });
    if !served {
        return None;
    }
    doc_query::parse_role_query(&Value::from(query), schema)
        .err()
        .map(|e| e.message)
}

/// Could an index be named by both patterns? Sound in the direction that matters here: when in
/// doubt it says yes, so a query is checked rather than stored unchecked.
fn patterns_overlap(a: &str, b: &str) -> bool {
    if a == NON_DOT_INDICES || b == NON_DOT_INDICES {
        return false;
    }
    let wild = |p: &str| p.contains(['*', '?']);
    match (wild(a), wild(b)) {
        (false, _) => wildcard_match(b, a),
        (_, false) => wildcard_match(a, b),
        (true, true) => {
            // Two patterns overlap only if their literal starts agree.
            let start =
                |p: &str| -> String { p.chars().take_while(|c| *c != '*' && *c != '?').collect() };
            let (sa, sb) = (start(a), start(b));
            sa.starts_with(&sb) || sb.starts_with(&sa)
        }
    }
}

#[cfg(test)]
#[path = "documents_tests.rs"]
mod tests;

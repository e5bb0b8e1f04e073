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

    /// Does this rule allow every field below `path` (`path.` and anything after)? Conservative:
    /// `false` may be wrong, `true` never is. A grant covers them when it is a literal prefix of
    /// `path.` and then `*`; no except may match any of them, judged by its literal start.
    fn allows_all_below(&self, path: &str) -> bool {
        let below = |pattern: &str| {
            pattern.strip_suffix('*').is_some_and(|prefix| {
                !prefix.contains(['*', '?']) && is_prefix_of_below(prefix, path)
            })
        };
        let may_reach_below = |pattern: &str| {
            let literal = pattern.split(['*', '?']).next().unwrap_or_default();
            // `literal` starts `path.`, or `path.` starts with `literal`: it may match below.
            literal.len() > path.len()
                && literal.starts_with(path)
                && literal.as_bytes()[path.len()] == b'.'
                || is_prefix_of_below(literal, path)
        };
        self.grant.iter().any(|p| below(p)) && !self.except.iter().any(|p| may_reach_below(p))
    }
}

/// Is `prefix` a prefix of `{path}.`?
fn is_prefix_of_below(prefix: &str, path: &str) -> bool {
    match prefix.len().cmp(&path.len()) {
        std::cmp::Ordering::Less | std::cmp::Ordering::Equal => path.starts_with(prefix),
        std::cmp::Ordering::Greater => {
            prefix.len() == path.len() + 1 && prefix.starts_with(path) && prefix.ends_with('.')
        }
    }
}

/// Would projection remove something inside `value` whose every field is visible? Only the
/// empty objects inside arrays, which it drops (see `DocumentAccess::keep`).
fn holds_empty_object_in_array(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.values().any(holds_empty_object_in_array),
        Value::Array(items) => items.iter().any(|item| {
            matches!(item, Value::Object(m) if m.is_empty()) || holds_empty_object_in_array(item)
        }),
        _ => false,
    }
}

/// Could the JSON text hold an empty object (`{` then `}`, maybe with blanks between)? Strings
/// are not told apart: a `true` that is wrong only costs [`DocumentAccess::project_json`] a
/// parse, where [`DocumentAccess::keep`] drops empty objects inside arrays.
fn may_hold_empty_object(json: &str) -> bool {
    let bytes = json.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'{'
            && bytes[i + 1..]
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|&c| c == b'}')
    })
}

/// A JSON object's top-level fields in order, each value as its text, unparsed: what field
/// security copies whole, and what a restricted read picks the tested fields out of.
pub(crate) fn top_level_fields(
    json: &str,
) -> serde_json::Result<Vec<(Key<'_>, &serde_json::value::RawValue)>> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let fields = serde::Deserializer::deserialize_map(&mut deserializer, TopLevel)?;
    deserializer.end()?;
    Ok(fields)
}

struct TopLevel;

impl<'de> serde::de::Visitor<'de> for TopLevel {
    type Value = Vec<(Key<'de>, &'de serde_json::value::RawValue)>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::with_capacity(16);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            fields.push((key, map.next_value()?));
        }
        Ok(fields)
    }
}

/// A field name: borrowed from the text when it has no escapes (then its JSON is `"` + it + `"`).
pub(crate) enum Key<'de> {
    Plain(&'de str),
    Unescaped(String),
}

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Key::Plain(key) => key,
            Key::Unescaped(key) => key,
        }
    }

    fn push_json(&self, out: &mut String) -> serde_json::Result<()> {
        match self {
            Key::Plain(key) => {
                out.push('"');
                out.push_str(key);
                out.push('"');
            }
            Key::Unescaped(key) => out.push_str(&serde_json::to_string(key)?),
        }
        Ok(())
    }
}

struct KeySeed;

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Plain(key))
    }

    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key::Unescaped(key.to_string()))
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
    /// visible under it, and goes when none is; array elements are kept in place. Readers get
    /// [`Self::project_json`]; this is what its tests hold it to.
    #[cfg(test)]
    pub fn project(&self, doc: &mut Value) {
        if self.fields == FieldFilter::All {
            return;
        }
        if let Value::Object(map) = doc {
            map.retain(|key, value| self.keep(key, value));
        }
    }

    /// [`Self::project`] on a document's JSON text, appended to `out`: the same document as
    /// parsing, projecting and writing it, but a top-level value that passes whole (most of a
    /// lead, for a reader without a few fields) is copied as it stands, not parsed.
    pub fn project_json(&self, json: &str, out: &mut String) -> anyhow::Result<()> {
        let FieldFilter::AnyOf(rules) = &self.fields else {
            out.push_str(json);
            return Ok(());
        };
        let fields = top_level_fields(json)?;
        out.push('{');
        let mut first = true;
        for (key, raw) in fields {
            let text = raw.get();
            let path = key.as_str();
            // A value with no object in it passes or goes whole, by its own name ([`Self::keep`]).
            let holds_objects =
                text.starts_with('{') || (text.starts_with('[') && text.contains('{'));
            let whole = if holds_objects {
                !may_hold_empty_object(text)
                    && rules
                        .iter()
                        .any(|r| r.allows(path) && r.allows_all_below(path))
            } else if self.sees_field(path) {
                true
            } else {
                continue;
            };
            let kept = if whole {
                std::borrow::Cow::Borrowed(text)
            } else {
                let mut value: Value = serde_json::from_str(text)?;
                if !self.keep(path, &mut value) {
                    continue;
                }
                std::borrow::Cow::Owned(serde_json::to_string(&value)?)
            };
            if !first {
                out.push(',');
            }
            first = false;
            key.push_json(out)?;
            out.push(':');
            out.push_str(&kept);
        }
        out.push('}');
        Ok(())
    }

    fn keep(&self, path: &str, value: &mut Value) -> bool {
        // Most of a lead is below fields a rule allows whole: keep those without visiting each
        // leaf (the find of a field-restricted reader projects every lead of its page).
        if matches!(value, Value::Object(m) if !m.is_empty())
            || matches!(value, Value::Array(items) if items.iter().any(Value::is_object))
        {
            if let FieldFilter::AnyOf(rules) = &self.fields {
                if rules
                    .iter()
                    .any(|r| r.allows(path) && r.allows_all_below(path))
                    && !holds_empty_object_in_array(value)
                {
                    return true;
                }
            }
        }
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

/// The subject's index entries that count for any of `privileges` on `index`: those naming the
/// index with a privilege that implies one of them. Authorization and Effective access both pick
/// a subject's grants with this.
pub fn counting_grants<'a>(
    subject: &'a Subject,
    index: &str,
    privileges: &[&str],
) -> Vec<&'a IndexPrivileges> {
    subject
        .roles
        .iter()
        .flat_map(|role| &role.indices)
        .filter(|grant| {
            grant
                .privileges
                .iter()
                .any(|held| privileges.iter().any(|p| index_privilege_implies(held, p)))
                && grant
                    .names
                    .iter()
                    .any(|name| grant_name_covers(name, index))
        })
        .collect()
}

/// A grant's `query` read against `schema`: `None` when it has none, an error when it cannot be
/// used (such a query lets no document through).
pub fn grant_query(
    grant: &IndexPrivileges,
    schema: Schema,
) -> Option<Result<DocQuery, doc_query::QueryError>> {
    let text = grant.query.as_deref()?;
    Some(doc_query::parse_role_query(&Value::from(text), schema))
}

/// What `subject` may see of `index` for `action`, its queries read against `schema`. A subject
/// with no grant for the action sees nothing (the route refuses it before asking).
pub fn document_access(
    subject: &Subject,
    index: &str,
    action: IndexAction,
    schema: Schema,
) -> DocumentAccess {
    access_of_grants(
        &counting_grants(subject, index, action.granted_by()),
        schema,
    )
}

/// Grants add up (the rule at the top of this file): one grant without a restriction lifts it
/// (`None`); otherwise each grant's restriction, any of which lets through (no grant: nothing).
fn restrictions_of<T>(
    grants: &[&IndexPrivileges],
    restriction: impl Fn(&IndexPrivileges) -> Option<T>,
) -> Option<Vec<T>> {
    grants.iter().map(|&g| restriction(g)).collect()
}

/// What a set of counting grants lets through together (the rule at the top of this file).
pub fn access_of_grants(grants: &[&IndexPrivileges], schema: Schema) -> DocumentAccess {
    let documents = restrictions_of(grants, |g| {
        grant_query(g, schema).map(|parsed| parsed.unwrap_or(DocQuery::MatchNone))
    })
    .map_or(DocumentFilter::All, DocumentFilter::AnyOf);
    let fields = restrictions_of(grants, |g| g.field_security.as_ref().map(FieldRule::from))
        .map_or(FieldFilter::All, FieldFilter::AnyOf);
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
    grant.query.as_ref()?;
    if !grant.names.iter().any(|name| is_served(name)) {
        return None;
    }
    grant_query(grant, schema)?.err().map(|e| e.message)
}

/// May the index pattern name an index the server serves (where role queries are checked and
/// applied)?
pub fn is_served(pattern: &str) -> bool {
    SERVED_INDEX_PATTERNS
        .iter()
        .any(|served| patterns_overlap(pattern, served))
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

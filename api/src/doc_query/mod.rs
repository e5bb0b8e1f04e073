//! Document-level security: the subset of Elasticsearch's query DSL a role's `query` may use on
//! the indices the server holds (docs/privileges.md, "Document- and field-level security"),
//! parsed into a typed [`DocQuery`] and evaluated against a document's JSON. Pure: the server
//! filters leads with it, the SPA can check a role's query with the same code.
//!
//! Supported: `match_all`, `match_none`, `term`, `terms`, `match`, `match_phrase`, `prefix`,
//! `wildcard`, `range`, `exists`, `ids` and `bool` (`must`, `filter`, `should`, `must_not`,
//! `minimum_should_match`). Anything else is refused with an error naming the clause.

use serde_json::Value;

mod dates;
mod describe;

pub use dates::date_millis_of;
pub use describe::{describe, MAX_SUMMARY_CHARS};

/// How a field is indexed, which decides what `term`, `match` and `range` compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Compared whole (`term`, `prefix`, `wildcard` on the exact value).
    Keyword,
    /// Analyzed: lower-cased words split on anything not a letter or digit.
    Text,
    Number,
    /// RFC 3339 text or epoch milliseconds.
    Date,
}

/// The fields of a document type, by wire name (dotted paths into its JSON).
pub type Schema = &'static [(&'static str, FieldKind)];

/// A lead's fields by their wire names (`gatehouse_api::leads::Lead`).
pub const LEAD_FIELDS: Schema = &[
    ("id", FieldKind::Keyword),
    ("title", FieldKind::Text),
    ("byline", FieldKind::Text),
    ("description", FieldKind::Text),
    ("entity.type", FieldKind::Keyword),
    ("entity.name", FieldKind::Keyword),
    ("entity.id", FieldKind::Keyword),
    ("tags", FieldKind::Keyword),
    ("priority", FieldKind::Number),
    ("chatRecommendations", FieldKind::Text),
    ("timestamp", FieldKind::Date),
    ("staleness", FieldKind::Keyword),
    ("status", FieldKind::Keyword),
    ("observations.entityId", FieldKind::Keyword),
    ("observations.moduleId", FieldKind::Keyword),
    ("observations.type", FieldKind::Keyword),
    ("observations.score", FieldKind::Number),
    ("observations.severity", FieldKind::Keyword),
    ("observations.confidence", FieldKind::Number),
    ("observations.description", FieldKind::Text),
    ("executionUuid", FieldKind::Keyword),
    ("sourceType", FieldKind::Keyword),
];

/// The clauses a role's query may use, in the order the docs list them.
pub const SUPPORTED_CLAUSES: &[&str] = &[
    "term",
    "terms",
    "match",
    "match_phrase",
    "prefix",
    "wildcard",
    "range",
    "exists",
    "bool",
    "match_all",
    "match_none",
    "ids",
];

/// Deepest nesting of `bool` clauses taken, and most clauses in one query: real roles use a few.
pub const MAX_DEPTH: usize = 16;
pub const MAX_CLAUSES: usize = 256;

/// Why a role's query cannot be used: the clause (or parameter) that is not supported, and a text
/// that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The clause the problem is in (`nested`, `term`, `bool`…).
    pub clause: String,
    pub message: String,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn error(clause: &str, message: impl Into<String>) -> QueryError {
    QueryError {
        clause: clause.to_string(),
        message: message.into(),
    }
}

/// A field of the schema, resolved at parse time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub path: &'static str,
    pub kind: FieldKind,
}

/// `minimum_should_match` as written: a count or a percentage, either negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinimumShouldMatch {
    Count(i64),
    Percent(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum DocQuery {
    MatchAll,
    MatchNone,
    Term {
        field: Field,
        value: Value,
        case_insensitive: bool,
    },
    Terms {
        field: Field,
        values: Vec<Value>,
    },
    Match {
        field: Field,
        query: Value,
        all_words: bool,
    },
    MatchPhrase {
        field: Field,
        query: String,
    },
    Prefix {
        field: Field,
        value: String,
        case_insensitive: bool,
    },
    Wildcard {
        field: Field,
        pattern: String,
        case_insensitive: bool,
    },
    Range {
        field: Field,
        gt: Option<Value>,
        gte: Option<Value>,
        lt: Option<Value>,
        lte: Option<Value>,
    },
    Exists {
        field: Field,
    },
    Ids(Vec<String>),
    Bool {
        must: Vec<DocQuery>,
        filter: Vec<DocQuery>,
        should: Vec<DocQuery>,
        must_not: Vec<DocQuery>,
        minimum_should_match: Option<MinimumShouldMatch>,
    },
}

/// A role's `query` as Elasticsearch keeps it: a JSON object, or a string holding one.
pub fn parse_role_query(query: &Value, schema: Schema) -> Result<DocQuery, QueryError> {
    match query {
        Value::String(text) => {
            let value: Value = serde_json::from_str(text)
                .map_err(|e| error("query", format!("the role query is not JSON: {e}")))?;
            parse_query(&value, schema)
        }
        other => parse_query(other, schema),
    }
}

/// Parses a query object (`{"term": {...}}`).
pub fn parse_query(query: &Value, schema: Schema) -> Result<DocQuery, QueryError> {
    let mut parser = Parser { schema, clauses: 0 };
    parser.clause(query, 0)
}

struct Parser {
    schema: Schema,
    clauses: usize,
}

fn single_entry<'a>(value: &'a Value, clause: &str) -> Result<(&'a str, &'a Value), QueryError> {
    let map = value
        .as_object()
        .ok_or_else(|| error(clause, format!("[{clause}] must be an object")))?;
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((key, inner)), None) => Ok((key.as_str(), inner)),
        (None, _) => Err(error(clause, format!("[{clause}] is empty"))),
        (Some(_), Some(_)) => Err(error(
            clause,
            format!("[{clause}] takes one field, this one has {}", map.len()),
        )),
    }
}

/// The one field of `{"field": x}` (a `boost` or `_name` beside it is ignored).
fn field_entry<'a>(value: &'a Value, clause: &str) -> Result<(&'a str, &'a Value), QueryError> {
    let map = value
        .as_object()
        .ok_or_else(|| error(clause, format!("[{clause}] must be an object")))?;
    let mut field = None;
    for (key, inner) in map {
        if key == "boost" || key == "_name" {
            continue;
        }
        if field.is_some() {
            return Err(error(
                clause,
                format!("[{clause}] takes one field, this one names [{key}] too"),
            ));
        }
        field = Some((key.as_str(), inner));
    }
    field.ok_or_else(|| error(clause, format!("[{clause}] names no field")))
}

/// The parameters of `{"field": {"value": …, "boost": …}}`, refusing the ones not taken.
fn params<'a>(
    value: &'a Value,
    clause: &str,
    allowed: &[&str],
) -> Result<Vec<(&'a str, &'a Value)>, QueryError> {
    let Some(map) = value.as_object() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (key, inner) in map {
        if key == "boost" || key == "_name" {
            continue;
        }
        if !allowed.contains(&key.as_str()) {
            return Err(error(
                clause,
                format!("unsupported parameter [{key}] in [{clause}]"),
            ));
        }
        out.push((key.as_str(), inner));
    }
    Ok(out)
}

fn scalar(value: &Value, clause: &str) -> Result<Value, QueryError> {
    match value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(value.clone()),
        _ => Err(error(
            clause,
            format!("[{clause}] takes a string, number or boolean"),
        )),
    }
}

fn text(value: &Value, clause: &str) -> Result<String, QueryError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(error(clause, format!("[{clause}] takes a string"))),
    }
}

fn flag(value: &Value, clause: &str, name: &str) -> Result<bool, QueryError> {
    value.as_bool().ok_or_else(|| {
        error(
            clause,
            format!("[{name}] in [{clause}] takes true or false"),
        )
    })
}

impl Parser {
    fn field(&self, name: &str, clause: &str) -> Result<Field, QueryError> {
        self.schema
            .iter()
            .find(|(path, _)| *path == name)
            .map(|&(path, kind)| Field { path, kind })
            .ok_or_else(|| {
                error(
                    clause,
                    format!(
                        "unknown field [{name}] in [{clause}]: a role's query may name {}",
                        {
                            self.schema
                                .iter()
                                .map(|(p, _)| *p)
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ),
                )
            })
    }

    fn clause(&mut self, query: &Value, depth: usize) -> Result<DocQuery, QueryError> {
        self.clauses += 1;
        if self.clauses > MAX_CLAUSES {
            return Err(error(
                "query",
                format!("a role's query may have at most {MAX_CLAUSES} clauses"),
            ));
        }
        if depth > MAX_DEPTH {
            return Err(error(
                "bool",
                format!("a role's query may nest at most {MAX_DEPTH} clauses deep"),
            ));
        }
        let (name, body) = single_entry(query, "query")?;
        match name {
            "match_all" | "match_none" => {
                params(body, name, &[])?;
                Ok(if name == "match_all" {
                    DocQuery::MatchAll
                } else {
                    DocQuery::MatchNone
                })
            }
            "term" => {
                let (field, inner) = field_entry(body, name)?;
                let field = self.field(field, name)?;
                let (value, case_insensitive) = match inner {
                    Value::Object(_) => {
                        let mut value = None;
                        let mut ci = false;
                        for (key, v) in params(inner, name, &["value", "case_insensitive"])? {
                            match key {
                                "value" => value = Some(scalar(v, name)?),
                                _ => ci = flag(v, name, key)?,
                            }
                        }
                        (
                            value.ok_or_else(|| error(name, "[term] needs a [value]"))?,
                            ci,
                        )
                    }
                    other => (scalar(other, name)?, false),
                };
                Ok(DocQuery::Term {
                    field,
                    value,
                    case_insensitive,
                })
            }
            "terms" => {
                let (field, inner) = field_entry(body, name)?;
                let field = self.field(field, name)?;
                let values = inner
                    .as_array()
                    .ok_or_else(|| {
                        error(
                            name,
                            "[terms] takes an array of values (lookups are not supported)",
                        )
                    })?
                    .iter()
                    .map(|v| scalar(v, name))
                    .collect::<Result<_, _>>()?;
                Ok(DocQuery::Terms { field, values })
            }
            "match" => {
                let (field, inner) = field_entry(body, name)?;
                let field = self.field(field, name)?;
                let (query, all_words) = match inner {
                    Value::Object(_) => {
                        let mut query = None;
                        let mut all_words = false;
                        for (key, v) in params(inner, name, &["query", "operator"])? {
                            match key {
                                "query" => query = Some(scalar(v, name)?),
                                _ => {
                                    all_words = match v.as_str().map(str::to_ascii_lowercase) {
                                        Some(op) if op == "and" => true,
                                        Some(op) if op == "or" => false,
                                        _ => {
                                            return Err(error(
                                                name,
                                                "[operator] in [match] is [and] or [or]",
                                            ))
                                        }
                                    }
                                }
                            }
                        }
                        (
                            query.ok_or_else(|| error(name, "[match] needs a [query]"))?,
                            all_words,
                        )
                    }
                    other => (scalar(other, name)?, false),
                };
                Ok(DocQuery::Match {
                    field,
                    query,
                    all_words,
                })
            }
            "match_phrase" => {
                let (field, inner) = field_entry(body, name)?;
                let field = self.field(field, name)?;
                let query = match inner {
                    Value::Object(_) => {
                        let mut query = None;
                        for (_, v) in params(inner, name, &["query"])? {
                            query = Some(text(v, name)?);
                        }
                        query.ok_or_else(|| error(name, "[match_phrase] needs a [query]"))?
                    }
                    other => text(other, name)?,
                };
                Ok(DocQuery::MatchPhrase { field, query })
            }
            "prefix" | "wildcard" => {
                let (field, inner) = field_entry(body, name)?;
                let field = self.field(field, name)?;
                if matches!(field.kind, FieldKind::Number | FieldKind::Date) {
                    return Err(error(
                        name,
                        format!(
                            "[{name}] is not supported on the non-text field [{}]",
                            field.path
                        ),
                    ));
                }
                let key = "value";
                let (value, case_insensitive) = match inner {
                    Value::Object(_) => {
                        let mut value = None;
                        let mut ci = false;
                        let allowed: &[&str] = if name == "wildcard" {
                            &[key, "wildcard", "case_insensitive"]
                        } else {
                            &[key, "case_insensitive"]
                        };
                        for (k, v) in params(inner, name, allowed)? {
                            match k {
                                "case_insensitive" => ci = flag(v, name, k)?,
                                _ => value = Some(text(v, name)?),
                            }
                        }
                        (
                            value
                                .ok_or_else(|| error(name, format!("[{name}] needs a [value]")))?,
                            ci,
                        )
                    }
                    other => (text(other, name)?, false),
                };
                Ok(if name == "prefix" {
                    DocQuery::Prefix {
                        field,
                        value,
                        case_insensitive,
                    }
                } else {
                    DocQuery::Wildcard {
                        field,
                        pattern: value,
                        case_insensitive,
                    }
                })
            }
            "range" => {
                let (field, inner) = field_entry(body, name)?;
                let field = self.field(field, name)?;
                if field.kind == FieldKind::Text {
                    return Err(error(
                        name,
                        format!(
                            "[range] is not supported on the text field [{}]",
                            field.path
                        ),
                    ));
                }
                if !inner.is_object() {
                    return Err(error(name, "[range] takes an object of bounds"));
                }
                let (mut gt, mut gte, mut lt, mut lte) = (None, None, None, None);
                for (key, v) in params(inner, name, &["gt", "gte", "lt", "lte"])? {
                    if v.is_null() {
                        continue;
                    }
                    let bound = self.bound(&field, v)?;
                    match key {
                        "gt" => gt = Some(bound),
                        "gte" => gte = Some(bound),
                        "lt" => lt = Some(bound),
                        _ => lte = Some(bound),
                    }
                }
                Ok(DocQuery::Range {
                    field,
                    gt,
                    gte,
                    lt,
                    lte,
                })
            }
            "exists" => {
                let mut field = None;
                for (_, v) in params(body, name, &["field"])? {
                    let name_text = v
                        .as_str()
                        .ok_or_else(|| error(name, "[exists] takes a field name"))?;
                    field = Some(self.field(name_text, name)?);
                }
                Ok(DocQuery::Exists {
                    field: field.ok_or_else(|| error(name, "[exists] needs a [field]"))?,
                })
            }
            "ids" => {
                let mut ids = Vec::new();
                for (_, v) in params(body, name, &["values"])? {
                    let list = v
                        .as_array()
                        .ok_or_else(|| error(name, "[values] in [ids] is an array"))?;
                    for id in list {
                        ids.push(text(id, name)?);
                    }
                }
                Ok(DocQuery::Ids(ids))
            }
            "bool" => {
                let mut lists: [Vec<DocQuery>; 4] = Default::default();
                let mut minimum_should_match = None;
                let keys = [
                    "must",
                    "filter",
                    "should",
                    "must_not",
                    "minimum_should_match",
                ];
                for (key, v) in params(body, name, &keys)? {
                    if key == "minimum_should_match" {
                        minimum_should_match = Some(parse_minimum_should_match(v)?);
                        continue;
                    }
                    let at = keys.iter().position(|k| *k == key).unwrap_or(0);
                    let items: Vec<&Value> = match v {
                        Value::Array(items) => items.iter().collect(),
                        single => vec![single],
                    };
                    for item in items {
                        let parsed = self.clause(item, depth + 1)?;
                        lists[at].push(parsed);
                    }
                }
                let [must, filter, should, must_not] = lists;
                Ok(DocQuery::Bool {
                    must,
                    filter,
                    should,
                    must_not,
                    minimum_should_match,
                })
            }
            other => Err(error(
                other,
                format!(
                    "unsupported query clause [{other}]: a role's query on this index may use {}",
                    SUPPORTED_CLAUSES.join(", ")
                ),
            )),
        }
    }

    fn bound(&self, field: &Field, value: &Value) -> Result<Value, QueryError> {
        let ok = match field.kind {
            FieldKind::Number => number_of(value).is_some(),
            FieldKind::Date => date_millis_of(value).is_some(),
            FieldKind::Keyword | FieldKind::Text => value.is_string() || value.is_number(),
        };
        if ok {
            Ok(value.clone())
        } else {
            Err(error(
                "range",
                format!(
                    "[range] bound {value} does not fit the field [{}] (dates are RFC 3339 or epoch milliseconds; date math is not supported)",
                    field.path
                ),
            ))
        }
    }
}

fn parse_minimum_should_match(value: &Value) -> Result<MinimumShouldMatch, QueryError> {
    let bad = || {
        error(
            "bool",
            "[minimum_should_match] is a count or a percentage (\"2\", \"-1\", \"75%\")",
        )
    };
    match value {
        Value::Number(n) => n.as_i64().map(MinimumShouldMatch::Count).ok_or_else(bad),
        Value::String(s) => {
            let s = s.trim();
            match s.strip_suffix('%') {
                Some(p) => p
                    .trim()
                    .parse()
                    .map(MinimumShouldMatch::Percent)
                    .map_err(|_| bad()),
                None => s.parse().map(MinimumShouldMatch::Count).map_err(|_| bad()),
            }
        }
        _ => Err(bad()),
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/// The values at a dotted `path` of `doc`, arrays flattened (`observations.score` of every
/// observation), nulls left out.
pub fn values_at<'a>(doc: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![doc];
    for part in path.split('.') {
        let mut next = Vec::new();
        for value in current {
            collect(value.get(part), &mut next);
        }
        current = next;
    }
    current
}

fn collect<'a>(value: Option<&'a Value>, out: &mut Vec<&'a Value>) {
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                collect(Some(item), out);
            }
        }
        Some(v) => out.push(v),
    }
}

/// Words as the standard analyzer makes them, near enough: split on anything that is not a
/// letter or digit, lower-cased.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Does `pattern` (`*` any run, `?` one character) name all of `text`?
pub fn wildcard_matches(pattern: &str, text: &str) -> bool {
    // Field security asks this for every field of every lead a restricted reader gets: field
    // names are ASCII, where a byte is a character and nothing need be collected.
    if pattern.is_ascii() && text.is_ascii() {
        return matches_glob(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches_glob(&p, &t, '*', '?')
}

fn matches_glob<C: Copy + PartialEq>(p: &[C], t: &[C], any_run: C, one: C) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == one || (p[pi] != any_run && p[pi] == t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == any_run {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == any_run)
}

/// The terms a field's value is indexed as: the whole value for keywords, its words for text.
fn terms_of(field: &Field, value: &Value) -> Vec<String> {
    match (field.kind, as_text(value)) {
        (FieldKind::Text, Some(t)) => words(&t),
        (_, Some(t)) => vec![t],
        (_, None) => Vec::new(),
    }
}

fn equals(field: &Field, stored: &Value, wanted: &Value, case_insensitive: bool) -> bool {
    match field.kind {
        FieldKind::Number => match (number_of(stored), number_of(wanted)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        FieldKind::Date => match (date_millis_of(stored), date_millis_of(wanted)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        FieldKind::Keyword | FieldKind::Text => {
            let Some(wanted) = as_text(wanted) else {
                return false;
            };
            terms_of(field, stored).iter().any(|term| {
                if case_insensitive {
                    term.to_lowercase() == wanted.to_lowercase()
                } else {
                    *term == wanted
                }
            })
        }
    }
}

fn compare(field: &Field, stored: &Value, bound: &Value) -> Option<std::cmp::Ordering> {
    match field.kind {
        FieldKind::Number => number_of(stored)?.partial_cmp(&number_of(bound)?),
        FieldKind::Date => Some(date_millis_of(stored)?.cmp(&date_millis_of(bound)?)),
        FieldKind::Keyword | FieldKind::Text => Some(as_text(stored)?.cmp(&as_text(bound)?)),
    }
}

impl MinimumShouldMatch {
    /// How many of `clauses` should clauses must match (Elasticsearch's rounding: down).
    pub fn required(self, clauses: usize) -> usize {
        let n = clauses as i64;
        let wanted = match self {
            MinimumShouldMatch::Count(c) if c < 0 => n + c,
            MinimumShouldMatch::Count(c) => c,
            MinimumShouldMatch::Percent(p) if p < 0 => n - (n * -p) / 100,
            MinimumShouldMatch::Percent(p) => (n * p) / 100,
        };
        wanted.clamp(0, n) as usize
    }
}

impl DocQuery {
    /// Does the query look at the field `path` (`ids` looks at `id`)?
    pub fn mentions(&self, path: &str) -> bool {
        match self {
            DocQuery::MatchAll | DocQuery::MatchNone => false,
            DocQuery::Ids(_) => path == "id",
            DocQuery::Term { field, .. }
            | DocQuery::Terms { field, .. }
            | DocQuery::Match { field, .. }
            | DocQuery::MatchPhrase { field, .. }
            | DocQuery::Prefix { field, .. }
            | DocQuery::Wildcard { field, .. }
            | DocQuery::Range { field, .. }
            | DocQuery::Exists { field } => field.path == path,
            DocQuery::Bool {
                must,
                filter,
                should,
                must_not,
                ..
            } => must
                .iter()
                .chain(filter)
                .chain(should)
                .chain(must_not)
                .any(|q| q.mentions(path)),
        }
    }

    /// Does the document (its wire JSON, as the reader would get it) match?
    pub fn matches(&self, doc: &Value) -> bool {
        match self {
            DocQuery::MatchAll => true,
            DocQuery::MatchNone => false,
            DocQuery::Term {
                field,
                value,
                case_insensitive,
            } => values_at(doc, field.path)
                .iter()
                .any(|v| equals(field, v, value, *case_insensitive)),
            DocQuery::Terms { field, values } => values_at(doc, field.path)
                .iter()
                .any(|v| values.iter().any(|w| equals(field, v, w, false))),
            DocQuery::Match {
                field,
                query,
                all_words,
            } => {
                let stored = values_at(doc, field.path);
                if field.kind != FieldKind::Text {
                    return stored.iter().any(|v| equals(field, v, query, false));
                }
                let wanted = as_text(query).map(|q| words(&q)).unwrap_or_default();
                if wanted.is_empty() {
                    return false;
                }
                let have: Vec<String> = stored.iter().flat_map(|v| terms_of(field, v)).collect();
                let found = |w: &String| have.contains(w);
                if *all_words {
                    wanted.iter().all(found)
                } else {
                    wanted.iter().any(found)
                }
            }
            DocQuery::MatchPhrase { field, query } => {
                let stored = values_at(doc, field.path);
                if field.kind != FieldKind::Text {
                    return stored
                        .iter()
                        .any(|v| equals(field, v, &Value::from(query.as_str()), false));
                }
                let phrase = words(query);
                if phrase.is_empty() {
                    return false;
                }
                stored.iter().any(|v| {
                    terms_of(field, v)
                        .windows(phrase.len())
                        .any(|window| window == phrase.as_slice())
                })
            }
            DocQuery::Prefix {
                field,
                value,
                case_insensitive,
            } => values_at(doc, field.path).iter().any(|v| {
                terms_of(field, v).iter().any(|term| {
                    if *case_insensitive {
                        term.to_lowercase().starts_with(&value.to_lowercase())
                    } else {
                        term.starts_with(value.as_str())
                    }
                })
            }),
            DocQuery::Wildcard {
                field,
                pattern,
                case_insensitive,
            } => values_at(doc, field.path).iter().any(|v| {
                terms_of(field, v).iter().any(|term| {
                    if *case_insensitive {
                        wildcard_matches(&pattern.to_lowercase(), &term.to_lowercase())
                    } else {
                        wildcard_matches(pattern, term)
                    }
                })
            }),
            DocQuery::Range {
                field,
                gt,
                gte,
                lt,
                lte,
            } => values_at(doc, field.path).iter().any(|v| {
                use std::cmp::Ordering::*;
                let within = |bound: &Option<Value>, ok: &[std::cmp::Ordering]| {
                    bound
                        .as_ref()
                        .is_none_or(|b| compare(field, v, b).is_some_and(|o| ok.contains(&o)))
                };
                within(gt, &[Greater])
                    && within(gte, &[Greater, Equal])
                    && within(lt, &[Less])
                    && within(lte, &[Less, Equal])
            }),
            DocQuery::Exists { field } => !values_at(doc, field.path).is_empty(),
            DocQuery::Ids(ids) => values_at(doc, "id")
                .iter()
                .any(|v| v.as_str().is_some_and(|id| ids.iter().any(|i| i == id))),
            DocQuery::Bool {
                must,
                filter,
                should,
                must_not,
                minimum_should_match,
            } => {
                if !must.iter().chain(filter).all(|q| q.matches(doc)) {
                    return false;
                }
                if must_not.iter().any(|q| q.matches(doc)) {
                    return false;
                }
                let required = match minimum_should_match {
                    Some(m) => m.required(should.len()),
                    None if must.is_empty() && filter.is_empty() && !should.is_empty() => 1,
                    None => 0,
                };
                required == 0 || should.iter().filter(|q| q.matches(doc)).count() >= required
            }
        }
    }
}

#[cfg(test)]
mod tests;

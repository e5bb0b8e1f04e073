//! A role query in plain words (`entity.type is host`), for Effective access and "Why?"
//! (docs/effective-access.md). Only where the DSL makes it easy: a query whose summary would be
//! longer than a sentence has none, and the page shows its JSON alone.

use serde_json::Value;

use super::{words, DocQuery, FieldKind, MinimumShouldMatch};

/// Longest summary given: past this a reader is better served by the JSON.
pub const MAX_SUMMARY_CHARS: usize = 200;

/// `query` in plain words, or `None` when it would not fit in [`MAX_SUMMARY_CHARS`].
pub fn describe(query: &DocQuery) -> Option<String> {
    let text = phrase(query).text;
    (text.chars().count() <= MAX_SUMMARY_CHARS).then_some(text)
}

/// A described clause, and whether it joins parts with `and`/`or` (so it needs parentheses
/// inside another).
struct Phrase {
    text: String,
    compound: bool,
}

fn simple(text: String) -> Phrase {
    Phrase {
        text,
        compound: false,
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn list(values: impl IntoIterator<Item = String>) -> String {
    values.into_iter().collect::<Vec<_>>().join(", ")
}

fn phrase(query: &DocQuery) -> Phrase {
    match query {
        DocQuery::MatchAll => simple("every document".into()),
        DocQuery::MatchNone => simple("no document".into()),
        DocQuery::Term {
            field,
            value,
            case_insensitive,
        } => simple(format!(
            "{} is {}{}",
            field.path,
            value_text(value),
            if *case_insensitive { " (any case)" } else { "" }
        )),
        DocQuery::Terms { field, values } => simple(match values.as_slice() {
            [] => "no document".into(),
            [one] => format!("{} is {}", field.path, value_text(one)),
            many => format!(
                "{} is one of {}",
                field.path,
                list(many.iter().map(value_text))
            ),
        }),
        DocQuery::Match {
            field,
            query,
            all_words,
        } => {
            let wanted = value_text(query);
            if field.kind != FieldKind::Text {
                return simple(format!("{} is {wanted}", field.path));
            }
            let wanted = words(&wanted);
            simple(match wanted.as_slice() {
                [] => "no document".into(),
                [one] => format!("{} has the word {one}", field.path),
                many if *all_words => format!(
                    "{} has all the words {}",
                    field.path,
                    list(many.iter().cloned())
                ),
                many => format!(
                    "{} has any of the words {}",
                    field.path,
                    list(many.iter().cloned())
                ),
            })
        }
        DocQuery::MatchPhrase { field, query } => simple(if field.kind == FieldKind::Text {
            format!("{} has the phrase \"{query}\"", field.path)
        } else {
            format!("{} is {query}", field.path)
        }),
        DocQuery::Prefix {
            field,
            value,
            case_insensitive,
        } => simple(format!(
            "{} starts with {value}{}",
            field.path,
            if *case_insensitive { " (any case)" } else { "" }
        )),
        DocQuery::Wildcard {
            field,
            pattern,
            case_insensitive,
        } => simple(format!(
            "{} matches {pattern}{}",
            field.path,
            if *case_insensitive { " (any case)" } else { "" }
        )),
        DocQuery::Range {
            field,
            gt,
            gte,
            lt,
            lte,
        } => {
            let words: [&str; 4] = if field.kind == FieldKind::Date {
                ["after", "on or after", "before", "on or before"]
            } else {
                ["above", "at least", "below", "at most"]
            };
            let bounds: Vec<String> = [gt, gte, lt, lte]
                .into_iter()
                .zip(words)
                .filter_map(|(bound, word)| {
                    bound.as_ref().map(|b| format!("{word} {}", value_text(b)))
                })
                .collect();
            simple(if bounds.is_empty() {
                format!("{} is present", field.path)
            } else {
                format!("{} is {}", field.path, bounds.join(" and "))
            })
        }
        DocQuery::Exists { field } => simple(format!("{} is present", field.path)),
        DocQuery::Ids(ids) => simple(match ids.as_slice() {
            [] => "no document".into(),
            [one] => format!("id is {one}"),
            many => format!("id is one of {}", list(many.iter().cloned())),
        }),
        DocQuery::Bool {
            must,
            filter,
            should,
            must_not,
            minimum_should_match,
        } => boolean(must, filter, should, must_not, *minimum_should_match),
    }
}

/// `bool` as the evaluator reads it (`DocQuery::matches`): every `must`/`filter`, no `must_not`,
/// and as many `should` as `minimum_should_match` asks (one when nothing else is required, none
/// otherwise).
fn boolean(
    must: &[DocQuery],
    filter: &[DocQuery],
    should: &[DocQuery],
    must_not: &[DocQuery],
    minimum_should_match: Option<MinimumShouldMatch>,
) -> Phrase {
    let nested = |q: &DocQuery| {
        let p = phrase(q);
        if p.compound {
            format!("({})", p.text)
        } else {
            p.text
        }
    };
    let mut parts: Vec<String> = must
        .iter()
        .chain(filter)
        .filter(|q| **q != DocQuery::MatchAll)
        .map(nested)
        .collect();
    let required = match minimum_should_match {
        Some(m) => m.required(should.len()),
        None if must.is_empty() && filter.is_empty() && !should.is_empty() => 1,
        None => 0,
    };
    if required > 0 {
        let options: Vec<String> = should.iter().map(nested).collect();
        if required == options.len() {
            parts.extend(options);
        } else if options.len() == 1 || required == 1 {
            let either = options.join(" or ");
            if parts.is_empty() && must_not.is_empty() {
                return Phrase {
                    compound: options.len() > 1,
                    text: either,
                };
            }
            parts.push(if options.len() > 1 {
                format!("({either})")
            } else {
                either
            });
        } else {
            parts.push(format!("at least {required} of ({})", options.join("; ")));
        }
    }
    parts.extend(must_not.iter().map(|q| format!("not ({})", phrase(q).text)));
    match parts.len() {
        0 => simple("every document".into()),
        1 => simple(parts.remove(0)),
        _ => Phrase {
            text: parts.join(" and "),
            compound: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{parse_query, LEAD_FIELDS};
    use super::*;

    fn said(query: Value) -> Option<String> {
        let parsed = parse_query(&query, LEAD_FIELDS).unwrap_or_else(|e| panic!("{query}: {e}"));
        describe(&parsed)
    }

    fn says(query: Value) -> String {
        said(query.clone()).unwrap_or_else(|| panic!("{query} has a summary"))
    }

    #[test]
    fn leaf_clauses_read_as_field_and_condition() {
        assert_eq!(
            says(json!({"term": {"entity.type": "host"}})),
            "entity.type is host"
        );
        assert_eq!(
            says(json!({"terms": {"status": ["active", "dismissed"]}})),
            "status is one of active, dismissed"
        );
        assert_eq!(
            says(json!({"range": {"priority": {"gte": 5, "lt": 9}}})),
            "priority is at least 5 and below 9"
        );
        assert_eq!(
            says(json!({"range": {"timestamp": {"gte": "2026-01-01"}}})),
            "timestamp is on or after 2026-01-01"
        );
        assert_eq!(
            says(json!({"match": {"title": {"query": "PowerShell web", "operator": "and"}}})),
            "title has all the words powershell, web"
        );
        assert_eq!(
            says(json!({"prefix": {"entity.name": "web-"}})),
            "entity.name starts with web-"
        );
        assert_eq!(
            says(json!({"exists": {"field": "tags"}})),
            "tags is present"
        );
        assert_eq!(
            says(json!({"ids": {"values": ["a", "b"]}})),
            "id is one of a, b"
        );
        assert_eq!(says(json!({"match_all": {}})), "every document");
    }

    #[test]
    fn bool_reads_as_the_evaluator_decides() {
        assert_eq!(
            says(
                json!({"bool": {"filter": [{"term": {"entity.type": "host"}}],
                "must_not": [{"term": {"status": "dismissed"}}]}})
            ),
            "entity.type is host and not (status is dismissed)"
        );
        // `should` alone: one of them is enough.
        assert_eq!(
            says(
                json!({"bool": {"should": [{"term": {"entity.type": "host"}},
                {"term": {"entity.type": "user"}}]}})
            ),
            "entity.type is host or entity.type is user"
        );
        // Next to a `filter` and without `minimum_should_match`, `should` does not filter at all.
        assert_eq!(
            says(json!({"bool": {"filter": {"term": {"entity.type": "host"}},
                "should": {"term": {"tags": "powershell"}}}})),
            "entity.type is host"
        );
        assert_eq!(
            says(
                json!({"bool": {"must": {"exists": {"field": "priority"}}, "minimum_should_match": 1,
                "should": [{"term": {"tags": "a"}}, {"term": {"tags": "b"}}]}})
            ),
            "priority is present and (tags is a or tags is b)"
        );
        assert_eq!(
            says(
                json!({"bool": {"minimum_should_match": 2, "should": [{"term": {"tags": "a"}},
                {"term": {"tags": "b"}}, {"term": {"tags": "c"}}]}})
            ),
            "at least 2 of (tags is a; tags is b; tags is c)"
        );
        assert_eq!(
            says(
                json!({"bool": {"must_not": {"bool": {"should": [{"term": {"tags": "a"}},
                {"term": {"tags": "b"}}]}}}})
            ),
            "not (tags is a or tags is b)"
        );
    }

    #[test]
    fn a_query_too_long_for_a_sentence_has_no_summary() {
        let many: Vec<String> = (0..40).map(|i| format!("host-{i:03}")).collect();
        assert_eq!(said(json!({"terms": {"entity.name": many}})), None);
    }
}

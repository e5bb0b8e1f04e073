use serde_json::json;

use super::*;

fn q(query: Value) -> DocQuery {
    parse_query(&query, LEAD_FIELDS).unwrap_or_else(|e| panic!("{query} parses: {e}"))
}

fn refused(query: Value) -> QueryError {
    parse_query(&query, LEAD_FIELDS).expect_err("refused")
}

fn host() -> Value {
    json!({
        "id": "lead-1", "title": "Suspicious PowerShell on web-01", "byline": "3 observations",
        "description": "Encoded commands ran twice.",
        "entity": {"type": "host", "name": "web-01", "id": "host:web-01"},
        "tags": ["Lateral Movement", "powershell"], "priority": 8,
        "chatRecommendations": ["Check the parent process"],
        "timestamp": "2026-12-05T10:00:00.000Z", "staleness": "fresh", "status": "active",
        "observations": [
            {"entityId": "host:web-01", "moduleId": "risk", "type": "risk_score", "score": 92.5,
             "severity": "high", "confidence": 0.9, "description": "Risk score 92", "metadata": {}},
            {"entityId": "host:web-01", "moduleId": "alerts", "type": "alert", "score": 40.0,
             "severity": "low", "confidence": 0.5, "description": "One alert", "metadata": {}}
        ],
        "executionUuid": "run-1", "sourceType": "adhoc"
    })
}

fn user() -> Value {
    let mut doc = host();
    doc["id"] = json!("lead-2");
    doc["entity"] = json!({"type": "user", "name": "bob"});
    doc["priority"] = json!(3);
    doc["tags"] = json!([]);
    doc["status"] = json!("dismissed");
    doc["timestamp"] = json!("2026-11-01T00:00:00Z");
    doc
}

fn sees(query: Value) -> (bool, bool) {
    let parsed = q(query);
    (parsed.matches(&host()), parsed.matches(&user()))
}

#[test]
fn term_and_terms_compare_keywords_whole_and_numbers_as_numbers() {
    assert_eq!(
        sees(json!({"term": {"entity.type": "host"}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"term": {"entity.type": {"value": "HOST", "case_insensitive": true}}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"term": {"entity.type": "HOST"}})),
        (false, false)
    );
    assert_eq!(sees(json!({"term": {"priority": 8}})), (true, false));
    assert_eq!(sees(json!({"term": {"priority": "3"}})), (false, true));
    assert_eq!(
        sees(json!({"terms": {"entity.name": ["bob", "web-01"]}})),
        (true, true)
    );
    assert_eq!(
        sees(json!({"terms": {"tags": ["powershell"]}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"term": {"observations.severity": "low"}})),
        (true, true),
        "any element of an array"
    );
    assert_eq!(
        sees(json!({"term": {"title": "powershell"}})),
        (true, true),
        "a term on text is compared with its lower-cased words"
    );
    assert_eq!(
        sees(json!({"term": {"title": "PowerShell"}})),
        (false, false)
    );
}

#[test]
fn match_and_match_phrase_use_words_on_text_and_whole_values_on_keywords() {
    assert_eq!(
        sees(json!({"match": {"description": "ENCODED scripts"}})),
        (true, true)
    );
    assert_eq!(
        sees(json!({"match": {"description": {"query": "encoded scripts", "operator": "and"}}})),
        (false, false)
    );
    assert_eq!(
        sees(json!({"match": {"entity.name": "web-01"}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"match": {"entity.name": "web"}})),
        (false, false)
    );
    assert_eq!(
        sees(json!({"match_phrase": {"title": "powershell on web"}})),
        (true, true)
    );
    assert_eq!(
        sees(json!({"match_phrase": {"title": "on powershell"}})),
        (false, false)
    );
    assert_eq!(
        sees(json!({"match_phrase": {"tags": {"query": "Lateral Movement"}}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"match": {"description": "  "}})),
        (false, false)
    );
}

#[test]
fn prefix_wildcard_range_exists_and_ids() {
    assert_eq!(
        sees(json!({"prefix": {"entity.id": "host:"}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"prefix": {"entity.name": {"value": "WEB", "case_insensitive": true}}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"wildcard": {"entity.name": "w?b-*"}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"wildcard": {"entity.name": {"value": "b*"}}})),
        (false, true)
    );
    assert_eq!(
        sees(json!({"range": {"priority": {"gte": 5}}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"range": {"priority": {"gt": 3, "lte": 8}}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"range": {"priority": {"lt": "8"}}})),
        (false, true)
    );
    assert_eq!(
        sees(json!({"range": {"timestamp": {"gte": "2026-12-01"}}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"range": {"timestamp": {"lt": "2026-12-05T11:00:00+01:00"}}})),
        (false, true),
        "10:00Z is not before 11:00+01:00"
    );
    assert_eq!(
        sees(json!({"range": {"timestamp": {"lte": 1_780_000_000_000_i64}}})),
        (false, false)
    );
    assert_eq!(
        sees(json!({"exists": {"field": "entity.id"}})),
        (true, false)
    );
    assert_eq!(
        sees(json!({"exists": {"field": "tags"}})),
        (true, false),
        "[] is no value"
    );
    assert_eq!(
        sees(json!({"ids": {"values": ["lead-2", "x"]}})),
        (false, true)
    );
}

#[test]
fn bool_combines_as_elasticsearch_does() {
    assert_eq!(sees(json!({"match_all": {}})), (true, true));
    assert_eq!(sees(json!({"match_none": {}})), (false, false));
    assert_eq!(
        sees(json!({"bool": {"must": {"term": {"status": "active"}},
                             "must_not": [{"term": {"entity.type": "user"}}]}})),
        (true, false)
    );
    assert_eq!(
        sees(
            json!({"bool": {"should": [{"term": {"entity.type": "user"}},
                                        {"term": {"priority": 8}}]}})
        ),
        (true, true),
        "should alone: one must match"
    );
    assert_eq!(
        sees(
            json!({"bool": {"filter": [{"exists": {"field": "entity.id"}}],
                             "should": [{"term": {"entity.type": "nobody"}}]}})
        ),
        (true, false),
        "with a filter, should is optional"
    );
    assert_eq!(
        sees(json!({"bool": {"must_not": {"term": {"status": "active"}}}})),
        (false, true)
    );
}

#[test]
fn minimum_should_match_counts_and_percentages() {
    let should = json!([{"term": {"entity.type": "host"}}, {"term": {"priority": 8}},
                        {"term": {"status": "dismissed"}}]);
    let with = |m: Value| sees(json!({"bool": {"should": should, "minimum_should_match": m}}));
    assert_eq!(with(json!(2)), (true, false));
    assert_eq!(with(json!("1")), (true, true));
    assert_eq!(with(json!("-1")), (true, false));
    assert_eq!(with(json!("100%")), (false, false));
    assert_eq!(
        with(json!("34%")),
        (true, true),
        "34% of 3 rounds down to 1"
    );
    assert_eq!(
        sees(
            json!({"bool": {"must": [{"match_all": {}}], "should": [{"term": {"entity.type": "nobody"}}]}})
        ),
        (true, true),
        "with must, should is optional"
    );
    assert_eq!(MinimumShouldMatch::Percent(-25).required(4), 3);
    assert_eq!(MinimumShouldMatch::Count(9).required(2), 2);
}

#[test]
fn unsupported_clauses_fields_and_parameters_are_named() {
    let e = refused(json!({"nested": {"path": "observations", "query": {"match_all": {}}}}));
    assert_eq!(e.clause, "nested");
    assert!(
        e.message.starts_with("unsupported query clause [nested]"),
        "{e}"
    );
    let deep = refused(json!({"bool": {"filter": [{"script": {"script": "true"}}]}}));
    assert_eq!(deep.clause, "script");
    let field = refused(json!({"term": {"ssn": "1"}}));
    assert_eq!(field.clause, "term");
    assert!(
        field.message.starts_with("unknown field [ssn] in [term]"),
        "{field}"
    );
    let param = refused(json!({"match": {"title": {"query": "x", "fuzziness": 2}}}));
    assert_eq!(
        param.message,
        "unsupported parameter [fuzziness] in [match]"
    );
    assert!(refused(json!({"range": {"timestamp": {"gte": "now-1d"}}}))
        .message
        .contains("date math"));
    assert!(refused(json!({"range": {"title": {"gte": "a"}}}))
        .message
        .contains("text field"));
    assert!(refused(json!({"prefix": {"priority": "1"}}))
        .message
        .contains("non-text"));
    assert!(
        refused(json!({"terms": {"tags": {"index": "x", "id": "1", "path": "t"}}}))
            .message
            .contains("lookups")
    );
    assert_eq!(
        refused(json!({"term": {"status": "a"}, "match_all": {}})).clause,
        "query"
    );
    assert_eq!(refused(json!("not an object")).clause, "query");
}

#[test]
fn a_role_query_is_read_from_a_string_or_an_object() {
    let from_text = parse_role_query(&json!("{\"term\":{\"entity.type\":\"host\"}}"), LEAD_FIELDS);
    let from_object = parse_role_query(&json!({"term": {"entity.type": "host"}}), LEAD_FIELDS);
    assert_eq!(from_text, from_object);
    assert!(from_text.is_ok());
    let broken = parse_role_query(&json!("{\"term\":"), LEAD_FIELDS).expect_err("not JSON");
    assert!(
        broken.message.starts_with("the role query is not JSON"),
        "{broken}"
    );
}

#[test]
fn a_query_has_a_size() {
    let mut deep = json!({"match_all": {}});
    for _ in 0..=MAX_DEPTH {
        deep = json!({"bool": {"must": [deep]}});
    }
    assert!(refused(deep).message.contains("deep"));
    let wide: Vec<Value> = (0..MAX_CLAUSES).map(|_| json!({"match_all": {}})).collect();
    assert!(refused(json!({"bool": {"should": wide}}))
        .message
        .contains("clauses"));
}

#[test]
fn dates_parse_as_rfc_3339_or_epoch_milliseconds() {
    assert_eq!(date_millis_of(&json!("1970-01-01")), Some(0));
    assert_eq!(
        date_millis_of(&json!("1970-01-02T00:00:01.5Z")),
        Some(86_401_500)
    );
    assert_eq!(
        date_millis_of(&json!("2000-03-01T02:00:00+02:00")),
        Some(951_868_800_000)
    );
    assert_eq!(date_millis_of(&json!(42)), Some(42));
    assert_eq!(date_millis_of(&json!("2000-13-01")), None);
    assert_eq!(date_millis_of(&json!("yesterday")), None);
    assert!(wildcard_matches("a*c?", "abbbcd") && !wildcard_matches("a*c", "abd"));
    // `?` is one character, not one byte, outside ASCII too.
    assert!(wildcard_matches("jos?", "josé") && !wildcard_matches("jos??", "josé"));
    assert!(wildcard_matches("*é", "café") && !wildcard_matches("caf?", "cafés"));
}

#[test]
fn a_query_says_which_fields_it_looks_at() {
    let query = q(json!({"bool": {"should": [{"ids": {"values": ["a"]}},
        {"bool": {"must_not": {"term": {"staleness": "expired"}}}}]}}));
    assert!(query.mentions("staleness") && query.mentions("id"));
    assert!(!query.mentions("status") && !q(json!({"match_all": {}})).mentions("id"));
}

//! The search itself, and the access panel's per-document answer.

use std::collections::{BTreeSet, HashMap, HashSet};

use gatehouse_api::search::{
    permissions_of, Document, DocumentAccess, PageMeta, SearchMeta, SearchRequest, SearchResponse,
    SearchResult, SourceCount, UserAccess, HIGHLIGHT_END, HIGHLIGHT_START, SEARCH_API_TAG,
};
use rusqlite::{params, Connection};

use crate::admin::user_store as users;
use crate::authz::{self, Subject};

use super::*;

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/// The FTS5 phrases for what a user typed: its words (letters and digits), each quoted so no FTS
/// syntax gets through; the last one also matches as a prefix unless the user finished it with a
/// space. Empty when there are no words.
pub fn fts_phrases(text: &str) -> Vec<String> {
    let tokens: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_QUERY_TOKENS)
        .map(str::to_lowercase)
        .collect();
    let last = tokens.len().saturating_sub(1);
    let open_end = !text.ends_with(char::is_whitespace);
    tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i == last && open_end {
                format!("\"{t}\"*")
            } else {
                format!("\"{t}\"")
            }
        })
        .collect()
}

/// The FTS5 query for what a user typed: all its phrases required. `None` when there are no
/// words.
pub fn fts_query(text: &str) -> Option<String> {
    let phrases = fts_phrases(text);
    (!phrases.is_empty()).then(|| phrases.join(" "))
}

/// A document the viewer sees, in the blank query's order (title, then row).
struct VisibleDocument {
    rowid: i64,
    source: String,
    doc_id: String,
    tags: Vec<String>,
    /// Tokens in all indexed columns.
    length: u64,
}

struct Candidate<'a> {
    document: &'a VisibleDocument,
    score: f64,
}

/// Every document `viewer` sees, with its length, in title order. Hidden documents are dropped
/// here, before anything about them is counted or scored.
fn visible_documents(conn: &Connection, viewer: &Viewer) -> anyhow::Result<Vec<VisibleDocument>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.source_id, d.doc_id, d.allow_perms, d.deny_perms, d.tags, s.sz
         FROM ws_documents d LEFT JOIN ws_documents_fts_docsize s ON s.id = d.id
         ORDER BY d.title COLLATE NOCASE, d.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<Vec<u8>>>(6)?,
        ))
    })?;
    let mut visible = Vec::new();
    for row in rows {
        let (rowid, source, doc_id, allow, deny, tags, size) = row?;
        if !viewer.sees(&source, &parse_list(&allow), &parse_list(&deny)) {
            continue;
        }
        visible.push(VisibleDocument {
            rowid,
            source,
            doc_id,
            tags: parse_list(&tags),
            length: size.as_deref().map_or(0, ranking::document_length),
        });
    }
    Ok(visible)
}

/// The visible documents matching every phrase, scored by BM25 over the visible documents only
/// (docs/search.md#non-interference), best first; ties by source and id.
fn ranked_matches<'a>(
    conn: &Connection,
    visible: &'a [VisibleDocument],
    phrases: &[String],
    keep: impl Fn(&VisibleDocument) -> bool,
) -> anyhow::Result<Vec<Candidate<'a>>> {
    let stats = ranking::VisibleStats {
        documents: visible.len() as u64,
        tokens: visible.iter().map(|d| d.length).sum(),
    };
    let visible_rows: HashSet<i64> = visible.iter().map(|d| d.rowid).collect();
    let mut frequencies = Vec::with_capacity(phrases.len());
    let mut in_all: Option<HashSet<i64>> = None;
    for phrase in phrases {
        let rows: HashSet<i64> = ranking::matching_rows(conn, phrase)?
            .into_iter()
            .filter(|r| visible_rows.contains(r))
            .collect();
        frequencies.push(rows.len() as u64);
        in_all = Some(match in_all {
            None => rows,
            Some(previous) => previous.intersection(&rows).copied().collect(),
        });
    }
    let in_all = in_all.unwrap_or_default();
    let candidates: Vec<&VisibleDocument> = visible
        .iter()
        .filter(|d| in_all.contains(&d.rowid) && keep(d))
        .collect();
    let rowids: Vec<i64> = candidates.iter().map(|d| d.rowid).collect();
    let hits: Vec<HashMap<i64, ranking::ColumnHits>> = phrases
        .iter()
        .map(|phrase| ranking::column_hits(conn, phrase, &rowids))
        .collect::<anyhow::Result<_>>()?;
    let mut ranked: Vec<Candidate<'a>> = candidates
        .into_iter()
        .map(|document| {
            let document_hits: Vec<ranking::ColumnHits> = hits
                .iter()
                .map(|by_row| by_row.get(&document.rowid).copied().unwrap_or_default())
                .collect();
            Candidate {
                document,
                score: ranking::bm25(stats, &frequencies, &document_hits, document.length),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.document.source.cmp(&b.document.source))
            .then_with(|| a.document.doc_id.cmp(&b.document.doc_id))
    });
    Ok(ranked)
}

/// Searches as `viewer`: hidden documents are dropped first, then the rest is scored, counted,
/// paged and snippeted, so every part of the answer depends only on documents the viewer sees
/// (docs/search.md#non-interference). Sources and pages are validated by the caller.
pub fn search(
    conn: &Connection,
    viewer: &Viewer,
    request: &SearchRequest,
) -> anyhow::Result<SearchResponse> {
    let names: HashMap<String, String> = conn
        .prepare_cached("SELECT id, name FROM ws_sources")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let phrases = fts_phrases(&request.query);
    let query = fts_query(&request.query);
    let blank = request.query.trim().is_empty();
    let tag_filter: BTreeSet<&str> = request.filters.tags.iter().map(String::as_str).collect();
    let tag_overlap = |d: &VisibleDocument| {
        d.tags
            .iter()
            .filter(|t| tag_filter.contains(t.as_str()))
            .count()
    };
    let tagged = |d: &VisibleDocument| tag_filter.is_empty() || tag_overlap(d) > 0;

    let visible = visible_documents(conn, viewer)?;
    // Every visible match, best first.
    let matches: Vec<Candidate> = if !phrases.is_empty() {
        ranked_matches(conn, &visible, &phrases, tagged)?
    } else if blank {
        let mut all: Vec<Candidate> = visible
            .iter()
            .filter(|d| tagged(d))
            .map(|document| Candidate {
                document,
                score: if tag_filter.is_empty() {
                    0.0
                } else {
                    tag_overlap(document) as f64
                },
            })
            .collect();
        // Related documents: the most shared tags first (stable, so title order breaks ties).
        all.sort_by(|a, b| b.score.total_cmp(&a.score));
        all
    } else {
        // Punctuation only: nothing to look for.
        Vec::new()
    };

    // Per-source counts ignore the source filter (they are that filter's choices).
    let mut per_source: HashMap<&str, u64> = HashMap::new();
    for m in &matches {
        *per_source.entry(m.document.source.as_str()).or_default() += 1;
    }
    let mut sources: Vec<SourceCount> = per_source
        .into_iter()
        .map(|(id, count)| SourceCount {
            id: id.to_string(),
            name: names.get(id).cloned().unwrap_or_default(),
            count,
        })
        .collect();
    sources.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });

    let source_filter: BTreeSet<&str> = request.filters.source.iter().map(String::as_str).collect();
    let filtered: Vec<&Candidate> = matches
        .iter()
        .filter(|m| source_filter.is_empty() || source_filter.contains(m.document.source.as_str()))
        .collect();
    let page = request.page;
    let total = filtered.len() as u64;
    let skip = (page.current.max(1) as usize - 1).saturating_mul(page.size as usize);
    let shown: Vec<&Candidate> = filtered
        .into_iter()
        .skip(skip)
        .take(page.size as usize)
        .collect();

    let rowids: Vec<i64> = shown.iter().map(|c| c.document.rowid).collect();
    let rowids_json = serde_json::to_string(&rowids)?;
    // snippet() picks each document's best fragment from that document alone.
    let snippets: HashMap<i64, String> = match &query {
        Some(q) if !rowids.is_empty() => {
            let mut stmt = conn.prepare_cached(
                "SELECT rowid, snippet(ws_documents_fts, 1, ?2, ?3, '…', ?4) FROM ws_documents_fts
                 WHERE ws_documents_fts MATCH ?1 AND rowid IN (SELECT value FROM json_each(?5))",
            )?;
            let rows = stmt.query_map(
                params![
                    q,
                    HIGHLIGHT_START.to_string(),
                    HIGHLIGHT_END.to_string(),
                    SNIPPET_TOKENS,
                    rowids_json
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            rows.collect::<rusqlite::Result<_>>()?
        }
        _ => HashMap::new(),
    };
    let mut documents: HashMap<i64, (String, String)> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, fields, body FROM ws_documents
             WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([&rowids_json], |r| {
            Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?))
        })?;
        for row in rows {
            let (rowid, fields, body) = row?;
            documents.insert(rowid, (fields, body));
        }
    }
    let mut results = Vec::with_capacity(shown.len());
    for candidate in shown {
        let document = candidate.document;
        let Some((fields, body)) = documents.remove(&document.rowid) else {
            continue;
        };
        let fields: Document = serde_json::from_str(&fields).unwrap_or_default();
        let snippet = snippets
            .get(&document.rowid)
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| plain_snippet(&body));
        results.push(SearchResult {
            id: document.doc_id.clone(),
            title: gatehouse_api::search::document_text(&fields, "title")
                .unwrap_or_default()
                .to_string(),
            url: gatehouse_api::search::document_text(&fields, "url").map(str::to_string),
            tags: gatehouse_api::search::document_tags(&fields),
            meta: gatehouse_api::search::ResultMeta {
                source_name: names.get(&document.source).cloned().unwrap_or_default(),
                source: document.source.clone(),
                score: (candidate.score * 1000.0).round() / 1000.0,
            },
            snippet,
        });
    }
    Ok(SearchResponse {
        meta: SearchMeta {
            page: PageMeta::new(page.current, page.size, total),
            sources,
            as_user: None,
        },
        results,
    })
}

/// The start of a body, cut at a word boundary, for results without a query match to show.
pub fn plain_snippet(body: &str) -> String {
    let collapsed = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= PLAIN_SNIPPET_CHARS {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(PLAIN_SNIPPET_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > PLAIN_SNIPPET_CHARS / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

// ---------------------------------------------------------------------------------------------
// Access panel (ext)
// ---------------------------------------------------------------------------------------------

/// May `subject` use the search app in `space` (the feature's `read` API tag)?
pub fn can_search(subject: &Subject, space: &str) -> bool {
    let action = authz::api_action(SEARCH_API_TAG);
    authz::check_kibana_actions(subject, space, &[action.as_str()]).allowed()
}

/// Every enabled user's view of one document the caller sees (`None` when missing or hidden from
/// the caller).
pub fn document_access(
    conn: &Connection,
    caller: &Viewer,
    space: &str,
    source: &str,
    doc_id: &str,
) -> anyhow::Result<Option<DocumentAccess>> {
    let Some(document) = stored_document(conn, source, doc_id)? else {
        return Ok(None);
    };
    if !caller.sees(source, &document.allow, &document.deny) {
        return Ok(None);
    }
    let identities = all_identities(conn, Some(source))?;
    let mut users_access = Vec::new();
    for user in users::all_users(conn)?.into_iter().filter(|u| u.enabled) {
        let subject = users::subject_of(conn, &user)?;
        let permissions = permissions_of(&identities, &user.username);
        let visibility =
            gatehouse_api::search::visibility(&permissions, &document.allow, &document.deny);
        users_access.push(UserAccess {
            can_search: can_search(&subject, space),
            username: user.username,
            full_name: user.full_name,
            permissions: permissions.into_iter().collect(),
            visibility,
        });
    }
    Ok(Some(DocumentAccess {
        source: source.to_string(),
        id: doc_id.to_string(),
        allow: document.allow,
        deny: document.deny,
        users: users_access,
    }))
}

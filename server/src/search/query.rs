//! The search itself, and the access panel's per-document answer.

use std::collections::{BTreeSet, HashMap};

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

/// The FTS5 query for what a user typed: its words (letters and digits), each quoted so no FTS
/// syntax gets through, all required; the last one also matches as a prefix unless the user
/// finished it with a space. `None` when there are no words.
pub fn fts_query(text: &str) -> Option<String> {
    let tokens: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_QUERY_TOKENS)
        .map(str::to_lowercase)
        .collect();
    let last = tokens.len().checked_sub(1)?;
    let open_end = !text.ends_with(char::is_whitespace);
    Some(
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
            .collect::<Vec<_>>()
            .join(" "),
    )
}

struct Candidate {
    rowid: i64,
    source: String,
    score: f64,
}

/// Searches as `viewer`: hidden documents are dropped first, then the rest is counted, paged and
/// snippeted. Sources and pages are validated by the caller.
pub fn search(
    conn: &Connection,
    viewer: &Viewer,
    request: &SearchRequest,
) -> anyhow::Result<SearchResponse> {
    let names: HashMap<String, String> = conn
        .prepare_cached("SELECT id, name FROM ws_sources")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let query = fts_query(&request.query);
    let blank = request.query.trim().is_empty();
    let tag_filter: BTreeSet<&str> = request.filters.tags.iter().map(String::as_str).collect();

    // Every visible match, best first.
    let mut matches: Vec<Candidate> = Vec::new();
    {
        let mut consider =
            |rowid: i64, source: String, allow: String, deny: String, tags: String, score: f64| {
                if !viewer.sees(&source, &parse_list(&allow), &parse_list(&deny)) {
                    return;
                }
                let mut score = score;
                if !tag_filter.is_empty() {
                    let overlap = parse_list(&tags)
                        .iter()
                        .filter(|t| tag_filter.contains(t.as_str()))
                        .count();
                    if overlap == 0 {
                        return;
                    }
                    if blank {
                        score = overlap as f64;
                    }
                }
                matches.push(Candidate {
                    rowid,
                    source,
                    score,
                });
            };
        match (&query, blank) {
            (Some(q), _) => {
                let mut stmt = conn.prepare_cached(
                    "SELECT d.id, d.source_id, d.allow_perms, d.deny_perms, d.tags,
                            bm25(ws_documents_fts, 10.0, 1.0, 4.0) AS r
                     FROM ws_documents_fts JOIN ws_documents d ON d.id = ws_documents_fts.rowid
                     WHERE ws_documents_fts MATCH ?1
                     ORDER BY r, d.id",
                )?;
                let rows = stmt.query_map([q], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get::<_, f64>(5)?,
                    ))
                })?;
                for row in rows {
                    let (rowid, source, allow, deny, tags, rank) = row?;
                    // bm25 is lower for better matches; scores are higher for better ones.
                    consider(rowid, source, allow, deny, tags, -rank);
                }
            }
            (None, true) => {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, source_id, allow_perms, deny_perms, tags FROM ws_documents
                     ORDER BY title COLLATE NOCASE, id",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?;
                for row in rows {
                    let (rowid, source, allow, deny, tags) = row?;
                    consider(rowid, source, allow, deny, tags, 0.0);
                }
            }
            // Punctuation only: nothing to look for.
            (None, false) => {}
        }
    }
    if blank && !tag_filter.is_empty() {
        // Related documents: the most shared tags first (stable, so title order breaks ties).
        matches.sort_by(|a, b| b.score.total_cmp(&a.score));
    }

    // Per-source counts ignore the source filter (they are that filter's choices).
    let mut per_source: HashMap<&str, u64> = HashMap::new();
    for m in &matches {
        *per_source.entry(m.source.as_str()).or_default() += 1;
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
        .filter(|m| source_filter.is_empty() || source_filter.contains(m.source.as_str()))
        .collect();
    let page = request.page;
    let total = filtered.len() as u64;
    let skip = (page.current.max(1) as usize - 1).saturating_mul(page.size as usize);
    let shown: Vec<&Candidate> = filtered
        .into_iter()
        .skip(skip)
        .take(page.size as usize)
        .collect();

    let rowids: Vec<i64> = shown.iter().map(|c| c.rowid).collect();
    let rowids_json = serde_json::to_string(&rowids)?;
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
    let mut documents: HashMap<i64, (String, String, String)> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, doc_id, fields, body FROM ws_documents
             WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt.query_map([&rowids_json], |r| {
            Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        for row in rows {
            let (rowid, doc_id, fields, body) = row?;
            documents.insert(rowid, (doc_id, fields, body));
        }
    }
    let mut results = Vec::with_capacity(shown.len());
    for candidate in shown {
        let Some((doc_id, fields, body)) = documents.remove(&candidate.rowid) else {
            continue;
        };
        let fields: Document = serde_json::from_str(&fields).unwrap_or_default();
        let snippet = snippets
            .get(&candidate.rowid)
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| plain_snippet(&body));
        results.push(SearchResult {
            id: doc_id,
            title: gatehouse_api::search::document_text(&fields, "title")
                .unwrap_or_default()
                .to_string(),
            url: gatehouse_api::search::document_text(&fields, "url").map(str::to_string),
            tags: gatehouse_api::search::document_tags(&fields),
            meta: gatehouse_api::search::ResultMeta {
                source_name: names.get(&candidate.source).cloned().unwrap_or_default(),
                source: candidate.source.clone(),
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

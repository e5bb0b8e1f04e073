//! Ranking from what the asker may see (docs/search.md#non-interference).
//!
//! FTS5's own `bm25()` weighs a word by how many documents of the whole index hold it and
//! normalises lengths by the whole index's average, hidden documents included: a hidden document
//! would move a visible result's score. So FTS5 is asked only per-document facts — which rows
//! match each query word, how often the word occurs in each column of a candidate
//! (`highlight()` marks every occurrence) and each row's token count (the `_docsize` table) — and
//! the BM25 formula FTS5 uses is computed here with the document count, document frequencies and
//! average length of the viewer's visible documents only.

use std::collections::{HashMap, HashSet};

use gatehouse_api::search::{HIGHLIGHT_END, HIGHLIGHT_START};
use rusqlite::{params, Connection};

/// BM25's term-frequency saturation and length normalisation, FTS5's values.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Column weights (title, body, tags): a word in a title counts ten body words, a tag four.
pub(crate) const COLUMN_WEIGHTS: [f64; 3] = [10.0, 1.0, 4.0];
/// FTS5's floor for the weight of a word most documents hold.
const MIN_IDF: f64 = 1e-6;

/// The visible documents' statistics a score may depend on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct VisibleStats {
    /// How many documents the viewer sees.
    pub documents: u64,
    /// Their tokens, all columns.
    pub tokens: u64,
}

impl VisibleStats {
    fn average_length(&self) -> f64 {
        if self.documents == 0 {
            return 0.0;
        }
        self.tokens as f64 / self.documents as f64
    }
}

/// One query word's facts for one candidate: its occurrences per column.
pub(crate) type ColumnHits = [u32; 3];

/// BM25 of one document, as FTS5 computes it, from visible statistics only: `hits[i]` are the
/// document's occurrences of word `i`, `document_frequency[i]` how many visible documents hold
/// word `i`, `length` the document's tokens. Higher is better.
pub(crate) fn bm25(
    stats: VisibleStats,
    document_frequency: &[u64],
    hits: &[ColumnHits],
    length: u64,
) -> f64 {
    let n = stats.documents as f64;
    let average = stats.average_length();
    let length_norm = if average > 0.0 {
        1.0 - B + B * length as f64 / average
    } else {
        1.0
    };
    let mut score = 0.0;
    for (frequency, hits) in document_frequency.iter().zip(hits) {
        let idf = ((n - *frequency as f64 + 0.5) / (*frequency as f64 + 0.5)).ln();
        let idf = if idf > 0.0 { idf } else { MIN_IDF };
        let weighted: f64 = hits
            .iter()
            .zip(COLUMN_WEIGHTS)
            .map(|(h, w)| f64::from(*h) * w)
            .sum();
        score += idf * (weighted * (K1 + 1.0)) / (weighted + K1 * length_norm);
    }
    score
}

/// The rows (of all documents, hidden ones included: the caller intersects) matching one quoted
/// FTS5 phrase.
pub(crate) fn matching_rows(conn: &Connection, phrase: &str) -> anyhow::Result<HashSet<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT rowid FROM ws_documents_fts WHERE ws_documents_fts MATCH ?1")?;
    let rows = stmt.query_map([phrase], |r| r.get::<_, i64>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Occurrences of one phrase per column in each of `rowids` (documents the viewer sees): every
/// occurrence is highlighted on its own, and stored text never holds the markers.
pub(crate) fn column_hits(
    conn: &Connection,
    phrase: &str,
    rowids: &[i64],
) -> anyhow::Result<HashMap<i64, ColumnHits>> {
    if rowids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, highlight(ws_documents_fts, 0, ?2, ?3), highlight(ws_documents_fts, 1, ?2, ?3),
                highlight(ws_documents_fts, 2, ?2, ?3)
         FROM ws_documents_fts
         WHERE ws_documents_fts MATCH ?1 AND rowid IN (SELECT value FROM json_each(?4))",
    )?;
    let start = HIGHLIGHT_START.to_string();
    let end = HIGHLIGHT_END.to_string();
    let rows = stmt.query_map(
        params![phrase, start, end, serde_json::to_string(rowids)?],
        |r| {
            let count = |text: Option<String>| {
                text.map_or(0, |t| t.matches(HIGHLIGHT_START).count() as u32)
            };
            Ok((
                r.get::<_, i64>(0)?,
                [count(r.get(1)?), count(r.get(2)?), count(r.get(3)?)],
            ))
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The token count of a row from FTS5's `_docsize` blob: one SQLite varint per column, summed.
/// A malformed blob counts what could be read.
pub(crate) fn document_length(blob: &[u8]) -> u64 {
    let mut total = 0u64;
    let mut rest = blob;
    while let Some((value, used)) = read_varint(rest) {
        total = total.saturating_add(value);
        rest = &rest[used..];
    }
    total
}

/// SQLite's variable-length integer: big-endian groups of 7 bits, high bit set on all but the
/// last byte; a ninth byte carries 8 bits.
fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(9) {
        if i == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_read_as_sqlite_writes_them() {
        assert_eq!(read_varint(&[0x05]), Some((5, 1)));
        assert_eq!(read_varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(read_varint(&[0x81]), None);
        assert_eq!(document_length(&[3, 0x81, 0x00, 7]), 138);
        assert_eq!(document_length(&[]), 0);
    }

    #[test]
    fn rarer_words_and_shorter_documents_score_higher() {
        let stats = VisibleStats {
            documents: 10,
            tokens: 100,
        };
        let hit = [[0, 1, 0]];
        assert!(bm25(stats, &[1], &hit, 10) > bm25(stats, &[5], &hit, 10));
        assert!(bm25(stats, &[1], &hit, 5) > bm25(stats, &[1], &hit, 20));
        assert!(bm25(stats, &[1], &[[1, 0, 0]], 10) > bm25(stats, &[1], &hit, 10));
        // A word every document holds still counts a little.
        assert!(bm25(stats, &[10], &hit, 10) > 0.0);
    }
}

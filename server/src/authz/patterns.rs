//! Index name patterns: wildcard matching and whether one pattern covers another.

use super::*;

// ---------------------------------------------------------------------------------------------
// Wildcard patterns
// ---------------------------------------------------------------------------------------------

/// Does `pattern` (with `*` and `?`) name the literal `text`? One matcher for index patterns
/// and the query DSL's `wildcard` clause.
pub use gatehouse_api::doc_query::wildcard_matches as wildcard_match;

/// Rewrites every run of wildcards as its `?`s followed by at most one `*` (`*?*` → `?*`): both
/// spellings name the same strings, and the canonical form lets [`pattern_covers`] compare them.
fn canonical_pattern(pattern: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '*' || c == '?' {
            let (mut questions, mut star) = (usize::from(c == '?'), c == '*');
            while let Some(&next) = chars.peek() {
                match next {
                    '?' => questions += 1,
                    '*' => star = true,
                    _ => break,
                }
                chars.next();
            }
            out.extend(std::iter::repeat_n('?', questions));
            if star {
                out.push('*');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Wildcard inclusion: is every index name the `requested` pattern can name also named by the
/// `role` pattern? Patterns are compared as patterns: a `*` in the request can only be consumed by
/// a `*` in the role pattern, a `?` in the request by a `?` or `*`, a literal by itself or a
/// wildcard. `.entity_analytics.*` covers `.entity_analytics.entity-leads-*`;
/// `.entity_analytics.entity-leads-default` does not; `*` covers everything.
///
/// Sound (never grants more than the role names); for exotic pattern pairs it may deny an
/// inclusion that holds, which errs on the side of refusing.
pub fn pattern_covers(role: &str, requested: &str) -> bool {
    let r = canonical_pattern(role);
    let q = canonical_pattern(requested);
    // reach[j] = role prefix r[..i] can consume requested prefix q[..j].
    let mut reach = vec![false; q.len() + 1];
    reach[0] = true;
    for &rc in &r {
        let mut next = vec![false; q.len() + 1];
        if rc == '*' {
            // A star consumes any suffix, including wildcards of the request.
            let mut any = false;
            for j in 0..=q.len() {
                any |= reach[j];
                next[j] = any;
            }
        } else {
            for j in 0..q.len() {
                if !reach[j] {
                    continue;
                }
                let qc = q[j];
                let ok = match rc {
                    '?' => qc != '*',
                    literal => qc == literal,
                };
                if ok {
                    next[j + 1] = true;
                }
            }
        }
        reach = next;
    }
    reach[q.len()]
}

/// Does one role grant's index name cover the requested name or pattern? Wildcard patterns are
/// compared with [`pattern_covers`]; [`NON_DOT_INDICES`] covers a request only when every name the
/// request can match is outside it: it starts with a literal character other than `.`, and its
/// literal prefix cannot begin `ilm-history-`.
pub fn grant_name_covers(grant: &str, requested: &str) -> bool {
    if grant == NON_DOT_INDICES {
        let prefix: String = requested
            .chars()
            .take_while(|c| *c != '*' && *c != '?')
            .collect();
        const ILM: &str = "ilm-history-";
        return !(prefix.is_empty()
            || prefix.starts_with('.')
            || ILM.starts_with(prefix.as_str())
            || prefix.starts_with(ILM));
    }
    pattern_covers(grant, requested)
}

//! Counting what a panel query asks, in SQL where the data is in SQL (docs/panels.md): one
//! `COUNT` for the total, one `GROUP BY` for the buckets. Leads under document-level security
//! are counted in Rust over the rows the filter matches, keeping only the leads the reader may
//! see (the set the leads find uses, `leads::visible_leads_kept`).

use std::collections::{BTreeMap, HashMap, HashSet};

use gatehouse_api::panels::{
    time_buckets, top_buckets, FilterScalar, FilterValue, PanelAnswer, PanelQuery, PanelSource,
    TimeInterval,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection};

const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Where a source's records live and how each field reads from them.
struct Table {
    from: &'static str,
    /// The source's own condition (its space, its index), bound to the first parameter.
    base: &'static str,
    time: Option<&'static str>,
}

fn table(source: PanelSource) -> Option<Table> {
    match source {
        PanelSource::Leads => Some(Table {
            from: "leads",
            base: "leads.index_name = ?1",
            time: Some("leads.ts_ms"),
        }),
        PanelSource::Audit => Some(Table {
            from: "audit_log",
            base: "audit_log.space = ?1",
            time: Some("audit_log.ts_ms"),
        }),
        PanelSource::Dashboards => Some(Table {
            from: "dashboards",
            base: "dashboards.space = ?1",
            time: None,
        }),
        PanelSource::Users => Some(Table {
            from: "users",
            base: "?1 IS NOT NULL",
            time: None,
        }),
        PanelSource::Search | PanelSource::Spaces => None,
    }
}

/// The SQL expression of a field (its catalogue name). `users.role` is a list: see
/// [`ROLE_VALUES`].
fn field_sql(source: PanelSource, field: &str) -> Option<&'static str> {
    Some(match (source, field) {
        (PanelSource::Leads, "status") => "leads.status",
        (PanelSource::Leads, "priority") => "leads.priority",
        (PanelSource::Leads, "entityType") => "json_extract(leads.body, '$.entity.type')",
        (PanelSource::Leads, "entity") => "json_extract(leads.body, '$.entity.name')",
        (PanelSource::Audit, "action") => "audit_log.action",
        (PanelSource::Audit, "outcome") => "audit_log.outcome",
        (PanelSource::Audit, "user") => "audit_log.username",
        (PanelSource::Dashboards, "accessMode") => "COALESCE(dashboards.access_mode, 'none')",
        (PanelSource::Dashboards, "owner") => "COALESCE(dashboards.owner, 'none')",
        (PanelSource::Users, "enabled") => "users.enabled",
        (PanelSource::Users, "role") => ROLE_VALUES,
        _ => return None,
    })
}

/// One row per role of a user (the roles are a JSON list).
const ROLE_VALUES: &str = "role.value";
const ROLE_JOIN: &str = ", json_each(users.roles) AS role";

fn scalar(value: &FilterScalar) -> SqlValue {
    match value {
        FilterScalar::Text(text) => SqlValue::Text(text.clone()),
        FilterScalar::Number(n) => SqlValue::Integer(*n),
        FilterScalar::Bool(b) => SqlValue::Integer(i64::from(*b)),
    }
}

/// The `WHERE` of a query: the source's base condition and each filter, with their parameters.
/// The dashboards' `owner` matches a profile uid or the owner's username.
fn where_clause(query: &PanelQuery, base: &str, first: SqlValue) -> (String, Vec<SqlValue>) {
    let mut sql = format!("WHERE {base}");
    let mut params = vec![first];
    for (field, value) in &query.filter {
        let Some(expr) = field_sql(query.source, field) else {
            continue;
        };
        let values: Vec<SqlValue> = match value {
            FilterValue::Is(one) => vec![scalar(one)],
            FilterValue::AnyOf(many) => many.iter().map(scalar).collect(),
            FilterValue::Range(range) => {
                if let Some(gte) = range.gte {
                    params.push(SqlValue::Integer(gte));
                    sql.push_str(&format!(" AND {expr} >= ?{}", params.len()));
                }
                if let Some(lte) = range.lte {
                    params.push(SqlValue::Integer(lte));
                    sql.push_str(&format!(" AND {expr} <= ?{}", params.len()));
                }
                continue;
            }
        };
        let mut marks = Vec::with_capacity(values.len());
        for value in values {
            params.push(value);
            marks.push(format!("?{}", params.len()));
        }
        let marks = marks.join(", ");
        let condition = match (query.source, field.as_str()) {
            (PanelSource::Users, "role") => format!(
                "EXISTS (SELECT 1 FROM json_each(users.roles) WHERE json_each.value IN ({marks}))"
            ),
            (PanelSource::Dashboards, "owner") => format!(
                "({expr} IN ({marks}) OR dashboards.owner IN (SELECT uid FROM profile_uids WHERE username IN ({marks})))"
            ),
            _ => format!("{expr} IN ({marks})"),
        };
        sql.push_str(" AND ");
        sql.push_str(&condition);
    }
    (sql, params)
}

/// Time rows are read per hour (or day), the unit every bucket is a whole number of; weeks are
/// put together from days in Rust, where Monday is found the same way for every reader.
fn time_unit(interval: TimeInterval) -> i64 {
    match interval {
        TimeInterval::Hour => HOUR_MS,
        TimeInterval::Day | TimeInterval::Week => DAY_MS,
    }
}

/// What a row is counted under, as read from SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Number(i64),
    Text(String),
    Missing,
}

impl rusqlite::types::FromSql for Key {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        use rusqlite::types::ValueRef;
        Ok(match value {
            ValueRef::Integer(n) => Key::Number(n),
            ValueRef::Text(bytes) => Key::Text(String::from_utf8_lossy(bytes).into_owned()),
            ValueRef::Real(x) => Key::Text(x.to_string()),
            ValueRef::Null | ValueRef::Blob(_) => Key::Missing,
        })
    }
}

/// A grouped value as a bucket key: numbers as digits, a user's `enabled` as true/false.
fn key_text(source: PanelSource, field: &str, key: Key) -> String {
    match (source, field, key) {
        (PanelSource::Users, "enabled", Key::Number(n)) => (n != 0).to_string(),
        (_, _, Key::Text(text)) => text,
        (_, _, Key::Number(n)) => n.to_string(),
        // A lead with no entity: counted, under a key that says so.
        (_, _, Key::Missing) => "none".to_string(),
    }
}

/// Counts a query over a SQL source (`first` is the base condition's parameter: the leads index
/// or the space). `visible`: only these rowids count (leads under document-level security).
pub fn count_sql(
    conn: &Connection,
    query: &PanelQuery,
    first: &str,
    visible: Option<&HashSet<i64>>,
) -> anyhow::Result<PanelAnswer> {
    let Some(table) = table(query.source) else {
        anyhow::bail!("{} is not counted in SQL", query.source.name());
    };
    let (where_sql, params) = where_clause(query, table.base, SqlValue::Text(first.into()));
    let size = query.effective_size();
    let from = table.from;
    // What each matching row is counted under: a field's value, a time unit, or nothing.
    let (key_sql, join) = match (&query.group_by, query.interval) {
        (Some(field), _) => {
            let expr = field_sql(query.source, field)
                .ok_or_else(|| anyhow::anyhow!("no SQL for {field}"))?;
            let join = if expr == ROLE_VALUES { ROLE_JOIN } else { "" };
            (expr.to_string(), join)
        }
        (None, Some(interval)) => {
            let time = table.time.ok_or_else(|| anyhow::anyhow!("no time field"))?;
            (format!("({time} / {})", time_unit(interval)), "")
        }
        (None, None) => ("NULL".to_string(), ""),
    };
    let mut keyed: Vec<(Key, u64)> = Vec::new();
    let total: u64;
    match visible {
        None => {
            let count_sql = format!("SELECT COUNT(*) FROM {from} {where_sql}");
            let n: i64 = conn
                .prepare_cached(&count_sql)?
                .query_row(params_from_iter(params.iter()), |r| r.get(0))?;
            total = u64::try_from(n).unwrap_or(0);
            if query.group_by.is_some() || query.interval.is_some() {
                let group_sql = format!(
                    "SELECT {key_sql} AS k, COUNT(*) FROM {from}{join} {where_sql} GROUP BY k"
                );
                let mut stmt = conn.prepare_cached(&group_sql)?;
                let mut rows = stmt.query(params_from_iter(params.iter()))?;
                while let Some(r) = rows.next()? {
                    keyed.push((r.get(0)?, u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0)));
                }
            }
        }
        Some(visible) => {
            // A row per (lead, key): a lead counts once in the total, under its key in buckets.
            let rows_sql = format!("SELECT {from}.rowid, {key_sql} FROM {from}{join} {where_sql}");
            let mut stmt = conn.prepare_cached(&rows_sql)?;
            let mut rows = stmt.query(params_from_iter(params.iter()))?;
            let mut counted: HashMap<Key, u64> = HashMap::new();
            let mut seen = HashSet::new();
            while let Some(r) = rows.next()? {
                let rowid: i64 = r.get(0)?;
                if !visible.contains(&rowid) {
                    continue;
                }
                seen.insert(rowid);
                *counted.entry(r.get(1)?).or_default() += 1;
            }
            total = seen.len() as u64;
            keyed = counted.into_iter().collect();
        }
    }
    let mut answer = PanelAnswer {
        total,
        ..PanelAnswer::default()
    };
    if let Some(field) = &query.group_by {
        let counts = keyed
            .into_iter()
            .map(|(k, n)| (key_text(query.source, field, k), n))
            .collect();
        (answer.buckets, answer.other) = top_buckets(counts, size);
    } else if let Some(interval) = query.interval {
        let unit = time_unit(interval);
        let mut by_start: BTreeMap<i64, u64> = BTreeMap::new();
        for (k, n) in keyed {
            if let Key::Number(units) = k {
                *by_start
                    .entry(interval.bucket_start(units * unit))
                    .or_default() += n;
            }
        }
        (answer.buckets, answer.other) = time_buckets(&by_start, interval, size);
    }
    Ok(answer)
}

/// Counts per key already known (search documents per source, spaces): the filter on `field`
/// keeps only the keys it names.
pub fn count_known(counts: Vec<(String, u64)>, query: &PanelQuery, field: &str) -> PanelAnswer {
    let kept: Vec<(String, u64)> = match query.filter.get(field) {
        None => counts,
        Some(condition) => {
            let named: Vec<&str> = match condition {
                FilterValue::Is(FilterScalar::Text(one)) => vec![one.as_str()],
                FilterValue::AnyOf(many) => many
                    .iter()
                    .filter_map(|v| match v {
                        FilterScalar::Text(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            counts
                .into_iter()
                .filter(|(k, _)| named.contains(&k.as_str()))
                .collect()
        }
    };
    let total = kept.iter().map(|(_, n)| n).sum();
    let mut answer = PanelAnswer {
        total,
        ..PanelAnswer::default()
    };
    if query.group_by.as_deref() == Some(field) {
        (answer.buckets, answer.other) = top_buckets(kept, query.effective_size());
    }
    answer
}

/// Profile uid → username, for the dashboards' owner buckets.
pub fn usernames_by_uid(conn: &Connection) -> anyhow::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT uid, username FROM profile_uids")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::platform::db::migrated_in_memory as migrated;

    fn query(text: &str) -> PanelQuery {
        serde_json::from_str(text).expect("a query")
    }

    /// Each bucket's count by its key.
    fn counts_by_key(answer: &PanelAnswer) -> HashMap<String, u64> {
        answer
            .buckets
            .iter()
            .map(|b| (b.key.clone(), b.count))
            .collect()
    }

    /// The counts SQL gives are those of the stored leads read one by one.
    #[test]
    fn leads_counts_match_the_rows() {
        let mut conn = migrated();
        crate::leads::insert_synthetic_leads(&mut conn, "s", 300, 3).expect("leads");
        let index = gatehouse_api::leads::leads_index("s");
        let mut stmt = conn
            .prepare("SELECT rowid, priority, status, body FROM leads WHERE index_name = ?1")
            .expect("sql");
        let rows: Vec<(i64, i64, String, serde_json::Value)> = stmt
            .query_map([&index], |r| {
                let body: String = r.get(3)?;
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    serde_json::from_str(&body).unwrap_or_default(),
                ))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows");
        drop(stmt);
        let high = rows.iter().filter(|(_, p, s, _)| *p >= 8 && s == "active");
        let answer = count_sql(
            &conn,
            &query(r#"{"source":"leads","filter":{"status":"active","priority":{"gte":8}},"groupBy":"entityType","size":50}"#),
            &index,
            None,
        )
        .expect("answer");
        assert_eq!(answer.total, high.clone().count() as u64);
        let mut expected: HashMap<String, u64> = HashMap::new();
        for (_, _, _, body) in high {
            let kind = body["entity"]["type"]
                .as_str()
                .unwrap_or("none")
                .to_string();
            *expected.entry(kind).or_default() += 1;
        }
        assert_eq!(counts_by_key(&answer), expected);
        assert!(answer.total > 0 && answer.total < 300);

        // Only the visible rows count, with the same buckets a visible-only table would give.
        let visible: HashSet<i64> = rows
            .iter()
            .filter(|(rowid, ..)| rowid % 3 == 0)
            .map(|(rowid, ..)| *rowid)
            .collect();
        let by_priority = query(r#"{"source":"leads","groupBy":"priority","size":50}"#);
        let restricted = count_sql(&conn, &by_priority, &index, Some(&visible)).expect("answer");
        assert_eq!(restricted.total, visible.len() as u64);
        let summed: u64 = restricted.buckets.iter().map(|b| b.count).sum();
        assert_eq!(summed + restricted.other, restricted.total);
        let mut expected: HashMap<String, u64> = HashMap::new();
        for (rowid, priority, ..) in &rows {
            if visible.contains(rowid) {
                *expected.entry(priority.to_string()).or_default() += 1;
            }
        }
        assert_eq!(counts_by_key(&restricted), expected);
    }

    #[test]
    fn leads_over_time_add_up_to_the_total() {
        let mut conn = migrated();
        crate::leads::insert_synthetic_leads(&mut conn, "s", 200, 5).expect("leads");
        let index = gatehouse_api::leads::leads_index("s");
        for interval in ["hour", "day", "week"] {
            let q = query(&format!(
                r#"{{"source":"leads","interval":"{interval}","size":50}}"#
            ));
            let answer = count_sql(&conn, &q, &index, None).expect("answer");
            let summed: u64 = answer.buckets.iter().map(|b| b.count).sum();
            assert_eq!(summed + answer.other, answer.total, "{interval}");
            assert_eq!(answer.total, 200);
        }
    }

    #[test]
    fn users_by_role_count_each_role_and_each_user_once() {
        let conn = migrated();
        for (name, roles, enabled) in [
            ("a", r#"["viewer","editor"]"#, 1),
            ("b", r#"["viewer"]"#, 1),
            ("c", r#"[]"#, 0),
        ] {
            conn.execute(
                "INSERT INTO users (username, password_hash, roles, enabled, profile_uid, created_at) VALUES (?1, '', ?2, ?3, ?1, 0)",
                rusqlite::params![name, roles, enabled],
            )
            .expect("user");
        }
        let by_role = count_sql(
            &conn,
            &query(r#"{"source":"users","groupBy":"role"}"#),
            "",
            None,
        )
        .expect("answer");
        assert_eq!(by_role.total, 3);
        let keys: Vec<(&str, u64)> = by_role
            .buckets
            .iter()
            .map(|b| (b.key.as_str(), b.count))
            .collect();
        assert_eq!(keys, [("viewer", 2), ("editor", 1)]);
        let editors = count_sql(
            &conn,
            &query(r#"{"source":"users","filter":{"role":"editor","enabled":true},"groupBy":"enabled"}"#),
            "",
            None,
        )
        .expect("answer");
        assert_eq!(editors.total, 1);
        assert_eq!(editors.buckets[0].key, "true");
    }

    #[test]
    fn known_counts_are_filtered_and_grouped() {
        let counts = vec![("s1".to_string(), 4), ("s2".to_string(), 2)];
        let all = count_known(
            counts.clone(),
            &query(r#"{"source":"search","groupBy":"source"}"#),
            "source",
        );
        assert_eq!((all.total, all.buckets.len()), (6, 2));
        let one = count_known(
            counts,
            &query(r#"{"source":"search","filter":{"source":"s2"}}"#),
            "source",
        );
        assert_eq!((one.total, one.buckets.len()), (2, 0));
    }
}

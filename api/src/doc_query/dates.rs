//! Dates as a role's `range` on `timestamp` names them: RFC 3339 text or epoch milliseconds.

use serde_json::Value;

/// Epoch milliseconds of an RFC 3339 date (`2026-01-31`, `2026-01-31T10:00:00Z`,
/// `…T10:00:00.250+02:00`) or of a number of milliseconds.
pub fn date_millis_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => crate::instant::read(s.trim()).map(|read| read.millis),
        _ => None,
    }
}

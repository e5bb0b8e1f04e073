//! Dates as a role's `range` on `timestamp` names them: RFC 3339 text or epoch milliseconds.

use serde_json::Value;

/// Epoch milliseconds of an RFC 3339 date (`2026-01-31`, `2026-01-31T10:00:00Z`,
/// `…T10:00:00.250+02:00`) or of a number of milliseconds.
pub fn date_millis_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_rfc3339_millis(s.trim()),
        _ => None,
    }
}

fn digits(s: &str, range: std::ops::Range<usize>) -> Option<i64> {
    let part = s.get(range)?;
    part.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

fn parse_rfc3339_millis(s: &str) -> Option<i64> {
    let (year, month, day) = (digits(s, 0..4)?, digits(s, 5..7)?, digits(s, 8..10)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let mut millis = days * 86_400_000;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(millis);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (hour, minute) = (digits(rest, 0..2)?, digits(rest, 3..5)?);
    if rest.get(2..3)? != ":" || hour > 23 || minute > 59 {
        return None;
    }
    let mut at = 5;
    let mut second = 0;
    if rest.get(5..6) == Some(":") {
        second = digits(rest, 6..8)?;
        at = 8;
    }
    let mut fraction_ms = 0;
    if rest.get(at..at + 1) == Some(".") {
        let frac: String = rest[at + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if frac.is_empty() {
            return None;
        }
        at += 1 + frac.len();
        let padded = format!("{frac:0<3}");
        fraction_ms = padded[..3].parse().ok()?;
    }
    millis += ((hour * 60 + minute) * 60 + second) * 1000 + fraction_ms;
    let zone = &rest[at..];
    let offset_min = match zone {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match zone.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let (h, m) = (digits(zone, 1..3)?, digits(zone, 4..6)?);
            if zone.get(3..4)? != ":" || zone.len() != 6 {
                return None;
            }
            sign * (h * 60 + m)
        }
    };
    Some(millis - offset_min * 60_000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm); the audit
/// log's instants use it too.
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

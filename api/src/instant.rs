//! RFC 3339 dates and instants as text (`2026-01-02`, `2026-01-02T03:04`,
//! `2026-01-02T03:04:05.678+01:00`): the one reader behind the audit log's time filters
//! ([`crate::audit::parse_instant`]) and the dates a role's `range` names
//! ([`crate::doc_query::date_millis_of`]), the audit log's writer of instants, and the calendar
//! the panels' bucket keys are written with. Proleptic Gregorian calendar (Howard Hinnant's day
//! algorithms).

/// What [`read`] found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rfc3339 {
    /// The year as written, before the offset is applied.
    pub year: i64,
    /// Milliseconds since the epoch; a text without a zone is read as UTC.
    pub millis: i64,
    pub has_time: bool,
    pub has_zone: bool,
}

/// `YYYY-MM-DD`, then optionally `T` (or `t`, or a space) and `HH:MM[:SS[.fraction]]` with one
/// to nine digits of fraction (milliseconds are kept), then optionally `Z` or `±HH:MM`. A day
/// its month does not have, hour 24, a leap second and a fraction without seconds are refused;
/// so is a zone after a date alone. Whether a time or a zone must be there is the caller's rule.
pub(crate) fn read(text: &str) -> Option<Rfc3339> {
    let (year, month, day) = (fixed(text, 0..4)?, fixed(text, 5..7)?, fixed(text, 8..10)?);
    if text.get(4..5)? != "-"
        || text.get(7..8)? != "-"
        || !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
    {
        return None;
    }
    let date_millis = days_from_civil(year, month, day) * 86_400_000;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(Rfc3339 {
            year,
            millis: date_millis,
            has_time: false,
            has_zone: false,
        });
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (clock, offset_minutes) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, Some(0))
    } else if let Some(at) = rest.rfind(['+', '-']) {
        let (clock, zone) = rest.split_at(at);
        let (hours, minutes) = (fixed(zone, 1..3)?, fixed(zone, 4..6)?);
        if zone.len() != 6 || zone.get(3..4)? != ":" || hours > 23 || minutes > 59 {
            return None;
        }
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        (clock, Some(sign * (hours * 60 + minutes)))
    } else {
        (rest, None)
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let mut parts = hms.split(':');
    let hour = parts.next().filter(|h| h.len() == 2).and_then(digits)?;
    let minute = parts.next().filter(|m| m.len() == 2).and_then(digits)?;
    let second = match (parts.next(), fraction) {
        (Some(s), _) => Some(s).filter(|s| s.len() == 2).and_then(digits)?,
        (None, None) => 0,
        (None, Some(_)) => return None,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let fraction_millis = match fraction {
        None => 0,
        Some(f) if (1..=9).contains(&f.len()) && digits(f).is_some() => {
            digits(&format!("{f:0<3}")[..3])?
        }
        Some(_) => return None,
    };
    let time_millis = ((hour * 60 + minute) * 60 + second) * 1_000 + fraction_millis;
    Some(Rfc3339 {
        year,
        millis: date_millis + time_millis - offset_minutes.unwrap_or(0) * 60_000,
        has_time: true,
        has_zone: offset_minutes.is_some(),
    })
}

/// `2026-01-02T03:04:05.678Z`: milliseconds since the epoch in UTC, as the audit log writes
/// `@timestamp`.
pub fn format_instant(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1_000 % 60,
        in_day % 1_000
    )
}

/// The whole of `text`, all ASCII digits, as a number.
fn digits(text: &str) -> Option<i64> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// The digits at `range` of `text`.
fn fixed(text: &str, range: std::ops::Range<usize>) -> Option<i64> {
    text.get(range).and_then(digits)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(text: &str) -> Option<i64> {
        read(text).map(|r| r.millis)
    }

    #[test]
    fn a_date_alone_a_time_without_zone_and_a_zone_are_told_apart() {
        let date = read("2026-01-02").expect("a date");
        assert_eq!((date.has_time, date.has_zone), (false, false));
        let local = read("2026-01-02T03:04").expect("a time without zone");
        assert_eq!((local.has_time, local.has_zone), (true, false));
        let zoned = read("2026-01-02 03:04:05-02:30").expect("a space before the time");
        assert_eq!(
            (zoned.year, zoned.has_time, zoned.has_zone),
            (2026, true, true)
        );
        assert_eq!(local.millis, date.millis + (3 * 60 + 4) * 60_000);
        assert_eq!(millis("2026-01-02T03:04Z"), Some(local.millis));
        assert_eq!(
            millis("2026-01-02T03:04:05-02:30"),
            Some(local.millis + 5_000 + 150 * 60_000)
        );
    }

    #[test]
    fn fractions_keep_milliseconds_up_to_nanoseconds() {
        assert_eq!(millis("1970-01-01T00:00:00.5Z"), Some(500));
        assert_eq!(millis("1970-01-01T00:00:00.123456789Z"), Some(123));
        assert_eq!(millis("1970-01-01T00:00:00.1234567890Z"), None);
        assert_eq!(millis("1970-01-01T00:00.5Z"), None);
        assert_eq!(millis("1970-01-01T00:00:00.Z"), None);
    }

    #[test]
    fn what_is_not_a_date_or_time_is_refused() {
        for text in [
            "",
            "yesterday",
            "2026-1-02",
            "2026-13-01",
            "2026-04-31",
            "2023-02-29",
            "2026-01-02Z",
            "2026-01-02T",
            "2026-01-02T24:00Z",
            "2026-01-02T03:60Z",
            "2026-01-02T03:04:60Z",
            "2026-01-02T03:04:05+0100",
            "2026-01-02T03:04:05+24:00",
            "2026-01-02T03:04:05:06Z",
            "2026-01-02x03:04Z",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
        assert!(read("2024-02-29").is_some());
    }

    #[test]
    fn days_and_dates_convert_both_ways() {
        for days in [-719_468, -1, 0, 1, 19_724, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(format_instant(-1), "1969-12-31T23:59:59.999Z");
    }
}

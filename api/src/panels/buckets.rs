//! Turning counts into a [`super::PanelAnswer`]'s buckets: the largest values first for a
//! `groupBy`, contiguous time buckets (UTC) for an `interval` (docs/panels.md, "Answers").

use std::collections::BTreeMap;

use super::{PanelBucket, TimeInterval};

const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;
const WEEK_MS: i64 = 7 * DAY_MS;
/// 1970-01-01 was a Thursday: the first Monday is four days later.
const FIRST_MONDAY_MS: i64 = 4 * DAY_MS;

impl TimeInterval {
    /// Width of one bucket in milliseconds.
    pub fn width_ms(self) -> i64 {
        match self {
            TimeInterval::Hour => HOUR_MS,
            TimeInterval::Day => DAY_MS,
            TimeInterval::Week => WEEK_MS,
        }
    }

    /// The start of the bucket holding `ts_ms` (UTC; weeks start on Monday, as ISO 8601's do).
    pub fn bucket_start(self, ts_ms: i64) -> i64 {
        match self {
            TimeInterval::Week => {
                (ts_ms - FIRST_MONDAY_MS).div_euclid(WEEK_MS) * WEEK_MS + FIRST_MONDAY_MS
            }
            other => ts_ms.div_euclid(other.width_ms()) * other.width_ms(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TimeInterval::Hour => "hour",
            TimeInterval::Day => "day",
            TimeInterval::Week => "week",
        }
    }
}

/// `ms` since the epoch as `2026-12-06T05:00:00Z`.
pub fn iso_time(ms: i64) -> String {
    let (year, month, day) = crate::instant::civil_from_days(ms.div_euclid(DAY_MS));
    let in_day = ms.rem_euclid(DAY_MS) / 1000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

/// The largest `size` counts (ties by key), and how many matches the rest hold.
pub fn top_buckets(counts: Vec<(String, u64)>, size: u32) -> (Vec<PanelBucket>, u64) {
    let mut counts = counts;
    counts.retain(|(_, n)| *n > 0);
    counts.sort_by(|(ka, na), (kb, nb)| nb.cmp(na).then_with(|| ka.cmp(kb)));
    let keep = counts.len().min(size as usize);
    let other = counts[keep..].iter().map(|(_, n)| n).sum();
    counts.truncate(keep);
    let buckets = counts
        .into_iter()
        .map(|(key, count)| PanelBucket {
            key,
            label: None,
            count,
        })
        .collect();
    (buckets, other)
}

/// The latest `size` buckets up to the last one with a match, oldest first, empty ones in
/// between included (a line over time shows its gaps); and how many matches earlier buckets
/// hold. `counts` is keyed by bucket start.
pub fn time_buckets(
    counts: &BTreeMap<i64, u64>,
    interval: TimeInterval,
    size: u32,
) -> (Vec<PanelBucket>, u64) {
    let Some((&last, _)) = counts.iter().next_back() else {
        return (Vec::new(), 0);
    };
    let first = counts.keys().next().copied().unwrap_or(last);
    let width = interval.width_ms();
    let mut buckets = Vec::new();
    let mut start = last;
    // Weeks and days are fixed widths in UTC, so stepping back lands on bucket starts.
    while buckets.len() < size as usize && start >= first {
        buckets.push(PanelBucket {
            key: iso_time(start),
            label: None,
            count: counts.get(&start).copied().unwrap_or(0),
        });
        start -= width;
    }
    buckets.reverse();
    let other = counts.range(..=start).map(|(_, n)| n).sum();
    (buckets, other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_utc_iso_8601() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(1_796_536_500_000), "2026-12-06T05:55:00Z");
        assert_eq!(iso_time(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn buckets_start_on_the_hour_the_day_and_monday() {
        let t = 1_796_536_500_000; // Sunday 2026-12-06 05:55 UTC
        assert_eq!(
            iso_time(TimeInterval::Hour.bucket_start(t)),
            "2026-12-06T05:00:00Z"
        );
        assert_eq!(
            iso_time(TimeInterval::Day.bucket_start(t)),
            "2026-12-06T00:00:00Z"
        );
        assert_eq!(
            iso_time(TimeInterval::Week.bucket_start(t)),
            "2026-11-30T00:00:00Z"
        );
        let monday = TimeInterval::Week.bucket_start(t);
        assert_eq!(TimeInterval::Week.bucket_start(monday), monday);
    }

    #[test]
    fn the_largest_groups_come_first_and_the_rest_is_counted() {
        let counts = vec![
            ("b".to_string(), 3),
            ("a".to_string(), 3),
            ("c".to_string(), 9),
            ("d".to_string(), 1),
            ("e".to_string(), 0),
        ];
        let (buckets, other) = top_buckets(counts, 2);
        let keys: Vec<(&str, u64)> = buckets.iter().map(|b| (b.key.as_str(), b.count)).collect();
        assert_eq!(keys, [("c", 9), ("a", 3)]);
        assert_eq!(other, 4);
    }

    #[test]
    fn time_buckets_are_contiguous_and_the_latest_kept() {
        let day = TimeInterval::Day.width_ms();
        let counts = BTreeMap::from([(0, 2), (2 * day, 5), (3 * day, 1)]);
        let (buckets, other) = time_buckets(&counts, TimeInterval::Day, 10);
        let got: Vec<u64> = buckets.iter().map(|b| b.count).collect();
        assert_eq!(got, [2, 0, 5, 1], "the empty day is shown");
        assert_eq!(other, 0);
        assert_eq!(buckets[0].key, "1970-01-01T00:00:00Z");
        let (buckets, other) = time_buckets(&counts, TimeInterval::Day, 2);
        assert_eq!(buckets.iter().map(|b| b.count).collect::<Vec<_>>(), [5, 1]);
        assert_eq!(other, 2, "the first day's two leads are outside");
        assert_eq!(
            time_buckets(&BTreeMap::new(), TimeInterval::Hour, 5),
            (Vec::new(), 0)
        );
    }
}

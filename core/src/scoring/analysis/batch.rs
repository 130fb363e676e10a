//! Large data for the dashboard: tallies per segment from parallel arrays (scores and segment
//! ids — indexes into the caller's list of segments — as `NpsWidget.scoreSegments` takes them), and the period (day, ISO week, month) a
//! response's time falls in, in the manager's time zone.

use crate::contract::rules::MAX_SEGMENTS;
pub use crate::contract::time::{civil_from_days, days_from_civil};
use crate::scoring::score::{Score, ScoreError, Tally};

/// Why a batch cannot be scored.
#[derive(Clone, Debug, PartialEq)]
pub enum BatchError {
    /// `segments` is not as long as `scores`.
    Lengths { scores: usize, segments: usize },
    /// A score outside 0–10, with its index.
    Score(ScoreError),
    /// A segment id that is not an index below `MAX_SEGMENTS`.
    Segment { index: usize, id: u32 },
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::Lengths { scores, segments } => write!(
                f,
                "segments has {segments} ids for {scores} scores: give one segment id per score"
            ),
            BatchError::Score(e) => e.fmt(f),
            BatchError::Segment { index, id } => write!(
                f,
                "segment at index {index} is {id}: segment ids are indexes into your list of segments, from 0 to {}",
                MAX_SEGMENTS - 1
            ),
        }
    }
}

/// Tallies per segment id, in id order: `scores[i]` belongs to `segments[i]`.
pub fn tally_segments(scores: &[u8], segments: &[u32]) -> Result<Vec<(u32, Tally)>, BatchError> {
    if scores.len() != segments.len() {
        return Err(BatchError::Lengths {
            scores: scores.len(),
            segments: segments.len(),
        });
    }
    // One pass finds the highest id; a second counts, with a table from score to category
    // (3 for a score off the scale, found afterwards): no branch per response.
    let max = segments.iter().copied().max().unwrap_or(0);
    if max >= MAX_SEGMENTS {
        let index = segments
            .iter()
            .position(|g| *g >= MAX_SEGMENTS)
            .unwrap_or(0);
        return Err(BatchError::Segment {
            index,
            id: segments[index],
        });
    }
    // Ids are indexes: counted into a vector at most `MAX_SEGMENTS` long (no map or sort,
    // whose code would weigh on the widget, which exports this).
    let bucket = buckets();
    let mut counts = vec![[0u64; 4]; max as usize + 1];
    for (s, g) in scores.iter().zip(segments) {
        counts[*g as usize][bucket[*s as usize] as usize] += 1;
    }
    if counts.iter().any(|c| c[3] > 0) {
        return Err(first_off_scale(scores));
    }
    Ok(counts
        .into_iter()
        .enumerate()
        .filter(|(_, c)| c.iter().any(|n| *n > 0))
        .map(|(g, c)| (g as u32, from_counts([c[0], c[1], c[2]])))
        .collect())
}

/// The tally of a whole batch of scores (a `Uint8Array` as `NpsWidget.score` takes it): one
/// pass counting each byte, then the categories from the counts; a score off the scale is
/// an error naming its index.
pub fn tally_bytes(scores: &[u8]) -> Result<Tally, BatchError> {
    let mut counts = [0u64; 256];
    for s in scores {
        counts[*s as usize] += 1;
    }
    let bucket = buckets();
    let mut c = [0u64; 4];
    for (value, n) in counts.iter().enumerate() {
        c[bucket[value] as usize] += n;
    }
    if c[3] > 0 {
        return Err(first_off_scale(scores));
    }
    Ok(from_counts([c[0], c[1], c[2]]))
}

/// The error naming the first score off the scale (counting found one: looked for only then).
fn first_off_scale(scores: &[u8]) -> BatchError {
    let i = scores
        .iter()
        .position(|s| Score::new(*s).is_none())
        .unwrap_or(0);
    BatchError::Score(ScoreError {
        value: scores.get(i).map(u8::to_string).unwrap_or_default(),
        index: Some(i),
    })
}

/// A table from a score to its category as 0 detractor, 1 passive, 2 promoter; 3 off the
/// scale (built from `Score::category`, which owns the boundaries).
fn buckets() -> [u8; 256] {
    let mut t = [3u8; 256];
    for s in Score::all() {
        t[s.get() as usize] = s.category() as u8;
    }
    t
}

fn from_counts(c: [u64; 3]) -> Tally {
    Tally {
        detractors: c[0],
        passives: c[1],
        promoters: c[2],
    }
}

/// The periods of a trend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// `2026-11-24`
    Day,
    /// ISO 8601 week: `2026-W48`
    Week,
    /// `2026-11`
    Month,
}

/// Minutes since 1970-01-01T00:00Z of an RFC 3339 time (`2026-11-24T08:30:00.000Z`, or with
/// an offset such as `+08:00`); `None` if the text is not one (`time::Time::parse`).
pub fn minutes_of(at: &str) -> Option<i64> {
    crate::contract::time::Time::parse(at).map(crate::contract::time::Time::unix_minutes)
}

/// The local day (days since 1970-01-01) of a time in minutes, `offset_minutes` east of UTC.
pub fn local_day(minutes: i64, offset_minutes: i32) -> i64 {
    (minutes + offset_minutes as i64).div_euclid(1440)
}

/// The first day of the period a local day falls in (a Monday for ISO weeks, the 1st for
/// months).
pub fn period_start(day: i64, period: Period) -> i64 {
    match period {
        Period::Day => day,
        Period::Week => day - (day + 3).rem_euclid(7),
        Period::Month => {
            let (y, m, _) = civil_from_days(day);
            days_from_civil(y, m, 1)
        }
    }
}

/// The period an RFC 3339 time (`2026-11-24T08:30:00.000Z`) falls in, `offset_minutes` east of
/// UTC (480 for China); `None` if the text does not start with a date and time.
pub fn period_of(at: &str, period: Period, offset_minutes: i32) -> Option<String> {
    Some(period_of_minutes(minutes_of(at)?, period, offset_minutes))
}

/// `period_of` for a time in minutes since 1970-01-01T00:00Z (a stored time's nanoseconds
/// divided down).
pub fn period_of_minutes(minutes: i64, period: Period, offset_minutes: i32) -> String {
    let days = local_day(minutes, offset_minutes);
    let (y, m, d) = civil_from_days(days);
    match period {
        Period::Day => format!("{y:04}-{m:02}-{d:02}"),
        Period::Month => format!("{y:04}-{m:02}"),
        Period::Week => {
            // ISO: the week with the year's first Thursday is week 1; Monday starts a week.
            let thursday = period_start(days, Period::Week) + 3;
            let (iso_year, _, _) = civil_from_days(thursday);
            let week = (thursday - days_from_civil(iso_year, 1, 1)) / 7 + 1;
            format!("{iso_year:04}-W{week:02}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_per_segment() {
        let scores = [10, 9, 7, 3, 0, 10, 8];
        let segs = [0, 0, 0, 1, 1, 2, 2];
        let out = tally_segments(&scores, &segs).unwrap();
        let t = |p, q, d| Tally {
            promoters: p,
            passives: q,
            detractors: d,
        };
        assert_eq!(out, vec![(0, t(2, 1, 0)), (1, t(0, 0, 2)), (2, t(1, 1, 0))]);
        let far = tally_segments(&[9, 2], &[MAX_SEGMENTS - 1, 7]).unwrap();
        assert_eq!(far, vec![(7, t(0, 0, 1)), (MAX_SEGMENTS - 1, t(1, 0, 0))]);
        assert_eq!(
            tally_segments(&[9, 2], &[0, 4_000_000_000]).unwrap_err().to_string(),
            "segment at index 1 is 4000000000: segment ids are indexes into your list of segments, from 0 to 65535"
        );
        assert_eq!(tally_segments(&[], &[]).unwrap(), vec![]);
        assert_eq!(
            tally_segments(&[1, 2], &[0]).unwrap_err().to_string(),
            "segments has 1 ids for 2 scores: give one segment id per score"
        );
        assert_eq!(
            tally_segments(&[1, 11], &[0, 0]).unwrap_err().to_string(),
            "score at index 1 is 11: expected an integer from 0 to 10"
        );
    }

    #[test]
    fn periods_in_the_managers_time_zone() {
        // ISO weeks checked against Python's date.isocalendar().
        let rows = [
            ("2026-01-01T10:00:00Z", Period::Week, 0, "2026-W01"),
            ("2024-12-30T10:00:00Z", Period::Week, 0, "2025-W01"),
            ("2021-01-03T10:00:00Z", Period::Week, 0, "2020-W53"),
            ("2026-11-24T08:30:00.000Z", Period::Week, 0, "2026-W48"),
            ("2027-01-03T10:00:00Z", Period::Week, 0, "2026-W53"),
            ("2026-11-24T08:30:00.000Z", Period::Day, 0, "2026-11-24"),
            // 20:00 UTC on the last of the month is the next month in Beijing.
            ("2026-11-30T20:00:00Z", Period::Day, 480, "2026-12-01"),
            ("2026-11-30T20:00:00Z", Period::Month, 480, "2026-12"),
            ("2026-11-30T20:00:00Z", Period::Month, 0, "2026-11"),
            ("2026-03-01T02:00:00Z", Period::Day, -300, "2026-02-28"),
            ("2024-02-29T12:00:00Z", Period::Day, 0, "2024-02-29"),
        ];
        for (at, period, offset, want) in rows {
            assert_eq!(
                period_of(at, period, offset).as_deref(),
                Some(want),
                "{at} {period:?} {offset}"
            );
        }
        assert_eq!(period_of("yesterday", Period::Day, 0), None);
        // An offset in the text is honoured: 08:30 in Beijing is 00:30 UTC.
        assert_eq!(
            minutes_of("2026-11-24T08:30:00+08:00"),
            minutes_of("2026-11-24T00:30:00.000Z")
        );
        assert_eq!(
            minutes_of("2026-11-23T19:30:00-05:00"),
            minutes_of("2026-11-24T00:30:00Z")
        );
        assert_eq!(minutes_of("1970-01-02T00:01:00Z"), Some(1441));
        assert_eq!(minutes_of("2026-11-24T24:00:00Z"), None);
        let day = local_day(minutes_of("2026-11-26T10:00:00Z").unwrap(), 0);
        assert_eq!(
            civil_from_days(period_start(day, Period::Week)),
            (2026, 11, 23)
        );
        assert_eq!(
            civil_from_days(period_start(day, Period::Month)),
            (2026, 11, 1)
        );
        assert_eq!(period_of("2026-13-01T00:00:00Z", Period::Day, 0), None);
    }
}

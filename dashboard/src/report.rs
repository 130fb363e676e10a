//! Everything the page shows, computed in one pass set from the records and the view: the
//! headline (NPS, its interval, n, "not enough data") and its change against the previous
//! period of the same length with a verdict; the segment table worst first against the rest;
//! the drivers; the trend by week or month with intervals; and the latest comments (the
//! detractors to call back are the collector's cases: `cases`). Flagged answers and dismissals
//! without a score never count; the flagged ones of the view are counted per reason
//! (`left_out`) so the headline can say so. The target the headline is held to is the
//! view's (`targets`). The region and the city of an answer are its store's in the
//! brand's org (`places`), for the table's grouping and the view's filters. The pass reads the
//! answers' compact index (`compact::Index`: days, categories and ids), not the records: only
//! the comments of the view are read from them.

use nps_core::scoring::analysis::{
    self, compare, local_day, period_start, Difference, Driver, Lever, Period, Segment,
};

use nps_core::contract::context::Dimension;
use nps_core::scoring::score::{Nps, Tally};

use crate::compact::{Answer, Index};
use crate::data::{LeftOut, Record};
use crate::filters::{By, Filters};
use crate::places::Places;
use nps_core::org::{Org, Target};

pub mod targets;

/// Days in the range when the view does not say: the 90 days up to the latest answer.
pub const DEFAULT_DAYS: i64 = 90;
/// Comments shown, latest first.
pub const LATEST_COMMENTS: usize = 50;

/// A point of the trend: a week or a month.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Its first local day.
    pub start: i64,
    pub tally: Tally,
    pub nps: Option<Nps>,
    pub enough: bool,
}

/// The choices the filters offer: what is in the data. All but the org's regions and cities
/// depend on the answers alone (`Index::options`, once per set of answers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The first local day with an answer ("all" dates start here).
    pub first_day: Option<i64>,
    /// The last local day with an answer (the default range ends here).
    pub latest_day: Option<i64>,
    pub surveys: Vec<String>,
    pub codes: [Vec<String>; Dimension::ALL.len()],
    /// The org's regions (ids) and cities (those of the region picked, or all), in its
    /// order; empty when it has no regions, so the page offers neither.
    pub regions: Vec<String>,
    pub cities: Vec<String>,
}

/// What the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The range (local days, inclusive) and the previous period of the same length.
    pub from: i64,
    pub to: i64,
    pub previous_from: i64,
    pub previous_to: i64,
    pub tally: Tally,
    pub nps: Option<Nps>,
    pub enough: bool,
    pub min_n: u64,
    pub previous: Tally,
    pub change: Option<Difference>,
    /// Flagged answers of the view in the range, left out, by `LeftOut::index`.
    pub left_out: [usize; LeftOut::ALL.len()],
    /// The target the headline is held to: the store's, region's or brand's of the view.
    pub target: Option<Target>,
    pub segments: Vec<Segment>,
    pub drivers: Vec<Driver>,
    pub trend: Vec<Point>,
    /// Indexes into the records, latest first.
    pub comments: Vec<usize>,
    pub options: Options,
    /// What the view asks of the org that it does not have (`Filters::problems_with`).
    pub problems: Vec<String>,
}

/// The time zone, the clock and the promise the report is built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    /// Minutes since the epoch, now.
    pub now: i64,
    /// The manager's time zone, minutes east of UTC.
    pub offset: i32,
    /// Fewer answers than this: "not enough data".
    pub min_n: u64,
}

fn enough(t: &Tally, min_n: u64) -> bool {
    t.n() >= min_n
}

/// `id` seen: still the one (`Some(Some)`) or one of many (`Some(None)`).
fn one_of(sole: &mut Option<Option<u32>>, id: u32) {
    *sole = match *sole {
        None => Some(Some(id)),
        Some(Some(one)) if one == id => Some(Some(one)),
        _ => Some(None),
    };
}

/// The next period's first day.
fn next_start(start: i64, period: Period) -> i64 {
    match period {
        Period::Day => start + 1,
        Period::Week => start + 7,
        // The 1st of a month plus 31 days is in the next month.
        Period::Month => period_start(start + 31, Period::Month),
    }
}

/// The report of `records` in the view `f`, placed in `org` (the names' `hierarchy`), with
/// its index and options computed now (`Index::new`, `Index::options`); the page keeps them
/// and calls `build_with`.
pub fn build(records: &[Record], org: &Org, f: &Filters, cx: Context) -> Report {
    let index = Index::new(records, org, cx.offset);
    build_with(records, &index, &index.options(), org, f, cx)
}

/// The report of `records` in the view `f`, placed in `org`, with `index` and `options` the
/// answers' own (`Index::of` with `org` in `cx.offset`, its `options`): one pass over
/// the index's answers of the range and the period before it, the records read only for the
/// comments of the view.
pub fn build_with(
    records: &[Record],
    index: &Index,
    options: &Options,
    org: &Org,
    f: &Filters,
    cx: Context,
) -> Report {
    debug_assert!(index.fits(records, cx.offset), "the records' own index");
    let places = Places::new(org);
    let latest_or_today = options
        .latest_day
        .unwrap_or_else(|| local_day(cx.now, cx.offset));
    let to = f.to.unwrap_or(latest_or_today);
    let from = f.from.unwrap_or(to - (DEFAULT_DAYS - 1)).min(to);
    let len = to - from + 1;
    let (previous_from, previous_to) = (from - len, from - 1);

    let mut trend = Vec::new();
    let mut start = period_start(from, f.trend);
    while start <= to {
        trend.push(Point {
            start,
            tally: Tally::default(),
            nps: None,
            enough: false,
        });
        start = next_start(start, f.trend);
    }
    // Each day's point of the trend, worked out once per day.
    let point_of = index.by_day(from, to, |day| {
        let start = period_start(day, f.trend);
        trend.iter().rposition(|p| p.start == start)
    });

    let mut options = options.clone();
    let (mut tally, mut previous) = (Tally::default(), Tally::default());
    let mut left_out = [0; LeftOut::ALL.len()];
    // The one store and region every counted answer of the range is of (`Some(None)`: many).
    let (mut sole_store, mut sole_region): (Option<Option<u32>>, Option<Option<u32>>) =
        (None, None);
    // A segment's place in `by_code`, by its group's id (`NONE` until it has an answer).
    const NONE: usize = usize::MAX;
    let groups = index.groups(f.by);
    let mut by_code: Vec<(String, Tally)> = Vec::new();
    let mut segment_of = vec![NONE; groups.len()];
    let mut by_reason = vec![Tally::default(); index.reason_names().len()];
    // The comments' reason, as an id (`Some(None)`: one no answer chose, so none is shown).
    let reason = f.reason.as_ref().map(|r| index.reason_names().id(r));
    let mut commented: Vec<usize> = Vec::new();
    let wanted = index.wanted(f);
    // Nothing outside the previous period and the range counts (`previous_from` ≤ `to`).
    for i in index.range(previous_from, to) {
        let day = index.day(i);
        if !wanted.keeps(i) {
            continue;
        }
        let category = match index.answer(i) {
            Answer::Scored(category) => category,
            Answer::Unscored => continue,
            Answer::LeftOut(why) => {
                if day >= from {
                    left_out[why.index()] += 1;
                }
                continue;
            }
        };
        if day <= previous_to {
            previous.add(category);
            continue;
        }
        tally.add(category);
        one_of(&mut sole_store, index.code(Dimension::Store, i));
        one_of(&mut sole_region, index.group(By::Region, i));
        let group = index.group(f.by, i);
        let at = &mut segment_of[group as usize];
        if *at == NONE {
            *at = by_code.len();
            by_code.push((groups.name(group).to_owned(), Tally::default()));
        }
        by_code[*at].1.add(category);
        for &r in index.reasons(i) {
            by_reason[r as usize].add(category);
        }
        if let Some(p) = point_of.get(day) {
            trend[p].tally.add(category);
        }
        if index.commented(i)
            && f.comments.is_none_or(|want| want == category)
            && reason.is_none_or(|want| want.is_some_and(|r| index.reasons(i).contains(&r)))
        {
            commented.push(index.position(i));
        }
    }
    (options.regions, options.cities) = match places.has_regions() {
        true => (places.regions(), places.cities(f.region.as_deref())),
        false => Default::default(),
    };

    let chosen = by_reason.into_iter().enumerate().filter(|(_, t)| t.n() > 0);
    let names = index.reason_names();
    let drivers = analysis::drivers_from(
        &tally,
        chosen
            .map(|(r, t)| (names.name(r as u32).to_owned(), t))
            .collect(),
    );

    for p in &mut trend {
        p.nps = p.tally.nps();
        p.enough = enough(&p.tally, cx.min_n);
    }

    let search = f.search.to_lowercase();
    let mut comments: Vec<usize> = commented
        .into_iter()
        .filter(|&i| {
            search.is_empty()
                || records[i]
                    .comment
                    .as_ref()
                    .is_some_and(|c| c.to_lowercase().contains(&search))
        })
        .collect();
    comments.sort_by_key(|&i| std::cmp::Reverse((records[i].created, i)));
    comments.truncate(LATEST_COMMENTS);

    Report {
        from,
        to,
        previous_from,
        previous_to,
        nps: tally.nps(),
        enough: enough(&tally, cx.min_n),
        min_n: cx.min_n,
        change: compare(&tally, &previous),
        tally,
        previous,
        left_out,
        target: targets::of_view(
            org,
            f,
            targets::Sole {
                store: sole_store
                    .flatten()
                    .map(|s| index.codes(Dimension::Store).name(s)),
                region: sole_region
                    .flatten()
                    .map(|r| index.groups(By::Region).name(r)),
            },
        ),
        segments: analysis::segments(by_code, cx.min_n),
        drivers,
        trend,
        comments,
        options,
        problems: f.problems_with(&places),
    }
}

/// The largest "enough data" threshold a page may set.
pub const MAX_MIN_N: u64 = 10_000;

/// Reads a page's `data-min-n`: a whole number from 1 to `MAX_MIN_N`.
pub fn min_n(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=MAX_MIN_N).contains(n))
        .ok_or_else(|| {
            format!(
                "data-min-n is {text:?}: expected a whole number from 1 to {MAX_MIN_N} (default {})",
                analysis::DEFAULT_MIN_N
            )
        })
}

impl Report {
    /// The answers left out, all reasons together.
    pub fn left_out_total(&self) -> usize {
        self.left_out.iter().sum()
    }
}

/// How a score reads at a glance (its colour).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grade {
    Good,
    Fair,
    Poor,
}

/// From this NPS a score is good (green); below `FAIR_FROM` it is poor (red).
pub const GOOD_FROM: f64 = 50.0;
pub const FAIR_FROM: f64 = 0.0;

pub fn grade(nps: f64) -> Grade {
    if nps >= GOOD_FROM {
        Grade::Good
    } else if nps >= FAIR_FROM {
        Grade::Fair
    } else {
        Grade::Poor
    }
}

/// The what-if panel's starting levers for a tally: detractors halved, promoters ten points
/// up, half the passives converted (as shares in %).
pub fn default_levers(t: &Tally) -> [Lever; 3] {
    let n = t.n().max(1) as f64;
    let share = |x: u64| 100.0 * x as f64 / n;
    [
        Lever::DetractorsTo((share(t.detractors) / 2.0).round()),
        Lever::PromotersTo((share(t.promoters) + 10.0).min(100.0).round()),
        Lever::ConvertPassives(50.0),
    ]
}

#[cfg(test)]
mod tests;

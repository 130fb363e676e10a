//! The places table: the brand drilled region → city → store → advisor, a row per place of
//! one level with its NPS and interval, n, a trend sparkline, the response rate, the open
//! cases and the target. Pure: the records (their compact index, `compact::Index`), the org,
//! the view and the collector's figures (`Reach`: `GET /api/funnel` and `GET
//! /api/cases/stats`, by store or advisor) come in; the rows, searched and sorted, come out.
//!
//! The level shown is the view's `level`, else the one under the deepest place picked: no
//! place → regions, a region → its cities, a city → its stores, a store → its advisors (an
//! org without regions, a names file's, starts at the stores). Drilling into a row is setting
//! the view's region, city or store filter (`drill_into`), so the link keeps it and every
//! section of the page follows; `up_to` goes back up the crumbs.
//!
//! The rows add up: every answer the view keeps is in exactly one row of the level (a store
//! the org does not place is in the "(none given)" region or city), and a place of the org
//! with no answer in the range has its row, with n 0. A region's or city's response rate is
//! its stores' answered over their invited (the collector's counts, summed); its open cases
//! are its stores'. No grade, colour or "vs target" below `min_n`.

use std::collections::HashMap;

use nps_core::contract::context::Dimension;
use nps_core::org::Org;
use nps_core::scoring::analysis::{period_start, Period};
use nps_core::scoring::score::{Nps, Tally};

use crate::cases::stats::Stat;
use crate::compact::{Answer, Index};
use crate::data::Record;
use crate::filters::Filters;
use crate::places::{region_name, Places};
use crate::report::Context;

mod view;

#[cfg(test)]
mod tests;

pub use view::{drill_into, level_of, sort, up_to, Level, Sort};

/// Rows shown at first, and added by each "show more": 640 stores stay fast.
pub const PAGE: usize = 50;

/// The collector's counts for a store or an advisor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub invited: u64,
    pub answered: u64,
    pub open: u64,
}

/// The collector's figures for the rows, by store and by advisor code; `None` while not
/// asked or not given (a dropped export has neither): the column shows "—".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reach {
    /// Invited and answered (`GET /api/funnel?by=…`).
    pub funnel: Option<HashMap<String, Counts>>,
    /// Open cases (`GET /api/cases/stats?by=…`).
    pub cases: Option<HashMap<String, Counts>>,
}

impl Reach {
    /// The collector's answers as they arrived: `GET /api/funnel`'s rows and `GET
    /// /api/cases/stats`'s, by store or by advisor (`None`: not, or not yet, given).
    pub fn of(funnel: Option<&[crate::funnel::Row]>, cases: Option<&[Stat]>) -> Reach {
        Reach {
            funnel: funnel.map(|rows| {
                rows.iter()
                    .map(|r| {
                        let c = Counts {
                            invited: r.invited,
                            answered: r.answered,
                            open: 0,
                        };
                        (r.key.clone(), c)
                    })
                    .collect()
            }),
            cases: cases.map(|rows| {
                rows.iter()
                    .map(|s| {
                        let c = Counts {
                            open: s.open,
                            ..Counts::default()
                        };
                        (s.key.clone(), c)
                    })
                    .collect()
            }),
        }
    }
}

/// A place and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The region's id, the city's name, the store's or the advisor's code ("" for none).
    pub code: String,
    /// The org's name for it ("" where it has none: the code is shown).
    pub name: String,
    pub tally: Tally,
    pub nps: Option<Nps>,
    /// At least `min_n` answers: only then a grade, a colour or "vs target".
    pub enough: bool,
    /// NPS per period of the trend (`None` where it has no answer).
    pub spark: Vec<Option<f64>>,
    /// answered / invited, from the collector's counts (`None`: nobody invited, or not known).
    pub rate: Option<f64>,
    pub invited: u64,
    pub answered: u64,
    /// Open cases now (`None`: not known).
    pub open: Option<u64>,
    /// The org's target (regions and stores have one).
    pub target: Option<i64>,
    /// NPS − target, in points, only with enough answers.
    pub vs_target: Option<f64>,
}

/// The table of one level.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub level: Level,
    /// Every row of the level before the search (the rows add up to the view's answers).
    pub total: usize,
    /// The rows the search finds, sorted.
    pub rows: Vec<Row>,
    /// The first day of each period of the sparklines.
    pub periods: Vec<i64>,
}

/// Whether `text` finds a row: its name or its code contains it, letters in either case
/// (深圳, sz-0, Shenzhen).
pub fn finds(row: &Row, text: &str) -> bool {
    let text = text.trim().to_lowercase();
    text.is_empty()
        || row.name.to_lowercase().contains(&text)
        || row.code.to_lowercase().contains(&text)
}

/// The rows of the view's level for the answers in `from..=to` (the report's range), found
/// by its `find` and in its `sort` (the records' index built here; the page keeps its own).
pub fn build(
    records: &[Record],
    org: &Org,
    f: &Filters,
    cx: Context,
    range: (i64, i64),
    reach: &Reach,
) -> Table {
    let index = Index::new(records, org, cx.offset);
    every_row(&index, org, f, cx, range, reach).found(&f.find, f.sort)
}

impl Table {
    /// The rows `find` finds, sorted by `by` (the page keeps `every_row` while only the
    /// search or the order changes).
    pub fn found(&self, find: &str, by: Sort) -> Table {
        let mut rows: Vec<Row> = self
            .rows
            .iter()
            .filter(|r| finds(r, find))
            .cloned()
            .collect();
        sort(&mut rows, by);
        Table {
            rows,
            periods: self.periods.clone(),
            ..*self
        }
    }
}

/// Every row of the view's level, in the org's order (its `find` and `sort` aside), from the
/// answers' `index` (`Index::new` with `org`, in `cx.offset`).
pub fn every_row(
    index: &Index,
    org: &Org,
    f: &Filters,
    cx: Context,
    (from, to): (i64, i64),
    reach: &Reach,
) -> Table {
    let places = Places::new(org);
    let level = level_of(f, places.has_regions());
    let mut periods = Vec::new();
    let mut start = period_start(from, f.trend);
    while start <= to {
        periods.push(start);
        start = match f.trend {
            Period::Month => period_start(start + 31, Period::Month),
            _ => start + 7,
        };
    }
    let in_view = |store: &str| {
        f.region.as_ref().is_none_or(|c| c == places.region(store))
            && f.city.as_ref().is_none_or(|c| c == places.city(store))
            && f.only[Dimension::Store.index()]
                .as_ref()
                .is_none_or(|c| c == store)
    };

    // The places of the org in the view, in its order, each with its row; codes borrowed
    // from the org and the answers (no copy per answer).
    let mut order: Vec<&str> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut add = |code, order: &mut Vec<_>| -> usize {
        *at.entry(code).or_insert_with(|| {
            order.push(code);
            order.len() - 1
        })
    };
    match level {
        Level::Region => {
            for r in org.regions() {
                if f.region.as_ref().is_none_or(|c| *c == r.id) {
                    add(r.id.as_str(), &mut order);
                }
            }
        }
        Level::Advisor => {
            let only = &f.only[Dimension::Advisor.index()];
            for a in org.advisors() {
                let store = a.store.as_deref().unwrap_or("");
                if in_view(store) && only.as_ref().is_none_or(|c| *c == a.id) {
                    add(a.id.as_str(), &mut order);
                }
            }
        }
        _ => {
            for s in org.stores() {
                if in_view(&s.id) && (level == Level::Store || s.city.is_some()) {
                    add(level.row_of(&places, &s.id), &mut order);
                }
            }
        }
    }

    // One pass over the index's answers of the range; an answer's row by its store's (or
    // advisor's) code id, and its period by its day, each worked out once.
    let dim = level.found_by();
    let codes = index.codes(dim);
    let spark_of = index.by_day(from, to, |day| {
        periods
            .partition_point(|s| *s <= period_start(day, f.trend))
            .checked_sub(1)
    });
    let wanted = index.wanted(f);
    let mut row_of_code: Vec<Option<usize>> = vec![None; codes.len()];
    let mut tallies: Vec<(Tally, Vec<Tally>)> = vec![Default::default(); order.len()];
    // The rows of codes the org does not place follow its own in the order of the records:
    // each one's first record, as the index is in the order of the days.
    let (placed, mut first) = (order.len(), Vec::new());
    for i in index.range(from, to) {
        let category = match index.answer(i) {
            Answer::Scored(c) if wanted.keeps(i) => c,
            _ => continue,
        };
        let code = index.code(dim, i);
        let row = *row_of_code[code as usize]
            .get_or_insert_with(|| add(level.row_of(&places, codes.name(code)), &mut order));
        if row == tallies.len() {
            tallies.push(Default::default());
            first.push(usize::MAX);
        }
        if let Some(at) = row.checked_sub(placed).map(|r| &mut first[r]) {
            *at = index.position(i).min(*at);
        }
        let day = index.day(i);
        let (tally, spark) = &mut tallies[row];
        tally.add(category);
        if spark.is_empty() {
            *spark = vec![Tally::default(); periods.len()];
        }
        if let Some(t) = spark_of.get(day).and_then(|p| spark.get_mut(p)) {
            t.add(category);
        }
    }

    // The codes the org does not place, in the order of their first records.
    let mut unplaced: Vec<_> = first
        .into_iter()
        .zip(order.drain(placed..).zip(tallies.drain(placed..)))
        .collect();
    unplaced.sort_unstable_by_key(|(first, _)| *first);
    (order, tallies) = order
        .into_iter()
        .zip(tallies)
        .chain(unplaced.into_iter().map(|(_, r)| r))
        .unzip();

    // The collector's counts, summed into the rows (regions and cities: their stores').
    let sum = |by: &Option<HashMap<String, Counts>>| -> Option<HashMap<String, Counts>> {
        let by = by.as_ref()?;
        let mut out: HashMap<String, Counts> = HashMap::new();
        for (code, c) in by {
            let row = match level {
                Level::Advisor => code,
                _ if !in_view(code) => continue,
                _ => level.row_of(&places, code),
            };
            let o = out.entry(row.to_owned()).or_default();
            (o.invited, o.answered, o.open) = (
                o.invited + c.invited,
                o.answered + c.answered,
                o.open + c.open,
            );
        }
        Some(out)
    };
    let (funnel, cases) = (sum(&reach.funnel), sum(&reach.cases));

    let rows: Vec<Row> = order
        .into_iter()
        .zip(
            tallies
                .into_iter()
                .chain(std::iter::repeat_with(Default::default)),
        )
        .map(|(code, (tally, spark))| {
            let nps = tally.nps();
            let enough = tally.n() >= cx.min_n;
            let (name, target) = match level {
                Level::Region => (
                    org.region(code).map(|_| region_name(org, code).to_owned()),
                    org.region(code).and_then(|r| r.target),
                ),
                Level::City => (None, None),
                Level::Store => org
                    .store(code)
                    .map_or((None, None), |s| (Some(s.name.clone()), s.target)),
                Level::Advisor => (org.advisor(code).map(|a| a.name.clone()), None),
            };
            let counts = funnel
                .as_ref()
                .map(|m| m.get(code).copied().unwrap_or_default());
            let c = counts.unwrap_or_default();
            Row {
                name: name.filter(|n| *n != code).unwrap_or_default(),
                spark: match spark.is_empty() {
                    true => vec![None; periods.len()],
                    false => spark.iter().map(|t| t.nps().map(|n| n.score)).collect(),
                },
                rate: (c.invited > 0).then(|| c.answered as f64 / c.invited as f64),
                invited: c.invited,
                answered: c.answered,
                open: cases.as_ref().map(|m| m.get(code).map_or(0, |c| c.open)),
                vs_target: target
                    .zip(nps.filter(|_| enough))
                    .map(|(t, n)| n.score - t as f64),
                target,
                code: code.to_owned(),
                tally,
                nps,
                enough,
            }
        })
        .collect();
    Table {
        level,
        total: rows.len(),
        rows,
        periods,
    }
}

/// The sparkline's points in a `w` × `h` box, NPS −100 at the bottom and 100 at the top;
/// a period without an answer is skipped (the line joins its neighbours).
pub fn spark_points(spark: &[Option<f64>], w: f64, h: f64) -> String {
    let step = w / (spark.len().max(2) - 1) as f64;
    spark
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.map(|s| format!("{:.1},{:.1}", i as f64 * step, h * (100.0 - s) / 200.0))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

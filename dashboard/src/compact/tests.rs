//! The index against the records it is read from: each answer's columns, a filter value the
//! answers do not have, and the report built through it against one computed the obvious
//! way (strings compared per answer, `analysis::drivers`), whatever the view.

use nps_core::scoring::analysis::{self, local_day, minutes_of, period_start, Names, Period};
use nps_core::scoring::score::Tally;

use std::collections::HashSet;

use super::*;
use crate::drill::Level;
use crate::places::Places;
use crate::report::{self, Context, Point, Report, LATEST_COMMENTS};
use nps_core::org::Org;

mod built;

/// Two regions: A (深圳), B (广州) and D (深圳) in the south, C (北京) in the north.
const ORG: &str = include_str!("../../tests/org.json");

const CX: Context = Context {
    now: 0,
    offset: 480,
    min_n: 3,
};

/// A small xorshift: the same answers on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// 600 answers over 120 days up to 2026-11-30 (UTC+8), of the org's stores, one it does not
/// place (X) and none; some flagged (with a score or not), some dismissed before a score,
/// reasons (one chosen twice, one empty), comments.
pub(super) fn records() -> Vec<Record> {
    let end = minutes_of("2026-11-30T15:59:00Z").unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    (0..600)
        .map(|i| {
            let mut r = Record::scored(
                format!("r{i}"),
                rng.below(11) as u8,
                end - (rng.below(120 * 24 * 60) as i64),
            );
            r.survey = ["after-sales", "sales", ""][rng.below(3)].to_owned();
            r.dims[Dimension::Store.index()] = ["A", "B", "C", "D", "X", ""][rng.below(6)].into();
            r.dims[Dimension::Advisor.index()] = ["a1", "a2", ""][rng.below(3)].into();
            r.dims[Dimension::Model.index()] = ["M1", "M2"][rng.below(2)].into();
            r.reasons = (0..rng.below(4))
                .map(|_| ["wait_time", "price", "staff", ""][rng.below(4)].to_owned())
                .collect();
            if rng.below(3) == 0 {
                r.comment = Some(["太慢了", "Price OK", "good staff"][rng.below(3)].to_owned());
            }
            match rng.below(20) {
                0 => r.score = None,
                1 => r.flagged = Some(LeftOut::TooFast),
                2 => (r.flagged, r.score) = (Some(LeftOut::Other), None),
                3 => r.flagged = Some(LeftOut::Recovery),
                _ => {}
            }
            r
        })
        .collect()
}

/// The report as the records say it, string by string (the way it was built before the
/// index).
fn obvious(records: &[Record], org: &Org, f: &Filters, cx: Context) -> Report {
    let places = Places::new(org);
    let options = built::options_of(records, cx.offset);
    let to = f.to.or(options.latest_day).unwrap();
    let from = f.from.unwrap_or(to - (report::DEFAULT_DAYS - 1)).min(to);
    let (previous_from, previous_to) = (from - (to - from + 1), from - 1);
    let kept = |r: &Record| {
        let store = r.dim(Dimension::Store);
        f.survey.as_ref().is_none_or(|s| *s == r.survey)
            && (0..DIMS).all(|d| f.only[d].as_ref().is_none_or(|c| *c == r.dims[d]))
            && f.region.as_ref().is_none_or(|c| c == places.region(store))
            && f.city.as_ref().is_none_or(|c| c == places.city(store))
    };
    let day = |r: &Record| local_day(r.created, cx.offset);
    let (mut tally, mut previous) = (Tally::default(), Tally::default());
    let mut left_out = [0; LeftOut::ALL.len()];
    let mut current = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let d = day(r);
        if !(previous_from..=to).contains(&d) || !kept(r) {
            continue;
        }
        match (r.flagged, r.category()) {
            (Some(why), _) if d >= from => left_out[why.index()] += 1,
            (None, Some(c)) if d <= previous_to => previous.add(c),
            (None, Some(c)) => {
                tally.add(c);
                current.push(i);
            }
            _ => {}
        }
    }
    let mut by_code: Vec<(String, Tally)> = Vec::new();
    for &i in &current {
        let code = places.code(&records[i], f.by);
        match by_code.iter_mut().find(|(c, _)| c == code) {
            Some((_, t)) => t.add(records[i].category().unwrap()),
            None => {
                by_code.push((code.to_owned(), Tally::default()));
                by_code
                    .last_mut()
                    .unwrap()
                    .1
                    .add(records[i].category().unwrap());
            }
        }
    }
    let mut trend: Vec<Point> = Vec::new();
    let mut start = period_start(from, f.trend);
    while start <= to {
        let tally = current
            .iter()
            .map(|&i| &records[i])
            .filter(|r| period_start(day(r), f.trend) == start)
            .fold(Tally::default(), |mut t, r| {
                t.add(r.category().unwrap());
                t
            });
        trend.push(Point {
            start,
            nps: tally.nps(),
            enough: tally.n() >= cx.min_n,
            tally,
        });
        start = match f.trend {
            Period::Day => start + 1,
            Period::Week => start + 7,
            Period::Month => period_start(start + 31, Period::Month),
        };
    }
    let search = f.search.to_lowercase();
    let mut comments: Vec<usize> = current
        .iter()
        .copied()
        .filter(|&i| {
            let r = &records[i];
            r.comment
                .as_ref()
                .is_some_and(|c| c.to_lowercase().contains(&search))
                && f.comments.is_none_or(|c| r.category() == Some(c))
                && f.reason.as_ref().is_none_or(|w| r.reasons.contains(w))
        })
        .collect();
    comments.sort_by_key(|&i| std::cmp::Reverse((records[i].created, i)));
    comments.truncate(LATEST_COMMENTS);
    let mut options = options;
    if places.has_regions() {
        (options.regions, options.cities) = (places.regions(), places.cities(f.region.as_deref()));
    }
    // The one store, and the one region, every counted answer of the range is of.
    let sole = |place: &dyn Fn(&Record) -> String| {
        let all: HashSet<String> = current.iter().map(|&i| place(&records[i])).collect();
        (all.len() == 1).then(|| all.into_iter().next().unwrap())
    };
    let sole_store = sole(&|r| r.dim(Dimension::Store).to_owned());
    let sole_region = sole(&|r| places.region(r.dim(Dimension::Store)).to_owned());
    Report {
        from,
        to,
        previous_from,
        previous_to,
        nps: tally.nps(),
        enough: tally.n() >= cx.min_n,
        min_n: cx.min_n,
        change: analysis::compare(&tally, &previous),
        tally,
        previous,
        left_out,
        target: report::targets::of_view(
            org,
            f,
            report::targets::Sole {
                store: sole_store.as_deref(),
                region: sole_region.as_deref(),
            },
        ),
        segments: analysis::segments(by_code, cx.min_n),
        drivers: analysis::drivers(current.iter().map(|&i| {
            let r = &records[i];
            (r.category().unwrap(), r.reasons.as_slice())
        })),
        trend,
        comments,
        options,
        problems: f.problems_with(&places),
    }
}

/// Views that pick every filter, some with a value no answer has (a survey, a store, a
/// region, a city, a reason): those keep nothing.
fn views() -> Vec<Filters> {
    let only = |d: Dimension, code: &str| {
        let mut f = Filters::default();
        f.only[d.index()] = Some(code.into());
        f
    };
    let mut views = vec![
        Filters::default(),
        only(Dimension::Store, "A"),
        only(Dimension::Store, "X"),
        only(Dimension::Store, ""),
        only(Dimension::Store, "nowhere"),
        only(Dimension::Advisor, "a2"),
        only(Dimension::Advisor, "nobody"),
        only(Dimension::Model, "M2"),
        only(Dimension::Touchpoint, ""),
    ];
    let more: [fn(&mut Filters); 16] = [
        |f| f.survey = Some("sales".into()),
        |f| f.survey = Some("".into()),
        |f| f.survey = Some("no such survey".into()),
        |f| f.region = Some("S".into()),
        |f| f.region = Some("W".into()),
        |f| f.city = Some("深圳".into()),
        |f| f.city = Some("上海".into()),
        |f| f.by = By::Region,
        |f| f.by = By::City,
        |f| f.by = By::Dim(Dimension::Advisor),
        |f| f.trend = Period::Month,
        |f| f.comments = Some(Category::Detractor),
        |f| f.search = "price".into(),
        |f| f.reason = Some("price".into()),
        |f| f.reason = Some("nobody's reason".into()),
        |f| (f.from, f.to) = (Some(20_400), Some(20_420)),
    ];
    for change in more {
        let mut f = Filters::default();
        change(&mut f);
        views.push(f);
    }
    let mut mixed = only(Dimension::Advisor, "a1");
    (mixed.region, mixed.by, mixed.reason) = (Some("S".into()), By::City, Some("".into()));
    views.push(mixed);
    views
}

#[test]
fn each_answer_is_read_into_its_columns() {
    let records = records();
    let names = Names::from_json(ORG).unwrap();
    let org = names.org().unwrap();
    let index = Index::new(&records, org, CX.offset);
    assert!(index.fits(&records, CX.offset) && !index.fits(&records, 0));
    // Every record once, in the order of the days, a tie in the records' order.
    let mut seen = vec![false; records.len()];
    for i in 0..index.len() {
        let r = &records[index.position(i)];
        assert!(!std::mem::replace(&mut seen[index.position(i)], true));
        if i > 0 {
            let before = (index.day(i - 1), index.position(i - 1));
            assert!(before < (index.day(i), index.position(i)));
        }
        assert_eq!(index.day(i), local_day(r.created, CX.offset));
        let want = match (r.flagged, r.category()) {
            (Some(why), _) => Answer::LeftOut(why),
            (None, None) => Answer::Unscored,
            (None, Some(c)) => Answer::Scored(c),
        };
        assert_eq!(index.answer(i), want, "{r:?}");
        assert_eq!(index.commented(i), r.comment.is_some());
        let reasons: Vec<&str> = index
            .reasons(i)
            .iter()
            .map(|&id| index.reason_names().name(id))
            .collect();
        assert_eq!(reasons, r.reasons);
        for d in Dimension::ALL {
            assert_eq!(index.codes(d).name(index.code(d, i)), r.dim(d));
        }
        let places = Places::new(org);
        for by in By::ALL {
            assert_eq!(
                index.groups(by).name(index.group(by, i)),
                places.code(r, by)
            );
        }
    }
    // A range is the run of the answers of its days.
    let (from, to) = (index.day(100), index.day(200));
    let run = index.range(from, to);
    assert!(run.contains(&100) && run.contains(&200));
    for i in 0..index.len() {
        assert_eq!(run.contains(&i), (from..=to).contains(&index.day(i)));
    }
    assert!(index.range(to, from - 1).is_empty());
    // A value no answer has is in no dictionary, and a view asking for it keeps nothing.
    assert_eq!(index.codes(Dimension::Store).id("nowhere"), None);
    let mut f = Filters::default();
    f.only[Dimension::Advisor.index()] = Some("nobody".into());
    let wanted = index.wanted(&f);
    assert!((0..index.len()).all(|i| !wanted.keeps(i)));
    let empty = Index::new(&[], org, 0);
    assert!(empty.is_empty() && empty.by_day(0, 10, Some).get(5).is_none());
}

#[test]
fn the_report_through_the_index_is_the_one_computed_the_obvious_way() {
    let records = records();
    let names = Names::from_json(ORG).unwrap();
    for org in [names.org().unwrap().clone(), Org::default()] {
        for f in views() {
            let got = report::build(&records, &org, &f, CX);
            assert_eq!(got, obvious(&records, &org, &f, CX), "{f:?}");
            assert!(got.tally.n() > 0 || f != Filters::default());
        }
    }
}

/// The drivers tallied per reason id are the core's from the reasons' names: the same
/// reasons, order, ties and impacts, a reason chosen twice by one answer counted twice.
#[test]
fn the_drivers_by_reason_id_are_the_cores() {
    let mut records = records();
    records[0].reasons = vec!["staff".into(), "staff".into()];
    let org = Org::default();
    let index = Index::new(&records, &org, CX.offset);
    let options = index.options();
    let all = Filters {
        from: Some(0),
        ..Filters::default()
    };
    for f in [
        all,
        Filters::default(),
        Filters {
            level: Some(Level::Store),
            survey: Some("sales".into()),
            ..Filters::default()
        },
    ] {
        let r = report::build_with(&records, &index, &options, &org, &f, CX);
        let kept = |rec: &Record| f.survey.as_ref().is_none_or(|s| *s == rec.survey);
        let in_range = records.iter().filter(|rec| {
            (r.from..=r.to).contains(&local_day(rec.created, CX.offset))
                && rec.flagged.is_none()
                && kept(rec)
        });
        let want = analysis::drivers(
            in_range.filter_map(|rec| Some((rec.category()?, rec.reasons.as_slice()))),
        );
        assert!(!want.is_empty());
        assert_eq!(r.drivers, want, "{f:?}");
    }
}

/// The places table reads the index in the order of the days, yet the rows of codes the org
/// does not place follow its own in the order of the records, as when it read them one by one.
#[test]
fn the_places_tables_unplaced_rows_keep_the_records_order() {
    use crate::drill::{self, Reach};
    let names = Names::from_json(ORG).unwrap();
    let org = names.org().unwrap();
    let at = |store: &str, day: &str| {
        let mut r = Record::scored(store, 9, minutes_of(day).unwrap());
        r.dims[Dimension::Store.index()] = store.into();
        r
    };
    let records = [
        at("X", "2026-11-20T02:00:00Z"),
        at("Y", "2026-11-02T02:00:00Z"),
        at("B", "2026-11-01T02:00:00Z"),
        at("Z", "2026-11-10T02:00:00Z"),
        at("Y", "2026-11-25T02:00:00Z"),
    ];
    let index = Index::new(&records, org, CX.offset);
    let f = Filters {
        level: Some(Level::Store),
        ..Filters::default()
    };
    let day = |d: &str| crate::format::parse_iso_date(d).unwrap();
    let range = (day("2026-11-01"), day("2026-11-30"));
    let t = drill::every_row(&index, org, &f, CX, range, &Reach::default());
    let rows: Vec<(&str, u64)> = t
        .rows
        .iter()
        .map(|r| (r.code.as_str(), r.tally.n()))
        .collect();
    let want = [
        ("A", 0),
        ("B", 1),
        ("C", 0),
        ("D", 0),
        ("X", 1),
        ("Y", 2),
        ("Z", 1),
    ];
    assert_eq!(rows, want);
}

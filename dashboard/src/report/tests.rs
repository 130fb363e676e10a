//! The report on a dataset whose every figure is worked out by hand in the comments.

use nps_core::scoring::analysis::{minutes_of, Verdict};

use super::*;
use crate::filters::By;
use crate::format::parse_iso_date;
use nps_core::scoring::score::Category;

fn rec(id: usize, store: &str, score: u8, at: &str) -> Record {
    Record {
        survey: "after-sales".into(),
        dims: [
            store.into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ],
        ..Record::scored(format!("r{id}"), score, minutes_of(at).unwrap())
    }
}

/// November (Beijing time), stores A, B and C; October is the previous period.
fn dataset() -> Vec<Record> {
    let mut v = Vec::new();
    let mut add = |store: &str, score: u8, count: usize, at: &str, reason: Option<&str>| {
        for _ in 0..count {
            let mut r = rec(v.len(), store, score, at);
            r.reasons = reason.into_iter().map(str::to_owned).collect();
            v.push(r);
        }
    };
    // A: 30 promoters (advisor_attitude), 10 passives: NPS 75.
    add(
        "A",
        10,
        30,
        "2026-11-10T02:00:00Z",
        Some("advisor_attitude"),
    );
    add("A", 8, 10, "2026-11-10T02:00:00Z", None);
    // B: 10 promoters, 10 passives, 20 detractors (wait_time): NPS -25.
    add("B", 9, 10, "2026-11-10T02:00:00Z", None);
    add("B", 7, 10, "2026-11-10T02:00:00Z", None);
    add("B", 3, 20, "2026-11-10T02:00:00Z", Some("wait_time"));
    // C: 5 detractors: NPS -100, but too few to judge.
    add("C", 0, 5, "2026-11-10T02:00:00Z", None);
    // October: 20 promoters, 20 passives, 40 detractors: NPS -25.
    add("A", 10, 20, "2026-10-15T02:00:00Z", None);
    add("A", 7, 20, "2026-10-15T02:00:00Z", None);
    add("B", 2, 40, "2026-10-15T02:00:00Z", None);
    // 20:00 UTC on Nov 30 is December 1 in Beijing: outside the range.
    add("A", 0, 1, "2026-11-30T20:00:00Z", None);
    v
}

fn view() -> Filters {
    Filters {
        from: parse_iso_date("2026-11-01"),
        to: parse_iso_date("2026-11-30"),
        ..Filters::default()
    }
}

fn cx() -> Context {
    Context {
        now: minutes_of("2026-11-30T12:00:00Z").unwrap(),
        offset: 480,
        min_n: 30,
    }
}

#[test]
fn the_headline_its_change_and_the_segments_worst_first() {
    let r = build(&dataset(), &Org::default(), &view(), cx());
    // 85 answers: P 40, N 20, D 25; NPS = 15/85 = 17.6.
    assert_eq!(
        (r.tally.promoters, r.tally.passives, r.tally.detractors),
        (40, 20, 25)
    );
    assert!((r.nps.unwrap().score - 17.647).abs() < 0.01);
    assert!(r.enough);
    // October, the 30 days before: -25. +42.6 is beyond noise.
    assert_eq!(
        (r.previous_from, r.previous_to),
        (
            parse_iso_date("2026-10-02").unwrap(),
            parse_iso_date("2026-10-31").unwrap()
        )
    );
    assert_eq!(r.previous.n(), 80);
    let change = r.change.unwrap();
    assert!((change.points - 42.647).abs() < 0.01);
    assert_eq!(change.verdict, Verdict::Better);
    // B (-25) before A (75); C (-100) last, with too few answers.
    let order: Vec<(&str, bool)> = r
        .segments
        .iter()
        .map(|s| (s.name.as_str(), s.enough))
        .collect();
    assert_eq!(order, vec![("B", true), ("A", true), ("C", false)]);
    assert_eq!(r.segments[0].vs_rest.unwrap().verdict, Verdict::Worse);
    assert_eq!(r.segments[1].vs_rest.unwrap().verdict, Verdict::Better);
}

#[test]
fn drivers_cost_what_the_hand_computation_says() {
    let r = build(&dataset(), &Org::default(), &view(), cx());
    // Without wait_time: P 40, D 5 of 65 = 53.8, so it costs 17.6 - 53.8 = -36.2.
    // Without advisor_attitude: P 10, D 25 of 55 = -27.3, so it adds 17.6 + 27.3 = 44.9.
    let d: Vec<(&str, i64)> = r
        .drivers
        .iter()
        .map(|d| (d.reason.as_str(), (d.impact * 10.0).round() as i64))
        .collect();
    assert_eq!(d, vec![("wait_time", -362), ("advisor_attitude", 449)]);
    assert_eq!(r.drivers[0].chosen_by.detractors, 20);
}

#[test]
fn the_trend_has_every_period_of_the_range() {
    let r = build(&dataset(), &Org::default(), &view(), cx());
    let weeks: Vec<(String, u64)> = r
        .trend
        .iter()
        .map(|p| (crate::format::iso_date(p.start), p.tally.n()))
        .collect();
    assert_eq!(
        weeks,
        vec![
            ("2026-10-26".into(), 0),
            ("2026-11-02".into(), 0),
            ("2026-11-09".into(), 85),
            ("2026-11-16".into(), 0),
            ("2026-11-23".into(), 0),
            ("2026-11-30".into(), 0),
        ]
    );
    let months = build(
        &dataset(),
        &Org::default(),
        &Filters {
            trend: Period::Month,
            ..view()
        },
        cx(),
    );
    assert_eq!(months.trend.len(), 1);
    let year = Filters {
        from: parse_iso_date("2025-12-15"),
        trend: Period::Month,
        ..view()
    };
    let starts: Vec<String> = build(&dataset(), &Org::default(), &year, cx())
        .trend
        .iter()
        .map(|p| crate::format::iso_date(p.start))
        .collect();
    assert_eq!(starts.first().map(String::as_str), Some("2025-12-01"));
    assert_eq!(starts.len(), 12);
}

#[test]
fn filters_flags_comments_and_the_default_range() {
    let mut data = dataset();
    for i in 0..3 {
        let mut r = rec(1000 + i, "A", 0, "2026-11-12T02:00:00Z");
        r.flagged = Some(crate::data::LeftOut::TooFast);
        data.push(r);
    }
    data[0].comment = Some("Advisor was GREAT".into());
    data[60].comment = Some("等太久了".into());
    data[61].comment = Some("又是等".into());
    data[61].created += 60;
    let r = build(&data, &Org::default(), &view(), cx());
    assert_eq!(
        (r.left_out, r.tally.n()),
        ([3, 0, 0, 0], 85),
        "flagged answers are left out"
    );
    assert_eq!(r.comments, vec![61, 60, 0], "latest first");
    let only = |f: Filters| build(&data, &Org::default(), &f, cx()).comments;
    assert_eq!(
        only(Filters {
            comments: Some(Category::Detractor),
            ..view()
        }),
        vec![61, 60]
    );
    assert_eq!(
        only(Filters {
            search: "great".into(),
            ..view()
        }),
        vec![0]
    );
    let store_b = Filters {
        only: [Some("B".into()), None, None, None, None],
        ..view()
    };
    assert_eq!(build(&data, &Org::default(), &store_b, cx()).tally.n(), 40);
    assert_eq!(
        build(
            &data,
            &Org::default(),
            &Filters {
                survey: Some("sales".into()),
                ..view()
            },
            cx()
        )
        .tally
        .n(),
        0
    );
    // Without dates: the 90 days up to the latest answer (December 1 in Beijing).
    let r = build(&data, &Org::default(), &Filters::default(), cx());
    assert_eq!(
        (r.from, r.to),
        (
            parse_iso_date("2026-09-03").unwrap(),
            parse_iso_date("2026-12-01").unwrap()
        )
    );
    assert_eq!(r.options.codes[0], vec!["A", "B", "C"]);
    assert_eq!(r.options.surveys, vec!["after-sales"]);
}

#[test]
fn the_default_levers() {
    let t = Tally {
        promoters: 40,
        passives: 20,
        detractors: 25,
    };
    // Detractors 29.4% → 15%, promoters 47.1% → 57%, half the passives.
    assert_eq!(
        default_levers(&t),
        [
            Lever::DetractorsTo(15.0),
            Lever::PromotersTo(57.0),
            Lever::ConvertPassives(50.0)
        ]
    );
}

#[test]
fn the_pages_threshold_is_read_or_refused_by_name() {
    assert_eq!(min_n(" 50 "), Ok(50));
    for bad in ["0", "-3", "ten", "10001", ""] {
        let e = min_n(bad).unwrap_err();
        assert!(
            e.starts_with("data-min-n is") && e.contains("from 1 to 10000"),
            "{bad}: {e}"
        );
    }
    // A higher threshold greys more: 40 answers a store are not enough for 50; 85 in all are.
    let r = build(
        &dataset(),
        &Org::default(),
        &view(),
        Context { min_n: 50, ..cx() },
    );
    assert!(r.segments.iter().all(|s| !s.enough) && r.enough);
}

/// Stores A and B in the south (深圳 and 广州), C in the north (北京), D in 深圳 without
/// answers (`tests/org.json`); the org does not know Z.
fn org() -> Org {
    let names = nps_core::scoring::analysis::Names::from_json(include_str!("../../tests/org.json"))
        .unwrap();
    names.org().cloned().unwrap()
}

/// The hand-worked dataset with three promoters of Z, a store the org does not place.
fn placed_dataset() -> Vec<Record> {
    let mut v = dataset();
    for _ in 0..3 {
        v.push(rec(v.len(), "Z", 10, "2026-11-10T02:00:00Z"));
    }
    v
}

fn tallies(r: &Report) -> Vec<(&str, Tally)> {
    let mut t: Vec<(&str, Tally)> = r
        .segments
        .iter()
        .map(|s| (s.name.as_str(), s.tally))
        .collect();
    t.sort_by_key(|(name, _)| *name);
    t
}

fn sum(of: &[(&str, Tally)], stores: &[&str]) -> Tally {
    let mut t = Tally::default();
    for (_, s) in of.iter().filter(|(name, _)| stores.contains(name)) {
        t.promoters += s.promoters;
        t.passives += s.passives;
        t.detractors += s.detractors;
    }
    t
}

#[test]
fn a_region_or_city_segment_is_the_sum_of_its_stores() {
    let (data, org) = (placed_dataset(), org());
    let by = |b: By| build(&data, &org, &Filters { by: b, ..view() }, cx());
    let stores = by(By::Dim(Dimension::Store));
    let stores = tallies(&stores);
    let regions = by(By::Region);
    // S = A + B (40 + 40), N = C (5); Z has no region: "(none given)", the empty code.
    assert_eq!(
        tallies(&regions),
        vec![
            ("", sum(&stores, &["Z"])),
            ("N", sum(&stores, &["C"])),
            ("S", sum(&stores, &["A", "B"])),
        ]
    );
    assert_eq!(sum(&tallies(&regions), &["S"]).n(), 80);
    let cities = by(By::City);
    assert_eq!(
        tallies(&cities),
        vec![
            ("", sum(&stores, &["Z"])),
            ("北京", sum(&stores, &["C"])),
            ("广州", sum(&stores, &["B"])),
            ("深圳", sum(&stores, &["A"])),
        ]
    );
    // Ordered as every grouping: S (A at 75 and B at −25 together: 25) first, then the
    // segments too small to judge, worst first: N (C's five detractors), then Z's promoters.
    let order: Vec<&str> = regions.segments.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(order, ["S", "N", ""]);
    assert!(regions.problems.is_empty(), "{:?}", regions.problems);
    assert_eq!(regions.options.regions, ["S", "N"]);
}

#[test]
fn a_filter_by_city_or_region_keeps_exactly_its_stores_answers() {
    let (mut data, org) = (placed_dataset(), org());
    // A detractor of each store who asked for a call-back.
    for store in ["A", "B", "C", "Z"] {
        let mut r = rec(data.len(), store, 2, "2026-11-30T02:00:00Z");
        r.phone = Some("+8613800138000".into());
        r.comment = Some(format!("{store} 太慢"));
        data.push(r);
    }
    let stores_of = |f: Filters| {
        let r = build(&data, &org, &f, cx());
        let of = |i: &usize| data[*i].dim(Dimension::Store).to_owned();
        let mut seen: Vec<String> = r.comments.iter().map(of).collect();
        seen.sort();
        seen.dedup();
        let segments: Vec<String> = r.segments.iter().map(|s| s.name.clone()).collect();
        (r.tally.n(), seen, segments, r.problems)
    };
    let guangzhou = Filters {
        city: Some("广州".into()),
        ..view()
    };
    // B's 40 answers and its call-back, nothing of A (also in the south) or the others.
    assert_eq!(
        stores_of(guangzhou.clone()),
        (41, vec!["B".into()], vec!["B".into()], vec![])
    );
    let south = Filters {
        region: Some("S".into()),
        ..view()
    };
    let (n, seen, segments, _) = stores_of(south.clone());
    assert_eq!((n, seen), (82, vec!["A".into(), "B".into()]));
    assert_eq!(segments, ["B", "A"]);
    // A region and a city of another region: nothing is both.
    let (n, ..) = stores_of(Filters {
        region: Some("N".into()),
        ..guangzhou
    });
    assert_eq!(n, 0);
    // The cities offered are the region's.
    let r = build(&data, &org, &south, cx());
    assert_eq!(r.options.cities, ["深圳", "广州"]);
    assert_eq!(
        build(&data, &org, &view(), cx()).options.cities,
        ["深圳", "广州", "北京"]
    );
}

#[test]
fn what_the_org_does_not_have_is_named_with_what_it_has() {
    let data = placed_dataset();
    let problems = |org: &Org, f: Filters| build(&data, org, &f, cx()).problems;
    let p = problems(
        &org(),
        Filters {
            region: Some("W".into()),
            city: Some("上海".into()),
            ..view()
        },
    );
    assert_eq!(
        p,
        [
            "region is \"W\": expected \"S\", \"N\"",
            "city is \"上海\": expected \"深圳\", \"广州\", \"北京\""
        ]
    );
    // A names file gives no regions: neither is offered, and a link asking for one says so.
    let flat = Org::default();
    let r = build(
        &data,
        &flat,
        &Filters {
            by: By::City,
            ..view()
        },
        cx(),
    );
    assert!(r.options.regions.is_empty() && r.options.cities.is_empty());
    assert_eq!(
        r.problems,
        ["by is \"city\": the org has no regions; expected store, advisor, model, service_type, touchpoint"]
    );
    assert_eq!(
        problems(
            &flat,
            Filters {
                region: Some("S".into()),
                ..view()
            }
        ),
        ["region is \"S\": expected none: the org has no regions (a names file gives none)"]
    );
}

#[test]
fn answers_left_out_are_counted_per_reason_in_the_view_even_when_none_is_left() {
    use crate::data::LeftOut;
    let mut data = dataset();
    for (i, why) in [
        LeftOut::TooFast,
        LeftOut::TooFast,
        LeftOut::Honeypot,
        LeftOut::Recovery,
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = rec(2000 + i, "A", 10, "2026-11-12T02:00:00Z");
        r.flagged = Some(why);
        data.push(r);
    }
    let r = build(&data, &Org::default(), &view(), cx());
    assert_eq!((r.left_out, r.left_out_total()), ([2, 1, 1, 0], 4));
    // Another store's view leaves out none of store A's.
    let store_b = Filters {
        only: [Some("B".into()), None, None, None, None],
        ..view()
    };
    assert_eq!(
        build(&data, &Org::default(), &store_b, cx()).left_out,
        [0; 4]
    );
    // Every answer flagged: nothing to score, and the count still said.
    for r in &mut data {
        r.flagged = Some(LeftOut::TooFast);
    }
    let r = build(&data, &Org::default(), &view(), cx());
    assert_eq!((r.nps, r.tally.n()), (None, 0));
    assert_eq!(r.left_out, [85 + 4, 0, 0, 0]);
}

#[test]
fn a_reason_picked_keeps_the_comments_of_the_answers_that_chose_it() {
    let mut data = dataset();
    data[0].comment = Some("顾问很好".into());
    data[60].comment = Some("等太久了".into());
    data[45].comment = Some("还行".into());
    let comments = |reason: Option<&str>| {
        let f = Filters {
            reason: reason.map(str::to_owned),
            ..view()
        };
        build(&data, &Org::default(), &f, cx()).comments
    };
    assert_eq!(comments(None).len(), 3);
    assert_eq!(comments(Some("wait_time")), vec![60]);
    assert_eq!(comments(Some("advisor_attitude")), vec![0]);
    assert_eq!(comments(Some("price")), Vec::<usize>::new());
}

/// The options the page computes once per set of answers are the report's own: the first day
/// counts a flagged answer, the last does not; codes sorted, an empty one left out; and a
/// report built with them is the one built from scratch, whatever the view.
#[test]
fn the_options_computed_once_are_the_reports_own() {
    let mut data = dataset();
    let mut early = rec(data.len(), "", 9, "2026-08-01T02:00:00Z");
    early.flagged = Some(LeftOut::TooFast);
    let mut late = rec(data.len() + 1, "Z", 9, "2026-12-20T02:00:00Z");
    late.flagged = Some(LeftOut::Honeypot);
    data.extend([early, late]);
    let options = Index::new(&data, &Org::default(), cx().offset).options();
    assert_eq!(options.first_day, parse_iso_date("2026-08-01"));
    assert_eq!(options.latest_day, parse_iso_date("2026-12-01"));
    assert_eq!(options.codes[0], ["A", "B", "C", "Z"]);
    assert!(options.regions.is_empty() && options.cities.is_empty());
    let org = Org::from_value(
        &serde_json::json!({
            "regions": [{"id": "S", "name": "华南"}],
            "stores": [
                {"id": "A", "name": "福田", "region": "S", "city": "深圳"},
                {"id": "B", "name": "天河", "region": "S", "city": "广州"}
            ],
            "advisors": []
        }),
        "org",
    )
    .unwrap();
    let index = Index::new(&data, &org, cx().offset);
    for f in [
        Filters::default(),
        view(),
        Filters {
            by: By::City,
            region: Some("S".into()),
            ..view()
        },
        Filters {
            only: [Some("B".into()), None, None, None, None],
            ..Filters::default()
        },
    ] {
        assert_eq!(
            build_with(&data, &index, &options, &org, &f, cx()),
            build(&data, &org, &f, cx())
        );
    }
}

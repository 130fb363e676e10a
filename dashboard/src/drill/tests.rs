//! The places table on a small org worked out by hand, and on a generated one of 640 stores
//! (its render time is measured in the browser: docs/PERFORMANCE.md).

use nps_core::scoring::analysis::minutes_of;
use serde_json::json;

use super::*;
use crate::format::parse_iso_date;

/// South (target 40): 深圳 (A with advisors a1, a2, target 60; D) and 广州 (B); north: 北京 (C).
fn org() -> Org {
    Org::from_value(
        &json!({
            "regions": [{"id": "S", "name": "华南大区", "target": 40}, {"id": "N", "name": "华北大区"}],
            "stores": [
                {"id": "A", "name": "深圳福田店", "region": "S", "city": "深圳", "target": 60},
                {"id": "B", "name": "广州天河店", "region": "S", "city": "广州"},
                {"id": "C", "name": "北京朝阳店", "region": "N", "city": "北京"},
                {"id": "D", "name": "深圳南山店", "region": "S", "city": "深圳"}
            ],
            "advisors": [
                {"id": "a1", "name": "王磊", "store": "A"},
                {"id": "a2", "name": "陈静", "store": "A"},
                {"id": "d1", "name": "李娜", "store": "D"}
            ]
        }),
        "org",
    )
    .unwrap()
}

fn rec(id: usize, store: &str, advisor: &str, score: u8, at: &str) -> Record {
    let mut r = Record::scored(format!("r{id}"), score, minutes_of(at).unwrap());
    r.dims[Dimension::Store.index()] = store.into();
    r.dims[Dimension::Advisor.index()] = advisor.into();
    r
}

/// In November (UTC): A 30 promoters by a1 and 10 detractors by a2 (NPS 50); B 5 passives;
/// C 20 detractors; X (a store the org does not place) 3 promoters; one flagged promoter
/// of D; and an answer of A in October, outside the range.
fn records() -> Vec<Record> {
    let mut v = Vec::new();
    let mut add = |store: &str, advisor: &str, score: u8, count: usize, at: &str| {
        for _ in 0..count {
            v.push(rec(v.len(), store, advisor, score, at));
        }
    };
    add("A", "a1", 10, 30, "2026-11-03T02:00:00Z");
    add("A", "a2", 2, 10, "2026-11-20T02:00:00Z");
    add("B", "", 7, 5, "2026-11-10T02:00:00Z");
    add("C", "", 0, 20, "2026-11-10T02:00:00Z");
    add("X", "", 9, 3, "2026-11-10T02:00:00Z");
    add("A", "a1", 0, 7, "2026-10-10T02:00:00Z");
    let mut flagged = rec(v.len(), "D", "d1", 10, "2026-11-10T02:00:00Z");
    flagged.flagged = Some(crate::data::LeftOut::TooFast);
    v.push(flagged);
    v
}

const CX: Context = Context {
    now: 0,
    offset: 0,
    min_n: 30,
};

fn november() -> (i64, i64) {
    (
        parse_iso_date("2026-11-01").unwrap(),
        parse_iso_date("2026-11-30").unwrap(),
    )
}

fn table(f: &Filters, reach: &Reach) -> Table {
    build(&records(), &org(), f, CX, november(), reach)
}

fn codes(t: &Table) -> Vec<&str> {
    t.rows.iter().map(|r| r.code.as_str()).collect()
}

fn row<'t>(t: &'t Table, code: &str) -> &'t Row {
    t.rows.iter().find(|r| r.code == code).unwrap()
}

fn counts(rows: &[(&str, u64, u64, u64)]) -> Option<HashMap<String, Counts>> {
    Some(
        rows.iter()
            .map(|&(k, invited, answered, open)| {
                (
                    k.to_owned(),
                    Counts {
                        invited,
                        answered,
                        open,
                    },
                )
            })
            .collect(),
    )
}

#[test]
fn each_level_has_a_row_per_place_and_the_rows_add_up_to_the_view() {
    let all = Filters::default();
    let regions = table(&all, &Reach::default());
    assert_eq!(regions.level, Level::Region);
    // Worst first among those with enough answers (N: −100, n 20 < 30 is "not enough").
    assert_eq!(codes(&regions), ["S", "N", ""]);
    let s = row(&regions, "S");
    assert_eq!((s.name.as_str(), s.tally.n()), ("华南大区", 45));
    // 30 promoters, 5 passives, 10 detractors: (30 − 10) / 45 = 44.4.
    assert!((s.nps.unwrap().score - 400.0 / 9.0).abs() < 1e-9);
    assert!(s.enough);
    assert_eq!(s.target, Some(40));
    assert!((s.vs_target.unwrap() - (400.0 / 9.0 - 40.0)).abs() < 1e-9);
    // Too few answers: no "vs target", whatever the target.
    assert!(!row(&regions, "N").enough);
    // Every answer kept is in one row: 45 + 20 + 3 (the store the org does not place).
    let sum: u64 = regions.rows.iter().map(|r| r.tally.n()).sum();
    assert_eq!(sum, 68);
    assert_eq!(row(&regions, "").tally.n(), 3);

    let cities = table(
        &Filters {
            level: Some(Level::City),
            ..all.clone()
        },
        &Reach::default(),
    );
    let sum: u64 = cities.rows.iter().map(|r| r.tally.n()).sum();
    assert_eq!(sum, 68);
    assert_eq!(
        row(&cities, "深圳").tally.n(),
        40,
        "A and D (its flagged answer left out)"
    );

    let stores = table(
        &Filters {
            level: Some(Level::Store),
            ..all.clone()
        },
        &Reach::default(),
    );
    assert_eq!(stores.total, 5, "A, B, C, D (no answer: n 0) and X");
    assert_eq!(row(&stores, "D").tally.n(), 0);
    assert_eq!(row(&stores, "D").spark, vec![None; stores.periods.len()]);
    assert_eq!(
        row(&stores, "X").name,
        "",
        "not in the org: its code is shown"
    );
    let a = row(&stores, "A");
    assert_eq!((a.target, a.nps.unwrap().score), (Some(60), 50.0));
    assert_eq!(a.vs_target, Some(-10.0));
}

#[test]
fn a_place_picked_shows_the_level_under_it_and_drilling_sets_the_filters() {
    let o = org();
    let all = Filters::default();
    let south = drill_into(&all, &o, Level::Region, "S");
    assert_eq!(south.region.as_deref(), Some("S"));
    let t = table(&south, &Reach::default());
    assert_eq!(t.level, Level::City);
    assert_eq!(codes(&t), ["深圳", "广州"]);

    let shenzhen = drill_into(&south, &o, Level::City, "深圳");
    assert_eq!(
        (shenzhen.region.as_deref(), shenzhen.city.as_deref()),
        (Some("S"), Some("深圳"))
    );
    let t = table(&shenzhen, &Reach::default());
    assert_eq!((t.level, codes(&t)), (Level::Store, vec!["A", "D"]));

    let a = drill_into(&shenzhen, &o, Level::Store, "A");
    assert_eq!(a.only[Dimension::Store.index()].as_deref(), Some("A"));
    let t = table(&a, &Reach::default());
    assert_eq!(t.level, Level::Advisor);
    // a2: 10 detractors (−100), a1: 30 promoters (100); both named by the org.
    assert_eq!(codes(&t), ["a1", "a2"], "a1 has enough answers, a2 not");
    assert_eq!(row(&t, "a2").name, "陈静");

    // A store picked from anywhere places itself: its region and city come with it.
    let c = drill_into(&all, &o, Level::Store, "C");
    assert_eq!(
        (c.region.as_deref(), c.city.as_deref()),
        (Some("N"), Some("北京"))
    );
    // The crumbs go back up, letting the places below go.
    assert_eq!(up_to(&a, Some(Level::City)), shenzhen);
    assert_eq!(up_to(&a, Some(Level::Region)), south);
    assert_eq!(up_to(&a, None), all);
    // A drill clears the search.
    let searching = Filters {
        find: "深".into(),
        ..all.clone()
    };
    assert_eq!(drill_into(&searching, &o, Level::Region, "S").find, "");
}

#[test]
fn the_search_finds_names_and_codes_in_any_case_and_the_sorts_order_the_rows() {
    let stores = |find: &str, sort: Sort| {
        let f = Filters {
            level: Some(Level::Store),
            find: find.into(),
            sort,
            ..Filters::default()
        };
        let reach = Reach {
            funnel: counts(&[("A", 100, 40, 0), ("B", 10, 8, 0), ("C", 50, 5, 0)]),
            cases: counts(&[("A", 0, 0, 1), ("C", 0, 0, 6)]),
        };
        table(&f, &reach)
    };
    assert_eq!(
        codes(&stores("深圳", Sort::Name)),
        ["D", "A"],
        "by name, as the code points order them: 南 before 福"
    );
    assert_eq!(codes(&stores("d", Sort::Nps)), ["D"], "a code, either case");
    assert_eq!(codes(&stores("天河", Sort::Nps)), ["B"]);
    assert_eq!(codes(&stores("上海", Sort::Nps)), Vec::<&str>::new());
    assert_eq!(
        stores("深圳", Sort::Nps).total,
        5,
        "the total is before the search"
    );
    // Enough answers first (A), then the rest by NPS: C −100, B 0, X 100, D none.
    assert_eq!(codes(&stores("", Sort::Nps)), ["A", "C", "B", "X", "D"]);
    assert_eq!(codes(&stores("", Sort::N)), ["A", "C", "B", "X", "D"]);
    // Response rates: C 10 %, A 40 %, B 80 %; D and X have none.
    assert_eq!(codes(&stores("", Sort::Rate)), ["C", "A", "B", "D", "X"]);
    assert_eq!(codes(&stores("", Sort::Open)), ["C", "A", "B", "D", "X"]);
    // Only A has a target and enough answers.
    assert_eq!(codes(&stores("", Sort::Target))[0], "A");
    let t = stores("", Sort::Nps);
    assert_eq!(row(&t, "C").rate, Some(0.1));
    assert_eq!((row(&t, "C").open, row(&t, "D").open), (Some(6), Some(0)));
    assert_eq!(row(&t, "D").rate, None, "nobody invited");
    // Not asked (a dropped export): no rate, no open cases.
    let t = table(
        &Filters {
            level: Some(Level::Store),
            ..Filters::default()
        },
        &Reach::default(),
    );
    assert_eq!((row(&t, "A").rate, row(&t, "A").open), (None, None));
}

#[test]
fn a_regions_response_rate_and_open_cases_are_its_stores_summed() {
    let reach = Reach {
        funnel: counts(&[
            ("A", 100, 40, 0),
            ("B", 10, 8, 0),
            ("C", 50, 5, 0),
            ("X", 4, 1, 0),
        ]),
        cases: counts(&[("A", 0, 0, 1), ("B", 0, 0, 2), ("C", 0, 0, 6)]),
    };
    let t = table(&Filters::default(), &reach);
    let s = row(&t, "S");
    assert_eq!((s.invited, s.answered, s.open), (110, 48, Some(3)));
    assert_eq!(s.rate, Some(48.0 / 110.0));
    assert_eq!(row(&t, "").rate, Some(0.25), "the unplaced store's own");
    // In a region, only its stores count.
    let south = Filters {
        region: Some("S".into()),
        ..Filters::default()
    };
    let t = table(&south, &reach);
    assert_eq!(row(&t, "深圳").invited, 100);
    assert_eq!(row(&t, "广州").open, Some(2));
}

#[test]
fn the_collectors_rows_are_read_by_store_or_advisor_code() {
    let funnel = crate::funnel::Funnel::from_json(
        r#"{"by": "store", "from": null, "to": null, "rows": [{"key": "A", "invited": 100,
        "opened": 60, "answered": 40, "answers": 40, "promoters": 30, "shared": 0,
        "referred_opens": 0, "booked": 0, "purchased": 0, "flagged": 0}]}"#,
    )
    .unwrap();
    let cases = crate::cases::stats::from_json(r#"[{"key": "A", "cases": 9, "open": 2}]"#).unwrap();
    let reach = Reach::of(Some(&funnel.rows), Some(&cases));
    let t = table(
        &Filters {
            level: Some(Level::Store),
            ..Filters::default()
        },
        &reach,
    );
    let a = row(&t, "A");
    assert_eq!(
        (a.invited, a.answered, a.rate, a.open),
        (100, 40, Some(0.4), Some(2))
    );
    assert_eq!(Reach::of(None, None), Reach::default());
}

#[test]
fn the_sparkline_has_a_point_per_week_with_answers() {
    let t = table(
        &Filters {
            level: Some(Level::Store),
            ..Filters::default()
        },
        &Reach::default(),
    );
    // November 2026 from Monday 26 October: 6 weeks.
    assert_eq!(t.periods.len(), 6);
    let a = &row(&t, "A").spark;
    assert_eq!(a.iter().flatten().count(), 2, "{a:?}");
    assert_eq!(a[1], Some(100.0), "the week of 2 November: a1's promoters");
    assert_eq!(
        a[3],
        Some(-100.0),
        "the week of 16 November: a2's detractors"
    );
    assert_eq!(
        spark_points(&[Some(100.0), None, Some(-100.0)], 40.0, 10.0),
        "0.0,0.0 40.0,10.0"
    );
}

#[test]
fn six_hundred_and_forty_stores_are_built_searched_and_summed() {
    // 5 regions × 8 cities × 16 stores, 4 advisors each; 20 answers a store.
    let mut stores = Vec::new();
    let mut advisors = Vec::new();
    let mut records = Vec::new();
    for i in 0..640 {
        let (region, city) = (i % 5, i % 40);
        let code = format!("C{city:02}-{:02}", i / 40);
        stores.push(json!({"id": code, "name": format!("城市{city}第{}店", i / 40), "region": format!("R{region}"), "city": format!("城市{city}"), "target": 50}));
        for a in 0..4 {
            advisors.push(
                json!({"id": format!("{code}-{a}"), "name": format!("顾问{i}-{a}"), "store": code}),
            );
        }
        for k in 0..20 {
            let at = format!("2026-11-{:02}T02:00:00Z", 1 + k % 28);
            records.push(rec(
                records.len(),
                &code,
                &format!("{code}-{}", k % 4),
                ((i + k) % 11) as u8,
                &at,
            ));
        }
    }
    let regions: Vec<_> = (0..5)
        .map(|r| json!({"id": format!("R{r}"), "name": format!("大区{r}")}))
        .collect();
    let org = Org::from_value(
        &json!({"regions": regions, "stores": stores, "advisors": advisors}),
        "org",
    )
    .unwrap();
    let f = Filters {
        level: Some(Level::Store),
        sort: Sort::Target,
        ..Filters::default()
    };
    let t = build(&records, &org, &f, CX, november(), &Reach::default());
    assert_eq!((t.total, t.rows.len()), (640, 640));
    assert_eq!(t.rows.iter().map(|r| r.tally.n()).sum::<u64>(), 12_800);
    let found = build(
        &records,
        &org,
        &Filters {
            find: "城市7第".into(),
            ..f.clone()
        },
        CX,
        november(),
        &Reach::default(),
    );
    assert_eq!(found.rows.len(), 16);
    let regions = build(
        &records,
        &org,
        &Filters::default(),
        CX,
        november(),
        &Reach::default(),
    );
    assert_eq!(
        regions.rows.iter().map(|r| r.tally.n()).sum::<u64>(),
        12_800
    );
}

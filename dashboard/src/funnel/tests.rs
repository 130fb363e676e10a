//! Response rates and referrals against the spec's JSON (issue 17): reading, each row in
//! words, the order shown, the queries sent, and the flags in plain words.

use super::flags::{self, Reason, Words};
use super::*;
use crate::format::parse_iso_date;

/// The spec's answer, as `GET /api/funnel?by=store` gives it, with a store whose figures are
/// the seed's (150 promoters, 12 of whose friends bought: 8 %), one with no code and nobody
/// invited, and one with answers but no invitations recorded (the browser test reads it too).
pub const SPEC: &str = include_str!("../../tests/funnel-store.json");

/// The spec's flagged answers (`GET /api/funnel/flags?store=SZ-FT`).
pub const SPEC_FLAGS: &str = include_str!("../../tests/funnel-flags.json");

#[test]
fn the_spec_rows_read_whole_and_in_words() {
    let f = Funnel::from_json(SPEC).unwrap();
    assert_eq!(f.by, "store");
    assert_eq!(f.rows.len(), 4);
    let s = show(&f.rows[0], By::Store, Locale::ZhCn, 1);
    assert_eq!(s.name, "深圳福田店");
    assert_eq!(s.reach, ["120", "80", "60"].map(String::from));
    assert_eq!(s.response, "50%（60/120）");
    // Every answer (75, invited or not) beside the NPS, which counts them as the flags do.
    assert_eq!(s.answers, "75");
    let bar = s.response_bar.unwrap();
    assert_eq!((bar.rate, bar.lo, bar.hi), (0.5, 0.41, 0.59));
    assert_eq!(bar.range(), "41%–59%");
    assert_eq!((s.nps.as_str(), s.nps_range.as_str()), ("42", "30 … 54"));
    // Below the page's minimum (75 answers, a minimum of 76): the figure alone, no interval.
    let thin = show(&f.rows[0], By::Store, Locale::ZhCn, 76);
    assert_eq!((thin.nps.as_str(), thin.nps_range.as_str()), ("42", ""));
    assert_eq!(
        show(&f.rows[0], By::Store, Locale::ZhCn, 75).nps_range,
        "30 … 54"
    );
    assert_eq!(s.low_response, None);
    let steps: Vec<(Word, &str)> = s.steps.iter().map(|(w, n)| (*w, n.as_str())).collect();
    assert_eq!(
        steps,
        [
            (Word::Promoters, "40"),
            (Word::StepShared, "18"),
            (Word::StepOpened, "25"),
            (Word::StepBooked, "6"),
            (Word::StepBought, "3"),
        ]
    );
    // 3 of 40 promoters: the collector's 0.075, its own rounding kept.
    assert_eq!(s.referral, format!("{}（3/40）", pct(0.075)));
    assert_eq!(s.referral_bar.unwrap().range(), "3%–19%");
    assert_eq!(s.flagged, "9%（7/75）");
    // Each reason with answers, in the table's order; none for a reason with none.
    assert_eq!(
        s.reasons,
        [
            "同一设备多次回答 4",
            "同一网络集中回答 2",
            "在柜台当场回答 3"
        ]
    );
    let en = show(&f.rows[0], By::Store, Locale::En, 1);
    assert_eq!(en.response, "50% (60/120)");
    assert_eq!(en.reasons[2], "Answered at the counter 3");
}

#[test]
fn the_seeds_referral_rate_and_a_store_only_a_few_answered() {
    let f = Funnel::from_json(SPEC).unwrap();
    let s = show(&f.rows[1], By::Store, Locale::ZhCn, 1);
    assert_eq!(s.name, "广州天河店");
    // No name from the collector: the code.
    assert_eq!(name(&f.rows[3], By::Store, Locale::En), "BJ-CY");
    // The seed: 150 promoters, 12 brought a friend who bought (13 purchases: one friend
    // more), 8 %.
    assert_eq!(s.referral, "8%（12/150）");
    assert_eq!(s.response, "12%（48/400）");
    assert_eq!(
        s.low_response.as_deref(),
        Some("广州天河店：净推荐值较高，但受邀的 400 位顾客中只有 48 位回答。如果只有满意的顾客拿到了邀请，这个分数并不代表所有顾客。")
    );
    let tw = show(&f.rows[1], By::Store, Locale::ZhTw, 1);
    assert!(tw
        .low_response
        .unwrap()
        .contains("受邀的 400 位顧客中只有 48 位回答。"));
    let en = show(&f.rows[1], By::Store, Locale::En, 1);
    let en = en.low_response.unwrap();
    assert!(en.starts_with("广州天河店"), "{en}");
    assert!(en.contains("the NPS is high, but only 48 of 400 invited customers answered."));
    assert_eq!(
        Word::LowResponse.in_(Locale::ZhCn),
        "只收到了少数顾客的评价"
    );
    // Nothing flagged: 0 %, and no reason listed.
    assert_eq!(s.flagged, "0%（0/210）");
    assert!(s.reasons.is_empty());
}

#[test]
fn a_row_without_denominators_says_so_instead_of_zero() {
    let f = Funnel::from_json(SPEC).unwrap();
    let s = show(&f.rows[2], By::Store, Locale::ZhCn, 1);
    assert_eq!(s.name, "（未填写）");
    for figure in [&s.response, &s.nps, &s.referral, &s.flagged] {
        assert_eq!(figure, NONE);
    }
    assert_eq!((s.response_bar, s.referral_bar), (None, None));
    assert_eq!(s.nps_range, "");
    // Nobody invited: said, not 0 / 0 / 0 beside an NPS of twelve answers.
    let s = show(&f.rows[3], By::Store, Locale::ZhCn, 1);
    assert_eq!(s.reach, ["未记录邀请", NONE, NONE].map(String::from));
    assert_eq!(
        (s.response.as_str(), s.answers.as_str(), s.nps.as_str()),
        (NONE, "12", "25")
    );
    assert_eq!(s.flagged, "0%（0/12）");
    assert_eq!(
        show(&f.rows[3], By::Store, Locale::En, 1).reach[0],
        "No invitations recorded"
    );
    assert_eq!(Word::Answered.in_(Locale::ZhCn), "受邀后回答");
}

#[test]
fn a_missing_or_misspelt_figure_is_named() {
    let without = SPEC.replacen("\"invited\": 120,", "", 1);
    let e = Funnel::from_json(&without).unwrap_err();
    assert!(e.contains("invited"), "{e}");
    let wrong = SPEC.replacen("\"answered\": 60", "\"answered\": \"60\"", 1);
    assert!(Funnel::from_json(&wrong).is_err());
    assert!(Funnel::from_json("{\"error\": \"by: expected store, advisor\"}").is_err());
}

#[test]
fn names_of_months_touchpoints_and_codes() {
    let row = |key: &str, name: Option<&str>| Row {
        key: key.into(),
        name: name.map(String::from),
        ..Row::default()
    };
    for (r, by, locale, want) in [
        (row("2026-11", None), By::Month, Locale::ZhCn, "2026年11月"),
        (row("2026-11", None), By::Month, Locale::En, "Nov 2026"),
        (row("2026-13", None), By::Month, Locale::En, "2026-13"),
        (row("2026-W48", None), By::Month, Locale::En, "2026-W48"),
        (row("repair", None), By::Touchpoint, Locale::ZhTw, "維修"),
        (row("kiosk", None), By::Touchpoint, Locale::ZhCn, "kiosk"),
        (row("wang", Some("王磊")), By::Advisor, Locale::En, "王磊"),
        (row("wang", Some("")), By::Advisor, Locale::En, "wang"),
        (row("", None), By::Advisor, Locale::En, "(none given)"),
    ] {
        assert_eq!(name(&r, by, locale), want, "{r:?}");
    }
}

#[test]
fn stores_only_a_few_answered_come_first_and_months_in_time_order() {
    let f = Funnel::from_json(SPEC).unwrap().sorted();
    let keys: Vec<&str> = f.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["GZ-TH", "", "BJ-CY", "SZ-FT"]);
    let months = Funnel {
        by: "month".into(),
        from: None,
        to: None,
        rows: ["2026-11", "2025-12", "2026-02"]
            .map(|k| Row {
                key: k.into(),
                low_response: k == "2026-11",
                ..Row::default()
            })
            .to_vec(),
    }
    .sorted();
    let keys: Vec<&str> = months.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["2025-12", "2026-02", "2026-11"]);
}

#[test]
fn the_queries_carry_the_range_in_the_managers_time_zone() {
    let day = |s: &str| parse_iso_date(s).unwrap();
    let ask = Ask {
        from: day("2026-11-01"),
        to: day("2026-11-30"),
        offset: 480,
        survey: Some("after-sales".into()),
        store: None,
    };
    let all = Narrow::default();
    assert_eq!(day_start(ask.from, 480), "2026-11-01T00:00:00+08:00");
    assert_eq!(day_start(ask.from, -330), "2026-11-01T00:00:00-05:30");
    assert_eq!(
        ask.funnel(By::Advisor),
        "by=advisor&from=2026-11-01T00%3A00%3A00%2B08%3A00\
         &to=2026-12-01T00%3A00%3A00%2B08%3A00&survey=after-sales"
    );
    // The store picked in the filters goes along; the flags' own store replaces it.
    let one = Ask {
        store: Some("SZ-FT".into()),
        ..ask.clone()
    };
    assert!(one
        .funnel(By::Store)
        .ends_with("&survey=after-sales&store=SZ-FT"));
    assert_eq!(
        one.flags("GZ TH", &all),
        "store=GZ+TH&from=2026-11-01T00%3A00%3A00%2B08%3A00\
         &to=2026-12-01T00%3A00%3A00%2B08%3A00&survey=after-sales"
    );
    // The advisor, region, city and touchpoint picked go to the funnel and its flags (the
    // collector applies them), not to the bookings, which do not read them.
    let narrow = Narrow {
        advisor: Some("wang".into()),
        region: Some("south".into()),
        city: Some("深圳".into()),
        touchpoint: Some("after_sales".into()),
    };
    let tail = "&advisor=wang&region=south&city=%E6%B7%B1%E5%9C%B3&touchpoint=after_sales";
    let q = one.funnel_in(By::Store, &narrow);
    assert!(q.ends_with(&format!("&store=SZ-FT{tail}")), "{q}");
    assert!(one
        .twelve_months()
        .funnel_in(By::Month, &narrow)
        .ends_with(tail));
    assert_eq!(one.funnel_in(By::Store, &all), one.funnel(By::Store));
    assert!(one.flags("SZ-FT", &narrow).ends_with(tail));
    assert!(!one.bookings().contains("advisor"));
    // The trend: the 12 months up to the range's end, across a year's turn.
    let trend = ask.twelve_months();
    assert_eq!((trend.from, trend.to), (day("2025-12-01"), ask.to));
    let january = Ask {
        from: day("2027-01-20"),
        to: day("2027-01-20"),
        ..ask
    };
    assert_eq!(january.twelve_months().from, day("2026-02-01"));
    assert_eq!(By::TABS.map(By::key), ["store", "advisor", "touchpoint"]);
}

#[test]
fn each_flag_reason_in_plain_words() {
    // Every reason its own name and explanation, in every locale, each a sentence.
    for l in Locale::ALL {
        let mut names = Vec::new();
        for r in Reason::ALL {
            assert_eq!(Reason::of(r.key()), Some(r));
            let why = r.why().in_(l);
            let end = if l == Locale::En { '.' } else { '。' };
            assert!(why.ends_with(end), "{r:?} in {l}: {why}");
            names.push(r.word().in_(l));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Reason::ALL.len(), "one name per reason in {l}");
    }
    assert_eq!(Reason::of("same-device"), None);

    let rows = flags::from_json(SPEC_FLAGS).unwrap();
    // The latest first.
    assert_eq!(rows[0].id, "r-2");
    assert_eq!(
        flags::labels(&rows[1].reasons, Locale::ZhCn),
        "同一设备多次回答、在柜台当场回答"
    );
    // A reason this page does not know yet: by its key, never hidden.
    assert_eq!(
        flags::labels(&rows[0].reasons, Locale::En),
        "A burst of 10s, new_rule"
    );
    let counts = BTreeMap::from([("new_rule".to_owned(), 2), ("ten_burst".to_owned(), 1)]);
    assert_eq!(
        flags::counts(&counts, Locale::ZhTw),
        ["集中打 10 分 1", "new_rule 2"]
    );
    assert!(flags::from_json("[]").is_err());
}

/// A long view asks the collector for its last `MAX_RANGE_DAYS` days, the query the collector
/// takes; a shorter one for all of it.
#[test]
fn a_long_view_asks_for_its_last_days_only() {
    use nps_core::contract::rules::MAX_RANGE_DAYS;
    assert_eq!(first_day(100, 189), 100);
    assert_eq!(first_day(0, MAX_RANGE_DAYS - 1), 0, "exactly the longest");
    assert_eq!(first_day(0, 999), 1000 - MAX_RANGE_DAYS);
    let from = first_day(0, 999);
    assert_eq!(999 - from + 1, MAX_RANGE_DAYS);
}

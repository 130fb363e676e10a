//! The analysis as tables of independently computed values, the coverage simulation, and
//! the bounds of every interval.

use super::*;

fn tally(promoters: u64, passives: u64, detractors: u64) -> Tally {
    Tally {
        promoters,
        passives,
        detractors,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn differences_against_independently_computed_values() {
    // Computed by hand from the formula in the module doc (adjusted-Wald on each side).
    let rows = [
        (
            (60, 20, 20),
            (40, 30, 30),
            30.0,
            (6.894269083551119, 51.35815810091489),
            Verdict::Better,
        ),
        (
            (50, 30, 20),
            (48, 30, 22),
            4.0,
            (-17.620177711768353, 25.387168003030485),
            Verdict::Noise,
        ),
    ];
    for (a, b, points, ci, verdict) in rows {
        let d = compare(&tally(a.0, a.1, a.2), &tally(b.0, b.1, b.2)).unwrap();
        assert!(close(d.points, points), "{a:?} vs {b:?}: {d:?}");
        assert!(
            close(d.ci95.0, ci.0) && close(d.ci95.1, ci.1),
            "{a:?} vs {b:?}: {d:?}"
        );
        assert_eq!(d.verdict, verdict);
        // The other way round: the same interval mirrored, the opposite verdict.
        let r = compare(&tally(b.0, b.1, b.2), &tally(a.0, a.1, a.2)).unwrap();
        assert!(close(r.ci95.0, -ci.1) && close(r.ci95.1, -ci.0));
        let opposite = match verdict {
            Verdict::Better => Verdict::Worse,
            v => v,
        };
        assert_eq!(r.verdict, opposite);
    }
    assert_eq!(compare(&tally(1, 0, 0), &Tally::default()), None);
}

#[test]
fn segments_worst_first_with_small_ones_last() {
    let out = segments(
        vec![
            ("SZ-FT".into(), tally(70, 20, 10)),
            ("GZ-TH".into(), tally(30, 30, 40)),
            ("BJ-CY".into(), tally(50, 30, 20)),
            ("SH-PD".into(), tally(0, 0, 5)),
        ],
        DEFAULT_MIN_N,
    );
    let names: Vec<&str> = out.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["GZ-TH", "BJ-CY", "SZ-FT", "SH-PD"]);
    assert!(!out[3].enough, "5 answers are not enough");
    assert_eq!(out[0].vs_rest.unwrap().verdict, Verdict::Worse);
    assert_eq!(out[2].vs_rest.unwrap().verdict, Verdict::Better);
    // Each is compared with everyone else: GZ-TH against the other three together.
    let rest = tally(120, 50, 35);
    assert_eq!(
        out[0].vs_rest,
        compare(&tally(30, 30, 40), &rest),
        "the rest is the others' sum"
    );
}

#[test]
fn drivers_by_what_the_score_would_be_without_them() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let data = [
        (Category::Detractor, s(&["wait_time"])),
        (Category::Detractor, s(&["wait_time", "price"])),
        (Category::Passive, s(&["price"])),
        (Category::Promoter, s(&[])),
        (Category::Promoter, s(&["advisor_attitude"])),
    ];
    let out = drivers(data.iter().map(|(c, r)| (*c, r.as_slice())));
    // Everyone: NPS 0. Without wait_time's choosers: 2 promoters, 1 passive → 66.7.
    let got: Vec<(&str, f64)> = out.iter().map(|d| (d.reason.as_str(), d.impact)).collect();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].0, "wait_time");
    assert!(close(got[0].1, -200.0 / 3.0));
    assert_eq!(got[1].0, "price");
    assert!(close(got[1].1, -100.0 / 3.0));
    assert_eq!(got[2].0, "advisor_attitude");
    assert!(close(got[2].1, 25.0));
    assert_eq!(out[0].chosen_by, tally(0, 0, 2));
}

/// Tallies counted elsewhere (a caller holding reasons as ids), in any order, give the drivers
/// `drivers` counts from the responses: the one formula, the one order.
#[test]
fn drivers_from_tallies_are_the_drivers_of_the_responses() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let data = [
        (Category::Detractor, s(&["wait_time", "price"])),
        (Category::Passive, s(&["price"])),
        (Category::Promoter, s(&["staff"])),
        (Category::Promoter, s(&["price", "price"])),
        (Category::Detractor, s(&[])),
        (Category::Passive, s(&["staff"])),
    ];
    let want = drivers(data.iter().map(|(c, r)| (*c, r.as_slice())));
    let all = tally(2, 2, 2);
    let mut by_reason = vec![
        ("staff".to_owned(), tally(1, 1, 0)),
        ("price".to_owned(), tally(2, 1, 1)),
        ("wait_time".to_owned(), tally(0, 0, 1)),
    ];
    assert_eq!(drivers_from(&all, by_reason.clone()), want);
    by_reason.reverse();
    assert_eq!(drivers_from(&all, by_reason), want);
    assert_eq!(drivers_from(&all, Vec::new()), []);
}

#[test]
fn a_reason_is_split_into_praise_and_complaints() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // Five answers, NPS 0: "advisor_attitude" praised by one promoter, complained of by one
    // detractor and one passive.
    let data = [
        (Category::Promoter, s(&["advisor_attitude"])),
        (Category::Promoter, s(&[])),
        (Category::Passive, s(&["advisor_attitude"])),
        (Category::Detractor, s(&["advisor_attitude"])),
        (Category::Detractor, s(&[])),
    ];
    let out = drivers(data.iter().map(|(c, r)| (*c, r.as_slice())));
    let d = &out[0];
    assert_eq!((d.praised(), d.complained()), (1, 2));
    // Without the promoter who praised it: 1 P, 1 N, 2 D → −25; 0 − (−25) = +25.
    assert!(close(d.praise_impact, 25.0), "{}", d.praise_impact);
    // Without the passive and the detractor: 2 P, 1 D → 33.3; 0 − 33.3 = −33.3.
    assert!(
        close(d.complaint_impact, -100.0 / 3.0),
        "{}",
        d.complaint_impact
    );
    // Without all three: 1 P, 1 D → 0: the two sides cancel in the single impact.
    assert!(close(d.impact, 0.0));
}

#[test]
fn the_three_levers_side_by_side() {
    let t = tally(40, 30, 30); // NPS 10
    assert!(close(what_if(&t, Lever::DetractorsTo(10.0)).unwrap(), 30.0));
    assert!(close(what_if(&t, Lever::PromotersTo(60.0)).unwrap(), 30.0));
    assert!(close(
        what_if(&t, Lever::ConvertPassives(50.0)).unwrap(),
        25.0
    ));
    // Promoters up beyond what passives give: the rest comes from detractors (80 − 20).
    assert!(close(what_if(&t, Lever::PromotersTo(80.0)).unwrap(), 60.0));
    // A target already met changes nothing; shares are clamped to 0–100.
    assert!(close(what_if(&t, Lever::DetractorsTo(50.0)).unwrap(), 10.0));
    assert!(close(what_if(&t, Lever::PromotersTo(20.0)).unwrap(), 10.0));
    assert!(close(
        what_if(&t, Lever::ConvertPassives(150.0)).unwrap(),
        40.0
    ));
    assert_eq!(
        what_if(&Tally::default(), Lever::ConvertPassives(10.0)),
        None
    );
}

/// A small seeded generator (xorshift64*), so that the simulation is the same every run.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn the_interval_covers_the_true_nps_about_95_percent_of_the_time() {
    let mut rng = Rng(20261124);
    for (p, d, n) in [
        (0.45, 0.25, 200),
        (0.7, 0.1, 50),
        (0.3, 0.4, 500),
        (0.6, 0.2, 30),
    ] {
        let truth = 100.0 * (p - d);
        let trials = 10_000;
        let mut covered = 0;
        for _ in 0..trials {
            let mut t = Tally::default();
            for _ in 0..n {
                let u = rng.unit();
                t.add(if u < p {
                    Category::Promoter
                } else if u < p + d {
                    Category::Detractor
                } else {
                    Category::Passive
                });
            }
            let (lo, hi) = t.nps().unwrap().ci95;
            if lo <= truth && truth <= hi {
                covered += 1;
            }
        }
        let share = covered as f64 / trials as f64;
        assert!(
            (0.94..=0.96).contains(&share),
            "p {p}, d {d}, n {n}: covered {share}"
        );
    }
}

#[test]
fn intervals_never_leave_the_scale() {
    for n in [1u64, 2, 3, 10, 1000] {
        for p in 0..=n {
            for d in 0..=(n - p).min(50) {
                let t = tally(p, n - p - d, d);
                let (lo, hi) = t.nps().unwrap().ci95;
                assert!((-100.0..=100.0).contains(&lo) && (-100.0..=100.0).contains(&hi));
                assert!(lo <= hi);
                let diff = compare(&t, &tally(d, n - p - d, p)).unwrap();
                assert!((-200.0..=200.0).contains(&diff.ci95.0) && diff.ci95.0 <= diff.ci95.1);
            }
        }
    }
}

/// A difference's interval always holds the difference shown, for every split of every pair of
/// tallies up to 12 answers each and the extremes at 30 and 200.
#[test]
fn a_differences_interval_holds_the_difference_shown() {
    let splits = |n: u64| {
        (0..=n).flat_map(move |p| {
            (0..=n - p).map(move |d| Tally {
                promoters: p,
                passives: n - p - d,
                detractors: d,
            })
        })
    };
    let check = |a: &Tally, b: &Tally| {
        let d = compare(a, b).expect("two tallies with answers");
        assert!(
            d.ci95.0 <= d.points && d.points <= d.ci95.1,
            "{a:?} vs {b:?}: {d:?}"
        );
        assert!(-200.0 <= d.ci95.0 && d.ci95.1 <= 200.0);
        match d.verdict {
            Verdict::Better => assert!(d.ci95.0 > 0.0),
            Verdict::Worse => assert!(d.ci95.1 < 0.0),
            Verdict::Noise => assert!(d.ci95.0 <= 0.0 && 0.0 <= d.ci95.1),
        }
    };
    for na in 1..=12 {
        for nb in 1..=12 {
            for a in splits(na) {
                for b in splits(nb) {
                    check(&a, &b);
                }
            }
        }
    }
    for n in [30, 200] {
        let all = |p, d| Tally {
            promoters: p,
            passives: 0,
            detractors: d,
        };
        check(&all(n, 0), &all(0, n));
        check(&all(0, n), &all(n, 0));
    }
}

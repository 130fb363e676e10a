//! Properties of the dashboard's scorer (`score`, `analysis`) over any tallies and answers:
//! intervals stay on the scale and hold their score, a comparison mirrors, segments come worst
//! first and each is compared with exactly the rest, a driver's impact is what removing its
//! choosers does, the levers move the score the way they say, and batch tallies equal a naive
//! count.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use nps_core::scoring::analysis::{
    compare, drivers, segments, tally_bytes, tally_segments, what_if, Lever, Verdict, DEFAULT_MIN_N,
};
use nps_core::scoring::score::{category, Category, Tally};
use proptest::prelude::*;

fn tally() -> impl Strategy<Value = Tally> {
    (0u64..5000, 0u64..5000, 0u64..5000)
        .prop_filter("not empty", |(p, q, d)| p + q + d > 0)
        .prop_map(|(promoters, passives, detractors)| Tally {
            promoters,
            passives,
            detractors,
        })
}

proptest! {
    #[test]
    fn an_interval_holds_its_score_and_stays_on_the_scale(t in tally()) {
        let n = t.nps().unwrap();
        prop_assert!(-100.0 <= n.ci95.0 && n.ci95.1 <= 100.0);
        prop_assert!(n.ci95.0 <= n.score + 1e-9 && n.score <= n.ci95.1 + 1e-9, "{n:?}");
    }

    #[test]
    fn a_comparison_mirrors(a in tally(), b in tally()) {
        let (ab, ba) = (compare(&a, &b).unwrap(), compare(&b, &a).unwrap());
        prop_assert!((ab.points + ba.points).abs() < 1e-9);
        prop_assert!((ab.ci95.0 + ba.ci95.1).abs() < 1e-9 || ab.ci95.0 == -200.0 || ba.ci95.1 == 200.0);
        let mirrored = match ab.verdict {
            Verdict::Better => Verdict::Worse,
            Verdict::Worse => Verdict::Better,
            Verdict::Noise => Verdict::Noise,
        };
        prop_assert_eq!(ba.verdict, mirrored);
        prop_assert_eq!(compare(&a, &a).unwrap().verdict, Verdict::Noise);
    }

    #[test]
    fn segments_come_worst_first_each_against_the_rest(ts in prop::collection::vec(tally(), 1..8)) {
        let named: Vec<(String, Tally)> = ts.iter().enumerate().map(|(i, t)| (format!("s{i}"), *t)).collect();
        let all = ts.iter().fold(Tally::default(), |a, t| a.plus(t));
        let out = segments(named.clone(), DEFAULT_MIN_N);
        prop_assert_eq!(out.len(), named.len());
        for w in out.windows(2) {
            let key = |s: &nps_core::scoring::analysis::Segment| (!s.enough, s.tally.nps().unwrap().score);
            prop_assert!(key(&w[0]).0 < key(&w[1]).0 || (key(&w[0]).0 == key(&w[1]).0 && key(&w[0]).1 <= key(&w[1]).1));
        }
        for s in &out {
            let rest = all.minus(&s.tally);
            prop_assert_eq!(s.vs_rest, compare(&s.tally, &rest));
            prop_assert_eq!(s.enough, s.tally.n() >= DEFAULT_MIN_N);
        }
    }

    #[test]
    fn a_driver_costs_what_removing_its_choosers_does(
        answers in prop::collection::vec((0i64..=10, prop::collection::vec(0usize..4, 0..3)), 1..200)
    ) {
        let names = ["wait_time", "price", "advisor", "lounge"];
        let rows: Vec<(Category, Vec<String>)> = answers.iter().map(|(s, rs)| {
            let mut r: Vec<String> = rs.iter().map(|i| names[*i].to_owned()).collect();
            r.dedup();
            (category(*s).unwrap(), r)
        }).collect();
        let out = drivers(rows.iter().map(|(c, r)| (*c, r.as_slice())));
        let all = Tally::from_scores(answers.iter().map(|(s, _)| *s)).unwrap();
        for d in &out {
            let mut chosen = Tally::default();
            for (c, r) in &rows {
                if r.contains(&d.reason) {
                    chosen.add(*c);
                }
            }
            prop_assert_eq!(d.chosen_by, chosen);
            let without = all.minus(&chosen).nps().map_or(0.0, |n| n.score);
            prop_assert!((d.impact - (all.nps().unwrap().score - without)).abs() < 1e-9);
        }
        prop_assert!(out.windows(2).all(|w| w[0].impact <= w[1].impact));
    }

    #[test]
    fn the_levers_move_the_score_the_way_they_say(t in tally(), x in 0.0f64..100.0, y in 0.0f64..100.0) {
        let now = t.nps().unwrap().score;
        let (lo, hi) = (x.min(y), x.max(y));
        for lever in [Lever::DetractorsTo(x), Lever::PromotersTo(x), Lever::ConvertPassives(x)] {
            let v = what_if(&t, lever).unwrap();
            prop_assert!((-100.0 - 1e-9..=100.0 + 1e-9).contains(&v), "{lever:?} {v}");
        }
        // Converting more passives, or letting fewer detractors be, never lowers the score.
        prop_assert!(what_if(&t, Lever::ConvertPassives(lo)).unwrap() <= what_if(&t, Lever::ConvertPassives(hi)).unwrap() + 1e-9);
        prop_assert!(what_if(&t, Lever::DetractorsTo(lo)).unwrap() + 1e-9 >= what_if(&t, Lever::DetractorsTo(hi)).unwrap());
        prop_assert!(what_if(&t, Lever::PromotersTo(lo)).unwrap() <= what_if(&t, Lever::PromotersTo(hi)).unwrap() + 1e-9);
        // A lever pulled to where things are changes nothing.
        prop_assert!((what_if(&t, Lever::ConvertPassives(0.0)).unwrap() - now).abs() < 1e-9);
        let d_share = 100.0 * t.detractors as f64 / t.n() as f64;
        prop_assert!((what_if(&t, Lever::DetractorsTo(d_share)).unwrap() - now).abs() < 1e-6);
    }

    #[test]
    fn batch_tallies_equal_a_naive_count(rows in prop::collection::vec((0u8..=10, 0u32..50), 0..500)) {
        let (scores, segs): (Vec<u8>, Vec<u32>) = rows.iter().copied().unzip();
        let mut naive: BTreeMap<u32, Tally> = BTreeMap::new();
        for (s, g) in &rows {
            naive.entry(*g).or_default().add(category(*s as i64).unwrap());
        }
        let got: BTreeMap<u32, Tally> = tally_segments(&scores, &segs).unwrap().into_iter().collect();
        prop_assert_eq!(got, naive);
    }

    #[test]
    fn a_bulk_tally_equals_a_naive_count_and_names_the_first_bad_score(
        scores in prop::collection::vec(0u8..=10, 0..2000),
        bad in prop::option::of((11u8..=255, 0usize..2000)),
    ) {
        let mut naive = Tally::default();
        for s in &scores {
            naive.add(category(*s as i64).unwrap());
        }
        prop_assert_eq!(tally_bytes(&scores).unwrap(), naive);
        if let Some((value, at)) = bad {
            let mut scores = scores.clone();
            let at = at.min(scores.len());
            scores.insert(at, value);
            scores.push(value);
            prop_assert_eq!(
                tally_bytes(&scores).unwrap_err().to_string(),
                format!("score at index {at} is {value}: expected an integer from 0 to 10")
            );
        }
    }
}

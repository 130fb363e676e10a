//! The words a manager reads beside a figure, decided here and tested in every locale:
//! a verdict that says what it compares ("比上期显著下降" for the headline's change,
//! "显著低于其他门店" for a row against the rest), the target a figure is held to and
//! whether it meets it, "too few answers to judge", and how many answers were left out and
//! why. The web shell only places these strings.

use nps_core::contract::context::Dimension;
use nps_core::org::{Target, TargetFrom};
use nps_core::scoring::analysis::Verdict;
use nps_core::words::{fill, Locale};

use crate::data::LeftOut;
use crate::filters::By;
use crate::format::int;
use crate::report::targets::OnTarget;
use crate::words::Word;

/// The class of a verdict's words (its colour).
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "verdict better",
        Verdict::Worse => "verdict worse",
        Verdict::Noise => "verdict noise",
    }
}

/// The headline's change against the previous period, in words.
pub fn vs_last(v: Verdict) -> Word {
    match v {
        Verdict::Better => Word::UpOnLast,
        Verdict::Worse => Word::DownOnLast,
        Verdict::Noise => Word::WithinLast,
    }
}

/// "the other …" of a grouping: the other stores, advisors, regions.
pub fn others(by: By) -> Word {
    match by {
        By::Dim(Dimension::Store) => Word::OtherStores,
        By::Dim(Dimension::Advisor) => Word::OtherAdvisors,
        By::Dim(Dimension::Model) => Word::OtherModels,
        By::Dim(Dimension::ServiceType) => Word::OtherServiceTypes,
        By::Dim(Dimension::Touchpoint) => Word::OtherTouchpoints,
        By::Region => Word::OtherRegions,
        By::City => Word::OtherCities,
    }
}

/// A row of the table grouped by `by` against the rest, in words.
pub fn vs_rest(v: Verdict, by: By, locale: Locale) -> String {
    let word = match v {
        Verdict::Better => Word::AboveRest,
        Verdict::Worse => Word::BelowRest,
        Verdict::Noise => Word::SameAsRest,
    };
    fill(word.in_(locale), &[("others", others(by).in_(locale))])
}

/// A target and whose it is: "门店目标 60", "brand target 45".
pub fn target(t: Target, locale: Locale) -> String {
    let word = match t.from {
        TargetFrom::Store => Word::TargetStore,
        TargetFrom::Region => Word::TargetRegion,
        TargetFrom::Brand => Word::TargetBrand,
    };
    fill(word.in_(locale), &[("t", &t.nps.to_string())])
}

/// A figure against its target: its class (colour) and words ("低于品牌目标 45").
pub fn on_target(on: OnTarget, t: Target, locale: Locale) -> (&'static str, String) {
    let (class, word) = match on {
        OnTarget::Met => ("met", Word::TargetMet),
        OnTarget::Below => ("below", Word::TargetBelow),
    };
    (
        class,
        fill(word.in_(locale), &[("target", &target(t, locale))]),
    )
}

/// "样本不足（5 条），暂不评级".
pub fn not_enough(n: u64, locale: Locale) -> String {
    fill(Word::NotEnough.in_(locale), &[("n", &int(n))])
}

/// How many answers of the view were left out and why, per reason; `None` when none were.
pub fn left_out(counts: &[usize; LeftOut::ALL.len()], locale: Locale) -> Option<String> {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let why: Vec<String> = LeftOut::ALL
        .into_iter()
        .filter(|l| counts[l.index()] > 0)
        .map(|l| {
            let word = match l {
                LeftOut::TooFast => Word::LeftTooFast,
                LeftOut::Honeypot => Word::LeftHoneypot,
                LeftOut::Recovery => Word::LeftRecovery,
                LeftOut::Other => Word::LeftOther,
            };
            fill(word.in_(locale), &[("n", &int(counts[l.index()] as u64))])
        })
        .collect();
    Some(fill(
        Word::LeftOut.in_(locale),
        &[
            ("n", &int(total as u64)),
            ("why", &why.join(Word::ListSep.in_(locale))),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Locale; 3] = [Locale::ZhCn, Locale::ZhTw, Locale::En];

    /// (locale, expected) for each of the three locales, in `ALL`'s order.
    fn check(got: impl Fn(Locale) -> String, want: [&str; 3]) {
        for (l, w) in ALL.into_iter().zip(want) {
            assert_eq!(got(l), w, "{l}");
        }
    }

    #[test]
    fn the_headlines_change_says_it_is_against_the_last_period() {
        check(
            |l| vs_last(Verdict::Worse).in_(l).to_owned(),
            ["比上期显著下降", "比上期顯著下降", "Down on last period"],
        );
        check(
            |l| vs_last(Verdict::Noise).in_(l).to_owned(),
            [
                "与上期相比在误差范围内",
                "與上期相比在誤差範圍內",
                "Within the margin of last period",
            ],
        );
        check(
            |l| vs_last(Verdict::Better).in_(l).to_owned(),
            ["比上期显著提升", "比上期顯著提升", "Up on last period"],
        );
    }

    #[test]
    fn a_row_says_it_is_against_the_others_never_that_it_fell() {
        check(
            |l| vs_rest(Verdict::Worse, By::Dim(Dimension::Store), l),
            [
                "显著低于其他门店",
                "顯著低於其他門市",
                "Below the other stores",
            ],
        );
        check(
            |l| vs_rest(Verdict::Better, By::Dim(Dimension::Advisor), l),
            [
                "显著高于其他顾问",
                "顯著高於其他顧問",
                "Above the other advisors",
            ],
        );
        check(
            |l| vs_rest(Verdict::Noise, By::Region, l),
            [
                "与其他区域无显著差异",
                "與其他區域無顯著差異",
                "No clear difference from the other regions",
            ],
        );
        // Every grouping has its own "others", and no row reads as a change over time.
        for by in By::ALL {
            for v in [Verdict::Better, Verdict::Worse, Verdict::Noise] {
                for l in ALL {
                    let s = vs_rest(v, by, l);
                    assert!(!s.contains('{'), "{s}");
                    for time in ["上期", "真实", "下降", "period", "drop"] {
                        assert!(!s.contains(time), "{by:?} {v:?} {l}: {s}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_target_says_whose_it_is_and_whether_it_is_met() {
        let brand = Target {
            nps: 45,
            from: TargetFrom::Brand,
        };
        let store = Target {
            nps: 60,
            from: TargetFrom::Store,
        };
        check(
            |l| on_target(OnTarget::Below, brand, l).1,
            [
                "低于品牌目标 45",
                "低於品牌目標 45",
                "Below the brand target 45",
            ],
        );
        check(
            |l| on_target(OnTarget::Met, store, l).1,
            [
                "达到门店目标 60",
                "達到門市目標 60",
                "Meets the store target 60",
            ],
        );
        let region = Target {
            nps: 55,
            from: TargetFrom::Region,
        };
        check(
            |l| target(region, l),
            ["区域目标 55", "區域目標 55", "region target 55"],
        );
        assert_eq!(on_target(OnTarget::Met, store, Locale::En).0, "met");
        assert_eq!(on_target(OnTarget::Below, store, Locale::En).0, "below");
    }

    #[test]
    fn too_few_answers_are_not_judged_in_plain_words() {
        check(
            |l| not_enough(5, l),
            [
                "样本不足（5 条），暂不评级",
                "樣本不足（5 則），暫不評級",
                "Too few answers (5) to judge",
            ],
        );
    }

    #[test]
    fn the_answers_left_out_are_counted_per_reason() {
        assert_eq!(left_out(&[0; 4], Locale::ZhCn), None);
        // All 300 flagged too fast: said, even with nothing left to score.
        check(
            |l| left_out(&[300, 0, 0, 0], l).unwrap(),
            [
                "另有 300 条回答未计入：300 条答得太快，来不及读题。",
                "另有 300 則回答未計入：300 則答得太快，來不及讀題。",
                "300 more answers are left out: 300 answered too fast to have read the question.",
            ],
        );
        check(
            |l| left_out(&[2, 1, 3, 0], l).unwrap(),
            [
                "另有 6 条回答未计入：2 条答得太快，来不及读题；1 条疑似机器人填写；3 条是回访问卷的回答，计入挽回率。",
                "另有 6 則回答未計入：2 則答得太快，來不及讀題；1 則疑似機器人填寫；3 則是回訪問卷的回答，計入挽回率。",
                "6 more answers are left out: 2 answered too fast to have read the question; 1 look filled in by a robot; 3 are follow-up survey answers, counted in the recovery rate.",
            ],
        );
        assert!(left_out(&[0, 0, 0, 1_234], Locale::En)
            .unwrap()
            .starts_with("1,234 more answers are left out: 1,234 carry another flag"));
    }
}

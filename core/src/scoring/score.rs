//! Scoring: the category of a 0–10 score, and a tally's NPS with its adjusted-Wald 95% interval.
//!
//! NPS = % promoters − % detractors, in points from −100 to +100. The interval follows
//! the adjusted-Wald method for a difference of two multinomial shares:
//! n′ = n + 3, p′ = (P + 0.75)/n′, d′ = (D + 0.75)/n′,
//! NPS′ ± 1.96·√((p′ + d′ − (p′ − d′)²)/n′), clamped to [−100, 100], then widened where
//! needed to hold the NPS itself: the adjusted centre pulls a small sample towards 0, so one
//! promoter alone would read "100, interval −49 to 99", an interval leaving out its own
//! estimate. Widening only ever raises the coverage, and a manager never sees an interval
//! that disagrees with the number beside it (`every_interval_holds_its_estimate`).

use std::fmt;

/// The three NPS categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// 0–6: recover them.
    Detractor,
    /// 7–8: convert them.
    Passive,
    /// 9–10: grow them.
    Promoter,
}

impl Category {
    /// The name used in the payload, the CSS and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Detractor => "detractor",
            Category::Passive => "passive",
            Category::Promoter => "promoter",
        }
    }

    /// Parses a payload name back into a category.
    pub fn parse(s: &str) -> Option<Category> {
        match s {
            "detractor" => Some(Category::Detractor),
            "passive" => Some(Category::Passive),
            "promoter" => Some(Category::Promoter),
            _ => None,
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A score outside the 0–10 integer scale.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreError {
    /// The rejected value, as given.
    pub value: String,
    /// Its position in the input, when scoring a list.
    pub index: Option<usize>,
}

impl fmt::Display for ScoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(
                f,
                "score at index {i} is {}: expected an integer from 0 to 10",
                self.value
            ),
            None => write!(
                f,
                "score is {}: expected an integer from 0 to 10",
                self.value
            ),
        }
    }
}

impl std::error::Error for ScoreError {}

/// A score on the 0–10 scale. Making one is the only check (`Score::new`, `TryFrom<i64>`,
/// `Score::from_f64`), so everything that holds a `Score` holds a valid one and its
/// `category()` cannot fail. In JSON it is the plain number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Score(u8);

impl Score {
    /// The bottom of the scale.
    pub const MIN: Score = Score(0);

    /// The top of the scale.
    pub const MAX: Score = Score(crate::contract::rules::MAX_SCORE);

    /// A score, when `value` is on the scale.
    pub const fn new(value: u8) -> Option<Score> {
        if value <= crate::contract::rules::MAX_SCORE {
            Some(Score(value))
        } else {
            None
        }
    }

    /// A score written as text (an attribute, a form field, a stored draft), when it is a
    /// whole number on the scale.
    pub fn parse(text: &str) -> Option<Score> {
        text.parse::<u8>().ok().and_then(Score::new)
    }

    /// The number, 0 to 10.
    pub const fn get(self) -> u8 {
        self.0
    }

    /// Every score, 0 to 10.
    pub fn all() -> impl DoubleEndedIterator<Item = Score> {
        (0..=crate::contract::rules::MAX_SCORE).map(Score)
    }

    /// The category: 0–6 detractor, 7–8 passive, 9–10 promoter.
    pub const fn category(self) -> Category {
        match self.0 {
            0..=6 => Category::Detractor,
            7..=8 => Category::Passive,
            _ => Category::Promoter,
        }
    }

    /// A number from JSON or JavaScript, when it is an integer 0–10.
    pub fn of_f64(value: f64) -> Option<Score> {
        (value.fract() == 0.0 && (0.0..=Score::MAX.0 as f64).contains(&value))
            .then_some(Score(value as u8))
    }

    /// Checks a number that came from JSON or JavaScript: it must be an integer 0–10; the
    /// error names the value (and its position, when scoring a list).
    pub fn from_f64(value: f64, index: Option<usize>) -> Result<Score, ScoreError> {
        Score::of_f64(value).ok_or_else(|| ScoreError {
            value: format_number(value),
            index,
        })
    }
}

impl TryFrom<i64> for Score {
    type Error = ScoreError;

    fn try_from(value: i64) -> Result<Score, ScoreError> {
        u8::try_from(value)
            .ok()
            .and_then(Score::new)
            .ok_or_else(|| ScoreError {
                value: value.to_string(),
                index: None,
            })
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Score> for serde_json::Value {
    fn from(s: Score) -> serde_json::Value {
        serde_json::Value::from(s.0)
    }
}

/// The category of a score; anything outside 0–10 is an error value, never a panic.
pub fn category(score: i64) -> Result<Category, ScoreError> {
    Score::try_from(score).map(Score::category)
}

fn format_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Counts per category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
}

impl Tally {
    /// Tallies a list of scores, rejecting the first one outside 0–10.
    pub fn from_scores<I: IntoIterator<Item = i64>>(scores: I) -> Result<Tally, ScoreError> {
        let mut t = Tally::default();
        for (i, s) in scores.into_iter().enumerate() {
            let c = category(s).map_err(|mut e| {
                e.index = Some(i);
                e
            })?;
            t.add(c);
        }
        Ok(t)
    }

    /// Tallies scores already on the scale: nothing to reject.
    pub fn of<I: IntoIterator<Item = Score>>(scores: I) -> Tally {
        let mut t = Tally::default();
        for s in scores {
            t.add(s.category());
        }
        t
    }

    /// Adds one response of the given category.
    pub fn add(&mut self, c: Category) {
        match c {
            Category::Promoter => self.promoters += 1,
            Category::Passive => self.passives += 1,
            Category::Detractor => self.detractors += 1,
        }
    }

    /// Both tallies together.
    pub fn plus(&self, o: &Tally) -> Tally {
        Tally {
            promoters: self.promoters + o.promoters,
            passives: self.passives + o.passives,
            detractors: self.detractors + o.detractors,
        }
    }

    /// This tally without the responses of `o` (a part of it).
    pub fn minus(&self, o: &Tally) -> Tally {
        Tally {
            promoters: self.promoters.saturating_sub(o.promoters),
            passives: self.passives.saturating_sub(o.passives),
            detractors: self.detractors.saturating_sub(o.detractors),
        }
    }

    /// Number of responses.
    pub fn n(&self) -> u64 {
        self.promoters + self.passives + self.detractors
    }

    /// NPS and its interval, or `None` for "no data" when n is 0.
    pub fn nps(&self) -> Option<Nps> {
        let n = self.n();
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        let p = self.promoters as f64 / nf;
        let d = self.detractors as f64 / nf;
        let n_adj = nf + 3.0;
        let p_adj = (self.promoters as f64 + 0.75) / n_adj;
        let d_adj = (self.detractors as f64 + 0.75) / n_adj;
        let centre = p_adj - d_adj;
        let half = 1.96 * ((p_adj + d_adj - centre * centre) / n_adj).sqrt();
        let score = 100.0 * (p - d);
        Some(Nps {
            score,
            ci95: (
                (100.0 * (centre - half)).max(-100.0).min(score),
                (100.0 * (centre + half)).min(100.0).max(score),
            ),
        })
    }
}

/// NPS in points and its adjusted-Wald 95% interval, in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Nps {
    /// % promoters − % detractors, −100 to 100.
    pub score: f64,
    /// (low, high), each within −100 to 100.
    pub ci95: (f64, f64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_cover_the_scale_and_reject_the_rest() {
        let check =
            |s: i64, want: Option<Category>| assert_eq!(category(s).ok(), want, "score {s}");
        for s in 0..=6 {
            check(s, Some(Category::Detractor));
        }
        check(7, Some(Category::Passive));
        check(8, Some(Category::Passive));
        check(9, Some(Category::Promoter));
        check(10, Some(Category::Promoter));
        check(-1, None);
        check(11, None);
        check(i64::MAX, None);
        check(i64::MIN, None);
    }

    #[test]
    fn a_score_is_checked_once_when_made_and_its_category_never_fails() {
        assert_eq!(Score::all().count(), 11);
        for s in Score::all() {
            assert_eq!(Ok(s.category()), category(s.get() as i64));
            assert_eq!(Score::new(s.get()), Some(s));
            assert_eq!(Score::try_from(s.get() as i64), Ok(s));
            assert_eq!(serde_json::Value::from(s), serde_json::json!(s.get()));
        }
        assert_eq!(Score::new(11), None);
        assert_eq!(Score::new(u8::MAX), None);
        assert_eq!(Score::MAX.get(), 10);
        assert!(Score::try_from(-1).is_err() && Score::try_from(256).is_err());
        assert_eq!(Score::of_f64(f64::NAN), None);
        assert_eq!(Score::of_f64(f64::INFINITY), None);
        assert_eq!(Score::of_f64(-0.0), Score::new(0));
        let scores = [0, 6, 7, 9, 10].map(|s| Score::new(s).unwrap());
        assert_eq!(Ok(Tally::of(scores)), Tally::from_scores([0, 6, 7, 9, 10]));
    }

    #[test]
    fn numbers_from_javascript() {
        let check = |v: f64, want: Result<u8, &str>| {
            assert_eq!(
                Score::from_f64(v, Some(2))
                    .map(Score::get)
                    .map_err(|e| e.to_string()),
                want.map_err(String::from)
            )
        };
        check(0.0, Ok(0));
        check(10.0, Ok(10));
        check(
            9.5,
            Err("score at index 2 is 9.5: expected an integer from 0 to 10"),
        );
        check(
            -1.0,
            Err("score at index 2 is -1: expected an integer from 0 to 10"),
        );
        check(
            11.0,
            Err("score at index 2 is 11: expected an integer from 0 to 10"),
        );
        check(
            f64::NAN,
            Err("score at index 2 is NaN: expected an integer from 0 to 10"),
        );
        check(
            f64::INFINITY,
            Err("score at index 2 is inf: expected an integer from 0 to 10"),
        );
    }

    fn nps_of(scores: &[i64]) -> Option<Nps> {
        Tally::from_scores(scores.iter().copied()).unwrap().nps()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.05
    }

    #[test]
    fn nps_table() {
        // (scores, nps, ci low, ci high) — intervals computed by hand from the formula.
        let table: &[(&[i64], f64, f64, f64)] = &[
            // One answer says little: the interval is centred on the adjusted estimate, and
            // widened to hold the answer's own score.
            (&[10], 100.0, -48.5, 100.0),
            (&[0], -100.0, -100.0, 48.5),
            (&[8], 0.0, -60.01, 60.01),
            (&[9, 10, 7, 3], 25.0, -44.16, 72.73),
            (&[10, 10, 10, 10, 10, 0, 0, 0, 0, 0], 0.0, -51.13, 51.13),
        ];
        for (scores, want, lo, hi) in table {
            let got = nps_of(scores).unwrap();
            assert!(
                close(got.score, *want),
                "{scores:?}: nps {} want {want}",
                got.score
            );
            assert!(
                close(got.ci95.0, *lo) && close(got.ci95.1, *hi),
                "{scores:?}: ci {:?} want ({lo}, {hi})",
                got.ci95
            );
        }
    }

    #[test]
    fn no_data_is_none_not_nan() {
        assert_eq!(Tally::default().nps(), None);
        assert_eq!(nps_of(&[]), None);
    }

    #[test]
    fn the_seed_arithmetic_holds() {
        // 40% promoters, 10% detractors → 30; detractors to 5% → 35 (+5); promoters to 60% → 50 (+20).
        let t = |p, d, n| Tally {
            promoters: p,
            detractors: d,
            passives: n - p - d,
        };
        assert!(close(t(40, 10, 100).nps().unwrap().score, 30.0));
        assert!(close(t(40, 5, 100).nps().unwrap().score, 35.0));
        assert!(close(t(60, 10, 100).nps().unwrap().score, 50.0));
    }

    #[test]
    fn interval_narrows_with_n_and_contains_the_estimate() {
        let small = Tally {
            promoters: 6,
            passives: 3,
            detractors: 1,
        }
        .nps()
        .unwrap();
        let large = Tally {
            promoters: 600,
            passives: 300,
            detractors: 100,
        }
        .nps()
        .unwrap();
        assert!(close(small.score, 50.0) && close(large.score, 50.0));
        assert!(large.ci95.1 - large.ci95.0 < (small.ci95.1 - small.ci95.0) / 5.0);
        for nps in [small, large] {
            assert!(nps.ci95.0 <= nps.score && nps.score <= nps.ci95.1);
        }
    }

    /// Every n from 1 to 200 and every split of promoters, passives and detractors: the
    /// interval holds its own estimate and stays within −100 to 100.
    #[test]
    fn every_interval_holds_its_estimate() {
        for n in 1..=200u64 {
            for promoters in 0..=n {
                for detractors in 0..=n - promoters {
                    let t = Tally {
                        promoters,
                        passives: n - promoters - detractors,
                        detractors,
                    };
                    let nps = t.nps().expect("n > 0");
                    let (lo, hi) = nps.ci95;
                    assert!(
                        -100.0 <= lo && lo <= nps.score && nps.score <= hi && hi <= 100.0,
                        "{t:?}: {} not in ({lo}, {hi})",
                        nps.score
                    );
                }
            }
        }
    }

    #[test]
    fn the_first_bad_score_is_named_with_its_position() {
        let err = Tally::from_scores([9, 10, 11, -3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "score at index 2 is 11: expected an integer from 0 to 10"
        );
    }
}

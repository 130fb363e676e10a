//! Growth (feature `growth`, the collector's and the dashboard's, never the widget's): how
//! many invited customers answered (`funnel`), which answers look coached (`flags`), a promoter's
//! referral code and what it brought (`referral`), an invited visit's channel and who may
//! write on it (`visit`), and the
//! one rate type every share of this part is (`Rate`, with its Wilson interval).
//!
//! A rate is a count of a count (`num` of `den`): a response rate (answered of invited), a
//! referral rate (promoters whose code brought a purchase, of promoters), a flagged share.
//! Its interval is Wilson's score interval at 95 %: it stays inside 0–1 and means something
//! at small counts, where a store's 3 of 4 is not 75 % for sure.

pub mod flags;
pub mod funnel;
pub mod referral;
pub mod visit;

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.96;

/// `num` of `den` (a count of a count; `num` ≤ `den`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rate {
    pub num: u64,
    pub den: u64,
}

impl Rate {
    pub fn new(num: u64, den: u64) -> Rate {
        Rate { num, den }
    }

    /// `num / den`, `None` when `den` is 0 (no data, not 0 %).
    pub fn share(&self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 / self.den as f64)
    }

    /// Wilson's 95 % score interval, `(low, high)` within 0–1; `None` when `den` is 0.
    pub fn interval(&self) -> Option<(f64, f64)> {
        let p = self.share()?;
        let n = self.den as f64;
        let z2 = Z95 * Z95;
        let denom = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denom;
        let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        Some(((centre - half).max(0.0), (centre + half).min(1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wilson intervals computed by hand (and checked against R's `prop.test(correct=FALSE)`
    /// / statsmodels' `proportion_confint(method="wilson")`).
    #[test]
    fn wilson_interval_against_computed_values() {
        let check = |num, den, want: Option<(f64, f64)>| {
            let got = Rate::new(num, den).interval();
            match (got, want) {
                (Some((lo, hi)), Some((wlo, whi))) => {
                    assert!((lo - wlo).abs() < 5e-4, "{num}/{den}: low {lo} != {wlo}");
                    assert!((hi - whi).abs() < 5e-4, "{num}/{den}: high {hi} != {whi}");
                }
                (got, want) => assert_eq!(got, want, "{num}/{den}"),
            }
        };
        check(0, 0, None);
        check(60, 120, Some((0.4119, 0.5881)));
        check(0, 10, Some((0.0, 0.2775)));
        check(10, 10, Some((0.7225, 1.0)));
        check(12, 150, Some((0.0464, 0.1346)));
        check(3, 4, Some((0.3006, 0.9544)));
        check(1, 1, Some((0.2065, 1.0)));
        assert_eq!(Rate::new(0, 0).share(), None);
        assert_eq!(Rate::new(12, 150).share(), Some(0.08));
    }

    #[test]
    fn the_interval_holds_the_share_and_narrows_with_more_data() {
        for den in 1..60u64 {
            for num in 0..=den {
                let r = Rate::new(num, den);
                let (lo, hi) = r.interval().unwrap();
                let p = r.share().unwrap();
                assert!(
                    0.0 <= lo && lo <= p + 1e-12 && p <= hi + 1e-12 && hi <= 1.0,
                    "{num}/{den}"
                );
                let (lo4, hi4) = Rate::new(num * 4, den * 4).interval().unwrap();
                assert!(
                    hi4 - lo4 < hi - lo,
                    "{num}/{den}: four times the data is narrower"
                );
            }
        }
    }
}

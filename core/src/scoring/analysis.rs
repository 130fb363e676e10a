//! What a manager acts on, computed from tallies: whether a score rests on enough answers,
//! whether a difference (two periods, two segments, a segment and the rest) is real or
//! noise, segments worst first, which reasons cost the most, and what each of the three levers
//! (recover detractors, grow promoters, convert passives) would do to the score.
//!
//! Differences use the adjusted-Wald estimates of `score` for each side: with
//! p′ = (P + 0.75)/(n + 3), d′ = (D + 0.75)/(n + 3), a side's variance is
//! v = p′ + d′ − (p′ − d′)², and the difference's standard error is √(v₁/n′₁ + v₂/n′₂). A
//! difference is real when its 95% interval leaves out zero.

mod batch;
mod names;

pub use batch::{
    civil_from_days, days_from_civil, local_day, minutes_of, period_of, period_of_minutes,
    period_start, tally_bytes, tally_segments, BatchError, Period,
};
pub use names::Names;

use crate::scoring::score::{Category, Tally};

/// Fewer answers than this and a score is shown as "not enough data".
pub const DEFAULT_MIN_N: u64 = 30;

/// The z value of a two-sided 95% interval.
const Z95: f64 = 1.96;

/// The adjusted-Wald estimate of a tally: (NPS′ as a share from −1 to 1, its variance, n′).
fn adjusted(t: &Tally) -> (f64, f64, f64) {
    let n = t.n() as f64 + 3.0;
    let p = (t.promoters as f64 + 0.75) / n;
    let d = (t.detractors as f64 + 0.75) / n;
    (p - d, p + d - (p - d) * (p - d), n)
}

/// What a difference says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The first is higher, beyond noise.
    Better,
    /// The first is lower, beyond noise.
    Worse,
    /// Within noise: the interval of the difference holds zero.
    Noise,
}

/// The first tally's NPS minus the second's, in points, with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    pub points: f64,
    pub ci95: (f64, f64),
    pub verdict: Verdict,
}

/// Compares two tallies (this period and the last, a segment and the rest); `None` when
/// either is empty.
pub fn compare(a: &Tally, b: &Tally) -> Option<Difference> {
    let (na, nb) = (a.nps()?, b.nps()?);
    let ((ca, va, n_a), (cb, vb, n_b)) = (adjusted(a), adjusted(b));
    let half = 100.0 * Z95 * (va / n_a + vb / n_b).sqrt();
    let centre = 100.0 * (ca - cb);
    let points = na.score - nb.score;
    // Centred on the adjusted estimate, the interval could leave out the difference shown
    // (two extreme tallies): it is widened to hold it, as a score's own interval is.
    let ci95 = (
        (centre - half).max(-200.0).min(points),
        (centre + half).min(200.0).max(points),
    );
    let verdict = if ci95.0 > 0.0 {
        Verdict::Better
    } else if ci95.1 < 0.0 {
        Verdict::Worse
    } else {
        Verdict::Noise
    };
    Some(Difference {
        points,
        ci95,
        verdict,
    })
}

/// A segment (a store, an advisor, a week) against everyone else.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub name: String,
    pub tally: Tally,
    /// At least the minimum n.
    pub enough: bool,
    /// This segment minus the rest.
    pub vs_rest: Option<Difference>,
}

/// Segments from their tallies, each compared with the rest, worst first (by NPS; segments
/// without enough data after those with).
pub fn segments(tallies: Vec<(String, Tally)>, min_n: u64) -> Vec<Segment> {
    let mut all = Tally::default();
    for (_, t) in &tallies {
        all = all.plus(t);
    }
    let mut out: Vec<Segment> = tallies
        .into_iter()
        .map(|(name, tally)| Segment {
            vs_rest: compare(&tally, &all.minus(&tally)),
            enough: tally.n() >= min_n,
            name,
            tally,
        })
        .collect();
    let key = |s: &Segment| s.tally.nps().map_or(f64::INFINITY, |n| n.score);
    out.sort_by(|a, b| {
        b.enough
            .cmp(&a.enough)
            .then(key(a).total_cmp(&key(b)))
            .then(a.name.cmp(&b.name))
    });
    out
}

/// A reason: who chose it, and what it costs, split into praise and complaints. A promoter
/// who picks a reason praises it (the follow-up asked "what did you like most?"); a passive
/// or a detractor who picks it complains of it ("what would make it a 10?", "what went
/// wrong?").
#[derive(Clone, Debug, PartialEq)]
pub struct Driver {
    pub reason: String,
    /// How many of each category chose it.
    pub chosen_by: Tally,
    /// NPS of everyone minus NPS of those who did not choose it, in points: negative when
    /// the reason pulls the score down.
    pub impact: f64,
    /// The promoters' side: NPS of everyone minus NPS without the promoters who praised it
    /// (0 or more).
    pub praise_impact: f64,
    /// The complaints' side: NPS of everyone minus NPS without the passives and detractors
    /// who complained of it: negative when they pull the score down.
    pub complaint_impact: f64,
}

impl Driver {
    /// The promoters who praised it.
    pub fn praised(&self) -> u64 {
        self.chosen_by.promoters
    }

    /// The passives and detractors who complained of it.
    pub fn complained(&self) -> u64 {
        self.chosen_by.passives + self.chosen_by.detractors
    }
}

/// The drivers of a set of responses (each a category and the reasons chosen), the costliest
/// first: their tallies by reason, then `drivers_from`.
pub fn drivers<'a, I>(responses: I) -> Vec<Driver>
where
    I: IntoIterator<Item = (Category, &'a [String])>,
{
    let mut all = Tally::default();
    let mut by_reason: Vec<(String, Tally)> = Vec::new();
    for (category, reasons) in responses {
        all.add(category);
        for r in reasons {
            match by_reason.iter_mut().find(|(name, _)| name == r) {
                Some((_, t)) => t.add(category),
                None => {
                    let mut t = Tally::default();
                    t.add(category);
                    by_reason.push((r.clone(), t));
                }
            }
        }
    }
    drivers_from(&all, by_reason)
}

/// The drivers from tallies already counted: `all`, every response's category, and each
/// reason's name with the categories of those who chose it (a reason chosen by nobody is not
/// given; a name at most once, in any order), the costliest first. `drivers` counts the
/// tallies from the responses; a caller holding reasons as ids counts them its own way and
/// gets the same drivers.
pub fn drivers_from(all: &Tally, by_reason: Vec<(String, Tally)>) -> Vec<Driver> {
    let nps = |t: &Tally| t.nps().map_or(0.0, |n| n.score);
    let mut out: Vec<Driver> = by_reason
        .into_iter()
        .map(|(reason, chosen_by)| {
            let praise = Tally {
                promoters: chosen_by.promoters,
                ..Tally::default()
            };
            let complaints = chosen_by.minus(&praise);
            Driver {
                impact: nps(all) - nps(&all.minus(&chosen_by)),
                praise_impact: nps(all) - nps(&all.minus(&praise)),
                complaint_impact: nps(all) - nps(&all.minus(&complaints)),
                reason,
                chosen_by,
            }
        })
        .collect();
    out.sort_by(|a, b| a.impact.total_cmp(&b.impact).then(a.reason.cmp(&b.reason)));
    out
}

/// The three levers of the seed articles, each as a target share in % (0–100).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lever {
    /// Detractors down to this share of answers (the rest become passives).
    DetractorsTo(f64),
    /// Promoters up to this share (taken from passives first, then detractors).
    PromotersTo(f64),
    /// This share of passives converted to promoters.
    ConvertPassives(f64),
}

/// The NPS (points) the tally would have with the lever pulled; `None` when it is empty.
pub fn what_if(t: &Tally, lever: Lever) -> Option<f64> {
    let n = t.n() as f64;
    if n == 0.0 {
        return None;
    }
    let share = |x: f64| x.clamp(0.0, 100.0) / 100.0;
    let (p, q, d) = (t.promoters as f64, t.passives as f64, t.detractors as f64);
    // Passives do not count in the score; only where promoters come from does.
    let (p, d) = match lever {
        Lever::DetractorsTo(x) => (p, (share(x) * n).min(d)),
        Lever::PromotersTo(y) => {
            let gain = (share(y) * n - p).max(0.0);
            (p + gain, d - (gain - gain.min(q)).min(d))
        }
        Lever::ConvertPassives(z) => (p + share(z) * q, d),
    };
    Some(100.0 * (p - d) / n)
}

#[cfg(test)]
mod tests;

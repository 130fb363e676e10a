//! The figures of cases per store or advisor: one pure function (`stats`) over the facts of
//! each case (`Facts`) at a time; the collector reads the facts and serves the rows.
//!
//! | figure                    | what it counts                                                  |
//! |---------------------------|-----------------------------------------------------------------|
//! | `cases`                   | every case of the key                                           |
//! | `open`                    | not resolved (open or contacted)                                |
//! | `overdue`                 | open (nobody reached the customer) past the deadline (`overdue`)|
//! | `contacted_in_time`       | reached by the deadline (the first contact, else the resolution)|
//! | `in_time_share`           | `contacted_in_time` / the cases that are due or reached         |
//! | `median_hours_to_contact` | the median of received → reached, in hours, of reached cases    |
//! | `recovery_sent`           | a re-survey link was sent                                       |
//! | `recovery_answered`       | the re-survey was answered                                      |
//! | `recovered`               | the re-survey scored 7 or more                                  |
//! | `recovery_rate`           | `recovered` / `recovery_answered`, none when none answered      |
//!
//! A case not yet due and not reached counts in neither side of `in_time_share`: it has not had
//! its chance yet. A share or a median of nothing is `None`, never 0.

use std::collections::BTreeMap;

use super::State;

const HOUR_NS: f64 = 3_600_000_000_000.0;

/// What a case tells the figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// The store or advisor it counts for (`None`: the answer named none).
    pub key: Option<String>,
    pub state: State,
    pub received_ns: i64,
    pub deadline_ns: i64,
    pub first_contact_ns: Option<i64>,
    pub resolved_ns: Option<i64>,
    pub recovery_sent: bool,
    pub recovery_score: Option<i64>,
}

/// One key's figures (the module doc's table).
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub key: Option<String>,
    pub cases: u32,
    pub open: u32,
    pub overdue: u32,
    pub contacted_in_time: u32,
    pub in_time_share: Option<f64>,
    pub median_hours_to_contact: Option<f64>,
    pub recovery_sent: u32,
    pub recovery_answered: u32,
    pub recovered: u32,
    pub recovery_rate: Option<f64>,
}

/// Whether a case is overdue at `now_ns`: nobody reached the customer and the deadline passed.
pub fn overdue(state: State, deadline_ns: i64, now_ns: i64) -> bool {
    state == State::Open && deadline_ns < now_ns
}

/// The score of a re-survey that counts as recovered.
pub const RECOVERED: i64 = 7;

/// The figures per key, in key order (cases without a key last).
pub fn stats(facts: &[Facts], now_ns: i64) -> Vec<Figures> {
    let mut groups: BTreeMap<(bool, Option<&str>), Vec<&Facts>> = BTreeMap::new();
    for f in facts {
        groups
            .entry((f.key.is_none(), f.key.as_deref()))
            .or_default()
            .push(f);
    }
    groups
        .into_iter()
        .map(|((_, key), cases)| figures(key.map(str::to_owned), &cases, now_ns))
        .collect()
}

fn figures(key: Option<String>, cases: &[&Facts], now_ns: i64) -> Figures {
    let count = |p: &dyn Fn(&Facts) -> bool| cases.iter().filter(|f| p(f)).count() as u32;
    let reached = |f: &Facts| f.first_contact_ns.or(f.resolved_ns);
    let in_time = count(&|f| reached(f).is_some_and(|t| t <= f.deadline_ns));
    let had_chance = count(&|f| reached(f).is_some() || f.deadline_ns < now_ns);
    let mut hours: Vec<f64> = cases
        .iter()
        .filter_map(|f| reached(f).map(|t| (t - f.received_ns) as f64 / HOUR_NS))
        .collect();
    hours.sort_by(f64::total_cmp);
    let answered = count(&|f| f.recovery_score.is_some());
    let recovered = count(&|f| f.recovery_score.is_some_and(|s| s >= RECOVERED));
    Figures {
        key,
        cases: cases.len() as u32,
        open: count(&|f| f.state != State::Resolved),
        overdue: count(&|f| overdue(f.state, f.deadline_ns, now_ns)),
        contacted_in_time: in_time,
        in_time_share: share(in_time, had_chance),
        median_hours_to_contact: median(&hours),
        recovery_sent: count(&|f| f.recovery_sent),
        recovery_answered: answered,
        recovered,
        recovery_rate: share(recovered, answered),
    }
}

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// The median of sorted values (the mean of the middle two for an even count).
fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests;

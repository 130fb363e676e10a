//! Coaching and gaming flags: which of a store's answers look as if the store gave them
//! (its own tablet or Wi-Fi, the counter, a burst of 10s). A flag never drops an answer: the
//! NPS counts it, and the share flagged is shown beside it. One table, one constant per
//! figure:
//!
//! | reason         | an answer is flagged when                                                   | constants                                  |
//! |----------------|-----------------------------------------------------------------------------|--------------------------------------------|
//! | `same_device`  | ≥ 3 answers of one store from one device, for different visits, within 6 h | `SAME_DEVICE_MIN`, `CLUSTER_WINDOW_NS`     |
//! | `same_network` | ≥ 5 answers of one store from one network (/24), different visits, 6 h      | `SAME_NETWORK_MIN`, `CLUSTER_WINDOW_NS`    |
//! | `at_counter`   | answered 0–2 min after its `counter` visit was issued (needs the visit's `issued_ns` and `channel`) | `AT_COUNTER_NS` |
//! | `ten_burst`    | a 10 among ≥ 5 tens of one store within 30 min that are ≥ 80 % of its answers there | `TEN_BURST_MIN`, `TEN_BURST_WINDOW_NS`, `TEN_BURST_SHARE_PERCENT` |
//!
//! "Different visits": answers for one visit (a second answer, an update from the same
//! phone) count once; an answer without a visit counts as a visit of its own. A window is
//! any span of that length: every answer inside a window that meets the rule is flagged.
//! Honest patterns stay unflagged (the tests): a household's two answers a day apart, a busy
//! store's 10s spread over a day, a customer answering at home an hour after the visit, a
//! customer answering an SMS a minute after the brand's system sent it (a `message` visit).

use std::collections::{HashMap, HashSet};

use super::visit::Channel;

const MINUTE_NS: i64 = 60_000_000_000;

/// Answers from one device (or network) are counted within this span.
pub const CLUSTER_WINDOW_NS: i64 = 6 * 60 * MINUTE_NS;
/// Answers of one store from one device, for different visits, within the window.
pub const SAME_DEVICE_MIN: usize = 3;
/// Answers of one store from one network, for different visits, within the window.
pub const SAME_NETWORK_MIN: usize = 5;
/// An answer this soon after its visit was issued was given at the counter.
pub const AT_COUNTER_NS: i64 = 2 * MINUTE_NS;
/// A burst of 10s: this many of one store within `TEN_BURST_WINDOW_NS`…
pub const TEN_BURST_MIN: usize = 5;
pub const TEN_BURST_WINDOW_NS: i64 = 30 * MINUTE_NS;
/// …that are at least this share (in %) of the store's answers in that window.
pub const TEN_BURST_SHARE_PERCENT: usize = 80;

/// Why an answer is flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    SameDevice,
    SameNetwork,
    AtCounter,
    TenBurst,
}

impl Reason {
    pub const ALL: [Reason; 4] = [
        Reason::SameDevice,
        Reason::SameNetwork,
        Reason::AtCounter,
        Reason::TenBurst,
    ];

    /// The key in `GET /api/funnel` (`flags`) and `/api/funnel/flags` (`reasons`).
    pub fn key(self) -> &'static str {
        match self {
            Reason::SameDevice => "same_device",
            Reason::SameNetwork => "same_network",
            Reason::AtCounter => "at_counter",
            Reason::TenBurst => "ten_burst",
        }
    }

    /// The reason of a key, exactly (`None` for one this version does not know).
    pub fn of(key: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// One stored, counted answer as the flags see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    pub store: Option<String>,
    pub visit: Option<String>,
    /// The device's and the network's marks (the collector's `Keys`), when recorded.
    pub device: Option<String>,
    pub net: Option<String>,
    /// When it was first stored.
    pub at_ns: i64,
    pub score: u8,
    /// When its visit was issued (the visits table), when known.
    pub issued_ns: Option<i64>,
    /// How its visit's invitation reached the customer (the visits table), when known.
    pub channel: Option<Channel>,
}

/// The reasons of each answer, in the order given (an empty list: not flagged).
pub fn flag(answers: &[Answer]) -> Vec<Vec<Reason>> {
    let mut out = vec![Vec::new(); answers.len()];
    let mut mark = |set: HashSet<usize>, reason: Reason| {
        for i in set {
            out[i].push(reason);
        }
    };
    mark(
        clusters(answers, |a| a.device.as_deref(), SAME_DEVICE_MIN),
        Reason::SameDevice,
    );
    mark(
        clusters(answers, |a| a.net.as_deref(), SAME_NETWORK_MIN),
        Reason::SameNetwork,
    );
    mark(
        (0..answers.len())
            .filter(|&i| at_counter(&answers[i]))
            .collect(),
        Reason::AtCounter,
    );
    mark(ten_bursts(answers), Reason::TenBurst);
    for reasons in &mut out {
        reasons.sort();
    }
    out
}

/// Answered 0–2 minutes after its visit was issued at the counter (a message's quick
/// answer is an honest one).
fn at_counter(a: &Answer) -> bool {
    a.channel == Some(Channel::Counter)
        && a.issued_ns
            .is_some_and(|issued| (0..=AT_COUNTER_NS).contains(&(a.at_ns - issued)))
}

/// Indexes of `answers` by a key, each group sorted by time.
fn groups<'a, K: std::hash::Hash + Eq>(
    answers: &'a [Answer],
    key: impl Fn(&'a Answer) -> Option<K>,
) -> Vec<Vec<usize>> {
    let mut by: HashMap<K, Vec<usize>> = HashMap::new();
    for (i, a) in answers.iter().enumerate() {
        if let Some(k) = key(a) {
            by.entry(k).or_default().push(i);
        }
    }
    let mut out: Vec<Vec<usize>> = by.into_values().collect();
    for g in &mut out {
        g.sort_by_key(|&i| (answers[i].at_ns, i));
    }
    out
}

/// The answers of one store and one mark (device or network) that fall in a window of
/// `CLUSTER_WINDOW_NS` holding at least `min` different visits.
fn clusters<'a>(
    answers: &'a [Answer],
    mark: impl Fn(&'a Answer) -> Option<&'a str>,
    min: usize,
) -> HashSet<usize> {
    let mut flagged = HashSet::new();
    for g in groups(answers, |a| mark(a).map(|m| (a.store.as_deref(), m))) {
        // A visit's key: its id, or the answer's own index when it has none.
        let visit = |i: usize| answers[i].visit.as_deref().ok_or(i);
        let mut counts: HashMap<Result<&str, usize>, usize> = HashMap::new();
        let mut end = 0;
        for start in 0..g.len() {
            while end < g.len()
                && answers[g[end]].at_ns - answers[g[start]].at_ns <= CLUSTER_WINDOW_NS
            {
                *counts.entry(visit(g[end])).or_default() += 1;
                end += 1;
            }
            if counts.len() >= min {
                flagged.extend(&g[start..end]);
            }
            let k = visit(g[start]);
            if let Some(c) = counts.get_mut(&k) {
                *c -= 1;
                if *c == 0 {
                    counts.remove(&k);
                }
            }
        }
    }
    flagged
}

/// The 10s of one store in a window of `TEN_BURST_WINDOW_NS` holding at least
/// `TEN_BURST_MIN` tens that are at least `TEN_BURST_SHARE_PERCENT` of its answers.
fn ten_bursts(answers: &[Answer]) -> HashSet<usize> {
    let mut flagged = HashSet::new();
    for g in groups(answers, |a| Some(a.store.as_deref())) {
        let (mut end, mut tens) = (0, 0);
        for start in 0..g.len() {
            while end < g.len()
                && answers[g[end]].at_ns - answers[g[start]].at_ns <= TEN_BURST_WINDOW_NS
            {
                tens += usize::from(answers[g[end]].score == 10);
                end += 1;
            }
            let total = end - start;
            if tens >= TEN_BURST_MIN && tens * 100 >= total * TEN_BURST_SHARE_PERCENT {
                flagged.extend(g[start..end].iter().filter(|&&i| answers[i].score == 10));
            }
            tens -= usize::from(answers[g[start]].score == 10);
        }
    }
    flagged
}

#[cfg(test)]
mod tests;

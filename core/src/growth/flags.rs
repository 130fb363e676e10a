//! Coaching and gaming flags: which of a store's answers look as if the store gave them
//! (its own tablet or Wi-Fi, the counter, a burst of top scores). A flag never drops an
//! answer: the NPS counts it, and the share flagged is shown beside it. One table, one
//! constant per figure:
//!
//! | reason         | an answer is flagged when                                                   | constants                                  |
//! |----------------|-----------------------------------------------------------------------------|--------------------------------------------|
//! | `same_device`  | ≥ 3 answers of one store from one device, for different visits, within 6 h | `SAME_DEVICE_MIN`, `CLUSTER_WINDOW_NS`     |
//! | `same_network` | ≥ 5 answers of one store from one network (IPv4 /24, IPv6 /64), different visits, 6 h, **and** a second sign: two of them carry another reason, or one device answers two of their visits, or the network's share of the store's answers there is ≥ 50 points above its usual share | `SAME_NETWORK_MIN`, `CLUSTER_WINDOW_NS`, `SECOND_SIGN_MIN`, `BASELINE_MIN`, `NETWORK_SHARE_ABOVE_POINTS` |
//! | `at_counter`   | answered 0–2 min after its visit was issued (needs the visit's `issued_ns`) | `AT_COUNTER_NS`                            |
//! | `ten_burst`    | a 10 among ≥ 5 tens of one store within 30 min that are ≥ 80 % of its answers there | `TEN_BURST_MIN`, `TEN_BURST_WINDOW_NS`, `TEN_BURST_SHARE_PERCENT` |
//! | `high_burst`   | a 9 or 10 among ≥ 5 of them of one store within 30 min that are ≥ 80 % of its answers there **and** ≥ 30 points above the store's usual share of 9s and 10s | `HIGH_BURST_MIN`, `HIGH_BURST_WINDOW_NS`, `HIGH_BURST_SHARE_PERCENT`, `BASELINE_MIN`, `HIGH_BURST_ABOVE_POINTS` |
//!
//! "Different visits": answers for one visit (a second answer, an update from the same
//! phone) count once; an answer without a visit counts as a visit of its own. A window is
//! any span of that length: every answer inside a window that meets the rule is flagged.
//! "Usual": the store's answers given to `flag` outside that window, when there are at least
//! `BASELINE_MIN` of them (fewer: no usual to compare with, and the rule does not fire). The
//! collector gives `flag` its window padded by `LONGEST_SPAN_NS` on each side, so that a
//! cluster at the window's edge is seen whole.
//! Honest patterns stay unflagged (the tests): a household's two answers a day apart, a busy
//! store's 10s spread over a day, a customer answering at home an hour after the visit, a busy
//! Saturday on the lounge's guest Wi-Fi, three carriers' shared addresses (CGNAT), a store
//! whose customers are happy all month.

use std::collections::{HashMap, HashSet};

const MINUTE_NS: i64 = 60_000_000_000;

/// Answers from one device (or network) are counted within this span.
pub const CLUSTER_WINDOW_NS: i64 = 6 * 60 * MINUTE_NS;
/// Answers of one store from one device, for different visits, within the window.
pub const SAME_DEVICE_MIN: usize = 3;
/// Answers of one store from one network, for different visits, within the window (a
/// count alone flags nothing: a busy lounge's guest Wi-Fi reaches it honestly).
pub const SAME_NETWORK_MIN: usize = 5;
/// A network's cluster is flagged when at least this many of its answers carry another
/// reason (the counter, a device, a burst), or one device answers this many of its visits…
pub const SECOND_SIGN_MIN: usize = 2;
/// …or when the network's share of the store's answers in the window is this many points
/// above its usual share.
pub const NETWORK_SHARE_ABOVE_POINTS: usize = 50;
/// A store's usual share (of a network, of 9s and 10s) needs this many of its answers
/// outside the window.
pub const BASELINE_MIN: usize = 20;
/// An answer this soon after its visit was issued was given at the counter.
pub const AT_COUNTER_NS: i64 = 2 * MINUTE_NS;
/// A burst of 10s: this many of one store within `TEN_BURST_WINDOW_NS`…
pub const TEN_BURST_MIN: usize = 5;
pub const TEN_BURST_WINDOW_NS: i64 = 30 * MINUTE_NS;
/// …that are at least this share (in %) of the store's answers in that window.
pub const TEN_BURST_SHARE_PERCENT: usize = 80;
/// A burst of 9s and 10s ("please give 9 or 10"): this many of one store within
/// `HIGH_BURST_WINDOW_NS`…
pub const HIGH_BURST_MIN: usize = 5;
pub const HIGH_BURST_WINDOW_NS: i64 = 30 * MINUTE_NS;
/// …that are at least this share (in %) of the store's answers in that window…
pub const HIGH_BURST_SHARE_PERCENT: usize = 80;
/// …and this many points above the store's usual share of 9s and 10s.
pub const HIGH_BURST_ABOVE_POINTS: usize = 30;
/// The longest span a rule looks over: the collector reads this much more on each side of
/// the window it reports.
pub const LONGEST_SPAN_NS: i64 = CLUSTER_WINDOW_NS;

/// Why an answer is flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    SameDevice,
    SameNetwork,
    AtCounter,
    TenBurst,
    HighBurst,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::SameDevice,
        Reason::SameNetwork,
        Reason::AtCounter,
        Reason::TenBurst,
        Reason::HighBurst,
    ];

    /// The key in `GET /api/funnel` (`flags`) and `/api/funnel/flags` (`reasons`).
    pub fn key(self) -> &'static str {
        match self {
            Reason::SameDevice => "same_device",
            Reason::SameNetwork => "same_network",
            Reason::AtCounter => "at_counter",
            Reason::TenBurst => "ten_burst",
            Reason::HighBurst => "high_burst",
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
        (0..answers.len())
            .filter(|&i| at_counter(&answers[i]))
            .collect(),
        Reason::AtCounter,
    );
    mark(ten_bursts(answers), Reason::TenBurst);
    mark(high_bursts(answers), Reason::HighBurst);
    // The network rule's second sign reads the other reasons.
    let signed: Vec<bool> = out.iter().map(|r| !r.is_empty()).collect();
    for i in networks(answers, &signed) {
        out[i].push(Reason::SameNetwork);
    }
    for reasons in &mut out {
        reasons.sort();
    }
    out
}

/// Answered 0–2 minutes after its visit was issued.
fn at_counter(a: &Answer) -> bool {
    a.issued_ns
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

/// The answers of one store and one mark (a device) that fall in a window of
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

/// Whether `k` of `n` is at least `points` above `usual_k` of `usual_n`, the usual known
/// (`usual_n` ≥ `BASELINE_MIN`).
fn above_usual(k: usize, n: usize, usual_k: usize, usual_n: usize, points: usize) -> bool {
    usual_n >= BASELINE_MIN && n > 0 && k * 100 * usual_n >= (usual_k * 100 + points * usual_n) * n
}

/// The 9s and 10s of one store in a window of `HIGH_BURST_WINDOW_NS` holding at least
/// `HIGH_BURST_MIN` of them that are at least `HIGH_BURST_SHARE_PERCENT` of its answers there
/// and `HIGH_BURST_ABOVE_POINTS` above the store's usual share.
fn high_bursts(answers: &[Answer]) -> HashSet<usize> {
    let high = |i: usize| answers[i].score >= 9;
    let mut flagged = HashSet::new();
    for g in groups(answers, |a| Some(a.store.as_deref())) {
        let all_high = g.iter().filter(|&&i| high(i)).count();
        let (mut end, mut highs) = (0, 0);
        for start in 0..g.len() {
            while end < g.len()
                && answers[g[end]].at_ns - answers[g[start]].at_ns <= HIGH_BURST_WINDOW_NS
            {
                highs += usize::from(high(g[end]));
                end += 1;
            }
            let total = end - start;
            if highs >= HIGH_BURST_MIN
                && highs * 100 >= total * HIGH_BURST_SHARE_PERCENT
                && above_usual(
                    highs,
                    total,
                    all_high - highs,
                    g.len() - total,
                    HIGH_BURST_ABOVE_POINTS,
                )
            {
                flagged.extend(g[start..end].iter().filter(|&&i| high(i)));
            }
            highs -= usize::from(high(g[start]));
        }
    }
    flagged
}

/// The answers of one store and one network in a window of `CLUSTER_WINDOW_NS` holding at
/// least `SAME_NETWORK_MIN` different visits, with a second sign (`signed`: an answer with
/// another reason; one device for several visits; a share far above the usual).
fn networks(answers: &[Answer], signed: &[bool]) -> HashSet<usize> {
    let mut flagged = HashSet::new();
    let mut stores: HashMap<Option<&str>, Vec<i64>> = HashMap::new();
    for a in answers {
        stores.entry(a.store.as_deref()).or_default().push(a.at_ns);
    }
    for times in stores.values_mut() {
        times.sort_unstable();
    }
    let visit = |i: usize| answers[i].visit.as_deref().ok_or(i);
    for g in groups(answers, |a| {
        a.net.as_deref().map(|n| (a.store.as_deref(), n))
    }) {
        let times = &stores[&answers[g[0]].store.as_deref()];
        let mut end = 0;
        for start in 0..g.len() {
            let from = answers[g[start]].at_ns;
            while end < g.len() && answers[g[end]].at_ns - from <= CLUSTER_WINDOW_NS {
                end += 1;
            }
            let window = &g[start..end];
            let visits: HashSet<_> = window.iter().map(|&i| visit(i)).collect();
            if visits.len() < SAME_NETWORK_MIN {
                continue;
            }
            let others = window.iter().filter(|&&i| signed[i]).count();
            let mut by_device: HashMap<&str, HashSet<Result<&str, usize>>> = HashMap::new();
            for &i in window {
                if let Some(d) = answers[i].device.as_deref() {
                    by_device.entry(d).or_default().insert(visit(i));
                }
            }
            let device = by_device.values().any(|v| v.len() >= SECOND_SIGN_MIN);
            let in_store = times.partition_point(|&t| t <= from + CLUSTER_WINDOW_NS)
                - times.partition_point(|&t| t < from);
            let share = above_usual(
                window.len(),
                in_store,
                g.len() - window.len(),
                times.len() - in_store,
                NETWORK_SHARE_ABOVE_POINTS,
            );
            if others >= SECOND_SIGN_MIN || device || share {
                flagged.extend(window);
            }
        }
    }
    flagged
}

#[cfg(test)]
mod tests;

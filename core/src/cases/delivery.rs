//! When to send an alert job: one pure decision (`decide`) over the job's attempts, its last
//! outcome, the time, and the robot's recent sends. The collector leases the job, asks, and
//! does what the answer says; nothing here sends, sleeps or reads a clock.
//!
//! | row | job                                             | decision                         |
//! |-----|-------------------------------------------------|----------------------------------|
//! | 1   | last outcome `Sent`                             | `Done`                           |
//! | 2   | last outcome `Refused` (bad signature, errcode) | `GiveUp(Refused)`                |
//! | 3   | `attempts >= MAX_ATTEMPTS`, still failing       | `GiveUp(Exhausted)`              |
//! | 4   | failed, its backoff not over                    | `WaitUntil(last + backoff)`      |
//! | 5   | due, the robot sent `RATE_LIMIT` this minute    | `WaitUntil(oldest send + 1 min)` |
//! | 6   | due (never tried, or backoff over)              | `Send`                           |
//!
//! The backoff after `n` failures is `backoff_secs(n)`: 10 s doubling to 30 min; a receiver's
//! `Retry-After` lengthens it (never shortens it), up to `MAX_RETRY_AFTER_SECS`. A clock set
//! back never stalls a retry: the wait counts from the earlier of the last try and now.
//!
//! Delivery is at least once: the shell records a try's outcome after the send, so a collector
//! killed between the two sends the job again once its lease lapses (the one place a robot can
//! see a duplicate). `robot_sends` should include sends still in flight.

/// The most sends one robot takes in a rolling minute: WeCom's and DingTalk's documented limit
/// for a group robot. Feishu's custom bot allows 100 a minute but only 5 a second: the
/// collector's worker spaces its Feishu sends (`delivery::FEISHU_GAP` there); a send that still
/// meets the per-second limit is retried as a failure.
pub const RATE_LIMIT: usize = 20;
/// The rolling window of `RATE_LIMIT`.
pub const RATE_WINDOW_NS: i64 = 60 * SECOND_NS;
/// Tries before a job is dead (about 7.5 hours of a failing receiver).
pub const MAX_ATTEMPTS: u32 = 20;
/// The first wait after a failure.
pub const FIRST_BACKOFF_SECS: u64 = 10;
/// The longest wait between tries.
pub const MAX_BACKOFF_SECS: u64 = 30 * 60;
/// The longest `Retry-After` honoured (a longer one is read as this).
pub const MAX_RETRY_AFTER_SECS: u64 = 60 * 60;

const SECOND_NS: i64 = 1_000_000_000;

/// How a try ended, as the shell read the receiver's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered (a 2xx without a failure code inside it).
    Sent,
    /// Worth another try: a timeout, a 5xx, a 429, a rate-limit errcode; with the receiver's
    /// `Retry-After` in seconds where it gave one.
    Failed { retry_after: Option<u64> },
    /// Never worth another try: a bad signature, a removed robot, an errcode that says so.
    Refused,
}

/// The last try of a job and when it ended (ns since the epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Last {
    pub outcome: Outcome,
    pub at_ns: i64,
}

/// One alert job as stored: how many tries, and the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Job {
    pub attempts: u32,
    pub last: Option<Last>,
}

/// Why a job is dead (shown to admins with the job).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dead {
    /// The receiver refused it for good.
    Refused,
    /// `MAX_ATTEMPTS` tries failed.
    Exhausted,
}

/// What to do with a job now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send it now (once), then record the outcome with `attempts + 1`.
    Send,
    /// Ask again at this time (ns since the epoch).
    WaitUntil(i64),
    /// Dead: keep it, visible to admins with the reason, and never send it again.
    GiveUp(Dead),
    /// Delivered.
    Done,
}

/// The wait after `failures` failed tries (1 → 10 s, 2 → 20 s, … capped at 30 min).
pub fn backoff_secs(failures: u32) -> u64 {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_BACKOFF_SECS
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF_SECS)
}

/// The module doc's table. `robot_sends` are the times (ns) of the robot's sends, any order;
/// only those in the minute before `now_ns` count.
pub fn decide(job: &Job, now_ns: i64, robot_sends: &[i64]) -> Decision {
    let due = match job.last {
        Some(Last {
            outcome: Outcome::Sent,
            ..
        }) => return Decision::Done,
        Some(Last {
            outcome: Outcome::Refused,
            ..
        }) => return Decision::GiveUp(Dead::Refused),
        _ if job.attempts >= MAX_ATTEMPTS => return Decision::GiveUp(Dead::Exhausted),
        None => now_ns,
        Some(Last {
            outcome: Outcome::Failed { retry_after },
            at_ns,
        }) => {
            let asked = retry_after.unwrap_or(0).min(MAX_RETRY_AFTER_SECS);
            let wait = backoff_secs(job.attempts).max(asked);
            at_ns.min(now_ns).saturating_add(wait as i64 * SECOND_NS)
        }
    };
    if due > now_ns {
        return Decision::WaitUntil(due);
    }
    match free_at(now_ns, robot_sends) {
        Some(free) => Decision::WaitUntil(free),
        None => Decision::Send,
    }
}

/// When the robot may take another send, if it may not now: `RATE_LIMIT` sends in the minute
/// before `now_ns` wait until the oldest of the last `RATE_LIMIT` leaves the window.
pub fn free_at(now_ns: i64, robot_sends: &[i64]) -> Option<i64> {
    let mut recent: Vec<i64> = robot_sends
        .iter()
        .copied()
        .filter(|&t| t > now_ns - RATE_WINDOW_NS && t <= now_ns)
        .collect();
    if recent.len() < RATE_LIMIT {
        return None;
    }
    recent.sort_unstable();
    Some(recent[recent.len() - RATE_LIMIT] + RATE_WINDOW_NS)
}

#[cfg(test)]
mod tests;

//! Sign-in throttling: growing delays after repeated failures, per account (the email as
//! typed, as the store keys it) and per client (`net::limit_key` of the client's address),
//! never a permanent lock.
//!
//! The decision is one pure function, `decide(policy, seen, now)`:
//!
//! ```text
//! failures ≤ free                          → Allowed
//! failures > free, now − last ≥ wait(n)    → Allowed      wait(n) = min(base · 2^(n−free−1), cap)
//! failures > free, now − last < wait(n)    → Wait(wait(n) − (now − last), rounded up to a second)
//! now − last ≥ forget                      → Allowed, and the failures are forgotten
//! ```
//!
//! `Throttle` keeps the counts in this collector's memory (docs/SCALING.md says what that
//! means for a fleet). An attempt is counted as a failure before the password is checked
//! (`attempt`), so that parallel guesses meet the delay too; a right password takes it back
//! (`succeeded`: the account's count is cleared, the client's loses the one attempt); a wrong
//! one moves the failure's time to its answer (`failed`), so the delay counts from there.

use std::collections::HashMap;
use std::sync::Mutex;

/// How one kind of key is throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Failures without any delay.
    pub free: u32,
    /// The first delay, in seconds; each failure after it doubles it.
    pub base_s: u64,
    /// The longest delay, in seconds.
    pub cap_s: u64,
    /// After this many seconds without a failure, the failures are forgotten.
    pub forget_s: u64,
}

/// An account (an email): 5 failures free, then 1 s, 2 s, 4 s, … up to 15 minutes.
pub const ACCOUNT: Policy = Policy {
    free: 5,
    base_s: 1,
    cap_s: 15 * 60,
    forget_s: 3600,
};

/// A client (an IPv4 address, an IPv6 /64): an office behind one address signs in for many
/// people, so 20 failures free, then the same doubling up to 15 minutes.
pub const CLIENT: Policy = Policy {
    free: 20,
    base_s: 1,
    cap_s: 15 * 60,
    forget_s: 3600,
};

/// The keys an entry is kept under at most, in all: past it, what can be forgotten is.
const MAX_KEYS: usize = 100_000;

/// What a key has done: its failures and when the last one was (ns since the epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub failures: u32,
    pub last_ns: i64,
}

/// Whether a sign-in may be tried now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Not before this many seconds (at least 1).
    Wait(u64),
}

/// The delay after `failures` failures (0 while free).
pub fn delay_s(policy: &Policy, failures: u32) -> u64 {
    if failures <= policy.free {
        return 0;
    }
    let doublings = (failures - policy.free - 1).min(63);
    policy
        .base_s
        .saturating_mul(1u64 << doublings)
        .min(policy.cap_s)
}

/// The failures that still count at `now_ns`.
fn counted(policy: &Policy, seen: Option<Seen>, now_ns: i64) -> Option<Seen> {
    seen.filter(|s| elapsed_s(s.last_ns, now_ns) < policy.forget_s)
}

fn elapsed_s(last_ns: i64, now_ns: i64) -> u64 {
    u64::try_from(now_ns.saturating_sub(last_ns).max(0)).unwrap_or(0) / 1_000_000_000
}

/// May a key with this record try now?
pub fn decide(policy: &Policy, seen: Option<Seen>, now_ns: i64) -> Verdict {
    let Some(s) = counted(policy, seen, now_ns) else {
        return Verdict::Allowed;
    };
    let wait_ns = delay_s(policy, s.failures).saturating_mul(1_000_000_000);
    let passed_ns = u64::try_from(now_ns.saturating_sub(s.last_ns).max(0)).unwrap_or(0);
    if passed_ns >= wait_ns {
        Verdict::Allowed
    } else {
        Verdict::Wait((wait_ns - passed_ns).div_ceil(1_000_000_000).max(1))
    }
}

/// The record after one more failure at `now_ns`.
pub fn failed(policy: &Policy, seen: Option<Seen>, now_ns: i64) -> Seen {
    let before = counted(policy, seen, now_ns).map_or(0, |s| s.failures);
    Seen {
        failures: before.saturating_add(1),
        last_ns: now_ns,
    }
}

/// A key the throttle counts under.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// An account: the email as the store keys it (`storage::email_key`).
    Account(String),
    /// A client: `net::limit_key` of its address.
    Client(std::net::IpAddr),
}

impl Key {
    fn policy(&self) -> &'static Policy {
        match self {
            Key::Account(_) => &ACCOUNT,
            Key::Client(_) => &CLIENT,
        }
    }
}

/// The counts of this collector, behind one lock (a sign-in is rare; the lock is held for a
/// few map operations, never across the password check).
#[derive(Default)]
pub struct Throttle {
    seen: Mutex<HashMap<Key, Seen>>,
}

impl Throttle {
    /// A sign-in attempt by these keys at `now_ns`: allowed (and counted as a failure until
    /// `succeeded` says otherwise), or the longest wait any of them has to sit out.
    pub fn attempt(&self, keys: &[Key], now_ns: i64) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let wait = keys
            .iter()
            .filter_map(|k| match decide(k.policy(), seen.get(k).copied(), now_ns) {
                Verdict::Wait(s) => Some(s),
                Verdict::Allowed => None,
            })
            .max();
        if let Some(s) = wait {
            return Err(s);
        }
        if seen.len() + keys.len() > MAX_KEYS {
            seen.retain(|k, s| counted(k.policy(), Some(*s), now_ns).is_some());
            if seen.len() + keys.len() > MAX_KEYS {
                tracing::warn!(
                    keys = seen.len(),
                    "the sign-in throttle is full: its counts start again"
                );
                seen.clear();
            }
        }
        for k in keys {
            let next = failed(k.policy(), seen.get(k).copied(), now_ns);
            seen.insert(k.clone(), next);
        }
        Ok(())
    }

    /// The attempt of these keys was a wrong password, answered at `now_ns`: their delay
    /// counts from the answer (the password check takes a while).
    pub fn failed(&self, keys: &[Key], now_ns: i64) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            if let Some(s) = seen.get_mut(k) {
                s.last_ns = s.last_ns.max(now_ns);
            }
        }
    }

    /// The attempt of these keys was a right password: the account starts afresh, the client
    /// loses the one failure `attempt` counted.
    pub fn succeeded(&self, keys: &[Key]) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            match k {
                Key::Account(_) => {
                    seen.remove(k);
                }
                Key::Client(_) => {
                    if let Some(s) = seen.get_mut(k) {
                        s.failures = s.failures.saturating_sub(1);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn the_delay_doubles_after_the_free_failures_up_to_the_cap() {
        let table: &[(u32, u64)] = &[
            (0, 0),
            (5, 0),
            (6, 1),
            (7, 2),
            (8, 4),
            (10, 16),
            (14, 256),
            (15, 512),
            (16, 900),
            (40, 900),
            (u32::MAX, 900),
        ];
        for &(failures, want) in table {
            assert_eq!(delay_s(&ACCOUNT, failures), want, "{failures} failures");
        }
        assert_eq!(delay_s(&CLIENT, 20), 0);
        assert_eq!(delay_s(&CLIENT, 21), 1);
        assert_eq!(delay_s(&CLIENT, 40), 900);
    }

    #[test]
    fn a_key_waits_out_its_delay_and_is_forgotten_after_a_quiet_hour() {
        let seen = |failures, ago_s: i64| {
            Some(Seen {
                failures,
                last_ns: 10_000 * S - ago_s * S,
            })
        };
        let now = 10_000 * S;
        // (record, verdict): the wait is counted from the last failure.
        let table: &[(Option<Seen>, Verdict)] = &[
            (None, Verdict::Allowed),
            (seen(5, 0), Verdict::Allowed),
            (seen(6, 0), Verdict::Wait(1)),
            (seen(6, 1), Verdict::Allowed),
            (seen(8, 1), Verdict::Wait(3)),
            (seen(8, 4), Verdict::Allowed),
            (seen(30, 0), Verdict::Wait(900)),
            (seen(30, 899), Verdict::Wait(1)),
            (seen(30, 900), Verdict::Allowed),
            (seen(30, 3599), Verdict::Allowed),
            (seen(1000, 3600), Verdict::Allowed),
        ];
        for &(record, want) in table {
            assert_eq!(decide(&ACCOUNT, record, now), want, "{record:?}");
        }
        // A part of a second still to wait is a whole second.
        let half = Some(Seen {
            failures: 6,
            last_ns: now - S / 2,
        });
        assert_eq!(decide(&ACCOUNT, half, now), Verdict::Wait(1));
        // A failure counts on from the record, or from nothing after a quiet hour.
        assert_eq!(failed(&ACCOUNT, seen(7, 10), now).failures, 8);
        assert_eq!(failed(&ACCOUNT, seen(7, 3600), now).failures, 1);
        assert_eq!(failed(&ACCOUNT, None, now).last_ns, now);
    }

    #[test]
    fn parallel_attempts_meet_the_delay_and_a_right_password_clears_the_account() {
        let t = Throttle::default();
        let keys = [
            Key::Account("li@brand.example".into()),
            Key::Client("192.0.2.7".parse().unwrap()),
        ];
        let now = 1_000 * S;
        for _ in 0..ACCOUNT.free {
            assert_eq!(t.attempt(&keys, now), Ok(()));
        }
        // The sixth, at the same moment, is the first to wait: no password was checked.
        assert_eq!(t.attempt(&keys, now), Ok(()));
        assert_eq!(t.attempt(&keys, now), Err(1));
        assert_eq!(t.attempt(&keys, now + S), Ok(()));
        assert_eq!(t.attempt(&keys, now + S), Err(2));
        t.succeeded(&keys);
        assert_eq!(t.attempt(&keys, now + S), Ok(()));
        // Another account from the same client is counted by the client only.
        let other = [
            Key::Account("wang@brand.example".into()),
            Key::Client("192.0.2.7".parse().unwrap()),
        ];
        assert_eq!(t.attempt(&other, now + S), Ok(()));
    }
}
